"""Playing the recorded guide with Alexa's AudioPlayer: one recording per section.

Speech stays the answer to questions; recordings play only when asked for
("play the audio guide", "listen to the causes"). Alexa's rules shape this
module: a reply to an AudioPlayer or PlaybackController event carries
directives only (no speech, card or reprompt), an ENQUEUE names the token that
is playing now, and a resume starts from the offset Alexa reports.
"""

from __future__ import annotations

import logging
from typing import ClassVar, NamedTuple

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Response

from audio.tracks import Playlist, Track
from content import guide, slot_names
from handlers import narration, reply
from handlers.dispatch import IntentHandler, intent_name
from handlers.slots import slot_text
from handlers.state import ListenerState

log = logging.getLogger(__name__)
# Intents Alexa sends outside a conversation while our recording is loaded.
TRANSPORT_INTENTS = (
    "AMAZON.PauseIntent", "AMAZON.ResumeIntent", "AMAZON.NextIntent", "AMAZON.PreviousIntent",
    "AMAZON.StartOverIntent", "AMAZON.RepeatIntent", "AMAZON.StopIntent", "AMAZON.CancelIntent",
    "AMAZON.LoopOnIntent", "AMAZON.LoopOffIntent", "AMAZON.ShuffleOnIntent",
    "AMAZON.ShuffleOffIntent",
)


def _request_type(handler_input: HandlerInput) -> str:
    return str(getattr(handler_input.request_envelope.request, "object_type", "") or "")


def _player(handler_input: HandlerInput) -> tuple[str | None, int]:
    """The token Alexa says is loaded and its offset in milliseconds."""
    context = handler_input.request_envelope.context
    state = getattr(context, "audio_player", None)
    token = getattr(state, "token", None)
    offset = getattr(state, "offset_in_milliseconds", None)
    return token, offset if isinstance(offset, int) and offset >= 0 else 0


def _event_token_and_offset(handler_input: HandlerInput) -> tuple[str | None, int]:
    request = handler_input.request_envelope.request
    offset = getattr(request, "offset_in_milliseconds", None)
    return getattr(request, "token", None), offset if isinstance(offset, int) and offset >= 0 else 0


def device_plays_audio(handler_input: HandlerInput) -> bool:
    system = getattr(handler_input.request_envelope.context, "system", None)
    interfaces = getattr(getattr(system, "device", None), "supported_interfaces", None)
    return getattr(interfaces, "audio_player", None) is not None


def _play(handler_input: HandlerInput, track: Track, offset: int = 0,
          enqueue_after: str | None = None) -> None:
    """Play `track` now, or after the token `enqueue_after` when that one finishes."""
    # ask_sdk_model's AudioPlayer models load on first use: most sessions never play
    # a recording, and importing them is a tenth of the Lambda cold start's extra cost.
    from ask_sdk_model.interfaces.audioplayer import (
        AudioItem,
        AudioItemMetadata,
        PlayBehavior,
        PlayDirective,
        Stream,
    )

    stream = Stream(token=track.token, url=track.url, offset_in_milliseconds=offset,
                    expected_previous_token=enqueue_after)
    metadata = AudioItemMetadata(title=track.title, subtitle=guide().name)
    behavior = PlayBehavior.REPLACE_ALL if enqueue_after is None else PlayBehavior.ENQUEUE
    handler_input.response_builder.add_directive(
        PlayDirective(play_behavior=behavior, audio_item=AudioItem(stream=stream, metadata=metadata)))


def _stop(handler_input: HandlerInput, clear_queue: bool) -> None:
    from ask_sdk_model.interfaces.audioplayer import (
        ClearBehavior,
        ClearQueueDirective,
        StopDirective,
    )

    if clear_queue:
        handler_input.response_builder.add_directive(
            ClearQueueDirective(clear_behavior=ClearBehavior.CLEAR_ALL))
    handler_input.response_builder.add_directive(StopDirective())


def _start(handler_input: HandlerInput, playlist: Playlist, index: int, offset: int = 0) -> None:
    """Replace whatever plays with this track, and remember it as the listener's place."""
    index = min(max(index, 0), len(playlist.tracks) - 1)
    state = ListenerState.of(handler_input)
    state.audio_track, state.audio_offset = index, offset
    _play(handler_input, playlist.tracks[index], offset)


class PlaylistHandler(AbstractRequestHandler):
    """A handler that needs the section recordings (None: playback is off)."""

    def __init__(self, playlist: Playlist | None) -> None:
        self.playlist = playlist

    def track_index(self, token: str | None) -> int | None:
        """Which of our recordings `token` names; None for another skill's, or playback off."""
        return self.playlist.index_of(token) if self.playlist is not None else None


class Loaded(NamedTuple):
    """One of our recordings, as an event names it."""

    playlist: Playlist
    token: str
    index: int
    offset: int  # milliseconds into it


class InterfaceEventHandler(PlaylistHandler):
    """Every request of one Alexa interface, e.g. all AudioPlayer.* events."""

    interface: ClassVar[str] = ""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return _request_type(handler_input).startswith(self.interface + ".")

    def event(self, handler_input: HandlerInput) -> str:
        return _request_type(handler_input).removeprefix(self.interface + ".")

    def token_and_offset(self, handler_input: HandlerInput) -> tuple[str | None, int]:
        """The recording the event is about: the interface says where to look."""
        raise NotImplementedError

    def loaded(self, handler_input: HandlerInput) -> Loaded | None:
        """The recording the event is about, if it is one of ours (and playback is on)."""
        token, offset = self.token_and_offset(handler_input)
        index = self.track_index(token)
        if self.playlist is None or token is None or index is None:
            return None
        return Loaded(self.playlist, token, index, offset)


class PlayAudioHandler(PlaylistHandler, IntentHandler):
    """'Play the audio guide' / 'listen to {section}': stream recordings, or read aloud."""

    intents = ("PlayAudioIntent",)

    def handle(self, handler_input: HandlerInput) -> Response:
        state = ListenerState.of(handler_input)
        section = guide().find_section(slot_text(handler_input, slot_names.SECTION))
        if self.playlist is None or not device_plays_audio(handler_input):
            if section is not None:
                state.go_to(guide().section_index(section.id))
            elif not state.started or state.finished:
                state.go_to(0)
            return narration.read_current_page(handler_input, guide().message("no_recordings"))
        if section is not None:
            index = self.playlist.index_for_section(section.id) or 0
            offset = 0
        else:
            index = state.audio_track if state.audio_track >= 0 else 0
            offset = state.audio_offset if state.audio_track >= 0 else 0
        _start(handler_input, self.playlist, index, offset)
        title = self.playlist.tracks[min(index, len(self.playlist.tracks) - 1)].title
        return reply.tell(handler_input, guide().message("playing", title=title))


class AudioPlayerEventHandler(InterfaceEventHandler):
    """AudioPlayer events: keep the saved place current and queue the next section."""

    interface = "AudioPlayer"

    def token_and_offset(self, handler_input: HandlerInput) -> tuple[str | None, int]:
        return _event_token_and_offset(handler_input)  # AudioPlayer events carry their own

    def handle(self, handler_input: HandlerInput) -> Response:
        kind = self.event(handler_input)
        loaded = self.loaded(handler_input)
        if loaded is None:
            log.info("audio event for a token that is not ours", extra={"event": kind})
            return reply.silent(handler_input)
        playlist, token, index, offset = loaded
        state = ListenerState.of(handler_input)
        if kind in ("PlaybackStarted", "PlaybackStopped"):
            state.audio_track, state.audio_offset = index, offset
        elif kind == "PlaybackFinished":
            following = index + 1
            state.audio_track = following if following < len(playlist.tracks) else -1
            state.audio_offset = 0
        elif kind == "PlaybackNearlyFinished" and index + 1 < len(playlist.tracks):
            _play(handler_input, playlist.tracks[index + 1], enqueue_after=token)
        elif kind == "PlaybackFailed":
            error = getattr(handler_input.request_envelope.request, "error", None)
            # The message is request text: at most 80 characters, escaped (%r), never a forged line.
            log.warning("playback failed: %s %r", getattr(error, "object_type", ""),
                        str(getattr(error, "message", None) or "")[:80])
        return reply.silent(handler_input)


# What the device buttons and the spoken transport intents ask the player to do.
CONTROLLER_ACTIONS = {
    "PauseCommandIssued": "pause", "PlayCommandIssued": "resume",
    "NextCommandIssued": "next", "PreviousCommandIssued": "previous",
}
INTENT_ACTIONS = {
    "AMAZON.PauseIntent": "pause", "AMAZON.StopIntent": "stop", "AMAZON.CancelIntent": "stop",
    "AMAZON.ResumeIntent": "resume", "AMAZON.NextIntent": "next",
    "AMAZON.PreviousIntent": "previous", "AMAZON.StartOverIntent": "restart",
    "AMAZON.RepeatIntent": "restart",
}


def _transport(handler_input: HandlerInput, playlist: Playlist, action: str, index: int,
               offset: int) -> bool:
    """Do one player action on the loaded recording; False when there is no next one."""
    if action in ("pause", "stop"):
        ListenerState.of(handler_input).audio_offset = offset
        _stop(handler_input, clear_queue=action == "stop")
    elif action == "next":
        if index + 1 >= len(playlist.tracks):
            return False
        _start(handler_input, playlist, index + 1)
    else:
        moved = {"resume": (index, offset), "previous": (index - 1, 0), "restart": (index, 0)}
        _start(handler_input, playlist, *moved[action])
    return True


class PlaybackControllerHandler(InterfaceEventHandler):
    """Buttons on the device or app: next, previous, play, pause. Directives only."""

    interface = "PlaybackController"

    def token_and_offset(self, handler_input: HandlerInput) -> tuple[str | None, int]:
        return _player(handler_input)  # button presses name no token: the player's state does

    def handle(self, handler_input: HandlerInput) -> Response:
        command = self.event(handler_input)
        loaded = self.loaded(handler_input)
        if loaded is not None and command in CONTROLLER_ACTIONS:
            _transport(handler_input, loaded.playlist, CONTROLLER_ACTIONS[command], loaded.index,
                       loaded.offset)
        return reply.silent(handler_input)


class PlaybackIntentHandler(PlaylistHandler):
    """'Alexa, pause / resume / next' said while one of our recordings is loaded."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        if intent_name(handler_input) not in TRANSPORT_INTENTS:
            return False
        session = handler_input.request_envelope.session
        in_conversation = session is not None and not session.new
        token, _ = _player(handler_input)
        return not in_conversation and self.track_index(token) is not None

    def handle(self, handler_input: HandlerInput) -> Response:
        assert self.playlist is not None
        action = INTENT_ACTIONS.get(intent_name(handler_input))
        if action is None:  # loop and shuffle
            return reply.tell(handler_input, guide().message("no_loop_or_shuffle"))
        token, offset = _player(handler_input)
        index = self.playlist.index_of(token) or 0
        if not _transport(handler_input, self.playlist, action, index, offset):
            return reply.tell(handler_input, guide().message("guide_end_audio"))
        return handler_input.response_builder.set_should_end_session(True).response


class ExceptionEncounteredHandler(AbstractRequestHandler):
    """Alexa reports that an earlier reply was refused: log it; nothing may be said."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return _request_type(handler_input) == "System.ExceptionEncountered"

    def handle(self, handler_input: HandlerInput) -> Response:
        error = getattr(handler_input.request_envelope.request, "error", None)
        log.warning("Alexa refused a reply: %s %r", getattr(error, "object_type", ""),
                    str(getattr(error, "message", None) or "")[:80])  # as for playback failed
        return reply.silent(handler_input)


def handlers(playlist: Playlist | None) -> tuple[AbstractRequestHandler, ...]:
    """Playback handlers go first, so transport intents reach them while audio is loaded."""
    return (PlaybackIntentHandler(playlist), PlayAudioHandler(playlist),
            AudioPlayerEventHandler(playlist), PlaybackControllerHandler(playlist),
            ExceptionEncounteredHandler())
