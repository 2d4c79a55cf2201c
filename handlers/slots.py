"""Read slot values safely: Alexa sends resolved values, raw words or nothing at all."""

from __future__ import annotations

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import IntentRequest

from content import NUMBER_WORDS

MAX_SLOT_CHARS = 200


def slot_text(handler_input: HandlerInput, name: str) -> str:
    """The canonical value if Alexa matched one, else what was heard, else ''."""
    request = handler_input.request_envelope.request
    slots = getattr(getattr(request, "intent", None), "slots", None) if isinstance(
        request, IntentRequest) else None
    slot = (slots or {}).get(name)
    if slot is None:
        return ""
    for authority in getattr(getattr(slot, "resolutions", None), "resolutions_per_authority",
                             None) or []:
        code = getattr(getattr(authority, "status", None), "code", None)
        if str(getattr(code, "value", code)) == "ER_SUCCESS_MATCH" and authority.values:
            resolved = authority.values[0].value
            if resolved is not None and isinstance(resolved.name, str):
                return resolved.name[:MAX_SLOT_CHARS]
    value = slot.value
    return value[:MAX_SLOT_CHARS] if isinstance(value, str) else ""


def slot_number(handler_input: HandlerInput, name: str) -> int | None:
    """A small whole number from an AMAZON.NUMBER or AMAZON.Ordinal slot ('3', 'three' or 'third')."""
    text = slot_text(handler_input, name).strip().lower()
    if text.isdecimal() and len(text) <= 4:  # isdigit() would let '²' through to int()
        return int(text)
    return NUMBER_WORDS.get(text)
