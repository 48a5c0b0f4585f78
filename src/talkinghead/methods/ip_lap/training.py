"""``talkinghead train ip_lap``: the two stages of Sec. 3, trained one after the other (Sec. 3.1.2, 3.2.3).

    RUN/landmarks/final/landmark_generator/   audio-to-landmark (L_1 + lambda_c L_c, Eq. 12)
    RUN/renderer/final/renderer/              landmark-to-video (Eq. 20), trained on ground-truth landmarks

The stages are independent (the renderer is trained on the dataset's landmarks, as in the paper, not on
stage 1's predictions), so their order only fixes the run folder layout. A finished run folder is a checkpoint:
``talkinghead generate ... --method ip_lap --checkpoint RUN``.

Presets (``--preset``):

- ``paper``: Sec. 4.1 sizes (T = 5, N_l = 15, d = 512, 128 px faces, N = 3 training references) and the
  public implementation's depth; for LRS2 on GPUs (docs/ip_lap.md).
- ``small``: the bundled checkpoint's sizes and schedule (about 70 minutes on a 2-core CPU).
- ``tiny``: minutes on a CPU, for tests and smoke runs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from talkinghead.errors import OptionError
from talkinghead.training import Stage, TrainingConfig

__all__ = ["PRESETS", "training_stages"]

#: preset -> {"landmarks": (LandmarkTask kwargs, TrainingConfig kwargs), "renderer": (RendererTask kwargs, ...)}
PRESETS: dict[str, dict[str, tuple[dict[str, Any], dict[str, Any]]]] = {
    "paper": {
        "landmarks": (dict(model=dict(dim=512, depth=4, heads=4, mlp_ratio=2.0, dropout=0.1, window=5,
                                      num_refs=15, mel_base_channels=32), lr=1e-4),
                      dict(max_steps=200_000, batch_size=128, log_every=100, checkpoint_every=5000,
                           ema_halflife_steps=0.0)),
        "renderer": (dict(model=dict(image_size=128, base_channels=64, max_channels=512, num_down=3,
                                     num_sketches=5, audio_dim=512, mel_base_channels=32, spade_hidden=128),
                          lr=1e-4, num_refs=3, k=2, image_size=128),
                     dict(max_steps=300_000, batch_size=16, log_every=100, checkpoint_every=5000,
                          image_every=5000)),
    },
    "small": {
        "landmarks": (dict(model=dict(dim=128, depth=3, heads=4, mlp_ratio=2.0, dropout=0.1, window=5,
                                      num_refs=15, mel_base_channels=16), lr=3e-4),
                      dict(max_steps=500, batch_size=32, log_every=50, checkpoint_every=250)),
        "renderer": (dict(model=dict(image_size=128, base_channels=16, max_channels=128, num_down=3,
                                     num_sketches=5, audio_dim=128, mel_base_channels=8, spade_hidden=32),
                          lr=2e-4, num_refs=3, k=2, image_size=128),
                     dict(max_steps=800, batch_size=8, log_every=25, checkpoint_every=100, image_every=200)),
    },
    "tiny": {
        "landmarks": (dict(model=dict(dim=64, depth=2, heads=4, mlp_ratio=2.0, dropout=0.0, window=5,
                                      num_refs=15, mel_base_channels=8), lr=1e-3),
                      dict(max_steps=300, batch_size=16, log_every=10, checkpoint_every=100)),
        "renderer": (dict(model=dict(image_size=128, base_channels=8, max_channels=64, num_down=3,
                                     num_sketches=5, audio_dim=64, mel_base_channels=8, spade_hidden=16),
                          lr=1e-3, num_refs=3, k=2, image_size=128),
                     dict(max_steps=200, batch_size=4, log_every=10, checkpoint_every=100)),
    },
}


def training_stages(data_dir: str | Path, preset: str = "tiny", split: str | None = "train") -> list[Stage]:
    """The stages of ``talkinghead train ip_lap --data DATA --preset PRESET [--split SPLIT]``.

    Raises:
        OptionError: unknown preset.
    """
    from talkinghead.methods.ip_lap.train_landmarks import LandmarkTask
    from talkinghead.methods.ip_lap.train_renderer import RendererTask

    if preset not in PRESETS:
        raise OptionError(f"unknown IP-LAP preset {preset!r}; available: {', '.join(PRESETS)}")
    (landmark_task, landmark_loop), (render_task, render_loop) = PRESETS[preset]["landmarks"], \
        PRESETS[preset]["renderer"]
    data_dir = Path(data_dir)
    return [
        Stage("landmarks", lambda _done: LandmarkTask(data_dir, split=split, **landmark_task),
              TrainingConfig(**landmark_loop)),
        Stage("renderer", lambda _done: RendererTask(data_dir, split=split, **render_task),
              TrainingConfig(**render_loop)),
    ]
