"""LPIPS: architecture behaviour, loading the two user files in their published formats, clear refusals."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from safetensors.torch import save_file

from talkinghead.errors import InputError, ModelMissingError
from talkinghead.metrics import LPIPS, METRICS, load_lpips


@pytest.fixture(scope="module")
def random_lpips() -> LPIPS:
    torch.manual_seed(0)
    model = LPIPS("alex")
    with torch.no_grad():
        for lin in model.lins:  # v0.1 heads are non-negative
            lin.model[1].weight.abs_()
    return model


@pytest.fixture(scope="module")
def lpips_files(random_lpips, tmp_path_factory):
    """The random model saved as torchvision's AlexNet file (.pth) and LPIPS v0.1 heads (.safetensors)."""
    folder = tmp_path_factory.mktemp("lpips")
    backbone = {f"features.{k}": v for k, v in random_lpips.backbone.features.state_dict().items()}
    backbone["classifier.1.weight"] = torch.zeros(4, 9216)  # torchvision files carry the classifier; ignored
    torch.save(backbone, folder / "alexnet.pth")
    heads = {f"lin{i}.model.1.weight": lin.model[1].weight.detach().clone() for i, lin in enumerate(random_lpips.lins)}
    save_file(heads, str(folder / "alex_heads.safetensors"))
    return folder / "alex_heads.safetensors", folder / "alexnet.pth"


def test_distance_properties(random_lpips):
    torch.manual_seed(1)
    a = torch.rand(3, 3, 64, 64)
    b = torch.rand(3, 3, 64, 64)
    with torch.no_grad():
        d_ab = random_lpips(a, b)
        assert d_ab.shape == (3,)
        assert torch.allclose(random_lpips(a, a), torch.zeros(3), atol=1e-6)
        assert (d_ab > 0).all()
        assert torch.allclose(d_ab, random_lpips(b, a), rtol=1e-5)
        close = (a + 0.02 * torch.randn_like(a)).clamp(0, 1)
        assert (random_lpips(close, a) < d_ab).all()


def test_published_formats_load_and_reproduce(random_lpips, lpips_files):
    heads, backbone = lpips_files
    loaded = load_lpips(heads, backbone)
    x, y = torch.rand(2, 3, 64, 64), torch.rand(2, 3, 64, 64)
    with torch.no_grad():
        torch.testing.assert_close(loaded(x, y), random_lpips(x, y))


def test_whole_lpips_state_dict_keys_are_accepted(random_lpips, tmp_path):
    # The lpips package's own module names: net.sliceK.N.* for the backbone.
    slices = {0: 1, 1: 1, 3: 2, 4: 2, 6: 3, 7: 3, 8: 4, 9: 4, 10: 5, 11: 5}
    backbone = random_lpips.backbone.features.state_dict()
    state = {f"net.slice{slices[int(k.split('.')[0])]}.{k}": v for k, v in backbone.items()}
    torch.save(state, tmp_path / "full.pth")
    heads = {f"lin{i}.model.1.weight": lin.model[1].weight.detach() for i, lin in enumerate(random_lpips.lins)}
    torch.save(heads, tmp_path / "alex.pth")
    loaded = load_lpips(tmp_path / "alex.pth", tmp_path / "full.pth")
    x = torch.rand(1, 3, 48, 48)
    with torch.no_grad():
        torch.testing.assert_close(loaded(x, x.flip(-1)), random_lpips(x, x.flip(-1)))


def test_wrong_or_missing_files_are_refused(lpips_files, tmp_path):
    heads, backbone = lpips_files
    with pytest.raises(ModelMissingError, match="does not exist"):
        load_lpips(tmp_path / "none.pth", backbone)
    with pytest.raises(InputError, match="missing"):
        load_lpips(heads, backbone, backbone="vgg")  # AlexNet weights into VGG
    with pytest.raises(InputError, match="linL"):
        load_lpips(backbone, backbone)  # heads file without heads
    pickled = tmp_path / "object.pth"
    torch.save({"model": torch.nn.Linear(2, 2)}, pickled)  # a pickled module: refused, never unpickled
    with pytest.raises(InputError, match="weights_only"):
        load_lpips(heads, pickled)


def test_registry_metric_runs_with_files(lpips_files):
    heads, backbone = lpips_files
    rng = np.random.default_rng(0)
    ref = rng.integers(0, 256, (3, 64, 64, 3), dtype=np.uint8)
    pred = ref.copy()
    pred[1:] = rng.integers(0, 256, (2, 64, 64, 3), dtype=np.uint8)
    result = METRICS["lpips"](pred=pred, ref=ref, lpips_heads=heads, lpips_backbone=backbone)
    values = result.per_frame["lpips"]
    assert values.shape == (3,) and values[0] == pytest.approx(0.0, abs=1e-6) and (values[1:] > 0).all()
