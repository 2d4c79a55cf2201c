"""The listening page (GET /) and the recordings behind it (GET/HEAD /audio/<name>)."""

from __future__ import annotations

import functools
import hashlib
import json
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest
from flask import Flask
from flask.testing import FlaskClient
from markupsafe import escape

from audio import artwork
from audio import pack as audio_pack
from audio.build.run import build
from audio.catalog import human_duration, human_size, load_catalog, safe_name, section_audio
from audio.engines import Speech
from audio.manifest import MANIFEST_FORMAT, MANIFEST_NAME, PACK_NAMES
from audio.plan import text_hashes
from audio.sound.mp3 import MP3_SAMPLE_RATE, encode_mp3
from content import guide
from skill.web.app import create_app


@functools.lru_cache(maxsize=32)
def tone_mp3(seconds: float = 1.0, frequency: float = 440.0) -> bytes:
    """A small valid Alexa-format MP3: a quiet sine tone (silence would do, a tone is audible)."""
    t = np.arange(int(seconds * MP3_SAMPLE_RATE)) / MP3_SAMPLE_RATE
    samples = (np.sin(2 * np.pi * frequency * t) * 3000).astype("<i2").tobytes()
    return encode_mp3(Speech(samples, MP3_SAMPLE_RATE))


def manifest_record(path: str, kind: str, section: str | None, data: bytes, seconds: float,
                    title: str = "") -> dict[str, object]:
    """One entry of manifest.json's "files" list, as the audio build writes it.

    Its text_sha256 is the current content's for ``path``, so the recording counts as current.
    """
    text_sha256 = text_hashes(guide()).get(path, "0" * 64)
    return {"path": path, "kind": kind, "section": section, "page": None, "title": title,
            "track": "1/1", "text_sha256": text_sha256, "engine": "test", "voice": "tone",
            "duration_seconds": seconds, "bytes": len(data),
            "sha256": hashlib.sha256(data).hexdigest(), "loudness_lufs": -16.0,
            "true_peak_dbtp": -1.5}


def make_audio_dir(root: Path, section_ids: list[str] | None = None, *, seconds: float = 1.0,
                   pack: bool = True, whole: bool = True) -> dict[str, bytes]:
    """An audio directory as `spasm-guide build-audio` leaves it: files/*.mp3, manifest, pack.

    Returns the bytes written, by name relative to ``root``.
    """
    ids = [s.id for s in guide().sections] if section_ids is None else section_ids
    written: dict[str, bytes] = {}
    records = []
    for number, section_id in enumerate(ids, start=1):
        name = f"files/{number:02d}-{section_id.replace('_', '-')}.mp3"
        written[name] = tone_mp3(seconds, 330.0 + 40 * number)
        records.append(manifest_record(name, "section", section_id, written[name], seconds))
    if whole:
        written["files/guide.mp3"] = tone_mp3(seconds * 2, 262.0)
        records.append(manifest_record("files/guide.mp3", "guide", None,
                                       written["files/guide.mp3"], seconds * 2))
    if pack:
        written["guide.m3u"] = ("#EXTM3U\n" + "\n".join(str(r["path"]) for r in records) + "\n").encode()
        written["guide.zip"] = b"PK\x05\x06" + bytes(18)  # an empty zip archive
        written["cover.png"] = artwork.png(guide().name, 16)  # small: the page does not look inside
    manifest = {"format": MANIFEST_FORMAT, "guide": guide().name, "base_url": None,
                "files": records, "pack": None}
    written["manifest.json"] = json.dumps(manifest, indent=2).encode()
    for name, data in written.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)
    return written


@pytest.fixture
def audio_dir(tmp_path: Path) -> Path:
    directory = tmp_path / "audio"
    directory.mkdir()
    return directory


@pytest.fixture
def files(audio_dir: Path) -> dict[str, bytes]:
    return make_audio_dir(audio_dir)


@pytest.fixture
def page_app(tmp_path: Path, audio_dir: Path, files: dict[str, bytes]) -> Flask:
    return create_app(verify=False, data_dir=tmp_path, audio_dir=audio_dir)


@pytest.fixture
def web(page_app: Flask) -> FlaskClient:
    return page_app.test_client()


def mp3_name(files: dict[str, bytes]) -> str:
    """The first section's recording."""
    return next(name for name in files if name.endswith(".mp3") and name != "files/guide.mp3")


class Outline(HTMLParser):
    """The parts of the page the tests look at: tags with attributes, headings, ids."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.headings: list[int] = []
        self.ids: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))
        if attributes.get("id"):
            self.ids.append(str(attributes["id"]))

    def all(self, tag: str) -> list[dict[str, str | None]]:
        return [attributes for name, attributes in self.tags if name == tag]


def outline(html: str) -> Outline:
    parser = Outline()
    parser.feed(html)
    return parser


# ------------------------------------------------------------------------ the page


def test_page_shows_every_section_with_summary_transcript_and_player(web: FlaskClient,
                                                                     files: dict[str, bytes]) -> None:
    response = web.get("/")
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    content = guide()
    assert str(escape(content.name)) in html
    assert str(escape(content.notice)) in html
    for section in content.sections:
        assert str(escape(section.title)) in html
        assert str(escape(section.summary)) in html
        for text in section.pages:
            assert f"<p>{escape(text)}</p>" in html
    page = outline(html)
    sources = {a["src"] for a in page.all("audio")}
    assert sources == {f"/audio/{name}" for name in files if name.startswith("files/")}
    assert len(page.all("audio")) == len(content.sections) + 1  # and the whole guide


def test_page_structure_is_accessible(web: FlaskClient) -> None:
    html = web.get("/").get_data(as_text=True)
    page = outline(html)
    assert page.all("html")[0]["lang"] == "en"
    assert len(page.all("h1")) == 1
    assert page.headings[0] == 1
    for before, after in zip(page.headings, page.headings[1:], strict=False):
        assert after <= before + 1, f"heading levels jump: {page.headings}"
    assert len(page.all("h2")) >= len(guide().sections)
    for landmark in ("header", "nav", "main", "footer"):
        assert len(page.all(landmark)) == 1, landmark
    first_link = page.all("a")[0]
    assert first_link["href"] == "#main" and "skip" in str(first_link.get("class"))
    assert page.all("main")[0]["id"] == "main"
    assert len(page.ids) == len(set(page.ids)), "duplicate ids"
    assert html.index(str(escape(guide().notice))) < html.index("<main")


def test_players_are_native_quiet_and_show_their_length(web: FlaskClient) -> None:
    players = outline(web.get("/").get_data(as_text=True)).all("audio")
    assert players
    for player in players:
        assert "controls" in player
        assert "autoplay" not in player
        assert player["preload"] == "metadata"  # "none" shows 0:00 / 0:00 until played
        assert player.get("aria-label")


def test_transcript_headings_name_their_section(web: FlaskClient) -> None:
    html = web.get("/").text
    for section in guide().sections:
        assert (f'Transcript<span class="visually-hidden"> of {escape(section.title)}</span></h3>'
                in html)


def test_the_whole_guide_shows_its_spoken_opening(web: FlaskClient) -> None:
    opening = re.search(r'<p class="opening" id="whole-opening">(.*?)</p>', web.get("/").text, re.S)
    assert opening
    text = " ".join(opening.group(1).split())
    assert f"{escape(guide().name)}. {escape(guide().notice)}" in text


def test_download_links_say_size_and_duration(web: FlaskClient, files: dict[str, bytes]) -> None:
    html = web.get("/").get_data(as_text=True)
    name = mp3_name(files)
    link = re.search(rf'<a href="/audio/{re.escape(name)}" download[^>]*>(.*?)</a>', html, re.S)
    assert link, "no download link for the first section"
    text = " ".join(re.sub(r"<[^>]+>", " ", link.group(1)).split())
    assert human_size(len(files[name])) in text
    assert "1 second" in text
    for pack_name in ("guide.m3u", "feed.xml", "guide.zip"):
        assert f'href="/audio/{pack_name}"' in html


def test_a_recording_older_than_its_text_is_not_ready(tmp_path: Path, audio_dir: Path) -> None:
    make_audio_dir(audio_dir)
    first = guide().sections[0].id
    manifest = json.loads((audio_dir / "manifest.json").read_text())
    manifest["files"][0]["text_sha256"] = "1" * 64  # recorded from text the content no longer has
    (audio_dir / "manifest.json").write_text(json.dumps(manifest))
    html = create_app(verify=False, data_dir=tmp_path, audio_dir=audio_dir).test_client().get("/").text
    assert f'id="no-audio-{first}"' in html and f'id="audio-{first}"' not in html
    assert f'id="audio-{guide().sections[1].id}"' in html


def test_stale_recordings_are_one_warning_at_start(tmp_path: Path, audio_dir: Path,
                                                   caplog: pytest.LogCaptureFixture) -> None:
    make_audio_dir(audio_dir)
    manifest = json.loads((audio_dir / "manifest.json").read_text())
    for record in manifest["files"][:2]:
        record["text_sha256"] = "1" * 64
    (audio_dir / "manifest.json").write_text(json.dumps(manifest))
    create_app(verify=False, data_dir=tmp_path, audio_dir=audio_dir)
    warnings = [r.getMessage() for r in caplog.records if r.name == "skill.page.views"]
    assert len(warnings) == 1
    assert "2 recording(s)" in warnings[0] and manifest["files"][0]["path"] in warnings[0]


def test_current_recordings_start_without_a_warning(page_app: Flask,
                                                    caplog: pytest.LogCaptureFixture) -> None:
    assert not [r for r in caplog.records if r.name == "skill.page.views"]


def test_the_playlist_link_saves_a_file_for_a_media_player(web: FlaskClient) -> None:
    link = next(a for a in outline(web.get("/").text).all("a") if a.get("id") == "download-playlist")
    assert link["href"] == "/audio/guide.m3u"
    assert "download" in link
    assert "media player" in web.get("/").text.split('id="download-playlist"')[1].split("</li>")[0]


def test_page_works_without_any_audio(tmp_path: Path) -> None:
    empty = tmp_path / "no-audio"
    empty.mkdir()
    response = create_app(verify=False, data_dir=tmp_path, audio_dir=empty).test_client().get("/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<audio" not in html
    assert html.count("not ready yet") == len(guide().sections) + 1
    for section in guide().sections:
        assert str(escape(section.title)) in html


def test_page_says_which_sections_have_no_recording_yet(tmp_path: Path, audio_dir: Path) -> None:
    first, *rest = [s.id for s in guide().sections]
    make_audio_dir(audio_dir, [first], pack=False, whole=False)
    html = create_app(verify=False, data_dir=tmp_path, audio_dir=audio_dir).test_client().get("/").text
    assert f'id="audio-{first}"' in html
    for section_id in rest:
        assert f'id="no-audio-{section_id}"' in html
    assert "guide.zip" not in html and 'id="audio-whole"' not in html
    assert 'id="no-downloads"' in html


def test_static_files_are_served(web: FlaskClient) -> None:
    css = web.get("/static/page.css")
    assert css.status_code == 200 and css.mimetype == "text/css"
    assert b"prefers-color-scheme: dark" in css.data and b":focus-visible" in css.data
    script = web.get("/static/speed.js")
    assert script.status_code == 200 and "javascript" in script.mimetype
    assert b"aria-pressed" in script.data


# ---------------------------------------------------------------------- /audio


def test_full_get_has_type_length_validators_and_caching(web: FlaskClient,
                                                          files: dict[str, bytes]) -> None:
    name = mp3_name(files)
    response = web.get(f"/audio/{name}")
    assert response.status_code == 200
    assert response.data == files[name]
    assert response.headers["Content-Type"] == "audio/mpeg"
    assert response.headers["Content-Length"] == str(len(files[name]))
    assert response.headers["Accept-Ranges"] == "bytes"
    assert response.headers["ETag"]
    assert response.headers["Last-Modified"]


def test_recordings_are_revalidated_before_reuse(web: FlaskClient, files: dict[str, bytes]) -> None:
    """A rebuild rewrites the same URL: a cached old recording must not play by a new transcript."""
    response = web.get(f"/audio/{mp3_name(files)}")
    assert response.headers["Cache-Control"] == "no-cache"


@pytest.mark.parametrize(("name", "content_type"), [
    ("guide.m3u", "audio/x-mpegurl"),
    ("feed.xml", "application/rss+xml"),
    ("guide.zip", "application/zip"),
])
def test_pack_files_have_their_content_types(web: FlaskClient, name: str, content_type: str) -> None:
    response = web.get(f"/audio/{name}")
    assert response.status_code == 200
    assert response.mimetype == content_type
    assert response.headers["Cache-Control"] == "no-cache"


def test_the_zip_is_the_file_on_disk(web: FlaskClient, files: dict[str, bytes]) -> None:
    assert web.get("/audio/guide.zip").data == files["guide.zip"]


def test_feed_links_are_absolute_under_the_request_address(web: FlaskClient) -> None:
    channel = ET.fromstring(web.get("/audio/feed.xml", base_url="https://guide.example/").data)[0]
    enclosures = [e.attrib["url"] for e in channel.iter("enclosure")]
    assert enclosures[0] == "https://guide.example/audio/files/01-overview.mp3"
    assert len(enclosures) == len(guide().sections)
    assert channel.findtext("link") == "https://guide.example/"  # this page


def test_feed_names_its_own_address(web: FlaskClient) -> None:
    channel = ET.fromstring(web.get("/audio/feed.xml", base_url="https://guide.example/").data)[0]
    self_link = channel.find("{http://www.w3.org/2005/Atom}link")
    assert self_link is not None and self_link.attrib["rel"] == "self"
    assert self_link.attrib["href"] == "https://guide.example/audio/feed.xml"


def test_playlist_links_are_absolute_under_the_request_address(web: FlaskClient) -> None:
    lines = web.get("/audio/guide.m3u", base_url="http://127.0.0.1:8125/").text.splitlines()
    tracks = [line for line in lines if line and not line.startswith("#")]
    assert tracks[0] == "http://127.0.0.1:8125/audio/files/01-overview.mp3"
    assert len(tracks) == len(guide().sections)


def test_a_feed_made_on_request_is_conditional(web: FlaskClient) -> None:
    first = web.get("/audio/feed.xml")
    again = web.get("/audio/feed.xml", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304


def test_a_feed_leaves_out_recordings_older_than_their_text(web: FlaskClient, audio_dir: Path) -> None:
    manifest = json.loads((audio_dir / "manifest.json").read_text())
    manifest["files"][0]["text_sha256"] = "1" * 64
    (audio_dir / "manifest.json").write_text(json.dumps(manifest))
    urls = [e.attrib["url"] for e in ET.fromstring(web.get("/audio/feed.xml").data).iter("enclosure")]
    assert len(urls) == len(guide().sections) - 1
    assert not any(url.endswith(str(manifest["files"][0]["path"])) for url in urls)


def test_with_a_base_url_the_built_feed_is_sent_as_it_is(tmp_path: Path, audio_dir: Path,
                                                         files: dict[str, bytes]) -> None:
    manifest = json.loads((audio_dir / "manifest.json").read_text())
    manifest["base_url"] = "https://cdn.example/guide/"
    (audio_dir / "manifest.json").write_text(json.dumps(manifest))
    built_feed = b'<?xml version="1.0"?><rss version="2.0"><channel/></rss>\n'
    (audio_dir / "feed.xml").write_bytes(built_feed)  # a build with a base URL writes one
    client = create_app(verify=False, data_dir=tmp_path, audio_dir=audio_dir).test_client()
    assert client.get("/audio/feed.xml").data == built_feed
    assert client.get("/audio/guide.m3u").data == files["guide.m3u"]


def test_transcripts_listed_in_the_manifest_are_plain_text(tmp_path: Path, audio_dir: Path) -> None:
    make_audio_dir(audio_dir)
    manifest = json.loads((audio_dir / "manifest.json").read_text())
    text = b"What hemifacial spasm is\n"
    manifest["files"].append(manifest_record("files/01-overview.txt", "transcript", "overview", text, 0))
    (audio_dir / "manifest.json").write_text(json.dumps(manifest))
    (audio_dir / "files/01-overview.txt").write_bytes(text)
    client = create_app(verify=False, data_dir=tmp_path, audio_dir=audio_dir).test_client()
    response = client.get("/audio/files/01-overview.txt")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"


def test_range_request_gets_exactly_those_bytes(web: FlaskClient, files: dict[str, bytes]) -> None:
    name = mp3_name(files)
    response = web.get(f"/audio/{name}", headers={"Range": "bytes=0-99"})
    assert response.status_code == 206
    assert response.data == files[name][:100]
    assert response.headers["Content-Range"] == f"bytes 0-99/{len(files[name])}"
    assert response.headers["Content-Length"] == "100"
    middle = web.get(f"/audio/{name}", headers={"Range": "bytes=1000-1099"})
    assert middle.status_code == 206 and middle.data == files[name][1000:1100]


def test_suffix_range_gets_the_end(web: FlaskClient, files: dict[str, bytes]) -> None:
    name = mp3_name(files)
    size = len(files[name])
    response = web.get(f"/audio/{name}", headers={"Range": "bytes=-128"})
    assert response.status_code == 206
    assert response.data == files[name][-128:]
    assert response.headers["Content-Range"] == f"bytes {size - 128}-{size - 1}/{size}"


def test_multiple_ranges_get_the_whole_file(web: FlaskClient, files: dict[str, bytes]) -> None:
    name = mp3_name(files)
    response = web.get(f"/audio/{name}", headers={"Range": "bytes=0-1,5-6"})
    assert response.status_code == 200
    assert response.data == files[name]


def test_unsatisfiable_range_is_416_with_the_length(web: FlaskClient, files: dict[str, bytes]) -> None:
    name = mp3_name(files)
    size = len(files[name])
    response = web.get(f"/audio/{name}", headers={"Range": f"bytes={size}-"})
    assert response.status_code == 416
    assert response.headers["Content-Range"] == f"bytes */{size}"


def test_conditional_requests_get_304(web: FlaskClient, files: dict[str, bytes]) -> None:
    name = mp3_name(files)
    first = web.get(f"/audio/{name}")
    again = web.get(f"/audio/{name}", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert again.data == b""
    since = web.get(f"/audio/{name}", headers={"If-Modified-Since": first.headers["Last-Modified"]})
    assert since.status_code == 304
    changed = web.get(f"/audio/{name}", headers={"If-None-Match": '"something-else"'})
    assert changed.status_code == 200 and changed.data == files[name]


def test_head_has_the_headers_and_no_body(web: FlaskClient, files: dict[str, bytes]) -> None:
    name = mp3_name(files)
    response = web.head(f"/audio/{name}")
    assert response.status_code == 200
    assert response.data == b""
    assert response.headers["Content-Length"] == str(len(files[name]))
    assert response.headers["Content-Type"] == "audio/mpeg"
    assert response.headers["ETag"] and response.headers["Accept-Ranges"] == "bytes"


@pytest.mark.parametrize("path", [
    "/audio/../pyproject.toml",
    "/audio/..%2fpyproject.toml",
    "/audio/%2e%2e/pyproject.toml",
    "/audio/%2E%2E%2Fskill%2Fweb%2Fapp.py",
    "/audio/files/../manifest.json",
    "/audio/files/%2e%2e/files/01-overview.mp3",
    "/audio//etc/passwd",
    "/audio/%2fetc%2fpasswd",
    "/audio/files%5c01-overview.mp3",
    "/audio/files\\01-overview.mp3",
    "/audio/files/01-overview.mp3%00",
    "/audio/files/01-overview.mp3%00.txt",
    "/audio/manifest.json",
    "/audio/engines.py",
    "/audio/__init__.py",
    "/audio/files/",
    "/audio/files",
    "/audio/files/99-nothing.mp3",
    "/audio/./guide.m3u",
    "/audio/FILES/01-OVERVIEW.MP3",
])
def test_traversal_and_unknown_files_are_404(web: FlaskClient, path: str) -> None:
    response = web.get(path, follow_redirects=True)
    assert response.status_code == 404, path


def test_a_missing_recording_is_a_page_for_people(web: FlaskClient) -> None:
    response = web.get("/audio/files/99-nothing.mp3")
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    page = outline(response.text)
    assert page.all("html")[0]["lang"] == "en" and len(page.all("h1")) == 1
    assert {"href": "/"} in page.all("a")


def test_alexa_errors_stay_json(web: FlaskClient) -> None:
    response = web.get("/alexa")
    assert response.status_code == 405 and response.is_json


def test_files_on_disk_but_not_in_the_manifest_are_404(web: FlaskClient, audio_dir: Path) -> None:
    (audio_dir / "files" / "secret.mp3").write_bytes(tone_mp3(0.2))
    (audio_dir / "notes.txt").write_text("private")
    assert web.get("/audio/files/secret.mp3").status_code == 404
    assert web.get("/audio/notes.txt").status_code == 404


def test_a_hostile_manifest_cannot_open_the_disk(tmp_path: Path, audio_dir: Path) -> None:
    outside = tmp_path / "outside.mp3"
    outside.write_bytes(tone_mp3(0.2))
    (audio_dir / "files").mkdir()
    (audio_dir / "files" / "link.mp3").symlink_to(outside)
    data = outside.read_bytes()
    (audio_dir / "manifest.json").write_text(json.dumps({"format": MANIFEST_FORMAT, "files": [
        manifest_record("../outside.mp3", "section", "overview", data, 1),
        manifest_record(str(outside), "section", "causes", data, 1),
        manifest_record("files/link.mp3", "section", "symptoms", data, 1),
        manifest_record("../../../../etc/passwd.txt", "transcript", "treatment", data, 1),
        manifest_record("files/../../outside.mp3", "guide", None, data, 1),
    ]}))
    client = create_app(verify=False, data_dir=tmp_path, audio_dir=audio_dir).test_client()
    for path in ("/audio/../outside.mp3", f"/audio/{outside}", "/audio/files/link.mp3",
                 "/audio/../../../../etc/passwd.txt"):
        assert client.get(path, follow_redirects=True).status_code == 404, path
    page = client.get("/")
    assert page.status_code == 200 and "<audio" not in page.text


def test_broken_manifest_means_no_audio_not_an_error(tmp_path: Path, audio_dir: Path) -> None:
    (audio_dir / "manifest.json").write_text("{ not json")
    client = create_app(verify=False, data_dir=tmp_path, audio_dir=audio_dir).test_client()
    assert client.get("/").status_code == 200
    assert "<audio" not in client.get("/").text


def test_catalog_follows_a_rebuilt_manifest(audio_dir: Path) -> None:
    make_audio_dir(audio_dir, ["overview"], pack=False, whole=False)
    assert set(section_audio(audio_dir)) == {"overview"}
    assert load_catalog(audio_dir).whole is None
    make_audio_dir(audio_dir, ["overview", "causes"], pack=False)
    assert set(section_audio(audio_dir)) == {"overview", "causes"}
    catalog = load_catalog(audio_dir)
    assert catalog.pack == {}
    assert catalog.whole is not None and catalog.whole.name == "files/guide.mp3"
    assert catalog.whole.duration_seconds == 2.0


@pytest.mark.parametrize(("name", "safe"), [
    ("files/01-overview.mp3", True), ("guide.zip", True), ("feed.xml", True),
    ("../x.mp3", False), ("/etc/x.mp3", False), ("a\\b.mp3", False), ("a\x00.mp3", False),
    ("files/.hidden.mp3", False), ("files//x.mp3", False), ("c:x.mp3", False), ("x.py", False),
    ("", False), (None, False),
])
def test_safe_name(name: str | None, safe: bool) -> None:
    assert (safe_name(name) is not None) is safe


def test_human_words_for_sizes_and_durations() -> None:
    assert human_size(900) == "900 bytes"
    assert human_size(12_382) == "12 kB"
    assert human_size(1_234_567) == "1.2 MB"
    assert human_duration(0.4) == "1 second"
    assert human_duration(65) == "1 minute 5 seconds"
    assert human_duration(120) == "2 minutes"


def test_durations_drop_part_seconds_as_the_player_does() -> None:
    assert human_duration(35.9) == "35 seconds"


def test_a_symlink_out_of_the_audio_dir_gets_no_player(tmp_path: Path, audio_dir: Path) -> None:
    outside = tmp_path / "outside.mp3"
    outside.write_bytes(tone_mp3(0.2))
    (audio_dir / "files").mkdir()
    (audio_dir / "files" / "link.mp3").symlink_to(outside)
    (audio_dir / "manifest.json").write_text(json.dumps({"format": MANIFEST_FORMAT, "files": [
        manifest_record("files/link.mp3", "section", "overview", outside.read_bytes(), 1)]}))
    assert section_audio(audio_dir) == {}


class ToneEngine:
    """A stand-in voice for the audio build: a tone per text, instantly (long enough that the
    loudness meter's 400 ms blocks measure joined pages as it measures speech)."""

    name, voice = "tone", "test"

    def synthesize(self, text: str, rate: float = 1.0) -> Speech:
        t = np.arange(int(1.5 * MP3_SAMPLE_RATE)) / MP3_SAMPLE_RATE
        return Speech((np.sin(2 * np.pi * 440 * t) * 2000).astype("<i2").tobytes(), MP3_SAMPLE_RATE)


def test_the_page_reads_what_the_real_audio_build_writes(tmp_path: Path) -> None:
    """The audio build's own manifest and pack, not a hand-made imitation."""
    assert MANIFEST_NAME == "manifest.json"
    assert set(PACK_NAMES) == {"guide.m3u", "feed.xml", "guide.zip", "cover.png"}
    out = tmp_path / "built"
    build(guide(), out, engine=ToneEngine())
    manifest = json.loads((out / "manifest.json").read_text())
    catalog = load_catalog(out)
    assert set(catalog.sections) == {s.id for s in guide().sections}
    assert catalog.whole is not None
    assert set(catalog.pack) == set(audio_pack.pack_names(None))
    client = create_app(verify=False, data_dir=tmp_path, audio_dir=out).test_client()
    html = client.get("/").text
    assert html.count("<audio") == len(guide().sections) + 1
    assert "not ready yet" not in html
    for record in manifest["files"]:  # pages too: Alexa's AudioPlayer may stream them from here
        response = client.head(f"/audio/{record['path']}")
        assert response.status_code == 200, record["path"]
        assert response.headers["Content-Length"] == str(record["bytes"])
    for name, content_type in (("guide.m3u", "audio/x-mpegurl"), ("feed.xml", "application/rss+xml"),
                               ("guide.zip", "application/zip"), ("cover.png", "image/png")):
        assert client.get(f"/audio/{name}").mimetype == content_type
    assert client.get("/audio/.build-state.json").status_code == 404
