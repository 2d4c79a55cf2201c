"""The web service: POST /alexa for Alexa, GET /healthz for monitors, and the page.

Served by `spasm-guide serve` (server.py and worker.py beside it); configuration comes
from the environment unless create_app is given it.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from ask_sdk_core.skill import CustomSkill
from flask import Blueprint, Flask, Response, current_app, jsonify, request
from werkzeug.exceptions import HTTPException

from content import guide
from skill import engine, logs
from skill.config import Settings, from_environment
from skill.engine.builder import build_skill
from skill.engine.playlist import load_playlist
from skill.engine.storage import SQLiteAdapter
from skill.page.views import page
from skill.web.verification import RequestVerifier, VerificationError

log = logging.getLogger(__name__)
MAX_BODY_BYTES = 1024 * 1024
"""The one limit on a request body, whether sent with Content-Length or chunked."""

SECURITY_HEADERS = {
    # The page loads its own stylesheet and script only (no inline script), plays audio from
    # /audio, and may not be framed by another site.
    "Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self'; "
                               "img-src 'self' data:; media-src 'self'; base-uri 'none'; "
                               "form-action 'none'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
}
"""On every response, the page's and the API's alike (worker.py adds them to its own)."""

alexa = Blueprint("alexa", __name__)
logs.watch(alexa, "alexa.alexa_endpoint")  # one log line per Alexa request


def create_app(verify: bool | None = None, skill_id: str | None = None,
               data_dir: str | Path | None = None, settings: Settings | None = None,
               verifier: RequestVerifier | None = None,
               skill: CustomSkill | None = None, audio_dir: str | Path | None = None) -> Flask:
    """Build the app. Keywords override the environment; verify=False is for local testing."""
    settings = settings or from_environment()
    logs.configure_if_unset()  # e.g. under a bare `gunicorn 'skill.web.app:create_app()'`
    verify = settings.verify if verify is None else verify
    skill_id = skill_id or settings.skill_id
    data = Path(data_dir) if data_dir else settings.data_dir
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = MAX_BODY_BYTES
    storage = None if skill else SQLiteAdapter.in_folder(data)  # a skill given keeps its own
    app.extensions["spasm_guide"] = {
        "skill": skill or build_skill(
            storage, skill_id,
            playlist=load_playlist(settings.audio_base_url, Path(audio_dir) if audio_dir else None)),
        "storage": storage,
        "verifier": (verifier or RequestVerifier(skill_id=skill_id)) if verify else None,
    }
    if not verify:
        log.warning("Alexa request verification is OFF: use only for local testing")
    guide()  # parse content now, so a broken edit stops start-up, not a request
    app.register_blueprint(alexa)
    app.register_blueprint(page, audio_dir=audio_dir)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected_error)
    app.after_request(_finish_response)
    return app


def _finish_response(response: Response) -> Response:
    """Security headers everywhere; a failed precondition (If-Match) answers with no body.

    werkzeug's conditional responses set 412 but keep the whole file as the body.
    """
    response.headers.update(SECURITY_HEADERS)
    if response.status_code == 412:
        response.response = []
        response.headers["Content-Length"] = "0"
    return response


def _services() -> dict[str, Any]:
    return current_app.extensions["spasm_guide"]


def _error(status: int, message: str) -> tuple[Response, int]:
    return jsonify(error=message), status


@alexa.post("/alexa")
def alexa_endpoint() -> Any:
    if request.mimetype != "application/json":
        return _error(415, "expected Content-Type: application/json")
    body = _body()
    if body is None:
        return _error(413, "request body is over the limit")
    verifier: RequestVerifier | None = _services()["verifier"]
    if verifier is not None:
        try:
            verifier.verify(request.headers, body)
        except VerificationError as error:
            log.info("request refused: %s", error)
            logs.note(outcome="refused")
            return _error(400, "request verification failed")
    try:
        envelope = engine.parse_envelope(body.decode("utf-8", errors="strict"))
        logs.note(envelope)
        return jsonify(engine.invoke(_services()["skill"], envelope))
    except (engine.BadRequest, UnicodeDecodeError) as error:
        return _error(400, str(error) if isinstance(error, engine.BadRequest) else "not UTF-8")


def _body() -> bytes | None:
    """The raw body, or None when it is over MAX_BODY_BYTES, however it was sent.

    worker.py hands over whole bodies with their length. Under a server that passes a
    chunked body on as it comes (no Content-Length), werkzeug would cut it at the limit
    without a word, so it is read here to one byte past the limit instead.
    """
    if request.content_length is not None:  # over the limit: Flask answers 413
        return request.get_data(cache=False)
    body = request.environ["wsgi.input"].read(MAX_BODY_BYTES + 1)
    return None if len(body) > MAX_BODY_BYTES else body


@alexa.get("/healthz")
def healthz() -> Any:
    """503 when saved places cannot be kept: the skill would answer, but forget everyone."""
    storage: SQLiteAdapter | None = _services()["storage"]
    problem = storage.problem() if storage is not None else None
    if problem:
        return _error(503, f"storage: {problem}")
    return jsonify(status="ok", sections=len(guide().sections))


def _http_error(error: HTTPException) -> tuple[Response, int]:
    response, status = _error(error.code or 500, error.description or error.name)
    # Keep what the error says beyond its text, e.g. Allow on a 405 (required by HTTP).
    for name, value in error.get_headers():
        if name.lower() != "content-type":
            response.headers[name] = value
    return response, status


def _unexpected_error(error: Exception) -> tuple[Response, int]:
    log.error("unexpected error", exc_info=error)
    return _error(500, "internal error")
