"""``talkinghead synth``: a synthetic training corpus, portraits x speech rendered by the default method.

Each clip is one (portrait, speech, draw) rendered by ``talkinghead.api.generate`` (method ``default``) with
a seed and options drawn from ``numpy.random.default_rng([seed, portrait, speech, draw])``, then run through
the same per-clip writer as ``preprocess`` (face tracking, crops, landmarks, fit, mel, phones) so synthetic
clips are ordinary dataset clips; the motion that drove each rendered frame is stored beside them
(``motion.json``, :class:`talkinghead.motion.Motion`'s file; frame ``i`` of the clip is motion frame
``meta.start_frame + i``) and ``meta.json`` has a ``synth`` entry with the inputs and options.

The speaker of a synthetic clip is its portrait (``synth_<portrait stem>``): splits by speaker then keep
identities apart. Resumable like ``preprocess``.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from pathlib import Path, PurePosixPath

import numpy as np

from talkinghead.data.clip import remove_partial_clips
from talkinghead.data.clip_processor import ClipOptions, ClipResult, process_video
from talkinghead.data.preprocess import PreprocessSummary, check_options_file, collect_results

__all__ = ["synthesize_corpus", "synthesize_speech", "SENTENCES", "TTS_VOICES"]

logger = logging.getLogger(__name__)

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp", ".bmp")
AUDIO_SUFFIXES = (".wav", ".flac", ".mp3", ".m4a", ".ogg", ".aiff", ".aif", ".opus")
#: Harvard sentences (IEEE 1969, public domain), spoken by eSpeak NG for ``--tts``
SENTENCES = (
    "The birch canoe slid on the smooth planks.",
    "Glue the sheet to the dark blue background.",
    "It's easy to tell the depth of a well.",
    "These days a chicken leg is a rare dish.",
    "Rice is often served in round bowls.",
    "The juice of lemons makes fine punch.",
    "The box was thrown beside the parked truck.",
    "The hogs were fed chopped corn and garbage.",
    "Four hours of steady work faced us.",
    "A large size in stockings is hard to sell.",
    "The boy was there when the sun rose.",
    "A rod is used to catch pink salmon.",
)
TTS_VOICES = ("en-us", "en-us+f3", "en-us+m3", "en", "en+f2", "en-us+m7")


def _files(folder: Path, suffixes: tuple[str, ...]) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and not p.name.startswith(".")
                  and p.suffix.lower() in suffixes)


def synthesize_speech(out_dir: str | os.PathLike, count: int, seed: int = 0) -> list[Path]:
    """Write ``count`` eSpeak NG utterances (sentence, voice, rate, pitch drawn with ``seed``) as WAV files
    ``tts_<i>.wav`` in ``out_dir`` (kept: the corpus can be rebuilt from them); return their paths."""
    from talkinghead.audio.tts import synthesize
    from talkinghead.io import write_audio

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(count):
        path = out_dir / f"tts_{i:03d}.wav"
        if not path.is_file():
            rng = np.random.default_rng([seed, 7, i])
            text = SENTENCES[int(rng.integers(len(SENTENCES)))]
            voice = TTS_VOICES[int(rng.integers(len(TTS_VOICES)))]
            speech = synthesize(text, voice=voice, rate=int(rng.integers(130, 201)), pitch=int(rng.integers(30, 71)))
            write_audio(path, speech.wave, speech.sample_rate, overwrite=True)
        paths.append(path)
    return paths


def _draw(seed: int, i: int, j: int, k: int) -> dict:
    rng = np.random.default_rng([seed, i, j, k])
    return {"seed": int(rng.integers(2**31 - 1)), "head_motion": round(float(rng.uniform(0.5, 1.5)), 3),
            "blink_rate": round(float(rng.uniform(10, 30)), 2), "mouth_scale": round(float(rng.uniform(0.8, 1.2)), 3)}


def synthesize_corpus(portraits_dir: str | os.PathLike, audio_dir: str | os.PathLike | None,
                      out_dir: str | os.PathLike, options: ClipOptions = ClipOptions(), draws: int = 1,
                      render_size: int = 512, tts: int = 0, seed: int = 0, progress: bool = False,
                      limit: int | None = None) -> PreprocessSummary:
    """Render every portrait x speech pair ``draws`` times into the dataset ``out_dir`` (see the module doc).

    Args:
        portraits_dir: portrait images (any nesting).
        audio_dir: speech recordings (any nesting), or ``None``.
        out_dir: the dataset folder (an unfinished one is continued).
        options: per-clip options, as ``preprocess``.
        draws: renders per pair, each with its own seed and options.
        render_size: longer side of the rendered video, pixels.
        tts: also speak this many eSpeak NG utterances (written to ``out_dir/speech/``).
        seed: seed of every draw and of the split by speaker.
        limit: render at most this many of the remaining clips.
    """
    from talkinghead.errors import AudioContentError, InputError, NoFaceError, OptionError, TalkingHeadError
    from talkinghead.face import FaceAnalyzer

    portraits_dir, out_dir = Path(portraits_dir), Path(out_dir)
    if not portraits_dir.is_dir():
        raise InputError(f"{str(portraits_dir)!r} is not a folder of portraits")
    if draws < 1 or tts < 0:
        raise OptionError(f"--draws must be at least 1 and --tts at least 0, got {draws}, {tts}")
    portraits = _files(portraits_dir, IMAGE_SUFFIXES)
    if not portraits:
        raise InputError(f"no images under {str(portraits_dir)!r} (looked for {', '.join(IMAGE_SUFFIXES)})")
    out_dir.mkdir(parents=True, exist_ok=True)
    check_options_file(out_dir, {"options": options.to_json(), "seed": seed, "synth": {
        "draws": draws, "render_size": render_size, "tts": tts, "method": "default"}})
    speech = _files(Path(audio_dir), AUDIO_SUFFIXES) if audio_dir is not None else []
    speech += synthesize_speech(out_dir / "speech", tts, seed) if tts else []
    if not speech:
        raise InputError("no speech: give a folder of recordings, or --tts N to speak N sentences with eSpeak NG")
    clips_dir = out_dir / "clips"
    clips_dir.mkdir(exist_ok=True)
    remove_partial_clips(clips_dir)
    for stale in out_dir.glob(".render-*"):  # renders of a killed run
        shutil.rmtree(stale, ignore_errors=True)
    jobs = []
    for i, portrait in enumerate(portraits):
        for j, audio in enumerate(speech):
            for k in range(draws):
                clip_id = f"synth__{_stem(portrait)}__{_stem(audio)}__{k:02d}"
                if (clips_dir / clip_id).is_dir() or (out_dir / "skipped" / f"{clip_id}.json").is_file():
                    continue
                jobs.append((clip_id, portrait, audio, _draw(seed, i, j, k)))
    total = len(portraits) * len(speech) * draws
    summary = PreprocessSummary(videos=total, already_done=total - len(jobs))
    jobs = jobs[:limit] if limit is not None else jobs
    errors = (AudioContentError, NoFaceError, TalkingHeadError)

    def results():
        with FaceAnalyzer() as analyzer, tempfile.TemporaryDirectory(dir=out_dir, prefix=".render-") as tmp:
            for clip_id, portrait, audio, draw in jobs:
                yield _one(clip_id, portrait, audio, draw, portraits_dir, clips_dir, Path(tmp), options, render_size,
                           analyzer, errors)

    return collect_results(results() if jobs else iter(()), summary, out_dir, len(jobs), progress, "synth", seed)


def _stem(path: Path) -> str:
    import re

    return re.sub(r"[^A-Za-z0-9.-]", "-", path.stem)


def _one(clip_id, portrait: Path, audio: Path, draw: dict, portraits_dir: Path, clips_dir: Path,
         tmp: Path, options: ClipOptions, render_size: int, analyzer, errors) -> ClipResult:
    from talkinghead.api import generate

    audio_error, face_error, any_error = errors
    speaker = f"synth_{_stem(portrait)}"
    video, motion = tmp / f"{clip_id}.mp4", tmp / f"{clip_id}.motion.json"
    base = dict(clip_id=clip_id, source=f"{portrait.name} x {audio.name}", speaker=speaker)
    try:
        generate(portrait, audio, video, overwrite=True, save_motion=motion, size=render_size, **draw)
    except face_error as e:
        return ClipResult(**base, status="skipped", reason="no face", detail=str(e))
    except audio_error as e:
        return ClipResult(**base, status="skipped", reason="silent audio", detail=str(e))
    except any_error as e:
        return ClipResult(**base, status="skipped", reason="unreadable", detail=str(e))
    try:
        rel_portrait = portrait.relative_to(portraits_dir).as_posix()
        synth = {"method": "default", "portrait": rel_portrait, "speech": audio.name, "options": draw,
                 "render_size": render_size}
        return process_video(video, PurePosixPath(f"{clip_id}.mp4"), clips_dir, options, analyzer,
                             extra_meta={"synth": synth}, clip_id=clip_id, speaker=speaker,
                             extra_files={"motion.json": motion})
    finally:
        for p in (video, motion):
            p.unlink(missing_ok=True)



