"""Talk to the guide by typing: the same engine, saved place and speeds as on Alexa."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from skill.config import ConfigError

if TYPE_CHECKING:  # the conversation engine loads only for commands that talk
    from skill.engine.conversation import Conversation


def open_conversation(args: argparse.Namespace) -> Conversation:
    """The conversation a local front-end talks to, over storage that already works.

    The web service answers even when saving fails; a person at a terminal is told at
    once instead, rather than losing their place in silence.
    """
    from ask_sdk_core.exceptions import PersistenceException

    from skill.engine.builder import build_skill
    from skill.engine.conversation import Conversation
    from skill.engine.storage import SQLiteAdapter

    storage = SQLiteAdapter.in_folder(Path(args.data_dir))
    try:
        storage.check_usable()
    except PersistenceException as error:
        raise ConfigError(f"cannot keep saved places in {args.data_dir} "
                          f"(--data-dir or SPASM_GUIDE_DATA_DIR): {error}") from None
    return Conversation(build_skill(storage), user_id=args.user)


def cmd_chat(args: argparse.Namespace) -> int:
    """A typed conversation until the listener says stop or closes the input."""
    conversation = open_conversation(args)
    out = sys.stdout
    out.write("Type what you would say; 'stop' or 'quit' to leave, an empty line to hear the "
              "choices again.\n")
    reply = conversation.launch()
    out.write(f"guide: {reply.text}\n")
    while conversation.open:
        try:
            line = input("you: ")
        except (EOFError, KeyboardInterrupt):
            out.write("\n")
            break
        if line.strip().lower() in ("quit", "exit"):
            line = "stop"
        if not line.strip():  # a silent listener hears the choices again, as on a speaker
            out.write(f"guide: {reply.reprompt or reply.text}\n")
            continue
        reply = conversation.say(line)
        out.write(f"guide: {reply.text}\n")
    conversation.end()
    return 0


def cmd_ask(args: argparse.Namespace) -> int:
    """One utterance, one answer, as "Alexa, ask facial spasm guide ..." would give."""
    conversation = open_conversation(args)
    reply = conversation.say(" ".join(args.utterance))
    sys.stdout.write(reply.text + "\n")
    conversation.end()
    return 0
