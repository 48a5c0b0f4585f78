"""Placeholder for subcommands whose issue has not landed: they exist in ``--help`` and say so when run."""

from __future__ import annotations

import argparse

from talkinghead.errors import NotImplementedYetError


def stub_command(name: str, summary: str, issue: int):
    """Return ``(HELP, DESCRIPTION, add_arguments, run)`` for a subcommand not built yet."""
    help_text = f"{summary[0].lower()}{summary[1:]} [not implemented yet]"
    description = f"{summary}\n\nNot implemented yet: issue #{issue} builds it."

    def add_arguments(parser: argparse.ArgumentParser) -> None:
        parser.add_argument("args", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)

    def run(args: argparse.Namespace) -> int:
        raise NotImplementedYetError(f"`talkinghead {name}` is not implemented yet (issue #{issue} builds it)")

    return help_text, description, add_arguments, run
