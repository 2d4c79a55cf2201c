"""`spasm-guide listen`: offline recognition with the guide's grammar, spoken replies.

Utterances are synthesised offline (espeak-ng and Piper), recognised with
PocketSphinx and resolved; replies go through the conversation engine and come
back as WAV files. Piper speaks steadily here (without its random variation), and
the recognizer's noise normalisation starts afresh in every test, so a test hears
the same thing on every run and in any order.
"""

from __future__ import annotations

import io
import sys
import types
import wave
from pathlib import Path

import numpy as np
import pytest

from audio.engines import PiperEngine, Speech
from audio.manifest import FILES_DIR, OUTPUT_DIR
from audio.sound.mp3 import decode_mp3
from content import guide
from skill import cli
from skill.engine.reply import Reply
from skill.understanding.grammar import Grammar, build_grammar, phrases
from skill.understanding.lexicon import PRONUNCIATIONS
from skill.understanding.own_words import ANSWER, outcome_of
from skill.understanding.recognition import KEYWORD_THRESHOLD, REJECT_WEIGHT, Recognizer
from skill.understanding.resolver import FALLBACK, resolver
from skill.understanding.sound import SAMPLE_RATE, to_model_rate
from skill.voice.cli import DEFAULT_KEYWORD, INSTALL_HINT, NO_DEVICE, RECOGNITION_HINT
from skill.voice.devices import Microphone, commands_after_keyword, earcon, live_blocks
from skill.voice.session import (
    PUSH_TO_TALK_INSTRUCTIONS,
    ReplySynthesizer,
    SpokenConversation,
    hands_free_instructions,
)
from skill.voice.wav import STREAM_SECONDS, UTTERANCE_SECONDS, read_wav, read_wavs, write_wav

pytest.importorskip("pocketsphinx")

COMMANDS = ("what causes it", "next", "where am I", "slower", "list the sections", "section three",
            "the second section", "what does brainstem mean", "stop")


@pytest.fixture(scope="module")
def shared_recognizer() -> Recognizer:
    return Recognizer()  # about 0.3 s to build: once per module


@pytest.fixture
def recognizer(shared_recognizer: Recognizer) -> Recognizer:
    """The module's recognizer with its feature normalisation reset: live CMN learns from
    each utterance, so without this what one test hears would depend on the tests before."""
    shared_recognizer.reset()
    return shared_recognizer


@pytest.fixture(scope="module")
def piper(steady_piper: PiperEngine) -> PiperEngine:
    """Piper, steady: the recognition tests hear the same audio on every run."""
    return steady_piper


def at_model_rate(engine, text: str, rate: float = 1.0) -> np.ndarray:
    """``text`` spoken by ``engine``, as 16 kHz samples: what the microphone would give."""
    speech = engine.synthesize(text, rate)
    return to_model_rate(speech.samples, speech.sample_rate)


def heard(recognizer: Recognizer, engine, text: str, rate: float = 1.0):
    """What the recognizer makes of ``text`` spoken by ``engine``, and what it should be."""
    speech = engine.synthesize(text, rate)
    return recognizer.recognise(speech.samples, speech.sample_rate), resolver().resolve(text)


# ------------------------------------------------------------------------ grammar


def test_grammar_holds_only_what_the_resolver_understands() -> None:
    every = phrases()
    assert "what causes it" in every and "section three" in every
    assert "what does brainstem mean" in every and "tell me about the treatment" in every
    assert all(resolver().resolve(phrase).intent != FALLBACK for phrase in every)


def test_words_missing_from_the_dictionary_get_pronunciations(recognizer: Recognizer) -> None:
    words = {word for phrase in phrases() for word in phrase.split()}
    missing = sorted(w for w in words if recognizer.decoder.lookup_word(w) is None)
    # Only phrases with digits ("cranial nerve 7") are left out, and they are logged.
    assert all(any(ch.isdigit() for ch in word) for word in missing), missing
    for word in ("hemifacial", "botox", "pica", "aica", "anticonvulsant", "brainstem"):
        assert recognizer.decoder.lookup_word(word), word
        assert word in PRONUNCIATIONS
    assert all(any(ch.isdigit() for ch in phrase) for phrase in recognizer.dropped)


def test_the_grammar_says_every_sayable_phrase_once_each_shared_part_once() -> None:
    grammar, dropped = build_grammar(resolver())
    assert dropped == []  # nothing is dropped when no dictionary is given
    assert grammar.phrases == set(phrases())
    # Shared beginnings and endings are one state: far fewer than the phrases' words.
    assert grammar.states * 4 < sum(len(phrase.split()) for phrase in grammar.phrases)
    assert sum(1 for move in grammar.transitions
               if move[0] == grammar.start and move[3:] == ("what",)) == 1


def test_the_grammar_accepts_its_phrases_and_nothing_else() -> None:
    grammar, _ = build_grammar(resolver())
    assert walk(grammar) == grammar.phrases


def walk(grammar: Grammar) -> set[str]:
    """Every phrase from the start to the final state (the grammar has no loops)."""
    moves: dict[int, list[tuple]] = {}
    for move in grammar.transitions:
        moves.setdefault(move[0], []).append(move)

    def endings(state: int) -> set[tuple[str, ...]]:
        found = {()} if state == grammar.final else set()
        return found | {tuple(move[3:]) + rest for move in moves.get(state, ())
                        for rest in endings(move[1])}

    return {" ".join(words) for words in endings(grammar.start)}


# -------------------------------------------------------------------- recognition


@pytest.mark.parametrize("rate", [1.0, 0.9])
@pytest.mark.parametrize("text", COMMANDS)
@pytest.mark.parametrize("voice", ["espeak", "piper"])
def test_commands_are_recognised(recognizer: Recognizer, request: pytest.FixtureRequest,
                                 voice: str, text: str, rate: float) -> None:
    """Acted on as said: the same answer or move, whichever pass heard it ("what does brain
    stem mean" from the open pass is the same question as the grammar's "brainstem")."""
    engine = request.getfixturevalue(voice)  # the module's espeak-ng or steady Piper
    recognition, expected = heard(recognizer, engine, text, rate)
    assert recognition.understanding is not None, (recognition.raw, recognition.open_text)
    assert recognition.understanding.band == ANSWER
    assert outcome_of(recognition.resolution) == outcome_of(expected), (recognition.raw,
                                                                        recognition.open_text)


def test_a_section_number_comes_through_in_its_slot(recognizer: Recognizer, piper) -> None:
    recognition, _ = heard(recognizer, piper, "section three")
    assert recognition.resolution.intent == "SectionNumberIntent"
    assert recognition.resolution.slots["number"].resolved == "3"


def test_a_glossary_word_comes_through_in_its_slot(recognizer: Recognizer, piper) -> None:
    recognition, _ = heard(recognizer, piper, "what does brainstem mean")
    assert recognition.resolution.slots["term"].resolved == "brainstem"


def test_silence_and_noise_are_not_understood(recognizer: Recognizer, conversation) -> None:
    silence = np.zeros(SAMPLE_RATE, dtype=np.int16)
    assert not recognizer.recognise(silence).understood
    click = np.zeros(SAMPLE_RATE, dtype=np.int16)
    click[8000:8400] = 20000
    assert recognizer.recognise(click).resolution.intent == FALLBACK

def test_what_is_not_caught_is_said_and_changes_nothing(recognizer: Recognizer, conversation) -> None:
    """Silence never reaches the skill: the listener hears so, and the saved place, the
    speed and the open question stay as they were."""
    out = io.StringIO()
    session = SpokenConversation(conversation, recognizer, ReplySynthesizer(FakeEngine()), out=out)
    session.start()
    for text in ("slower", "what causes it"):
        session.respond(recognizer.decide(recognizer.judge(text), text))
    before = dict(conversation.session or {})
    turn = session.hear(np.zeros(SAMPLE_RATE, dtype=np.int16))
    assert "you: (not caught)" in out.getvalue()
    assert turn.text == guide().message("not_caught")
    assert 'rate="85%"' in turn.ssml  # said at the listener's speed
    assert conversation.session == before


def test_only_whole_phrases_count(recognizer: Recognizer) -> None:
    assert recognizer.judge("what causes it").understood
    assert not recognizer.judge("what are").understood  # a partial path through the grammar
    assert not recognizer.judge("tell me about the weather").understood  # slot matched nothing
    assert not recognizer.judge("gb_w gb_eh gb_dh").understood  # the garbage loop won


def test_garbage_model_for_hands_free(piper) -> None:
    rejecting = Recognizer(reject=REJECT_WEIGHT)
    assert rejecting.grammar.garbage
    recognition, expected = heard(rejecting, piper, "what causes it")
    assert recognition.resolution == expected, recognition.raw


def test_resampling_keeps_length_and_pitch() -> None:
    t = np.arange(22050) / 22050
    tone = (8000 * np.sin(2 * np.pi * 440 * t)).astype(np.int16)
    resampled = to_model_rate(tone.tobytes(), 22050)
    assert resampled.dtype == np.int16 and abs(resampled.size - SAMPLE_RATE) <= 1
    spectrum = np.abs(np.fft.rfft(resampled.astype(float)))
    assert abs(np.argmax(spectrum) * SAMPLE_RATE / resampled.size - 440) < 3


# ---------------------------------------------------------------------- speech out


class FakeEngine:
    name, voice = "fake", "fake"

    def __init__(self) -> None:
        self.calls: list[tuple[str, float]] = []

    def synthesize(self, text: str, rate: float = 1.0) -> Speech:
        self.calls.append((text, rate))
        return Speech(samples=b"\x01\x00" * 160, sample_rate=SAMPLE_RATE)


def test_slower_reaches_the_voice(conversation) -> None:
    engine = FakeEngine()
    voice = ReplySynthesizer(engine)
    conversation.launch()
    turn = conversation.say("slower")
    assert 'rate="85%"' in turn.ssml
    voice.whole(turn)
    list(voice.by_sentence(turn))
    assert {rate for _, rate in engine.calls} == {0.85}
    assert voice.whole(Reply()) is None


def test_earcon_is_a_short_beep() -> None:
    beep = earcon(880.0)
    assert beep.dtype == np.int16 and 0.05 < beep.size / SAMPLE_RATE < 0.3
    assert np.abs(beep).max() > 5000 and abs(int(beep[0])) < 500


# ---------------------------------------------------------------- the command line


def test_listen_files_end_to_end(tmp_path: Path, piper, capsys: pytest.CaptureFixture[str]) -> None:
    inputs = tmp_path / "in"
    said = ("what causes it", "slower", "list the sections", "stop")
    for number, text in enumerate(said):
        speech = piper.synthesize(text)
        write_wav(inputs / f"{number:02d}.wav", speech.samples, speech.sample_rate)
    out = tmp_path / "out"
    code = cli.main(["listen", "--input", str(inputs), "--output", str(out),
                     "--data-dir", str(tmp_path / "data"), "--voice", "piper"])
    assert code == 0
    transcript = capsys.readouterr().out
    lines = transcript.splitlines()
    assert lines[0].startswith("guide: Welcome")
    assert sum(line.startswith("you: ") for line in lines) == len(said)
    assert "caused by pressure on the facial nerve" in transcript
    replies = sorted(out.glob("reply-*.wav"))
    assert [p.name for p in replies] == [f"reply-{n:02d}.wav" for n in range(len(said) + 1)]
    for reply in replies:
        samples, rate = read_wav(reply)
        assert rate > 0 and samples.size > rate // 4 and np.abs(samples).max() > 1000


@pytest.fixture
def question(tmp_path: Path, espeak) -> Path:
    """A .wav of one spoken question, as `listen --input` takes it."""
    speech = espeak.synthesize("what causes it")
    path = tmp_path / "question.wav"
    write_wav(path, speech.samples, speech.sample_rate)
    return path


def refused_before_the_welcome(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    """Run listen expecting exit 2 with nothing said: its one line of stderr."""
    assert cli.main(["listen", *argv]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.count("\n") == 1 and "Traceback" not in err, err
    return err


def test_an_output_that_is_a_file_is_refused_and_left_alone(
        question: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    taken = tmp_path / "replies"
    taken.write_text("mine\n", encoding="utf-8")
    data = tmp_path / "data"
    err = refused_before_the_welcome(["--input", str(question), "--output", str(taken),
                                      "--data-dir", str(data)], capsys)
    assert f"--output {taken} is a file, not a folder" in err
    assert taken.read_text(encoding="utf-8") == "mine\n" and not data.exists()


def test_an_input_that_is_not_a_wav_is_refused_before_the_welcome(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = tmp_path / "notes.md"
    text.write_text("# not audio\n", encoding="utf-8")
    err = refused_before_the_welcome(["--input", str(text), "--data-dir", str(tmp_path / "d")],
                                     capsys)
    assert f"cannot read audio: {text}:" in err


def test_a_data_dir_that_is_a_file_is_refused_before_the_welcome(
        question: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    err = refused_before_the_welcome(["--input", str(question), "--data-dir", str(question)],
                                     capsys)
    assert "cannot keep saved places in" in err and "it is a file, not a folder" in err


@pytest.mark.parametrize("value", ["0", "-1", "inf", "nan", "often"])
def test_keyword_threshold_must_be_above_zero(value: str,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        cli.main(["listen", "--hands-free", "--keyword-threshold", value])
    assert stopped.value.code == 2
    error = capsys.readouterr().err.strip().splitlines()[-1]
    assert error.endswith(f"--keyword-threshold: must be a number above 0, e.g. 1e-15, not {value!r}")


@pytest.mark.parametrize("value", ["", "  "])
def test_a_blank_keyword_is_refused(value: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        cli.main(["listen", "--hands-free", "--keyword", value])
    assert stopped.value.code == 2
    assert capsys.readouterr().err.strip().splitlines()[-1].endswith(
        '--keyword: must be one or more words, e.g. "hey guide"')


def test_an_unusable_piper_voice_is_named_when_espeak_answers(
        question: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("SPASM_GUIDE_PIPER_VOICE", str(tmp_path / "nope.onnx"))
    assert cli.main(["listen", "--input", str(question), "--data-dir", str(tmp_path / "d")]) == 0
    out, err = capsys.readouterr()
    assert out.startswith("guide: Welcome")
    assert err == (f"spasm-guide listen: warning: SPASM_GUIDE_PIPER_VOICE={tmp_path / 'nope.onnx'}: "
                   "no Piper voice there (NAME.onnx with NAME.onnx.json beside it), or piper-tts "
                   "is not installed; using espeak instead\n")


def test_default_keyword_is_in_the_dictionary_and_the_cli(
        capsys: pytest.CaptureFixture[str]) -> None:
    words = DEFAULT_KEYWORD.split()
    assert len(words) >= 2  # "guide" alone woke falsely 19-22 times in 2.6 min of the guide
    recognizer = Recognizer(keyword=DEFAULT_KEYWORD)  # raises for a word it cannot say
    assert recognizer.keyword == DEFAULT_KEYWORD
    assert all(recognizer.decoder.lookup_word(word) for word in words)
    with pytest.raises(ValueError, match="not in the dictionary: hemifacialx"):
        Recognizer(keyword="hey hemifacialx")
    with pytest.raises(SystemExit):
        cli.main(["listen", "--help"])
    shown = " ".join(capsys.readouterr().out.split())  # the help's own default, %(default)s
    assert f'(default: "{DEFAULT_KEYWORD}";' in shown
    assert f"default {KEYWORD_THRESHOLD:g}, measured for \"{DEFAULT_KEYWORD}\"" in shown


def test_instructions_say_the_keyword() -> None:
    said = hands_free_instructions(DEFAULT_KEYWORD)
    assert said.startswith(f'Say "{DEFAULT_KEYWORD}", wait for the beep')


def test_default_keyword_sleeps_through_the_guide_read_aloud() -> None:
    """The committed recordings of two sections (64 s, Piper) never say the keyword.

    Measured: "guide" woke 8 times on them, "hey guide" never (bench/voice.py
    measures all five sections).
    """
    audio = OUTPUT_DIR / FILES_DIR
    talk = np.concatenate([to_model_rate(s.samples, s.sample_rate) for s in (
        decode_mp3((audio / name).read_bytes())
        for name in ("01-overview.mp3", "03-symptoms.mp3"))]).tobytes()

    def wakes(keyword: str) -> int:
        woke: list[bool] = []
        list(commands_after_keyword(live_blocks(talk), Recognizer(keyword=keyword),
                                    lambda: woke.append(True)))
        return len(woke)

    assert wakes("guide") >= 4  # this talk does wake a one-word keyword...
    assert wakes(DEFAULT_KEYWORD) == 0  # ...and not the default


def test_hands_free_keyword_then_command(piper) -> None:
    hiss = np.random.default_rng(1).normal(0, 30, SAMPLE_RATE).astype(np.int16)
    recognizer = Recognizer(keyword=DEFAULT_KEYWORD)
    woke: list[bool] = []
    stream = np.concatenate([hiss[:8000], at_model_rate(piper, DEFAULT_KEYWORD), hiss[:12800],
                             at_model_rate(piper, "what causes it"), hiss, hiss]).tobytes()
    commands = list(commands_after_keyword(live_blocks(stream), recognizer, lambda: woke.append(True)))
    assert woke and len(commands) == 1
    assert recognizer.recognise(commands[0]).resolution.intent == "ReadCausesIntent"


def test_hands_free_wake_without_a_command_is_ignored(piper) -> None:
    hiss = np.random.default_rng(2).normal(0, 30, 6 * SAMPLE_RATE).astype(np.int16)
    stream = np.concatenate([hiss[:8000], at_model_rate(piper, DEFAULT_KEYWORD), hiss]).tobytes()
    assert list(commands_after_keyword(live_blocks(stream), Recognizer(keyword=DEFAULT_KEYWORD))) == []


@pytest.mark.parametrize("rate", [1.0, 0.9])
def test_keyword_wakes_through_exact_digital_silence(piper, rate: float) -> None:
    """A microphone with noise suppression can gate quiet stretches to exact zeros.

    The keyword, with every 10 ms frame quieter than RMS 300 set to exact zero
    (inside the utterance too) and exact zeros around it instead of room hiss,
    still wakes the spotter fed in live blocks. Measured with the steady voice:
    it wakes at rates 0.8 to 1.2 gated up to RMS 1,000, so 300 has a margin.
    (espeak-ng's default voice wakes 0/8 in quiet with or without zeros, and with
    pocketsphinx's dither: its voice, not the silence; see KEYWORD_THRESHOLD.)
    """
    said = at_model_rate(piper, DEFAULT_KEYWORD, rate)
    frames = said[: said.size // 160 * 160].reshape(-1, 160)  # a view: zeroes said
    frames[np.sqrt(np.mean(frames.astype(np.float64) ** 2, axis=1)) < 300] = 0
    silence = np.zeros(SAMPLE_RATE, dtype=np.int16)
    stream = np.concatenate([silence[:8000], said, silence])
    assert np.mean(stream == 0) > 0.5  # mostly exact digital silence
    assert Recognizer(keyword=DEFAULT_KEYWORD).listen_for_keyword(live_blocks(stream.tobytes()))


class FakeSpeaker:
    def __init__(self) -> None:
        self.played: list[int] = []

    def play(self, samples, sample_rate: int) -> None:
        self.played.append(len(samples))


class FakeMicrophone:
    """Push-to-talk: each recording is the next utterance; hands-free: one stream."""

    def __init__(self, utterances: list[bytes]) -> None:
        self.utterances = utterances
        self.flushed = 0

    def start(self, longest: float = float("inf")) -> None: ...
    def stop(self) -> None: ...

    def flush(self) -> None:
        self.flushed += 1

    def recorded(self) -> bytes:
        return self.utterances.pop(0)

    def stream_16k(self):
        for utterance in self.utterances:
            yield from (utterance[i:i + 1600] for i in range(0, len(utterance), 1600))


def test_push_to_talk_with_fake_devices(monkeypatch: pytest.MonkeyPatch, recognizer: Recognizer,
                                        piper, conversation) -> None:
    said = [at_model_rate(piper, text).tobytes() for text in ("where am I", "stop")]
    presses = iter(["", "", "", ""])
    monkeypatch.setattr("builtins.input", lambda prompt="": next(presses))
    out, speaker = io.StringIO(), FakeSpeaker()
    engine = FakeEngine()
    session = SpokenConversation(conversation, recognizer, ReplySynthesizer(engine), out=out)
    assert session.run_push_to_talk(FakeMicrophone(said), speaker) == 0
    transcript = out.getvalue()
    assert "you: where am i" in transcript and "you: stop" in transcript
    beep = earcon(880.0).size
    assert speaker.played.count(beep) == 4  # start and stop, twice
    assert len(engine.calls) > 4  # replies spoken sentence by sentence
    assert not conversation.open


def test_push_to_talk_speaks_its_instructions_after_the_welcome(
        monkeypatch: pytest.MonkeyPatch, recognizer: Recognizer, conversation) -> None:
    monkeypatch.setattr("builtins.input", lambda prompt="": (_ for _ in ()).throw(EOFError))
    engine = FakeEngine()
    session = SpokenConversation(conversation, recognizer, ReplySynthesizer(engine), out=io.StringIO())
    assert session.run_push_to_talk(FakeMicrophone([]), FakeSpeaker()) == 0
    spoken = [text for text, _rate in engine.calls]
    assert spoken[-1] == PUSH_TO_TALK_INSTRUCTIONS
    assert any("Welcome" in text for text in spoken[:-1])


class InterruptedRecognizer:
    """Ctrl-C pressed while an utterance is being recognised."""

    keyword = None

    def recognise(self, samples, sample_rate: int = SAMPLE_RATE):
        raise KeyboardInterrupt


def test_ctrl_c_during_input_recognition_still_ends_the_session(conversation) -> None:
    session = SpokenConversation(conversation, InterruptedRecognizer(), ReplySynthesizer(FakeEngine()),
                                 out=io.StringIO())
    with pytest.raises(KeyboardInterrupt):  # cli.main turns it into exit 130
        session.run_files([(np.zeros(SAMPLE_RATE, dtype=np.int16), SAMPLE_RATE)])
    assert not conversation.open


class InterruptedSpeaker:
    """Ctrl-C pressed while the welcome is being spoken."""

    def play(self, samples, sample_rate: int) -> None:
        raise KeyboardInterrupt


def test_ctrl_c_during_the_welcome_still_ends_the_session(recognizer: Recognizer,
                                                          conversation) -> None:
    session = SpokenConversation(conversation, recognizer, ReplySynthesizer(FakeEngine()), out=io.StringIO())
    assert session.run_push_to_talk(FakeMicrophone([]), InterruptedSpeaker()) == 0
    assert not conversation.open


def test_hands_free_with_fake_devices(recognizer: Recognizer, piper, conversation) -> None:
    hiss = np.random.default_rng(4).normal(0, 30, SAMPLE_RATE).astype(np.int16)

    stream = np.concatenate([hiss[:8000], at_model_rate(piper, DEFAULT_KEYWORD), hiss[:12800],
                             at_model_rate(piper, "list the sections"), hiss, hiss]).tobytes()
    out, speaker, engine = io.StringIO(), FakeSpeaker(), FakeEngine()
    session = SpokenConversation(conversation, Recognizer(keyword=DEFAULT_KEYWORD),
                                 ReplySynthesizer(engine), out=out)
    assert session.run_hands_free(FakeMicrophone([stream]), speaker, DEFAULT_KEYWORD) == 0
    instructions = hands_free_instructions(DEFAULT_KEYWORD)
    assert out.getvalue().startswith(f"Listening. {instructions}")  # printed
    spoken = [text for text, _rate in engine.calls]
    assert instructions in spoken  # and said, after the welcome
    assert spoken.index(instructions) > spoken.index(next(t for t in spoken if "Welcome" in t))
    assert "you: list the sections" in out.getvalue()
    assert "The sections are" in out.getvalue()


def test_missing_sounddevice_says_what_to_install(monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setitem(sys.modules, "sounddevice", None)  # import fails
    assert cli.main(["listen"]) == 2
    error = capsys.readouterr().err
    assert error.strip() == INSTALL_HINT
    assert "pip install 'facial-spasm-guide[voice]'" in error and "libportaudio2" in error
    assert len(error.strip().splitlines()) == 1


def test_missing_device_says_no_device_not_what_to_install(monkeypatch: pytest.MonkeyPatch,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    fake = types.ModuleType("sounddevice")

    class PortAudioError(Exception):
        pass

    def query_devices(device=None, kind=None):
        raise PortAudioError("Error querying device -1")

    fake.PortAudioError, fake.query_devices = PortAudioError, query_devices
    monkeypatch.setitem(sys.modules, "sounddevice", fake)
    assert cli.main(["listen", "--hands-free"]) == 2
    assert capsys.readouterr().err.strip() == NO_DEVICE


def test_wav_reading_mixes_stereo(tmp_path: Path) -> None:
    path = tmp_path / "stereo.wav"
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(2)
        wav.setsampwidth(2)
        wav.setframerate(8000)
        wav.writeframes(np.array([100, 300] * 4, dtype=np.int16).tobytes())
    samples, rate = read_wav(path)
    assert rate == 8000 and samples.tolist() == [200] * 4


def wav_header(tag: int, bits: int, subformat: int | None = None) -> bytes:
    """A mono 16 kHz RIFF WAVE with a fmt chunk of this format and a short data chunk."""
    block = bits // 8
    fmt = (tag.to_bytes(2, "little") + (1).to_bytes(2, "little") + SAMPLE_RATE.to_bytes(4, "little")
           + (SAMPLE_RATE * block).to_bytes(4, "little") + block.to_bytes(2, "little")
           + bits.to_bytes(2, "little"))
    if subformat is not None:  # WAVE_FORMAT_EXTENSIBLE: valid bits, channel mask, GUID
        fmt += ((22).to_bytes(2, "little") + bits.to_bytes(2, "little") + (4).to_bytes(4, "little")
                + subformat.to_bytes(2, "little") + bytes.fromhex("000000001000800000aa00389b71"))
    data = np.array([100, -100, 200, -200], dtype=np.int16).tobytes()
    body = (b"WAVE" + b"fmt " + len(fmt).to_bytes(4, "little") + fmt
            + b"data" + len(data).to_bytes(4, "little") + data)
    return b"RIFF" + len(body).to_bytes(4, "little") + body


@pytest.mark.parametrize("content", [b"", b"just some notes\n"])
def test_a_file_that_is_not_a_wav_says_so(content: bytes, tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "text.wav"
    path.write_bytes(content)
    err = refused_before_the_welcome(["--input", str(path), "--data-dir", str(tmp_path / "d")],
                                     capsys)
    assert err.endswith(f"cannot read audio: {path}: not a WAV file\n")


def test_a_float_wav_is_named_with_what_to_do(tmp_path: Path) -> None:
    path = tmp_path / "float.wav"
    path.write_bytes(wav_header(3, 32))
    with pytest.raises(ValueError, match=r"^32-bit float WAV: save it as 16-bit PCM$"):
        read_wav(path)


def test_extensible_16_bit_pcm_is_read(tmp_path: Path) -> None:
    path = tmp_path / "extensible.wav"
    path.write_bytes(wav_header(0xFFFE, 16, subformat=1))
    samples, rate = read_wav(path)
    assert rate == SAMPLE_RATE and samples.tolist() == [100, -100, 200, -200]


def test_an_input_longer_than_an_utterance_is_refused(tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "long.wav"
    write_wav(path, bytes(2 * 8000 * 31), 8000)
    err = refused_before_the_welcome(["--input", str(path), "--data-dir", str(tmp_path / "d")],
                                     capsys)
    assert err.endswith(f"{path}: 31 s long; it can be at most 30 s\n")


def test_a_hands_free_input_is_a_stream_and_may_run_longer(tmp_path: Path) -> None:
    path = tmp_path / "session.wav"
    write_wav(path, bytes(2 * 8000 * 31), 8000)
    assert len(read_wavs([path], STREAM_SECONDS)) == 1


class FakeSoundDevice:
    """A 16 kHz input whose stream only records what the test feeds the callback."""

    def check_input_settings(self, **settings) -> None: ...

    def RawInputStream(self, **settings):  # sounddevice's name
        return types.SimpleNamespace(start=lambda: None, stop=lambda: None, close=lambda: None)


def test_push_to_talk_recording_stops_at_the_utterance_limit() -> None:
    microphone = Microphone(FakeSoundDevice())
    microphone.start(UTTERANCE_SECONDS)
    second = bytes(2 * SAMPLE_RATE)
    for _ in range(round(UTTERANCE_SECONDS) + 5):
        microphone._callback(second, SAMPLE_RATE, None, None)
    assert len(microphone.recorded()) == len(second) * round(UTTERANCE_SECONDS)


def test_an_earlier_runs_replies_are_removed_and_nothing_else(
        question: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    out.mkdir()
    for name in ("reply-07.wav", "reply-11.wav", "reply-notes.wav", "mine.wav"):
        (out / name).write_bytes(b"old")
    assert cli.main(["listen", "--input", str(question), "--output", str(out),
                     "--data-dir", str(tmp_path / "d"), "--voice", "espeak"]) == 0
    assert sorted(p.name for p in out.iterdir()) == [
        "mine.wav", "reply-00.wav", "reply-01.wav", "reply-notes.wav"]


def test_input_without_the_voice_extra_says_what_to_install(
        question: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    # numpy or PocketSphinx missing
    monkeypatch.setitem(sys.modules, "skill.understanding.recognition", None)
    err = refused_before_the_welcome(["--input", str(question), "--data-dir", str(tmp_path / "d")],
                                     capsys)
    assert err.strip() == RECOGNITION_HINT
