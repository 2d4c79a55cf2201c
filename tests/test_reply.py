"""The structured reply local front-ends get (skill/engine/reply.py): the words, speed, end
of session, card and audio of the skill's answer, kept as the handlers built it, while
Alexa's JSON stays exactly what the web endpoint sends."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from audio.tracks import Playlist, Track
from content import guide
from skill import engine
from skill.engine.builder import build_skill
from skill.engine.conversation import Conversation
from skill.engine.reply import Reply, from_response, run
from skill.engine.storage import SQLiteAdapter
from tests.helpers import envelope, message, ssml_text

CAUSES = guide().section("causes")


def test_a_reply_has_the_words_the_card_and_the_reprompt(launched: Conversation) -> None:
    reply = launched.say("what causes it")
    assert reply.text.startswith(CAUSES.pages[0])
    assert reply.text == ssml_text(reply.ssml)
    assert (reply.card_title, reply.card_text) == (CAUSES.title, reply.text)
    assert reply.reprompt == CAUSES.offer
    assert not reply.ended
    assert reply.intent


def test_a_reply_has_the_listeners_speed(launched: Conversation) -> None:
    assert (launched.say("where am I").rate, launched.say("slower").rate) == ("100%", "85%")
    reply = launched.say("what causes it")
    assert (reply.rate, reply.speed) == ("85%", 0.85)
    assert 'rate="85%"' in reply.ssml


def test_a_reply_that_ends_the_session_has_no_reprompt(launched: Conversation) -> None:
    reply = launched.say("stop")
    assert reply.ended
    assert (reply.text, reply.reprompt) == (guide().goodbye, "")


def test_a_silent_reply_has_no_words(skill: Any) -> None:
    _, reply = run(skill, envelope({"type": "SessionEndedRequest", "reason": "USER_INITIATED"}))
    assert reply == Reply(ended=True)


def test_taking_the_words_leaves_alexas_json_as_it_was(tmp_path: Path) -> None:
    """The same request to two skills with their own storage: the JSON the local front-ends
    get is the JSON the web endpoint sends."""
    question = {"type": "IntentRequest", "intent": {"name": "AMAZON.HelpIntent",
                                                    "confirmationStatus": "NONE"}}
    skills = [build_skill(SQLiteAdapter.in_folder(tmp_path / name)) for name in ("web", "chat")]
    sent, _ = run(skills[1], envelope(question, new=True))
    assert sent == engine.handle_payload(skills[0], envelope(question, new=True))


def test_a_reply_carries_the_audio_directives(storage: SQLiteAdapter) -> None:
    playlist = Playlist(tuple(Track(section_id=s.id, title=s.title,
                                    url=f"https://audio.example/{s.id}.mp3")
                              for s in guide().sections))
    data = envelope({"type": "IntentRequest",
                     "intent": {"name": "PlayAudioIntent", "confirmationStatus": "NONE"}},
                    new=True)
    data["context"]["System"]["device"]["supportedInterfaces"] = {"AudioPlayer": {}}
    _, reply = run(build_skill(storage, playlist=playlist), data)
    assert [directive["type"] for directive in reply.audio] == ["AudioPlayer.Play"]
    assert reply.text.endswith(message("playing", title=guide().sections[0].title))
    assert reply.ended


def test_speech_the_reply_helper_did_not_build_is_refused() -> None:
    with pytest.raises(ValueError, match=r"handlers/reply\.py"):
        from_response({"outputSpeech": {"type": "SSML", "ssml": "<speak>Hi.</speak>"}}, None)


def test_an_aside_keeps_the_speed_and_the_reprompt() -> None:
    said = Reply(text="Next?", ssml="<speak>Next?</speak>", rate="85%", ended=False,
                 reprompt="Next?").aside("I didn't catch that.", ended=False)
    assert said == Reply(text="I didn't catch that.", rate="85%", ended=False, reprompt="Next?",
                         ssml='<speak><prosody rate="85%">I didn\'t catch that.</prosody></speak>')
