"""AWS Lambda entry point: skill.aws_lambda.handler.lambda_handler.

Imports nothing web-related. Saved state goes to DynamoDB when
SPASM_GUIDE_DYNAMODB_TABLE is set, otherwise to SQLite under /tmp (kept only
while the Lambda container lives; fine for trying it out).
"""

from __future__ import annotations

import logging
from decimal import Decimal
from pathlib import Path
from typing import Any

from ask_sdk_core.attributes_manager import AbstractPersistenceAdapter

from skill import engine, logs
from skill.config import Settings, from_environment
from skill.engine.builder import build_skill
from skill.engine.playlist import load_playlist
from skill.engine.storage import SQLiteAdapter, user_key

logs.configure_lambda()
log = logging.getLogger(__name__)
LAMBDA_DATA_DIR = Path("/tmp/facial-spasm-guide")


def plain_numbers(value: Any) -> Any:
    """DynamoDB returns every number as Decimal; saved state expects int (or float)."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {key: plain_numbers(item) for key, item in value.items()}
    if isinstance(value, list):
        return [plain_numbers(item) for item in value]
    return value


# Alexa gives up on an answer after 8 s; boto3's defaults (60 s timeouts, retries) would
# hold a request for minutes on a hung endpoint. One call here takes at most two attempts
# of 1 s to connect and 2 s to read, plus under 1 s of backoff.
DYNAMODB_TIMEOUTS: dict[str, Any] = {
    "connect_timeout": 1, "read_timeout": 2,
    "retries": {"mode": "standard", "total_max_attempts": 2},
}


def dynamodb_resource() -> Any:
    """A DynamoDB resource that fails within Alexa's time limit rather than boto3's."""
    import boto3
    from botocore.config import Config

    return boto3.resource("dynamodb", config=Config(**DYNAMODB_TIMEOUTS))


def persistence_adapter(settings: Settings) -> AbstractPersistenceAdapter:
    if settings.dynamodb_table:
        from ask_sdk_dynamodb.adapter import DynamoDbAdapter

        class PlainNumbersDynamoDbAdapter(DynamoDbAdapter):
            """Without this, section, page and speed come back as Decimal and are dropped."""

            def get_attributes(self, request_envelope: Any) -> dict[str, Any]:
                return plain_numbers(super().get_attributes(request_envelope))

        return PlainNumbersDynamoDbAdapter(table_name=settings.dynamodb_table,
                                           create_table=False, partition_keygen=user_key,
                                           dynamodb_resource=dynamodb_resource())
    data_dir = settings.data_dir if settings.data_dir.is_absolute() else LAMBDA_DATA_DIR
    return SQLiteAdapter.in_folder(data_dir)


_settings = from_environment()
_skill = build_skill(persistence_adapter(_settings), _settings.skill_id,
                     playlist=load_playlist(_settings.audio_base_url))


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Answer one event; a failure is raised as a short error of our own, from None.

    Lambda returns a raised error to the caller with its type, message and stack, so
    the SDK's internals and an unexpected error's message (it may quote input) stay in
    the log, which holds only the error's type and frames (see skill/logs.py).
    """
    try:
        return engine.handle_payload(_skill, event)
    except engine.BadRequest as error:
        log.warning("bad request: %s", error)
        raise engine.BadRequest(str(error)) from None
    except Exception as error:
        log.error("unexpected error", exc_info=error)
        raise RuntimeError("internal error") from None
