import subprocess
import sys

import pytest

from talkinghead.cli.main import COMMANDS, main


def test_help_lists_every_command(capsys):
    with pytest.raises(SystemExit) as info:
        main(["--help"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    for name in COMMANDS:
        assert name in out


def test_no_command_prints_help_and_exits_2(capsys):
    assert main([]) == 2
    assert "COMMAND" in capsys.readouterr().out


def test_unknown_option_is_one_line_exit_2(capsys):
    with pytest.raises(SystemExit) as info:
        main(["doctor", "--no-such-flag"])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1


def test_every_command_has_help(capsys):
    for name in COMMANDS:
        with pytest.raises(SystemExit) as info:
            main([name, "--help"])
        assert info.value.code == 0, name
        assert capsys.readouterr().out.startswith("usage: talkinghead " + name)


def test_generate_does_not_load_what_other_commands_need():
    """Only the command being run builds its options: `evaluate`'s weight flags import every metric and torch
    (1-2 s and ~150 MB at every `talkinghead generate` before)."""
    code = ("import sys\nfrom talkinghead.cli.main import main\n"
            "for argv in (['--help'], ['generate', '--help'], ['-v', 'faces', '--help']):\n"
            "    try:\n        main(argv)\n    except SystemExit:\n        pass\n"
            "print('torch' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip().endswith("False")
    with pytest.raises(SystemExit) as info:  # and evaluate still gets its weight flags
        main(["evaluate", "--help"])
    assert info.value.code == 0


def test_talkingheaderror_becomes_one_line_without_traceback(tmp_path):
    """The installed entry point: a user error prints `error: ...` once, exit 2, no traceback."""
    result = subprocess.run(
        [sys.executable, "-m", "talkinghead", "fetch-models", "face_landmarker", "--from", str(tmp_path / "missing.task")],
        capture_output=True, text=True, env={"TALKINGHEAD_HOME": str(tmp_path), "PATH": ""},
    )
    assert result.returncode == 2
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr


def test_debug_shows_traceback(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "talkinghead", "--debug", "fetch-models", "face_landmarker", "--from", str(tmp_path / "x")],
        capture_output=True, text=True, env={"TALKINGHEAD_HOME": str(tmp_path), "PATH": ""},
    )
    assert result.returncode != 0 and "Traceback" in result.stderr
