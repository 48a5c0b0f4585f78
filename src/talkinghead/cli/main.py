"""The ``talkinghead`` command.

Each subcommand is a module in this package with ``HELP`` (one line), ``DESCRIPTION`` (the ``--help``
text), ``add_arguments(parser)`` and ``run(args) -> int``. ``COMMANDS`` maps names to those modules and is
the only place a subcommand is registered. Errors a user can cause (``TalkingHeadError``) print one line
``error: ...`` to stderr and exit 2; ``--debug`` shows the traceback instead.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys

from talkinghead import __version__
from talkinghead.errors import TalkingHeadError

__all__ = ["COMMANDS", "build_parser", "main"]

#: subcommand name -> module under talkinghead.cli
COMMANDS: dict[str, str] = {
    "generate": "talkinghead.cli.generate",
    "faces": "talkinghead.cli.faces",
    "analyze-audio": "talkinghead.cli.analyze_audio",
    "preprocess": "talkinghead.cli.preprocess",
    "synth": "talkinghead.cli.synth",
    "train": "talkinghead.cli.train",
    "evaluate": "talkinghead.cli.evaluate",
    "serve": "talkinghead.cli.serve",
    "doctor": "talkinghead.cli.doctor",
    "fetch-models": "talkinghead.cli.fetch_models",
}

EXIT_USAGE = 2


class _Parser(argparse.ArgumentParser):
    """argparse with the one-line ``error: ...`` + exit 2 contract (argparse prints usage first by default)."""

    def error(self, message: str):  # noqa: D401
        self.exit(EXIT_USAGE, f"error: {message} (see `{self.prog} --help`)\n")


def _command_in(argv: list[str]) -> str | None:
    """The subcommand named in ``argv`` (the first word that is not an option), if it is one."""
    word = next((a for a in argv if not a.startswith("-")), None)
    return word if word in COMMANDS else None


def build_parser(commands: list[str] | None = None) -> argparse.ArgumentParser:
    """The ``talkinghead`` parser. ``commands``: the subcommands whose options are added (default: all). Every
    subcommand is listed either way; :func:`main` adds only the one being run, because some options are built
    from registries whose modules are heavy (``evaluate``'s weight-file flags import every metric, and with
    them torch: 1-2 s and ~150 MB that ``generate`` does not need)."""
    parser = _Parser(
        prog="talkinghead",
        description="Lip-synced talking videos from a portrait or a face video and a speech recording.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="Run `talkinghead COMMAND --help` for the options of a command.",
    )
    parser.add_argument("--version", action="version", version=f"talkinghead {__version__}")
    parser.add_argument("--debug", action="store_true", help="show full tracebacks on errors")
    parser.add_argument("-v", "--verbose", action="count", default=0, help="more log output (-vv for debug logs)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name, module_name in COMMANDS.items():
        module = importlib.import_module(module_name)
        p = sub.add_parser(
            name,
            help=module.HELP,
            description=getattr(module, "DESCRIPTION", module.HELP),
            formatter_class=argparse.ArgumentDefaultsHelpFormatter,
        )
        # Global flags are also accepted after the subcommand (`talkinghead generate ... --debug`).
        p.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help="show full tracebacks on errors")
        p.add_argument("-v", "--verbose", action="count", default=argparse.SUPPRESS, help="more log output")
        if commands is None or name in commands:
            module.add_arguments(p)
        p.set_defaults(_run=module.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the exit status (also used by ``python -m talkinghead``)."""
    argv = sys.argv[1:] if argv is None else list(argv)
    command = _command_in(argv)
    parser = build_parser([command] if command is not None else [])
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.WARNING - 10 * min(args.verbose, 2),
        format="%(levelname)s %(name)s: %(message)s",
    )
    if args.command is None:
        parser.print_help()
        return EXIT_USAGE
    try:
        return int(args._run(args) or 0)
    except TalkingHeadError as exc:
        if args.debug:
            raise
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130


def entry() -> None:
    sys.exit(main())


if __name__ == "__main__":
    entry()
