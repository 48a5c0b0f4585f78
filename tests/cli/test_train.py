"""`talkinghead train METHOD`: dispatch to a method's training stages (a tiny method registered in this test),
clear one-line errors for the default method (nothing to train) and unknown methods."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from talkinghead.cli.main import main
from talkinghead.nn import ConfigMixin, from_pretrained
from talkinghead.training import Stage, TrainingConfig, TrainingTask


class MouthFromMel(ConfigMixin, nn.Module):
    """jawOpen of each window frame from its 80x16 mel window (mean over time)."""

    def __init__(self, hidden: int = 16):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(80, hidden), nn.Tanh(), nn.Linear(hidden, 1))

    def forward(self, mel):  # (b, t, 80, 16) -> (b, t)
        return self.net(mel.mean(-1)).squeeze(-1)


class MouthTask(TrainingTask):
    """Stage 1 trains the audio model; stage 2 trains a correction on top of the frozen stage-1 model."""

    def __init__(self, data_dir: Path, first: Path | None = None):
        self.data_dir, self.first = data_dir, first

    def config(self):
        return {"data_dir": str(self.data_dir), "first": str(self.first) if self.first else None}

    def build(self, ctx):
        self.model = MouthFromMel()
        modules = {"model": self.model}
        if self.first is not None:
            self.frozen = from_pretrained(MouthFromMel, self.first / "model").requires_grad_(False)
            modules["frozen"] = self.frozen
        return modules

    def configure_optimizers(self, modules):
        return {"adam": torch.optim.Adam(self.model.parameters(), lr=0.01)}

    def dataset(self):
        from talkinghead.data import WindowDataset

        return WindowDataset(self.data_dir, split=None, window=4, size=32, with_frames=False)

    def training_step(self, batch, step, phase="main"):
        from talkinghead.blendshapes import INDEX

        prediction = self.model(batch["mel"])
        if self.first is not None:
            prediction = prediction + self.frozen(batch["mel"])
        loss = F.mse_loss(prediction, batch["blendshapes"][..., INDEX["jawOpen"]])
        return {"loss": loss, "mse": loss.detach()}


def make_stages(data_dir: Path, preset: str, split: str | None = "train") -> list[Stage]:
    assert split in ("train", None)  # --split all -> None
    config = TrainingConfig(max_steps=30 if preset == "paper" else 6, batch_size=4, log_every=2,
                            checkpoint_every=3, device="cpu")
    return [Stage("audio", lambda done: MouthTask(data_dir), config),
            Stage("refine", lambda done: MouthTask(data_dir, done["audio"]), config)]


@pytest.fixture
def tiny_method():
    from talkinghead.methods import Method, register, unregister

    register(Method(name="tiny_mouth", summary="test-only", config="talkinghead.methods.base:GenerateOptions",
                    pipeline="talkinghead.api:generate", training=f"{__name__}:make_stages"))
    yield "tiny_mouth"
    unregister("tiny_mouth")


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    from talkinghead.data import build_tiny_dataset

    return build_tiny_dataset(tmp_path_factory.mktemp("tiny") / "ds", num_frames=12, size=32)


def test_train_runs_every_stage_and_resumes(tiny_method, data, tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["train", tiny_method, "--data", str(data), "--out", str(out), "--max-steps", "4"]) == 0
    printed = capsys.readouterr().out
    assert f"audio: {out / 'audio' / 'final'}" in printed and "refine:" in printed
    for stage in ("audio", "refine"):
        meta = json.loads((out / stage / "final" / "meta.json").read_text())
        assert meta["step"] == 4
    refine = json.loads((out / "refine" / "config.json").read_text())
    assert refine["task"]["first"] == str(out / "audio" / "final")
    # --resume with more steps trains both stages further; a finished run is not retrained
    assert main(["train", tiny_method, "--data", str(data), "--out", str(out), "--max-steps", "6", "--resume"]) == 0
    assert json.loads((out / "refine" / "final" / "meta.json").read_text())["step"] == 6
    lines = (out / "refine" / "stats.jsonl").read_text().splitlines()
    assert [json.loads(s)["step"] for s in lines] == [2, 4, 6]
    # without --resume an existing run is refused
    capsys.readouterr()
    assert main(["train", tiny_method, "--data", str(data), "--out", str(out), "--max-steps", "6"]) == 2
    assert "already holds a training run; pass --resume" in capsys.readouterr().err.splitlines()[-1]


def test_train_errors(tiny_method, data, tmp_path, capsys):
    def fails(*args):
        assert main(["train", *args, "--data", str(data), "--out", str(tmp_path / "r")]) == 2
        err = capsys.readouterr().err
        assert err.startswith("error: ") and err.count("\n") == 1
        return err

    assert "'default' has no trained parts" in fails("default")
    err = fails("nope")
    assert "unknown method 'nope'" in err and "default" in err and "tiny_mouth" in err
    assert "no preset 'huge'" in fails(tiny_method, "--preset", "huge")
    assert main(["train", tiny_method, "--data", str(tmp_path / "none"), "--out", str(tmp_path / "r")]) == 2
    assert "manifest.json" in capsys.readouterr().err
    assert not (tmp_path / "r").exists()
