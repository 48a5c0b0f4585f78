"""Tiny training tasks for the loop's tests, usable in-process and as ``--task tiny_tasks.py:NAME``.

Shapes: n samples, d input size, o output size.
"""

from __future__ import annotations

import time

import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import Dataset

from talkinghead.losses import LSGANLoss, MaskedL1Loss, weighted_sum
from talkinghead.nn import ConfigMixin, PixelShuffleUpsample, ResBlock2d
from talkinghead.training import Phase, TrainingTask


class TensorPairs(Dataset):
    """(x, y) pairs; ``__getitem__`` is a pure function of idx."""

    def __init__(self, x: torch.Tensor, y: torch.Tensor):
        self.x, self.y = x, y

    def __len__(self):
        return len(self.x)

    def __getitem__(self, idx):
        return {"x": self.x[idx], "y": self.y[idx]}


def regression_data(n: int, dim: int, seed: int = 1234) -> TensorPairs:
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, dim, generator=g)
    w = torch.randn(dim, 2, generator=g)
    return TensorPairs(x, torch.sin(x @ w))


class TinyMLP(ConfigMixin, nn.Module):
    def __init__(self, dim: int = 8, hidden: int = 16, out: int = 2, dropout: float = 0.0, use_batchnorm: bool = False):
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(dim, hidden), nn.BatchNorm1d(hidden) if use_batchnorm else nn.Identity(), nn.Tanh(),
            nn.Dropout(dropout), nn.Linear(hidden, out),
        )

    def forward(self, x):
        return self.net(x)


class RegressionTask(TrainingTask):
    """An MLP regressing sin(x W). ``noise`` draws from ctx.generator, ``dropout`` from torch's global RNG."""

    ema_modules = ("model",)

    def __init__(self, n: int = 32, dim: int = 8, hidden: int = 16, lr: float = 0.02, noise: float = 0.0,
                 dropout: float = 0.0, use_batchnorm: bool = False, use_scheduler: bool = False,
                 step_sleep: float = 0.0):
        self.options = dict(n=n, dim=dim, hidden=hidden, lr=lr, noise=noise, dropout=dropout,
                            use_batchnorm=use_batchnorm, use_scheduler=use_scheduler)
        self.step_sleep = step_sleep

    def config(self):
        return dict(self.options)

    def build(self, ctx):
        self.ctx = ctx
        o = self.options
        self.model = TinyMLP(o["dim"], o["hidden"], 2, o["dropout"], o["use_batchnorm"])
        return {"model": self.model}

    def configure_optimizers(self, modules):
        return {"main": torch.optim.Adam(self.model.parameters(), lr=self.options["lr"])}

    def configure_schedulers(self, optimizers):
        if not self.options["use_scheduler"]:
            return {}
        return {"main": torch.optim.lr_scheduler.StepLR(optimizers["main"], step_size=3, gamma=0.7)}

    def dataset(self):
        return regression_data(self.options["n"], self.options["dim"])

    def training_step(self, batch, step, phase="main"):
        if self.step_sleep:
            time.sleep(self.step_sleep)
        x = batch["x"]
        if self.options["noise"]:
            x = x + self.options["noise"] * torch.randn(x.shape, generator=self.ctx.generator, device=x.device)
        prediction = self.model(x)
        return weighted_sum({"mse": F.mse_loss(prediction, batch["y"]),
                             "l1": (prediction - batch["y"]).abs().mean()}, {"mse": 1.0, "l1": 0.0})


def make_regression(**kwargs) -> RegressionTask:
    return RegressionTask(**kwargs)


class Critic(ConfigMixin, nn.Module):
    def __init__(self, dim: int = 2):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(dim, 8), nn.LeakyReLU(0.2), nn.Linear(8, 1))

    def forward(self, y):
        return self.net(y)


class AdversarialTask(TrainingTask):
    """Generator (MLP) + critic in two phases; a third, frozen module takes part in the forward pass."""

    def __init__(self, g_lr: float = 0.01, d_lr: float = 0.01):
        self.g_lr, self.d_lr = g_lr, d_lr

    def build(self, ctx):
        self.generator = TinyMLP(8, 16, 2)
        self.critic = Critic(2)
        self.frozen = TinyMLP(2, 4, 2).requires_grad_(False)
        return {"generator": self.generator, "critic": self.critic, "frozen": self.frozen}

    def configure_optimizers(self, modules):
        return {"g": torch.optim.SGD(self.generator.parameters(), lr=self.g_lr),
                "d": torch.optim.SGD(self.critic.parameters(), lr=self.d_lr)}

    def phases(self):
        return (Phase("generator", "g", ("generator",)), Phase("critic", "d", ("critic",), interval=2))

    def dataset(self):
        return regression_data(16, 8)

    def training_step(self, batch, step, phase="main"):
        gan = LSGANLoss()
        fake = self.frozen(self.generator(batch["x"]))
        if phase == "generator":
            return weighted_sum({"gan": gan.generator(self.critic(fake)),
                                 "rec": F.l1_loss(fake, batch["y"])}, {"gan": 1.0, "rec": 1.0})
        return {"loss": gan.discriminator(self.critic(batch["y"]), self.critic(fake.detach()))}


def make_adversarial(**kwargs) -> AdversarialTask:
    return AdversarialTask(**kwargs)


def shape_images(n: int = 8, size: int = 16, seed: int = 7) -> torch.Tensor:
    """n RGB images in [0, 1]: a coloured rectangle on a coloured background, per image."""
    g = torch.Generator().manual_seed(seed)
    images = torch.empty(n, 3, size, size)
    for i in range(n):
        background, colour = torch.rand(3, generator=g), torch.rand(3, generator=g)
        images[i] = background[:, None, None]
        top, left = torch.randint(0, size // 2, (2,), generator=g).tolist()
        h, w = torch.randint(3, size // 2, (2,), generator=g).tolist()
        images[i, :, top : top + h, left : left + w] = colour[:, None, None]
    return images


class TinyAutoencoder(ConfigMixin, nn.Module):
    """Reference block stack: ResBlock2d encoder (stride 2), ResBlock2d bottleneck, PixelShuffle decoder."""

    def __init__(self, channels: int = 16, norm: str = "group"):
        super().__init__()
        self.encoder = nn.Sequential(nn.Conv2d(3, channels, 3, padding=1), ResBlock2d(channels, 2 * channels, stride=2, norm=norm),
                                     ResBlock2d(2 * channels, norm=norm))
        self.decoder = nn.Sequential(PixelShuffleUpsample(2 * channels, channels), nn.LeakyReLU(0.2),
                                     nn.Conv2d(channels, 3, 3, padding=1))

    def forward(self, x):
        return torch.sigmoid(self.decoder(self.encoder(x)))


class AutoencoderTask(TrainingTask):
    """Reconstruct a handful of images (overfitting test and throughput benchmark)."""

    def __init__(self, n: int = 8, size: int = 16, channels: int = 16, lr: float = 3e-3):
        self.n, self.size, self.channels, self.lr = n, size, channels, lr

    def build(self, ctx):
        self.model = TinyAutoencoder(self.channels)
        return {"autoencoder": self.model}

    def configure_optimizers(self, modules):
        return {"adam": torch.optim.Adam(self.model.parameters(), lr=self.lr)}

    def dataset(self):
        images = shape_images(self.n, self.size)
        return TensorPairs(images, images)

    def training_step(self, batch, step, phase="main"):
        return weighted_sum({"l1": MaskedL1Loss()(self.model(batch["x"]), batch["y"])}, {"l1": 1.0})

    def visualize(self, batch):
        return {"reconstruction": torch.cat([batch["x"][:4], self.model(batch["x"][:4])])}


def make_autoencoder(**kwargs) -> AutoencoderTask:
    return AutoencoderTask(**kwargs)
