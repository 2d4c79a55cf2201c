"""A conversation with the skill without Alexa: for the terminal chat, offline voice and tests.

It builds the same request envelopes Alexa would send (launch, intents with
resolved slots, session ended), runs them through the same skill, and keeps
the session between turns. Front-ends only turn text or audio into calls here,
and get each answer back as a Reply (skill/engine/reply.py): plain words, speed,
end of session, card.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from ask_sdk_core.skill import CustomSkill

from content import guide, slot_names
from handlers.answers import DID_YOU_MEAN_INTENT
from skill.engine.reply import Reply, run
from skill.understanding.own_words import ANSWER, CONFIRM, Understander, Understanding, understander
from skill.understanding.resolver import FALLBACK, Resolution, Slot

APPLICATION_ID = "amzn1.ask.skill.local-conversation"


class Conversation:
    """One listener talking to the skill, session after session."""

    def __init__(self, skill: CustomSkill, user_id: str = "local-listener",
                 understand: Understander | None = None, locale: str = "en-US") -> None:
        self.skill, self.user_id, self.locale = skill, user_id, locale
        self.understand = understand or understander()
        self.session: dict[str, Any] | None = None

    @property
    def open(self) -> bool:
        return self.session is not None

    def launch(self) -> Reply:
        self._new_session()
        return self._send({"type": "LaunchRequest"})

    def say(self, text: str) -> Reply:
        """One utterance; like 'Alexa, ask facial spasm guide ...' when no session is open."""
        return self.answer(self.understand.understand(text))

    def answer(self, understanding: Understanding) -> Reply:
        """What was already understood (offline voice understands what it heard itself)."""
        return self.send(_as_sent(understanding))

    def send(self, resolution: Resolution) -> Reply:
        """An intent as it is: what Alexa sends once its own understanding has decided."""
        if not self.open:
            self._new_session()
        return self._send(_intent_request(resolution), intent=resolution.intent)

    def end(self, reason: str = "USER_INITIATED") -> None:
        """Close the session the way Alexa does when the listener walks away."""
        if self.open:
            self._send({"type": "SessionEndedRequest", "reason": reason})
            self.session = None

    def _new_session(self) -> None:
        self.session = {"new": True, "sessionId": f"local.{uuid.uuid4()}", "attributes": {}}

    def _send(self, request: dict[str, Any], intent: str = "") -> Reply:
        assert self.session is not None
        request = {"requestId": f"local.{uuid.uuid4()}", "locale": self.locale,
                   "timestamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), **request}
        application = {"applicationId": APPLICATION_ID}
        user = {"userId": self.user_id}
        envelope = {
            "version": "1.0",
            "session": {**self.session, "application": application, "user": user},
            "context": {"System": {"application": application, "user": user,
                                   "device": {"deviceId": "local", "supportedInterfaces": {}}}},
            "request": request,
        }
        answer, reply = run(self.skill, envelope, intent)
        self.session["new"] = False
        self.session["attributes"] = answer.get("sessionAttributes") or {}
        if reply.ended:
            self.session = None
        return reply


def _as_sent(understanding: Understanding) -> Resolution:
    """The request for what was understood: the intent itself when sure; when close, a
    "did you mean" about it; otherwise a miss that carries the closest questions, so the
    engine can name them."""
    if understanding.band == ANSWER:
        return understanding.resolution
    topic = guide().topic_for_intent(understanding.resolution.intent)
    if understanding.band == CONFIRM and topic is not None:
        return Resolution(DID_YOU_MEAN_INTENT, {slot_names.TOPIC: Slot(topic.id, topic.id)})
    near = " ".join(understanding.near)
    return Resolution(FALLBACK, {slot_names.NEAR: Slot(near, near)} if near else {})


def _intent_request(resolution: Resolution) -> dict[str, Any]:
    slots = {name: _slot(name, slot.value, slot.resolved)
             for name, slot in resolution.slots.items()}
    intent: dict[str, Any] = {"name": resolution.intent, "confirmationStatus": "NONE"}
    if slots:
        intent["slots"] = slots
    return {"type": "IntentRequest", "dialogState": "COMPLETED", "intent": intent}


def _slot(name: str, value: str, resolved: str | None) -> dict[str, Any]:
    slot: dict[str, Any] = {"name": name, "value": value, "confirmationStatus": "NONE"}
    status = "ER_SUCCESS_MATCH" if resolved is not None else "ER_SUCCESS_NO_MATCH"
    authority: dict[str, Any] = {"authority": f"local.{name}", "status": {"code": status}}
    if resolved is not None:
        authority["values"] = [{"value": {"name": resolved, "id": resolved}}]
    slot["resolutions"] = {"resolutionsPerAuthority": [authority]}
    return slot
