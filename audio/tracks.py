"""The AudioPlayer playlist: section recordings at URLs Alexa can stream, in guide order.

Plain data, apart from the manifest reader (audio/catalog.py), because the
playback handlers need only this and every Lambda cold start imports them.
skill/engine/playlist.py builds a Playlist from the manifest and the configured base URL.
"""

from __future__ import annotations

from typing import NamedTuple

# Alexa hands this token back in every AudioPlayer event; the prefix tells ours apart.
TOKEN_PREFIX = "facial-spasm-guide:"


class Track(NamedTuple):
    section_id: str
    title: str
    url: str

    @property
    def token(self) -> str:
        return TOKEN_PREFIX + self.section_id


class Playlist(NamedTuple):
    """The section recordings in guide order, at HTTPS URLs Alexa can stream."""

    tracks: tuple[Track, ...]

    def index_of(self, token: str | None) -> int | None:
        return next((i for i, t in enumerate(self.tracks) if t.token == token), None)

    def index_for_section(self, section_id: str) -> int | None:
        return next((i for i, t in enumerate(self.tracks) if t.section_id == section_id), None)
