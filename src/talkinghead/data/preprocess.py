"""``talkinghead preprocess``: a folder of talking videos -> a dataset (docs/data.md).

Resumable: finished clips are folders (renamed into place when complete) and skipped videos leave a
``skipped/<id>.json``; a rerun does only the videos that have neither, after deleting the ``.tmp-`` folders
of a killed run. Work is spread over ``workers`` processes, each with its own FaceAnalyzer; every clip is
computed from its video alone, so the dataset is the same, byte for byte, whatever the number of workers
and however often the run was interrupted.
"""

from __future__ import annotations

import json
import logging
import multiprocessing
import os
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from talkinghead.data.clip import json_text, remove_partial_clips
from talkinghead.data.clip_processor import ClipOptions, ClipResult, process_video
from talkinghead.data.layout import clip_id_of, find_videos
from talkinghead.data.manifest import write_manifest

__all__ = ["PreprocessSummary", "preprocess_folder", "check_options_file", "record_skip", "collect_results"]

logger = logging.getLogger(__name__)
OPTIONS_FILE = "preprocess.json"


@dataclass
class PreprocessSummary:
    """What a run did. ``written`` / ``skipped`` this run, ``already_done`` from earlier runs;
    ``skipped_reasons`` counts every skipped video of the dataset (this and earlier runs) by reason;
    ``frames`` decoded this run and ``seconds`` of wall time; ``results`` per video processed this run."""

    videos: int = 0
    written: int = 0
    skipped: int = 0
    already_done: int = 0
    frames: int = 0
    seconds: float = 0.0
    skipped_reasons: dict[str, int] = field(default_factory=dict)
    results: list[ClipResult] = field(default_factory=list)

    @property
    def frames_per_second(self) -> float:
        return self.frames / self.seconds if self.seconds > 0 else 0.0


def check_options_file(out_dir: Path, options: dict) -> None:
    """Record ``options`` in ``out_dir/preprocess.json``, or check a resumed run uses the same ones."""
    from talkinghead.errors import OptionError
    from talkinghead.io import atomic_write_text

    path = out_dir / OPTIONS_FILE
    if path.is_file():
        before = json.loads(path.read_text(encoding="utf-8"))
        if before != json.loads(json_text(options)):
            raise OptionError(f"{str(out_dir)!r} was made with other options ({json.dumps(before, sort_keys=True)}); "
                              "rerun with the same options, or write to another folder")
        return
    atomic_write_text(path, json_text(options), overwrite=True)


def record_skip(out_dir: Path, result: ClipResult) -> None:
    from talkinghead.io import atomic_write_text

    (out_dir / "skipped").mkdir(exist_ok=True)
    atomic_write_text(out_dir / "skipped" / f"{result.clip_id}.json",
                      json_text({"id": result.clip_id, "source": result.source, "speaker": result.speaker,
                                 "reason": result.reason, "detail": result.detail}), overwrite=True)


# -- worker processes: one FaceAnalyzer each ---------------------------------------------------------------

_worker: dict = {}


def _init_worker(model_path, clips_dir: str, options: ClipOptions) -> None:
    import atexit

    from talkinghead.face import FaceAnalyzer

    _worker["analyzer"] = FaceAnalyzer(model_path)
    _worker["clips_dir"] = Path(clips_dir)
    _worker["options"] = options
    atexit.register(_worker["analyzer"].close)


def _work(job: tuple[str, str]) -> ClipResult:
    source, relative = job
    return process_video(Path(source), PurePosixPath(relative), _worker["clips_dir"], _worker["options"],
                         _worker["analyzer"])


def preprocess_folder(videos_dir: str | os.PathLike, out_dir: str | os.PathLike, options: ClipOptions = ClipOptions(),
                      workers: int = 1, progress: bool = False, seed: int = 0, model_path=None,
                      limit: int | None = None) -> PreprocessSummary:
    """Preprocess every video under ``videos_dir`` into ``out_dir`` (see the module doc).

    Args:
        videos_dir: videos in any nesting (LRS2/LRS3, VoxCeleb2, HDTF layouts: :mod:`talkinghead.data.layout`).
        out_dir: the dataset folder (created; a folder of an earlier run is continued).
        options: per-clip options; must equal those of the run that started ``out_dir``.
        workers: processes (each loads its own face landmarker).
        progress: show a progress bar.
        seed: seed of the split by speaker.
        model_path: the face landmarker bundle (default the provisioned one).
        limit: process at most this many of the remaining videos (then stop, as if killed, but cleanly).

    Raises:
        InputError: no videos under ``videos_dir``; OptionError: options differ from the earlier run's.
    """
    from talkinghead.errors import InputError, OptionError

    videos_dir, out_dir = Path(videos_dir), Path(out_dir)
    if not videos_dir.is_dir():
        raise InputError(f"{str(videos_dir)!r} is not a folder of videos")
    if workers < 1:
        raise OptionError(f"--workers must be at least 1, got {workers}")
    videos = find_videos(videos_dir)
    if not videos:
        raise InputError(f"no video files under {str(videos_dir)!r} (looked for .mp4, .mov, .mkv, .avi, .webm, .m4v)")
    ids: dict[str, PurePosixPath] = {}
    for rel in videos:
        cid = clip_id_of(rel)
        if cid in ids:
            raise InputError(f"{str(ids[cid])!r} and {str(rel)!r} would make the same clip {cid!r}; rename one")
        ids[cid] = rel
    out_dir.mkdir(parents=True, exist_ok=True)
    check_options_file(out_dir, {"options": options.to_json(), "seed": seed})
    clips_dir = out_dir / "clips"
    clips_dir.mkdir(exist_ok=True)
    removed = remove_partial_clips(clips_dir)
    if removed:
        logger.info("removed %d half-written clip(s) of an interrupted run", len(removed))

    def done(cid: str) -> bool:
        return (clips_dir / cid).is_dir() or (out_dir / "skipped" / f"{cid}.json").is_file()

    todo = [(cid, rel) for cid, rel in ids.items() if not done(cid)]
    summary = PreprocessSummary(videos=len(videos), already_done=len(videos) - len(todo))
    if limit is not None:
        todo = todo[:limit]
    jobs = [(str(videos_dir / rel), str(rel)) for _, rel in todo]
    return collect_results(_run_jobs(jobs, clips_dir, options, workers, model_path), summary, out_dir, len(jobs),
                           progress, "preprocess", seed)


def collect_results(results: Iterable[ClipResult], summary: PreprocessSummary, out_dir: Path, num_jobs: int,
                    progress: bool, desc: str, seed: int) -> PreprocessSummary:
    """Consume per-clip results (recording skips, counting, a progress bar), then rewrite the manifest."""
    t0 = time.perf_counter()
    bar = None
    if progress and num_jobs:
        from tqdm import tqdm

        bar = tqdm(total=num_jobs, unit="clip", desc=desc, dynamic_ncols=True)
    try:
        for result in results:
            summary.results.append(result)
            summary.frames += result.frames
            if result.status == "written":
                summary.written += 1
            else:
                summary.skipped += 1
                record_skip(out_dir, result)
            if bar is not None:
                bar.update(1)
                bar.set_postfix(frames=summary.frames, skipped=summary.skipped, refresh=False)
    finally:
        if bar is not None:
            bar.close()
    summary.seconds = time.perf_counter() - t0
    manifest = write_manifest(out_dir, seed=seed)
    summary.skipped_reasons = dict(manifest["skipped_reasons"])
    return summary


def _run_jobs(jobs, clips_dir: Path, options: ClipOptions, workers: int, model_path):
    if not jobs:
        return
    if workers == 1 or len(jobs) == 1:
        from talkinghead.face import FaceAnalyzer

        with FaceAnalyzer(model_path) as analyzer:
            for source, relative in jobs:
                yield process_video(Path(source), PurePosixPath(relative), clips_dir, options, analyzer)
        return
    workers = min(workers, len(jobs))
    ctx = multiprocessing.get_context("spawn")  # mediapipe and torch do not survive fork
    with ctx.Pool(workers, initializer=_init_worker, initargs=(model_path, str(clips_dir), options)) as pool:
        yield from pool.imap_unordered(_work, jobs, chunksize=1)
