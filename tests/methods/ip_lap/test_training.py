"""`talkinghead train ip_lap` runs both stages of a preset into one run folder, which `generate --checkpoint`
then uses as is; presets are the documented sizes."""

from __future__ import annotations

import numpy as np
import pytest

from talkinghead.cli.main import main


def test_train_both_stages_then_generate_from_the_run_folder(tmp_path, astronaut, speech_wav, landmarker_model,
                                                            capsys):
    from talkinghead.data.tiny import build_tiny_dataset
    from talkinghead.io import probe, read_audio, write_audio, write_image

    data = build_tiny_dataset(tmp_path / "data", num_speakers=2, clips_per_speaker=1, num_frames=12, size=128)
    run = tmp_path / "run"
    assert main(["train", "ip_lap", "--data", str(data), "--out", str(run), "--preset", "tiny", "--max-steps", "1",
                 "--split", "all"]) == 0
    out = capsys.readouterr().out
    assert f"landmarks: {run / 'landmarks' / 'final'}" in out and f"renderer: {run / 'renderer' / 'final'}" in out
    for part in ("landmarks/final/landmark_generator", "renderer/final/renderer"):
        assert (run / part / "config.json").is_file() and (run / part / "model.safetensors").is_file()
    portrait = tmp_path / "face.png"
    write_image(portrait, np.ascontiguousarray(astronaut[10:266, 97:353]))
    speech = tmp_path / "speech.wav"  # 1.2 s are enough to run every stage
    write_audio(speech, read_audio(speech_wav, 16000)[: int(1.2 * 16000)], 16000)
    video = tmp_path / "out.mp4"
    assert main(["generate", str(portrait), str(speech), "-o", str(video), "--method", "ip_lap", "--checkpoint",
                 str(run), "--still", "--size", "128", "--no-progress"]) == 0
    assert probe(video).video.num_frames == 30


def test_presets_have_the_documented_sizes():
    from talkinghead.methods import get_method
    from talkinghead.methods.ip_lap.training import PRESETS, training_stages

    assert set(get_method("ip_lap").presets) == set(PRESETS) == {"tiny", "small", "paper"}
    paper = PRESETS["paper"]
    generator, renderer = paper["landmarks"][0]["model"], paper["renderer"][0]
    assert (generator["dim"], generator["window"], generator["num_refs"]) == (512, 5, 15)  # Sec. 4.1: d, T, N_l
    assert (renderer["model"]["image_size"], renderer["num_refs"], renderer["k"]) == (128, 3, 2)  # H, N, k
    with pytest.raises(Exception, match="unknown IP-LAP preset"):
        training_stages("data", "huge")
