"""The conversation engine: one path from a request envelope to a reply, for every front-end.

    envelope.py      check and parse an Alexa envelope, run it, serialise the answer
    builder.py       the skill: every handler and interceptor in one visible list
    storage.py       saved places (SQLite), merged per request, keyed by the user-id hash
    playlist.py      the section recordings AudioPlayer streams, when a public audio URL is set
    conversation.py  Alexa's side of a session for local front-ends (chat, voice, tests)
    reply.py         the answer as local front-ends use it: plain words, speed, end, card

Front-ends that already hold an envelope (the web endpoint, Lambda) need only the names
re-exported here, which import no handlers until a skill is built.
"""

from skill.engine.envelope import BadRequest, handle_payload, invoke, parse_envelope

__all__ = ["BadRequest", "handle_payload", "invoke", "parse_envelope"]
