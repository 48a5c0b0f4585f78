"""``Motion``: what a motion generator hands to a renderer, one row per output frame.

Shape legend: ``t`` frames.

A ``Motion`` is method-neutral: ARKit-52 blendshape weights (the same order as every other blendshape vector in
this package, :data:`talkinghead.blendshapes.ARKIT_NAMES`), head rotation and translation relative to the
source face's own pose, and the blink curve. Methods add what only they need to ``extras``. It is saved as JSON
(``talkinghead generate --save-motion``) so that a performance can be re-rendered or exported to an avatar.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from talkinghead.blendshapes import ARKIT_NAMES
from talkinghead.errors import InputError
from talkinghead.io import atomic_write_text

__all__ = ["Motion", "MOTION_FORMAT", "relative_head_pose"]

#: ``format`` tag of the JSON written by :meth:`Motion.save`
MOTION_FORMAT = "talkinghead.motion"
_VERSION = 1


def relative_head_pose(poses: np.ndarray) -> np.ndarray:
    """A dubbed video's head motion: tracked poses ``(t, 3)`` degrees (NaN rows where no face) relative to the
    first frame with a face, zero where there is none; float32."""
    poses = np.asarray(poses)
    valid = np.isfinite(poses[:, 0])
    first = poses[valid][0] if valid.any() else 0
    return np.where(valid[:, None], poses - first, 0).astype(np.float32)


@dataclass(frozen=True, eq=False)
class Motion:
    """Per-frame motion of a talking face.

    Attributes:
        fps: frames per second of the rows.
        blendshapes: ``(t, 52)`` float32 in [0, 1], ARKit order: the performed expression (mouth from the audio,
            blinks, brows). Renderers add it to the source's own expression with its mouth neutralised.
        head_pose: ``(t, 3)`` float32 degrees ``(yaw, pitch, roll)`` added to the source's own head pose, in the
            package's one convention (:mod:`talkinghead.face.geometry`, :attr:`talkinghead.face3d.Pose.euler`:
            ``R = Ry(yaw) Rx(-pitch) Rz(roll)``): yaw > 0 turns the face towards the image's right, pitch > 0
            lifts the chin (the face looks up), roll > 0 rotates the face counter-clockwise in the image.
        head_translation: ``(t, 3)`` float32 centimetres in camera space (x right, y up, z towards the viewer)
            added to the source's position, on top of the translation the rotation itself causes (renderers
            rotate the head about the neck, not about the face's centre).
        blink: ``(t,)`` float32 in [0, 1]: eyelid closure of the blink process (1 = closed), already contained
            in the ``eyeBlinkLeft`` / ``eyeBlinkRight`` columns of ``blendshapes``.
        extras: method-specific per-frame arrays, each with ``t`` rows (e.g. ``source_frame`` ``(t,)`` int: the
            frame of a source video each output frame is drawn from).
        seed: the seed the motion was sampled with, or ``None``.
    """

    fps: float
    blendshapes: np.ndarray
    head_pose: np.ndarray
    head_translation: np.ndarray
    blink: np.ndarray
    extras: dict[str, np.ndarray] = field(default_factory=dict)
    seed: int | None = None

    def __post_init__(self):
        t = len(self.blendshapes)
        checks = {
            "blendshapes": (np.float32, (t, 52)),
            "head_pose": (np.float32, (t, 3)),
            "head_translation": (np.float32, (t, 3)),
            "blink": (np.float32, (t,)),
        }
        for name, (dtype, shape) in checks.items():
            value = np.asarray(getattr(self, name), dtype=dtype)
            if value.shape != shape:
                raise ValueError(f"Motion.{name} must have shape {shape}, got {value.shape}")
            if not np.all(np.isfinite(value)):
                raise ValueError(f"Motion.{name} has non-finite values")
            object.__setattr__(self, name, value)
        extras = {}
        for name, value in self.extras.items():
            value = np.asarray(value)
            if len(value) != t:
                raise ValueError(f"Motion.extras[{name!r}] has {len(value)} rows, expected {t}")
            extras[name] = value
        object.__setattr__(self, "extras", extras)
        if not self.fps > 0:
            raise ValueError(f"Motion.fps must be positive, got {self.fps}")
        object.__setattr__(self, "fps", float(self.fps))

    @classmethod
    def still(cls, num_frames: int, fps: float) -> Motion:
        """A motion that changes nothing: zero blendshapes, zero pose offsets, open eyes."""
        return cls(fps, np.zeros((num_frames, 52), np.float32), np.zeros((num_frames, 3), np.float32),
                   np.zeros((num_frames, 3), np.float32), np.zeros(num_frames, np.float32))

    @property
    def num_frames(self) -> int:
        return len(self.blendshapes)

    @property
    def duration(self) -> float:
        """Seconds covered by the frames."""
        return self.num_frames / self.fps

    def __len__(self) -> int:
        return self.num_frames

    def __getitem__(self, index: slice) -> Motion:
        """Frames ``index`` (a slice) as a new ``Motion``."""
        if not isinstance(index, slice):
            raise TypeError("Motion supports slicing only (motion[a:b])")
        return Motion(self.fps, self.blendshapes[index], self.head_pose[index], self.head_translation[index],
                      self.blink[index], {k: v[index] for k, v in self.extras.items()}, self.seed)

    # -- JSON -----------------------------------------------------------------------------------------------

    def to_dict(self) -> dict:
        """A JSON-ready dict (values rounded to 1e-4; arrays as nested lists, one row per frame)."""

        def rows(a: np.ndarray):
            a = np.asarray(a)
            return np.round(a.astype(np.float64), 4).tolist() if a.dtype.kind == "f" else a.tolist()

        return {
            "format": MOTION_FORMAT,
            "version": _VERSION,
            "fps": self.fps,
            "num_frames": self.num_frames,
            "seed": self.seed,
            "blendshape_names": list(ARKIT_NAMES),
            "head_pose_axes": ["yaw_deg", "pitch_deg", "roll_deg"],
            "head_translation_axes": ["x_cm", "y_cm", "z_cm"],
            "blendshapes": rows(self.blendshapes),
            "head_pose": rows(self.head_pose),
            "head_translation": rows(self.head_translation),
            "blink": rows(self.blink),
            "extras": {k: rows(v) for k, v in self.extras.items()},
        }

    @classmethod
    def from_dict(cls, data: dict) -> Motion:
        """Inverse of :meth:`to_dict`.

        Raises:
            InputError: not a motion file, or one of an unknown version.
        """
        if not isinstance(data, dict) or data.get("format") != MOTION_FORMAT:
            raise InputError(f"not a talkinghead motion file (expected format {MOTION_FORMAT!r})")
        if data.get("version") != _VERSION:
            raise InputError(f"motion file version {data.get('version')!r} is not supported (expected {_VERSION})")
        names = data.get("blendshape_names", list(ARKIT_NAMES))
        shapes = np.asarray(data["blendshapes"], np.float32).reshape(-1, len(names))
        if list(names) != list(ARKIT_NAMES):  # written by another tool in another order: reorder by name
            index = {n: i for i, n in enumerate(names)}
            ordered = np.zeros((len(shapes), 52), np.float32)
            for j, n in enumerate(ARKIT_NAMES):
                if n in index:
                    ordered[:, j] = shapes[:, index[n]]
            shapes = ordered
        t = len(shapes)
        return cls(
            fps=float(data["fps"]),
            blendshapes=shapes,
            head_pose=np.asarray(data.get("head_pose", np.zeros((t, 3))), np.float32).reshape(t, 3),
            head_translation=np.asarray(data.get("head_translation", np.zeros((t, 3))), np.float32).reshape(t, 3),
            blink=np.asarray(data.get("blink", np.zeros(t)), np.float32).reshape(t),
            extras={k: np.asarray(v) for k, v in data.get("extras", {}).items()},
            seed=data.get("seed"),
        )

    def save(self, path: str | os.PathLike, overwrite: bool = False) -> Path:
        """Write the motion as JSON, atomically (see :meth:`to_dict` for the layout)."""
        return atomic_write_text(path, json.dumps(self.to_dict(), separators=(",", ":")), overwrite=overwrite)

    @classmethod
    def load(cls, path: str | os.PathLike) -> Motion:
        """Read a file written by :meth:`save`.

        Raises:
            InputError: unreadable or not a motion file.
        """
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise InputError(f"cannot read motion file {str(path)!r}: {exc}") from None
        return cls.from_dict(data)
