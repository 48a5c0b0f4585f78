import pytest

from talkinghead.audio.checks import read_transcript
from talkinghead.errors import InputError


def test_text_file_or_literal_text(tmp_path):
    f = tmp_path / "words.md"
    f.write_text("\ufeffHello there.", encoding="utf-8")
    assert read_transcript(str(f)) == "Hello there."  # any suffix; BOM dropped
    assert read_transcript("Hello there.") == "Hello there."
    assert read_transcript(str(tmp_path / "missing.txt")) == str(tmp_path / "missing.txt")
    assert read_transcript("two\nlines") == "two\nlines"
    assert read_transcript(None) is None


def test_non_utf8_file_is_a_clear_error(tmp_path):
    f = tmp_path / "latin1.txt"
    f.write_bytes("caf\xe9".encode("latin-1"))
    with pytest.raises(InputError, match="not UTF-8"):
        read_transcript(str(f))
