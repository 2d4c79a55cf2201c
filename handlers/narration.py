"""What to say about the listener's place in the guide: pages, next steps, menus.

Shared by the reading, navigation, launch and answer handlers so that every
route to a page sounds the same and ends with the same next step.
"""

from __future__ import annotations

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Response

from content import Section, guide
from handlers import reply, suggestions
from handlers.state import (
    KEEPS_ITS_QUESTION,
    LIST_OFFERS,
    PENDING_CONTINUE,
    PENDING_NEXT,
    PENDING_RESUME,
    ListenerState,
    Offer,
)


def current_section(state: ListenerState) -> Section:
    return guide().sections[state.section]


def current_page_text(state: ListenerState) -> str:
    """The text of the page the listener is on, as they hear it: in brief, the summary."""
    section = current_section(state)
    return section.summary if state.brief else section.pages[state.page]


def current_page_with_heading(state: ListenerState) -> list[str]:
    """The words of the current page, with the section heading on its first page."""
    if state.page_at_detail == 0:
        title = current_section(state).title
        return [guide().message("section_heading", title=title), current_page_text(state)]
    return [current_page_text(state)]


def next_step(state: ListenerState) -> Offer:
    """What the listener can do after this page: Yes means the next page; at the end of
    the guide, nothing is offered and the guide is finished."""
    content = guide()
    if state.at_end_of_guide:
        return Offer(content.message("guide_end"), ends_guide=True)
    if state.at_last_page_of_section:
        following = content.sections[state.section + 1].title
        said = content.message("section_end", title=current_section(state).title, next=following)
    else:
        said = content.message("more_pages")
    return Offer(said, PENDING_NEXT)


def first_choices() -> Offer:
    """The choices offered when nothing else is going on; Yes answers nothing in them."""
    content = guide()
    return Offer(f"{content.message('first_options')} {content.message('question')}")


def next_step_after_aside(state: ListenerState) -> Offer:
    """The next step after an aside (a notice, a setting): the way on from the page when
    a section is under way, else the first choices."""
    return next_step(state) if state.started else first_choices()


def say_with_first_choices(handler_input: HandlerInput, *said: str) -> Response:
    """Say something, then offer the first choices: for requests with nothing to go on
    from (a menu, nothing started or to resume)."""
    state = ListenerState.of(handler_input)
    return reply.ask(handler_input, *said, prompt=state.offer(first_choices()))


def reading_from(state: ListenerState) -> str:
    """'From Treatment, page 2.': where a page comes from, when nothing else has said it."""
    return guide().message("reading_on_from", title=current_section(state).title,
                           page=state.page + 1)


def read_current_page(handler_input: HandlerInput, *lead: str) -> Response:
    """Read the current page, after any lead-in, and offer the next step.

    The first thing a session says may be a page from the middle of a section ("Alexa,
    ask facial spasm guide for the next page"): then it says where that page is from.
    """
    state = ListenerState.of(handler_input)
    state.started = True
    session = handler_input.request_envelope.session
    if not lead and state.page_at_detail > 0 and (session is None or session.new):
        lead = (reading_from(state),)
    return reply.ask(handler_input, *lead, *current_page_with_heading(state),
                     prompt=state.offer(next_step(state)), title=current_section(state).title)


def read_page_then_ask_to_continue(handler_input: HandlerInput, *lead: str) -> Response:
    """'Read everything': this page, then a short check before the next, so 'where am I',
    'slower' and 'back' act on the page just heard, not on one far ahead of it."""
    state = ListenerState.of(handler_input)
    if not state.started or state.finished:
        state.go_to(0)
    state.started = True
    parts = [*lead, *current_page_with_heading(state)]
    offer = (next_step(state) if state.at_end_of_guide
             else Offer(guide().message("continue_reading"), PENDING_CONTINUE))
    return reply.ask(handler_input, *parts, prompt=state.offer(offer),
                     title=current_section(state).title)


def spoken_list(items: list[str]) -> str:
    """'a, b, and c' — how a list sounds when heard once."""
    if len(items) <= 2:
        return " and ".join(items)
    return ", ".join(items[:-1]) + ", and " + items[-1]


def read_next_page(handler_input: HandlerInput) -> Response:
    """Next page; at the end of the guide, say so and offer start over or stop."""
    state = ListenerState.of(handler_input)
    if not state.started:
        state.go_to(0)
        return read_current_page(handler_input)
    if state.advance():
        return read_current_page(handler_input)
    return reply.ask(handler_input, prompt=state.offer(next_step(state)))


def resume_offer(state: ListenerState) -> str:
    """'Last time you were in section 2, What causes it...': a number and a title, since a
    title alone does not sound like a name when heard once."""
    return guide().message("resume_offer", number=state.section + 1,
                           title=current_section(state).title)


def not_understood(handler_input: HandlerInput) -> Response:
    """A miss: said plainly as something the guide does not cover (Alexa sends anything it
    could not place to FallbackIntent), unless a yes-or-no question is open."""
    state = ListenerState.of(handler_input)
    said = (guide().message("misunderstood") if state.pending in KEEPS_ITS_QUESTION
            else guide().scope.not_covered_reply)
    return plain_reply(handler_input, said, suggestions.topics_here(state), missed=True)


def plain_reply(handler_input: HandlerInput, said: str, instead: list[str] | tuple[str, ...], *,
                missed: bool) -> Response:
    """A reply that answers no question of the guide's (a miss, something not covered, off
    topic) and then offers what it can answer. An open offer to resume or to hear more of a
    list is asked again instead, so a stray word never loses the listener's place. After two
    misses in a row, the questions closest to what was said, when a front-end heard them."""
    state = ListenerState.of(handler_input)
    content = guide()
    if missed:
        state.misunderstood += 1
        state.missed = True
    if state.pending == PENDING_RESUME:
        # Asked twice, say plainly which answers there are.
        prompt = resume_offer(state) if state.misunderstood < 2 else content.message("resume_yes_no")
        return reply.ask(handler_input, said, prompt=prompt, aside=True)
    if state.pending in LIST_OFFERS and state.last_prompt:
        return reply.ask(handler_input, said, prompt=state.last_prompt, aside=True)
    state.pending = ""
    if missed and state.misunderstood >= 2:
        said = content.message("misunderstood_again")
        instead = suggestions.near_topics(handler_input) or instead
    return reply.ask(handler_input, said, prompt=suggestions.you_could_ask(instead), aside=True)
