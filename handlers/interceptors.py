"""Cross-cutting work done once per request: load the listener's state, save it after.

Saved state is a convenience, never a reason to fail: if storage cannot be
read or written the skill answers anyway and logs it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from ask_sdk_core.dispatch_components import (
    AbstractRequestInterceptor,
    AbstractResponseInterceptor,
)
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import RequestEnvelope, Response

from handlers.dispatch import intent_name
from handlers.state import REQUEST_KEY, SESSION_KEY, ListenerState

log = logging.getLogger(__name__)


class LoadStateInterceptor(AbstractRequestInterceptor):
    """Session data while a conversation lasts; the saved record when it starts."""

    def process(self, handler_input: HandlerInput) -> None:
        attributes = handler_input.attributes_manager
        session = handler_input.request_envelope.session
        in_session = attributes.session_attributes.get(SESSION_KEY) if session else None
        if isinstance(in_session, dict) and not session.new:
            state = ListenerState.from_dict(in_session)
            state.saved_snapshot = state.saved()
        else:
            state = _from_storage(handler_input)
        state.withdraw_unanswered_offer(intent_name(handler_input))
        attributes.request_attributes[REQUEST_KEY] = state


def _from_storage(handler_input: HandlerInput) -> ListenerState:
    try:
        saved = handler_input.attributes_manager.persistent_attributes
    except Exception:
        log.warning("saved state unavailable; answering without it", exc_info=True)
        state = ListenerState()
        state.storage_ok = False
        return state
    state = ListenerState.from_dict(saved if isinstance(saved, dict) else {})
    state.saved_snapshot = state.saved()
    return state


# Storage that can write some fields of a stored record in one transaction:
# merge(request_envelope, attributes, changed field names) (skill/engine/storage.py's SQLite has it).
MergeSave = Callable[[RequestEnvelope, dict[str, Any], list[str]], None]


class SaveStateInterceptor(AbstractResponseInterceptor):
    """Keep the session copy current; write the saved record only when it changed.

    Given `merge`, only the fields this request changed are written over the stored
    record: written whole, the later of two requests for one listener would undo the
    earlier one's change, since each read the record when it started. Without it (e.g.
    DynamoDB), the whole record, through the SDK's attributes manager.
    """

    def __init__(self, merge: MergeSave | None = None) -> None:
        self.merge = merge

    def process(self, handler_input: HandlerInput, response: Response) -> None:
        state = ListenerState.of(handler_input)
        if not state.missed:
            state.misunderstood = 0
        attributes = handler_input.attributes_manager
        changed = state.saved() != state.saved_snapshot
        if changed:
            state.touch()
        if handler_input.request_envelope.session is not None:
            attributes.session_attributes[SESSION_KEY] = state.session_data()
        if not state.storage_ok or not changed:
            return
        try:
            self._save(handler_input, state.saved(), state.saved_snapshot)
        except Exception:
            log.warning("could not save state; the answer still goes out", exc_info=True)

    def _save(self, handler_input: HandlerInput, saved: dict[str, Any],
              before: dict[str, Any]) -> None:
        if self.merge is None:
            handler_input.attributes_manager.persistent_attributes = saved
            handler_input.attributes_manager.save_persistent_attributes()
            return
        changed = [name for name, value in saved.items() if before.get(name) != value]
        self.merge(handler_input.request_envelope, saved, changed)


REQUEST_INTERCEPTORS = (LoadStateInterceptor(),)
