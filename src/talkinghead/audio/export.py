"""Writing analysis results in the formats of ``talkinghead analyze-audio --format``.

Every writer takes the chunk tracks of :func:`~talkinghead.audio.iter_analyze` one at a time and writes
as it goes (lists that belong at the end of a JSON document are spooled to a temporary file), so a
two-hour recording is exported with flat memory.

=================  ==========================================================================================
``phones-json``    ``{"fps", "phoneset": "ARPAbet", "source", "phones": [{"phone", "start", "end"}],
                   "words": [{"word", "start", "end"}], "duration"}``; times in seconds (3 decimals)
``visemes-json``   ``{"fps", "visemes": [15 names], "segments": [{"viseme", "start", "end"}],
                   "frames": [viseme id per video frame], "duration"}``
``rhubarb-tsv``    Rhubarb Lip Sync's TSV: one ``start<TAB>shape`` line per mouth cue (shapes A-H, X)
``rhubarb-json``   Rhubarb Lip Sync's JSON: ``{"mouthCues": [{"start", "end", "value"}],
                   "metadata": {"soundFile", "duration"}}``
``arkit-csv``      Live Link Face's CSV: ``Timecode,BlendShapeCount,EyeBlinkLeft,...,TongueOut,HeadYaw,...``,
                   one row per video frame; mouth from the audio, blinks from the caller (``blink``), everything
                   else 0
=================  ==========================================================================================
"""

from __future__ import annotations

import json
import math
import shutil
import tempfile
from collections.abc import Callable
from typing import TextIO

import numpy as np

from talkinghead.audio.rhubarb import CueMerger, mouth_cues
from talkinghead.audio.track import AudioTrack
from talkinghead.audio.visemes import VISEMES
from talkinghead.blendshapes import ARKIT_NAMES, INDEX

__all__ = [
    "FORMATS", "Writer", "PhonesJson", "VisemesJson", "RhubarbTsv", "RhubarbJson", "ArkitCsv", "livelink_timecode",
]


def _t(seconds: float, digits: int = 3) -> float:
    return round(float(seconds), digits)


class Writer:
    """Base of the format writers: ``add(track)`` for each chunk in order, then ``finish()``.

    Args:
        out: text stream written to.
        fps: video frame rate of the tracks.
        sound_file: name of the audio, recorded by the formats that have a field for it.
        blink: ``blink(first, num_frames) -> (num_frames,)`` eyelid closure in [0, 1] of those frames, for the
            formats with eyelids (``arkit-csv``); ``None``: eyes open. The audio front-end draws no blinks: the
            caller brings them (``talkinghead analyze-audio`` uses :class:`talkinghead.motion.BlinkSchedule`).
    """

    def __init__(self, out: TextIO, fps: float, sound_file: str = "",
                 blink: Callable[[int, int], np.ndarray] | None = None):
        self.out, self.fps, self.sound_file, self.blink = out, fps, sound_file, blink
        self.duration = 0.0

    def add(self, track: AudioTrack) -> None:
        self.duration = track.start_time + track.duration
        self._add(track)

    def _add(self, track: AudioTrack) -> None:
        raise NotImplementedError

    def finish(self) -> None:
        raise NotImplementedError


class _JsonLists(Writer):
    """A JSON object whose list members are streamed: the first list to the output, the others to spool
    files appended at the end."""

    lists: tuple[str, ...] = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._spools = {name: tempfile.TemporaryFile("w+", encoding="utf-8") for name in self.lists[1:]}
        self._count = {name: 0 for name in self.lists}
        self.out.write("{" + self._header() + f'"{self.lists[0]}": [')

    def _header(self) -> str:
        return ""

    def _item(self, name: str, item) -> None:
        target = self.out if name == self.lists[0] else self._spools[name]
        target.write(("," if self._count[name] else "") + "\n  " + json.dumps(item, separators=(",", ":")))
        self._count[name] += 1

    def _trailer(self) -> dict:
        return {}

    def finish(self) -> None:
        self.out.write("\n]")
        for name, spool in self._spools.items():
            self.out.write(f',\n"{name}": [')
            spool.seek(0)
            shutil.copyfileobj(spool, self.out)
            spool.close()
            self.out.write("\n]")
        for key, value in self._trailer().items():
            self.out.write(f",\n{json.dumps(key)}: {json.dumps(value)}")
        self.out.write("}\n")


class PhonesJson(_JsonLists):
    lists = ("phones", "words")

    def __init__(self, *args, **kwargs):
        self._sources: dict[str, float] = {}
        super().__init__(*args, **kwargs)

    def _header(self) -> str:
        return f'"fps": {json.dumps(self.fps)}, "phoneset": "ARPAbet", '

    def _add(self, track: AudioTrack) -> None:
        self._sources[track.phone_source] = self._sources.get(track.phone_source, 0.0) + track.duration
        for p in track.phones:
            self._item("phones", {"phone": p.label, "start": _t(p.start), "end": _t(p.end)})
        for w in track.words:
            self._item("words", {"word": w.text, "start": _t(w.start), "end": _t(w.end)})

    def _trailer(self) -> dict:
        source = max(self._sources, key=self._sources.get) if self._sources else "none"
        return {"source": source, "duration": _t(self.duration)}


class VisemesJson(_JsonLists):
    lists = ("segments", "frames")

    def _header(self) -> str:
        return f'"fps": {json.dumps(self.fps)}, "visemes": {json.dumps(list(VISEMES))}, '

    def __init__(self, *args, **kwargs):
        self._last = None
        super().__init__(*args, **kwargs)

    def _add(self, track: AudioTrack) -> None:
        for s in track.viseme_segments:
            if self._last is not None and self._last[0] == s.viseme == "sil":  # join silences across chunks
                self._last[2] = s.end
                continue
            self._flush_segment()
            self._last = [s.viseme, s.start, s.end]
        for v in track.visemes.tolist():
            self._item("frames", v)

    def _flush_segment(self) -> None:
        if self._last is not None:
            self._item("segments", {"viseme": self._last[0], "start": _t(self._last[1]), "end": _t(self._last[2])})
            self._last = None

    def finish(self) -> None:
        self._flush_segment()
        super().finish()

    def _trailer(self) -> dict:
        return {"duration": _t(self.duration)}


class RhubarbTsv(Writer):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._merger = CueMerger()

    def _add(self, track: AudioTrack) -> None:
        self._write(self._merger.add(mouth_cues(track.phones, track.start_time, track.start_time + track.duration)))

    def _write(self, cues) -> None:
        for c in cues:
            self.out.write(f"{c.start:.2f}\t{c.value}\n")

    def finish(self) -> None:
        self._write(self._merger.flush())


class RhubarbJson(_JsonLists):
    lists = ("mouthCues",)

    def __init__(self, *args, **kwargs):
        self._merger = CueMerger()
        super().__init__(*args, **kwargs)

    def _add(self, track: AudioTrack) -> None:
        self._write(self._merger.add(mouth_cues(track.phones, track.start_time, track.start_time + track.duration)))

    def _write(self, cues) -> None:
        for c in cues:
            self._item("mouthCues", {"start": _t(c.start, 2), "end": _t(c.end, 2), "value": c.value})

    def finish(self) -> None:
        self._write(self._merger.flush())
        super().finish()

    def _trailer(self) -> dict:
        return {"metadata": {"soundFile": self.sound_file, "duration": _t(self.duration, 2)}}


#: Live Link Face's extra columns after the 52 blendshapes (head and eye rotations; written as 0).
LIVELINK_ROTATIONS = ("HeadYaw", "HeadPitch", "HeadRoll", "LeftEyeYaw", "LeftEyePitch", "LeftEyeRoll",
                      "RightEyeYaw", "RightEyePitch", "RightEyeRoll")


def livelink_timecode(frame: int, fps: float) -> str:
    """Live Link Face's ``HH:MM:SS:FF.fff`` timecode of a frame (``fff``: the sub-frame fraction)."""
    t = frame / float(fps)
    seconds = math.floor(t + 1e-9)
    within = (t - seconds) * float(fps)
    ff = math.floor(within + 1e-6)
    sub = int(round((within - ff) * 1000)) % 1000
    h, rem = divmod(seconds, 3600)
    m, s = divmod(rem, 60)
    return f"{h:02d}:{m:02d}:{s:02d}:{ff:02d}.{sub:03d}"


class ArkitCsv(Writer):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        names = [n[0].upper() + n[1:] for n in ARKIT_NAMES]
        self.out.write(",".join(["Timecode", "BlendShapeCount", *names, *LIVELINK_ROTATIONS]) + "\n")
        self._zeros = ",".join(["0"] * len(LIVELINK_ROTATIONS))

    def _add(self, track: AudioTrack) -> None:
        values = track.mouth.copy()
        if self.blink is not None:
            blink = np.asarray(self.blink(track.start_frame, track.num_frames), np.float32)
            values[:, INDEX["eyeBlinkLeft"]] = blink
            values[:, INDEX["eyeBlinkRight"]] = blink
        count = len(ARKIT_NAMES) + len(LIVELINK_ROTATIONS)
        for i, row in enumerate(values):
            cells = ",".join(f"{v:.5f}".rstrip("0").rstrip(".") if v else "0" for v in row.tolist())
            self.out.write(f"{livelink_timecode(track.start_frame + i, track.fps)},{count},{cells},{self._zeros}\n")

    def finish(self) -> None:
        pass


#: ``--format`` name -> writer class.
FORMATS: dict[str, type[Writer]] = {
    "phones-json": PhonesJson,
    "visemes-json": VisemesJson,
    "rhubarb-tsv": RhubarbTsv,
    "rhubarb-json": RhubarbJson,
    "arkit-csv": ArkitCsv,
}
