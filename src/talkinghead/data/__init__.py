"""Training data: preprocessing of talking-video folders into a dataset, the synthetic corpus, datasets.

- :func:`preprocess_folder` (``talkinghead preprocess``): videos -> one folder per clip + ``manifest.json``.
- :func:`synthesize_corpus` (``talkinghead synth``): portraits x speech rendered by the default method, in
  the same format, with the motion that drove each frame.
- :class:`Clip` reads one clip folder; :class:`WindowDataset` samples ``T``-frame windows with reference
  frames away from the window, deterministically in ``idx``.
- :func:`build_tiny_dataset`: a few small synthetic clips for tests (no mediapipe needed).

The format is documented in docs/data.md. Names resolve lazily (importing this package imports no torch).
"""

from __future__ import annotations

import importlib

_EXPORTS = {
    "Clip": "clip",
    "CLIP_FILES": "clip",
    "ClipArrays": "clip",
    "write_clip": "clip",
    "Manifest": "manifest",
    "build_manifest": "manifest",
    "load_manifest": "manifest",
    "speaker_of": "layout",
    "find_videos": "layout",
    "clip_id_of": "layout",
    "PreprocessOptions": "preprocess",
    "PreprocessSummary": "preprocess",
    "preprocess_folder": "preprocess",
    "process_video": "clip_processor",
    "SkipClip": "clip_processor",
    "WindowDataset": "dataset",
    "build_tiny_dataset": "tiny",
    "synthesize_corpus": "synth",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(__all__))
