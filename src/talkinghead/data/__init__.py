"""Training data: preprocessing of talking-video folders into a dataset, the synthetic corpus, datasets.

- :func:`preprocess_folder` (``talkinghead preprocess``): videos -> one folder per clip + ``manifest.json``.
- :func:`synthesize_corpus` (``talkinghead synth``): portraits x speech rendered by the default method, in
  the same format, with the motion that drove each frame.
- :class:`Clip` reads one clip folder; :class:`WindowDataset` samples ``T``-frame windows with reference
  frames away from the window, deterministically in ``idx``.
- :func:`merge_datasets`: one dataset of the clips of several (linked, not copied).
- :func:`build_tiny_dataset`: a few small synthetic clips for tests (no mediapipe needed).

The format is documented in docs/data.md. Importing this package imports neither torch nor mediapipe.
"""

from talkinghead.data.clip import CLIP_FILES, Clip, ClipArrays, write_clip
from talkinghead.data.clip_processor import SKIP_REASONS, ClipOptions, ClipResult, SkipClip, process_video
from talkinghead.data.dataset import WindowDataset
from talkinghead.data.layout import clip_id_of, find_videos, speaker_of
from talkinghead.data.manifest import Manifest, build_manifest, load_manifest, write_manifest
from talkinghead.data.merge import merge_datasets
from talkinghead.data.preprocess import PreprocessSummary, preprocess_folder
from talkinghead.data.synth import synthesize_corpus
from talkinghead.data.tiny import build_tiny_dataset, make_talking_video

__all__ = [
    "CLIP_FILES", "Clip", "ClipArrays", "write_clip", "SKIP_REASONS", "ClipOptions", "ClipResult", "SkipClip",
    "process_video", "WindowDataset", "clip_id_of", "find_videos", "speaker_of", "Manifest", "build_manifest",
    "load_manifest", "write_manifest", "PreprocessSummary", "preprocess_folder", "synthesize_corpus",
    "build_tiny_dataset", "make_talking_video", "merge_datasets",
]
