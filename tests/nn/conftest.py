"""Component checks shared by the tests of ``talkinghead.nn`` (STYLE.md 19, after diffusers' model testers).

``check_component`` asserts, for one block: output shapes, determinism (same seed -> same weights and
outputs), a save_pretrained / from_pretrained round trip that reproduces the outputs, and that every parameter
receives a finite, non-zero gradient.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence

import pytest
import torch

from talkinghead.nn import from_pretrained, save_pretrained
from talkinghead.training import torch_threads


def flatten(output) -> list[torch.Tensor]:
    """All tensors in a (nested) output: tensors, lists, tuples, dataclasses."""
    if isinstance(output, torch.Tensor):
        return [output]
    if isinstance(output, (list, tuple)):
        return [t for item in output for t in flatten(item)]
    if hasattr(output, "__dataclass_fields__"):
        return [t for name in output.__dataclass_fields__ for t in flatten(getattr(output, name))]
    return []


def _check(factory: Callable[[], torch.nn.Module], make_inputs: Callable[[torch.Generator], tuple],
           shapes: Sequence[tuple], tmp_path, seed: int = 0,
           loss_of: Callable[[object], torch.Tensor] | None = None) -> torch.nn.Module:
    torch.manual_seed(seed)
    module = factory()
    inputs = make_inputs(torch.Generator().manual_seed(seed + 1))

    # Shapes.
    module.eval()
    with torch.no_grad():
        outputs = flatten(module(*inputs))
    assert [tuple(t.shape) for t in outputs[: len(shapes)]] == [tuple(s) for s in shapes]

    # Determinism: same seed, same weights and outputs; same inputs from the same generator.
    torch.manual_seed(seed)
    twin = factory().eval()
    for (name, a), b in zip(module.state_dict().items(), twin.state_dict().values(), strict=True):
        assert torch.equal(a, b), name
    twin_inputs = make_inputs(torch.Generator().manual_seed(seed + 1))
    with torch.no_grad():
        for a, b in zip(outputs, flatten(twin(*twin_inputs)), strict=True):
            assert torch.equal(a, b)

    # Save / load round trip (a fresh seed first, so an untouched rebuild would differ).
    folder = save_pretrained(module, tmp_path / "component")
    torch.manual_seed(seed + 123)
    loaded = from_pretrained(type(module), folder).eval()
    assert loaded.config == json.loads(json.dumps(module.config))
    with torch.no_grad():
        for a, b in zip(outputs, flatten(loaded(*inputs)), strict=True):
            assert torch.equal(a, b)

    # Every parameter gets a finite, non-zero gradient. A random projection of the outputs (not a plain
    # sum, whose gradient vanishes through normalisation layers).
    module.train()
    output = module(*inputs)
    if loss_of is not None:
        loss = loss_of(output)
    else:
        g = torch.Generator().manual_seed(seed + 2)
        loss = sum((t * torch.randn(t.shape, generator=g)).sum() for t in flatten(output) if t.is_floating_point())
    loss.backward()
    for name, param in module.named_parameters():
        assert param.grad is not None, f"{name} got no gradient"
        assert torch.isfinite(param.grad).all(), name
        assert param.grad.abs().sum() > 0, f"{name} got a zero gradient"
    return module


@pytest.fixture(autouse=True)
def single_thread():
    """One thread: tiny tensors, and spinning threads crawl on a shared CPU."""
    with torch_threads(1):
        yield


@pytest.fixture
def check_component(tmp_path):
    """``check_component(factory, make_inputs, shapes, loss_of=None)`` -> the checked module."""

    def run(factory, make_inputs, shapes, seed: int = 0, loss_of=None):
        return _check(factory, make_inputs, shapes, tmp_path, seed=seed, loss_of=loss_of)

    return run
