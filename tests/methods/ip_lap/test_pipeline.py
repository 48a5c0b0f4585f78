"""IP-LAP end to end on CPU: `talkinghead generate SOURCE AUDIO --method ip_lap --checkpoint DIR` dubs a video
and animates a portrait with a (randomly initialised, small) checkpoint; only the face region changes; a missing
checkpoint is a one-line error."""

from __future__ import annotations

import numpy as np
import pytest

from talkinghead.cli.main import main

TINY_GENERATOR = dict(dim=32, depth=1, heads=2, mlp_ratio=2.0, dropout=0.0, window=5, num_refs=15,
                      mel_base_channels=4)
TINY_RENDERER = dict(image_size=64, base_channels=4, max_channels=16, num_down=3, num_sketches=5, audio_dim=16,
                     mel_base_channels=4, spade_hidden=8)


@pytest.fixture(scope="module")
def checkpoint(tmp_path_factory):
    import torch

    from talkinghead.methods.ip_lap.audio_to_landmark import LandmarkGenerator
    from talkinghead.methods.ip_lap.renderer import LandmarkRenderer
    from talkinghead.nn import save_pretrained

    torch.manual_seed(0)
    root = tmp_path_factory.mktemp("ckpt")
    save_pretrained(LandmarkGenerator(**TINY_GENERATOR), root / "landmark_generator")
    save_pretrained(LandmarkRenderer(**TINY_RENDERER), root / "renderer")
    return root


@pytest.fixture(scope="module")
def talking_video(astronaut, tmp_path_factory, landmarker_model):
    from talkinghead.data.tiny import make_talking_video
    from talkinghead.io import write_image

    d = tmp_path_factory.mktemp("video")
    write_image(d / "face.png", np.ascontiguousarray(astronaut[10:266, 97:353]))
    return make_talking_video(d / "talk.mp4", d / "face.png", "Hello there.", seed=1, size=160)


def _frames(path):
    from talkinghead.io import iter_frames

    return np.stack([f.image for f in iter_frames(path)])


def test_dubs_a_video_changing_only_the_face(talking_video, speech_wav, checkpoint, tmp_path, capsys):
    from talkinghead.io import probe

    out = tmp_path / "dubbed.mp4"
    motion = tmp_path / "motion.json"
    assert main(["generate", str(talking_video), str(speech_wav), "-o", str(out), "--method", "ip_lap",
                 "--checkpoint", str(checkpoint), "--save-motion", str(motion), "--no-progress"]) == 0
    assert "wrote" in capsys.readouterr().out and motion.is_file()
    info, speech = probe(out), probe(speech_wav)
    assert (info.video.width, info.video.height) == (160, 160)
    assert abs(info.video.num_frames - round(speech.duration * 25)) <= 1  # the speech's length, not the video's
    src, gen = _frames(talking_video).astype(int), _frames(out).astype(int)
    n = min(len(src), len(gen))
    diff = np.abs(src[:n] - gen[:n]).mean(axis=(0, 3))  # (h, w) mean change per pixel
    corners = np.concatenate([diff[:12, :12].ravel(), diff[:12, -12:].ravel()])
    assert corners.mean() < 3, corners.mean()  # the background is the source's (codec noise only)
    assert diff[60:140, 40:120].mean() > 3 * max(corners.mean(), 0.5)  # the face was re-rendered


def test_animates_a_portrait(astronaut, speech_wav, checkpoint, tmp_path, landmarker_model):
    from talkinghead.api import generate
    from talkinghead.io import probe, write_image

    portrait = tmp_path / "face.png"
    write_image(portrait, np.ascontiguousarray(astronaut[10:266, 97:353]))
    result = generate(portrait, speech_wav, tmp_path / "out.mp4", method="ip_lap", checkpoint=str(checkpoint),
                      size=128, references=1)
    assert result.num_frames == probe(tmp_path / "out.mp4").video.num_frames
    content = result.motion.extras["content_points"]
    assert content.shape == (result.num_frames, 57, 2) and np.isfinite(content).all()
    # the portrait was given head motion by the shared motion model before its mouth was completed
    assert result.motion.head_pose[:, :2].std(0).max() > 0.3, result.motion.head_pose.std(0)
    # --still: static frames; --mouth-scale 0 pins the lips and jaw to the closed reference
    still = generate(portrait, speech_wav, tmp_path / "still.mp4", method="ip_lap", checkpoint=str(checkpoint),
                     size=128, references=1, mouth_scale=0.0, still=True)
    flat = still.motion.extras["content_points"]
    assert np.abs(still.motion.head_pose).max() < 1e-6
    assert np.abs(flat - flat[0]).max() < 1e-6 and np.abs(content - content[0]).max() > 1e-4


def test_missing_checkpoint_is_one_line_error(astronaut, speech_wav, tmp_path, capsys):
    from talkinghead.io import write_image

    portrait = tmp_path / "face.png"
    write_image(portrait, np.ascontiguousarray(astronaut[10:266, 97:353]))
    (tmp_path / "empty").mkdir()
    for ckpt in (tmp_path / "missing", tmp_path / "empty"):
        code = main(["generate", str(portrait), str(speech_wav), "-o", str(tmp_path / "o.mp4"), "--method",
                     "ip_lap", "--checkpoint", str(ckpt)])
        err = capsys.readouterr().err.strip()
        assert code == 2 and err.startswith("error: ") and "\n" not in err and "checkpoint" in err
    assert not (tmp_path / "o.mp4").exists()


def test_faceless_frames_take_the_nearest_face():
    """SourceTrack.filled_points: each frame without a face gets the nearest frame's points (the earlier on a
    tie), as a brute-force search over all pairs would, without its n^2 memory."""
    from talkinghead.methods.ip_lap.pipeline import SourceTrack

    rng = np.random.default_rng(0)
    for n in (1, 2, 7, 200):
        valid = rng.random(n) < 0.3
        valid[rng.integers(n)] = True
        points = np.where(valid[:, None, None], rng.random((n, 131, 2)), np.nan).astype(np.float32)
        track = SourceTrack(points, None, None, None, None, None, None, (1, 1))
        idx = np.flatnonzero(valid)
        brute = idx[np.abs(np.arange(n)[:, None] - idx[None, :]).argmin(1)]
        np.testing.assert_array_equal(track.filled_points(), points[brute])
