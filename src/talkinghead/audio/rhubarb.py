"""Rhubarb Lip Sync mouth cues: the nine mouth shapes A-H and X of Rhubarb Lip Sync (Daniel Wolf,
https://github.com/DanielSWolf/rhubarb-lip-sync, README "Mouth shapes") so 2D animators can use the output
where they use Rhubarb's.

Shapes: ``A`` closed (P B M); ``B`` slightly open, teeth clenched (most consonants, "ee"); ``C`` open
(EH, AE as in "men", "bat"); ``D`` wide open (AA as in "father"); ``E`` slightly rounded (AO, ER);
``F`` puckered (UW, OW, W); ``G`` upper teeth on lower lip (F V); ``H`` tongue raised (long L);
``X`` idle / rest. The phone -> shape table is :data:`PHONE_TO_SHAPES` (documented in ``docs/audio.md``).

Cue timing: consecutive equal shapes merge; cues shorter than :data:`MIN_CUE` are absorbed by a
neighbour, except ``A`` (a bilabial closure must be seen), which is lengthened to ``MIN_CUE`` instead.
Times are written with two decimals, as Rhubarb writes them.
"""

from __future__ import annotations

from dataclasses import dataclass

from talkinghead.audio.phoneset import Phone, label_spans

__all__ = ["SHAPES", "PHONE_TO_SHAPES", "MouthCue", "mouth_cues", "MIN_CUE", "CueMerger"]

#: Rhubarb's shapes: six basic (A-F) and three extended (G, H, X).
SHAPES = "ABCDEFGHX"
#: Shortest cue kept as is, in seconds (a bit more than one frame at 24 fps, Rhubarb's animation rate).
MIN_CUE = 0.05
_LONG_L = 0.1  # an L at least this long shows the raised tongue (H)

#: ARPAbet -> Rhubarb shape(s) (two for diphthongs). ``L`` is ``H`` when long; ``HH`` takes its neighbour's.
PHONE_TO_SHAPES: dict[str, str] = {
    "P": "A", "B": "A", "M": "A",
    "F": "G", "V": "G",
    "TH": "B", "DH": "B", "T": "B", "D": "B", "K": "B", "G": "B", "NG": "B", "S": "B", "Z": "B",
    "CH": "B", "JH": "B", "SH": "B", "ZH": "B", "N": "B", "L": "B", "Y": "B",
    "R": "E", "ER": "E", "W": "F",
    "AA": "D", "AE": "C", "AH": "C", "AO": "E", "EH": "C", "EY": "CB", "IH": "B", "IY": "B",
    "OW": "EF", "OY": "EB", "UH": "F", "UW": "F", "AW": "DF", "AY": "DB",
    "HH": "",
}


@dataclass(frozen=True)
class MouthCue:
    """Shape ``value`` (one of :data:`SHAPES`) from ``start`` to ``end`` seconds."""

    start: float
    end: float
    value: str


def _shapes(phone: Phone) -> str:
    if phone.label == "L" and phone.duration >= _LONG_L:
        return "H"
    return PHONE_TO_SHAPES.get(phone.label, "B")


def _merge_equal(cues: list[MouthCue]) -> list[MouthCue]:
    out: list[MouthCue] = []
    for c in cues:
        if c.end <= c.start:
            continue
        if out and out[-1].value == c.value:
            out[-1] = MouthCue(out[-1].start, c.end, c.value)
        else:
            out.append(c)
    return out


def _enforce_min_duration(cues: list[MouthCue]) -> list[MouthCue]:
    cues = list(cues)

    def spare(j: int) -> float:
        """How much neighbour ``j`` can give while keeping half a minimum cue."""
        return max(cues[j].end - cues[j].start - MIN_CUE / 2, 0.0) if 0 <= j < len(cues) else 0.0

    # lengthen short closures (A) into their neighbours, symmetrically
    for i, c in enumerate(cues):
        short = MIN_CUE - (c.end - c.start)
        if c.value != "A" or short <= 0:
            continue
        grow_left = min(short / 2, spare(i - 1))
        grow_right = min(short - grow_left, spare(i + 1))
        new = MouthCue(c.start - grow_left, c.end + grow_right, "A")
        if i > 0:
            cues[i - 1] = MouthCue(cues[i - 1].start, new.start, cues[i - 1].value)
        if i + 1 < len(cues):
            cues[i + 1] = MouthCue(new.end, cues[i + 1].end, cues[i + 1].value)
        cues[i] = new
    # absorb other short cues into the previous cue (or the next one at the start)
    out: list[MouthCue] = []
    for c in cues:
        if c.end - c.start < MIN_CUE and c.value != "A" and out and out[-1].value != "A":
            out[-1] = MouthCue(out[-1].start, c.end, out[-1].value)
        else:
            out.append(c)
    if len(out) > 1 and out[0].end - out[0].start < MIN_CUE and out[0].value != "A":
        out[1] = MouthCue(out[0].start, out[1].end, out[1].value)
        out.pop(0)
    return _merge_equal(out)


def mouth_cues(phones: list[Phone], start: float = 0.0, end: float | None = None) -> list[MouthCue]:
    """Phones -> Rhubarb mouth cues covering ``[start, end]`` (gaps and silences are ``X``)."""
    end = max([p.end for p in phones], default=start) if end is None else end
    cues = [MouthCue(a, b, shape) for shape, a, b, _ in label_spans(phones, start, end, _shapes, "X")]
    return _enforce_min_duration(_merge_equal(cues))


class CueMerger:
    """Joins the cues of consecutive chunks of one recording (an ``X`` at the end of one chunk and the
    start of the next become one cue). Feed chunks with :meth:`add`; finished cues come back; call
    :meth:`flush` at the end."""

    def __init__(self):
        self._last: MouthCue | None = None

    def add(self, cues: list[MouthCue]) -> list[MouthCue]:
        done: list[MouthCue] = []
        for c in cues:
            if self._last is not None and self._last.value == c.value:
                self._last = MouthCue(self._last.start, c.end, c.value)
                continue
            if self._last is not None:
                done.append(self._last)
            self._last = c
        return done

    def flush(self) -> list[MouthCue]:
        last, self._last = self._last, None
        return [last] if last is not None else []
