"""Rhubarb mouth cues from phones."""

from __future__ import annotations

from talkinghead.audio.phoneset import ARPABET, Phone
from talkinghead.audio.rhubarb import MIN_CUE, PHONE_TO_SHAPES, SHAPES, CueMerger, MouthCue, mouth_cues


def test_table_covers_arpabet():
    assert set(PHONE_TO_SHAPES) == set(ARPABET)
    assert all(set(v) <= set(SHAPES) for v in PHONE_TO_SHAPES.values())


def test_cues_tile_the_span_and_close_for_bilabials():
    phones = [Phone("SIL", 0, 0.3), Phone("B", 0.3, 0.32), Phone("AA", 0.32, 0.5), Phone("F", 0.5, 0.6),
              Phone("UW", 0.6, 0.8), Phone("L", 0.8, 0.95)]
    cues = mouth_cues(phones, 0.0, 1.2)
    assert cues[0].start == 0 and cues[-1].end == 1.2
    assert all(a.end == b.start for a, b in zip(cues, cues[1:]))
    assert all(a.value != b.value for a, b in zip(cues, cues[1:]))
    values = [c.value for c in cues]
    assert values == ["X", "A", "D", "G", "F", "H", "X"]
    a = cues[1]
    assert a.end - a.start >= MIN_CUE - 1e-9  # the 20 ms closure was lengthened, not dropped


def test_short_cues_are_absorbed():
    phones = [Phone("AA", 0.0, 0.2), Phone("T", 0.2, 0.22), Phone("AA", 0.22, 0.4)]
    assert [c.value for c in mouth_cues(phones, 0, 0.4)] == ["D"]


def test_merger_joins_chunks():
    merger = CueMerger()
    out = merger.add([MouthCue(0, 1, "D"), MouthCue(1, 2, "X")])
    out += merger.add([MouthCue(2, 3, "X"), MouthCue(3, 4, "A")])
    out += merger.flush()
    assert [(c.start, c.end, c.value) for c in out] == [(0, 1, "D"), (1, 3, "X"), (3, 4, "A")]
