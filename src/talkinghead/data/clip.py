"""One clip folder of the dataset format (docs/data.md): writing it atomically, and reading it back.

Shape legend: ``t`` frames (25 fps), ``s`` crop side, ``m`` mel frames (80 per second), ``n`` audio samples
(16 kHz).

A clip is written into ``.tmp-<id>/`` beside its final place and renamed to ``<id>/`` when every file is
complete, so a clip folder either exists whole or not at all (a killed run leaves only a ``.tmp-`` folder,
removed by the next run). Files hold no timestamps and JSON keys are sorted, so the same input gives the
same bytes.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["FORMAT_VERSION", "FPS", "SAMPLE_RATE", "CLIP_FILES", "ClipArrays", "clip_folder", "write_clip",
           "write_json", "Clip", "frames_name"]

FORMAT_VERSION = 1
FPS = 25
SAMPLE_RATE = 16_000
#: files every clip folder holds besides ``frames_<s>.npy`` (and ``motion.json`` for synthetic clips)
CLIP_FILES = ("meta.json", "landmarks.npy", "blendshapes.npy", "pose.npy", "crop.json", "fit.npz", "mel.npy",
              "audio.npy", "phones.json")
TMP_PREFIX = ".tmp-"


def frames_name(size: int) -> str:
    return f"frames_{int(size)}.npy"


def json_text(obj: Any) -> str:
    """Canonical JSON (sorted keys, one space indent, trailing newline): the same object gives the same bytes."""
    return json.dumps(obj, sort_keys=True, indent=1, ensure_ascii=False, allow_nan=False) + "\n"


def write_json(path: Path, obj: Any) -> None:
    Path(path).write_text(json_text(obj), encoding="utf-8")


@dataclass(eq=False)
class ClipArrays:
    """Everything of a clip except its frame crops.

    Attributes:
        landmarks: ``(t, 478, 3)`` float32 smoothed landmarks, pixels of the 25 fps source frame.
        blendshapes: ``(t, 52)`` float32 mediapipe ARKit scores.
        pose: ``(t, 3)`` float32 yaw, pitch, roll, degrees.
        crop_matrices: ``(t, 2, 3)`` float64 source pixels -> crop pixels of the largest crop size.
        fit: FaceModel fit: ``identity (478, 3)``, ``betas (t, 52)``, ``rotations (t, 3, 3)``,
            ``translations (t, 3)``, ``scales (t,)``, ``image_size (2,)``.
        mel: ``(80, m)`` float32 Wav2Lip-style mel of ``audio``.
        audio: ``(n,)`` int16 16 kHz mono, ``n = t * 640`` (exactly the clip's frames).
        phones: ``[{"phone", "start", "end"}]`` seconds from the clip start.
        words: ``[{"word", "start", "end"}]``.
        meta: extra ``meta.json`` fields (source, speaker, image size ...).
    """

    landmarks: np.ndarray
    blendshapes: np.ndarray
    pose: np.ndarray
    crop_matrices: np.ndarray
    fit: dict[str, np.ndarray]
    mel: np.ndarray
    audio: np.ndarray
    phones: list[dict]
    words: list[dict]
    meta: dict = field(default_factory=dict)


@contextlib.contextmanager
def clip_folder(root: str | os.PathLike, clip_id: str) -> Iterator[Path]:
    """Yield an empty ``root/.tmp-<clip_id>`` folder; rename it to ``root/<clip_id>`` if the block succeeds,
    delete it if not."""
    root = Path(root)
    final, tmp = root / clip_id, root / f"{TMP_PREFIX}{clip_id}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    try:
        yield tmp
        for f in sorted(tmp.iterdir()):
            with open(f, "rb") as fh:
                os.fsync(fh.fileno())
        os.rename(tmp, final)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def remove_partial_clips(root: str | os.PathLike) -> list[str]:
    """Delete the ``.tmp-*`` folders a killed run left under ``root``; return their names."""
    root = Path(root)
    removed = []
    if root.is_dir():
        for tmp in sorted(root.glob(f"{TMP_PREFIX}*")):
            shutil.rmtree(tmp, ignore_errors=True)
            removed.append(tmp.name)
    return removed


def _round_times(items: list[dict]) -> list[dict]:
    return [{k: (round(float(v), 4) if k in ("start", "end") else v) for k, v in d.items()} for d in items]


def write_clip(folder: Path, arrays: ClipArrays, crop_sizes: tuple[int, ...]) -> None:
    """Write every file but the frame crops into ``folder`` (see :class:`ClipArrays`)."""
    folder = Path(folder)
    t = len(arrays.landmarks)
    np.save(folder / "landmarks.npy", np.ascontiguousarray(arrays.landmarks, np.float32))
    np.save(folder / "blendshapes.npy", np.ascontiguousarray(arrays.blendshapes, np.float32))
    np.save(folder / "pose.npy", np.ascontiguousarray(arrays.pose, np.float32))
    np.save(folder / "mel.npy", np.ascontiguousarray(arrays.mel, np.float32))
    np.save(folder / "audio.npy", np.ascontiguousarray(arrays.audio, np.int16))
    write_npz(folder / "fit.npz", arrays.fit)
    largest = max(crop_sizes)
    write_json(folder / "crop.json", {
        "size": int(largest), "sizes": sorted(int(s) for s in crop_sizes),
        "matrices": [[round(float(v), 6) for v in m.reshape(-1)] for m in np.asarray(arrays.crop_matrices)],
    })
    write_json(folder / "phones.json", {"phones": _round_times(arrays.phones), "words": _round_times(arrays.words)})
    meta = {"format_version": FORMAT_VERSION, "fps": FPS, "sample_rate": SAMPLE_RATE, "num_frames": int(t),
            "crop_sizes": sorted(int(s) for s in crop_sizes), **arrays.meta}
    write_json(folder / "meta.json", meta)


def write_npz(path: Path, arrays: dict[str, np.ndarray]) -> None:
    """``np.savez`` with a fixed entry date (``np.savez`` stamps the current time: bytes would differ per run)."""
    import io
    import zipfile

    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as zf:
        for name in sorted(arrays):
            buf = io.BytesIO()
            np.lib.format.write_array(buf, np.ascontiguousarray(arrays[name]), allow_pickle=False)
            info = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.external_attr = 0o644 << 16
            zf.writestr(info, buf.getvalue())


class FrameFileWriter:
    """Stream ``(s, s, 3) uint8`` crops into a raw file, then keep a frame range as ``frames_<s>.npy``."""

    def __init__(self, folder: Path, size: int):
        self.size = int(size)
        self.raw_path = Path(folder) / f".frames_{self.size}.raw"
        self.final_path = Path(folder) / frames_name(size)
        self._fh = open(self.raw_path, "wb")
        self.count = 0

    def append(self, crop: np.ndarray | None) -> None:
        if crop is None:
            crop = np.zeros((self.size, self.size, 3), np.uint8)
        assert crop.shape == (self.size, self.size, 3) and crop.dtype == np.uint8
        self._fh.write(np.ascontiguousarray(crop).tobytes())
        self.count += 1

    def finish(self, start: int, end: int) -> None:
        """Keep frames ``[start, end)`` as the ``.npy`` file and delete the raw file."""
        self._fh.close()
        shape = (self.size, self.size, 3)
        raw = np.memmap(self.raw_path, np.uint8, "r", shape=(self.count, *shape)) if self.count else None
        out = np.lib.format.open_memmap(self.final_path, "w+", np.uint8, (end - start, *shape))
        for a in range(start, end, 64):
            b = min(end, a + 64)
            out[a - start:b - start] = raw[a:b]
        out.flush()
        del out, raw
        self.raw_path.unlink()

    def close(self) -> None:
        if not self._fh.closed:
            self._fh.close()


class Clip:
    """A clip folder, read lazily (frames as read-only memmaps: a window reads only its frames).

    Attributes:
        folder: the clip folder; ``id`` its name; ``meta`` its ``meta.json``.
    """

    def __init__(self, folder: str | os.PathLike):
        self.folder = Path(folder)
        self.id = self.folder.name
        self.meta = json.loads((self.folder / "meta.json").read_text(encoding="utf-8"))

    def __repr__(self) -> str:
        return f"Clip({str(self.folder)!r}, frames={self.num_frames})"

    @property
    def num_frames(self) -> int:
        return int(self.meta["num_frames"])

    @property
    def fps(self) -> int:
        return int(self.meta["fps"])

    @property
    def crop_sizes(self) -> list[int]:
        return list(self.meta["crop_sizes"])

    def frames(self, size: int) -> np.ndarray:
        """``(t, s, s, 3) uint8`` RGB aligned crops (read-only memmap)."""
        path = self.folder / frames_name(size)
        if not path.is_file():
            raise FileNotFoundError(f"clip {self.id!r} has no {size} px crops (sizes: {self.crop_sizes})")
        return np.load(path, mmap_mode="r")

    def _npy(self, name: str) -> np.ndarray:
        return np.load(self.folder / name, mmap_mode="r")

    @cached_property
    def landmarks(self) -> np.ndarray:
        """``(t, 478, 3)`` float32, source-frame pixels."""
        return self._npy("landmarks.npy")

    @cached_property
    def blendshapes(self) -> np.ndarray:
        return self._npy("blendshapes.npy")

    @cached_property
    def pose(self) -> np.ndarray:
        """``(t, 3)`` float32 yaw, pitch, roll, degrees."""
        return self._npy("pose.npy")

    @cached_property
    def mel(self) -> np.ndarray:
        return np.load(self.folder / "mel.npy")

    @cached_property
    def audio(self) -> np.ndarray:
        """``(n,)`` float32 in [-1, 1], 16 kHz."""
        return np.load(self.folder / "audio.npy").astype(np.float32) / 32768.0

    @cached_property
    def fit(self) -> dict[str, np.ndarray]:
        with np.load(self.folder / "fit.npz") as z:
            return {k: z[k] for k in z.files}

    @cached_property
    def phones(self) -> dict:
        return json.loads((self.folder / "phones.json").read_text(encoding="utf-8"))

    @cached_property
    def crop_matrices(self) -> np.ndarray:
        """``(t, 2, 3)`` float64 source pixels -> crop pixels at ``crop.json``'s ``size``."""
        info = json.loads((self.folder / "crop.json").read_text(encoding="utf-8"))
        self._crop_size = int(info["size"])
        return np.asarray(info["matrices"], np.float64).reshape(-1, 2, 3)

    def crop_matrix(self, size: int) -> np.ndarray:
        """``(t, 2, 3)`` source pixels -> pixels of the ``size`` crop (same footprint at every size)."""
        m = self.crop_matrices.copy()
        r = size / self._crop_size
        m *= r
        m[:, :, 2] += 0.5 * r - 0.5  # pixel centres, as CropTransform.resized
        return m

    def landmarks_in_crop(self, size: int) -> np.ndarray:
        """``(t, 478, 3)`` float32 landmarks in pixels of the ``size`` crop (z scaled like x, y)."""
        m = self.crop_matrix(size)
        lm = np.asarray(self.landmarks, np.float64)
        xy = np.einsum("tij,tkj->tki", m[:, :, :2], lm[:, :, :2]) + m[:, None, :, 2]
        scale = np.sqrt(np.abs(np.linalg.det(m[:, :, :2])))[:, None, None]
        return np.concatenate([xy, lm[:, :, 2:] * scale], axis=-1).astype(np.float32)

    @cached_property
    def motion(self) -> dict | None:
        """The driving motion of a synthetic clip (``motion.json``), or ``None``."""
        path = self.folder / "motion.json"
        return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None
