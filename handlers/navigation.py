"""Finding your way: the list of sections, jumping by number, where am I, main menu."""

from __future__ import annotations

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import is_intent_name
from ask_sdk_model import Response

from content import guide
from handlers import narration, reply
from handlers.slots import slot_number
from handlers.state import ListenerState


class ListSectionsHandler(AbstractRequestHandler):
    """Name the sections, at most five at a time, and say how to pick one."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("ListSectionsIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        state = ListenerState.of(handler_input)
        content = guide()
        start = state.list_offset if state.list_offset < len(content.sections) else 0
        chunk = content.sections[start:start + narration.LIST_CHUNK]
        names = narration.spoken_list(
            [f"{start + n}, {s.title}" for n, s in enumerate(chunk, start=1)])
        key = "list_sections" if start == 0 else "list_sections_more"
        state.list_offset = start + len(chunk)
        prompt = content.message("pick_section")
        if state.list_offset < len(content.sections):
            prompt = f"{content.message('list_sections_again')} {prompt}"
        state.pending = ""
        return reply.ask(handler_input, content.message(key, names=names), prompt=prompt)


class SectionNumberHandler(AbstractRequestHandler):
    """'Section three': go to that section, or say which numbers exist."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("SectionNumberIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        count = len(guide().sections)
        number = slot_number(handler_input, "number")
        if number is None or not 1 <= number <= count:
            heard = str(number) if number is not None else "like that"
            return reply.ask(
                handler_input,
                guide().message("no_such_section", number=heard, count=count),
                prompt=guide().message("pick_section"))
        ListenerState.of(handler_input).go_to(number - 1)
        return narration.read_here(handler_input)


class JumpHandler(AbstractRequestHandler):
    """The last, next or previous section, from its first page."""

    TARGETS = {"LastSectionIntent", "NextSectionIntent", "PreviousSectionIntent"}

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return any(is_intent_name(name)(handler_input) for name in self.TARGETS)

    def handle(self, handler_input: HandlerInput) -> Response:
        state = ListenerState.of(handler_input)
        last = len(guide().sections) - 1
        name = handler_input.request_envelope.request.intent.name
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


class WhereAmIHandler(AbstractRequestHandler):
    """Section, page x of y, and what comes next."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("WhereAmIIntent")(handler_input)

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


class HomeHandler(AbstractRequestHandler):
    """'Main menu': back to the start of the guide and its first choices."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("AMAZON.NavigateHomeIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        state = ListenerState.of(handler_input)
        state.go_to(0)
        state.started = False
        return reply.ask(handler_input, guide().message("home"), prompt=narration.options(state))


HANDLERS = (ListSectionsHandler(), SectionNumberHandler(), JumpHandler(), WhereAmIHandler(),
            HomeHandler())
