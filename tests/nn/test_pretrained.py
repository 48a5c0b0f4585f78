import json

import pytest
import torch
from torch import nn

from talkinghead.errors import ModelMissingError, OptionError
from talkinghead.nn import SPADE, AdaIN, ConfigMixin, ResBlock2d, from_pretrained, save_pretrained


class Child(ConfigMixin, nn.Module):
    def __init__(self, width: int = 3, **extra):
        super().__init__()
        self.linear = nn.Linear(width, width)
        self.extra = extra


class GrandChild(Child):
    def __init__(self, depth: int = 2):
        super().__init__(width=depth + 1, note="x")


def test_config_records_outermost_init_and_kwargs():
    assert Child(4, scale=2.0).config == {"width": 4, "scale": 2.0}
    assert GrandChild(5).config == {"depth": 5}
    assert ResBlock2d(4, 8, stride=2).config == {"in_channels": 4, "out_channels": 8, "kernel_size": 3,
                                                 "stride": 2, "norm": "batch"}


def test_folder_layout_and_round_trip_with_buffers(tmp_path):
    torch.manual_seed(0)
    block = ResBlock2d(3, norm="batch")
    block.train()
    block(torch.randn(4, 3, 5, 5))  # moves BatchNorm running statistics away from their initial values
    folder = save_pretrained(block, tmp_path / "block")
    assert sorted(p.name for p in folder.iterdir()) == ["config.json", "model.safetensors"]
    config = json.loads((folder / "config.json").read_text())
    assert config["_class_name"] == "ResBlock2d" and config["in_channels"] == 3
    loaded = from_pretrained(ResBlock2d, folder)
    for key, value in block.state_dict().items():
        assert torch.equal(value, loaded.state_dict()[key]), key


def test_explicit_config_for_a_plain_module(tmp_path):
    linear = nn.Linear(2, 3)
    with pytest.raises(TypeError):
        save_pretrained(linear, tmp_path / "a")
    save_pretrained(linear, tmp_path / "a", config={"in_features": 2, "out_features": 3})
    assert torch.equal(from_pretrained(nn.Linear, tmp_path / "a").weight, linear.weight)


def test_errors_name_the_problem(tmp_path):
    with pytest.raises(ModelMissingError):
        from_pretrained(SPADE, tmp_path / "missing")
    save_pretrained(AdaIN(2, 3), tmp_path / "adain")
    with pytest.raises(OptionError, match="holds a AdaIN"):
        from_pretrained(SPADE, tmp_path / "adain")
    (tmp_path / "adain" / "model.safetensors").unlink()
    with pytest.raises(ModelMissingError, match="model.safetensors"):
        from_pretrained(AdaIN, tmp_path / "adain")
    save_pretrained(AdaIN(2, 3), tmp_path / "wrong", config={"channels": 2, "cond_dim": 4})
    with pytest.raises(OptionError, match="do not fit"):
        from_pretrained(AdaIN, tmp_path / "wrong")
