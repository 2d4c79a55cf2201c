"""Build the AudioPlayer playlist from the audio manifest and the configured base URL.

Alexa streams only over HTTPS from a public host, so playback is on only when
SPASM_GUIDE_AUDIO_BASE_URL names where the audio output folder (audio/output/)
is published (for example https://example.org/audio, which `spasm-guide serve`
provides at /audio). Without it the skill reads aloud instead.
"""

from __future__ import annotations

import logging
from pathlib import Path
from urllib.parse import quote, urlsplit

from audio.tracks import Playlist, Track
from content import guide

log = logging.getLogger(__name__)


def load_playlist(base_url: str | None, audio_dir: Path | None = None) -> Playlist | None:
    """Section recordings in guide order (audio_dir: audio/output/), or None when playback
    cannot work."""
    if not base_url:
        return None
    if urlsplit(base_url).scheme != "https":
        log.warning("audio base URL must be https for Alexa; playback is off")
        return None
    # The manifest reader loads only when playback is configured: a cold start without it
    # never needs it.
    from audio.catalog import published_sections
    from audio.manifest import OUTPUT_DIR

    # From the manifest alone: the MP3s are served from base_url, not read from this disk.
    recordings = published_sections(audio_dir or OUTPUT_DIR)
    tracks = tuple(
        Track(section.id, section.title, f"{base_url.rstrip('/')}/{quote(recordings[section.id])}")
        for section in guide().sections if section.id in recordings)
    if len(tracks) != len(guide().sections):
        log.warning("audio is missing for some sections; playback is off until it is built")
        return None
    return Playlist(tracks)
