"""Offline pack of the section recordings: an M3U playlist, a podcast feed and a zip.

Listeners who cannot (or would rather not) use Alexa get the same guide as plain
files: a playlist any player opens, a podcast feed, and one zip to copy onto a
phone or hand to someone. Everything here is a pure function of the guide's text
and the built section files, and the output is byte-for-byte reproducible (fixed
dates and timestamps, sorted zip entries), so rebuilding does not churn git.

Links are relative to the output folder unless a base URL is given; relative
links suit the committed copy and a local player, absolute ones a web host. Without
one, the listening page (skill/page/views.py) makes the playlist and feed per request
with absolute links under its own address, and no feed is written to disk: a feed
that leaves the server must have absolute enclosure links and name itself
(atom:link rel="self"), which only a known address allows.

The feed carries what Apple Podcasts and the Podcast Standards Project require:
a square cover (``cover.png``, drawn by audio/artwork.py from the guide's name),
``itunes:explicit`` true/false, the listening page as the channel link, the
Health & Fitness > Medicine category, ``itunes:author`` and ``itunes:type``, and
``podcast:guid`` and ``podcast:locked`` from the podcast namespace.
"""

from __future__ import annotations

import io
import json
import re
import uuid
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path, PurePosixPath
from urllib.parse import urljoin, urlsplit

from feedgen.ext.base import BaseEntryExtension, BaseExtension

from audio import artwork
from audio.files import sha256
from audio.manifest import (
    COVER_NAME,
    FEED_NAME,
    PACK_NAMES,
    PLAYLIST_NAME,
    ZIP_NAME,
    FileEntry,
    read_manifest,
)
from audio.plan import Item, plan, text_hashes
from content import Guide, Section
from content.publishing import Publishing, publishing

# Bump when the pack's layout changes so existing packs count as stale.
# 2: feed GUIDs hash the transcript, not the MP3 (a new voice is not a new episode).
# 3: the cover, the podcast namespace's tags; no feed on disk without a base URL.
# 4: episode GUIDs are the section id alone (an edited episode is the same episode).
PACK_FORMAT = 4
PODCAST_NS = "https://podcastindex.org/namespace/1.0"
ITUNES_NS = "http://www.itunes.com/dtds/podcast-1.0.dtd"
# podcast:guid is a UUIDv5 of the feed's URL in this namespace (the podcast namespace's spec).
PODCAST_GUID_NAMESPACE = uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6")
FEED_CATEGORY = ("Health & Fitness", "Medicine")
# Feeds need dates, but "now" would change the feed on every build. Episodes are
# dated one day apart from this fixed day so apps that sort by date keep the order.
FEED_DATE = datetime(2025, 1, 1, tzinfo=UTC)
# 1980-01-01 is the earliest time a zip entry can carry.
ZIP_TIMESTAMP = (1980, 1, 1, 0, 0, 0)
FEED_LANGUAGE = "en-US"


@dataclass(frozen=True)
class Episode:
    """One section recording as the pack sees it (numbers come from the manifest)."""

    number: int
    section_id: str
    title: str
    transcript: str
    path: str  # relative to the output folder, with forward slashes
    duration_seconds: float
    size: int
    sha256: str

    @property
    def filename(self) -> str:
        return PurePosixPath(self.path).name


def pack_names(base_url: str | None) -> tuple[str, ...]:
    """The pack files a build writes: the feed only when its links can be absolute."""
    return PACK_NAMES if base_url else tuple(n for n in PACK_NAMES if n != FEED_NAME)


def episodes(guide: Guide, items: Sequence[Item], entries: Mapping[str, FileEntry]
             ) -> list[Episode]:
    """The section files as podcast episodes, with sizes and durations from the manifest."""
    found = []
    for item in items:
        entry = entries.get(item.path)
        if item.kind == "section" and entry is not None:
            section = guide.section(item.section or "")
            found.append(Episode(
                number=item.track, section_id=section.id, title=section.title,
                transcript=transcript(section), path=item.path,
                duration_seconds=entry.duration_seconds, size=entry.size, sha256=entry.sha256,
            ))
    return found


def current_episodes(out_dir: Path, guide: Guide) -> list[Episode]:
    """The built section recordings that say ``guide``'s current text, as podcast episodes.

    For the playlist and feed skill/page/views.py makes per request: a recording left stale
    by a content edit is left out rather than paired with the new transcript.
    Raises ManifestError when the manifest is missing or broken.
    """
    wanted = text_hashes(guide)
    entries = {entry.path: entry for entry in read_manifest(out_dir).files
               if wanted.get(entry.path) == entry.text_sha256 and (out_dir / entry.path).is_file()}
    return episodes(guide, plan(guide), entries)


def transcript(section: Section) -> str:
    """The written (not spoken) text of a section: what a reader sees in the zip and feed."""
    return "\n\n".join((section.title, *section.pages)) + "\n"


def slug(text: str) -> str:
    """File-name-safe lower-case form of a name ("Facial Spasm Guide" -> facial-spasm-guide)."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "guide"


def link(path: str, base_url: str | None) -> str:
    """Relative link as written, or absolute under ``base_url`` (which ends with '/')."""
    return urljoin(base_url, path) if base_url else path


def inputs_sha256(guide: Guide, episodes: Sequence[Episode], base_url: str | None) -> str:
    """Hash of everything the pack is made from, so a check can tell when it is stale.

    Cheaper and sturdier than comparing zip bytes: zlib versions may compress the
    transcripts differently, but these inputs only change when the pack should.
    """
    record = {
        "format": PACK_FORMAT,
        "guide": [guide.name, guide.welcome, guide.notice],
        "publishing": asdict(publishing()),
        "base_url": base_url,
        "episodes": [asdict(episode) for episode in episodes],
    }
    return sha256(json.dumps(record, sort_keys=True).encode("utf-8"))


# ----------------------------------------------------------------------- playlist


def playlist(guide: Guide, episodes: Sequence[Episode], base_url: str | None = None) -> bytes:
    """Extended M3U: one #EXTINF line (whole seconds, title) before each file."""
    return _m3u(guide.name, [(e, link(e.path, base_url)) for e in episodes])


def _m3u(name: str, entries: Sequence[tuple[Episode, str]]) -> bytes:
    lines = ["#EXTM3U", f"#PLAYLIST:{name}"]
    for episode, target in entries:
        lines.append(f"#EXTINF:{round(episode.duration_seconds)},{name} - {episode.title}")
        lines.append(target)
    return ("\n".join(lines) + "\n").encode("utf-8")


# --------------------------------------------------------------------------- feed


def episode_guid(guide: Guide, episode: Episode) -> str:
    """The guide and the section's id: the same episode through every edit and re-voicing.

    Podcast apps treat a new GUID as a new episode and list it again; an edited
    transcript or a new voice is still the same section of the guide.
    """
    return f"{slug(guide.name)}:{episode.section_id}"


def podcast_guid(feed_url: str) -> str:
    """podcast:guid: UUIDv5 of the feed URL without its scheme and trailing slashes."""
    parts = urlsplit(feed_url)
    bare = (parts.netloc + parts.path).rstrip("/") + (f"?{parts.query}" if parts.query else "")
    return str(uuid.uuid5(PODCAST_GUID_NAMESPACE, bare))


def listening_page(base_url: str) -> str:
    """The listening page for audio published at ``base_url``: the folder above it,
    where `spasm-guide serve` puts the page (/) beside /audio/."""
    return urljoin(base_url, "../")


def _itunes_duration(seconds: float) -> str:
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes}:{rest:02d}"


def _element(parent: object, tag: str, text: str) -> None:
    from lxml import etree

    etree.SubElement(parent, tag).text = text


class _Standards(BaseExtension):
    """The channel tags feedgen's podcast extension lacks or spells the old way."""

    def __init__(self) -> None:
        self.guid: str | None = None
        self.locked = "yes"
        self.explicit = "false"  # Apple's current values are true/false ("no" reads as unset)

    def extend_ns(self) -> dict[str, str]:
        return {"podcast": PODCAST_NS}

    def extend_rss(self, rss_feed: object) -> object:
        channel = rss_feed[0]  # type: ignore[index]
        _element(channel, f"{{{ITUNES_NS}}}explicit", self.explicit)
        _element(channel, f"{{{PODCAST_NS}}}locked", self.locked)
        if self.guid:
            _element(channel, f"{{{PODCAST_NS}}}guid", self.guid)
        return rss_feed


class _NoEntryTags(BaseEntryExtension):
    """Episodes need nothing beyond feedgen's podcast extension."""


def feed(guide: Guide, episodes: Sequence[Episode], base_url: str | None = None,
         details: Publishing | None = None) -> bytes:
    """Podcast RSS (feedgen): one episode per section, its transcript as description.

    Without ``base_url`` the links stay relative and the feed cannot name itself:
    fit for reading here, not for publishing (the build then writes none).
    ``details`` defaults to the packaged content's ``publishing:``.
    """
    details = details or publishing()
    from feedgen.feed import FeedGenerator  # imports lxml.etree before the extension needs it

    generator = FeedGenerator()
    generator.load_extension("podcast")
    generator.register_extension("standards", _Standards, _NoEntryTags, atom=False)
    generator.title(guide.name)
    if base_url:  # atom:link rel="self", as RSS validators ask; only an absolute address will do
        generator.link(href=link(FEED_NAME, base_url), rel="self", type="application/rss+xml")
        generator.standards.guid = podcast_guid(link(FEED_NAME, base_url))
    page = listening_page(base_url) if base_url else "../"
    generator.link(href=page, rel="alternate")  # last: RSS <link>
    generator.description(f"{guide.welcome} {guide.notice}")
    generator.language(FEED_LANGUAGE)
    generator.lastBuildDate(FEED_DATE + timedelta(days=len(episodes)))
    generator.podcast.itunes_type("serial")
    generator.podcast.itunes_author(details.author)
    generator.podcast.itunes_summary(details.description)
    generator.podcast.itunes_image(link(COVER_NAME, base_url))
    generator.podcast.itunes_category(*FEED_CATEGORY)
    generator.image(url=link(COVER_NAME, base_url), title=guide.name, link=page)
    generator.standards.explicit = "true" if details.explicit else "false"
    for episode in episodes:
        entry = generator.add_entry(order="append")
        entry.guid(episode_guid(guide, episode), permalink=False)
        entry.title(episode.title)
        entry.description(episode.transcript)
        entry.enclosure(link(episode.path, base_url), str(episode.size), "audio/mpeg")
        entry.pubDate(FEED_DATE + timedelta(days=episode.number - 1))
        entry.podcast.itunes_duration(_itunes_duration(episode.duration_seconds))
        entry.podcast.itunes_episode(episode.number)
        entry.podcast.itunes_episode_type("full")
    return generator.rss_str(pretty=True)


# ---------------------------------------------------------------------------- zip


def _zip_entry(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=ZIP_TIMESTAMP)
    info.create_system = 3  # Unix, so the permission bits below are honoured
    info.external_attr = 0o644 << 16
    # MP3 does not compress; storing it keeps the zip quick to build and to open.
    info.compress_type = zipfile.ZIP_STORED if name.endswith(".mp3") else zipfile.ZIP_DEFLATED
    return info


def _readme(guide: Guide, episodes: Sequence[Episode]) -> str:
    tracks = "\n".join(f"{e.number}. {e.title} ({_itunes_duration(e.duration_seconds)})"
                       for e in episodes)
    return f"{guide.name}\n\n{guide.welcome}\n\n{tracks}\n\n{guide.notice}\n"


def archive(guide: Guide, episodes: Sequence[Episode], out_dir: Path) -> bytes:
    """Zip of the section MP3s with their transcripts, a playlist and a readme.

    Everything sits in one folder named after the guide, entries sorted and dated
    1980-01-01, so the same inputs give the same bytes.
    """
    folder = slug(guide.name)
    files: dict[str, bytes] = {"README.txt": _readme(guide, episodes).encode("utf-8")}
    files[PLAYLIST_NAME] = _m3u(guide.name, [(e, e.filename) for e in episodes])
    for episode in episodes:
        files[episode.filename] = (out_dir / episode.path).read_bytes()
        files[PurePosixPath(episode.filename).with_suffix(".txt").name] = (
            episode.transcript.encode("utf-8")
        )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as bundle:
        for name in sorted(files):
            bundle.writestr(_zip_entry(f"{folder}/{name}"), files[name], compresslevel=9)
    return buffer.getvalue()


def make_pack(
    guide: Guide, episodes: Sequence[Episode], out_dir: Path, base_url: str | None = None
) -> dict[str, bytes]:
    """Every pack file by name (relative to ``out_dir``), ready to be written."""
    files = {
        PLAYLIST_NAME: playlist(guide, episodes, base_url),
        ZIP_NAME: archive(guide, episodes, out_dir),
        COVER_NAME: artwork.png(guide.name),
    }
    if base_url:
        files[FEED_NAME] = feed(guide, episodes, base_url)
    return files
