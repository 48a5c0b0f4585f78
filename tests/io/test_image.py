import io
import struct
import tracemalloc
import zlib

import numpy as np
import pytest
from PIL import Image

from talkinghead.errors import ImageReadError, ImageTooLargeError, OutputExistsError
from talkinghead.io import read_image, write_image


def _save(img: Image.Image, path, fmt, **kw):
    img.save(path, format=fmt, **kw)
    return path


def _png_header_only(width: int, height: int) -> bytes:
    """A PNG whose IHDR declares width x height, with a tiny (invalid) IDAT: only the header is honest."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 16)) + chunk(b"IEND", b"")


def test_rgb_roundtrip_png(tmp_path, astronaut):
    path = _save(Image.fromarray(astronaut), tmp_path / "a.png", "PNG")
    out = read_image(path)
    assert out.dtype == np.uint8 and out.shape == astronaut.shape
    np.testing.assert_array_equal(out, astronaut)


def test_png_named_jpg_is_read_by_content(tmp_path, astronaut):
    path = _save(Image.fromarray(astronaut), tmp_path / "really_png.jpg", "PNG")
    np.testing.assert_array_equal(read_image(path), astronaut)


def test_bytes_input(astronaut):
    buf = io.BytesIO()
    Image.fromarray(astronaut).save(buf, format="PNG")
    np.testing.assert_array_equal(read_image(buf.getvalue()), astronaut)


def test_exif_orientation_applied(tmp_path):
    # 40 wide x 20 tall, red block at the left; EXIF orientation 6 = rotate 90 CW to display.
    arr = np.zeros((20, 40, 3), np.uint8)
    arr[:, :10] = (255, 0, 0)
    exif = Image.Exif()
    exif[0x0112] = 6
    path = tmp_path / "rot.jpg"
    Image.fromarray(arr).save(path, format="JPEG", exif=exif.tobytes(), quality=95)
    out = read_image(path)
    assert out.shape == (40, 20, 3)
    # after a clockwise turn the left edge becomes the top edge
    assert out[:8, :, 0].mean() > 200 and out[-8:, :, 0].mean() < 60


@pytest.mark.parametrize(
    "mode, make",
    [
        ("L", lambda: Image.fromarray(np.arange(256, dtype=np.uint8).reshape(16, 16))),
        ("1", lambda: Image.fromarray(np.eye(16, dtype=bool))),
        ("P", lambda: Image.fromarray(np.arange(256, dtype=np.uint8).reshape(16, 16)).convert("P")),
        ("CMYK", lambda: Image.new("CMYK", (16, 16), (0, 255, 255, 0))),
        ("RGBA", lambda: Image.new("RGBA", (16, 16), (255, 0, 0, 0))),
        ("LA", lambda: Image.new("LA", (16, 16), (0, 128))),
    ],
)
def test_modes_become_rgb_uint8(tmp_path, mode, make):
    img = make()
    assert img.mode == mode
    fmt = "TIFF" if mode == "CMYK" else "PNG"
    out = read_image(_save(img, tmp_path / f"x.{fmt.lower()}", fmt))
    assert out.dtype == np.uint8 and out.shape == (16, 16, 3)
    if mode == "CMYK":  # cyan-free red ink mix: C=0, M=255, Y=255 -> red
        assert tuple(out[0, 0]) == (255, 0, 0)
    if mode == "RGBA":  # fully transparent composites over white
        assert tuple(out[0, 0]) == (255, 255, 255)
    if mode == "LA":  # black at alpha 128 over white -> mid grey
        assert 120 <= out[0, 0, 0] <= 135
    if mode == "L":
        np.testing.assert_array_equal(out[..., 1], np.arange(256).reshape(16, 16))


def test_16bit_png_scaled_not_clipped(tmp_path):
    ramp = np.linspace(0, 65535, 256).astype(np.uint16).reshape(16, 16)
    path = tmp_path / "deep.png"
    Image.fromarray(ramp).save(path)  # 16-bit grayscale PNG
    out = read_image(path)
    assert out.dtype == np.uint8
    assert out[0, 0, 0] == 0 and out[-1, -1, 0] == 255
    # mid-grey stays mid-grey (clipping would make most of the ramp white)
    assert 110 < out[8, 0, 0] < 145


def test_one_pixel_image(tmp_path):
    out = read_image(_save(Image.new("RGB", (1, 1), (1, 2, 3)), tmp_path / "p.png", "PNG"))
    assert out.shape == (1, 1, 3) and tuple(out[0, 0]) == (1, 2, 3)


def test_zero_byte_file(tmp_path):
    path = tmp_path / "empty.jpg"
    path.write_bytes(b"")
    with pytest.raises(ImageReadError, match="empty"):
        read_image(path)


def test_missing_file(tmp_path):
    with pytest.raises(ImageReadError, match="does not exist"):
        read_image(tmp_path / "nope.png")


def test_text_file_is_not_an_image(tmp_path):
    path = tmp_path / "notes.png"
    path.write_text("hello, I am text")
    with pytest.raises(ImageReadError, match="not an image format"):
        read_image(path)


def test_truncated_jpeg(tmp_path, astronaut):
    buf = io.BytesIO()
    Image.fromarray(astronaut).save(buf, format="JPEG", quality=90)
    path = tmp_path / "cut.jpg"
    path.write_bytes(buf.getvalue()[: len(buf.getvalue()) // 2])
    with pytest.raises(ImageReadError, match="truncated"):
        read_image(path)


def test_huge_header_refused_before_allocating(tmp_path):
    path = tmp_path / "huge.png"
    path.write_bytes(_png_header_only(20000, 20000))
    tracemalloc.start()
    try:
        with pytest.raises(ImageTooLargeError, match="20000x20000"):
            read_image(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 20_000_000  # decoding would need 1.2 GB


def test_error_message_is_one_line(tmp_path):
    path = tmp_path / "bad.jpg"
    path.write_bytes(b"\xff\xd8\xff" + b"garbage\n" * 10)
    with pytest.raises(ImageReadError) as info:
        read_image(path)
    assert "\n" not in str(info.value)


def test_unicode_and_spaces_in_path(tmp_path, astronaut):
    folder = tmp_path / "my photos é 日本"
    folder.mkdir()
    path = write_image(folder / "portrait ñ.png", astronaut)
    np.testing.assert_array_equal(read_image(path), astronaut)


def test_write_image_refuses_overwrite(tmp_path, astronaut):
    path = write_image(tmp_path / "a.png", astronaut)
    with pytest.raises(OutputExistsError):
        write_image(path, astronaut)
    write_image(path, astronaut[::2, ::2].copy(), overwrite=True)
    assert read_image(path).shape == (256, 256, 3)


@pytest.mark.real_media
def test_real_images(media_dir):
    files = sorted((media_dir / "image").iterdir())
    assert files
    for path in files:
        out = read_image(path)
        assert out.dtype == np.uint8 and out.ndim == 3 and out.shape[2] == 3, path
        assert out.shape[0] >= 64 and out.shape[1] >= 64, path
