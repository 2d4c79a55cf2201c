"""Offline speech recognition: hear what was said, and do not act on what was not.

Every utterance goes to PocketSphinx, in up to three passes, and they are weighed:

- the grammar pass: a JSGF grammar generated from the resolver's own phrases
  (every literal sample, Alexa's built-in phrases, every slot sample with each
  slot value and synonym; the condition named as "it" or "hemifacial spasm" only);
- the phone loop: any string of English phones, the best the sound can be fitted,
  against which the grammar's phrase is measured (:func:`fit`): a phrase forced
  onto speech that is no phrase fits it worse;
- the open pass: a language model of the guide's own sentences, generated from the
  content at start-up and mixed with common English (skill/understanding/
  language_model.py), whose text goes through the same tolerant resolver as typed
  chat (skill/understanding/own_words.py), with its three bands.

:meth:`Recognizer.decide` keeps a short phrase (a command) and a phrase that fits
well; otherwise the open pass's answer; then a phrase that fits passably; then the
open pass's "did you mean". When none is usable the utterance is not caught: the
listener hears so and nothing in the conversation changes (skill/voice/).
bench/voice.py measures it; tests/eval/spoken_dev.yaml is what it was tuned on.

Words the bundled dictionary lacks get a pronunciation from
:data:`PRONUNCIATIONS`; phrases with any other unknown word are left out of the
grammar and the language model (and logged), because PocketSphinx refuses a grammar
with unknown words.
"""

from __future__ import annotations

import dataclasses
import logging
import math
import os
import re
import sys
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from skill.understanding import RECOGNITION_SAMPLE_RATE, language_model
from skill.understanding.own_words import (
    ANSWER,
    CONFIRM,
    Understander,
    Understanding,
    understander,
)
from skill.understanding.resolver import FALLBACK, Resolution, Resolver, resolver

log = logging.getLogger(__name__)

SAMPLE_RATE = RECOGNITION_SAMPLE_RATE

NUMBERS = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")
ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth",
            "tenth")
SPOKEN_NUMBERS = {"AMAZON.NUMBER": NUMBERS, "AMAZON.Ordinal": ORDINALS}
GRAMMAR_SEARCH, KEYWORD_SEARCH, OPEN_SEARCH_NAME = "guide", "keyword", "open"
# Faint noise added to every buffer. Synthetic speech has digital silence (exact
# zeros), which upsets PocketSphinx's log-energy features and cepstral mean;
# a microphone never gives exact zeros, and this level is far below its own hiss.
COMFORT_NOISE = 10.0
# Silence trimming: frames this far below the loudest (or under the floor) are quiet.
TRIM_RELATIVE, TRIM_FLOOR, TRIM_CEILING, TRIM_MARGIN = 10 ** (-50 / 20), 30.0, 300.0, 0.1
MIN_SPEECH = 0.1  # seconds; anything shorter is a click, not a word
# The acoustic model's phones, as one-phone "words" for the optional garbage loop.
PHONES = ("AA", "AE", "AH", "AO", "AW", "AY", "B", "CH", "D", "DH", "EH", "ER", "EY", "F", "G",
          "HH", "IH", "IY", "JH", "K", "L", "M", "N", "NG", "OW", "OY", "P", "R", "S", "SH", "T",
          "TH", "UH", "UW", "V", "W", "Y", "Z", "ZH")
GARBAGE_PREFIX = "gb_"
# Garbage weight for --hands-free: out-of-grammar speech is usually rejected and
# natural voices lose little; robotic espeak-ng loses a lot (see bench/voice.py).
REJECT_WEIGHT = 1e-10
# Keyword spotting threshold for --hands-free: lower wakes more easily (and falsely).
# Chosen for the default keyword, "hey guide" (bench/voice.py): at 1e-15 Piper's 8
# utterances with it woke it 8/8 quiet and 7-8/8 in noise, no false wakes in 2.6 min
# of the guide read aloud. 1e-12 and 1e-20 measure the same there; in a longer run
# (13.7 min of guide text and replies in four voices and speeds; Piper pitch-shifted
# 8 % and 15 %) 1e-20 woke falsely 2 times to 1e-15's once, and 1e-12 caught 13/20
# of a shifted voice to 1e-15's 17/20. The one word "guide" woke falsely 19-22 times
# in the 2.6 min even at 1e-15.
# espeak-ng's default voice does not wake it in quiet (0/8; 6-8/8 in noise at 10 dB SNR),
# and no setting here fixes that: its keyword scores about 1e-50 below the phone loop the
# spotter compares against (1e-50 woke 2-4/8 of it, and 21 times falsely in the 2.6 min);
# noise hurts the phone loop more than the keyword. Not the exact zeros in its audio:
# +-1 in place of them, cutting them, pocketsphinx's dither, batch CMN and comfort noise
# all left 0/8, and Piper gated to exact digital silence still woke 8/8.
KEYWORD_THRESHOLD = 1e-15
# The condition's names the grammar keeps; questions with its other names ("facial
# spasm", "the spasms", ...) are heard by the open pass. A grammar with all six names
# is about three times larger and took over a second a question (bench/voice.py).
GRAMMAR_SUBJECTS = ("it", "hemifacial spasm")
# The open pass: a language model of the guide's own sentences (skill/understanding/
# language_model.py) whose single words are mixed with the bundled model's GENERAL_WORDS
# commonest, at GENERAL_SHARE, so that other English can be heard as such. Its search
# is PocketSphinx's default beams in one pass (no flat-lexicon rescoring, no lattice).
GENERAL_WORDS, GENERAL_SHARE = 20_000, 0.05
OPEN_SEARCH = {"fwdflat": False, "bestpath": False}
# The grammar pass is one pass too: its acoustic scores are then comparable with the
# phone loop's, and no lattice is built.
GRAMMAR_OPTIONS = {"fwdflat": False, "bestpath": False}
# How well the grammar's phrase fits the sound, against the best any string of phones
# does (the phone loop): the mean per frame of speech of the natural log of PocketSphinx's
# segment acoustic scores, phrase minus phone loop (its scores are scaled, so these are
# small numbers); see :func:`fit`. A phrase forced onto speech it is not fits worse. A
# short phrase (fewer than SHORT_PHRASE words: a command) stands; a longer one at
# SURE_FIT or better; below that the open pass's answer wins when it has one, and the
# phrase is taken only down to FLOOR_FIT. Chosen on tests/eval/spoken_dev.yaml.
SURE_FIT, FLOOR_FIT, SHORT_PHRASE = -1.0e-3, -3.0e-3, 4

# ARPAbet for the guide's words that CMUdict lacks (the bundled dictionary).
PRONUNCIATIONS: dict[str, tuple[str, ...]] = {
    "hemifacial": ("HH EH M IY F EY SH AH L", "HH EH M AY F EY SH AH L"),
    "brainstem": ("B R EY N S T EH M",),
    "anticonvulsant": ("AE N T IY K AH N V AH L S AH N T", "AE N T AY K AH N V AH L S AH N T"),
    "anticonvulsants": ("AE N T IY K AH N V AH L S AH N T S", "AE N T AY K AH N V AH L S AH N T S"),
    "botulinum": ("B AA CH AH L AY N AH M",),
    "cerebellar": ("S EH R AH B EH L ER",),
    "microvascular": ("M AY K R OW V AE S K Y AH L ER", "M AY K R OW V AE S K Y UH L ER"),
    "aica": ("AY K AH",),
    "pica": ("P AY K AH",),
    "botox": ("B OW T AA K S", "B AA T AA K S"),
    "mvd": ("EH M V IY D IY",),
    "hemi": ("HH EH M IY",),
    "gp": ("JH IY P IY",),
    "blepharospasm": ("B L EH F ER OW S P AE Z AH M",),
    "paralyse": ("P EH R AH L AY Z",),
}


# ------------------------------------------------------------------------- phrases


@dataclass(frozen=True)
class Template:
    """One sample utterance: words, with slot types where a slot goes."""

    parts: tuple[tuple[str, str], ...]  # ("word", "tell me about") or ("slot", "SectionName")
    intent: str


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


def templates(understand: Resolver, leave_out: re.Pattern[str] | None = None) -> list[Template]:
    """Every sample the resolver knows, literal or with slots, in its own order; literal
    phrases that ``leave_out`` finds are left out."""
    found = [Template((("word", phrase),), intent) for phrase, intent in understand.literals.items()
             if leave_out is None or not leave_out.search(phrase)]
    for pattern in understand.patterns:
        pieces = pattern.regex.pattern.removeprefix("^").removesuffix("$").split("(.+?)")
        parts: list[tuple[str, str]] = []
        for index, piece in enumerate(pieces):
            words = " ".join(_unescape(piece).split())
            if words:
                parts.append(("word", words))
            if index < len(pattern.slots):
                parts.append(("slot", pattern.slots[index][1]))
        found.append(Template(tuple(parts), pattern.intent))
    return found


def slot_values(understand: Resolver, kind: str) -> list[str]:
    """What may fill a slot: every value and synonym, or the numbers (or ordinals) one to ten."""
    if kind in SPOKEN_NUMBERS:
        return list(SPOKEN_NUMBERS[kind])
    return sorted(understand.types.get(kind, {}))


def expand(template: Template, understand: Resolver) -> list[str]:
    """All the phrases a template stands for, with each slot value in turn."""
    phrases = [""]
    for kind, text in template.parts:
        options = [text] if kind == "word" else slot_values(understand, text)
        phrases = [f"{done} {option}".strip() for done in phrases for option in options]
    return phrases


def other_subjects() -> re.Pattern[str]:
    """The condition's names the grammar leaves to the open pass, as whole words."""
    from content import guide

    names = [name for name in guide().subjects if name not in GRAMMAR_SUBJECTS]
    return re.compile(r"\b(?:" + "|".join(re.escape(name) for name in names) + r")\b")


def phrases(understand: Resolver | None = None, leave_out: re.Pattern[str] | None = None,
            ) -> list[str]:
    """Every phrase the grammar can produce (before unknown words are dropped)."""
    understand = understand or resolver()
    seen: dict[str, None] = {}
    for template in templates(understand, leave_out):
        seen.update(dict.fromkeys(expand(template, understand)))
    return list(seen)


# ------------------------------------------------------------------------ grammar


def _token(word: str) -> str:
    # JSGF tokens may not contain its own operators; the guide's words never do.
    if re.search(r"[\s;=|*+<>()\[\]{}/\"]", word):
        raise ValueError(f"not a grammar token: {word!r}")
    return word


def build_grammar(understand: Resolver, known: set[str] | None = None,
                  garbage: float | None = None, leave_out: re.Pattern[str] | None = None,
                  ) -> tuple[str, list[str]]:
    """A JSGF grammar of everything the resolver understands, and what was left out.

    Phrases are written as a tree (shared beginnings said once: "what ( causes
    ( it | ... ) | is ... )"), which PocketSphinx searches several times faster
    than a flat list of alternatives. ``known`` is the set of words the
    recogniser can say; phrases or slot values with another word are dropped and
    returned so the caller can log them. With ``garbage`` (a weight such as 1e-10)
    the grammar also allows any string of single phones, so speech that is not a
    command can come out as garbage instead of the nearest command. Literal phrases
    that ``leave_out`` finds are not in it (and not reported as dropped).
    """
    def speakable(text: str) -> bool:
        return known is None or all(word in known for word in text.split())

    dropped: list[str] = []
    rules: dict[str, list[str]] = {}
    tree = _Node()
    for template in templates(understand, leave_out):
        tokens: list[str] | None = []
        for kind, text in template.parts:
            if kind == "word":
                if not speakable(text):
                    tokens = None
                    break
                tokens += [_token(word) for word in text.split()]
                continue
            rule = re.sub(r"\W", "_", text).lower()
            if rule not in rules:
                values = [value for value in slot_values(understand, text) if value]
                dropped += [f"{value} ({text})" for value in values if not speakable(value)]
                rules[rule] = [value for value in values if speakable(value)]
            if not rules[rule]:
                tokens = None
                break
            tokens.append(f"<{rule}>")
        if tokens:
            tree.add(tokens)
        else:
            dropped.append(" ".join(text if kind == "word" else "{" + text + "}"
                                    for kind, text in template.parts))
    lines = ["#JSGF V1.0;", "grammar guide;"]
    for name, values in rules.items():
        if values:
            rule_tree = _Node()
            for value in values:
                rule_tree.add([_token(word) for word in value.split()])
            lines.append(f"<{name}> = {rule_tree.render()};")
    if garbage:
        lines.append("<garbage> = " + " | ".join(GARBAGE_PREFIX + p.lower() for p in PHONES) + ";")
        lines.append(f"public <command> = /1/ ( {tree.render()} ) | /{garbage:g}/ <garbage>+;")
    else:
        lines.append(f"public <command> = {tree.render()};")
    return "\n".join(lines) + "\n", sorted(set(dropped))


class _Node:
    """A word tree: each path from the root to an ``end`` node is one phrase."""

    def __init__(self) -> None:
        self.children: dict[str, _Node] = {}
        self.end = False

    def add(self, tokens: list[str]) -> None:
        node = self
        for token in tokens:
            node = node.children.setdefault(token, _Node())
        node.end = True

    def render(self) -> str:
        alternatives = []
        for token, child in self.children.items():
            if not child.children:
                alternatives.append(token)
            elif child.end:
                alternatives.append(f"{token} [ {child.render()} ]")
            else:
                alternatives.append(f"{token} ( {child.render()} )")
        return " | ".join(alternatives)


# -------------------------------------------------------------------------- audio


def to_model_rate(samples: np.ndarray | bytes, sample_rate: int) -> np.ndarray:
    """16-bit mono at any rate -> int16 at 16 kHz, low-passed first when downsampling."""
    audio = np.frombuffer(samples, dtype=np.int16) if isinstance(samples, bytes | bytearray) \
        else np.asarray(samples)
    audio = audio.astype(np.float32).reshape(-1)
    if sample_rate != SAMPLE_RATE and audio.size:
        if sample_rate > SAMPLE_RATE:
            audio = np.convolve(audio, _lowpass(SAMPLE_RATE / 2 / sample_rate), mode="same")
        count = round(audio.size * SAMPLE_RATE / sample_rate)
        audio = np.interp(np.arange(count) * (sample_rate / SAMPLE_RATE),
                          np.arange(audio.size), audio)
    return np.clip(audio, -32768, 32767).astype(np.int16)


def _lowpass(cutoff: float, taps: int = 63) -> np.ndarray:
    """Windowed-sinc low-pass filter; ``cutoff`` as a fraction of the input rate."""
    n = np.arange(taps) - (taps - 1) / 2
    kernel = 2 * cutoff * 0.92 * np.sinc(2 * cutoff * 0.92 * n) * np.hamming(taps)
    return (kernel / kernel.sum()).astype(np.float32)


def _loud_frames(audio: np.ndarray) -> np.ndarray:
    """Indexes of the 10 ms frames loud enough to be speech (16 kHz audio)."""
    frame = SAMPLE_RATE // 100
    count = audio.size // frame
    if count == 0:
        return np.zeros(0, dtype=int)
    energy = np.sqrt(np.mean(audio[: count * frame].astype(np.float32).reshape(count, frame) ** 2,
                             axis=1))
    threshold = min(max(energy.max() * TRIM_RELATIVE, TRIM_FLOOR), TRIM_CEILING)
    return np.flatnonzero(energy >= threshold)


def trim_silence(audio: np.ndarray, margin: float | None = None) -> np.ndarray:
    """Cut the quiet before and after speech (16 kHz), keeping a short margin.

    The acoustic model scores long stretches of very quiet audio poorly, and a
    push-to-talk recording starts and ends with whatever the room sounded like.
    """
    loud = _loud_frames(audio)
    if loud.size == 0:
        return audio[:0]
    frame = SAMPLE_RATE // 100
    keep = round((TRIM_MARGIN if margin is None else margin) * SAMPLE_RATE)
    return audio[max(loud[0] * frame - keep, 0): min((loud[-1] + 1) * frame + keep, audio.size)]


def speech_seconds(audio: np.ndarray) -> float:
    """How much of the audio (16 kHz) is loud enough to be speech."""
    return _loud_frames(audio).size / 100


def with_comfort_noise(audio: np.ndarray, seed: int = 0) -> bytes:
    noise = np.random.default_rng(seed).normal(0.0, COMFORT_NOISE, audio.size)
    return np.clip(audio.astype(np.float32) + noise, -32768, 32767).astype(np.int16).tobytes()


# --------------------------------------------------------------------- recogniser


def _add_pronunciations(decoder: Any, garbage: bool = False) -> list[str]:
    """The guide's words the dictionary lacks (and their other pronunciations), and with
    ``garbage`` the one-phone words of the garbage loop; returns the words added."""
    entries = [(GARBAGE_PREFIX + phone.lower(), phone) for phone in PHONES] if garbage else []
    added = []
    for word, variants in PRONUNCIATIONS.items():
        known = decoder.lookup_word(word)
        fresh = [phones for phones in variants if phones != known]
        if known is None:
            entries.append((word, fresh.pop(0)))
            added.append(word)
        number = 2  # alternatives are "word(2)", "word(3)"... after any the dictionary has
        for phones in fresh:
            while decoder.lookup_word(f"{word}({number})") is not None:
                number += 1
            entries.append((f"{word}({number})", phones))
            number += 1
    for index, (word, phones) in enumerate(entries):
        # Updating the searches once, after the last word, is much faster.
        decoder.add_word(word, phones, index == len(entries) - 1)
    return added


def general_words(count: int = GENERAL_WORDS) -> dict[str, float]:
    """The ``count`` commonest words of PocketSphinx's bundled English model that its
    dictionary can say, with their single-word probabilities."""
    from pocketsphinx import LogMath, NGramModel, get_model_path

    model = NGramModel.readfile(get_model_path("en-us/en-us.lm.bin"))
    logmath = LogMath()  # the base NGramModel.readfile reads with
    unknown = model.prob(["<UNK>"])
    found: dict[str, float] = {}
    with open(get_model_path("en-us/cmudict-en-us.dict"), encoding="utf-8") as dictionary:
        for line in dictionary:
            word = line.split(" ", 1)[0]
            if "(" not in word and (score := model.prob([word])) > unknown:
                found[word] = logmath.exp(score)
    return dict(sorted(found.items(), key=lambda item: -item[1])[:count])


@cache
def open_model(sentences: tuple[str, ...]) -> str:
    """The open pass's language model (ARPA text): the guide's sentences, with general
    English at GENERAL_SHARE. Built once a process, from the content as it is."""
    return language_model.build(sentences, general_words(), GENERAL_SHARE).arpa()


def open_decoder(understand: Resolver) -> Any:
    """PocketSphinx with a language model of every phrase the resolver understands (the
    condition under all its names), mixed with general English; see :func:`open_model`."""
    from pocketsphinx import Decoder

    decoder = Decoder(lm=None, logfn=os.devnull, **OPEN_SEARCH)
    _add_pronunciations(decoder)
    sayable = tuple(phrase for phrase in phrases(understand)
                    if all(decoder.lookup_word(word) is not None for word in phrase.split()))
    with tempfile.TemporaryDirectory() as folder:  # PocketSphinx reads models from files
        path = Path(folder) / "guide.arpa"
        path.write_text(open_model(sayable), encoding="utf-8")
        decoder.add_lm_file(OPEN_SEARCH_NAME, str(path))
    decoder.activate_search(OPEN_SEARCH_NAME)
    return decoder


def phone_loop() -> Any:
    """PocketSphinx's phone recogniser: the best fit any string of English phones gives,
    the yardstick for how well the grammar's phrase fits (:func:`fit`)."""
    from pocketsphinx import Decoder, get_model_path

    return Decoder(logfn=os.devnull, allphone=get_model_path("en-us/en-us-phone.lm.bin"),
                   lw=2.0, beam=1e-20, pbeam=1e-20, **GRAMMAR_OPTIONS)


def _decode(decoder: Any, raw: bytes) -> str:
    """The decoder's best hypothesis for one whole utterance, alternatives' marks removed."""
    decoder.start_utt()
    decoder.process_raw(raw, full_utt=True)
    decoder.end_utt()
    hypothesis = decoder.hyp()
    return _words(hypothesis.hypstr) if hypothesis else ""


@dataclass(frozen=True)
class _Span:
    """One word (or phone) of a hypothesis: its frames, first and last, and the natural
    log of its acoustic score."""

    first: int
    last: int
    score: float

    @property
    def frames(self) -> int:
        return self.last - self.first + 1


def _spans(decoder: Any, fillers: bool = True) -> list[_Span]:
    """The last hypothesis's words (with ``fillers``, silences and noises too)."""
    return [_Span(segment.start_frame, segment.end_frame,
                  math.log(max(segment.ascore, sys.float_info.min)))
            for segment in (decoder.seg() or ())
            if fillers or not _is_filler(segment.word)]


def _is_filler(word: str) -> bool:
    return word in ("<s>", "</s>", "<sil>", "SIL") or word.startswith(("[", "+"))


def _score_between(spans: list[_Span], first: int, last: int) -> float:
    """The acoustic log score of frames ``first`` to ``last``, each span counting for the
    share of its frames that fall between them."""
    return sum(span.score * (min(last, span.last) - max(first, span.first) + 1) / span.frames
               for span in spans if min(last, span.last) >= max(first, span.first))


def fit(grammar: Any, phones: Any) -> float:
    """How well the grammar's words fit the sound against the phone loop's best: over the
    frames of the words (silences left out), the difference of their acoustic log scores,
    per frame (0: as well as any string of phones; lower is worse)."""
    words = _spans(grammar, fillers=False)
    loop = _spans(phones)
    frames = sum(word.frames for word in words)
    if not frames:
        return -math.inf
    return sum(word.score - _score_between(loop, word.first, word.last) for word in words) / frames


def _words(text: str) -> str:
    """'causes(2) it' -> 'causes it'."""
    return " ".join(re.sub(r"\(\d+\)", "", text).split())


GRAMMAR_PASS, OPEN_PASS = "grammar", "open"


@dataclass(frozen=True)
class Heard:
    """What the recogniser made of one utterance, and what the guide should act on."""

    text: str  # "" when nothing the guide should act on was heard
    resolution: Resolution
    raw: str = ""  # the grammar pass's own best guess, even when rejected
    heard_by: str = ""  # GRAMMAR_PASS or OPEN_PASS, when understood
    understanding: Understanding | None = None  # the tolerant resolver's, with its band
    open_text: str = ""  # what the open pass heard, for logs and the bench
    fit: float | None = None  # the grammar phrase's fit (see :func:`fit`), when measured

    @property
    def understood(self) -> bool:
        return bool(self.text)


def _short(heard: Heard) -> bool:
    """A command, said in a word or two."""
    return len(heard.text.split()) < SHORT_PHRASE


def _fitness(heard: Heard) -> float:
    """The phrase's fit; one never measured (no open pass) counts as perfect."""
    return 0.0 if heard.fit is None else heard.fit


@cache
def _not_heard() -> Resolution:
    return resolver().resolve("")


class Recognizer:
    """PocketSphinx with the guide's grammar and an open pass (and optionally a keyword)."""

    def __init__(self, understand: Resolver | None = None, keyword: str | None = None,
                 keyword_threshold: float = KEYWORD_THRESHOLD, reject: float | None = None,
                 open_pass: bool = True, tolerant: Understander | None = None,
                 **options: object) -> None:
        from pocketsphinx import Decoder

        self.understand = understand or resolver()
        self.decoder = Decoder(lm=None, logfn=os.devnull, kws_threshold=keyword_threshold,
                               **{**GRAMMAR_OPTIONS, **options})
        _add_pronunciations(self.decoder, garbage=True)
        leave_out = other_subjects()
        known = {word for phrase in phrases(self.understand, leave_out) for word in phrase.split()
                 if self.decoder.lookup_word(word) is not None}
        grammar, dropped = build_grammar(self.understand, known, garbage=reject, leave_out=leave_out)
        for phrase in dropped:
            log.info("recognition: left out (word not in the dictionary): %s", phrase)
        self.dropped = dropped
        self.grammar = grammar
        self.decoder.add_jsgf_string(GRAMMAR_SEARCH, grammar)
        self.keyword = keyword
        if keyword:
            missing = [w for w in keyword.lower().split() if self.decoder.lookup_word(w) is None]
            if missing:
                raise ValueError(f"keyword word(s) not in the dictionary: {', '.join(missing)}")
            self.decoder.add_keyphrase(KEYWORD_SEARCH, keyword.lower())
        self.decoder.activate_search(GRAMMAR_SEARCH)
        self.open = open_decoder(self.understand) if open_pass else None
        self.phones = phone_loop() if open_pass else None
        self.tolerant = (tolerant or understander()) if open_pass else None

    def reset(self) -> None:
        """Forget the noise levels learnt from earlier utterances (live CMN), so that what
        is heard next does not depend on what was heard before: for tests and the bench."""
        for decoder in (self.decoder, self.open, self.phones):
            if decoder is not None:
                decoder.reinit_feat()

    def recognise(self, samples: np.ndarray | bytes, sample_rate: int = SAMPLE_RATE) -> Heard:
        """Decode one whole utterance with both passes and decide what was heard."""
        audio = trim_silence(to_model_rate(samples, sample_rate))
        if speech_seconds(audio) < MIN_SPEECH:
            return Heard("", _not_heard())
        raw = with_comfort_noise(audio)
        grammar = self._grammar_pass(raw)
        if self.open is None or self.phones is None:
            return self._grammar(grammar, "") if grammar.understood else grammar
        if grammar.understood and not _short(grammar):  # how well does it fit? (phone loop)
            _decode(self.phones, raw)
            grammar = dataclasses.replace(grammar, fit=fit(self.decoder, self.phones))
        if self._stands(grammar):  # the open pass would change nothing
            return self._grammar(grammar, "")
        return self.decide(grammar, _decode(self.open, raw))

    def _grammar_pass(self, raw: bytes) -> Heard:
        if self.decoder.current_search() != GRAMMAR_SEARCH:
            self.decoder.activate_search(GRAMMAR_SEARCH)
        return self.judge(_decode(self.decoder, raw))

    def decide(self, grammar: Heard, open_text: str) -> Heard:
        """Weigh the grammar's phrase, by how well it fits the sound, against the open pass.

        A short phrase or one that fits well stands; then the open pass's answer; then a
        phrase that fits passably; then the open pass's "did you mean"; anything else is not
        caught. A phrase with no measured fit stands.
        """
        assert self.tolerant is not None
        if self._stands(grammar):
            return self._grammar(grammar, open_text)
        heard = self.tolerant.understand(open_text) if open_text else None
        if heard is not None and heard.band == ANSWER:
            return Heard(open_text, heard.resolution, grammar.raw, OPEN_PASS, heard, open_text,
                         grammar.fit)
        if grammar.understood and _fitness(grammar) >= FLOOR_FIT:
            return self._grammar(grammar, open_text)
        if heard is not None and heard.band == CONFIRM:
            return Heard(open_text, heard.resolution, grammar.raw, OPEN_PASS, heard, open_text,
                         grammar.fit)
        return Heard("", _not_heard(), grammar.raw, open_text=open_text, fit=grammar.fit)

    @staticmethod
    def _stands(grammar: Heard) -> bool:
        """A short phrase (a command: there the grammar is at its best, the open pass at its
        worst, and a robotic voice fits the phone loop far better than any word), or one
        that fits well."""
        return grammar.understood and (_short(grammar) or _fitness(grammar) >= SURE_FIT)

    def _grammar(self, grammar: Heard, open_text: str) -> Heard:
        """The grammar's phrase, with its understanding (exact without the open pass)."""
        said = (self.tolerant.understand(grammar.text) if self.tolerant is not None
                else Understanding(ANSWER, grammar.resolution))
        return dataclasses.replace(grammar, understanding=said, open_text=open_text)

    def judge(self, text: str) -> Heard:
        """Keep a hypothesis only when it is a whole phrase the skill understands.

        When the search cannot reach the end of the grammar it returns its best
        partial path ("what are", "slow"); that is a miss, not a command.
        """
        text = _words(text)
        resolution = self.understand.resolve(text)
        whole = (resolution.intent != FALLBACK and GARBAGE_PREFIX not in text
                 and all(slot.resolved is not None for slot in resolution.slots.values()))
        if not whole:
            return Heard("", _not_heard(), raw=text)
        return Heard(text, resolution, raw=text, heard_by=GRAMMAR_PASS)

    # --- streaming, for the live modes -------------------------------------------------

    def listen_for_keyword(self, blocks: Iterable[bytes]) -> bool:
        """Consume 16 kHz blocks until the keyword is spoken; False if they run out."""
        if not self.keyword:
            raise ValueError("no keyword configured")
        self.decoder.activate_search(KEYWORD_SEARCH)
        self.decoder.start_utt()
        try:
            for block in blocks:
                self.decoder.process_raw(block)
                if self.decoder.hyp() is not None:
                    return True
            return False
        finally:
            self.decoder.end_utt()
            self.decoder.activate_search(GRAMMAR_SEARCH)

