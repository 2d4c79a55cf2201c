"""Finding your way: the list of sections, jumping by number, where am I, main menu."""

from __future__ import annotations

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Response

from content import guide
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
        number = slot_number(handler_input, "number")
        if number is None:  # "the third section" fills the ordinal slot instead
            number = slot_number(handler_input, "ordinal")
        if number is None or not 1 <= number <= count:
            heard = str(number) if number is not None else "like that"
            return reply.ask(
                handler_input,
                guide().message("no_such_section", number=heard, count=count),
                prompt=guide().message("pick_section"))
        ListenerState.of(handler_input).go_to(number - 1)
        return narration.read_here(handler_input)


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
                state.go_to(last, state.pages_here - 1)
                return reply.ask(handler_input, prompt=narration.next_step(state))
            target = state.section + 1
        else:
            target = max(state.section - 1, 0)
        state.go_to(target)
        return narration.read_here(handler_input)


class WhereAmIHandler(IntentHandler):
    """Section, page x of y, and what comes next."""

    intents = ("WhereAmIIntent",)

    def handle(self, handler_input: HandlerInput) -> Response:
        state = ListenerState.of(handler_input)
        content = guide()
        if not state.started:
            return reply.ask(handler_input, content.message("where_not_started"),
                             prompt=narration.options(state))
        section = narration.current_section(state)
        if state.brief:
            here = content.message("where_brief", number=state.section + 1, title=section.title)
        else:
            here = content.message("where_am_i", number=state.section + 1, title=section.title,
                                   page=state.page + 1, pages=state.pages_here)
        if state.at_end_of_guide:
            after = content.message("where_last")
        elif state.at_last_page_of_section:
            after = content.message("where_next_section",
                                    next=content.sections[state.section + 1].title)
        else:
            after = content.message("where_next_page", page=state.page + 2)
        return reply.ask(handler_input, here, after, prompt=narration.next_step(state))


class HomeHandler(IntentHandler):
    """'Main menu': back to the start of the guide and its first choices."""

    intents = ("AMAZON.NavigateHomeIntent",)

    def handle(self, handler_input: HandlerInput) -> Response:
        state = ListenerState.of(handler_input)
        state.go_to(0)
        state.started = False
        return reply.ask(handler_input, guide().message("home"), prompt=narration.options(state))


HANDLERS = (ListSectionsHandler(), SectionNumberHandler(), JumpHandler(), WhereAmIHandler(),
            HomeHandler())
