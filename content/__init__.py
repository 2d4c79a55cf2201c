"""The guide's content: YAML files written by people, what they become (parts.py), and the
one loader that reads and checks them."""

from content.loader import NUMBER_WORDS, ContentError, guide, load_guide
from content.parts import GlossaryEntry, Guide, IntentPhrases, Section, Topic

__all__ = [
    "NUMBER_WORDS", "ContentError", "GlossaryEntry", "Guide", "IntentPhrases", "Section", "Topic",
    "guide", "load_guide",
]
