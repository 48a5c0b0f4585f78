"""`talkinghead preprocess`: turn a folder of talking videos into a training dataset (not built yet; issue #7)."""

from talkinghead.cli._stub import stub_command

HELP, DESCRIPTION, add_arguments, run = stub_command("preprocess", "Turn a folder of talking videos into a training dataset", 7)
