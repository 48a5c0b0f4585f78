"""Training throughput of a reference block stack, through the training loop and in a bare loop.

The reference stack is a small IP-LAP-style renderer built from ``talkinghead.nn``: a Wav2Lip mel encoder
(audio -> AdaIN condition), a ResBlock2d encoder, a SPADE block fed by a sketch, AdaIN, and a PixelShuffle
decoder; the loss is L1 + the weight-free perceptual fallback + LSGAN + feature matching against a
PatchDiscriminator (two phases). It prints samples per second (steady state, after warm-up) for:

- ``bare``: a plain Python loop doing the same forward/backward/optimizer work (no loop features);
- ``loop``: :func:`talkinghead.training.run_training` (stats, phases, gradient handling; checkpoints off).

Usage::

    python benchmarks/bench_training.py                       # CPU, 64x64, batch 8
    python benchmarks/bench_training.py --size 128 --batch 16 --device cuda --precision bf16
    torchrun --standalone --nproc-per-node 2 benchmarks/bench_training.py --steps 20   # per-process figures

Figures depend on the machine and its load; nothing here asserts a speed.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import tempfile
import time
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import Dataset

from talkinghead.losses import FeatureMatchingLoss, LSGANLoss, MaskedL1Loss, perceptual_loss, weighted_sum
from talkinghead.nn import SPADE, AdaIN, ConfigMixin, MelEncoder, PatchDiscriminator, PixelShuffleUpsample, ResBlock2d
from talkinghead.training import Phase, TrainingConfig, TrainingTask, run_training


class ReferenceRenderer(ConfigMixin, nn.Module):
    """(b, 3, s, s) masked face + (b, 3, s, s) sketch + (b, 1, 80, 16) mel -> (b, 3, s, s) face."""

    def __init__(self, channels: int = 32, audio_dim: int = 64):
        super().__init__()
        c = channels
        self.audio = MelEncoder(audio_dim, base_channels=8)
        self.encoder = nn.Sequential(nn.Conv2d(6, c, 3, padding=1), ResBlock2d(c, 2 * c, stride=2, norm="instance"),
                                     ResBlock2d(2 * c, 4 * c, stride=2, norm="instance"))
        self.spade = SPADE(4 * c, 3, hidden_channels=c)
        self.adain = AdaIN(4 * c, audio_dim)
        self.decoder = nn.Sequential(PixelShuffleUpsample(4 * c, 2 * c), nn.LeakyReLU(0.2),
                                     PixelShuffleUpsample(2 * c, c), nn.LeakyReLU(0.2), nn.Conv2d(c, 3, 3, padding=1))

    def forward(self, masked, sketch, mel):
        h = self.encoder(torch.cat([masked, sketch], 1))
        h = F.leaky_relu(self.spade(h, sketch), 0.2)
        h = self.adain(h, self.audio(mel))
        return torch.sigmoid(self.decoder(h))


class RandomFaces(Dataset):
    def __init__(self, n: int, size: int):
        self.n, self.size = n, size

    def __len__(self):
        return self.n

    def __getitem__(self, idx):
        g = torch.Generator().manual_seed(idx)
        face = torch.rand(3, self.size, self.size, generator=g)
        masked = face.clone()
        masked[:, self.size // 2 :] = 0
        return {"face": face, "masked": masked, "sketch": (torch.rand(3, self.size, self.size, generator=g) > 0.9).float(),
                "mel": torch.randn(1, 80, 16, generator=g)}


class RenderTask(TrainingTask):
    def __init__(self, size: int = 64, channels: int = 32):
        self.size, self.channels = size, channels

    def config(self):
        return {"size": self.size, "channels": self.channels}

    def build(self, ctx):
        self.generator = ReferenceRenderer(self.channels)
        self.discriminator = PatchDiscriminator(6, base_channels=16, num_layers=3)
        self.perceptual = perceptual_loss(None).to(ctx.device)
        self.gan, self.fm, self.l1 = LSGANLoss(), FeatureMatchingLoss(), MaskedL1Loss()
        return {"generator": self.generator, "discriminator": self.discriminator}

    def configure_optimizers(self, modules):
        return {"g": torch.optim.Adam(self.generator.parameters(), lr=1e-4, betas=(0.5, 0.999)),
                "d": torch.optim.Adam(self.discriminator.parameters(), lr=1e-4, betas=(0.5, 0.999))}

    def phases(self):
        return (Phase("generator", "g", ("generator",)), Phase("discriminator", "d", ("discriminator",)))

    def dataset(self):
        return RandomFaces(256, self.size)

    def training_step(self, batch, step, phase="main"):
        fake = self.generator(batch["masked"], batch["sketch"], batch["mel"])
        real_pair = torch.cat([batch["face"], batch["sketch"]], 1)
        if phase == "generator":
            fake_out = self.discriminator(torch.cat([fake, batch["sketch"]], 1))
            real_out = self.discriminator(real_pair)
            terms = {"l1": self.l1(fake, batch["face"]), "perceptual": self.perceptual(fake, batch["face"]),
                     "gan": self.gan.generator(fake_out), "fm": self.fm(real_out, fake_out)}
            return weighted_sum(terms, {"l1": 1.0, "perceptual": 1.0, "gan": 0.25, "fm": 2.5})
        fake_out = self.discriminator(torch.cat([fake.detach(), batch["sketch"]], 1))
        return {"loss": self.gan.discriminator(self.discriminator(real_pair), fake_out)}


def bare_loop(task: RenderTask, device: torch.device, batch: int, steps: int, warmup: int) -> float:
    """Samples per second of the same work in a plain loop (one process, fp32)."""
    torch.manual_seed(0)
    modules = {k: m.to(device) for k, m in task.build(_Ctx(device)).items()}
    optimizers = task.configure_optimizers(modules)
    data = task.dataset()
    loader = torch.utils.data.DataLoader(data, batch_size=batch, shuffle=True, drop_last=True)
    it = iter(loader)
    start = None
    for i in range(warmup + steps):
        if i == warmup:
            if device.type == "cuda":
                torch.cuda.synchronize()
            start = time.perf_counter()
        try:
            b = next(it)
        except StopIteration:
            it = iter(loader)
            b = next(it)
        b = {k: v.to(device) for k, v in b.items()}
        for phase in task.phases():
            opt = optimizers[phase.optimizer]
            opt.zero_grad()
            task.training_step(b, i, phase.name)["loss"].backward()
            opt.step()
    if device.type == "cuda":
        torch.cuda.synchronize()
    return steps * batch / (time.perf_counter() - start)


class _Ctx:
    def __init__(self, device):
        self.device = device


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=64)
    parser.add_argument("--channels", type=int, default=32)
    parser.add_argument("--batch", type=int, default=8, help="global batch")
    parser.add_argument("--steps", type=int, default=20, help="timed steps (after as many warm-up steps)")
    parser.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda"])
    parser.add_argument("--precision", default="auto", choices=["auto", "fp32", "bf16", "fp16"])
    parser.add_argument("--threads", type=int, default=None, help="torch CPU threads (default: torch's)")
    parser.add_argument("--skip-bare", action="store_true")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    rank = int(os.environ.get("RANK", "0"))
    world = int(os.environ.get("WORLD_SIZE", "1"))
    device = torch.device("cuda" if args.device == "cuda" or (args.device == "auto" and torch.cuda.is_available())
                          else "cpu")
    params = sum(p.numel() for p in ReferenceRenderer(args.channels).parameters())
    header = (f"reference renderer: {params / 1e6:.2f} M parameters, {args.size}x{args.size}, global batch "
              f"{args.batch}, {world} process(es), device {device}, torch threads {torch.get_num_threads()}")
    if rank == 0:
        print(header)
    if world == 1 and not args.skip_bare:
        sps = bare_loop(RenderTask(args.size, args.channels), device, args.batch, args.steps, warmup=3)
        print(f"bare loop (fp32):            {sps:8.1f} samples/s   {args.batch / sps * 1000:7.1f} ms/step")
    # One run folder for every process (under torchrun they share the elastic run id).
    run = Path(tempfile.gettempdir()) / f"bench-training-{os.environ.get('TORCHELASTIC_RUN_ID', os.getpid())}"
    total = 2 * args.steps
    config = TrainingConfig(max_steps=total, batch_size=args.batch, log_every=args.steps,
                            checkpoint_every=10**9, progress=False, device=args.device, precision=args.precision)
    run_training(RenderTask(args.size, args.channels), config, run)
    if rank == 0:
        lines = [json.loads(line) for line in (run / "stats.jsonl").read_text().splitlines()]
        steady = lines[1]  # the second half: warm-up excluded
        amp = json.loads((run / "config.json").read_text())["amp_dtype"] or "fp32"
        print(f"run_training ({amp}, {world} proc): {steady['samples_per_s']:8.1f} samples/s   "
              f"{steady['sec_per_step'] * 1000:7.1f} ms/step")
        shutil.rmtree(run, ignore_errors=True)


if __name__ == "__main__":
    main()
