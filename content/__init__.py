"""The guide's content: YAML files written by people, and the one loader that reads them."""

from content.loader import (
    NUMBER_WORDS,
    ContentError,
    GlossaryEntry,
    Guide,
    IntentPhrases,
    Section,
    Topic,
    guide,
    load_guide,
)

__all__ = [
    "NUMBER_WORDS", "ContentError", "GlossaryEntry", "Guide", "IntentPhrases", "Section", "Topic",
    "guide", "load_guide",
]
