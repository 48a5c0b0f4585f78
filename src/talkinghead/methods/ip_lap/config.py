"""Options of IP-LAP (issue #9): the shared options plus the checkpoint and the reference counts."""

from __future__ import annotations

from dataclasses import dataclass

from talkinghead.errors import OptionError
from talkinghead.methods.base import GenerateOptions, option

__all__ = ["IPLAPConfig"]


@dataclass(frozen=True)
class IPLAPConfig(GenerateOptions):
    """The shared options (:class:`~talkinghead.methods.base.GenerateOptions`) plus IP-LAP's own.

    ``head_motion``, ``blink_rate`` and ``still`` apply to a portrait source only (a dubbed video keeps its
    own head motion and blinks); ``mouth_scale`` scales the predicted lip and jaw displacement.
    """

    checkpoint: str | None = option(None, "ip_lap: checkpoint folder (landmark_generator/ and renderer/, as "
                                          "`talkinghead train ip_lap` writes; default: the small bundled one)",
                                    metavar="DIR")
    references: int | None = option(None, "ip_lap: reference images for rendering (default: 1/5 of the source video's "
                                          "frames, at most --max-references)", metavar="N")
    max_references: int = option(5, "ip_lap: upper bound of the default reference count (render cost grows with it)",
                                 metavar="N")
    batch_size: int = option(8, "ip_lap: frames rendered per network call", metavar="N")

    def __post_init__(self):
        super().__post_init__()
        if self.references is not None and not 1 <= int(self.references) <= 100:
            raise OptionError(f"--references must be between 1 and 100, got {self.references}")
        if not 1 <= int(self.max_references) <= 100:
            raise OptionError(f"--max-references must be between 1 and 100, got {self.max_references}")
        if not 1 <= int(self.batch_size) <= 256:
            raise OptionError(f"--batch-size must be between 1 and 256, got {self.batch_size}")
