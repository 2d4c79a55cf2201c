"""Finding your way: the list of sections, jumping by number, where am I, main menu."""

from __future__ import annotations

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Response

from content import guide, slot_names
from handlers import lists, narration, reply
from handlers.dispatch import IntentHandler, intent_name
from handlers.slots import slot_number
from handlers.state import ListenerState


class ListSectionsHandler(IntentHandler):
    """Name the sections with their numbers, from the first, and say how to pick one."""

    intents = ("ListSectionsIntent",)

    def handle(self, handler_input: HandlerInput) -> Response:
        return lists.read_part(handler_input, lists.SECTIONS)


class SectionNumberHandler(IntentHandler):
    """'Section three' or 'the third section': go to it, or say which numbers exist."""

    intents = ("SectionNumberIntent",)

    def handle(self, handler_input: HandlerInput) -> Response:
        count = len(guide().sections)
        number = slot_number(handler_input, slot_names.NUMBER)
        if number is None:  # "the third section" fills the ordinal slot instead
            number = slot_number(handler_input, slot_names.ORDINAL)
        if number is None or not 1 <= number <= count:
            heard = str(number) if number is not None else "like that"
            return reply.ask(
                handler_input,
                guide().message("no_such_section", number=heard, count=count),
                prompt=guide().message("pick_section"))
        ListenerState.of(handler_input).go_to(number - 1)
        return narration.read_current_page(handler_input)


class JumpHandler(IntentHandler):
    """The last, next or previous section, from its first page."""

    intents = ("LastSectionIntent", "NextSectionIntent", "PreviousSectionIntent")

    def handle(self, handler_input: HandlerInput) -> Response:
        state = ListenerState.of(handler_input)
        last = len(guide().sections) - 1
        name = intent_name(handler_input)
        if name == "LastSectionIntent":
            target = last
        elif not state.started:
            target = 0
        elif name == "NextSectionIntent":
            if state.section == last:
                # Stay: the rest of this section is still unread, and next reads it.
                return reply.ask(handler_input, guide().message("last_section"),
                                 prompt=state.offer(narration.next_step(state)))
            target = state.section + 1
        elif state.section == 0:
            # As back does on the first page: say why the same section is heard again.
            state.go_to(0)
            return narration.read_current_page(handler_input, guide().message("first_section"))
        else:
            target = state.section - 1
        state.go_to(target)
        return narration.read_current_page(handler_input)


class WhereAmIHandler(IntentHandler):
    """Section, page x of y, and what comes next."""

    intents = ("WhereAmIIntent",)

    def handle(self, handler_input: HandlerInput) -> Response:
        state = ListenerState.of(handler_input)
        content = guide()
        if not state.started:
            return narration.say_with_first_choices(handler_input,
                                                    content.message("where_not_started"))
        section = narration.current_section(state)
        if state.brief:
            here = content.message("where_brief", number=state.section + 1, title=section.title)
        else:
            here = content.message("where_am_i", number=state.section + 1, title=section.title,
                                   page=state.page + 1, pages=state.pages_at_detail)
        prompt = state.offer(narration.next_step(state))
        return reply.ask(handler_input, here, _what_comes_next(state, prompt), prompt=prompt)


def _what_comes_next(state: ListenerState, prompt: str) -> str:
    """The page or section after this one; nothing when the prompt already says it (the
    next section's name, or the end of the guide), since heard once a repeat sounds like
    a mistake."""
    content = guide()
    if state.at_end_of_guide:
        return ""
    if not state.at_last_page_of_section:
        return content.message("where_next_page", page=state.page + 2)
    following = content.sections[state.section + 1].title
    return "" if following in prompt else content.message("where_next_section", next=following)


class HomeHandler(IntentHandler):
    """'Main menu': the first choices. The place in the guide is kept: a menu is not a
    reason to lose it, and next time the skill still offers to carry on."""

    intents = ("AMAZON.NavigateHomeIntent",)

    def handle(self, handler_input: HandlerInput) -> Response:
        return narration.say_with_first_choices(handler_input, guide().message("home"))


HANDLERS = (ListSectionsHandler(), SectionNumberHandler(), JumpHandler(), WhereAmIHandler(),
            HomeHandler())
