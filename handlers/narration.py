"""What to say about the listener's place in the guide: pages, next steps, menus.

Shared by the reading, navigation, launch and answer handlers so that every
route to a page sounds the same and ends with the same next step.
"""

from __future__ import annotations

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Response

from content import Section, guide
from handlers import reply
from handlers.state import (
    LIST_OFFERS,
    PENDING_CONTINUE,
    PENDING_NEXT,
    PENDING_RESUME,
    ListenerState,
)

# Leave room for SSML tags, pauses and the prompt inside Alexa's 8,000 characters.
READ_ALL_BUDGET = 6000


def current_section(state: ListenerState) -> Section:
    return guide().sections[state.section]


def page_heard(state: ListenerState) -> str:
    """The text of the page the listener is on, as they hear it: in brief, the summary."""
    section = current_section(state)
    return section.summary if state.brief else section.pages[state.page]


def page_text(state: ListenerState) -> list[str]:
    """The words of the current page, with the section heading on its first page."""
    if state.page_here == 0:
        title = current_section(state).title
        return [guide().message("section_heading", title=title), page_heard(state)]
    return [page_heard(state)]


def read_answer(handler_input: HandlerInput, page: int) -> Response:
    """A question a later page answers: that page after the section's title, in full even
    in brief mode (the summary would not answer it), then the usual next step."""
    state = ListenerState.of(handler_input)
    state.started = True
    section = current_section(state)
    heading = guide().message("section_heading", title=section.title)
    return reply.ask(handler_input, heading, section.pages[page], prompt=next_step(state),
                     title=section.title)


def next_step(state: ListenerState) -> str:
    """What the listener can do after this page; also sets what Yes would mean."""
    content = guide()
    if state.at_end_of_guide:
        state.finished, state.pending = True, ""
        return content.message("guide_end")
    state.pending = PENDING_NEXT
    if state.at_last_page_of_section:
        following = content.sections[state.section + 1].title
        return content.message("section_end", title=current_section(state).title, next=following)
    return content.message("more_pages")


def reading_from(state: ListenerState) -> str:
    """'From Treatment, page 2.': where a page comes from, when nothing else has said it."""
    return guide().message("reading_on_from", title=current_section(state).title,
                           page=state.page + 1)


def read_here(handler_input: HandlerInput, *lead: str) -> Response:
    """Read the current page, after any lead-in, and offer the next step.

    The first thing a session says may be a page from the middle of a section ("Alexa,
    ask facial spasm guide for the next page"): then it says where that page is from.
    """
    state = ListenerState.of(handler_input)
    state.started = True
    session = handler_input.request_envelope.session
    if not lead and state.page_here > 0 and (session is None or session.new):
        lead = (reading_from(state),)
    return reply.ask(handler_input, *lead, *page_text(state), prompt=next_step(state),
                     title=current_section(state).title)


def read_on(handler_input: HandlerInput, *lead: str) -> Response:
    """Read page after page from here, after any lead-in, until one reply is full, then
    ask to go on."""
    state = ListenerState.of(handler_input)
    if not state.started or state.finished:
        state.go_to(0)
    state.started = True
    state.reply_began_section, state.reply_began_page = state.section, state.page
    parts = [*lead, *page_text(state)]
    while not state.at_end_of_guide:
        following = state.section, state.page
        state.advance()
        more = page_text(state)
        if sum(len(p) for p in parts + more) > READ_ALL_BUDGET:
            state.go_to(*following)
            break
        parts += more
    if state.at_end_of_guide:
        prompt = next_step(state)
    else:
        state.pending = PENDING_CONTINUE
        prompt = guide().message("continue_reading")
    return reply.ask(handler_input, *parts, prompt=prompt, title=guide().name)


def carry_on(state: ListenerState) -> str:
    """The next step after an aside (a notice, a setting): the way on from the page when
    a section is under way, else the first choices."""
    return next_step(state) if state.started else options(state)


def options(state: ListenerState) -> str:
    """The choices offered when nothing else is going on."""
    state.pending = ""
    content = guide()
    return f"{content.message('first_options')} {content.message('question')}"


def spoken_list(items: list[str]) -> str:
    """'a, b, and c' — how a list sounds when heard once."""
    if len(items) <= 2:
        return " and ".join(items)
    return ", ".join(items[:-1]) + ", and " + items[-1]


def advance_and_read(handler_input: HandlerInput) -> Response:
    """Next page; at the end of the guide, say so and offer start over or stop."""
    state = ListenerState.of(handler_input)
    if not state.started:
        state.go_to(0)
        return read_here(handler_input)
    if state.advance():
        return read_here(handler_input)
    return reply.ask(handler_input, prompt=next_step(state))


def section_names() -> list[str]:
    return [section.name for section in guide().sections]


def resume_offer(state: ListenerState) -> str:
    """'Last time you were in section 2, What causes it...': a number and a title, since a
    title alone does not sound like a name when heard once."""
    return guide().message("resume_offer", number=state.section + 1,
                           title=current_section(state).title)


def not_understood(handler_input: HandlerInput) -> Response:
    """Say what can be said; after two misses in a row, a short list of choices."""
    state = ListenerState.of(handler_input)
    state.misunderstood += 1
    state.missed = True
    content = guide()
    if state.pending == PENDING_RESUME:
        # Keep the offer open: a stray word should not lose the listener's place. Asked
        # twice, say plainly which answers there are.
        prompt = resume_offer(state) if state.misunderstood < 2 else content.message("resume_yes_no")
        return reply.ask(handler_input, content.message("misunderstood"), prompt=prompt)
    if state.pending in LIST_OFFERS and state.last_prompt:
        # The same for a list's offer of more: it names its answers itself.
        return reply.ask(handler_input, content.message("misunderstood"), prompt=state.last_prompt)
    state.pending = ""
    if state.misunderstood >= 2:
        return reply.ask(handler_input, content.message("misunderstood_again"),
                         prompt=content.message("short_choices"))
    suggestion = content.message("fallback_suggestion", names=spoken_list(section_names()))
    if state.started and not state.finished:  # keep the way back to the page open
        return reply.ask(handler_input, content.message("misunderstood"), suggestion,
                         prompt=next_step(state))
    return reply.ask(handler_input, content.message("misunderstood"),
                     prompt=f"{suggestion} {content.message('question')}")
