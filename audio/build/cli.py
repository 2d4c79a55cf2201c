"""``spasm-guide build-audio`` on the command line: its flags, and what it prints.

The build itself (and the libraries it loads: LAME, numpy, the loudness meter) is
imported only when the command runs, so adding it to the parser costs every other
command nothing.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from audio.engines import ENGINE_NAMES, EngineUnavailable, get_engine, piper_voice_fallback
from audio.files import display_path
from audio.manifest import OUTPUT_DIR, normalise_base_url
from content import ContentError
from skill.config import from_environment
from skill.options import positive_int

COMMAND = "spasm-guide build-audio"


def _base_url(text: str) -> str:
    """argparse type: --base-url, checked as the build will use it."""
    try:
        return normalise_base_url(text) or ""
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def register(subparsers: Any) -> None:
    """Add ``build-audio`` to the spasm-guide command line (skill/cli.py calls this)."""
    parser = subparsers.add_parser(
        "build-audio",
        help="write the guide's MP3 files, manifest, playlist, cover, feed and zip",
        description="Voice every page, section and the whole guide as Alexa-playable MP3 "
                    "(MPEG-2 layer III, 48 kbps, 22,050 Hz, mono) at -16 LUFS with true "
                    "peaks at most -1 dBTP, then write manifest.json, guide.m3u, cover.png, "
                    "guide.zip and (with --base-url) feed.xml. Only files whose text, engine "
                    "or voice changed are rebuilt.",
    )
    parser.add_argument(
        "--engine", choices=("auto", *ENGINE_NAMES), default="auto",
        help="text-to-speech engine (default: auto = gtts when online, else piper, flite, "
             "espeak; the committed audio uses flite, whose voice may be published)")
    parser.add_argument(
        "--jobs", type=positive_int, default=None, metavar="N",
        help="texts synthesized in parallel threads (default: the CPU count, at most 4, "
             "for piper and espeak; 4 for gtts, which waits on the network)")
    parser.add_argument(
        "--force", action="store_true",
        help="rebuild every file even if unchanged (default: off, unchanged files are skipped)")
    parser.add_argument(
        "--base-url", type=_base_url, default=None, metavar="URL",
        help="where the output folder is published; playlist and feed links become "
             "absolute under it (default: none, links are relative)")
    parser.add_argument(
        "--out", type=Path, default=OUTPUT_DIR, metavar="DIR",
        help=f"output folder (default: {display_path(OUTPUT_DIR)}, the committed audio)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Run build-audio: 0 built, 1 the build failed, 2 no engine, 130 interrupted."""
    from audio.build.run import BuildError, build

    settings = from_environment()
    try:
        engine = get_engine(args.engine, settings)
    except EngineUnavailable as error:
        print(f"{COMMAND}: {error}", file=sys.stderr)
        return 2
    if args.engine == "auto":
        fallback = piper_voice_fallback(engine, settings)
        if fallback:
            print(f"{COMMAND}: warning: {fallback}", file=sys.stderr)
        print(f"engine: auto chose {engine.name} (voice {engine.voice})", file=sys.stderr)
    try:
        report = build(engine=engine, out_dir=args.out, jobs=args.jobs, force=args.force,
                       base_url=args.base_url, progress=sys.stderr)
    except KeyboardInterrupt:
        print("build-audio: interrupted; the manifest lists only complete files",
              file=sys.stderr)
        return 130
    except (BuildError, ContentError, OSError) as error:
        print(f"{COMMAND}: {error}", file=sys.stderr)
        return 1
    print(report.summary(), file=sys.stderr)
    return 0
