"""Options of the default method (issue #6): mesh-guided warp, no trained weights, CPU."""

from __future__ import annotations

from dataclasses import dataclass

from talkinghead.errors import OptionError
from talkinghead.methods.base import GenerateOptions, option

__all__ = ["DefaultConfig"]


@dataclass(frozen=True)
class DefaultConfig(GenerateOptions):
    """The shared options (:class:`~talkinghead.methods.base.GenerateOptions`) plus the default method's own."""

    gestures: bool = option(True, "default method: brow raises and small nods on pitch accents and phrase onsets")
    keep_source_teeth: bool = option(True, "default method: reuse the teeth a smiling source shows instead of drawing teeth")
    map_size: int = option(256, "default method: resolution of the warp map, pixels (lower is faster, higher is sharper at folds)",
                           metavar="PX")

    def __post_init__(self):
        super().__post_init__()
        if not 32 <= int(self.map_size) <= 2048:
            raise OptionError(f"--map-size must be between 32 and 2048, got {self.map_size}")
