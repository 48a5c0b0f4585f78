"""`talkinghead evaluate`: score generated videos with the papers' metrics (not built yet; issue #8)."""

from talkinghead.cli._stub import stub_command

HELP, DESCRIPTION, add_arguments, run = stub_command("evaluate", "Score generated videos with the papers' metrics", 8)
