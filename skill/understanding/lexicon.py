"""What the recogniser can say: the bundled dictionary, and the guide's own words.

CMUdict (PocketSphinx's bundled dictionary) lacks "hemifacial", "botulinum",
"microvascular" and the like; without them the grammar would drop the guide's own
questions, because PocketSphinx refuses a grammar with an unknown word.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from skill.understanding.grammar import GARBAGE_PREFIX, PHONES

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


def add_pronunciations(decoder: Any, garbage: bool = False) -> list[str]:
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


def can_say(decoder: Any) -> Callable[[str], bool]:
    """Whether the decoder's dictionary has a word (the guide's own words once added)."""
    return lambda word: decoder.lookup_word(word) is not None
