from pathlib import Path

import numpy as np
import pytest

from talkinghead.errors import OptionError, OutputError, OutputExistsError
from talkinghead.io import VideoWriter, iter_frames, probe, read_audio, write_audio


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_writes_h264_aac_with_expected_duration(tmp_path):
    rate = 16000
    wave = (0.3 * np.sin(2 * np.pi * 220 * np.arange(2 * rate) / rate)).astype(np.float32)
    out = tmp_path / "out.mp4"
    with VideoWriter(out, 25, audio=wave, sample_rate=rate) as writer:
        for i in range(50):
            writer.write(np.full((64, 80, 3), i * 4, np.uint8))
    info = probe(out)
    assert info.video.codec == "h264" and info.video.pix_fmt == "yuv420p"
    assert info.audio.codec == "aac"
    assert info.video.num_frames == 50 and info.video.fps == 25
    assert abs(info.audio.duration - 2.0) < 0.06
    assert _leftovers(tmp_path) == ["out.mp4"]


def test_audio_and_video_stay_in_sync(tmp_path):
    """A flash at frame 30 and a click at 30/25 s must come out at the same time (within one frame)."""
    fps, rate = 25, 44100
    wave = np.zeros(rate * 2, np.float32)
    click = int(30 / fps * rate)
    wave[click : click + 441] = 0.9 * np.sin(2 * np.pi * 1000 * np.arange(441) / rate)
    src = write_audio(tmp_path / "click.wav", wave, rate)
    out = tmp_path / "sync.mp4"
    with VideoWriter(out, fps, audio=src) as writer:
        for i in range(50):
            writer.write(np.full((32, 32, 3), 250 if i == 30 else 10, np.uint8))
    flash = [f.time for f in iter_frames(out) if f.image.mean() > 128]
    decoded = read_audio(out, sample_rate=rate)
    heard = np.argmax(np.abs(decoded) > 0.3) / rate
    assert len(flash) == 1
    assert abs(flash[0] - heard) < 1 / fps


def test_odd_size_is_padded_to_even(tmp_path):
    out = tmp_path / "odd.mp4"
    with VideoWriter(out, 10) as writer:
        for _ in range(3):
            writer.write(np.zeros((33, 41, 3), np.uint8))
    info = probe(out)
    assert (info.video.width, info.video.height) == (42, 34)


def test_existing_output_refused_before_any_work(tmp_path):
    out = tmp_path / "mine.mp4"
    out.write_bytes(b"precious")
    with pytest.raises(OutputExistsError, match="--overwrite"):
        VideoWriter(out, 25)
    assert out.read_bytes() == b"precious"
    assert _leftovers(tmp_path) == ["mine.mp4"]


def test_overwrite_replaces(tmp_path):
    out = tmp_path / "mine.mp4"
    out.write_bytes(b"old")
    with VideoWriter(out, 25, overwrite=True) as writer:
        writer.write(np.zeros((16, 16, 3), np.uint8))
    assert probe(out).has_video


def test_failure_inside_with_leaves_nothing(tmp_path):
    out = tmp_path / "broken.mp4"
    with pytest.raises(RuntimeError, match="boom"):
        with VideoWriter(out, 25) as writer:
            writer.write(np.zeros((16, 16, 3), np.uint8))
            raise RuntimeError("boom")
    assert _leftovers(tmp_path) == []


def test_bad_frame_aborts_cleanly(tmp_path):
    out = tmp_path / "bad.mp4"
    with pytest.raises(ValueError, match="size changed"):
        with VideoWriter(out, 25) as writer:
            writer.write(np.zeros((16, 16, 3), np.uint8))
            writer.write(np.zeros((18, 16, 3), np.uint8))
    assert _leftovers(tmp_path) == []


def test_missing_folder_and_bad_fps(tmp_path):
    with pytest.raises(OutputError, match="does not exist"):
        VideoWriter(tmp_path / "no such folder" / "a.mp4", 25)
    with pytest.raises(OptionError):
        VideoWriter(tmp_path / "a.mp4", 0)
    assert _leftovers(tmp_path) == []


def test_unicode_output_path(tmp_path):
    folder = tmp_path / "résultats 出力"
    folder.mkdir()
    out = folder / "vidéo finale.mp4"
    with VideoWriter(out, 25) as writer:
        writer.write(np.zeros((16, 16, 3), np.uint8))
    assert probe(out).video.num_frames == 1


def test_caller_may_reuse_its_frame_buffer(tmp_path):
    """Frames wait for the encoder thread: write() must copy them, not keep the caller's buffer."""
    out = tmp_path / "reuse.mp4"
    buffer = np.zeros((32, 32, 3), np.uint8)
    with VideoWriter(out, 25) as writer:
        for i in range(12):
            buffer[:] = 20 * i
            writer.write(buffer)
    means = [f.image.mean() for f in iter_frames(out)]
    assert np.allclose(means, [20 * i for i in range(12)], atol=3)


def test_encoder_thread_error_reaches_the_caller(tmp_path, monkeypatch):
    """An error on the encoder thread is raised in the caller's thread and leaves no file."""
    def broken(self, upto, final=False):
        raise OSError("disk full")

    monkeypatch.setattr(VideoWriter, "_encode_audio", broken)
    out = tmp_path / "broken.mp4"
    with pytest.raises(OSError, match="disk full"):
        with VideoWriter(out, 25, audio=np.zeros(16000, np.float32), sample_rate=16000) as writer:
            for _ in range(25):
                writer.write(np.zeros((32, 32, 3), np.uint8))
    assert _leftovers(tmp_path) == []


def test_hd_frames_with_frame_threads_keep_count_order_and_audio(tmp_path):
    """From 720p up x264 runs frame threads (frames come out later than they go in): every frame must still be
    there, in order, with the audio as long as the video."""
    out = tmp_path / "hd.mp4"
    with VideoWriter(out, 25, audio=np.zeros(16000, np.float32), sample_rate=16000) as writer:
        for i in range(25):
            writer.write(np.full((720, 1280, 3), 10 * i, np.uint8))
    info = probe(out)
    assert info.video.num_frames == 25 and (info.video.width, info.video.height) == (1280, 720)
    assert abs(info.audio.duration - 1.0) < 0.06
    means = [f.image.mean() for f in iter_frames(out)]
    assert np.allclose(means, [10 * i for i in range(25)], atol=3)
