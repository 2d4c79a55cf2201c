"""Slot names and types, defined once.

A sample in content/intents.yaml names a slot in braces ("tell me about {section}");
the content loader checks that it is one of these, skill/model.py declares it in the
interaction model with its type, the handlers read it by name, and the local
front-ends' understanding (skill/understanding) fills it.
"""

from __future__ import annotations

SECTION = "section"
TERM = "term"
NUMBER = "number"
ORDINAL = "ordinal"

NUMBER_TYPE = "AMAZON.NUMBER"
ORDINAL_TYPE = "AMAZON.Ordinal"
SECTION_TYPE = "SectionName"  # custom types: their values come from content/
TERM_TYPE = "GlossaryTerm"

# The slots samples may use, with their types in the interaction model.
TYPES = {SECTION: SECTION_TYPE, TERM: TERM_TYPE, NUMBER: NUMBER_TYPE, ORDINAL: ORDINAL_TYPE}
# Alexa gives these as digits ("three", "third" -> "3").
NUMBER_TYPES = (NUMBER_TYPE, ORDINAL_TYPE)

# Slots of intents only the local front-ends send: no sample names them.
TOPIC = "topic"  # DidYouMeanIntent: the topic id a close guess is about
NEAR = "near"  # FallbackIntent: the closest questions heard, as topic ids: "treatment botox"
