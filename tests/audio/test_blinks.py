"""The seeded blink generator."""

from __future__ import annotations

import numpy as np
import pytest

from talkinghead.audio.blinks import blink_curve
from talkinghead.errors import OptionError


def _blinks(curve, threshold=0.5):
    closed = curve > threshold
    return int(np.count_nonzero(closed[1:] & ~closed[:-1]) + closed[0])


def test_rate_and_duration():
    fps = 100.0
    curve = blink_curve(int(600 * fps), fps, seed=1, rate_per_minute=17)  # ten minutes
    assert 0 <= curve.min() and curve.max() <= 1
    assert 130 <= _blinks(curve) <= 210  # ~17 a minute
    lengths = np.diff(np.flatnonzero(np.diff((curve > 0).astype(int))))[::2] / fps  # rising to falling edge
    assert 0.08 <= np.median(lengths) <= 0.16


def test_seeded_and_chunk_consistent():
    a = blink_curve(1000, 25, seed=7)
    np.testing.assert_array_equal(a, blink_curve(1000, 25, seed=7))
    assert not np.array_equal(a, blink_curve(1000, 25, seed=8))
    joined = np.concatenate([blink_curve(400, 25, seed=7), blink_curve(600, 25, seed=7, first=400)])
    np.testing.assert_array_equal(a, joined)


def test_no_blinks_and_bad_rate():
    assert not blink_curve(100, 25, rate_per_minute=0).any()
    with pytest.raises(OptionError):
        blink_curve(100, 25, rate_per_minute=-1)
