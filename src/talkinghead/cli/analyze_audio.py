"""`talkinghead analyze-audio`: phones, visemes, mouth cues and ARKit blendshape curves from speech (not built yet; issue #4)."""

from talkinghead.cli._stub import stub_command

HELP, DESCRIPTION, add_arguments, run = stub_command("analyze-audio", "Phones, visemes, mouth cues and ARKit blendshape curves from speech", 4)
