"""Measurements behind the audio front-end's decoder settings and the lip-sync lag (issue #6 follow-up).

1. ``bias``: signed error of pocketsphinx's vowel boundaries against the phone times eSpeak reports (5 sentences,
   3 voices), per mode (alignment, recognition, phone loop). Before ``sphinx.FRAME_CENTER`` they were 11-12 ms
   early; after it, within 2 ms.
2. ``recognizer``: CPU seconds per second of audio of word recognition (with its phone-level pass) for
   pruning configurations, their viseme agreement (10 ms frames) with pocketsphinx's default configuration on
   LibriSpeech + ``examples/speech.wav``, and their viseme accuracy against eSpeak's phone times.
3. ``lag``: best lag (frames, > 0: mouth later) between loudness and a proxy of the rendered inner-lip gap (a
   linear fit of mediapipe's gap on a render, r = 0.99, from the mouth curves) on every LibriSpeech clip, with the
   correlation profile: it shows whether a lead is the mouth model's or one clip's.

Usage: ``.venv/bin/python scripts/default/measure_audio.py [bias] [recognizer] [lag]``
"""

from __future__ import annotations

import glob
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[2]
MEDIA = REPO.parent / "shared" / "media" / "audio" / "librispeech"
VOWELS = {"AA", "AE", "AH", "AO", "AW", "AY", "EH", "ER", "EY", "IH", "IY", "OW", "OY", "UH", "UW"}
TEXTS = ["The quick brown fox jumps over the lazy dog and runs far away.",
         "Many people think that a big open mouth is what makes speech look right.",
         "She sells sea shells by the sea shore, but nobody buys them any more.",
         "We were away a year ago when the rain came down on the old town.",
         "Please call Stella and ask her to bring these things with her from the store."]
RECOGNIZER_CONFIGS = {"pocketsphinx default": {}, "maxhmmpf 3000": {"maxhmmpf": 3000},
                      "no fwdflat, maxhmmpf 3000 (used)": {"fwdflat": False, "maxhmmpf": 3000},
                      "maxhmmpf 1500": {"maxhmmpf": 1500}, "no fwdflat, maxhmmpf 1500": {"fwdflat": False, "maxhmmpf": 1500},
                      "maxhmmpf 1500, ds 2": {"maxhmmpf": 1500, "ds": 2}}


def espeak(voices=("en-us", "en-us+f3", "en")):
    from talkinghead.audio.resample import resample
    from talkinghead.audio.tts import synthesize

    for voice in voices:
        for text in TEXTS:
            s = synthesize(text, voice=voice)
            yield text, resample(s.wave, s.sample_rate), s.arpabet_phones(exact_only=True)


def bias() -> None:
    from talkinghead.audio.sphinx import get_decoder
    from talkinghead.audio.transcriber import transcript_words

    dec = get_decoder()
    starts: dict[str, list] = {"alignment": [], "recognition": [], "phone-loop": []}
    ends: dict[str, list] = {k: [] for k in starts}
    for text, wave, truth in espeak():
        for d in (dec.align(wave, dec.pronounce(transcript_words(text))), dec.recognize(wave), dec.phone_loop(wave)):
            for p in d.phones if d is not None else []:
                near = [q for q in truth if q.label == p.label in VOWELS and abs(q.start - p.start) < 0.08]
                if near:
                    q = min(near, key=lambda q: abs(q.start - p.start))
                    starts[d.source].append(p.start - q.start)
                    ends[d.source].append(p.end - q.end)
    for k in starts:
        a, b = 1000 * np.array(starts[k]), 1000 * np.array(ends[k])
        print(f"{k:12s} {len(a)} vowels: start error median {np.median(a):+.1f} ms, end median {np.median(b):+.1f} ms")


def recognizer() -> None:
    from talkinghead.audio.sphinx import SphinxDecoder
    from talkinghead.audio.transcriber import agreement
    from talkinghead.io import read_audio

    waves = []
    for f in [REPO / "examples" / "speech.wav", *sorted(glob.glob(str(MEDIA / "*.flac")))[::3]]:
        w = read_audio(f, sample_rate=16000)
        waves.append((np.asarray(w.mean(1) if w.ndim == 2 else w, np.float32), None))
    waves += [(w, truth) for _, w, truth in espeak(("en-us", "en-us+f3"))]
    duration = sum(len(w) for w, _ in waves) / 16000

    def make(config):
        d = SphinxDecoder()
        d.RECOGNITION_CONFIG = config
        return d

    ref = [make({}).recognize(w) for w, _ in waves]
    for name, config in RECOGNIZER_CONFIGS.items():
        d = make(config)
        d.recognize(waves[0][0][:16000])  # load the models
        t = time.process_time()
        out = [d.recognize(w) for w, _ in waves]
        cpu = (time.process_time() - t) / duration
        agree = [agreement(o.phones, r.phones, len(w) / 16000) for o, r, (w, _) in zip(out, ref, waves) if o and r]
        acc = [agreement(o.phones, tr, len(w) / 16000) for o, (w, tr) in zip(out, waves) if o and tr is not None]
        print(f"{name:34s} {cpu:.3f} CPU s/s, agreement with default {np.mean(agree):.3f}, "
              f"viseme accuracy vs eSpeak {np.mean(acc):.3f}, failures {sum(o is None for o in out)}", flush=True)


# a linear fit of mediapipe's inner-lip gap on the photo_woman render of 1998-15444-0001 (r = 0.99)
_GAP_FEATURES = ("1", "jawOpen", "sqrt jawOpen", "mouthClose", "sqrt mouthClose", "mouthLowerDownLeft",
                 "mouthUpperUpLeft", "mouthFunnel", "mouthPucker", "mouthRollLower")
_GAP_COEF = np.array([0.004, 0.137, 0.067, 0.113, -0.106, 0.027, 0.055, 0.059, 0.016, 0.019])


def gap_proxy(mouth: np.ndarray) -> np.ndarray:
    from talkinghead.blendshapes import INDEX

    m = mouth.astype(np.float64)
    j, c = m[:, INDEX["jawOpen"]], m[:, INDEX["mouthClose"]]
    roll = m[:, INDEX["mouthRollLower"]]
    cols = [np.ones(len(m)), j, np.sqrt(j), c, np.sqrt(c), m[:, INDEX["mouthLowerDownLeft"]],
            m[:, INDEX["mouthUpperUpLeft"]], m[:, INDEX["mouthFunnel"]], m[:, INDEX["mouthPucker"]], roll]
    return np.stack(cols, 1) @ _GAP_COEF


def lag() -> None:
    sys.path.insert(0, str(Path(__file__).parent))
    from evaluate import best_lag

    from talkinghead.audio import analyze

    for f in sorted(glob.glob(str(MEDIA / "*.flac"))):
        track = analyze(f, fps=25)
        gap, loud = gap_proxy(track.mouth), track.loudness.astype(np.float64)
        prof = []
        for k in range(-6, 7):
            a, b = gap[max(k, 0): len(gap) + min(k, 0)], loud[max(-k, 0): len(loud) - max(k, 0)]
            prof.append(np.corrcoef(a, b)[0, 1])
        print(f"{Path(f).name:22s} {track.phone_source:12s} lag {best_lag(gap, loud):+d}  r(-6..+6) "
              + " ".join(f"{v:.2f}" for v in prof), flush=True)


if __name__ == "__main__":
    for what in sys.argv[1:] or ["bias", "recognizer", "lag"]:
        {"bias": bias, "recognizer": recognizer, "lag": lag}[what]()
