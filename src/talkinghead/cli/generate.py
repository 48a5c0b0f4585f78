"""`talkinghead generate`: render a talking video from a portrait or video and a speech recording (not built yet; issue #6)."""

from talkinghead.cli._stub import stub_command

HELP, DESCRIPTION, add_arguments, run = stub_command("generate", "Render a talking video from a portrait or video and a speech recording", 6)
