"""The Python entry point: ``talkinghead.generate(source, audio, output, ...)``."""

from __future__ import annotations

import dataclasses
import os

from talkinghead.errors import OptionError
from talkinghead.methods import get_method
from talkinghead.methods.base import GenerateResult

__all__ = ["generate"]


def generate(
    source: str | os.PathLike,
    audio: str | os.PathLike,
    output: str | os.PathLike,
    method: str = "default",
    *,
    overwrite: bool = False,
    save_motion: str | os.PathLike | None = None,
    progress: bool = False,
    **options,
) -> GenerateResult:
    """Render a talking video: ``source`` (a portrait image or a face video) speaking ``audio``, into ``output``.

    Args:
        source: portrait image or video file.
        audio: speech recording (any format FFmpeg reads).
        output: ``.mp4`` path; written atomically, refused if it exists unless ``overwrite``.
        method: a registered method (``talkinghead.methods.METHODS``).
        overwrite: replace existing output files.
        save_motion: also write the per-frame motion (blendshapes, head pose) as JSON.
        progress: show progress bars.
        **options: fields of the method's config, e.g. ``seed=3, mouth_scale=1.2, head_motion=0.5,
            blink_rate=20, still=False, size=512, fps=25, face_index=None, transcript="...", language="en",
            allow_silence=False`` (see ``talkinghead generate --help``).

    Returns:
        :class:`~talkinghead.methods.base.GenerateResult` (output path, motion, frame count, timings).

    Raises:
        TalkingHeadError: any failure a user can fix (no face, unreadable or silent input, bad option,
            existing output); its message is one line.
    """
    spec = get_method(method)
    config_class = spec.config_class()
    known = {f.name for f in dataclasses.fields(config_class)}
    unknown = sorted(set(options) - known)
    if unknown:
        raise OptionError(f"unknown option(s) for method {method!r}: {', '.join(unknown)}; "
                          f"known: {', '.join(sorted(known))}")
    config = config_class(**options)
    return spec.generate_function()(source, audio, output, config, overwrite=overwrite, save_motion=save_motion,
                                    progress=progress)
