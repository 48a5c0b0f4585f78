"""`talkinghead generate`: bad input gives one line `error: ...`, exit 2 and no output file; good input a video."""

from __future__ import annotations

import numpy as np
import pytest

from talkinghead.cli.main import main


@pytest.fixture(scope="module")
def files(astronaut, tmp_path_factory):
    from talkinghead.audio.tts import synthesize
    from talkinghead.io import write_audio, write_image

    d = tmp_path_factory.mktemp("cli")
    face = np.ascontiguousarray(astronaut[10:266, 97:353])
    write_image(d / "face.png", face)
    write_image(d / "two.png", np.concatenate([face, face], axis=1))  # two equal faces
    write_image(d / "blank.png", np.full((256, 256, 3), 128, np.uint8))  # no face
    (d / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0 this is not really a JPEG")
    speech = synthesize("Hello there.", rate=170)
    write_audio(d / "speech.wav", speech.wave, speech.sample_rate)
    write_audio(d / "silence.wav", np.zeros(16000, np.float32), 16000)
    write_audio(d / "short.wav", speech.wave[: int(0.1 * speech.sample_rate)], speech.sample_rate)
    return d


def _fails(capsys, args, out):
    code = main(["generate", *args])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2, err
    assert len(err) == 1 and err[0].startswith("error: "), err
    assert not out.exists()
    assert not list(out.parent.glob(f".{out.stem}.*"))  # no temporary file left behind
    return err[0]


@pytest.mark.parametrize("case", ["no_face", "two_faces", "unreadable", "silence", "short", "size", "fps"])
def test_bad_input_is_one_line_exit_2_and_no_file(case, files, capsys, tmp_path, landmarker_model):
    out = tmp_path / "out.mp4"
    source, audio, extra = files / "face.png", files / "speech.wav", []
    if case == "no_face":
        source = files / "blank.png"
    elif case == "two_faces":
        source = files / "two.png"
    elif case == "unreadable":
        source = files / "broken.jpg"
    elif case == "silence":
        audio = files / "silence.wav"
    elif case == "short":
        audio = files / "short.wav"
    elif case == "size":
        extra = ["--size", "7"]
    elif case == "fps":
        extra = ["--fps", "0"]
    message = _fails(capsys, [str(source), str(audio), "-o", str(out), *extra], out)
    expected = {"no_face": "face", "two_faces": "--face-index", "unreadable": "image", "silence": "silen",
                "short": "short", "size": "--size", "fps": "--fps"}[case]
    assert expected in message.lower() or expected in message


def test_output_folder_missing_and_existing_output(files, capsys, tmp_path):
    missing = tmp_path / "nope" / "out.mp4"
    _fails(capsys, [str(files / "face.png"), str(files / "speech.wav"), "-o", str(missing)], missing)
    existing = tmp_path / "there.mp4"
    existing.write_bytes(b"keep me")
    assert main(["generate", str(files / "face.png"), str(files / "speech.wav"), "-o", str(existing)]) == 2
    assert "--overwrite" in capsys.readouterr().err
    assert existing.read_bytes() == b"keep me"


def test_allow_silence_renders_an_idle_face(files, capsys, tmp_path, landmarker_model):
    from talkinghead.io import probe

    out = tmp_path / "idle.mp4"
    code = main(["generate", str(files / "face.png"), str(files / "silence.wav"), "-o", str(out), "--allow-silence",
                 "--no-progress", "--still"])
    assert code == 0, capsys.readouterr().err
    info = probe(out)
    assert info.video.num_frames == 25 and info.video.width == 256


def test_generate_with_motion_file(files, capsys, tmp_path, landmarker_model):
    from talkinghead.motion import Motion

    out, motion = tmp_path / "talk.mp4", tmp_path / "motion.json"
    code = main(["generate", str(files / "face.png"), str(files / "speech.wav"), "-o", str(out), "--seed", "2",
                 "--size", "128", "--save-motion", str(motion), "--no-progress"])
    assert code == 0, capsys.readouterr().err
    m = Motion.load(motion)
    assert m.seed == 2 and m.num_frames > 10 and np.abs(m.head_pose).max() > 0
