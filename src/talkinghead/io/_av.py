"""Opening media with PyAV and turning its failures into the error contract."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

from talkinghead.errors import MediaReadError
from talkinghead.io._files import check_input_file

__all__ = ["open_media"]


@contextlib.contextmanager
def open_media(path: str | os.PathLike, kind: str, error: type[MediaReadError] = MediaReadError) -> Iterator:
    """Open ``path`` for reading with PyAV; decoding errors inside the block become ``error``."""
    import av

    path = check_input_file(path, kind, error)
    try:
        container = av.open(str(path), mode="r")
    except (av.error.FFmpegError, OSError, ValueError, UnicodeDecodeError) as exc:
        raise error(f"cannot read {kind} file {str(path)!r}: not a media format this tool decodes ({_short(exc)})") from None
    try:
        yield container
    except av.error.FFmpegError as exc:
        raise error(f"{kind} file {str(path)!r} is damaged or truncated ({_short(exc)})") from None
    finally:
        container.close()


def _short(exc: BaseException) -> str:
    """FFmpeg's reason without the errno and the repeated path (``Invalid data found when processing input``)."""
    text = getattr(exc, "strerror", None) or str(exc)
    return " ".join(str(text).split())[:160]
