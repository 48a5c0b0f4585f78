"""`talkinghead train`: train a method on a dataset (not built yet; issue #7)."""

from talkinghead.cli._stub import stub_command

HELP, DESCRIPTION, add_arguments, run = stub_command("train", "Train a method on a dataset", 7)
