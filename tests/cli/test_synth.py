"""`talkinghead synth`: rendered clips are ordinary dataset clips with the motion that drove them."""

from __future__ import annotations

import json

import numpy as np
import pytest

from talkinghead.cli.main import main


@pytest.fixture(scope="module")
def portraits(astronaut, tmp_path_factory):
    from talkinghead.io import write_image

    d = tmp_path_factory.mktemp("portraits")
    write_image(d / "astronaut.png", np.ascontiguousarray(astronaut[10:266, 97:353]))
    write_image(d / "blank.png", np.full((128, 128, 3), 128, np.uint8))  # no face: skipped with the reason
    return d


def test_synth_tts_corpus(portraits, tmp_path, capsys, landmarker_model):
    from talkinghead.data import Clip, WindowDataset
    from talkinghead.motion import Motion

    out = tmp_path / "synth"
    args = ["synth", str(portraits), "-", str(out), "--tts", "1", "--render-size", "192", "--size", "64",
            "--no-progress"]
    assert main(args) == 0
    text = capsys.readouterr().out
    assert "2 renders: 1 clips written, 1 skipped" in text and "no face" in text
    manifest = json.loads((out / "manifest.json").read_text())
    (entry,) = manifest["clips"]
    assert entry["synthetic"] and entry["speaker"] == "synth_astronaut"
    clip = Clip(out / "clips" / entry["id"])
    assert (out / "speech" / "tts_000.wav").is_file()
    synth = clip.meta["synth"]
    assert synth["portrait"] == "astronaut.png" and synth["speech"] == "tts_000.wav"
    motion = Motion.load(clip.folder / "motion.json")
    assert motion.seed == synth["options"]["seed"]
    assert clip.meta["start_frame"] + clip.num_frames <= motion.num_frames
    # the driving motion is what the tracked face does: jawOpen requested vs the lip gap tracked
    from talkinghead.blendshapes import INDEX

    jaw = np.asarray(motion.blendshapes)[clip.meta["start_frame"]:][: clip.num_frames, INDEX["jawOpen"]]
    lm = clip.landmarks
    gap = np.linalg.norm(lm[:, 13, :2] - lm[:, 14, :2], axis=-1)
    assert np.corrcoef(jaw, gap)[0, 1] > 0.5
    item = WindowDataset(out, split=None, window=5, size=64)[0]
    assert item["frames"].shape == (5, 3, 64, 64)
    # rerun: nothing redone
    assert main(args) == 0
    assert "0 clips written, 0 skipped this run, 2 done before" in capsys.readouterr().out


def test_synth_needs_speech(portraits, tmp_path, capsys):
    assert main(["synth", str(portraits), "-", str(tmp_path / "o")]) == 2
    assert "no speech" in capsys.readouterr().err
