"""The open pass: hear speech outside the grammar as words, for the tolerant resolver.

A language model of the guide's own sentences (skill/understanding/language_model.py),
generated from the content at start-up, whose single words are mixed with the bundled
English model's GENERAL_WORDS commonest at GENERAL_SHARE, so that other English can be
heard as such and told it is not covered. Its search is PocketSphinx's default beams in
one pass (no flat-lexicon rescoring, no lattice).
"""

from __future__ import annotations

import os
import tempfile
from functools import cache
from pathlib import Path
from typing import Any

from skill.understanding import language_model
from skill.understanding.grammar import sayable
from skill.understanding.lexicon import add_pronunciations, can_say
from skill.understanding.resolver import Resolver

GENERAL_WORDS, GENERAL_SHARE = 20_000, 0.05
OPEN_SEARCH_NAME = "open"
OPEN_SEARCH = {"fwdflat": False, "bestpath": False}


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
    add_pronunciations(decoder)
    sentences, _ = sayable(understand, can_say(decoder))  # the grammar logs what is left out
    with tempfile.TemporaryDirectory() as folder:  # PocketSphinx reads models from files
        path = Path(folder) / "guide.arpa"
        path.write_text(open_model(tuple(sorted(sentences))), encoding="utf-8")
        decoder.add_lm_file(OPEN_SEARCH_NAME, str(path))
    decoder.activate_search(OPEN_SEARCH_NAME)
    return decoder
