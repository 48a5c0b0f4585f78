"""`talkinghead preprocess`: clip folders from talking videos, skips with reasons, kill-and-resume gives the same
dataset byte for byte (and so does --workers 2), the real videos of ../shared/media."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from talkinghead.cli.main import main

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def videos(astronaut, tmp_path_factory, landmarker_model):
    """spk_a/one.mp4 (1.6 s talking astronaut), spk_b/two.mp4 (mirrored), noface.mp4, short.mp4 (0.6 s)."""
    from talkinghead.data.tiny import make_talking_video
    from talkinghead.io import VideoWriter, iter_frames, read_audio, write_image

    d = tmp_path_factory.mktemp("videos")
    write_image(d / "face.png", np.ascontiguousarray(astronaut[10:266, 97:353]))
    root = d / "vids"
    (root / "spk_a").mkdir(parents=True)
    (root / "spk_b").mkdir()
    one = make_talking_video(root / "spk_a" / "one.mp4", d / "face.png", "Hello there, my friend.", seed=1)
    wave = read_audio(one, 16000)
    frames = [f.image for f in iter_frames(one)]
    with VideoWriter(root / "spk_b" / "two.mp4", 25, audio=wave, sample_rate=16000) as w:
        for f in frames:
            w.write(np.ascontiguousarray(f[:, ::-1]))
    with VideoWriter(root / "noface.mp4", 25, audio=wave, sample_rate=16000) as w:
        for _ in frames:
            w.write(np.full_like(frames[0], 128))
    with VideoWriter(root / "short.mp4", 25, audio=wave[: 16000 * 15 // 25], sample_rate=16000) as w:
        for f in frames[:15]:
            w.write(f)
    return root


def digest(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def _cli(*args) -> list[str]:
    return [sys.executable, "-m", "talkinghead", "preprocess", *map(str, args), "--size", "64", "128"]


def test_preprocess_writes_clips_and_reports_skips(videos, tmp_path, capsys):
    out = tmp_path / "ds"
    assert main(["preprocess", str(videos), str(out), "--size", "64", "128", "--no-progress"]) == 0
    text = capsys.readouterr().out
    assert "4 videos: 2 clips written, 2 skipped" in text and "frames/s" in text
    assert "skipped in total: no face 1, too short 1" in text
    manifest = json.loads((out / "manifest.json").read_text())
    assert [c["id"] for c in manifest["clips"]] == ["spk_a__one", "spk_b__two"]
    assert [c["speaker"] for c in manifest["clips"]] == ["spk_a", "spk_b"]
    assert {s["id"]: s["reason"] for s in manifest["skipped"]} == {"noface": "no face", "short": "too short"}
    clip = out / "clips" / "spk_a__one"
    from talkinghead.data import Clip

    c = Clip(clip)
    t = c.num_frames
    assert t >= 35 and c.meta["speaker"] == "spk_a" and c.meta["source"] == "spk_a/one.mp4"
    assert c.frames(128).shape == (t, 128, 128, 3) and c.frames(64).shape == (t, 64, 64, 3)
    assert c.landmarks.shape == (t, 478, 3) and c.blendshapes.shape == (t, 52) and c.pose.shape == (t, 3)
    assert c.fit["betas"].shape == (t, 52) and c.fit["identity"].shape == (478, 3)
    assert c.audio.shape == (t * 640,) and abs(c.mel.shape[1] - t * 80 / 25) <= 1
    assert any(p["phone"] != "SIL" for p in c.phones["phones"])
    # the face is centred in the crop and the mouth is where the landmarks say
    lm = c.landmarks_in_crop(128)
    assert np.all(np.abs(lm[:, 1, :2].mean(0) - 64) < 20)
    # a mirrored video's crops are the mirror image, roughly (independent tracking)
    c2 = Clip(out / "clips" / "spk_b__two")
    diff = np.abs(c.frames(64)[10].astype(int) - c2.frames(64)[10][:, ::-1].astype(int)).mean()
    assert diff < 25, diff
    # rerun: nothing to do, nothing changes
    before = digest(out)
    assert main(["preprocess", str(videos), str(out), "--size", "64", "128", "--no-progress"]) == 0
    assert "0 clips written, 0 skipped this run, 4 done before" in capsys.readouterr().out
    assert digest(out) == before


def test_options_must_match_when_continuing(videos, tmp_path, capsys):
    out = tmp_path / "ds"
    assert main(["preprocess", str(videos), str(out), "--limit", "0", "--no-progress"]) == 0
    capsys.readouterr()
    assert main(["preprocess", str(videos), str(out), "--size", "128", "--no-progress"]) == 2
    assert "made with other options" in capsys.readouterr().err
    assert main(["preprocess", str(tmp_path / "missing"), str(out)]) == 2


def test_killed_run_resumes_to_the_same_bytes(videos, tmp_path):
    # three talking videos for two workers: the third starts when the first is finished, so there is a window
    # of a whole clip's processing with one clip finished and one half-written, whatever the machine's load
    three = tmp_path / "vids"
    for rel, target in (("spk_a/one.mp4", "spk_a/one.mp4"), ("spk_b/two.mp4", "spk_b/two.mp4"),
                        ("spk_c/three.mp4", "spk_a/one.mp4")):
        (three / rel).parent.mkdir(parents=True)
        os.symlink(videos / target, three / rel)
    videos = three
    # the reference: one process, in order (a clip must not depend on the clips before it)
    clean = tmp_path / "clean"
    assert main(["preprocess", str(videos), str(clean), "--size", "64", "128", "--no-progress"]) == 0
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    # killed: 2 worker processes, SIGKILL once one clip is finished and the other half-written
    out = tmp_path / "killed"
    proc = subprocess.Popen(_cli(videos, out, "--workers", "2"), env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 120
    killed_with_partial = False
    while proc.poll() is None and time.monotonic() < deadline:
        finished = [p for p in (out / "clips").glob("*") if not p.name.startswith(".")] if out.exists() else []
        partial = list((out / "clips").glob(".tmp-*")) if out.exists() else []
        if finished and partial:
            os.killpg(proc.pid, signal.SIGKILL)  # the run and its workers, as a terminal's kill of the job
            killed_with_partial = True
            break
        time.sleep(0.02)
    proc.wait()
    assert killed_with_partial, "the run ended before it could be killed halfway"
    assert not (out / "manifest.json").exists()
    subprocess.run(_cli(videos, out), check=True, env=env, capture_output=True)
    assert not list((out / "clips").glob(".tmp-*"))
    assert digest(out) == digest(clean)


@pytest.mark.real_media
def test_real_video(media_dir, tmp_path, capsys):
    vids = tmp_path / "vids" / "speaker1"
    vids.mkdir(parents=True)
    os.symlink(media_dir / "video" / "talk_5.mp4", vids / "talk_5.mp4")
    out = tmp_path / "ds"
    assert main(["preprocess", str(tmp_path / "vids"), str(out), "--size", "128", "--no-progress"]) == 0
    from talkinghead.data import Clip

    c = Clip(out / "clips" / "speaker1__talk_5")
    assert 115 <= c.num_frames <= 123 and c.meta["frames_detected"] == c.num_frames  # 4.9 s at 25 fps
    assert len([p for p in c.phones["phones"] if p["phone"] != "SIL"]) > 20
    lm = c.landmarks_in_crop(128)
    gap = np.linalg.norm(lm[:, 13, :2] - lm[:, 14, :2], axis=-1)
    assert gap.max() > 3 * max(gap.min(), 0.1)  # the mouth moves
