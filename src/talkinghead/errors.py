"""The error contract (DESIGN.md, "Contracts").

Every failure a user can cause raises a :class:`TalkingHeadError` subclass whose message is one line that
says what went wrong and what to do. The CLI prints ``error: <message>`` to stderr and exits with status 2;
tracebacks appear only with ``--debug``. Programming errors (a bug in this package) are not
``TalkingHeadError`` and keep their traceback.
"""

from __future__ import annotations

__all__ = [
    "TalkingHeadError",
    "InputError",
    "MediaReadError",
    "ImageReadError",
    "ImageTooLargeError",
    "AudioReadError",
    "AudioContentError",
    "VideoReadError",
    "NoFaceError",
    "AmbiguousFaceError",
    "ModelMissingError",
    "ChecksumError",
    "OutputError",
    "OutputExistsError",
    "OptionError",
    "DependencyMissingError",
    "NotImplementedYetError",
]


class TalkingHeadError(Exception):
    """Base of every error a user can cause or fix. ``str(err)`` is a single line."""

    def __init__(self, message: str):
        # One line, always: multi-line messages would break the CLI's `error: ...` contract.
        super().__init__(" ".join(str(message).split()))


class InputError(TalkingHeadError):
    """An input file or value is unusable."""


class MediaReadError(InputError):
    """A media file is missing, empty, truncated or in a format that cannot be decoded."""


class ImageReadError(MediaReadError):
    """An image cannot be read."""


class ImageTooLargeError(ImageReadError):
    """An image's header declares more pixels than the configured limit (refused before decoding)."""


class AudioReadError(MediaReadError):
    """An audio file (or the audio stream of a video) cannot be read."""


class AudioContentError(InputError):
    """The audio decodes but is unusable: too short, digital silence, no audio stream."""


class VideoReadError(MediaReadError):
    """A video file cannot be read."""


class NoFaceError(InputError):
    """No human face was found where one is needed."""


class AmbiguousFaceError(InputError):
    """Several faces of similar size were found and none was chosen (use ``--face-index``)."""


class ModelMissingError(TalkingHeadError):
    """A model file is not provisioned (run ``talkinghead fetch-models``) or a user-given file is missing."""


class ChecksumError(TalkingHeadError):
    """A model file's sha256 does not match the expected value."""


class OutputError(TalkingHeadError):
    """An output path cannot be written (missing folder, not writable, is a directory)."""


class OutputExistsError(OutputError):
    """The output exists and ``--overwrite`` was not given."""


class OptionError(TalkingHeadError):
    """An option has an invalid value (``--size 7``, ``--fps 0``, unknown method)."""


class DependencyMissingError(TalkingHeadError):
    """An optional dependency is not installed; the message names the extra to install."""


class NotImplementedYetError(TalkingHeadError):
    """A command or method exists in the interface but is not built yet."""
