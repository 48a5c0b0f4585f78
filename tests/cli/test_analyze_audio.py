"""`talkinghead analyze-audio` end to end: formats, output files, the error contract."""

from __future__ import annotations

import csv
import io
import json

import numpy as np
import pytest

from talkinghead.cli.main import main
from talkinghead.io import write_audio

SENTENCE = "The quick brown fox jumps over the lazy dog. Peter picked a bowl of apples."


@pytest.mark.parametrize("fmt", ["phones-json", "visemes-json", "rhubarb-tsv", "rhubarb-json", "arkit-csv"])
def test_each_format_to_a_file(speech_wav, tmp_path, fmt, capsys):
    out = tmp_path / f"out.{fmt}"
    assert main(["analyze-audio", str(speech_wav), "--transcript", SENTENCE, "--format", fmt, "-o", str(out)]) == 0
    text = out.read_text()
    if fmt.endswith("json"):
        doc = json.loads(text)
        assert doc
    if fmt == "phones-json":
        assert [w["word"] for w in doc["words"]][:4] == ["the", "quick", "brown", "fox"]
    if fmt == "rhubarb-tsv":
        lines = [line.split("\t") for line in text.splitlines()]
        assert all(len(x) == 2 and x[1] in "ABCDEFGHX" for x in lines) and lines[0][0] == "0.00"
    if fmt == "arkit-csv":
        rows = list(csv.reader(io.StringIO(text)))
        assert len(rows[0]) == 2 + 52 + 9 and len(rows) > 100
    assert not list(tmp_path.glob(".*part*"))  # no temporary file left


def test_stdout_fps_and_transcript_file(speech_wav, tmp_path, capsys):
    transcript = tmp_path / "words.txt"
    transcript.write_text(SENTENCE + "\n", encoding="utf-8")
    assert main(["analyze-audio", str(speech_wav), "--transcript", str(transcript), "--format", "visemes-json",
                 "--fps", "30000/1001"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["fps"] == pytest.approx(29.97, abs=0.01)
    assert len(doc["frames"]) == int(np.ceil(doc["duration"] * 30000 / 1001 - 1e-6))


def test_existing_output_needs_overwrite(speech_wav, tmp_path, capsys):
    out = tmp_path / "cues.tsv"
    out.write_text("mine")
    assert main(["analyze-audio", str(speech_wav), "--format", "rhubarb-tsv", "-o", str(out)]) == 2
    assert "--overwrite" in capsys.readouterr().err and out.read_text() == "mine"
    assert main(["analyze-audio", str(speech_wav), "--format", "rhubarb-tsv", "-o", str(out), "--overwrite"]) == 0
    assert out.read_text() != "mine"


def test_errors_are_one_line(tmp_path, capsys):
    silent = tmp_path / "silent.wav"
    write_audio(silent, np.zeros(16000, np.float32), 16000)
    short = tmp_path / "short.wav"
    write_audio(short, np.full(480, 0.1, np.float32), 16000)
    out = tmp_path / "out.json"
    cases = [
        ([str(silent)], "silence"),
        ([str(short)], "0.030 s long"),
        ([str(tmp_path / "missing.wav")], "does not exist"),
        ([str(silent), "--fps", "0"], "frame rate"),
    ]
    for extra, message in cases:
        try:
            code = main(["analyze-audio", *extra, "--format", "phones-json", "-o", str(out)])
        except SystemExit as exc:  # argparse's own errors
            code = exc.code
        err = capsys.readouterr().err
        assert code == 2, extra
        assert err.startswith("error: ") and message in err and err.count("\n") == 1, err
        assert not out.exists()
