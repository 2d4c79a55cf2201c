"""Tests for audio.build and audio.pack: a real espeak-ng build of the real content.

espeak-ng voices the whole guide in about half a second, so one module-wide build
serves most tests; tests that change things work on a copy of it.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import io
import json
import shutil
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest
import requests

from audio import pack
from audio.build import cli, run
from audio.build.check import check_audio
from audio.build.hashes import STATE_NAME
from audio.build.report import BuildReport
from audio.build.run import BuildError, build
from audio.engines import Engine, EspeakEngine, choice
from audio.manifest import FILES_DIR, MANIFEST_NAME, OUTPUT_DIR, read_manifest
from audio.plan import Item, plan
from audio.sound import mp3
from content import Guide, guide, load_guide
from content.loader import CONTENT_DIR
from skill.config import PIPER_VOICE_ENV

ITUNES = "{http://www.itunes.com/dtds/podcast-1.0.dtd}"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, espeak: EspeakEngine
          ) -> tuple[Path, BuildReport]:
    """The real content built once with espeak-ng; treat it as read-only."""
    out = tmp_path_factory.mktemp("audio")
    return out, build(guide(), out, engine=espeak)


PUBLIC = "https://example.org/audio/"


@pytest.fixture(scope="module")
def published(built: tuple[Path, BuildReport], tmp_path_factory: pytest.TempPathFactory,
              espeak: EspeakEngine) -> Path:
    """A copy of the module build rebuilt with a base URL (only the pack changes); read-only."""
    out = tmp_path_factory.mktemp("published")
    shutil.copytree(built[0], out, dirs_exist_ok=True)
    build(guide(), out, engine=espeak, base_url=PUBLIC)
    return out


@pytest.fixture
def copy(built: tuple[Path, BuildReport], tmp_path: Path) -> Path:
    """A private copy of the module build, for tests that change or break it."""
    target = tmp_path / "audio"
    shutil.copytree(built[0], target)
    return target


def manifest_json(out: Path) -> dict:
    return json.loads((out / MANIFEST_NAME).read_text(encoding="utf-8"))


def edited(source: Guide, section_index: int, page_index: int, text: str) -> Guide:
    """The guide with one page's text replaced."""
    sections = list(source.sections)
    pages = list(sections[section_index].pages)
    pages[page_index] = text
    sections[section_index] = dataclasses.replace(sections[section_index], pages=tuple(pages))
    return dataclasses.replace(source, sections=tuple(sections))


def assert_manifest_true(out: Path) -> None:
    """Every file the manifest lists exists with the recorded size, hash and duration."""
    for entry in read_manifest(out).files:
        data = (out / entry.path).read_bytes()
        assert len(data) == entry.size, entry.path
        assert hashlib.sha256(data).hexdigest() == entry.sha256, entry.path
        assert mp3.inspect_mp3(data).duration_seconds == pytest.approx(
            entry.duration_seconds, abs=0.001)


# ------------------------------------------------------------------ layout, files


def test_plan_has_a_file_per_page_per_section_and_the_guide() -> None:
    items = plan(guide())
    pages = sum(len(section.pages) for section in guide().sections)
    kinds = [item.kind for item in items]
    assert kinds.count("page") == pages
    assert kinds.count("section") == len(guide().sections)
    assert kinds[-1] == "guide" and kinds.count("guide") == 1
    paths = [item.path for item in items]
    assert "files/01-overview-p1.mp3" in paths and "files/01-overview.mp3" in paths
    assert "files/05-get-help-p2.mp3" in paths and paths[-1] == "files/guide.mp3"
    assert len(set(paths)) == len(paths)


def test_spoken_text_uses_the_content_pronunciations() -> None:
    causes = next(item for item in plan(guide()) if item.path == "files/02-causes-p2.mp3")
    assert "pie ka" in causes.text and "ay ka" in causes.text
    assert "PICA" not in causes.text
    first = next(item for item in plan(guide()) if item.path == "files/01-overview-p1.mp3")
    assert first.text.startswith("What hemifacial spasm is. Hemifacial spasm is")


def test_every_file_is_playable_by_alexa_and_tagged(built: tuple[Path, BuildReport]) -> None:
    out, _ = built
    for entry in read_manifest(out).files:
        data = (out / entry.path).read_bytes()
        info = mp3.inspect_mp3(data)
        limit = float("inf") if entry.kind == "guide" else mp3.ALEXA_MAX_SECONDS
        assert mp3.alexa_problems(info, limit) == [], entry.path
        assert (info.version, info.layer, info.bitrate_kbps) == ("2", 3, 48)
        assert (info.sample_rate, info.channels, info.constant_bitrate) == (22050, 1, True)
        tags = mp3.read_tags(data)
        assert tags == {"title": entry.title, "album": "Facial Spasm Guide",
                        "track": entry.track, "language": "eng",
                        "content_hash": entry.text_sha256}


def test_manifest_is_complete_and_matches_the_files(built: tuple[Path, BuildReport]) -> None:
    out, report = built
    record = manifest_json(out)
    items = plan(guide())
    assert [entry["path"] for entry in record["files"]] == [item.path for item in items]
    for entry, item in zip(record["files"], items, strict=True):
        assert set(entry) == {"path", "kind", "section", "page", "title", "track",
                              "text_sha256", "engine", "voice", "duration_seconds", "bytes",
                              "sha256", "loudness_lufs", "true_peak_dbtp"}
        assert (entry["kind"], entry["section"], entry["page"]) == (
            item.kind, item.section, item.page)
        assert entry["text_sha256"] == hashlib.sha256(item.text.encode()).hexdigest()
        assert (entry["engine"], entry["voice"]) == ("espeak", "en-us")
    assert record["base_url"] is None
    assert set(record["pack"]["files"]) == {"guide.m3u", "guide.zip", "cover.png"}  # no base URL: no feed
    assert_manifest_true(out)
    assert sorted(report.built) == sorted(item.path for item in items)
    assert report.skipped == [] and report.pack_written
    assert check_audio(out) == []


def test_sections_and_guide_are_their_pages_joined(built: tuple[Path, BuildReport]) -> None:
    """Joined frames, not re-encoded: each page's frames appear verbatim, and it decodes."""
    out, _ = built
    entries = {entry.path: entry for entry in read_manifest(out).files}
    section = (out / "files/02-causes.mp3").read_bytes()
    pages = [f"files/02-causes-p{n}.mp3" for n in (1, 2)]
    for page in pages:
        assert mp3.strip_tags((out / page).read_bytes()) in section
    gap = mp3.inspect_mp3(run._silence(run.PAGE_GAP_SECONDS)).duration_seconds
    gaps = (len(pages) - 1) * gap
    expected = sum(entries[page].duration_seconds for page in pages) + gaps
    assert entries["files/02-causes.mp3"].duration_seconds == pytest.approx(expected, abs=0.01)
    decoded = mp3.decode_mp3(section)
    assert decoded.duration_seconds == pytest.approx(expected, abs=0.05)
    whole = entries["files/guide.mp3"].duration_seconds
    assert whole > sum(e.duration_seconds for e in entries.values() if e.kind == "section")


def test_build_refuses_audio_alexa_cannot_play(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, espeak: EspeakEngine
) -> None:
    monkeypatch.setitem(run.MAX_SECONDS, "page", 2.0)
    with pytest.raises(BuildError, match=r"01-overview-p1\.mp3: .* the limit is 2 s"):
        build(guide(), tmp_path, engine=espeak)
    assert not (tmp_path / MANIFEST_NAME).exists()  # nothing invalid was recorded
    assert not list(tmp_path.rglob("*.mp3"))


# ------------------------------------------------------------------- incremental


def test_second_run_builds_and_rewrites_nothing(copy: Path, espeak: EspeakEngine) -> None:
    """How fast that is, `make bench` measures (no-change rebuild); here: that nothing is done."""
    manifest_before = (copy / MANIFEST_NAME).stat().st_mtime_ns
    report = build(guide(), copy, engine=espeak)
    assert report.built == [] and report.removed == [] and not report.pack_written
    assert len(report.skipped) == len(plan(guide()))
    assert (copy / MANIFEST_NAME).stat().st_mtime_ns == manifest_before  # not even rewritten
    (copy / STATE_NAME).unlink()  # a fresh checkout: files are hashed once
    assert build(guide(), copy, engine=espeak).built == []


def test_changing_one_page_rebuilds_that_page_its_section_and_the_guide(
    copy: Path, tmp_path: Path, espeak: EspeakEngine
) -> None:
    content = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, content)
    yaml_file = content / "sections" / "2-causes.yaml"
    text = yaml_file.read_text(encoding="utf-8")
    yaml_file.write_text(text.replace("lowest part of the brain", "lowest part of the whole brain"),
                         encoding="utf-8")
    changed = load_guide(content)
    before = {e.path: e.sha256 for e in read_manifest(copy).files}

    report = build(changed, copy, engine=espeak)

    expected = {"files/02-causes-p2.mp3", "files/02-causes.mp3", "files/guide.mp3"}
    assert set(report.built) == expected
    assert report.pack_written  # the causes episode changed
    after = {e.path: e.sha256 for e in read_manifest(copy).files}
    assert {path for path in after if after[path] != before[path]} == expected
    assert check_audio(copy, guide=changed) == []
    stale = check_audio(copy)  # against the unchanged content, those files are stale
    assert any("02-causes-p2.mp3 is stale: its text changed" in line for line in stale)
    assert sum("stale" in line for line in stale) == len(expected) + len(pack.pack_names(None))


def test_engine_change_rebuilds_everything(copy: Path, espeak: EspeakEngine) -> None:
    other = EspeakEngine(voice="en-gb")
    report = build(guide(), copy, engine=other)
    assert len(report.built) == len(plan(guide()))
    assert {e.voice for e in read_manifest(copy).files} == {"en-gb"}


def test_removed_section_files_are_deleted(copy: Path, espeak: EspeakEngine) -> None:
    shorter = dataclasses.replace(guide(), sections=guide().sections[:-1])
    report = build(shorter, copy, engine=espeak)
    # Section track tags change (n/5 -> n/4), so sections are rebuilt; no page is.
    assert report.built == [*(f"files/0{n}-{s.id.replace('_', '-')}.mp3"
                              for n, s in enumerate(shorter.sections, start=1)),
                            "files/guide.mp3"]
    assert sorted(report.removed) == [
        "files/05-get-help-p1.mp3", "files/05-get-help-p2.mp3", "files/05-get-help.mp3"]
    assert not (copy / "files/05-get-help.mp3").exists()
    assert check_audio(copy, guide=shorter) == []


def test_interrupted_build_leaves_a_true_manifest(
    copy: Path, monkeypatch: pytest.MonkeyPatch, espeak: EspeakEngine
) -> None:
    changed = edited(edited(guide(), 0, 1, "Hemi means half."), 3, 0, "Treatment helps.")
    real = run._synthesize
    calls: list[str] = []

    def interrupted(engine: Engine, item: Item) -> run.Synthesized:
        calls.append(item.path)
        if len(calls) == 2:  # the second page to voice: the first is already written
            raise KeyboardInterrupt
        return real(engine, item)

    monkeypatch.setattr(run, "_synthesize", interrupted)
    with pytest.raises(KeyboardInterrupt):
        build(changed, copy, engine=espeak, jobs=1)

    assert_manifest_true(copy)
    assert not list(copy.rglob("*.tmp"))
    problems = check_audio(copy, guide=changed)
    assert problems and all("stale" in line for line in problems), problems
    monkeypatch.setattr(run, "_synthesize", real)
    report = build(changed, copy, engine=espeak)
    assert "files/01-overview-p2.mp3" not in report.built  # written before the interruption
    assert check_audio(copy, guide=changed) == []


def test_interrupted_write_keeps_old_file_and_manifest(
    copy: Path, monkeypatch: pytest.MonkeyPatch, espeak: EspeakEngine
) -> None:
    changed = edited(guide(), 2, 0, "The main symptom is twitching.")

    def failing_write(path: Path, data: bytes) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(run, "write_atomic", failing_write)
    with pytest.raises(OSError, match="No space"):
        build(changed, copy, engine=espeak)
    assert_manifest_true(copy)
    assert check_audio(copy) == []  # nothing changed on disk: still right for the old text


def test_leftover_temp_files_are_cleaned(copy: Path, espeak: EspeakEngine) -> None:
    leftover = copy / FILES_DIR / ".01-overview.mp3.0123456789ab.tmp"
    leftover.write_bytes(b"half a file")
    build(guide(), copy, engine=espeak)
    assert not leftover.exists()


# ------------------------------------------------------------------------- check


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"{not json", "invalid JSON at line 1"),
        (b"\xff\xfe\x00", "not UTF-8"),
        (b"[]", "not a JSON object"),
        (b'{"format": 99, "files": []}', "format is 99"),
        (b'{"format": 2, "files": [{"path": "files/x.mp3"}]}', "files[0] has no valid"),
    ],
)
def test_corrupt_manifest_is_one_clear_problem(
    copy: Path, content: bytes, expected: str
) -> None:
    (copy / MANIFEST_NAME).write_bytes(content)
    problems = check_audio(copy)
    assert len(problems) == 1
    assert "manifest.json is corrupt" in problems[0] and expected in problems[0]
    assert "spasm-guide build-audio" in problems[0]
    assert "Traceback" not in problems[0]


def test_missing_manifest_and_build_over_a_corrupt_one(copy: Path, espeak: EspeakEngine) -> None:
    (copy / MANIFEST_NAME).unlink()
    assert check_audio(copy) == [f"audio: {copy / MANIFEST_NAME} is missing: "
                                 "run spasm-guide build-audio"]
    (copy / MANIFEST_NAME).write_text("{}", encoding="utf-8")
    stream = io.StringIO()
    report = build(guide(), copy, engine=espeak, progress=stream)
    assert "rebuilding everything" in stream.getvalue()
    assert len(report.built) == len(plan(guide()))
    assert check_audio(copy) == []


def test_check_names_missing_changed_and_stray_files(copy: Path) -> None:
    (copy / "files/01-overview-p2.mp3").unlink()
    with (copy / "files/03-symptoms.mp3").open("ab") as handle:
        handle.write(b"\0")
    (copy / "files/99-extra.mp3").write_bytes(b"x")
    (copy / "guide.m3u").write_text("#EXTM3U\n", encoding="utf-8")
    problems = "\n".join(check_audio(copy))
    assert "files/01-overview-p2.mp3 is missing" in problems
    assert "files/03-symptoms.mp3 was changed after the build" in problems
    assert "files/99-extra.mp3 is not in the manifest" in problems
    assert "guide.m3u is missing or was changed after the build" in problems
    assert problems.count("\n") == 3


# -------------------------------------------------------------------------- pack


def test_playlist_lists_sections_with_durations(built: tuple[Path, BuildReport]) -> None:
    out, _ = built
    lines = (out / "guide.m3u").read_text(encoding="utf-8").splitlines()
    assert lines[:2] == ["#EXTM3U", "#PLAYLIST:Facial Spasm Guide"]
    sections = [e for e in read_manifest(out).files if e.kind == "section"]
    assert lines[3::2] == [e.path for e in sections]
    for info, entry in zip(lines[2::2], sections, strict=True):
        assert info == f"#EXTINF:{round(entry.duration_seconds)},Facial Spasm Guide - {entry.title}"
        assert (out / entry.path).is_file()


def test_without_a_base_url_no_feed_is_written(built: tuple[Path, BuildReport]) -> None:
    """A feed with relative links must not leave the server: the page makes one per request."""
    assert not (built[0] / "feed.xml").exists()


def test_feed_is_a_podcast_with_one_episode_per_section(published: Path) -> None:
    out = published
    channel = ET.parse(out / "feed.xml").getroot().find("channel")
    assert channel is not None and channel.findtext("title") == "Facial Spasm Guide"
    items = channel.findall("item")
    sections = [e for e in read_manifest(out).files if e.kind == "section"]
    assert len(items) == len(sections) == len(guide().sections)
    for item, entry, section in zip(items, sections, guide().sections, strict=True):
        enclosure = item.find("enclosure")
        assert enclosure is not None
        assert enclosure.attrib == {"url": PUBLIC + entry.path, "length": str(entry.size),
                                    "type": "audio/mpeg"}
        assert item.findtext("title") == section.title
        assert item.findtext("description") == pack.transcript(section)
        minutes, seconds = divmod(round(entry.duration_seconds), 60)
        assert item.findtext(f"{ITUNES}duration") == f"{minutes}:{seconds:02d}"
        assert item.findtext("guid")


def test_zip_holds_sections_and_transcripts_deterministically(
    built: tuple[Path, BuildReport],
) -> None:
    out, _ = built
    data = (out / "guide.zip").read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as bundle:
        assert bundle.testzip() is None
        names = bundle.namelist()
        assert names == sorted(names)
        assert all(info.date_time == (1980, 1, 1, 0, 0, 0) for info in bundle.infolist())
        sections = [e for e in read_manifest(out).files if e.kind == "section"]
        for entry, section in zip(sections, guide().sections, strict=True):
            name = f"facial-spasm-guide/{Path(entry.path).name}"
            assert bundle.read(name) == (out / entry.path).read_bytes()
            transcript = bundle.read(name.replace(".mp3", ".txt")).decode("utf-8")
            assert transcript == pack.transcript(section)
        assert b"01-overview.mp3" in bundle.read("facial-spasm-guide/guide.m3u")
    episodes = pack.episodes(guide(), plan(guide()),
                                     {e.path: e for e in read_manifest(out).files})
    assert pack.archive(guide(), episodes, out) == data  # same inputs, same bytes


def test_base_url_makes_links_absolute(copy: Path, espeak: EspeakEngine) -> None:
    report = build(guide(), copy, engine=espeak, base_url="https://example.org/guide")
    assert report.built == [] and report.pack_written
    assert manifest_json(copy)["base_url"] == "https://example.org/guide/"
    assert "https://example.org/guide/files/01-overview.mp3" in (
        copy / "guide.m3u").read_text(encoding="utf-8")
    enclosure = ET.parse(copy / "feed.xml").getroot().find("channel/item/enclosure")
    assert enclosure is not None
    assert enclosure.attrib["url"] == "https://example.org/guide/files/01-overview.mp3"
    assert check_audio(copy) == []
    build(guide(), copy, engine=espeak)  # back to relative links, and no feed to publish
    assert manifest_json(copy)["base_url"] is None
    assert "\nfiles/01-overview.mp3\n" in (copy / "guide.m3u").read_text(encoding="utf-8")
    assert not (copy / "feed.xml").exists()


# -------------------------------------------------------------------------- gTTS


def test_gtts_build_reencodes_google_audio(
    fake_google: tuple[bytes, list[requests.PreparedRequest]], tmp_path: Path
) -> None:
    """gTTS's 32 kbps, 24 kHz MP3 is decoded (miniaudio) and re-encoded for Alexa."""
    _, sent = fake_google
    small = dataclasses.replace(guide(), sections=guide().sections[3:4])
    report = build(small, tmp_path, engine="gtts", jobs=2)
    pages = len(small.sections[0].pages)
    assert len(sent) > pages  # gTTS asks per ~100 characters; all went to the fake
    assert len(report.built) == pages + 2
    for entry in read_manifest(tmp_path).files:
        info = mp3.inspect_mp3((tmp_path / entry.path).read_bytes())
        assert (info.version, info.bitrate_kbps, info.sample_rate) == ("2", 48, 22050)
        assert (entry.engine, entry.voice) == ("gtts", "en/com")
    assert check_audio(tmp_path, guide=small) == []


# --------------------------------------------------------------------------- CLI


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="spasm-guide")
    cli.register(root.add_subparsers(dest="command"))
    return root


def test_help_explains_every_flag_with_its_default(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        parser().parse_args(["build-audio", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    for flag in ("--engine", "--jobs N", "--force", "--base-url URL", "--out DIR"):
        after = text.split(flag, 2)[-1]
        assert "(default:" in after.split("--", 1)[0], flag


def test_cli_builds_and_summarises(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], espeak: EspeakEngine
) -> None:
    args = parser().parse_args(["build-audio", "--engine", "espeak", "--out", str(tmp_path)])
    assert args.func(args) == 0
    summary = capsys.readouterr().err.strip().splitlines()[-1]
    assert summary.startswith(f"built {len(plan(guide()))}, skipped 0")
    assert "real-time factor" in summary and "engine espeak, voice en-us" in summary
    assert check_audio(tmp_path) == []


def test_cli_auto_says_which_engine(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
    espeak: EspeakEngine,
) -> None:
    monkeypatch.setattr(cli, "get_engine", lambda name, settings: espeak)
    monkeypatch.setattr(run, "build", lambda **_: BuildReport("espeak", "en-us"))
    args = parser().parse_args(["build-audio", "--out", str(tmp_path)])
    assert args.func(args) == 0
    assert "engine: auto chose espeak (voice en-us)" in capsys.readouterr().err


def test_cli_auto_warns_when_the_piper_voice_variable_is_unusable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
    espeak: EspeakEngine,
) -> None:
    monkeypatch.setenv(PIPER_VOICE_ENV, "/nope.onnx")
    monkeypatch.setattr(cli, "get_engine", lambda name, settings: espeak)
    monkeypatch.setattr(run, "build", lambda **_: BuildReport("espeak", "en-us"))
    args = parser().parse_args(["build-audio", "--out", str(tmp_path)])
    assert args.func(args) == 0
    warnings = [line for line in capsys.readouterr().err.splitlines() if "warning" in line]
    assert len(warnings) == 1
    assert "SPASM_GUIDE_PIPER_VOICE=/nope.onnx" in warnings[0]
    assert warnings[0].endswith("using espeak instead")


def test_cli_gtts_offline_exits_2_before_building(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], no_network: list[object]
) -> None:
    args = parser().parse_args(["build-audio", "--engine", "gtts", "--out", str(tmp_path / "x")])
    assert args.func(args) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "SPASM_GUIDE_OFFLINE is set" in error
    assert not (tmp_path / "x").exists() and no_network == []


def test_cli_jobs_must_be_a_whole_number(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        parser().parse_args(["build-audio", "--jobs", "x"])
    error = capsys.readouterr().err.strip().splitlines()[-1]
    assert error.endswith("argument --jobs: must be a whole number of 1 or more, not 'x'")


def test_cli_without_engines_exits_2_with_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(choice, "usable_piper_model", lambda _chosen: None)
    monkeypatch.setattr(choice.shutil, "which", lambda _name: None)
    args = parser().parse_args(["build-audio", "--out", str(tmp_path)])
    assert args.func(args) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "No text-to-speech engine available" in error


def test_cli_reports_a_failed_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
    espeak: EspeakEngine,
) -> None:
    monkeypatch.setitem(run.MAX_SECONDS, "section", 1.0)
    args = parser().parse_args(["build-audio", "--engine", "espeak", "--out", str(tmp_path)])
    assert args.func(args) == 1
    assert "01-overview.mp3:" in capsys.readouterr().err


def test_cli_rejects_a_relative_base_url(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        parser().parse_args(["build-audio", "--base-url", "audio/"])
    assert "base URL must be absolute" in capsys.readouterr().err


# --------------------------------------------------------------- committed audio


def test_committed_audio_is_current_for_the_committed_content() -> None:
    """What `spasm-guide check` relies on: rebuild with build-audio after editing content."""
    assert check_audio() == []
    engines_used = {(e.engine, e.voice) for e in read_manifest(OUTPUT_DIR).files}
    assert engines_used == {("flite", "slt")}  # the voice audio/LICENSES.md clears for publishing
