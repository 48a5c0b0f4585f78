"""`talkinghead faces`: table and JSON listing, selection, errors with exit status 2."""

from __future__ import annotations

import json
import re

import pytest

from talkinghead.cli.main import main


@pytest.fixture(scope="module")
def astronaut_png(astronaut, tmp_path_factory, landmarker_model):
    from talkinghead.io import write_image

    path = tmp_path_factory.mktemp("faces") / "astronaut.png"
    write_image(path, astronaut)
    return path


def test_lists_the_face(astronaut_png, capsys):
    assert main(["faces", str(astronaut_png)]) == 0
    out = capsys.readouterr().out
    assert "image 512x512, 1 face" in out
    assert "selected: face 0" in out
    row = [line for line in out.splitlines() if re.match(r"\s*\*\s+0\s", line)]
    assert len(row) == 1 and "0.9" in row[0]


def test_json(astronaut_png, capsys):
    assert main(["faces", str(astronaut_png), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["kind"] == "image" and report["width"] == 512 and report["selected"] == 0
    face = report["faces"][0]
    assert set(face) == {"index", "bbox", "size", "yaw", "pitch", "roll", "score"}
    x0, y0, x1, y1 = face["bbox"]
    assert 150 < x0 < x1 < 300 and 50 < y0 < y1 < 200 and face["score"] >= 0.8


def test_errors_exit_2(astronaut_png, tmp_path, capsys):
    assert main(["faces", str(astronaut_png), "--face-index", "3"]) == 2
    assert "out of range" in capsys.readouterr().err
    assert main(["faces", str(tmp_path / "missing.jpg")]) == 2
    assert "does not exist" in capsys.readouterr().err


@pytest.mark.real_media
def test_dog_has_no_human_face(media_dir, capsys):
    assert main(["faces", str(media_dir / "image" / "dog_no_human_face.jpg")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: no human face found") and "best face-like region scored" in err
    assert len(err.strip().splitlines()) == 1


@pytest.mark.real_media
def test_video_lists_and_tracks(media_dir, capsys):
    assert main(["faces", str(media_dir / "video" / "talk_5.mp4"), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["kind"] == "video" and report["frame"] == 0 and len(report["faces"]) == 1
    track = report["track"]
    assert track["frames"] == pytest.approx(122, abs=2) and track["lost"] == 0
    assert track["detected"] + track["bridged"] == track["frames"]
    assert len(track["pose_min"]) == 3
