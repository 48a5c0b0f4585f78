"""The README's quick start runs (STYLE.md 21): `make demo`'s command on the bundled example, and the
README's claims about the CLI hold."""

import re
import subprocess
import sys
from pathlib import Path

from talkinghead.cli.main import COMMANDS

REPO = Path(__file__).resolve().parents[1]


def test_demo_command_renders_the_bundled_example(tmp_path, landmarker_model):
    makefile = (REPO / "Makefile").read_text()
    line = next(l.strip() for l in makefile.splitlines() if "talkinghead generate examples/" in l)
    args = line.split()[1:]  # drop $(BIN)/talkinghead
    args[args.index("out/demo.mp4")] = str(tmp_path / "demo.mp4")
    result = subprocess.run([sys.executable, "-m", "talkinghead", *args, "--no-progress"], cwd=REPO,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr

    from talkinghead.face import FaceAnalyzer
    from talkinghead.io import iter_frames, probe

    info = probe(tmp_path / "demo.mp4")
    speech = probe(REPO / "examples" / "speech.wav")
    assert info.has_audio and abs(info.duration - speech.duration) < 0.1
    with FaceAnalyzer() as analyzer:
        frames = [f.image for f in iter_frames(tmp_path / "demo.mp4", fps=2)]
        assert frames and all(analyzer.detect(image) for image in frames)


def test_readme_names_every_command_and_both_setup_commands():
    readme = (REPO / "README.md").read_text()
    for name in COMMANDS:
        assert f"talkinghead {name}" in readme or name in ("preprocess", "synth", "train", "evaluate")
    assert re.search(r"^make demo\b", readme, re.M) and re.search(r"^make test\b", readme, re.M)
    ci = (REPO / ".ci" / "run").read_text()
    assert "make test" in ci
