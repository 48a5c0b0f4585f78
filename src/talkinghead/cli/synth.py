"""`talkinghead synth`: render a synthetic training corpus from portraits and speech (not built yet; issue #7)."""

from talkinghead.cli._stub import stub_command

HELP, DESCRIPTION, add_arguments, run = stub_command("synth", "Render a synthetic training corpus from portraits and speech", 7)
