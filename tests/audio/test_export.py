"""The analyze-audio output formats, written from chunk tracks."""

from __future__ import annotations

import csv
import io
import json

import numpy as np
import pytest

from talkinghead.audio import iter_analyze
from talkinghead.audio.export import FORMATS, livelink_timecode
from talkinghead.audio.visemes import VISEMES
from talkinghead.blendshapes import ARKIT_NAMES

from audio_helpers import SENTENCE


@pytest.fixture(scope="module")
def chunks(speech16k):
    """Two chunks: speech, a pause, speech again."""
    wave = np.concatenate([speech16k, np.zeros(12000, np.float32), speech16k])
    tracks = list(iter_analyze(wave, fps=25, transcript=f"{SENTENCE} {SENTENCE}", chunk_seconds=5.0))
    assert len(tracks) >= 2
    return tracks


def _write(fmt, chunks, **kwargs):
    out = io.StringIO()
    writer = FORMATS[fmt](out, 25.0, sound_file="speech.wav", **kwargs)
    for t in chunks:
        writer.add(t)
    writer.finish()
    return out.getvalue()


def test_phones_json(chunks):
    doc = json.loads(_write("phones-json", chunks))
    phones = [p for c in chunks for p in c.phones]
    assert doc["phoneset"] == "ARPAbet" and doc["source"] == "alignment"
    assert len(doc["phones"]) == len(phones) and doc["phones"][1]["phone"] == phones[1].label
    assert len(doc["words"]) == 2 * len(SENTENCE.split())
    assert doc["duration"] == pytest.approx(sum(c.duration for c in chunks), abs=1e-3)
    starts = [p["start"] for p in doc["phones"]]
    assert starts == sorted(starts)


def test_visemes_json(chunks):
    doc = json.loads(_write("visemes-json", chunks))
    assert doc["visemes"] == list(VISEMES)
    assert doc["frames"] == [int(v) for c in chunks for v in c.visemes]
    segs = doc["segments"]
    assert all(abs(a["end"] - b["start"]) < 2e-3 for a, b in zip(segs, segs[1:]))  # contiguous
    assert all(not (a["viseme"] == b["viseme"] == "sil") for a, b in zip(segs, segs[1:]))  # joined across chunks


def test_rhubarb_tsv_and_json_agree(chunks):
    tsv = _write("rhubarb-tsv", chunks).splitlines()
    doc = json.loads(_write("rhubarb-json", chunks))
    cues = doc["mouthCues"]
    assert [line.split("\t") for line in tsv] == [[f"{c['start']:.2f}", c["value"]] for c in cues]
    assert {c["value"] for c in cues} <= set("ABCDEFGHX") and "A" in {c["value"] for c in cues}
    assert all(a["value"] != b["value"] for a, b in zip(cues, cues[1:]))
    assert doc["metadata"] == {"soundFile": "speech.wav", "duration": round(sum(c.duration for c in chunks), 2)}


def _blink(first, num_frames):
    """A stand-in for the caller's blink curve: closed on every 25th frame of the recording."""
    return (np.arange(first, first + num_frames) % 25 == 0).astype(np.float32)


def test_arkit_csv(chunks):
    text = _write("arkit-csv", chunks, blink=_blink)
    rows = list(csv.reader(io.StringIO(text)))
    header = rows[0]
    assert header[:3] == ["Timecode", "BlendShapeCount", "EyeBlinkLeft"]
    assert header[2:54] == [n[0].upper() + n[1:] for n in ARKIT_NAMES]
    assert header[54:] == ["HeadYaw", "HeadPitch", "HeadRoll", "LeftEyeYaw", "LeftEyePitch", "LeftEyeRoll",
                           "RightEyeYaw", "RightEyePitch", "RightEyeRoll"]
    body = np.array([[float(v) for v in r[2:]] for r in rows[1:]])
    assert len(body) == sum(c.num_frames for c in chunks)
    assert all(r[1] == "61" for r in rows[1:])
    mouth = np.concatenate([c.mouth for c in chunks])
    np.testing.assert_allclose(body[:, 17], mouth[:, 17], atol=1e-5)  # jawOpen
    # the caller's blinks, asked for with each chunk's global frame range, on both eyes
    np.testing.assert_array_equal(body[:, 0], _blink(0, len(body)))
    np.testing.assert_array_equal(body[:, 0], body[:, 7])
    assert rows[1][0] == "00:00:00:00.000" and rows[26][0] == "00:00:01:00.000"
    without = np.array([[float(v) for v in r[2:]] for r in list(csv.reader(io.StringIO(_write("arkit-csv", chunks))))[1:]])
    assert not without[:, [0, 7]].any()  # no blink source: eyes open
    np.testing.assert_array_equal(np.delete(without, [0, 7], 1), np.delete(body, [0, 7], 1))


def test_livelink_timecode():
    assert livelink_timecode(0, 25) == "00:00:00:00.000"
    assert livelink_timecode(25 * 3661 + 24, 25) == "01:01:01:24.000"
    assert livelink_timecode(31, 30000 / 1001) == "00:00:01:01.030"
