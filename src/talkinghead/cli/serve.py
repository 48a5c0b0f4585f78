"""`talkinghead serve`: start the web UI (not built yet; issue #10)."""

from talkinghead.cli._stub import stub_command

HELP, DESCRIPTION, add_arguments, run = stub_command("serve", "Start the web UI", 10)
