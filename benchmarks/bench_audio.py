"""Benchmark of talkinghead.audio: alignment accuracy, analysis speed per mode, memory on a long file.

1. Accuracy: eSpeak NG speaks 6 sentences in 3 voices; forced alignment with the transcript is compared
   with the phone starts eSpeak reports (:func:`~talkinghead.audio.phoneset.boundary_errors`).
2. Speed, as a multiple of real time on one core (BLAS/FFT threads pinned to 1; pocketsphinx is
   single-threaded), of the whole ``analyze`` (features + phones + visemes + mouth curves) per mode:
   ``alignment`` (transcript given), ``recognition`` (English, no transcript: word recognition + phone
   loop for the confidence check), ``phone-loop`` (other languages); plus the mel-spectrogram alone.
   Real read speech (LibriSpeech in ../shared/media) when present, else synthesized speech.
3. Memory: a WAV of ``--hours`` of speech (a synthesized passage with pauses, repeated) is streamed through
   ``iter_analyze`` and the arkit-csv writer, as ``talkinghead analyze-audio`` does, in a fresh process per
   length; peak resident memory is reported for a short and the long file (flat = the same).

Prints figures; makes no assertions. Usage:
``python benchmarks/bench_audio.py [--hours 2] [--skip-memory] [--repeat 3]``.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import platform  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import wave as wavmod  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
MEDIA = Path(os.environ.get("TALKINGHEAD_MEDIA", REPO.parent / "shared" / "media"))

SENTENCES = [
    "The quick brown fox jumps over the lazy dog. Peter picked a bowl of apples.",
    "I would like a cup of coffee with milk and sugar, please, before we leave for work.",
    "My mother made a warm vanilla muffin for the baby.",
    "Five fine violins were found in a very famous villa.",
    "She sells sea shells by the sea shore while the children watch the waves.",
    "Nobody knew how the old map ended up inside the library's locked cabinet.",
]
VOICES = ["en-us", "en-us+m3", "en-us+f2"]


def to16k(wave: np.ndarray, rate: int) -> np.ndarray:
    from talkinghead.audio.resample import resample

    return resample(wave, rate)


def accuracy() -> None:
    from talkinghead.audio import analyze
    from talkinghead.audio.phoneset import boundary_errors
    from talkinghead.audio.tts import synthesize

    errors, failed = [], 0
    for voice in VOICES:
        for text in SENTENCES:
            s = synthesize(text, voice=voice)
            track = analyze(s.wave, transcript=text, sample_rate=s.sample_rate)
            if track.phone_source != "alignment":
                failed += 1
                continue
            errors.append(boundary_errors(s.arpabet_phones(exact_only=True), track.phones))
    e = np.abs(np.concatenate(errors)) * 1000
    signed = np.concatenate(errors) * 1000
    print(f"alignment vs eSpeak phone starts: {len(e)} phones, {len(errors)}/{len(errors) + failed} sentences aligned")
    print(f"  median |error| {np.median(e):.1f} ms, mean {e.mean():.1f} ms, 90th pct {np.percentile(e, 90):.1f} ms, "
          f"within 20 ms {np.mean(e <= 20):.0%}, within 50 ms {np.mean(e <= 50):.0%}, "
          f"median signed {np.median(signed):+.1f} ms")


def _cpu_seconds() -> float:
    """CPU time of this process and of its ended children (the phone-loop helper process of recognition)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def timed(fn, repeat: int) -> tuple[float, float]:
    """Median (CPU seconds, wall seconds) of ``repeat`` calls after a warm-up call. CPU time counts this
    process and its helper processes; wall time is below it when the helper runs on a second core, above it
    on a shared machine where the process waits for a core."""
    fn()  # warm-up: decoders load their models once per process
    cpu, wall = [], []
    for _ in range(repeat):
        c, w = _cpu_seconds(), time.perf_counter()
        fn()
        cpu.append(_cpu_seconds() - c)
        wall.append(time.perf_counter() - w)
    return float(np.median(cpu)), float(np.median(wall))


def speed(repeat: int) -> None:
    from talkinghead.audio import analyze, melspectrogram
    from talkinghead.audio.tts import synthesize
    from talkinghead.io import read_audio

    # alignment needs a transcript: synthesized passage (~60 s)
    waves, texts = [], []
    for voice in VOICES:
        for text in SENTENCES:
            s = synthesize(text, voice=voice)
            waves += [to16k(s.wave, s.sample_rate), np.zeros(4000, np.float32)]
            texts.append(text)
    synthetic, transcript = np.concatenate(waves), " ".join(texts)
    libri = sorted((MEDIA / "audio" / "librispeech").glob("*.flac"))
    if libri:
        real = np.concatenate([read_audio(p) for p in libri[:8]])
        real_name = f"LibriSpeech ({len(libri[:8])} files)"
    else:
        real, real_name = synthetic, "synthesized speech"
    recognised = analyze(real)  # real speech has no transcript here: align the recogniser's own words
    rows = [
        ("alignment", synthetic, dict(transcript=transcript), "synthesized speech, with its transcript"),
        ("alignment", real, dict(transcript=" ".join(w.text for w in recognised.words)),
         f"{real_name}, transcript = recognised words"),
        ("recognition", real, dict(), real_name),
        ("phone-loop", real, dict(language="fr"), real_name),
    ]
    print(f"speed ({platform.processor() or platform.machine()}, {len(os.sched_getaffinity(0))} CPUs; CPU time includes "
          f"helper processes), median of {repeat}:")
    for mode, wave, kwargs, what in rows:
        seconds = len(wave) / 16000
        cpu, wall = timed(lambda w=wave, k=kwargs: analyze(w, **k), repeat)
        source = analyze(wave, **kwargs).phone_source
        print(f"  {mode:12s} {seconds / cpu:6.1f}x real time per CPU second ({seconds / wall:5.1f}x wall)  "
              f"{seconds:.0f} s of {what}; phones from {source}")
    cpu, wall = timed(lambda: melspectrogram(real), repeat)
    seconds = len(real) / 16000
    print(f"  {'mel only':12s} {seconds / cpu:6.0f}x real time per CPU second ({seconds / wall:.0f}x wall)")


def write_long_wav(path: Path, hours: float) -> str:
    """A 16-bit 16 kHz WAV of ``hours`` of speech: one synthesized passage with pauses, repeated; returns
    the matching transcript."""
    from talkinghead.audio.tts import synthesize

    parts, texts = [], []
    for text in SENTENCES:
        s = synthesize(text)
        parts += [to16k(s.wave, s.sample_rate), np.zeros(8000, np.float32)]
        texts.append(text)
    passage = (np.clip(np.concatenate(parts), -1, 1) * 32767).astype("<i2").tobytes()
    seconds = len(passage) / 2 / 16000
    reps = int(np.ceil(hours * 3600 / seconds))
    with wavmod.open(str(path), "wb") as f:
        f.setnchannels(1)
        f.setsampwidth(2)
        f.setframerate(16000)
        for _ in range(reps):
            f.writeframes(passage)
    return " ".join(texts * reps)


_CHILD = r"""
import resource, sys, time
from talkinghead.audio import iter_analyze
from talkinghead.audio.export import ArkitCsv
path, transcript_path, out_path = sys.argv[1:4]
transcript = open(transcript_path, encoding="utf-8").read()
t, c = time.perf_counter(), time.process_time()
sources = {}
with open(out_path, "w") as out:
    writer = ArkitCsv(out, 25.0)
    for track in iter_analyze(path, 25, transcript):
        writer.add(track)
        sources[track.phone_source] = sources.get(track.phone_source, 0) + 1
    writer.finish()
print(time.process_time() - c, time.perf_counter() - t, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, sources)
"""


def memory(hours: float) -> None:
    print("memory: streaming analysis (alignment) + arkit-csv export, peak RSS per process:")
    with tempfile.TemporaryDirectory() as tmp:
        for length in (min(0.1, hours), hours):
            wav, text, out = Path(tmp) / "long.wav", Path(tmp) / "words.txt", Path(tmp) / "out.csv"
            text.write_text(write_long_wav(wav, length), encoding="utf-8")
            proc = subprocess.run([sys.executable, "-c", _CHILD, str(wav), str(text), str(out)],
                                  capture_output=True, text=True, check=True)
            cpu, wall, rss_kb, sources = proc.stdout.strip().split(" ", 3)
            seconds = length * 3600
            print(f"  {seconds / 60:6.0f} min of audio: peak RSS {int(rss_kb) / 1024:6.0f} MB, "
                  f"{seconds / float(cpu):5.1f}x real time per CPU second ({seconds / float(wall):.1f}x wall), "
                  f"chunks by phone source {sources}, "
                  f"wav {wav.stat().st_size / 2**20:.0f} MB, csv {out.stat().st_size / 2**20:.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hours", type=float, default=2.0, help="length of the long file (default 2)")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per mode (default 3)")
    parser.add_argument("--skip-memory", action="store_true", help="skip the long-file memory measurement")
    args = parser.parse_args()
    print(f"python {platform.python_version()}, {platform.platform()}")
    accuracy()
    speed(args.repeat)
    if not args.skip_memory:
        memory(args.hours)


if __name__ == "__main__":
    main()
