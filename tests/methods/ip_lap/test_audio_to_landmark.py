"""IP-LAP stage 1: the landmark generator (Sec. 3.1.1) and its training task (Sec. 3.1.2, Eqs. 10-12).

Shapes: b batch, t window frames, r reference frames.
"""

from __future__ import annotations

import importlib.util
import json
import time
from pathlib import Path

import pytest
import torch
from torch.utils.data import default_collate

from talkinghead.data import build_tiny_dataset
from talkinghead.errors import InputError, OptionError
from talkinghead.methods.ip_lap.audio_to_landmark import LandmarkGenerator
from talkinghead.methods.ip_lap.landmarks import NUM_ALL, NUM_CONTENT, NUM_POSE
from talkinghead.methods.ip_lap.train_landmarks import LandmarkTask
from talkinghead.nn import from_pretrained
from talkinghead.training import TrainingConfig, run_training, torch_threads

TINY = dict(dim=32, depth=1, heads=2, dropout=0.0, window=5, num_refs=3, mel_base_channels=4)


def _component_check():
    """The shared component check of ``tests/nn/conftest.py`` (shapes, determinism, round trip, gradients)."""
    path = Path(__file__).resolve().parents[2] / "nn" / "conftest.py"
    spec = importlib.util.spec_from_file_location("nn_component_checks", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module._check


@pytest.fixture(autouse=True)
def single_thread():
    """One thread: tiny tensors, and spinning threads crawl on a shared CPU."""
    with torch_threads(1):
        yield


@pytest.fixture(scope="module")
def tiny_data(tmp_path_factory) -> Path:
    """2 speakers x 1 clip of 16 frames: every clip in ``train`` (fewer than 3 speakers)."""
    return build_tiny_dataset(tmp_path_factory.mktemp("tiny"), num_speakers=2, clips_per_speaker=1, num_frames=16)


def inputs(b: int, t: int, r: int, generator: torch.Generator):
    """Random mel and points near the middle of the crop."""
    return (torch.randn(b, t, 80, 16, generator=generator),
            0.5 + 0.2 * torch.randn(b, t, NUM_POSE, 2, generator=generator),
            0.5 + 0.2 * torch.randn(b, r, NUM_ALL, 2, generator=generator))


def test_landmark_generator_component(tmp_path):
    _component_check()(lambda: LandmarkGenerator(**TINY), lambda g: inputs(2, 5, 3, g), [(2, 5, NUM_CONTENT, 2)],
                       tmp_path)


def test_any_window_and_reference_count():
    torch.manual_seed(0)
    model = LandmarkGenerator(**TINY).eval()
    g = torch.Generator().manual_seed(1)
    with torch.no_grad():
        assert model(*inputs(1, 2, 1, g)).shape == (1, 2, NUM_CONTENT, 2)
        assert model(*inputs(1, 7, 5, g)).shape == (1, 7, NUM_CONTENT, 2)
    with pytest.raises(ValueError, match="refs"):
        model(*inputs(1, 5, 3, g)[:2], torch.zeros(1, 3, NUM_CONTENT, 2))


def test_untrained_output_starts_at_the_moved_reference_mean():
    """Design choice: offsets from the references' mean content, moved with the pose points' centroid."""
    torch.manual_seed(0)
    model = LandmarkGenerator(**TINY).eval()
    mel, pose, refs = inputs(2, 5, 3, torch.Generator().manual_seed(1))
    refs[:, :, NUM_CONTENT:] = pose[:, :1]  # references posed like the first frame
    shift = torch.tensor([0.1, -0.05])
    base = LandmarkGenerator.base_shape(pose + shift, refs)
    assert torch.allclose(base, LandmarkGenerator.base_shape(pose, refs) + shift)
    assert torch.allclose(base[:, 0], refs[:, :, :NUM_CONTENT].mean(1) + shift)
    with torch.no_grad():
        offsets = model(mel, pose + shift, refs) - base
    assert offsets.abs().max() < 0.02  # the heads start small


def test_task_options_and_missing_split(tiny_data):
    task = LandmarkTask(tiny_data, model=TINY, lr=1e-3)
    resolved = task.config()
    assert resolved["model"] == {**TINY, "mlp_ratio": 2.0} and resolved["continuity_weight"] == 1.0 and resolved["lr"] == 1e-3
    assert json.loads(json.dumps(resolved)) == resolved
    assert LandmarkTask(tiny_data).config()["model"]["dim"] == 512  # the paper's d by default
    with pytest.raises(OptionError, match="unknown landmark generator options"):
        LandmarkTask(tiny_data, model={"width": 3})
    with pytest.raises(OptionError, match="at least 2 frames"):
        LandmarkTask(tiny_data, model={"window": 1})
    with pytest.raises(InputError, match="no clips in split 'val'"):
        LandmarkTask(tiny_data, model=TINY, split="val").dataset()


def test_tiny_overfit(tiny_data):
    """100 Adam steps on a fixed batch of 4 windows: measured 0.243 -> 0.017 (14x) in 3.5-7 s; assert 6x."""
    start = time.perf_counter()
    torch.manual_seed(0)
    task = LandmarkTask(tiny_data, model=TINY, lr=1e-3)
    modules = task.build()
    dataset = task.dataset()
    batch = default_collate([dataset[i] for i in range(0, len(dataset), len(dataset) // 4)][:4])
    optimizer = task.configure_optimizers(modules)["landmark_generator"]
    losses = []
    for step in range(100):
        result = task.training_step(batch, step)
        assert set(result) == {"loss", "l1", "continuity", "lip_error_px"}
        optimizer.zero_grad()
        result["loss"].backward()
        optimizer.step()
        losses.append(result["loss"].item())
    assert losses[-1] < losses[0] / 6, losses[::10]
    assert time.perf_counter() - start < 15


def test_run_training_exports_a_loadable_generator(tiny_data, tmp_path):
    task = LandmarkTask(tiny_data, model=TINY, lr=1e-3)
    config = TrainingConfig(max_steps=3, batch_size=2, log_every=1, checkpoint_every=3, device="cpu",
                            progress=False)
    run_training(task, config, tmp_path / "run")
    folder = tmp_path / "run" / "final" / "landmark_generator"
    assert (folder / "config.json").is_file() and (folder / "model.safetensors").is_file()
    stats = [json.loads(line) for line in (tmp_path / "run" / "stats.jsonl").read_text().splitlines()]
    assert {"loss", "l1", "continuity", "lip_error_px"} <= set(stats[-1])
    loaded = from_pretrained(LandmarkGenerator, folder).eval()
    assert loaded.config == task.config()["model"]
    task.generator.eval()
    mel, pose, refs = inputs(1, 5, 3, torch.Generator().manual_seed(3))
    with torch.no_grad():
        assert torch.equal(loaded(mel, pose, refs), task.generator(mel, pose, refs))
