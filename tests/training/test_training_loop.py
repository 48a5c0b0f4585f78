"""The loop in one process: run folder, logs, checkpoints, resume, phases, accumulation, EMA, stages."""

from __future__ import annotations

import json

import pytest
import torch
from conftest import read_stats, weights
from tiny_tasks import AdversarialTask, AutoencoderTask, RegressionTask, TinyMLP

from talkinghead.errors import OptionError, OutputExistsError
from talkinghead.nn import from_pretrained
from talkinghead.training import Stage, TrainingConfig, TrainingTask, latest_checkpoint, run_stages, run_training


def config(**overrides) -> TrainingConfig:
    base = dict(max_steps=6, batch_size=4, log_every=1, checkpoint_every=2, progress=False)
    return TrainingConfig(**{**base, **overrides})


def test_run_folder_layout_and_logs(tmp_path):
    result = run_training(RegressionTask(), config(keep_checkpoints=2, ema_halflife_steps=2.0), tmp_path / "run")
    run = tmp_path / "run"
    assert result.step == 6 and result.resumed_from is None
    resolved = json.loads((run / "config.json").read_text())
    assert resolved["training"]["batch_size"] == 4 and resolved["task"]["lr"] == 0.02
    assert resolved["rank_seeds"] == [0] and resolved["accumulation"] == 1
    stats = read_stats(run)
    assert [s["step"] for s in stats] == [1, 2, 3, 4, 5, 6]
    assert {"loss", "mse", "l1", "samples", "sec_per_step", "samples_per_s", "lr/main"} <= set(stats[0])
    assert stats[-1]["samples"] == 24
    # Only the newest keep_checkpoints complete checkpoints remain, each with everything needed to resume.
    names = sorted(p.name for p in (run / "checkpoints").iterdir())
    assert names == ["step-000000004", "step-000000006"]
    latest = latest_checkpoint(run)
    assert {p.name for p in latest.iterdir()} == {"modules", "ema", "training_state.pt", "rng-rank-00000.pt",
                                                  "meta.json"}
    # final/ holds the EMA weights, loadable by from_pretrained alone.
    model = from_pretrained(TinyMLP, run / "final" / "model")
    ema = weights(latest / "ema" / "model")
    assert all(torch.equal(v, model.state_dict()[k]) for k, v in ema.items())
    raw = weights(latest / "modules" / "model")
    assert any(not torch.equal(v, ema[k]) for k, v in raw.items())


def test_existing_run_needs_resume(tmp_path):
    run_training(RegressionTask(), config(max_steps=2), tmp_path / "run")
    with pytest.raises(OutputExistsError, match="--resume"):
        run_training(RegressionTask(), config(max_steps=2), tmp_path / "run")


def test_resume_repeats_the_uninterrupted_run_exactly(tmp_path):
    # Noise from ctx.generator, dropout from torch's RNG, BatchNorm buffers, an LR schedule and EMA: all
    # must be restored for the resumed run to match bit for bit.
    options = dict(noise=0.1, dropout=0.2, use_batchnorm=True, use_scheduler=True)
    cfg = config(max_steps=10, checkpoint_every=3, ema_halflife_steps=3.0)
    run_training(RegressionTask(**options), cfg, tmp_path / "full")
    first = run_training(RegressionTask(**options), cfg, tmp_path / "split", max_steps=7)
    assert first.step == 7 and latest_checkpoint(tmp_path / "split").name == "step-000000007"
    second = run_training(RegressionTask(**options), cfg, tmp_path / "split", resume=True)
    assert second.resumed_from == 7 and second.step == 10
    for kind in ("modules", "ema"):
        a = weights(latest_checkpoint(tmp_path / "full") / kind / "model")
        b = weights(latest_checkpoint(tmp_path / "split") / kind / "model")
        assert all(torch.equal(a[k], b[k]) for k in a), kind
    full, split = read_stats(tmp_path / "full"), read_stats(tmp_path / "split")
    assert [s["step"] for s in split] == list(range(1, 11))
    assert [s["loss"] for s in split] == [s["loss"] for s in full]
    assert [s["lr/main"] for s in split] == [s["lr/main"] for s in full]


def test_resume_without_checkpoint_starts_fresh_and_finished_run_does_nothing(tmp_path):
    result = run_training(RegressionTask(), config(max_steps=2), tmp_path / "run", resume=True)
    assert result.resumed_from is None and result.step == 2
    again = run_training(RegressionTask(), config(max_steps=2), tmp_path / "run", resume=True)
    assert again.resumed_from == 2 and again.step == 2
    assert len(read_stats(tmp_path / "run")) == 2


def test_gradient_accumulation_matches_one_large_batch(tmp_path):
    big = run_training(RegressionTask(), config(max_steps=4, batch_size=8), tmp_path / "big")
    small = run_training(RegressionTask(), config(max_steps=4, batch_size=8, batch_per_process=2),
                         tmp_path / "small")
    assert json.loads((tmp_path / "small" / "config.json").read_text())["accumulation"] == 4
    a = weights(big.run_dir / "checkpoints" / "step-000000004" / "modules" / "model")
    b = weights(small.run_dir / "checkpoints" / "step-000000004" / "modules" / "model")
    assert all(torch.allclose(a[k], b[k], atol=1e-6) for k in a)
    assert read_stats(tmp_path / "small")[0]["loss"] == pytest.approx(read_stats(tmp_path / "big")[0]["loss"], 1e-6)


def test_batch_must_divide(tmp_path):
    with pytest.raises(OptionError, match="multiple"):
        run_training(RegressionTask(), config(batch_size=5, batch_per_process=2), tmp_path / "run")


def test_phases_train_only_their_modules(tmp_path):
    task = AdversarialTask(g_lr=0.05, d_lr=0.05)
    run_training(task, config(max_steps=3, checkpoint_every=100), tmp_path / "run")
    stats = read_stats(tmp_path / "run")
    assert "generator/gan" in stats[0] and "critic/loss" in stats[0]
    assert "critic/loss" not in stats[1]  # critic phase has interval 2: steps 0 and 2 only
    final = tmp_path / "run" / "final"
    torch.manual_seed(0)
    reference = AdversarialTask()
    reference.build(None)
    assert all(torch.equal(v, reference.frozen.state_dict()[k]) for k, v in weights(final / "frozen").items())
    assert not torch.equal(weights(final / "generator")["net.0.weight"], reference.generator.net[0].weight)
    # With a zero critic learning rate, the generator phase's gradients through the critic change nothing.
    frozen_critic = AdversarialTask(g_lr=0.05, d_lr=0.0)
    run_training(frozen_critic, config(max_steps=2, checkpoint_every=100), tmp_path / "run2")
    assert all(torch.equal(v, reference.critic.state_dict()[k])
               for k, v in weights(tmp_path / "run2" / "final" / "critic").items())


def test_image_grids_are_written(tmp_path):
    run_training(AutoencoderTask(), config(max_steps=2, image_every=2), tmp_path / "run")
    assert [p.name for p in (tmp_path / "run" / "images").iterdir()] == ["step-000000002-reconstruction.png"]


def test_tiny_autoencoder_overfits(tmp_path):
    """STYLE.md 20: the loss on a fixed 8-image set falls at least 10x in 150 steps."""
    run_training(AutoencoderTask(), config(max_steps=150, batch_size=8, checkpoint_every=150), tmp_path / "run")
    stats = read_stats(tmp_path / "run")
    first, last = stats[0]["loss"], sum(s["loss"] for s in stats[-5:]) / 5
    assert last < first / 10, (first, last)


class _Head(TrainingTask):
    """Stage 2: trains a head on top of stage 1's frozen model."""

    def __init__(self, previous):
        self.previous = previous

    def build(self, ctx):
        self.body = from_pretrained(TinyMLP, self.previous["body"] / "model").requires_grad_(False)
        self.head = TinyMLP(2, 4, 2)
        return {"body": self.body, "head": self.head}

    def configure_optimizers(self, modules):
        return {"head": torch.optim.Adam(self.head.parameters(), lr=0.01)}

    def dataset(self):
        return RegressionTask().dataset()

    def training_step(self, batch, step, phase="main"):
        return {"loss": torch.nn.functional.mse_loss(self.head(self.body(batch["x"])), batch["y"])}


def test_stages_run_in_order_and_hand_over_final_folders(tmp_path):
    # The body has BatchNorm: frozen in stage 2, its running statistics must not move either.
    stages = [Stage("body", lambda done: RegressionTask(use_batchnorm=True), config(max_steps=3)),
              Stage("head", _Head, config(max_steps=2))]
    finished = run_stages(stages, tmp_path / "run")
    assert set(finished) == {"body", "head"}
    body = weights(finished["body"] / "model")
    assert "net.1.running_mean" in body
    assert all(torch.equal(v, weights(finished["head"] / "body")[k]) for k, v in body.items())
    # Resuming a finished multi-stage run trains nothing again.
    before = (tmp_path / "run" / "body" / "stats.jsonl").read_text()
    run_stages(stages, tmp_path / "run", resume=True)
    assert (tmp_path / "run" / "body" / "stats.jsonl").read_text() == before


def test_tensorboard_is_optional(tmp_path):
    import importlib.util

    from talkinghead.errors import DependencyMissingError

    cfg = config(max_steps=2, tensorboard=True, image_every=2)
    if importlib.util.find_spec("tensorboard") is None:
        with pytest.raises(DependencyMissingError, match=r"talkinghead\[train\]"):
            run_training(AutoencoderTask(), cfg, tmp_path / "run")
        assert not (tmp_path / "run").exists()  # refused before anything was written
    else:
        run_training(AutoencoderTask(), cfg, tmp_path / "run")
        assert any((tmp_path / "run" / "tensorboard").iterdir())
