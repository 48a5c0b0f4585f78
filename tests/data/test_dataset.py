"""The tiny dataset builder, clip folders read back, and windowed samples deterministic in idx."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest
import torch

from talkinghead.data.clip import Clip, write_npz
from talkinghead.data.clip_processor import _longest_run, estimate_av_offset
from talkinghead.data.dataset import WindowDataset, reference_candidates
from talkinghead.data.tiny import build_tiny_dataset


def _digest(root):
    h = hashlib.sha256()
    for f in sorted(p for p in root.rglob("*") if p.is_file()):
        h.update(str(f.relative_to(root)).encode())
        h.update(f.read_bytes())
    return h.hexdigest()


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    return build_tiny_dataset(tmp_path_factory.mktemp("tiny") / "ds", num_frames=16, size=32)


def test_tiny_dataset_same_bytes(tiny, tmp_path):
    again = build_tiny_dataset(tmp_path / "ds", num_frames=16, size=32)
    assert _digest(again) == _digest(tiny)
    assert not list(tiny.rglob(".tmp-*"))


def test_npz_bytes_do_not_depend_on_time(tmp_path, monkeypatch):
    import time

    write_npz(tmp_path / "a.npz", {"x": np.arange(3.0), "y": np.eye(2)})
    monkeypatch.setattr(time, "time", lambda: 2e9)  # zipfile stamps entries with the current time
    write_npz(tmp_path / "b.npz", {"y": np.eye(2), "x": np.arange(3.0)})
    assert (tmp_path / "a.npz").read_bytes() == (tmp_path / "b.npz").read_bytes()
    with np.load(tmp_path / "a.npz") as z:
        assert np.array_equal(z["x"], np.arange(3.0))


def test_clip_reads_back(tiny):
    clip = Clip(tiny / "clips" / "spk00__clip00")
    assert clip.num_frames == 16 and clip.crop_sizes == [32]
    assert clip.frames(32).shape == (16, 32, 32, 3) and clip.frames(32).dtype == np.uint8
    assert clip.landmarks.shape == (16, 478, 3) and clip.blendshapes.shape == (16, 52)
    assert clip.mel.shape[0] == 80 and clip.audio.shape == (16 * 640,)
    np.testing.assert_allclose(clip.landmarks_in_crop(32), clip.landmarks, atol=1e-5)  # identity crop
    np.testing.assert_allclose(clip.landmarks_in_crop(16)[..., :2], (clip.landmarks[..., :2] + 0.5) / 2 - 0.5,
                               atol=1e-5)
    with pytest.raises(FileNotFoundError, match="64 px"):
        clip.frames(64)


def test_window_dataset_deterministic_in_idx_and_refs_away_from_window(tiny):
    ds = WindowDataset(tiny, split=None, window=5, size=32, num_refs=3, seed=1)
    assert len(ds) == 8 * (16 - 5 + 1)
    a, b = ds[17], WindowDataset(tiny, split=None, window=5, size=32, num_refs=3, seed=1)[17]
    for k in a:
        assert torch.equal(a[k], b[k]), k
    assert a["frames"].shape == (5, 3, 32, 32) and a["ref_frames"].shape == (3, 3, 32, 32)
    assert a["mel"].shape == (5, 80, 16) and 0 <= float(a["frames"].min()) and float(a["frames"].max()) <= 1
    for idx in range(len(ds)):
        item = ds[idx]
        start = int(item["frame_indices"][0])
        refs = item["ref_indices"].numpy()
        assert np.all((refs <= start - 5) | (refs >= start + 4 + 5)), (idx, start, refs)
    clip = ds.clips[int(a["clip"])]
    start = int(a["frame_indices"][0])
    assert torch.equal(a["frames"][0], torch.from_numpy(np.array(clip.frames(32)[start])).permute(2, 0, 1) / 255.0)
    batch = torch.utils.data.default_collate([ds[0], ds[1]])
    assert batch["frames"].shape == (2, 5, 3, 32, 32)


def test_splits_and_landmark_only_dataset(tiny):
    train = WindowDataset(tiny, split="train", window=4, size=32, with_frames=False)
    val = WindowDataset(tiny, split="val", window=4, size=32, with_frames=False)
    assert {c.meta["speaker"] for c in train.clips}.isdisjoint({c.meta["speaker"] for c in val.clips})
    assert "frames" not in train[0] and train[0]["landmarks"].shape == (4, 478, 3)


def test_reference_candidates_fall_back_on_short_clips():
    assert list(reference_candidates(20, 5, 5, 5)) == [0] + list(range(14, 20))
    assert list(reference_candidates(8, 2, 5, 5)) == [0, 1, 7]  # nothing 5 frames away: just outside
    assert list(reference_candidates(5, 0, 5, 5)) == [0, 1, 2, 3, 4]


def test_longest_run_and_av_offset():
    assert _longest_run(np.array([1, 1, 0, 1, 1, 1, 0], bool)) == (3, 6)
    assert _longest_run(np.zeros(4, bool)) == (0, 0)
    rng = np.random.default_rng(0)
    level = np.repeat(rng.uniform(-40, -5, 40), 3)
    gap = np.roll((level + 40) / 400.0, 2)  # mouth 2 frames after the sound
    lm = np.zeros((len(level), 478, 3))
    lm[:, 152, 1] = 1.0
    lm[:, 14, 1] = gap
    lag, r = estimate_av_offset(lm, level)
    assert lag == 2 and r > 0.9
