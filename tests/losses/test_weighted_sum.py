import pytest
import torch

from talkinghead.losses import weighted_sum


def test_weighted_sum_returns_total_and_terms():
    terms = {"rec": torch.tensor(2.0), "gan": torch.tensor(3.0), "off": torch.tensor(float("nan"))}
    out = weighted_sum(terms, {"rec": 4.0, "gan": 0.25, "off": 0.0, "unused": 1.0})
    assert torch.isclose(out["loss"], torch.tensor(8.75))  # a zero weight keeps even a NaN term out
    assert out["rec"] is terms["rec"]


def test_weighted_sum_refuses_missing_weights():
    with pytest.raises(KeyError, match="gan"):
        weighted_sum({"gan": torch.tensor(1.0)}, {})
    with pytest.raises(ValueError):
        weighted_sum({"gan": torch.tensor(1.0)}, {"gan": 0.0})
