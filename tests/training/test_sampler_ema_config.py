import itertools

import pytest
import torch
from torch import nn

from talkinghead.errors import OptionError
from talkinghead.training import EMA, InfiniteSampler, TrainingConfig, ema_beta, image_grid


def take(sampler, n):
    return list(itertools.islice(iter(sampler), n))


def test_global_batches_are_the_same_set_for_any_world_size():
    one = take(InfiniteSampler(10, seed=3), 40)
    two = [take(InfiniteSampler(10, rank=r, world_size=2, seed=3), 20) for r in range(2)]
    for step in range(5):  # global batch 8: positions [8s, 8s + 8)
        per_rank = two[0][4 * step : 4 * step + 4] + two[1][4 * step : 4 * step + 4]
        assert sorted(per_rank) == sorted(one[8 * step : 8 * step + 8])


def test_each_epoch_is_a_permutation_and_start_resumes_the_stream():
    stream = take(InfiniteSampler(7, seed=1), 21)
    for epoch in range(3):
        assert sorted(stream[7 * epoch : 7 * epoch + 7]) == list(range(7))
    assert stream[:7] != stream[7:14]  # a fresh permutation per epoch
    assert take(InfiniteSampler(7, seed=1, start=9), 12) == stream[9:21]
    assert take(InfiniteSampler(7, seed=2), 7) != stream[:7]
    assert take(InfiniteSampler(4, shuffle=False), 6) == [0, 1, 2, 3, 0, 1]


def test_ema_beta_follows_the_half_life_and_warm_up():
    assert ema_beta(1000, halflife_steps=10, rampup=0.05) == pytest.approx(0.5 ** 0.1)
    assert ema_beta(10, halflife_steps=10, rampup=0.05) == pytest.approx(0.5 ** 2)  # halflife capped at 0.5
    assert ema_beta(1, halflife_steps=10, rampup=0.0) == pytest.approx(0.5 ** 0.1)


def test_ema_update_moves_parameters_and_copies_buffers():
    module = nn.BatchNorm1d(2)
    ema = EMA(module)
    with torch.no_grad():
        module.weight.fill_(3.0)
        module.running_mean.fill_(5.0)
    ema.update(module, beta=0.75)
    assert torch.allclose(ema.module.weight, torch.full((2,), 0.75 * 1 + 0.25 * 3))
    assert torch.equal(ema.module.running_mean, module.running_mean)
    assert not any(p.requires_grad for p in ema.module.parameters())


def test_config_validation():
    with pytest.raises(OptionError, match="unknown training options"):
        TrainingConfig.from_dict({"steps": 3})
    with pytest.raises(OptionError, match="max_steps"):
        TrainingConfig(max_steps=0)
    with pytest.raises(OptionError, match="precision"):
        TrainingConfig(precision="fp8")
    assert TrainingConfig.from_dict(TrainingConfig(seed=4).to_dict()) == TrainingConfig(seed=4)


def test_image_grid_layout():
    images = torch.zeros(3, 3, 4, 5)
    images[1] = 1.0
    grid = image_grid(images, columns=2, padding=1)
    assert grid.shape == (2 * 5 + 1, 2 * 6 + 1, 3) and grid.dtype.name == "uint8"
    assert grid[1, 1].tolist() == [0, 0, 0] and grid[1, 7].tolist() == [255, 255, 255]
