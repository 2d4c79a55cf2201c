"""Offline speech recognition: hear what was said, and do not act on what was not.

Every utterance goes to PocketSphinx, in up to three passes, and they are weighed:

- the grammar pass: a finite-state grammar of every phrase the interaction model's samples
  stand for (the condition named as "it" or "hemifacial spasm" only);
- the phone loop: any string of English phones, the best the sound can be fitted,
  against which the grammar's phrase is measured (:func:`fit`): a phrase forced
  onto speech that is no phrase fits it worse;
- the open pass: a language model of the guide's own sentences, generated from the
  content at start-up and mixed with common English (skill/understanding/
  language_model.py), whose text goes through the same tolerant resolver as typed
  chat (skill/understanding/own_words.py), with its three bands.

:meth:`Recognizer.decide` keeps a short phrase (a command) and a phrase that fits
well, when the phrase accounts for the speech rather than a part of it; otherwise
the open pass's answer, when sure or when the grammar means the same; then a phrase
that accounts for the speech and fits passably; then the open pass's "did you mean".
When none is usable the utterance is not caught: the listener hears so and nothing
in the conversation changes (skill/voice/).
bench/voice.py measures it; tests/eval/spoken_dev.yaml is what it was tuned on.

The grammar is skill/understanding/grammar.py, the open pass open_pass.py, the
words they can say lexicon.py, and the audio's preparation sound.py.
"""

from __future__ import annotations

import dataclasses
import logging
import math
import os
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np

from skill.understanding.grammar import GARBAGE_PREFIX, build_grammar, other_subjects
from skill.understanding.lexicon import add_pronunciations, can_say
from skill.understanding.open_pass import open_decoder
from skill.understanding.own_words import (
    ANSWER,
    CONFIRM,
    Understander,
    Understanding,
    outcome_of,
    understander,
)
from skill.understanding.resolver import FALLBACK, Resolution, Resolver, resolver
from skill.understanding.sound import (
    MIN_SPEECH,
    SAMPLE_RATE,
    speech_seconds,
    to_model_rate,
    trim_silence,
    with_comfort_noise,
)

log = logging.getLogger(__name__)

GRAMMAR_SEARCH, KEYWORD_SEARCH = "guide", "keyword"
# Garbage weight for --hands-free: out-of-grammar speech is usually rejected and
# natural voices lose little; robotic espeak-ng loses a lot (bench/README.md).
REJECT_WEIGHT = 1e-10
# Keyword spotting threshold for --hands-free: lower wakes more easily (and falsely).
# Chosen for the default keyword, "hey guide"; how, in bench/README.md.
KEYWORD_THRESHOLD = 1e-15
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
SURE_FIT, FLOOR_FIT, SHORT_PHRASE = -1.0e-3, -2.5e-3, 4
# A phrase said inside a longer sentence ("how do I treat it" in "how do I treat a sore
# throat") leaves the rest of the speech to the grammar's silences and noises: when
# more than UNCOVERED of the frames are, the phrase never stands on its own. A command is
# said alone (on the development set none left more than 0.14 to silences), so it must
# leave less: UNCOVERED_COMMAND ("seeing a doctor" in "sing me a song" leaves 0.33).
UNCOVERED, UNCOVERED_COMMAND = 0.4, 0.3
# The open pass's words are a guess: its answer is taken when the tolerant resolver is
# at least HEARD_SURE sure of it, or when the grammar's phrase means the same.
HEARD_SURE = 0.9

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
    uncovered: float = 0.0  # the share of the grammar's frames in silences and noises

    @property
    def understood(self) -> bool:
        return bool(self.text)


def _short(heard: Heard) -> bool:
    """A command, said in a word or two."""
    return len(heard.text.split()) < SHORT_PHRASE


def _covers(heard: Heard) -> bool:
    """The phrase accounts for the speech, rather than for a part of a longer sentence."""
    return heard.uncovered <= (UNCOVERED_COMMAND if _short(heard) else UNCOVERED)


def uncovered(decoder: Any) -> float:
    """The share of the last hypothesis's frames given to silences and noises."""
    spans = _spans(decoder)
    frames = sum(span.frames for span in spans)
    words = sum(span.frames for span in _spans(decoder, fillers=False))
    return 1 - words / frames if frames else 0.0


def _fitness(heard: Heard) -> float:
    """The phrase's fit; one never measured (no open pass) counts as perfect."""
    return 0.0 if heard.fit is None else heard.fit


def _from_open_pass(grammar: Heard, open_text: str, heard: Understanding) -> Heard:
    """What the open pass heard, keeping what the grammar pass made of the same speech."""
    return dataclasses.replace(grammar, text=open_text, resolution=heard.resolution,
                               heard_by=OPEN_PASS, understanding=heard, open_text=open_text)


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
        add_pronunciations(self.decoder, garbage=True)
        grammar, dropped = build_grammar(self.understand, can_say(self.decoder), garbage=reject,
                                         leave_out=other_subjects())
        for phrase in dropped:
            log.info("recognition: left out (word not in the dictionary): %s", phrase)
        self.dropped = dropped
        self.grammar = grammar
        self.decoder.add_fsg(GRAMMAR_SEARCH, self.decoder.create_fsg(
            GRAMMAR_SEARCH, grammar.start, grammar.final, grammar.transitions))
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
        heard = self.judge(_decode(self.decoder, raw))
        return dataclasses.replace(heard, uncovered=uncovered(self.decoder)) if heard.understood \
            else heard

    def decide(self, grammar: Heard, open_text: str) -> Heard:
        """Weigh the grammar's phrase, by how well it fits the sound, against the open pass.

        A short phrase or one that fits well stands, when it accounts for the speech; then
        the open pass's answer, when sure or when the grammar's phrase means the same; then
        a phrase that fits passably and accounts for the speech; then the open pass's "did
        you mean"; anything else is not caught. A phrase with no measured fit stands.
        """
        assert self.tolerant is not None
        if self._stands(grammar):
            return self._grammar(grammar, open_text)
        heard = self.tolerant.understand(open_text, typed=False) if open_text else None
        if heard is not None and heard.band == ANSWER and (
                heard.score >= HEARD_SURE or self._same(grammar, heard)):
            return _from_open_pass(grammar, open_text, heard)
        if grammar.understood and _covers(grammar) and _fitness(grammar) >= FLOOR_FIT:
            return self._grammar(grammar, open_text)
        if heard is not None and heard.band == CONFIRM:
            return _from_open_pass(grammar, open_text, heard)
        return dataclasses.replace(grammar, text="", resolution=_not_heard(), heard_by="",
                                   open_text=open_text)

    @staticmethod
    def _stands(grammar: Heard) -> bool:
        """A short phrase (a command: there the grammar is at its best, the open pass at its
        worst, and a robotic voice fits the phone loop far better than any word), or one
        that fits well; either only when it accounts for the speech."""
        return grammar.understood and _covers(grammar) and (
            _short(grammar) or _fitness(grammar) >= SURE_FIT)

    @staticmethod
    def _same(grammar: Heard, heard: Understanding) -> bool:
        """Both passes, each a guess, lead to the same first reply."""
        return grammar.understood and outcome_of(grammar.resolution) == outcome_of(heard.resolution)

    def _grammar(self, grammar: Heard, open_text: str) -> Heard:
        """The grammar's phrase, with its understanding (exact without the open pass)."""
        said = (self.tolerant.understand(grammar.text, typed=False) if self.tolerant is not None
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

