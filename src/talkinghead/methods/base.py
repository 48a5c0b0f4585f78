"""What every method shares: the common options, the helper that documents a config field, the result.

Each method's config is a frozen dataclass (STYLE.md 7) deriving from :class:`GenerateOptions`; every field is
declared with :func:`option`, whose one-line ``help`` becomes the ``--help`` text of the generated CLI flag
(``talkinghead generate``) and whose ``Literal`` type becomes the flag's choices.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from talkinghead.errors import OptionError

__all__ = ["option", "GenerateOptions", "GenerateResult", "MIN_SIZE", "MAX_SIZE"]

#: output size limits, pixels (longer side)
MIN_SIZE, MAX_SIZE = 64, 4096


def option(default: Any, help: str, flag: str | None = None, metavar: str | None = None) -> Any:
    """A dataclass field with a one-line ``help`` (and optionally the CLI ``flag`` and ``metavar``)."""
    return dataclasses.field(default=default, metadata={"help": help, "flag": flag, "metavar": metavar})


@dataclass(frozen=True)
class GenerateOptions:
    """What every method understands (DESIGN.md: mouth amplitude, head motion, seed, blink rate, size)."""

    seed: int = option(0, "seed of every random choice: one audio gives a different natural motion per seed")
    mouth_scale: float = option(1.0, "mouth opening amplitude (0 = closed, 1 = natural, >1 = exaggerated)", metavar="A")
    head_motion: float = option(1.0, "head-motion amplitude relative to real talking videos (0 = still head)", metavar="S")
    blink_rate: float = option(25.0, "blinks per minute (0 = no blinks)", metavar="PER_MIN")
    still: bool = option(False, "no head motion, nods or brow raises: only the mouth and blinks move")
    size: int | None = option(None, "longer side of the output video in pixels (default: the source's, at most 1920)",
                              metavar="PX")
    fps: float = option(25.0, "frame rate of the output video", metavar="N")
    face_index: int | None = option(None, "which face to animate when the source shows several (largest first)",
                                    metavar="I")
    transcript: str | None = option(None, "the words spoken (text, or a .txt file): better lip sync",
                                    metavar="TEXT|FILE")
    language: str = option("en", "language of the speech: en, or any other (fr, zh, ...: decoded with the phone "
                           "loop, no word recognition)", metavar="LANG")
    allow_silence: bool = option(False, "accept audio that is digital silence (renders an idle face)")
    device: Literal["auto", "cpu", "cuda"] = option("auto", "compute device for methods that use one")

    def __post_init__(self):
        if self.size is not None and not MIN_SIZE <= int(self.size) <= MAX_SIZE:
            raise OptionError(f"--size must be between {MIN_SIZE} and {MAX_SIZE} pixels, got {self.size}")
        if not (float(self.fps) > 0 and float(self.fps) <= 120):
            raise OptionError(f"--fps must be above 0 and at most 120, got {self.fps}")
        if not 0 <= float(self.mouth_scale) <= 3:
            raise OptionError(f"--mouth-scale must be between 0 and 3, got {self.mouth_scale}")
        if not 0 <= float(self.head_motion) <= 5:
            raise OptionError(f"--head-motion must be between 0 and 5, got {self.head_motion}")
        if not 0 <= float(self.blink_rate) <= 120:
            raise OptionError(f"--blink-rate must be between 0 and 120 per minute, got {self.blink_rate}")
        if self.face_index is not None and int(self.face_index) < 0:
            raise OptionError(f"--face-index must be 0 or more, got {self.face_index}")
        if not re.fullmatch(r"[A-Za-z][A-Za-z_-]{0,19}", str(self.language)):
            raise OptionError(f"--language must be a language code or name such as en, fr or zh, got {self.language!r}")
        if self.device not in ("auto", "cpu", "cuda"):
            raise OptionError(f"--device must be auto, cpu or cuda, got {self.device!r}")


@dataclass(frozen=True, eq=False)
class GenerateResult:
    """What a method's ``generate`` returns.

    Attributes:
        output: the video written.
        motion: the per-frame motion that was rendered (``talkinghead.motion.Motion``).
        num_frames: frames written.
        fps: their rate.
        size: ``(width, height)`` of the video.
        seconds: wall-clock seconds per stage (``"face"``, ``"audio"``, ``"motion"``, ``"render"``).
        motion_path: where the motion was saved, or ``None``.
    """

    output: Path
    motion: Any
    num_frames: int
    fps: float
    size: tuple[int, int]
    seconds: dict[str, float] = field(default_factory=dict)
    motion_path: Path | None = None
