import pickle

import pytest
import safetensors.torch
import torch

from talkinghead.errors import ModelMissingError, OptionError
from talkinghead.losses import (
    GramStyleLoss,
    PerceptualLoss,
    PyramidFeatures,
    VGG19Features,
    image_features,
    perceptual_loss,
    ssim,
)
from talkinghead.losses.image_features import _vgg19_trunk


def fake_vgg19_state_dict(seed: int = 0) -> dict[str, torch.Tensor]:
    """A state dict with torchvision's VGG-19 key names and shapes (random values; no download)."""
    torch.manual_seed(seed)
    trunk = _vgg19_trunk(36)
    state = {f"features.{k}": v.clone() for k, v in trunk.state_dict().items()}
    state["classifier.0.weight"] = torch.zeros(4, 4)  # extra keys of the full model are ignored
    return state


@pytest.fixture(scope="module")
def vgg_files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("vgg")
    state = fake_vgg19_state_dict()
    torch.save(state, folder / "vgg19.pth")
    safetensors.torch.save_file(state, str(folder / "vgg19.safetensors"))
    return folder, state


def test_vgg19_loads_torchvision_state_dicts_both_formats(vgg_files):
    folder, state = vgg_files
    for name in ("vgg19.pth", "vgg19.safetensors"):
        features = VGG19Features(folder / name)
        assert torch.equal(features.features[28].weight, state["features.28.weight"])
        outputs = features(torch.rand(1, 3, 32, 32))
        assert [o.shape[1:] for o in outputs] == [(64, 32, 32), (128, 16, 16), (256, 8, 8), (512, 4, 4), (512, 2, 2)]
        assert not any(p.requires_grad for p in features.parameters())
        features.train()
        assert not features.training


def test_vgg19_refuses_pickled_objects_and_wrong_files(tmp_path):
    class Evil:
        def __reduce__(self):
            return (print, ("this would run on load",))

    with open(tmp_path / "evil.pth", "wb") as f:
        pickle.dump({"features.0.weight": Evil()}, f, protocol=2)
    with pytest.raises(ModelMissingError, match="cannot read"):
        VGG19Features(tmp_path / "evil.pth")
    with pytest.raises(ModelMissingError, match="does not exist"):
        VGG19Features(tmp_path / "missing.pth")
    torch.save({"features.0.weight": torch.zeros(3)}, tmp_path / "small.pth")
    with pytest.raises(OptionError):
        VGG19Features(tmp_path / "small.pth")


def test_perceptual_loss_with_vgg_trains_the_input_not_the_network(vgg_files):
    folder, _ = vgg_files
    loss_fn = perceptual_loss(folder / "vgg19.safetensors", num_scales=2)
    target = torch.rand(1, 3, 32, 32, generator=torch.Generator().manual_seed(0))
    prediction = torch.rand(1, 3, 32, 32, generator=torch.Generator().manual_seed(1), requires_grad=True)
    loss = loss_fn(prediction, target)
    loss.backward()
    assert loss > 0 and prediction.grad.abs().sum() > 0
    assert loss_fn(target, target) == 0


def test_fallback_is_the_pyramid_not_vgg():
    loss_fn = perceptual_loss(None)
    assert isinstance(loss_fn.features, PyramidFeatures) and loss_fn.ssim_weight == 1.0
    assert isinstance(image_features(None), PyramidFeatures)


def test_fallback_ranks_blur_and_noise_as_worse_than_identity():
    g = torch.Generator().manual_seed(0)
    target = torch.rand(2, 3, 32, 32, generator=g)
    blurred = torch.nn.functional.avg_pool2d(target, 3, stride=1, padding=1, count_include_pad=False)
    noisy = (target + 0.05 * torch.randn(target.shape, generator=g)).clamp(0, 1)
    loss_fn = perceptual_loss(None)
    assert loss_fn(target, target).abs() < 1e-5
    assert loss_fn(blurred, target) > 0.01 and loss_fn(noisy, target) > 0.01


def test_fallback_optimises_an_image_towards_the_target():
    g = torch.Generator().manual_seed(0)
    target = torch.rand(1, 3, 16, 16, generator=g)
    image = torch.full((1, 3, 16, 16), 0.5, requires_grad=True)
    loss_fn = perceptual_loss(None)
    opt = torch.optim.Adam([image], lr=0.05)
    start = loss_fn(image, target).item()
    for _ in range(60):
        opt.zero_grad()
        loss_fn(image, target).backward()
        opt.step()
    assert loss_fn(image, target).item() < 0.3 * start


def test_mask_excludes_regions():
    target = torch.rand(1, 3, 16, 16)
    prediction = target.clone()
    prediction[..., 8:, :] = 0.0  # wrong in the lower half only
    mask = torch.ones(1, 1, 16, 16)
    mask[..., 6:, :] = 0.0
    loss_fn = PerceptualLoss(PyramidFeatures(1))
    assert loss_fn(prediction, target, mask) < 1e-6 < loss_fn(prediction, target)


def test_pyramid_features_shapes():
    outputs = PyramidFeatures(3)(torch.rand(2, 3, 16, 12))
    assert [tuple(o.shape) for o in outputs] == [(2, 9, 16, 12), (2, 9, 8, 6), (2, 9, 4, 3)]


def test_ssim_bounds():
    x = torch.rand(1, 3, 20, 20)
    assert torch.isclose(ssim(x, x), torch.tensor(1.0))
    assert ssim(x, 1 - x) < ssim(x, (x + 0.1).clamp(0, 1)) < 1


def test_style_loss_compares_gram_matrices():
    features = PyramidFeatures(2)
    style = GramStyleLoss(features)
    x = torch.rand(1, 3, 16, 16)
    assert style(x, x) == 0
    shifted = torch.roll(x, shifts=3, dims=-1)  # same content statistics, moved: Gram nearly unchanged
    noise = torch.rand(1, 3, 16, 16)
    assert style(shifted, x) < style(noise * 0.2, x)
