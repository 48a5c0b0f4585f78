"""talkinghead: lip-synced talking videos from a portrait (or a face video) and a speech recording.

``talkinghead.generate(source, audio, output, method="default", **options)`` is the one-call entry point
(:func:`talkinghead.api.generate`); it is imported on first use so that ``import talkinghead`` stays light.
"""

from talkinghead.errors import TalkingHeadError

__version__ = "0.1.0"

__all__ = ["TalkingHeadError", "__version__", "generate"]


def __getattr__(name: str):
    if name == "generate":
        from talkinghead.api import generate

        return generate
    raise AttributeError(f"module 'talkinghead' has no attribute {name!r}")
