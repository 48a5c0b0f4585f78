import os

import pytest

from talkinghead.errors import OutputError, OutputExistsError
from talkinghead.io import atomic_output, atomic_write_text


def test_atomic_output_renames_on_success(tmp_path):
    target = tmp_path / "report.json"
    with atomic_output(target) as tmp:
        assert tmp.parent == tmp_path and tmp.suffix == ".json" and tmp != target
        tmp.write_text("{}")
        assert not target.exists()
    assert target.read_text() == "{}"
    assert sorted(os.listdir(tmp_path)) == ["report.json"]


def test_atomic_output_removes_temp_on_error(tmp_path):
    with pytest.raises(KeyError):
        with atomic_output(tmp_path / "x.csv") as tmp:
            tmp.write_text("half")
            raise KeyError("fail")
    assert os.listdir(tmp_path) == []


def test_new_files_get_normal_permissions(tmp_path):
    path = atomic_write_text(tmp_path / "a.txt", "hi")
    umask = os.umask(0)
    os.umask(umask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~umask


def test_refuses_existing_and_directories(tmp_path):
    existing = tmp_path / "a.txt"
    existing.write_text("keep")
    with pytest.raises(OutputExistsError):
        atomic_write_text(existing, "new")
    assert existing.read_text() == "keep"
    atomic_write_text(existing, "new", overwrite=True)
    assert existing.read_text() == "new"
    with pytest.raises(OutputError, match="directory"):
        atomic_write_text(tmp_path, "x")
