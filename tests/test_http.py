"""The web service over HTTP (Flask test client): real Alexa envelopes, errors, verification.

tests/requests/*.json are full request envelopes as Alexa sends them (session,
context.System with device and API token, resolved slots). Every error answer
is JSON and carries no stack trace.
"""

from __future__ import annotations

import json
import re
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from content import guide
from skill.web.app import MAX_BODY_BYTES, create_app
from skill.web.verification import RequestVerifier
from tests.alexa_certs import (
    SKILL_ID,
    Chain,
    FakeClock,
    FakeFetcher,
    Keys,
    generate_keys,
    iso_timestamp,
    make_chain,
    signed_headers,
)
from tests.helpers import ssml_text

REQUESTS = Path(__file__).with_name("requests")
NOW = datetime(2026, 11, 25, 16, 0, 0, tzinfo=UTC)
FOREIGN_SKILL = "amzn1.ask.skill.11111111-2222-3333-4444-555555555555"
JSON = "application/json"


def envelope(name: str, **request_changes: Any) -> dict[str, Any]:
    data = json.loads((REQUESTS / name).read_text(encoding="utf-8"))
    data["request"].update(request_changes)
    return data


def with_application(data: dict[str, Any], application_id: str) -> dict[str, Any]:
    data["session"]["application"]["applicationId"] = application_id
    data["context"]["System"]["application"]["applicationId"] = application_id
    return data


def post(client: FlaskClient, data: Any, **kwargs: Any) -> TestResponse:
    body = data if isinstance(data, bytes) else json.dumps(data).encode("utf-8")
    kwargs.setdefault("content_type", JSON)
    return client.post("/alexa", data=body, **kwargs)


def speech(answer: TestResponse) -> str:
    return ssml_text(answer.get_json()["response"]["outputSpeech"]["ssml"])


def assert_clean_error(answer: TestResponse, status: int) -> None:
    assert answer.status_code == status, answer.get_data(as_text=True)
    assert answer.mimetype == JSON
    body = answer.get_data(as_text=True)
    assert isinstance(answer.get_json()["error"], str)
    for leak in ("Traceback", 'File "', "werkzeug", "site-packages", ".py"):
        assert leak not in body, body


def saved_rows(database: Path) -> int:
    if not database.exists():
        return 0
    with sqlite3.connect(database) as connection:
        try:
            return connection.execute("SELECT COUNT(*) FROM listener_state").fetchone()[0]
        except sqlite3.OperationalError:  # the table was never created
            return 0


def flat(text: str) -> str:
    return " ".join(text.split())


def first_page(section_id: str) -> str:
    content = guide()
    return flat(content.sections[content.section_index(section_id)].pages[0])


# --- real envelopes, verification off ------------------------------------------------------


@pytest.mark.parametrize("name", ["launch.json", "intent_causes.json",
                                  "intent_section_slot.json"])
def test_spoken_requests_get_a_valid_response(client: FlaskClient, name: str) -> None:
    answer = post(client, envelope(name))
    assert answer.status_code == 200
    assert answer.mimetype == JSON
    data = answer.get_json()
    assert data["version"] == "1.0"
    response = data["response"]
    assert response["outputSpeech"]["type"] == "SSML"
    ssml = response["outputSpeech"]["ssml"]
    assert ssml.startswith("<speak>") and ssml.endswith("</speak>")
    assert len(ssml) <= 8000
    assert response["shouldEndSession"] is False
    assert response["reprompt"]["outputSpeech"]["ssml"].startswith("<speak>")
    assert response["card"]["type"] == "Simple"
    assert isinstance(data["sessionAttributes"]["listener"], dict)


def test_launch_welcomes_with_the_notice(client: FlaskClient) -> None:
    said = speech(post(client, envelope("launch.json")))
    assert flat(guide().notice) in said


def test_causes_intent_reads_the_causes(client: FlaskClient) -> None:
    assert first_page("causes") in speech(post(client, envelope("intent_causes.json")))


def test_section_slot_uses_the_resolved_value(client: FlaskClient) -> None:
    """'tell me about twitching' resolves to the symptoms section, as Alexa's ER says."""
    assert first_page("symptoms") in speech(post(client, envelope("intent_section_slot.json")))


def test_session_ended_gets_an_empty_response(client: FlaskClient) -> None:
    answer = post(client, envelope("session_ended.json"))
    assert answer.status_code == 200
    data = answer.get_json()
    assert data["version"] == "1.0"
    assert "outputSpeech" not in (data.get("response") or {})


def test_charset_in_content_type_is_fine(client: FlaskClient) -> None:
    answer = post(client, envelope("launch.json"), content_type="application/json; charset=utf-8")
    assert answer.status_code == 200


def test_healthz(client: FlaskClient) -> None:
    answer = client.get("/healthz")
    assert answer.status_code == 200
    assert answer.get_json() == {"status": "ok", "sections": len(guide().sections)}


def test_healthz_is_503_when_the_data_folder_is_unusable(tmp_path: Path) -> None:
    folder = tmp_path / "a-file"
    folder.write_text("not a folder", encoding="utf-8")
    answer = create_app(verify=False, data_dir=folder).test_client().get("/healthz")
    assert_clean_error(answer, 503)
    assert answer.get_json() == {"error": "storage: database cannot be opened"}


def test_healthz_is_503_when_the_database_file_is_gone(client: FlaskClient,
                                                       tmp_path: Path) -> None:
    assert client.get("/healthz").status_code == 200
    (tmp_path / "state.sqlite3").unlink()  # its open connections keep the deleted file
    answer = client.get("/healthz")
    assert_clean_error(answer, 503)
    assert answer.get_json() == {"error": "storage: database file is missing"}


def test_healthz_writes_nothing(client: FlaskClient, tmp_path: Path) -> None:
    client.get("/healthz")  # the first probe may create the database
    before = {path.name: path.read_bytes() for path in tmp_path.iterdir()}
    for _ in range(3):
        assert client.get("/healthz").status_code == 200
    assert {path.name: path.read_bytes() for path in tmp_path.iterdir()} == before


# --- errors ------------------------------------------------------------------------


def test_wrong_method_is_405_json(client: FlaskClient) -> None:
    answer = client.get("/alexa")
    assert_clean_error(answer, 405)
    assert "POST" in answer.headers["Allow"]  # HTTP requires saying what is allowed
    assert_clean_error(client.put("/alexa", data=b"{}", content_type=JSON), 405)
    assert_clean_error(client.post("/healthz"), 405)


def test_unknown_path_is_404_json(client: FlaskClient) -> None:
    assert_clean_error(client.get("/nowhere"), 404)
    assert_clean_error(client.post("/alexa/extra", data=b"{}", content_type=JSON), 404)


def test_wrong_content_type_is_415(client: FlaskClient) -> None:
    body = json.dumps(envelope("launch.json")).encode()
    assert_clean_error(post(client, body, content_type="text/plain"), 415)
    assert_clean_error(client.post("/alexa", data=body), 415)  # no content type at all


@pytest.mark.parametrize("body", [b"{not json", b"", b"[]", b'{"request": 1}', b"\xff\xfe{}",
                                  b'{"version": "1.0", "request": {"type": "NoSuchRequest"}}'])
def test_malformed_body_is_400(client: FlaskClient, body: bytes) -> None:
    assert_clean_error(post(client, body), 400)


def test_body_over_one_megabyte_is_413(client: FlaskClient) -> None:
    data = envelope("launch.json")
    data["padding"] = "x" * (MAX_BODY_BYTES + 1)
    assert_clean_error(post(client, data), 413)


def test_unexpected_failure_is_500_without_details(tmp_path: Path) -> None:
    class Broken:
        def invoke(self, **kwargs: Any) -> Any:
            raise RuntimeError("secret detail at /srv/app/handler.py line 3")

    client = create_app(verify=False, data_dir=tmp_path, skill=Broken()).test_client()
    answer = post(client, envelope("launch.json"))
    assert_clean_error(answer, 500)
    assert "secret" not in answer.get_data(as_text=True)


# --- verification on ---------------------------------------------------------------


@pytest.fixture(scope="module")
def keys() -> Keys:
    return generate_keys()


@pytest.fixture(scope="module")
def chain(keys: Keys) -> Chain:
    return make_chain(keys, now=NOW)


@pytest.fixture
def verified_client(tmp_path: Path, chain: Chain) -> FlaskClient:
    verifier = RequestVerifier(skill_id=SKILL_ID, fetcher=FakeFetcher(chain.pem),
                               trusted_roots=[chain.root], clock=FakeClock(NOW))
    return create_app(verify=True, skill_id=SKILL_ID, data_dir=tmp_path,
                      verifier=verifier).test_client()


def fresh_launch(application_id: str = SKILL_ID) -> bytes:
    data = with_application(envelope("launch.json", timestamp=iso_timestamp(NOW)), application_id)
    return json.dumps(data).encode("utf-8")


def test_signed_launch_is_answered_and_saved(verified_client: FlaskClient, chain: Chain,
                                            tmp_path: Path) -> None:
    body = fresh_launch()
    answer = verified_client.post("/alexa", data=body, headers=signed_headers(body, chain.leaf_key))
    assert answer.status_code == 200
    assert flat(guide().notice) in speech(answer)
    assert saved_rows(tmp_path / "state.sqlite3") == 1


def test_unsigned_launch_is_refused_before_any_handler(verified_client: FlaskClient,
                                                      tmp_path: Path) -> None:
    answer = post(verified_client, fresh_launch())
    assert_clean_error(answer, 400)
    assert saved_rows(tmp_path / "state.sqlite3") == 0


def test_tampered_body_is_refused(verified_client: FlaskClient, chain: Chain,
                                  tmp_path: Path) -> None:
    headers = signed_headers(fresh_launch(), chain.leaf_key)
    tampered = fresh_launch().replace(b'"en-US"', b'"en-GB"')
    assert tampered != fresh_launch()
    assert_clean_error(verified_client.post("/alexa", data=tampered, headers=headers), 400)
    assert saved_rows(tmp_path / "state.sqlite3") == 0


def test_signed_request_for_another_skill_is_refused(verified_client: FlaskClient, chain: Chain,
                                                     tmp_path: Path) -> None:
    body = fresh_launch(FOREIGN_SKILL)
    answer = verified_client.post("/alexa", data=body, headers=signed_headers(body, chain.leaf_key))
    assert_clean_error(answer, 400)
    assert saved_rows(tmp_path / "state.sqlite3") == 0


def test_foreign_skill_without_verification_is_400_not_500(tmp_path: Path) -> None:
    client = create_app(verify=False, skill_id=SKILL_ID, data_dir=tmp_path).test_client()
    assert post(client, envelope("launch.json")).status_code == 200
    answer = post(client, with_application(envelope("launch.json"), FOREIGN_SKILL))
    assert_clean_error(answer, 400)


@pytest.mark.parametrize("missing", ["context", "application"])
def test_with_a_skill_id_a_request_without_its_context_id_is_400_not_500(
        tmp_path: Path, missing: str) -> None:
    data = with_application(envelope("launch.json"), SKILL_ID)
    if missing == "context":
        del data["context"]
    else:
        del data["context"]["System"]["application"]
    client = create_app(verify=False, skill_id=SKILL_ID, data_dir=tmp_path).test_client()
    answer = post(client, data)
    assert_clean_error(answer, 400)
    assert "applicationId" in answer.get_json()["error"]
    assert saved_rows(tmp_path / "state.sqlite3") == 0


def test_a_signed_request_without_context_is_refused(verified_client: FlaskClient, chain: Chain,
                                                     tmp_path: Path) -> None:
    data = json.loads(fresh_launch())
    del data["context"]
    body = json.dumps(data).encode("utf-8")
    answer = verified_client.post("/alexa", data=body, headers=signed_headers(body, chain.leaf_key))
    assert_clean_error(answer, 400)
    assert saved_rows(tmp_path / "state.sqlite3") == 0


# --- numbers JSON has not ----------------------------------------------------------------


def _with_session_attribute(text: str) -> bytes:
    """A real launch whose session carries `text` as a raw JSON number."""
    data = envelope("launch.json")
    data["session"]["attributes"] = {"pad": "PLACEHOLDER"}
    return json.dumps(data).replace('"PLACEHOLDER"', text).encode("utf-8")


@pytest.mark.parametrize("number", ["1e999", "-1e999", "NaN", "Infinity"])
def test_a_number_json_has_not_is_400_on_the_web(client: FlaskClient, number: str) -> None:
    answer = post(client, _with_session_attribute(number))
    assert_clean_error(answer, 400)
    assert "NaN and Infinity" in answer.get_json()["error"]


def test_a_number_json_has_not_is_refused_on_lambda(skill: Any) -> None:
    from skill import engine

    event = json.loads(_with_session_attribute("1e999"))  # as Lambda's runtime parses it
    with pytest.raises(engine.BadRequest, match="NaN and Infinity"):
        engine.handle_payload(skill, event)


# --- /healthz tells whether saves work ---------------------------------------------------


def _storage(client: FlaskClient) -> Any:
    return client.application.extensions["spasm_guide"]["storage"]


def _fill_the_disk(client: FlaskClient) -> None:
    """Cap the database at its present size on this thread's connection: saves that need
    another page fail with SQLite's own "database or disk is full"."""
    connection = _storage(client)._connection()
    pages = connection.execute("PRAGMA page_count").fetchone()[0]
    connection.execute(f"PRAGMA max_page_count = {pages}")


def _many_listeners(client: FlaskClient, count: int = 200, first: int = 0
                    ) -> list[TestResponse]:
    """First visits of `count` new listeners, each saving a new record."""
    answers = []
    for number in range(first, first + count):
        data = envelope("launch.json")
        data["session"]["user"]["userId"] = data["context"]["System"]["user"]["userId"] = \
            f"listener-{number}-" + "x" * 200
        answers.append(post(client, data))
    return answers


def test_healthz_is_503_while_saves_fail_for_a_full_disk(client: FlaskClient) -> None:
    assert client.get("/healthz").status_code == 200
    _fill_the_disk(client)
    assert {answer.status_code for answer in _many_listeners(client)} == {200}  # still answered
    answer = client.get("/healthz")
    assert_clean_error(answer, 503)
    assert "the last save failed (database or disk is full)" in answer.get_json()["error"]


def test_healthz_is_ok_again_once_a_save_works(client: FlaskClient) -> None:
    _fill_the_disk(client)
    _many_listeners(client)
    _storage(client)._connection().execute("PRAGMA max_page_count = 1073741823")
    _many_listeners(client, count=1, first=1000)
    assert client.get("/healthz").status_code == 200


def test_healthz_is_503_when_the_table_is_gone(client: FlaskClient, tmp_path: Path) -> None:
    assert client.get("/healthz").status_code == 200
    with sqlite3.connect(tmp_path / "state.sqlite3") as other:
        other.execute("DROP TABLE listener_state")
    answer = client.get("/healthz")
    assert_clean_error(answer, 503)
    assert "database cannot be read (no such table" in answer.get_json()["error"]


# --- headers on every answer ---------------------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/healthz", "/no-such-page", "/static/page.css"])
def test_every_answer_carries_the_security_headers(client: FlaskClient, path: str) -> None:
    headers = client.get(path).headers
    policy = headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "no-referrer"


def test_the_page_has_no_inline_script(client: FlaskClient) -> None:
    page = client.get("/").get_data(as_text=True)
    scripts = re.findall(r"<script\b[^>]*>", page)
    assert scripts and all(" src=" in script for script in scripts)
    assert re.search(r"<[^>]*\son[a-z]+\s*=", page) is None  # no onclick= and the like


def test_a_failed_if_match_is_412_with_no_body(client: FlaskClient) -> None:
    from audio.catalog import load_catalog
    from audio.manifest import OUTPUT_DIR

    name = next(n for n in sorted(load_catalog(OUTPUT_DIR).allowed) if n.endswith(".mp3"))
    answer = client.get(f"/audio/{name}", headers={"If-Match": '"not-this-one"'})
    assert answer.status_code == 412
    assert answer.data == b""
