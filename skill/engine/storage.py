"""Saved listener state in SQLite: one row per user, JSON attributes.

Why SQLite: a real database with transactions and a file per deployment, no
server to run. WAL mode lets readers and the writer work together;
synchronous=NORMAL keeps a write to tens of microseconds while WAL still
guarantees that a crash loses at most the last commit. User ids are stored
hashed: the row key need not reveal the Alexa account.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ask_sdk_core.attributes_manager import AbstractPersistenceAdapter
from ask_sdk_core.exceptions import PersistenceException
from ask_sdk_model import RequestEnvelope

from skill import logs

log = logging.getLogger(__name__)

DATABASE_NAME = "state.sqlite3"
SCHEMA_VERSION = 1
BUSY_TIMEOUT_MS = 200
RETRIES = 2
MAX_ATTRIBUTES_BYTES = 64 * 1024
UPSERT = ("INSERT INTO listener_state (user_key, attributes, updated_at) VALUES (?, ?, ?)"
          " ON CONFLICT(user_key) DO UPDATE SET attributes = excluded.attributes,"
          " updated_at = excluded.updated_at")
MIGRATIONS: dict[int, tuple[str, ...]] = {
    1: (
        "CREATE TABLE IF NOT EXISTS listener_state ("
        " user_key TEXT PRIMARY KEY,"
        " attributes TEXT NOT NULL,"
        " updated_at REAL NOT NULL)",
    ),
}


def user_key(request_envelope: RequestEnvelope) -> str:
    """A stable, non-reversible key for the Alexa user (or 'anonymous'): the row's key."""
    return logs.hashed_user_id(logs.user_id_of(request_envelope) or "anonymous")


class SQLiteAdapter(AbstractPersistenceAdapter):
    """ASK SDK persistence adapter on a SQLite file, safe across threads and processes."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._local = threading.local()
        self._migrated = False
        self._migrate_lock = threading.Lock()
        # What went wrong with the latest read and the latest save in this process, if
        # anything: what /healthz reports, since only real reads and writes find a full
        # disk, a damaged page or a lost table.
        self._failing: dict[str, str | None] = {"read": None, "save": None}

    @classmethod
    def in_folder(cls, data_dir: Path) -> SQLiteAdapter:
        """The database every front-end uses inside a data folder."""
        return cls(Path(data_dir) / DATABASE_NAME)

    # --- connection and schema ----------------------------------------------------------

    def _connection(self) -> sqlite3.Connection:
        connection = getattr(self._local, "connection", None)
        if connection is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            connection = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000,
                                         isolation_level=None, check_same_thread=True)
            connection.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            # NORMAL first: switching a new file to WAL then syncs once less (Lambda cold start).
            connection.execute("PRAGMA synchronous=NORMAL")
            connection.execute("PRAGMA journal_mode=WAL")
            self._local.connection = connection
        if not self._migrated:
            with self._migrate_lock:
                if not self._migrated:
                    self._migrate(connection)
                    self._migrated = True
        return connection

    def _migrate(self, connection: sqlite3.Connection) -> None:
        """Bring the schema up to SCHEMA_VERSION, one transaction per step.

        Each step re-reads the version inside its write lock, so two server processes
        starting together never run the same step twice.
        """
        while True:
            connection.execute("BEGIN IMMEDIATE")
            try:
                version = connection.execute("PRAGMA user_version").fetchone()[0]
                if version > SCHEMA_VERSION:
                    raise PersistenceException(f"{self.path} has schema {version}, newer than "
                                               f"this program ({SCHEMA_VERSION})")
                if version == SCHEMA_VERSION:
                    connection.execute("COMMIT")
                    return
                for statement in MIGRATIONS[version + 1]:
                    connection.execute(statement)
                connection.execute(f"PRAGMA user_version={version + 1}")
                connection.execute("COMMIT")
            except BaseException:
                connection.execute("ROLLBACK")
                raise

    def check_usable(self) -> None:
        """Open (or create) the database now rather than at the first request, so a terminal
        front-end can refuse an unusable folder before the conversation starts; the web
        service skips this and answers without saved state instead.

        PersistenceException says what is wrong with the folder, without naming it.
        """
        folder = self.path.parent
        if folder.exists() and not folder.is_dir():
            raise PersistenceException("it is a file, not a folder")
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise PersistenceException(f"it cannot be created ({error.strerror})") from None
        self._run("open the database", lambda connection: None)

    def problem(self) -> str | None:
        """Why saved places cannot be kept now, in a few words, or None: for /healthz.

        Cheap enough for every probe and writes nothing (the first call on a thread opens
        the database, creating it if need be): the table can be read on this thread's
        connection, the file is still there (open connections keep using a file deleted
        while the server runs, so only this notices), and this process's latest read and
        latest save worked. File permissions are not consulted: an open database may still
        save after its file turns read-only, and a save that fails says so itself.
        """
        try:
            self._run("open the database", lambda connection: None)
        except (PersistenceException, OSError):
            return "database cannot be opened"
        try:
            self._run("read the database", lambda connection: connection.execute(
                "SELECT 1 FROM listener_state LIMIT 1").fetchone())
        except PersistenceException as error:
            return f"database cannot be read ({str(error.__cause__ or error)[:80]})"
        if not self.path.exists():
            return "database file is missing"
        for action in ("save", "read"):
            if self._failing[action]:
                return f"the last {action} failed ({self._failing[action]})"
        return None

    def _recorded(self, action: str, work: Any) -> Any:
        """Run a read or a save, remembering how it went; a failed save marks the request."""
        try:
            result = self._run(f"{action} state", work)
        except PersistenceException as error:
            self._failing[action] = str(error.__cause__ or error)[:80]
            if action == "save":
                logs.note(outcome="unsaved")
            raise
        self._failing[action] = None
        return result

    def _run(self, action: str, work: Any) -> Any:
        """Run one database action, retrying briefly when another writer holds the lock."""
        for attempt in range(RETRIES + 1):
            try:
                return work(self._connection())
            except sqlite3.OperationalError as error:
                if "locked" in str(error) and attempt < RETRIES:
                    time.sleep(0.01 * (attempt + 1))
                    continue
                raise PersistenceException(f"could not {action}: {error}") from error
            except sqlite3.DatabaseError as error:
                raise PersistenceException(f"could not {action}: {error}") from error
        raise AssertionError("unreachable")

    # --- AbstractPersistenceAdapter -------------------------------------------------------

    def get_attributes(self, request_envelope: RequestEnvelope) -> dict[str, Any]:
        key = user_key(request_envelope)

        def read(connection: sqlite3.Connection) -> dict[str, Any]:
            row = connection.execute(
                "SELECT attributes FROM listener_state WHERE user_key = ?", (key,)).fetchone()
            return _decode(row[0]) if row else {}

        return self._recorded("read", read)

    def save_attributes(self, request_envelope: RequestEnvelope,
                        attributes: dict[str, Any]) -> None:
        key = user_key(request_envelope)
        encoded = _encode(attributes)
        self._recorded("save", lambda connection: connection.execute(
            UPSERT, (key, encoded, time.time())))

    def merge_attributes(self, request_envelope: RequestEnvelope, attributes: dict[str, Any],
                         changed: Iterable[str]) -> None:
        """Write the `changed` keys of `attributes` over the stored record, in one transaction.

        Each request reads the record when it starts; written back whole, the later of two
        requests for one listener (a new speed in a conversation, an audio event from another
        device) would undo the earlier one's change. Read, merge and write happen under the
        write lock (BEGIN IMMEDIATE), so every request's changes land on the latest record.
        With nothing usable stored, `attributes` is written whole.
        """
        key = user_key(request_envelope)
        changes = {name: attributes[name] for name in changed}

        def merge(connection: sqlite3.Connection) -> None:
            connection.execute("BEGIN IMMEDIATE")
            try:
                row = connection.execute(
                    "SELECT attributes FROM listener_state WHERE user_key = ?", (key,)).fetchone()
                stored = _decode(row[0]) if row else {}
                merged = {**stored, **changes} if stored else attributes
                connection.execute(UPSERT, (key, _encode(merged), time.time()))
                connection.execute("COMMIT")
            except BaseException:
                if connection.in_transaction:
                    connection.execute("ROLLBACK")
                raise

        self._recorded("save", merge)

    def delete_attributes(self, request_envelope: RequestEnvelope) -> None:
        key = user_key(request_envelope)
        self._recorded("save", lambda connection: connection.execute(
            "DELETE FROM listener_state WHERE user_key = ?", (key,)))


def _encode(attributes: dict[str, Any]) -> str:
    encoded = json.dumps(attributes, separators=(",", ":"), sort_keys=True)
    if len(encoded) > MAX_ATTRIBUTES_BYTES:
        raise PersistenceException("saved state is too large")
    return encoded


def _decode(text: str) -> dict[str, Any]:
    """A damaged row reads as 'nothing saved', never as an error for the listener."""
    try:
        value = json.loads(text)
    except ValueError:
        log.warning("ignoring unreadable saved state")
        return {}
    return value if isinstance(value, dict) else {}
