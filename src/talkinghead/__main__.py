"""``python -m talkinghead`` runs the CLI."""

from talkinghead.cli.main import entry

entry()
