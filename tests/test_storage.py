"""Saved listener state: the SQLite adapter, its failures as the listener meets them,
the DynamoDB wiring for Lambda, and the Lambda entry point itself."""

from __future__ import annotations

import hashlib
import json
import logging
import sqlite3
import subprocess
import sys
import threading
import time
import types
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from ask_sdk_core.exceptions import PersistenceException
from ask_sdk_model import RequestEnvelope

import skill.engine.storage as storage_module
from content import guide
from content.loader import NORMAL_SPEED
from skill import engine
from skill.config import Settings
from skill.engine.builder import build_skill
from skill.engine.conversation import Conversation
from skill.engine.storage import SCHEMA_VERSION, SQLiteAdapter, user_key
from tests import envelopes
from tests.helpers import resume_offer, run_together

ROOT = Path(__file__).resolve().parents[1]
REQUESTS = Path(__file__).with_name("requests")
RAW_USER = "amzn1.ask.account.RAW-USER-ID-THAT-MUST-NOT-BE-STORED"


def envelope_for(user_id: str = RAW_USER) -> RequestEnvelope:
    data = json.loads((REQUESTS / "launch.json").read_text(encoding="utf-8"))
    data["session"]["user"]["userId"] = user_id
    data["context"]["System"]["user"]["userId"] = user_id
    return engine.parse_envelope(data)


def rows(database: Path) -> list[tuple[str, str]]:
    with sqlite3.connect(database) as connection:
        return connection.execute("SELECT user_key, attributes FROM listener_state").fetchall()


def causes_first_page() -> str:
    content = guide()
    return " ".join(content.sections[content.section_index("causes")].pages[0].split())


# --- schema and settings -------------------------------------------------------------


def test_wal_mode_and_synchronous_normal(storage: SQLiteAdapter, database: Path) -> None:
    storage.save_attributes(envelope_for(), {"section": 1})
    with sqlite3.connect(database) as other:  # WAL is a property of the file
        assert other.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    connection = storage._connection()
    assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert connection.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL


def schema_version(database: Path) -> int:
    with sqlite3.connect(database) as other:
        return other.execute("PRAGMA user_version").fetchone()[0]


def test_schema_version_is_stored(storage: SQLiteAdapter, database: Path) -> None:
    assert storage.get_attributes(envelope_for()) == {}
    assert schema_version(database) == SCHEMA_VERSION


def test_migrates_an_empty_version_0_file(database: Path) -> None:
    with sqlite3.connect(database) as old:
        old.execute("CREATE TABLE unrelated (x INTEGER)")
    assert sqlite3.connect(database).execute("PRAGMA user_version").fetchone()[0] == 0
    adapter = SQLiteAdapter(database)
    adapter.save_attributes(envelope_for(), {"section": 2})
    assert adapter.get_attributes(envelope_for()) == {"section": 2}
    assert schema_version(database) == SCHEMA_VERSION


def test_migration_keeps_rows_of_an_unversioned_file(database: Path) -> None:
    """A file from before versioning (table present, user_version 0) keeps its data."""
    with sqlite3.connect(database) as old:
        old.execute("CREATE TABLE listener_state (user_key TEXT PRIMARY KEY,"
                    " attributes TEXT NOT NULL, updated_at REAL NOT NULL)")
        old.execute("INSERT INTO listener_state VALUES (?, ?, ?)",
                    (user_key(envelope_for()), '{"section": 3}', time.time()))
    adapter = SQLiteAdapter(database)
    assert adapter.get_attributes(envelope_for()) == {"section": 3}
    assert schema_version(database) == SCHEMA_VERSION


def test_newer_schema_is_refused_clearly(database: Path) -> None:
    with sqlite3.connect(database) as newer:
        newer.execute("CREATE TABLE listener_state (user_key TEXT PRIMARY KEY, extra BLOB)")
        newer.execute(f"PRAGMA user_version={SCHEMA_VERSION + 1}")
    adapter = SQLiteAdapter(database)
    with pytest.raises(PersistenceException, match="newer than this program") as refused:
        adapter.get_attributes(envelope_for())
    assert str(database) in str(refused.value)
    assert str(SCHEMA_VERSION + 1) in str(refused.value)
    with pytest.raises(PersistenceException, match="newer"):
        adapter.save_attributes(envelope_for(), {"section": 1})
    with sqlite3.connect(database) as after:  # left exactly as it was
        assert after.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION + 1


def test_newer_schema_through_the_skill_answers_and_logs(database: Path,
                                                       caplog: pytest.LogCaptureFixture) -> None:
    with sqlite3.connect(database) as newer:
        newer.execute(f"PRAGMA user_version={SCHEMA_VERSION + 1}")
    talk = Conversation(build_skill(SQLiteAdapter(database)), user_id=RAW_USER)
    with caplog.at_level(logging.WARNING):
        assert talk.launch().ended is False
        assert causes_first_page() in talk.say("what causes it").text
    assert any("newer than this program" in r.getMessage() or (
        r.exc_info and "newer than this program" in str(r.exc_info[1])) for r in caplog.records)


# --- keeping and hiding state ------------------------------------------------------------


def test_state_survives_a_restart(database: Path) -> None:
    SQLiteAdapter(database).save_attributes(envelope_for(), {"section": 4, "speed": 1})
    assert SQLiteAdapter(database).get_attributes(envelope_for()) == {"section": 4, "speed": 1}


def test_place_survives_a_restart_through_the_skill(database: Path) -> None:
    first = Conversation(build_skill(SQLiteAdapter(database)), user_id=RAW_USER)
    first.launch()
    first.say("what causes it")
    first.say("stop")
    again = Conversation(build_skill(SQLiteAdapter(database)), user_id=RAW_USER)
    offer = again.launch()
    assert resume_offer("causes") in offer.text
    assert causes_first_page() in again.say("yes").text


def test_users_are_kept_apart(storage: SQLiteAdapter) -> None:
    storage.save_attributes(envelope_for("amzn1.ask.account.A"), {"section": 1})
    storage.save_attributes(envelope_for("amzn1.ask.account.B"), {"section": 2})
    assert storage.get_attributes(envelope_for("amzn1.ask.account.A")) == {"section": 1}
    assert storage.get_attributes(envelope_for("amzn1.ask.account.B")) == {"section": 2}
    storage.delete_attributes(envelope_for("amzn1.ask.account.A"))
    assert storage.get_attributes(envelope_for("amzn1.ask.account.A")) == {}
    assert storage.get_attributes(envelope_for("amzn1.ask.account.B")) == {"section": 2}


def test_user_ids_are_stored_hashed(storage: SQLiteAdapter, database: Path) -> None:
    storage.save_attributes(envelope_for(), {"section": 1})
    expected = hashlib.sha256(RAW_USER.encode()).hexdigest()
    assert [key for key, _ in rows(database)] == [expected]
    storage._connection().close()  # checkpoint the WAL into the main file
    storage._local.connection = None
    files = list(database.parent.glob(database.name + "*"))
    assert database in files
    for path in files:
        data = path.read_bytes()
        assert RAW_USER.encode() not in data, path
        assert b"RAW-USER-ID" not in data, path


def test_a_request_without_a_user_id_is_kept_under_anonymous() -> None:
    """The key saved places have always had, so rows written before stay found."""
    assert user_key(envelope_for("")) == hashlib.sha256(b"anonymous").hexdigest()


def test_too_large_state_is_refused(storage: SQLiteAdapter) -> None:
    with pytest.raises(PersistenceException, match="too large"):
        storage.save_attributes(envelope_for(), {"last_speech": "x" * (70 * 1024)})


# --- concurrency and locks -------------------------------------------------------------


def test_concurrent_saves_for_one_user_stay_valid(storage: SQLiteAdapter, database: Path) -> None:
    request = envelope_for()
    errors: list[BaseException] = []
    written: set[str] = set()
    start = threading.Barrier(8)

    def writer(number: int) -> None:
        start.wait()
        for round_ in range(40):
            attributes = {"writer": number, "round": round_, "last_speech": f"{number}-" * 200}
            try:
                storage.save_attributes(request, attributes)
                storage.get_attributes(request)
            except BaseException as error:
                errors.append(error)
            written.add(json.dumps(attributes, sort_keys=True))

    run_together(writer, count=8)  # as many as the barrier waits for
    assert not errors, errors[:3]
    [(key, text)] = rows(database)
    assert key == user_key(request)
    assert json.dumps(json.loads(text), sort_keys=True) in written
    with sqlite3.connect(database) as check:
        assert check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_a_merge_writes_only_the_changed_fields(storage: SQLiteAdapter) -> None:
    request = envelope_for()
    storage.save_attributes(request, {"section": 1, "speed": 2})
    storage.merge_attributes(request, {"section": 3, "speed": 0}, ["speed"])
    assert storage.get_attributes(request) == {"section": 1, "speed": 0}


def test_a_merge_with_nothing_stored_writes_the_whole_record(storage: SQLiteAdapter) -> None:
    request = envelope_for()
    storage.merge_attributes(request, {"section": 3, "speed": 0}, ["speed"])
    assert storage.get_attributes(request) == {"section": 3, "speed": 0}


class ReadTogetherAdapter(SQLiteAdapter):
    """Each read waits until `readers` requests have read: all read before any of them writes."""

    def __init__(self, path: Path, readers: int) -> None:
        super().__init__(path)
        self.together = threading.Barrier(readers, timeout=10)

    def get_attributes(self, request_envelope: RequestEnvelope) -> dict[str, Any]:
        attributes = super().get_attributes(request_envelope)
        self.together.wait()
        return attributes


def test_two_requests_racing_for_one_listener_keep_both_changes(database: Path) -> None:
    engine.handle_payload(build_skill(SQLiteAdapter(database)), envelopes.launch())
    skill = build_skill(ReadTogetherAdapter(database, readers=2))
    changes = [envelopes.intent("FasterIntent", new=True), envelopes.intent("BriefIntent", new=True)]
    run_together(lambda number: engine.handle_payload(skill, changes[number]), count=2)
    saved = SQLiteAdapter(database).get_attributes(engine.parse_envelope(envelopes.launch()))
    assert (saved["speed"], saved["detail"]) == (NORMAL_SPEED + 1, "brief")


@pytest.fixture
def locked(storage: SQLiteAdapter, database: Path) -> Any:
    """Another connection holds the write lock (BEGIN EXCLUSIVE) until the test ends."""
    storage.get_attributes(envelope_for())  # create and migrate the file first
    holder = sqlite3.connect(database, isolation_level=None, timeout=0)
    holder.execute("BEGIN EXCLUSIVE")
    yield holder
    if holder.in_transaction:
        holder.execute("ROLLBACK")
    holder.close()


def test_locked_database_retries_then_raises(storage: SQLiteAdapter, locked: Any,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    pauses: list[float] = []
    monkeypatch.setattr(storage_module, "time", types.SimpleNamespace(
        time=time.time, sleep=lambda seconds: pauses.append(seconds)))
    with pytest.raises(PersistenceException, match="locked"):
        storage.save_attributes(envelope_for(), {"section": 1})
    assert len(pauses) == storage_module.RETRIES
    locked.execute("ROLLBACK")  # released: the next save goes through
    storage.save_attributes(envelope_for(), {"section": 1})
    assert storage.get_attributes(envelope_for()) == {"section": 1}


def test_locked_database_still_answers(conversation: Conversation, locked: Any,
                                       database: Path, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        turn = conversation.launch()
        assert guide().welcome.split(".")[0] in turn.text
        assert turn.ended is False
        assert causes_first_page() in conversation.say("what causes it").text
    assert any("could not save state" in r.getMessage() for r in caplog.records), caplog.text
    assert all(r.levelno < logging.ERROR for r in caplog.records), caplog.text
    locked.execute("ROLLBACK")
    assert rows(database) == []


# --- damaged data ------------------------------------------------------------------


def test_corrupt_file_still_answers_without_saving(database: Path,
                                                   caplog: pytest.LogCaptureFixture) -> None:
    garbage = b"this is not a SQLite database \x00\xff" * 512
    database.write_bytes(garbage)
    talk = Conversation(build_skill(SQLiteAdapter(database)), user_id=RAW_USER)
    with caplog.at_level(logging.WARNING):
        turn = talk.launch()
        assert flat(guide().notice) in turn.text
        assert causes_first_page() in talk.say("what causes it").text
        talk.say("stop")
    assert any("saved state unavailable" in r.getMessage() for r in caplog.records), caplog.text
    assert database.read_bytes() == garbage  # not overwritten, not "repaired"


def test_corrupt_file_raises_persistence_exception(database: Path) -> None:
    database.write_bytes(b"\x13garbage" * 1000)
    with pytest.raises(PersistenceException):
        SQLiteAdapter(database).get_attributes(envelope_for())


@pytest.mark.parametrize("stored", ["{broken", "[1, 2, 3]", "null", '"text"', ""])
def test_unreadable_row_reads_as_empty(storage: SQLiteAdapter, database: Path, stored: str,
                                       caplog: pytest.LogCaptureFixture) -> None:
    storage.save_attributes(envelope_for(), {"section": 1})
    with sqlite3.connect(database) as other:
        other.execute("UPDATE listener_state SET attributes = ?", (stored,))
    assert storage.get_attributes(envelope_for()) == {}


def test_unreadable_row_through_the_skill(storage: SQLiteAdapter, database: Path,
                                          conversation: Conversation) -> None:
    storage.get_attributes(envelope_for())  # create the schema
    listener = hashlib.sha256(conversation.user_id.encode()).hexdigest()
    with sqlite3.connect(database) as other:
        other.execute("INSERT INTO listener_state VALUES (?, '{not json', 0)", (listener,))
    turn = conversation.launch()  # a first visit again: welcome and the notice
    assert flat(guide().notice) in turn.text
    assert conversation.say("what causes it").ended is False


def flat(text: str) -> str:
    return " ".join(text.split())


# --- DynamoDB wiring for Lambda ---------------------------------------------------------


class FakeTable:
    """Behaves like boto3's Table for get_item/put_item, numbers coming back as Decimal."""

    def __init__(self) -> None:
        self.items: dict[str, dict[str, Any]] = {}
        self.keys: list[dict[str, Any]] = []

    def get_item(self, Key: dict[str, Any], ConsistentRead: bool = False) -> dict[str, Any]:
        self.keys.append(Key)
        item = self.items.get(json.dumps(Key, sort_keys=True))
        return {"Item": item} if item else {}

    def put_item(self, Item: dict[str, Any]) -> None:
        key = {k: v for k, v in Item.items() if k == "id"}
        self.keys.append(key)
        self.items[json.dumps(key, sort_keys=True)] = _as_dynamodb(Item)


def _as_dynamodb(value: Any) -> Any:
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        raise TypeError("Float types are not supported. Use Decimal types instead.")
    if isinstance(value, dict):
        return {k: _as_dynamodb(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_as_dynamodb(v) for v in value]
    raise TypeError(type(value))


class FakeDynamoDb:
    def __init__(self) -> None:
        self.table = FakeTable()
        self.names: list[str] = []

    def Table(self, name: str) -> FakeTable:
        self.names.append(name)
        return self.table


@pytest.fixture
def lambda_module(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Any:
    monkeypatch.setenv("SPASM_GUIDE_DATA_DIR", str(tmp_path / "lambda-data"))
    monkeypatch.delenv("SPASM_GUIDE_DYNAMODB_TABLE", raising=False)
    # Lambda always sets a region and credentials; here they are fake, so boto3 never
    # goes looking for real ones (instance metadata) and nothing reaches AWS.
    for name, value in {"AWS_DEFAULT_REGION": "eu-west-1", "AWS_ACCESS_KEY_ID": "testing",
                        "AWS_SECRET_ACCESS_KEY": "testing", "AWS_EC2_METADATA_DISABLED": "true",
                        "AWS_CONFIG_FILE": str(tmp_path / "none"),
                        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none")}.items():
        monkeypatch.setenv(name, value)
    import skill.aws_lambda.handler as module

    return module


def test_dynamodb_adapter_is_keyed_by_hashed_user(lambda_module: Any,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    from ask_sdk_dynamodb.adapter import DynamoDbAdapter

    from skill.config import from_environment

    monkeypatch.setenv("SPASM_GUIDE_DYNAMODB_TABLE", "spasm-guide-state")
    adapter = lambda_module.persistence_adapter(from_environment())
    assert isinstance(adapter, DynamoDbAdapter)
    assert adapter.table_name == "spasm-guide-state"
    assert adapter.create_table is False
    request = envelope_for()
    assert adapter.partition_keygen(request) == hashlib.sha256(RAW_USER.encode()).hexdigest()

    fake = FakeDynamoDb()
    adapter.dynamodb = fake
    adapter.save_attributes(request, {"section": 2, "page": 1, "speed": 1, "started": True})
    assert fake.names == ["spasm-guide-state"]
    assert all(RAW_USER not in json.dumps(key) for key in fake.table.keys)
    assert fake.table.keys[0] == {"id": user_key(request)}
    # DynamoDB hands numbers back as Decimal; the listener's place must still read as ints.
    loaded = adapter.get_attributes(request)
    assert loaded == {"section": 2, "page": 1, "speed": 1, "started": True}
    assert all(type(loaded[k]) is int for k in ("section", "page", "speed"))


def test_dynamodb_calls_give_up_before_alexa_does(lambda_module: Any) -> None:
    adapter = lambda_module.persistence_adapter(Settings(dynamodb_table="spasm-guide-state"))
    config = adapter.dynamodb.meta.client.meta.config
    assert (config.connect_timeout, config.read_timeout) == (1, 2)
    assert config.retries == {"mode": "standard", "total_max_attempts": 2}


def test_dynamodb_place_survives_through_the_skill(lambda_module: Any) -> None:
    adapter = lambda_module.persistence_adapter(Settings(dynamodb_table="spasm-guide-state"))
    adapter.dynamodb = FakeDynamoDb()
    first = Conversation(build_skill(adapter), user_id=RAW_USER)
    first.launch()
    first.say("what causes it")
    first.say("next")
    first.say("stop")
    again = Conversation(build_skill(adapter), user_id=RAW_USER)
    assert resume_offer("causes") in again.launch().text
    page_two = guide().sections[guide().section_index("causes")].pages[1]
    assert flat(page_two) in again.say("yes").text


def test_without_a_table_lambda_uses_sqlite(lambda_module: Any, tmp_path: Path) -> None:
    adapter = lambda_module.persistence_adapter(Settings(data_dir=tmp_path))
    assert isinstance(adapter, SQLiteAdapter)
    assert adapter.path == tmp_path / "state.sqlite3"
    relative = lambda_module.persistence_adapter(Settings(data_dir=Path("data")))
    assert relative.path == lambda_module.LAMBDA_DATA_DIR / "state.sqlite3"


# --- the Lambda entry point ------------------------------------------------------------

LAMBDA_SCRIPT = """
import json, sys
import skill.aws_lambda.handler as entry
web = sorted({m.split(".")[0] for m in sys.modules} & {"flask", "werkzeug", "gunicorn"})
event = json.load(open(sys.argv[1]))
print(json.dumps({"web_modules": web, "answer": entry.lambda_handler(event, None)}))
"""


def run_lambda(script: str, event: Path, tmp_path: Path, **env: str) -> str:
    """Run script with the event file in a fresh interpreter, as Lambda would; its stdout."""
    done = subprocess.run([sys.executable, "-c", script, str(event)], cwd=tmp_path,
                          env={"PATH": "/usr/bin:/bin", "SPASM_GUIDE_DATA_DIR": str(tmp_path),
                               "PYTHONPATH": str(ROOT), **env},
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_lambda_entry_imports_no_web_stack_and_answers_launch(tmp_path: Path) -> None:
    stdout = run_lambda(LAMBDA_SCRIPT, REQUESTS / "launch.json", tmp_path,
                        SPASM_GUIDE_LOG_LEVEL="WARNING")
    result = json.loads(stdout.strip().splitlines()[-1])
    assert result["web_modules"] == []
    answer = result["answer"]
    assert answer["version"] == "1.0"
    ssml = answer["response"]["outputSpeech"]["ssml"]
    assert ssml.startswith("<speak>") and flat(guide().notice) in flat(ssml)
    assert answer["response"]["shouldEndSession"] is False
    assert len(rows(tmp_path / "state.sqlite3")) == 1  # saved under SPASM_GUIDE_DATA_DIR


LAMBDA_LOG_SCRIPT = """
import json, logging, sys
logging.basicConfig(stream=sys.stdout, format="RUNTIME %(message)s")  # as Lambda's runtime does
import skill.aws_lambda.handler as entry
entry.lambda_handler(json.load(open(sys.argv[1])), None)
"""


def test_on_lambda_the_runtime_handler_writes_our_json_lines(tmp_path: Path) -> None:
    event = json.loads((REQUESTS / "launch.json").read_text(encoding="utf-8"))
    event["request"] = {"type": "System.ExceptionEncountered", "requestId": "r1",
                        "timestamp": event["request"]["timestamp"], "cause": {"requestId": "r0"},
                        "error": {"type": "INVALID_RESPONSE",
                                  "message": "bad\nFORGED line" + "y" * 200_000}}
    (tmp_path / "event.json").write_text(json.dumps(event), encoding="utf-8")
    stdout = run_lambda(LAMBDA_LOG_SCRIPT, tmp_path / "event.json", tmp_path,
                        AWS_LAMBDA_RUNTIME_API="127.0.0.1:9001")
    logged = [json.loads(line) for line in stdout.splitlines()]  # every line is JSON
    (refused,) = [line for line in logged if line["message"].startswith("Alexa refused")]
    assert len(refused["message"]) < 200


def test_lambda_handler_refuses_a_non_alexa_event(lambda_module: Any) -> None:
    with pytest.raises(engine.BadRequest):
        lambda_module.lambda_handler({"hello": "world"}, None)


def test_lambda_handler_refuses_a_request_without_its_context_id(
        lambda_module: Any, monkeypatch: pytest.MonkeyPatch, storage: SQLiteAdapter) -> None:
    event = json.loads((REQUESTS / "launch.json").read_text(encoding="utf-8"))
    skill_id = event["context"]["System"]["application"]["applicationId"]
    monkeypatch.setattr(lambda_module, "_skill", build_skill(storage, skill_id))
    del event["context"]
    with pytest.raises(engine.BadRequest, match="applicationId") as refused:
        lambda_module.lambda_handler(event, None)
    assert refused.value.__suppress_context__  # no SDK frames or chained error for the caller


def test_lambda_handler_reports_an_unexpected_failure_without_its_message(
        lambda_module: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    class Broken:
        skill_id = None

        def invoke(self, **_: Any) -> Any:
            raise RuntimeError("secret detail at /srv/app/handler.py line 3")

    monkeypatch.setattr(lambda_module, "_skill", Broken())
    event = json.loads((REQUESTS / "launch.json").read_text(encoding="utf-8"))
    with pytest.raises(RuntimeError, match=r"^internal error$") as failed:
        lambda_module.lambda_handler(event, None)
    assert failed.value.__suppress_context__


@pytest.mark.parametrize("number", [float("nan"), float("inf"), float("-inf")])
def test_lambda_handler_refuses_nan_and_infinity(lambda_module: Any, number: float) -> None:
    event = json.loads((REQUESTS / "launch.json").read_text(encoding="utf-8"))
    event["session"]["attributes"] = {"listener": {"speed": [number]}}
    with pytest.raises(engine.BadRequest, match="NaN and Infinity"):
        lambda_module.lambda_handler(event, None)
