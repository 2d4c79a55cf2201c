"""The smallest honest Alexa skill: the yardstick bench/run.py measures the project against.

One ask-sdk-core SkillBuilder handler that answers every request with a fixed
speech and reprompt. `lambda_handler` is the SDK's own Lambda entry; the web
reference is one Flask route doing what skill/web/app.py does at its core:
deserialize the envelope, invoke the skill, serialize the response. Nothing
else (no content, no state, no SSML building), so a ratio against it is the
cost of everything the project adds.
"""

from __future__ import annotations

from typing import Any

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.skill_builder import SkillBuilder
from ask_sdk_model import Response

SPEECH = "Hello. This is a fixed answer."
REPROMPT = "Say it again, or stop."


class FixedSpeechHandler(AbstractRequestHandler):
    def can_handle(self, handler_input: HandlerInput) -> bool:
        return True

    def handle(self, handler_input: HandlerInput) -> Response:
        return handler_input.response_builder.speak(SPEECH).ask(REPROMPT).response


builder = SkillBuilder()
builder.add_request_handler(FixedSpeechHandler())
skill = builder.create()
lambda_handler = builder.lambda_handler()


def create_app() -> Any:
    """A Flask app with POST /alexa: deserialize, invoke, serialize; nothing more."""
    from ask_sdk_core.serialize import DefaultSerializer
    from ask_sdk_model import RequestEnvelope
    from flask import Flask, jsonify, request

    serializer = DefaultSerializer()
    app = Flask("reference_skill")

    @app.post("/alexa")
    def alexa() -> Any:
        envelope = serializer.deserialize(payload=request.get_data(as_text=True),
                                          obj_type=RequestEnvelope)
        response = skill.invoke(request_envelope=envelope, context=None)
        return jsonify(serializer.serialize(response))

    @app.get("/healthz")
    def healthz() -> Any:  # only so the load harness can tell the server is up
        return jsonify(status="ok")

    return app
