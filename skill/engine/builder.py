"""Wire the conversation: every handler and interceptor, registered in one visible list.

The Alexa endpoint, the Lambda entry, the terminal chat and the offline voice
mode all call build_skill(); there is one conversation engine.
"""

from __future__ import annotations

from ask_sdk_core.attributes_manager import AbstractPersistenceAdapter
from ask_sdk_core.skill import CustomSkill
from ask_sdk_core.skill_builder import CustomSkillBuilder

from handlers import (
    answers,
    glossary,
    interceptors,
    lifecycle,
    lists,
    navigation,
    playback,
    reading,
    settings,
)
from handlers.dispatch import ByIntentMapper

REQUEST_HANDLERS = (
    *lists.FOLLOW_UPS,  # before lifecycle's yes and reading's next, which read the guide
    *lifecycle.HANDLERS,
    *answers.HANDLERS,
    *reading.HANDLERS,
    *navigation.HANDLERS,
    *settings.HANDLERS,
    *glossary.HANDLERS,
    *lifecycle.LAST_RESORT,
)


def build_skill(persistence_adapter: AbstractPersistenceAdapter | None = None,
                skill_id: str | None = None,
                playlist: playback.Playlist | None = None) -> CustomSkill:
    """playlist: the section recordings at HTTPS URLs; None means speech only."""
    builder = CustomSkillBuilder(persistence_adapter=persistence_adapter)
    if skill_id:
        builder.skill_id = skill_id
    for handler in (*playback.handlers(playlist), *REQUEST_HANDLERS):
        builder.add_request_handler(handler)
    for exception_handler in lifecycle.EXCEPTION_HANDLERS:
        builder.add_exception_handler(exception_handler)
    for request_interceptor in interceptors.REQUEST_INTERCEPTORS:
        builder.add_global_request_interceptor(request_interceptor)
    # Storage that can merge a request's changes into the stored record gets to (SQLite).
    merge = getattr(persistence_adapter, "merge_attributes", None)
    builder.add_global_response_interceptor(interceptors.SaveStateInterceptor(merge))
    skill = builder.create()
    dispatcher = skill.request_dispatcher
    dispatcher.request_mappers = [ByIntentMapper(mapper.request_handler_chains)
                                  for mapper in dispatcher.request_mappers]
    return skill
