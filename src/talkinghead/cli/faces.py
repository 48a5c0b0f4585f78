"""`talkinghead faces`: list the faces found in an image or video (not built yet; issue #3)."""

from talkinghead.cli._stub import stub_command

HELP, DESCRIPTION, add_arguments, run = stub_command("faces", "List the faces found in an image or video", 3)
