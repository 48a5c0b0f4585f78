"""CPBD ranks blurred images below their sharp originals; its edge widths are Marziliano's."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from talkinghead.errors import InputError
from talkinghead.io import read_image
from talkinghead.metrics import METRICS, cpbd
from talkinghead.metrics.cpbd import edge_widths


def _blur(image: np.ndarray, sigma: float) -> np.ndarray:
    return cv2.GaussianBlur(image, (0, 0), sigma)


def test_blur_lowers_cpbd_monotonically(astronaut):
    scores = [cpbd(_blur(astronaut, s)) if s else cpbd(astronaut) for s in (0, 0.8, 1.5, 3.0)]
    assert all(0.0 <= s <= 1.0 for s in scores)
    assert scores[0] > 0.2
    assert scores == sorted(scores, reverse=True) and scores[0] > scores[-1] + 0.2


@pytest.mark.real_media
def test_real_photos_rank_below_their_blurred_copies(media_dir):
    for name in ("photo_woman.jpg", "photo_einstein.jpg", "painting_pearl_earring.jpg"):
        image = read_image(media_dir / "image" / name)
        assert cpbd(_blur(image, 1.5)) < cpbd(image), name


def test_edge_width_of_a_ramp_is_its_extent():
    # A rising ramp from x = 20 to x = 20 + L: the local extrema around its middle are L apart.
    for extent in (4, 9):
        x = np.arange(64, dtype=np.float64)
        row = np.clip((x - 20) * 200.0 / extent, 0, 200) + 20
        grey = np.tile(row, (8, 1))
        edges = np.zeros_like(grey, dtype=bool)
        edges[4, 20 + extent // 2] = True
        assert edge_widths(grey, edges)[4, 20 + extent // 2] == extent
        falling = edge_widths(grey[:, ::-1], edges[:, ::-1])  # the mirrored (falling) edge measures the same
        assert falling[4, 63 - (20 + extent // 2)] == extent


def test_flat_and_small_images():
    assert cpbd(np.full((128, 128, 3), 90, np.uint8)) == 0.0
    with pytest.raises(InputError, match="64x64"):
        cpbd(np.zeros((32, 100, 3), np.uint8))


def test_registry_scores_each_frame(astronaut):
    frames = np.stack([astronaut, _blur(astronaut, 2.0)])
    result = METRICS["cpbd"](pred=frames)
    assert result.per_frame["cpbd"].shape == (2,)
    assert result.per_frame["cpbd"][0] > result.per_frame["cpbd"][1]
    assert result["cpbd"] == pytest.approx(result.per_frame["cpbd"].mean())
