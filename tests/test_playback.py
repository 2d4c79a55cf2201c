"""AudioPlayer playback: the play intent, events, controller buttons and transport intents."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from ask_sdk_core.skill import CustomSkill

from audio.tracks import TOKEN_PREFIX, Playlist, Track
from content import guide
from skill import engine
from skill.engine.builder import build_skill
from skill.engine.storage import SQLiteAdapter

USER = "amzn1.ask.account.playback-listener"
SILENT_FIELDS = ("outputSpeech", "card", "reprompt")


@pytest.fixture
def playlist() -> Playlist:
    return Playlist(tuple(
        Track(section_id=s.id, title=s.title, url=f"https://audio.example/{s.id}.mp3")
        for s in guide().sections))


@pytest.fixture
def audio_skill(storage: SQLiteAdapter, playlist: Playlist) -> CustomSkill:
    return build_skill(storage, playlist=playlist)


def envelope(request: dict[str, Any], *, token: str | None = None, offset: int = 0,
             audio_device: bool = True, session_new: bool | None = True) -> dict[str, Any]:
    """An Alexa envelope from a device that can (or cannot) play audio."""
    system: dict[str, Any] = {
        "application": {"applicationId": "amzn1.ask.skill.test"},
        "user": {"userId": USER},
        "device": {"deviceId": "d", "supportedInterfaces": {"AudioPlayer": {}} if audio_device
                   else {}},
    }
    context: dict[str, Any] = {"System": system}
    if token is not None:
        context["AudioPlayer"] = {"token": token, "offsetInMilliseconds": offset,
                                  "playerActivity": "STOPPED"}
    data: dict[str, Any] = {"version": "1.0", "context": context, "request": {
        "requestId": f"r.{uuid.uuid4()}", "timestamp": "2026-11-25T16:00:00Z", "locale": "en-US",
        **request}}
    if session_new is not None:
        data["session"] = {"new": session_new, "sessionId": "s", "attributes": {},
                           "application": system["application"], "user": system["user"]}
    return data


def intent(name: str, **slots: str) -> dict[str, Any]:
    body: dict[str, Any] = {"name": name, "confirmationStatus": "NONE"}
    if slots:
        body["slots"] = {k: {"name": k, "value": v} for k, v in slots.items()}
    return {"type": "IntentRequest", "intent": body}


def send(skill: CustomSkill, data: dict[str, Any]) -> dict[str, Any]:
    return engine.handle_payload(skill, data)["response"]


def play_directive(response: dict[str, Any]) -> dict[str, Any]:
    plays = [d for d in response.get("directives", []) if d["type"] == "AudioPlayer.Play"]
    assert len(plays) == 1, response
    return plays[0]


def test_play_intent_starts_the_first_recording(audio_skill: CustomSkill) -> None:
    response = send(audio_skill, envelope(intent("PlayAudioIntent")))
    directive = play_directive(response)
    assert directive["playBehavior"] == "REPLACE_ALL"
    assert directive["audioItem"]["stream"]["url"].endswith("/overview.mp3")
    assert response["shouldEndSession"] is True


def test_listen_to_a_section_plays_that_section(audio_skill: CustomSkill) -> None:
    response = send(audio_skill, envelope(intent("PlayAudioIntent", section="causes")))
    assert play_directive(response)["audioItem"]["stream"]["token"] == TOKEN_PREFIX + "causes"


def test_without_audio_player_the_guide_is_read_aloud(audio_skill: CustomSkill) -> None:
    response = send(audio_skill, envelope(intent("PlayAudioIntent", section="causes"),
                                          audio_device=False))
    assert "directives" not in response or not response["directives"]
    assert "Recordings aren't available" in response["outputSpeech"]["ssml"]
    assert guide().section("causes").pages[0][:30] in response["outputSpeech"]["ssml"]


def test_without_a_playlist_the_guide_is_read_aloud(skill: CustomSkill) -> None:
    response = send(skill, envelope(intent("PlayAudioIntent")))
    assert "Recordings aren't available" in response["outputSpeech"]["ssml"]
    assert response["shouldEndSession"] is False


@pytest.mark.parametrize("event", ["PlaybackStarted", "PlaybackStopped", "PlaybackFinished",
                                   "PlaybackNearlyFinished", "PlaybackFailed"])
def test_audio_events_are_answered_without_speech(audio_skill: CustomSkill, event: str) -> None:
    request = {"type": f"AudioPlayer.{event}", "token": TOKEN_PREFIX + "causes",
               "offsetInMilliseconds": 1000}
    if event == "PlaybackFailed":
        request["error"] = {"type": "MEDIA_ERROR_UNKNOWN", "message": "bad file"}
    response = send(audio_skill, envelope(request, session_new=None))
    assert not any(field in response for field in SILENT_FIELDS)


def test_nearly_finished_enqueues_the_next_section(audio_skill: CustomSkill) -> None:
    request = {"type": "AudioPlayer.PlaybackNearlyFinished", "token": TOKEN_PREFIX + "causes",
               "offsetInMilliseconds": 50_000}
    directive = play_directive(send(audio_skill, envelope(request, session_new=None)))
    assert directive["playBehavior"] == "ENQUEUE"
    assert directive["audioItem"]["stream"]["expectedPreviousToken"] == TOKEN_PREFIX + "causes"
    assert directive["audioItem"]["stream"]["token"] == TOKEN_PREFIX + "symptoms"


def test_nearly_finished_on_the_last_section_enqueues_nothing(audio_skill: CustomSkill) -> None:
    last = guide().sections[-1].id
    request = {"type": "AudioPlayer.PlaybackNearlyFinished", "token": TOKEN_PREFIX + last,
               "offsetInMilliseconds": 0}
    assert not send(audio_skill, envelope(request, session_new=None)).get("directives")


def test_resume_continues_from_the_offset_alexa_reports(audio_skill: CustomSkill) -> None:
    """Alexa's context at resume time is the truth; the saved stop is for a later session."""
    stopped = {"type": "AudioPlayer.PlaybackStopped", "token": TOKEN_PREFIX + "symptoms",
               "offsetInMilliseconds": 10_000}
    send(audio_skill, envelope(stopped, session_new=None))
    response = send(audio_skill, envelope(intent("AMAZON.ResumeIntent"),
                                          token=TOKEN_PREFIX + "symptoms", offset=12_345))
    stream = play_directive(response)["audioItem"]["stream"]
    assert (stream["token"], stream["offsetInMilliseconds"]) == (TOKEN_PREFIX + "symptoms", 12_345)


def test_play_again_later_starts_where_playback_stopped(audio_skill: CustomSkill) -> None:
    stopped = {"type": "AudioPlayer.PlaybackStopped", "token": TOKEN_PREFIX + "treatment",
               "offsetInMilliseconds": 4_000}
    send(audio_skill, envelope(stopped, session_new=None))
    stream = play_directive(send(audio_skill, envelope(intent("PlayAudioIntent"))))["audioItem"][
        "stream"]
    assert (stream["token"], stream["offsetInMilliseconds"]) == (TOKEN_PREFIX + "treatment", 4_000)


def test_pause_stops_the_player(audio_skill: CustomSkill) -> None:
    response = send(audio_skill, envelope(intent("AMAZON.PauseIntent"),
                                          token=TOKEN_PREFIX + "causes", offset=900))
    assert [d["type"] for d in response["directives"]] == ["AudioPlayer.Stop"]


@pytest.mark.parametrize(("intent_name", "expected"), [
    ("AMAZON.NextIntent", "symptoms"), ("AMAZON.PreviousIntent", "overview"),
    ("AMAZON.StartOverIntent", "causes")])
def test_transport_intents_move_between_recordings(audio_skill: CustomSkill, intent_name: str,
                                                   expected: str) -> None:
    response = send(audio_skill, envelope(intent(intent_name), token=TOKEN_PREFIX + "causes",
                                          offset=5_000))
    stream = play_directive(response)["audioItem"]["stream"]
    assert (stream["token"], stream["offsetInMilliseconds"]) == (TOKEN_PREFIX + expected, 0)


def test_next_inside_a_spoken_conversation_turns_the_page(audio_skill: CustomSkill) -> None:
    """A loaded recording must not hijack 'next' while the listener is talking to the skill."""
    response = send(audio_skill, envelope(intent("AMAZON.NextIntent"),
                                          token=TOKEN_PREFIX + "causes", session_new=False))
    assert "outputSpeech" in response and not response.get("directives")


@pytest.mark.parametrize("intent_name", ["AMAZON.LoopOnIntent", "AMAZON.ShuffleOnIntent"])
def test_loop_and_shuffle_get_a_short_answer(audio_skill: CustomSkill, intent_name: str) -> None:
    response = send(audio_skill, envelope(intent(intent_name), token=TOKEN_PREFIX + "causes"))
    assert "aren't available" in response["outputSpeech"]["ssml"]


@pytest.mark.parametrize("command", ["NextCommandIssued", "PreviousCommandIssued",
                                     "PlayCommandIssued", "PauseCommandIssued"])
def test_controller_buttons_get_directives_only(audio_skill: CustomSkill, command: str) -> None:
    response = send(audio_skill, envelope({"type": f"PlaybackController.{command}"},
                                          token=TOKEN_PREFIX + "causes", offset=700,
                                          session_new=None))
    assert response.get("directives")
    assert not any(field in response for field in SILENT_FIELDS)


def test_exception_encountered_is_logged_silently(audio_skill: CustomSkill,
                                                  caplog: pytest.LogCaptureFixture) -> None:
    request = {"type": "System.ExceptionEncountered",
               "error": {"type": "INVALID_RESPONSE", "message": "bad reply"},
               "cause": {"requestId": "r0"}}
    response = send(audio_skill, envelope(request, session_new=None))
    assert not any(field in response for field in SILENT_FIELDS)
    assert "bad reply" in caplog.text


HUGE_MESSAGE = "bad reply\nFORGED line " + "y" * 200_000

ERROR_REQUESTS = {
    "ExceptionEncountered": {"type": "System.ExceptionEncountered", "cause": {"requestId": "r0"},
                             "error": {"type": "INVALID_RESPONSE", "message": HUGE_MESSAGE}},
    "PlaybackFailed": {"type": "AudioPlayer.PlaybackFailed", "token": TOKEN_PREFIX + "causes",
                       "error": {"type": "MEDIA_ERROR_UNKNOWN", "message": HUGE_MESSAGE}},
}


@pytest.mark.parametrize("name", list(ERROR_REQUESTS))
def test_an_error_message_in_a_request_is_logged_short_and_escaped(
        audio_skill: CustomSkill, caplog: pytest.LogCaptureFixture, name: str) -> None:
    send(audio_skill, envelope(ERROR_REQUESTS[name], session_new=None))
    (logged,) = [r.getMessage() for r in caplog.records if "bad reply" in r.getMessage()]
    assert len(logged) < 200 and "\n" not in logged
    assert ERROR_REQUESTS[name]["error"]["type"] in logged


def test_a_failing_event_handler_stays_silent(audio_skill: CustomSkill,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    from handlers import playback

    def broken(*_: object, **__: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(playback, "_play", broken)
    request = {"type": "AudioPlayer.PlaybackNearlyFinished", "token": TOKEN_PREFIX + "causes",
               "offsetInMilliseconds": 0}
    response = send(audio_skill, envelope(request, session_new=None))
    assert not any(field in response for field in SILENT_FIELDS)


def test_a_request_with_nothing_to_say_is_answered_silently(
        skill: CustomSkill, caplog: pytest.LogCaptureFixture) -> None:
    request = {"type": "CanFulfillIntentRequest",
               "intent": {"name": "ReadCausesIntent", "confirmationStatus": "NONE"}}
    response = send(skill, envelope(request, session_new=None))
    assert not any(field in response for field in SILENT_FIELDS)
    assert "handler failed" not in caplog.text


def test_stop_clears_the_queue_and_stops(audio_skill: CustomSkill) -> None:
    response = send(audio_skill, envelope(intent("AMAZON.StopIntent"),
                                          token=TOKEN_PREFIX + "causes", offset=900))
    assert [d["type"] for d in response["directives"]] == ["AudioPlayer.ClearQueue",
                                                            "AudioPlayer.Stop"]


def test_next_after_the_last_recording_says_so(audio_skill: CustomSkill) -> None:
    last = guide().sections[-1].id
    response = send(audio_skill, envelope(intent("AMAZON.NextIntent"), token=TOKEN_PREFIX + last))
    assert not response.get("directives")
    assert "last recording" in response["outputSpeech"]["ssml"]
