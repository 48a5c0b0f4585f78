"""talkinghead: lip-synced talking videos from a portrait (or a face video) and a speech recording."""

from talkinghead.errors import TalkingHeadError

__version__ = "0.1.0"

__all__ = ["TalkingHeadError", "__version__"]
