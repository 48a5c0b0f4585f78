"""Mouth interior: nothing for closed lips, a dark cavity with teeth for open ones, the source's own teeth kept."""

from __future__ import annotations

import numpy as np

from talkinghead.render.mouth_interior import MouthPalette, MouthShape, SourceMouth, render_mouth_interior
from talkinghead.render.eyelids import EyeShape, LidPalette, render_eyelids

PALETTE = MouthPalette(teeth=np.array([0.95, 0.92, 0.85], np.float32), cavity=np.array([0.12, 0.08, 0.07], np.float32),
                       mucosa=np.array([0.45, 0.3, 0.3], np.float32), tongue=np.array([0.55, 0.35, 0.33], np.float32),
                       skin=np.array([0.8, 0.65, 0.55], np.float32))


def _lips(opening: float):
    x = np.linspace(20, 80, 11)
    upper = np.stack([x, np.full(11, 30.0)], 1)
    lower = np.stack([x, 30 + opening * np.sin(np.linspace(0, np.pi, 11))], 1)
    return upper, lower


def test_closed_lips_paint_nothing():
    frame = np.full((60, 100, 3), 150, np.uint8)
    upper, lower = _lips(0.0)
    render_mouth_interior(frame, MouthShape(upper, lower, upper + [0, 3], upper + [0, 1]), PALETTE)
    assert (frame == 150).all()


def test_open_lips_show_upper_teeth_over_a_dark_cavity():
    frame = np.full((60, 100, 3), 150, np.uint8)
    upper, lower = _lips(20.0)
    shape = MouthShape(upper, lower, upper_teeth=upper + [0, 5], lower_teeth=lower - [0, 2])
    render_mouth_interior(frame, shape, PALETTE)
    teeth = frame[32:34, 45:55].mean()
    cavity = frame[40:44, 45:55].mean()
    assert teeth > 180 and cavity < 90
    # outside the lips nothing changed
    assert (frame[:25] == 150).all() and (frame[52:] == 150).all()


def test_source_teeth_are_reused():
    source = np.full((60, 100, 3), 60, np.uint8)
    source[31:36, 25:75] = (250, 250, 250)  # the source's upper teeth right under its upper lip
    upper, lower = _lips(12.0)
    mouth = SourceMouth(upper, lower, np.array([0.1, 0.05, 0.05], np.float32))
    frame = np.full((60, 100, 3), 150, np.uint8)
    t_upper, t_lower = _lips(20.0)
    render_mouth_interior(frame, MouthShape(t_upper, t_lower), PALETTE, source=source, source_mouth=mouth)
    assert frame[32:35, 45:55].mean() > 230  # the source's white teeth, attached to the upper lip
    assert frame[44:46, 45:55].mean() < 60  # wider than the source's opening: dark


def test_eyelids_cover_the_lowered_part():
    frame = np.full((40, 60, 3), 30, np.uint8)
    frame[:12] = 200  # skin above the eye
    x = np.linspace(10, 50, 9)
    top = np.stack([x, 12 - 4 * np.sin(np.linspace(0, np.pi, 9))], 1)
    edge = np.stack([x, 24 + 0 * x], 1)
    lids = LidPalette(np.array([0.8, 0.7, 0.6], np.float32), np.array([0.1, 0.08, 0.06], np.float32))
    render_eyelids(frame, [EyeShape(top, edge, 1.0)], lids)
    assert frame[16:19, 25:35].mean() > 120  # lid skin where the dark eye was
    assert frame[23:25, 25:35].mean() < frame[16:19, 25:35].mean()  # lashes at the edge
    before = frame.copy()
    render_eyelids(frame, [EyeShape(top, edge, 0.05)], lids)  # too small a closure: nothing painted
    np.testing.assert_array_equal(frame, before)
