"""spasm-guide: run, talk to, check and build the Facial Spasm Guide.

Exit codes: 0 success, 1 a check found problems, 2 bad usage or set-up. A failure the
program can explain (a GuideError) is one line on stderr: `spasm-guide COMMAND: message`.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path

from content import ContentError, guide
from content.errors import GuideError
from skill import logs
from skill.chat.terminal import cmd_ask, cmd_chat
from skill.config import ConfigError, from_environment, port_number
from skill.options import add_data_dir, add_listener_options, positive_int

log = logging.getLogger("spasm_guide")


def cmd_serve(args: argparse.Namespace) -> int:
    from skill.web.server import bind_problem, is_loopback, serve

    guide()  # a broken content edit stops here with one clear line, before any worker starts
    port = args.port if args.port is not None else from_environment().port  # ConfigError
    problem = bind_problem(args.host, port)
    if problem:
        raise ConfigError(f"{problem} (see --host and --port, or SPASM_GUIDE_HOST and "
                          "SPASM_GUIDE_PORT)")
    if args.no_verify and is_loopback(args.host):  # elsewhere serve() refuses it in one line
        log.warning("--no-verify: Alexa request signatures are NOT checked. Local testing only.")
    return serve(host=args.host, port=port, skill_id=args.skill_id,
                 verify=not args.no_verify, data_dir=Path(args.data_dir),
                 workers=args.workers, threads=args.threads,
                 log_format=args.log_format, log_level=args.log_level)


def cmd_model(args: argparse.Namespace) -> int:
    from skill.publish.interaction_model import stale_files, write_model

    if args.check:
        stale = stale_files()
        for path in stale:
            sys.stdout.write(f"out of date: {path}\n")
        return 1 if stale else 0
    changed = write_model()
    sys.stdout.write(f"interaction model: {len(changed)} file(s) updated\n")
    return 0


def problems() -> list[str]:
    """Everything `check` looks at, as sentences; empty when all is well."""
    from skill.publish.interaction_model import stale_files
    from skill.understanding.own_words import check_asked

    found = [f"interaction model out of date: {p.name} (run: spasm-guide model)"
             for p in stale_files()]
    if not found:
        check_asked()  # a label the model lacks is a content error, named with its file
    try:
        from audio.build.check import check_audio
    except ImportError:
        return found
    try:
        return found + check_audio()
    except ContentError:
        raise
    except Exception as error:  # e.g. a corrupt manifest: report it, don't crash
        return [*found, f"audio could not be checked: {type(error).__name__}: "
                        f"{' '.join(str(error).split())}"]


def cmd_check(args: argparse.Namespace) -> int:
    found = problems()
    for problem in found:
        sys.stdout.write(f"problem: {problem}\n")
    if not found:
        sys.stdout.write(f"ok: {len(guide().sections)} sections, {len(guide().glossary)} "
                         "glossary terms, model and audio current\n")
    return 1 if found else 0


class _DefaultsHelp(argparse.ArgumentDefaultsHelpFormatter):
    """Each option's default after its help ("none" for None), unless the help says it."""

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        if "default:" in text:
            return text
        if action.default is None and action.option_strings:
            return f"{text} (default: none)"
        return super()._get_help_string(action) or ""


def _port(text: str) -> int:
    try:
        return port_number(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def build_parser() -> argparse.ArgumentParser:
    settings = from_environment()
    parser = argparse.ArgumentParser(prog="spasm-guide", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, func: Callable[[argparse.Namespace], int], text: str
                ) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=text, description=text, formatter_class=_DefaultsHelp)
        sub.set_defaults(func=func)
        return sub

    serve = command("serve", cmd_serve, "Run the web service (Alexa endpoint and listening page).")
    serve.add_argument("--host", default=settings.host,
                       help="address to listen on (SPASM_GUIDE_HOST)")
    # No default here: SPASM_GUIDE_PORT is read only when serving, so a bad value there
    # stops `serve` alone, with a message that names it.
    serve.add_argument("--port", type=_port, default=None,
                       help=f"port to listen on (SPASM_GUIDE_PORT; default: {settings.port_text})")
    serve.add_argument("--skill-id", default=settings.skill_id,
                       help="accept only requests for this Alexa skill id; with none, any "
                            "(SPASM_GUIDE_SKILL_ID)")
    serve.add_argument("--no-verify", action="store_true", default=not settings.verify,
                       help="do not check Alexa request signatures, local testing only "
                            "(SPASM_GUIDE_VERIFY=0)")
    add_data_dir(serve)
    serve.add_argument("--workers", type=positive_int, default=2, help="server processes")
    serve.add_argument("--threads", type=positive_int, default=4, help="threads per process")

    add_listener_options(command("chat", cmd_chat, "Talk to the guide by typing, in the terminal."))
    ask = command("ask", cmd_ask, "Answer one utterance, e.g. spasm-guide ask what causes it")
    ask.add_argument("utterance", nargs="+", help="what you would say")
    add_listener_options(ask)
    model = command("model", cmd_model, "Regenerate skill-package/ from content/.")
    model.add_argument("--check", action="store_true", help="only report out-of-date files")
    command("check", cmd_check, "Check content, interaction model and audio together.")
    try:
        from audio.build.cli import register
    except ImportError:
        pass
    else:
        register(commands)
    from skill.voice.cli import register as register_listen
    register_listen(commands)
    return parser


# Conversations print to a person (often through a screen reader): only warnings, unless asked.
QUIET_COMMANDS = ("chat", "ask", "listen")


def configure_logging(args: argparse.Namespace) -> None:
    """JSON lines for the service (SPASM_GUIDE_LOG_FORMAT=text for a person), text elsewhere;
    the format and level are kept on args for `serve`'s workers. ConfigError: a bad setting."""
    settings = from_environment()
    args.log_format = settings.log_format("json" if args.command == "serve" else "text")
    args.log_level = settings.log_level("WARNING" if args.command in QUIET_COMMANDS else "INFO")
    logs.configure(args.log_format, args.log_level)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        configure_logging(args)
        return int(args.func(args) or 0)
    except GuideError as error:  # content, settings, folders: one line, no traceback
        sys.stderr.write(f"spasm-guide {args.command}: {error}\n")
        return error.exit_code
    except KeyboardInterrupt:  # Ctrl-C: the conversation, if it started, has ended itself
        sys.stderr.write("\n")
        return 130
    except BrokenPipeError:
        # Output piped into a program that stopped reading (`| head`): nothing more to say,
        # and nothing for Python to fail to flush at exit either.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1


if __name__ == "__main__":
    sys.exit(main())
