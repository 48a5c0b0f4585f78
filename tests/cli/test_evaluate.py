"""`talkinghead evaluate` end to end: protocols, report files, weights not given, the error contract."""

from __future__ import annotations

import json

import pytest

from talkinghead.cli.main import main


def test_help_lists_weight_flags(capsys):
    with pytest.raises(SystemExit):
        main(["evaluate", "--help"])
    out = capsys.readouterr().out
    assert "--syncnet" in out and "--lpips-heads" in out and "--reference" in out


@pytest.mark.parametrize("extra, message", [
    (["--metrics", "lse"], "syncnet"),  # asked for by name, weight file not given
    (["--metrics", "nonsense"], "unknown metric"),
    (["--metrics", "psnr", "--protocol", "dubbing"], "ground-truth"),
    (["--label", "a", "--label", "b"], "--label"),
])
def test_errors_are_one_line_before_any_work(tmp_path, capsys, extra, message):
    video = tmp_path / "gen" / "clip.mp4"
    video.parent.mkdir()
    video.write_bytes(b"not analysed: the run fails first")
    code = main(["evaluate", str(video.parent), "-o", str(tmp_path / "report"), *extra])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("error: ") and message in err and err.count("\n") == 1
    assert not (tmp_path / "report" / "metrics.json").exists()


def test_missing_input_and_existing_report(tmp_path, capsys):
    assert main(["evaluate", str(tmp_path / "absent"), "-o", str(tmp_path / "r")]) == 2
    assert "does not exist" in capsys.readouterr().err
    (tmp_path / "r").mkdir()
    (tmp_path / "r" / "metrics.json").write_text("{}")
    (tmp_path / "g").mkdir()
    assert main(["evaluate", str(tmp_path / "g"), "-o", str(tmp_path / "r")]) == 2
    assert "--overwrite" in capsys.readouterr().err


@pytest.fixture(scope="module")
def short_clip(media_dir, tmp_path_factory):
    """The first 3 s of a real talking video at 256x256, with its audio (keeps the end-to-end runs fast)."""
    import cv2

    from talkinghead.io import VideoWriter, iter_frames, read_audio

    src = media_dir / "video" / "talk_3.mp4"
    path = tmp_path_factory.mktemp("gen") / "talk_3.mp4"
    with VideoWriter(path, 25, audio=read_audio(src)[: 3 * 16000], sample_rate=16000) as writer:
        for frame in iter_frames(src, end=3.0):
            writer.write(cv2.resize(frame.image, (256, 256), interpolation=cv2.INTER_AREA))
    return path


@pytest.mark.real_media
def test_reconstruction_against_itself_and_dubbing(short_clip, tmp_path, capsys):
    """A real clip scored against itself: PSNR inf, LMD 0, lip sync high; weights not given are listed."""
    gen = short_clip.parent
    out = tmp_path / "report"
    metrics = "psnr,ssim,lmd,lip_lmd,viseme_contrast,pose_diversity,hpd,blink_rate"
    assert main(["evaluate", str(gen), "--reference", str(gen), "--metrics", metrics, "-o", str(out)]) == 0
    doc = json.loads((out / "metrics.json").read_text())
    assert doc["protocol"] == "reconstruction" and set(doc["metrics"]) == set(metrics.split(","))
    scores = doc["methods"][0]["clips"][0]["scores"]
    assert scores["psnr"] == "inf" and scores["ssim"] == pytest.approx(1.0)
    assert scores["lmd"] == 0.0 and scores["lip_lmd"] == 0.0
    assert scores["viseme_contrast"] > 0.5 and scores["pose_diversity"] > 0
    page = (out / "report.html").read_text()
    assert page.count("data:image/png;base64,") >= 4 and "http" not in page.split("<body>")[0]
    assert "talk_3" in page and "viseme_contrast" in page

    # dubbing: no ground truth; everything that can run without weights, the rest listed as not computed
    assert main(["evaluate", str(gen), "-o", str(out), "--overwrite"]) == 0
    doc = json.loads((out / "metrics.json").read_text())
    assert "--syncnet FILE" in doc["not_computed"]["lse"]
    assert "ground-truth" in doc["not_computed"]["psnr"]
    assert doc["protocol"] == "dubbing" and "cpbd" in doc["metrics"]
    assert doc["methods"][0]["mean"]["viseme_contrast"] > 0.5
    assert "not computed: lse" in capsys.readouterr().out


@pytest.mark.real_media
def test_landmarks_compared_at_the_generated_size(short_clip, tmp_path):
    """A generated video smaller than its reference: landmarks are compared in one frame size (LMD near 0 for
    the same clip downscaled; compared in raw pixels it would be off by a quarter of every coordinate)."""
    import cv2

    from talkinghead.io import VideoWriter, iter_frames, read_audio

    small = tmp_path / "gen" / short_clip.name
    small.parent.mkdir()
    with VideoWriter(small, 25, audio=read_audio(short_clip), sample_rate=16000) as writer:
        for frame in iter_frames(short_clip):
            writer.write(cv2.resize(frame.image, (192, 192), interpolation=cv2.INTER_AREA))
    out = tmp_path / "report"
    assert main(["evaluate", str(small.parent), "--reference", str(short_clip.parent), "--metrics", "lmd,lip_lmd",
                 "-o", str(out)]) == 0
    clip = json.loads((out / "metrics.json").read_text())["methods"][0]["clips"][0]
    assert clip["scores"]["lmd"] < 0.05 and clip["scores"]["lip_lmd"] < 0.08, clip["scores"]
    assert any("scaled to the generated size" in note for note in clip.get("notes", [])), clip
