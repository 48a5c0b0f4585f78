from fractions import Fraction

import av
import numpy as np
import pytest

from talkinghead.errors import MediaReadError, OptionError, VideoReadError
from talkinghead.io import iter_frames, probe
from talkinghead.io import VideoWriter


def _level(i: int) -> int:
    return 20 + 3 * i  # distinct by 3 grey levels per index (crf 10 keeps flat grey within 1)


def _encode(path, times, size=(48, 32), rotation=None, time_base=Fraction(1, 1000)):
    """Write frames whose grey level encodes their index at the given times (seconds), with PyAV directly."""
    w, h = size
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=30)
        stream.width, stream.height, stream.pix_fmt = w, h, "yuv420p"
        stream.time_base = time_base
        stream.codec_context.time_base = time_base
        stream.options = {"crf": "10", "bf": "0"}
        if rotation is not None:
            stream.set_display_rotation(rotation)
        for i, t in enumerate(times):
            img = np.full((h, w, 3), _level(i), np.uint8)
            img[:4, :4] = (255, 0, 0)  # red marker top-left
            frame = av.VideoFrame.from_ndarray(img, format="rgb24")
            frame.pts = int(round(t / time_base))
            frame.time_base = time_base
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    return path


def _index_of(image) -> int:
    level = float(np.median(image[8:, 8:, 1]))
    return min(range(70), key=lambda i: abs(_level(i) - level))


def test_probe_video(tmp_path):
    path = _encode(tmp_path / "v.mp4", [i / 30 for i in range(30)])
    info = probe(path)
    assert info.has_video and not info.has_audio
    assert (info.video.width, info.video.height) == (48, 32)
    assert info.video.codec == "h264" and info.video.rotation == 0
    assert abs(info.duration - 1.0) < 0.05


def test_iter_frames_native_times(tmp_path):
    times = [i / 30 for i in range(15)]
    frames = list(iter_frames(_encode(tmp_path / "v.mp4", times)))
    assert len(frames) == 15
    assert [_index_of(f.image) for f in frames] == list(range(15))
    np.testing.assert_allclose([f.time for f in frames], times, atol=1e-3)
    assert frames[0].image.shape == (32, 48, 3) and frames[0].image.dtype == np.uint8


def test_variable_frame_rate_keeps_timestamps_and_resamples(tmp_path):
    # irregular gaps, as phones record: 1/30, then a 0.2 s stall, then 1/60 steps
    times = [0.0, 1 / 30, 2 / 30, 2 / 30 + 0.2, 2 / 30 + 0.2 + 1 / 60, 2 / 30 + 0.2 + 2 / 60, 0.5, 0.6]
    path = _encode(tmp_path / "vfr.mp4", times)
    native = list(iter_frames(path))
    np.testing.assert_allclose([f.time for f in native], times, atol=1e-3)
    resampled = list(iter_frames(path, fps=25))
    np.testing.assert_allclose([f.time for f in resampled], [i / 25 for i in range(len(resampled))])
    for f in resampled:  # each output shows the latest source frame at or before its time
        expected = max(i for i, t in enumerate(times) if t <= f.time + 1e-6)
        assert _index_of(f.image) == expected, f.time
    assert abs(len(resampled) - 0.7 * 25) <= 1  # the last frame lasts as long as the gap before it (0.1 s)


def test_constant_rate_resampling_count(tmp_path):
    path = _encode(tmp_path / "v30.mp4", [i / 30 for i in range(60)])  # 2 s at 30 fps
    frames = list(iter_frames(path, fps=25))
    assert len(frames) == 50
    assert [_index_of(f.image) for f in frames[:6]] == [0, 1, 2, 3, 4, 6]


def test_start_end_window(tmp_path):
    path = _encode(tmp_path / "v.mp4", [i / 30 for i in range(60)])
    frames = list(iter_frames(path, start=0.5, end=1.0))
    assert [_index_of(f.image) for f in frames] == list(range(15, 30))


@pytest.mark.parametrize("rotation, shape, marker", [(90, (48, 32), "bottom-left"), (-90, (48, 32), "top-right"), (180, (32, 48), "bottom-right")])
def test_rotated_phone_video(tmp_path, rotation, shape, marker):
    path = _encode(tmp_path / "phone.mp4", [i / 30 for i in range(3)], size=(48, 32), rotation=rotation)
    info = probe(path)
    assert (info.video.height, info.video.width) == shape
    assert info.video.rotation == rotation % 360
    image = next(iter(iter_frames(path))).image
    assert image.shape[:2] == shape
    h, w = shape
    corners = {"top-left": image[:3, :3], "top-right": image[:3, w - 3 :], "bottom-left": image[h - 3 :, :3],
               "bottom-right": image[h - 3 :, w - 3 :]}
    # the red marker was stored top-left; the display rotation moves it (counter-clockwise for positive angles)
    reds = {k: v[..., 0].mean() - v[..., 1].mean() for k, v in corners.items()}
    assert max(reds, key=reds.get) == marker


def test_no_video_stream(tmp_path):
    from talkinghead.io import write_audio

    path = write_audio(tmp_path / "a.wav", np.zeros(1600, np.float32), 16000)
    with pytest.raises(VideoReadError, match="no video stream"):
        list(iter_frames(path))
    assert not probe(path).has_video


def test_bad_files(tmp_path):
    empty = tmp_path / "e.mp4"
    empty.touch()
    with pytest.raises(VideoReadError, match="empty"):
        list(iter_frames(empty))
    text = tmp_path / "t.mp4"
    text.write_text("not a video\n" * 100)
    with pytest.raises(MediaReadError):
        probe(text)
    with pytest.raises(OptionError):
        list(iter_frames(text, fps=0))


def test_truncated_video_yields_frames_or_clear_error(tmp_path):
    path = _encode(tmp_path / "v.mp4", [i / 30 for i in range(30)])
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    try:
        frames = list(iter_frames(cut))
    except VideoReadError as exc:
        assert "\n" not in str(exc)
    else:
        assert len(frames) < 30


def test_unicode_path(tmp_path):
    folder = tmp_path / "vidéos à voir 视频"
    folder.mkdir()
    path = _encode(folder / "clip 1.mp4", [i / 30 for i in range(4)])
    assert len(list(iter_frames(path))) == 4
    assert probe(path).video.width == 48


@pytest.mark.real_media
@pytest.mark.parametrize(
    "name, size, seconds",
    [
        ("talk_1.mp4", (700, 700), 6.13),
        ("talk_2.mp4", (844, 844), 5.04),
        ("portrait_hevc_1080x1920.mp4", (1080, 1920), 10.0),
        ("landscape_1280x720_30fps.mp4", (1280, 720), 9.43),
    ],
)
def test_real_videos(media_dir, name, size, seconds):
    path = media_dir / "video" / name
    info = probe(path)
    assert (info.video.width, info.video.height) == size
    assert info.has_audio and info.audio.sample_rate == 44100
    assert abs(info.duration - seconds) < 0.1
    frames = []
    for frame in iter_frames(path, fps=25, end=0.5):
        frames.append(frame)
    assert len(frames) == 13  # t = 0, 0.04, ..., 0.48
    assert frames[0].image.shape == (size[1], size[0], 3)
    assert frames[-1].image.std() > 5  # real picture content
