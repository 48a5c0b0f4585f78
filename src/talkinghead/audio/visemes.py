"""Visemes: the 15-class set of Meta's Oculus LipSync SDK (14 speech visemes + ``sil``) and the
ARPAbet -> viseme table. The table, with the reasoning per row, is documented in ``docs/audio.md``.

Rules beyond the one-phone-one-viseme table:

- diphthongs are two visemes, each half the phone (``AY`` = ``aa`` then ``ih``; ``OW`` = ``oh`` then ``ou``);
- ``HH`` has no lip shape of its own: it takes the viseme of the following vowel (of the preceding phone
  at the end of a word run);
- everything that is not a phone (``SIL``, gaps) is ``sil``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from talkinghead.audio.frames import frame_centers
from talkinghead.audio.phoneset import SILENCE, Phone, label_spans

__all__ = [
    "VISEMES", "VISEME_INDEX", "PHONE_TO_VISEMES", "PHONE_VISEME_IDS", "VisemeSegment", "viseme_segments",
    "frame_visemes",
]

#: Oculus LipSync viseme order (ids 0..14); ``sil`` is silence / rest.
VISEMES: tuple[str, ...] = ("sil", "PP", "FF", "TH", "DD", "kk", "CH", "SS", "nn", "RR", "aa", "E", "ih", "oh", "ou")
VISEME_INDEX: dict[str, int] = {v: i for i, v in enumerate(VISEMES)}

#: ARPAbet phone -> its viseme(s) (two for diphthongs). ``HH`` is resolved from its neighbours.
PHONE_TO_VISEMES: dict[str, tuple[str, ...]] = {
    # bilabials, labiodentals, dentals
    "P": ("PP",), "B": ("PP",), "M": ("PP",),
    "F": ("FF",), "V": ("FF",),
    "TH": ("TH",), "DH": ("TH",),
    # alveolar and velar stops, affricates and post-alveolar fricatives, sibilants, nasals and laterals
    "T": ("DD",), "D": ("DD",),
    "K": ("kk",), "G": ("kk",), "NG": ("kk",),
    "CH": ("CH",), "JH": ("CH",), "SH": ("CH",), "ZH": ("CH",),
    "S": ("SS",), "Z": ("SS",),
    "N": ("nn",), "L": ("nn",),
    "R": ("RR",), "ER": ("RR",),
    "W": ("ou",), "Y": ("ih",),
    # vowels
    "AA": ("aa",), "AE": ("aa",), "AH": ("aa",), "AO": ("oh",),
    "EH": ("E",), "EY": ("E", "ih"),
    "IH": ("ih",), "IY": ("ih",),
    "OW": ("oh", "ou"), "OY": ("oh", "ih"),
    "UH": ("ou",), "UW": ("ou",),
    "AW": ("aa", "ou"), "AY": ("aa", "ih"),
    "HH": (),
}

#: ARPAbet phone -> id of its (first) viseme; ``HH`` and silence -> 0.
PHONE_VISEME_IDS: dict[str, int] = {p: VISEME_INDEX[v[0]] if v else 0 for p, v in PHONE_TO_VISEMES.items()}


@dataclass(frozen=True)
class VisemeSegment:
    """One viseme from ``start`` to ``end`` seconds; ``phone`` is the ARPAbet phone it comes from (``SIL``
    for silence)."""

    viseme: str
    start: float
    end: float
    phone: str = SILENCE

    @property
    def id(self) -> int:
        return VISEME_INDEX[self.viseme]


def viseme_segments(phones: list[Phone], start: float = 0.0, end: float | None = None) -> list[VisemeSegment]:
    """Phones -> contiguous viseme segments covering ``[start, end]`` (gaps and silences become ``sil``).

    Args:
        phones: sorted, non-overlapping phones (absolute times).
        start, end: span to cover (``end`` defaults to the last phone's end).
    """
    end = max([p.end for p in phones], default=start) if end is None else end
    spans = label_spans(phones, start, end, lambda p: PHONE_TO_VISEMES.get(p.label, ()), "sil")
    return [VisemeSegment(v, a, b, phone) for v, a, b, phone in spans]


def frame_visemes(segments: list[VisemeSegment], num_frames: int, fps: float, first: int = 0) -> np.ndarray:
    """Viseme id per video frame: the segment covering the frame's centre time; a ``PP`` or ``FF``
    segment that covers no frame centre (shorter than a frame) still claims the frame nearest to it, so
    every bilabial and labiodental closure is seen.

    Returns:
        ``(T,)`` int8 ids into :data:`VISEMES`.
    """
    centers = frame_centers(num_frames, fps, first)
    ids = np.zeros(num_frames, np.int8)
    if not segments or num_frames == 0:
        return ids
    starts = np.array([s.start for s in segments])
    pos = np.searchsorted(starts, centers, side="right") - 1
    seg_ids = np.array([s.id for s in segments], np.int8)
    ends = np.array([s.end for s in segments])
    inside = (pos >= 0) & (centers < ends[np.clip(pos, 0, None)])
    ids[inside] = seg_ids[pos[inside]]
    for s in segments:
        if s.viseme in ("PP", "FF"):
            a, b = np.searchsorted(centers, [s.start, s.end])
            if a == b:  # no centre inside: take the nearest frame
                k = int(np.clip(np.round((s.start + s.end) / 2 * fps - 0.5) - first, 0, num_frames - 1))
                ids[k] = s.id
    return ids
