import torch

from talkinghead.losses import LandmarkContinuityLoss, LandmarkL1Loss, MaskedL1Loss, WeightedLandmarkLoss


def test_landmark_l1_sums_coordinates_and_averages_frames():
    target = torch.zeros(2, 5, 3, 2)
    prediction = target.clone()
    prediction[:, 0] = 1.0  # frame 0: |error|_1 = 6 per sample; frames 1-4: 0
    assert torch.isclose(LandmarkL1Loss()(prediction, target), torch.tensor(6.0 / 5))


def test_continuity_ignores_constant_offsets_and_sees_jitter():
    target = torch.randn(1, 6, 4, 2)
    loss = LandmarkContinuityLoss()
    assert loss(target + 3.0, target) < 1e-6  # Eq. 11 compares motion, not position
    jitter = target.clone()
    jitter[:, 3] += 0.5
    assert loss(jitter, target) > 0.1


def test_weighted_landmark_loss():
    weights = torch.tensor([20.0, 1.0])
    target = torch.zeros(1, 2, 2)
    prediction = torch.tensor([[[1.0, 0.0], [0.0, 2.0]]])
    assert torch.isclose(WeightedLandmarkLoss(weights)(prediction, target), torch.tensor((20 * 1 + 1 * 4) / 2))


def test_masked_l1():
    target = torch.zeros(1, 1, 2, 2)
    prediction = torch.tensor([[[[1.0, 3.0], [0.0, 0.0]]]])
    mask = torch.tensor([[[[1.0, 0.0], [1.0, 1.0]]]])
    assert torch.isclose(MaskedL1Loss()(prediction, target, mask), torch.tensor(1.0 / 3))
    assert torch.isclose(MaskedL1Loss()(prediction, target), torch.tensor(1.0))
