"""Combine named loss terms with named weights (STYLE.md 17, after EDM's ``training/loss.py``).

A method computes its terms by name (``{"perceptual": ..., "style": ..., "gan": ...}``) and combines them with
the weights of its config (IP-LAP Eq. 20: lambda_w = 2.5, lambda_r = 4, lambda_s = 1000, lambda_g = 0.25,
lambda_f = 2.5). The returned dict is what a training task's ``training_step`` returns: ``loss`` to optimise,
plus each unweighted term for the logs.
"""

from __future__ import annotations

from collections.abc import Mapping

import torch

__all__ = ["weighted_sum"]


def weighted_sum(terms: Mapping[str, torch.Tensor], weights: Mapping[str, float]) -> dict[str, torch.Tensor]:
    """``{"loss": sum_k weights[k] * terms[k], **terms}``.

    Every term needs a weight (a forgotten weight is a bug, so it raises ``KeyError``); terms with weight 0
    are logged but not added. Weights without a term are ignored (optional terms).
    """
    missing = sorted(set(terms) - set(weights))
    if missing:
        raise KeyError(f"no weight for loss terms {missing}; add them to the method's loss weights")
    if "loss" in terms:
        raise KeyError("'loss' is reserved for the weighted total")
    total = None
    for name, value in terms.items():
        if weights[name]:
            contribution = weights[name] * value
            total = contribution if total is None else total + contribution
    if total is None:
        raise ValueError("every loss weight is zero; nothing to optimise")
    return {"loss": total, **terms}
