"""The AudioPlayer playlist comes from the audio manifest and an HTTPS base URL."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from audio.manifest import OUTPUT_DIR
from content import guide
from skill.engine.playlist import load_playlist


def test_no_base_url_means_speech_only() -> None:
    assert load_playlist(None) is None


def test_plain_http_is_refused_because_alexa_streams_only_https() -> None:
    assert load_playlist("http://example.org/audio") is None


def test_every_section_gets_its_recording_in_guide_order() -> None:
    playlist = load_playlist("https://example.org/audio/")
    assert playlist is not None
    assert [t.section_id for t in playlist.tracks] == [s.id for s in guide().sections]
    assert all(t.url.startswith("https://example.org/audio/files/") for t in playlist.tracks)
    assert all(t.url.endswith(".mp3") for t in playlist.tracks)


def test_missing_section_audio_turns_playback_off(tmp_path: Path) -> None:
    shutil.copytree(OUTPUT_DIR / "files", tmp_path / "files")
    manifest = json.loads((OUTPUT_DIR / "manifest.json").read_text())
    manifest["files"] = [f for f in manifest["files"]
                         if not (f["kind"] == "section" and f["section"] == "causes")]
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    assert load_playlist("https://example.org/audio", tmp_path) is None


def test_the_web_app_plays_recordings_when_a_base_url_is_set(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from skill.web.app import create_app
    from tests.test_playback import envelope, intent

    monkeypatch.setenv("SPASM_GUIDE_AUDIO_BASE_URL", "https://example.org/audio")
    client = create_app(verify=False, data_dir=tmp_path).test_client()
    response = client.post("/alexa", json=envelope(intent("PlayAudioIntent"))).get_json()
    directive = response["response"]["directives"][0]
    assert directive["audioItem"]["stream"]["url"] == (
        "https://example.org/audio/files/01-overview.mp3")
