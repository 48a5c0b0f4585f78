"""Visemes and mouth curves: the phone -> viseme table, closures, silence, coarticulation, loudness."""

from __future__ import annotations

import numpy as np

from talkinghead.audio.mouth import DOMINANCE, VISEME_POSES, mouth_curves, pose_matrix
from talkinghead.audio.phoneset import ARPABET, Phone
from talkinghead.audio.visemes import PHONE_TO_VISEMES, VISEMES, frame_visemes, viseme_segments
from talkinghead.blendshapes import INDEX

JAW, CLOSE = INDEX["jawOpen"], INDEX["mouthClose"]
BILABIAL = {"P", "B", "M"}


def _frames_in(phones, labels, T, fps=25.0):
    centers = (np.arange(T) + 0.5) / fps
    hit = np.zeros(T, bool)
    for p in phones:
        if p.label in labels:
            hit |= (centers >= p.start) & (centers < p.end)
    return hit


def test_every_phone_has_a_viseme():
    assert set(PHONE_TO_VISEMES) == set(ARPABET)
    assert len(VISEMES) == 15 and VISEMES[0] == "sil"
    for visemes in PHONE_TO_VISEMES.values():
        assert all(v in VISEMES for v in visemes)
    assert set(VISEME_POSES) == set(VISEMES) == set(DOMINANCE)
    assert pose_matrix().shape == (15, 52)


def test_bilabial_frames_are_closed(aligned_track):
    t = aligned_track
    bilabial = _frames_in(t.phones, BILABIAL, t.num_frames)
    assert bilabial.sum() >= 5  # "brown", "jumps", "Peter", "picked", "bowl", "apples"
    assert np.all(t.mouth[bilabial, CLOSE] >= 0.5)
    assert np.all(t.mouth[bilabial, JAW] <= 0.05)
    # and every /p b m/ phone, even one shorter than a frame, shows at least one closed frame
    for p in t.phones:
        if p.label in BILABIAL:
            i = int(np.clip(round((p.start + p.end) / 2 * 25 - 0.5), 0, t.num_frames - 1))
            window = t.mouth[max(i - 1, 0) : i + 2]
            assert window[:, CLOSE].max() >= 0.5 and window[:, JAW].min() <= 0.05, p


def test_labiodental_frames_reach_their_shape(aligned_track):
    t = aligned_track
    ff = _frames_in(t.phones, {"F", "V"}, t.num_frames)
    assert ff.any()
    roll = INDEX["mouthRollLower"]
    assert np.all(t.mouth[ff, roll] >= 0.5) and np.all(t.mouth[ff, JAW] <= 0.06)


def test_short_closure_still_claims_a_frame():
    # a 20 ms /p/ between two open vowels, not covering any frame centre at 25 fps
    phones = [Phone("AA", 0.0, 0.21), Phone("P", 0.21, 0.23), Phone("AA", 0.23, 0.5)]
    segs = viseme_segments(phones, 0.0, 0.5)
    mouth = mouth_curves(segs, 13, 25.0)
    ids = frame_visemes(segs, 13, 25.0)
    k = int(np.argmax(mouth[:, CLOSE]))
    assert mouth[k, CLOSE] >= 0.5 and mouth[k, JAW] <= 0.05
    assert VISEMES[ids[k]] == "PP"
    assert abs((k + 0.5) / 25 - 0.22) <= 0.02


def test_coarticulation_blends_neighbours():
    # rounding anticipates: the /s/ before "oo" is already rounded; the /s/ before "ee" is spread
    def mouth_of(vowel):
        phones = [Phone("SIL", 0, 0.2), Phone("S", 0.2, 0.32), Phone(vowel, 0.32, 0.6), Phone("SIL", 0.6, 0.8)]
        return mouth_curves(viseme_segments(phones, 0, 0.8), 80, 100.0)  # 100 fps: fine sampling

    s_frame = 26  # 0.265 s, inside /s/
    pucker = INDEX["mouthPucker"]
    assert mouth_of("UW")[s_frame, pucker] > mouth_of("IY")[s_frame, pucker] + 0.1
    # carry-over: the mouth is still partly open 40 ms after the vowel ends
    assert mouth_of("AA")[64, JAW] > 0.02
    # and weak (lingual) consonants do not close the jaw between two open vowels
    phones = [Phone("AA", 0, 0.2), Phone("T", 0.2, 0.26), Phone("AA", 0.26, 0.5)]
    m = mouth_curves(viseme_segments(phones, 0, 0.5), 50, 100.0)
    assert m[23, JAW] > 0.12


def test_loudness_scales_the_jaw():
    phones = [Phone("AA", 0.0, 0.4)]
    segs = viseme_segments(phones, 0, 0.4)
    quiet = mouth_curves(segs, 10, 25.0, loudness=np.zeros(10))
    loud = mouth_curves(segs, 10, 25.0, loudness=np.ones(10))
    assert np.all(loud[2:8, JAW] > quiet[2:8, JAW] * 1.5)
    assert 0.15 <= loud[5, JAW] <= 0.3  # open vowel at the loudest: still a realistic amplitude


def test_silence_is_rest_pose():
    segs = viseme_segments([], 0.0, 1.0)
    assert [s.viseme for s in segs] == ["sil"]
    m = mouth_curves(segs, 25, 25.0)
    assert np.all(m == 0)


def test_diphthongs_and_hh():
    segs = viseme_segments([Phone("HH", 0, 0.05), Phone("AY", 0.05, 0.35)], 0, 0.35)
    assert [s.viseme for s in segs] == ["aa", "aa", "ih"]
    assert segs[1].end == segs[2].start == 0.2
