"""Reading still images as ``(h, w, 3) uint8 RGB``.

The format is detected from the file's content (a PNG named ``.jpg`` reads as a PNG). EXIF orientation is
applied. Grayscale, bilevel, palette, CMYK, YCbCr, LAB, 16-bit and float images are converted to 8-bit RGB;
transparency is composited over white. The pixel count declared in the header is checked before any
pixel is decoded, so a 20000x20000 PNG is refused without allocating 1.2 GB.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import numpy as np

from talkinghead.errors import ImageReadError, ImageTooLargeError, OutputError
from talkinghead.io._files import check_input_file

__all__ = ["read_image", "write_image", "MAX_IMAGE_PIXELS"]

#: Largest image accepted by default: 100 megapixels (a 12000x8000 photo). Larger ones are refused from
#: their header; pass ``max_pixels`` to raise the limit.
MAX_IMAGE_PIXELS = 100_000_000


def _to_uint8(array: np.ndarray) -> np.ndarray:
    """Scale a high-bit-depth or float array to uint8."""
    if array.dtype == np.uint8:
        return array
    if array.dtype == bool:
        return array.astype(np.uint8) * 255
    if np.issubdtype(array.dtype, np.floating):
        a = np.nan_to_num(array.astype(np.float32))
        scale = 255.0 if a.max(initial=0.0) <= 1.0 else 1.0
        return np.clip(a * scale + 0.5, 0, 255).astype(np.uint8)
    # Integer data of more than 8 bits: Pillow's 16-bit modes ("I;16", "I" from 16-bit PNG) hold 0..65535.
    a = array.astype(np.int64)
    top = 65535 if a.max(initial=0) > 255 else 255
    return np.clip((a * 255 + top // 2) // top, 0, 255).astype(np.uint8)


def _flatten_alpha(rgb: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    """Composite RGB over white with an 8-bit alpha channel."""
    a = alpha.astype(np.float32)[..., None] / 255.0
    out = rgb.astype(np.float32) * a + 255.0 * (1.0 - a)
    return np.clip(out + 0.5, 0, 255).astype(np.uint8)


def read_image(source: str | os.PathLike | bytes, max_pixels: int | None = MAX_IMAGE_PIXELS) -> np.ndarray:
    """Read an image file (or its bytes) as RGB.

    Args:
        source: path or the encoded bytes.
        max_pixels: refuse images whose header declares more pixels than this (``None``: no limit).

    Returns:
        ``(h, w, 3) uint8`` RGB array, EXIF orientation applied.

    Raises:
        ImageReadError: missing, empty, truncated or unrecognised file.
        ImageTooLargeError: more than ``max_pixels`` pixels.
    """
    from PIL import Image, ImageOps, UnidentifiedImageError

    name = "image bytes" if isinstance(source, bytes | bytearray) else repr(str(source))
    if not isinstance(source, bytes | bytearray):
        path = check_input_file(source, "image", ImageReadError)
        data = path.read_bytes()
    else:
        data = bytes(source)
        if not data:
            raise ImageReadError("image data is empty (0 bytes)")

    # Pillow's own decompression-bomb guard is process-global; we check the header ourselves instead.
    saved_limit = Image.MAX_IMAGE_PIXELS
    Image.MAX_IMAGE_PIXELS = None
    try:
        try:
            img = Image.open(io.BytesIO(data))
        except UnidentifiedImageError:
            raise ImageReadError(
                f"{name} is not an image format this tool can read (expected JPEG, PNG, WebP, BMP, TIFF, ...)"
            ) from None
        except (OSError, ValueError, SyntaxError) as exc:
            raise ImageReadError(f"cannot read image {name}: {exc}") from None
        w, h = img.size
        if w < 1 or h < 1:
            raise ImageReadError(f"image {name} has no pixels ({w}x{h})")
        if max_pixels is not None and w * h > max_pixels:
            raise ImageTooLargeError(
                f"image {name} is {w}x{h} ({w * h / 1e6:.0f} megapixels), more than the limit of "
                f"{max_pixels / 1e6:.0f}; downscale it first"
            )
        try:
            img.load()
            img = ImageOps.exif_transpose(img)
        except (OSError, ValueError, SyntaxError, EOFError) as exc:
            raise ImageReadError(f"image {name} is damaged or truncated ({exc}); re-export it") from None
    finally:
        Image.MAX_IMAGE_PIXELS = saved_limit
    return _pil_to_rgb(img)


def _pil_to_rgb(img) -> np.ndarray:
    mode = img.mode
    if mode == "RGB":
        return np.asarray(img, dtype=np.uint8).copy()
    if mode == "P" or mode == "PA":
        img = img.convert("RGBA")
        mode = "RGBA"
    if mode in ("RGBA", "RGBa", "LA", "La"):
        if mode in ("RGBa", "La"):  # premultiplied: undo first
            img = img.convert(mode.replace("a", "A"))
        rgba = np.asarray(img.convert("RGBA"), dtype=np.uint8)
        return _flatten_alpha(rgba[..., :3], rgba[..., 3])
    if mode in ("CMYK", "YCbCr", "LAB", "HSV"):
        return np.asarray(img.convert("RGB"), dtype=np.uint8).copy()
    if mode == "1":
        gray = np.asarray(img, dtype=bool).astype(np.uint8) * 255
    elif mode == "L":
        gray = np.asarray(img, dtype=np.uint8)
    elif mode.startswith("I") or mode == "F":
        array = np.asarray(img)
        if array.ndim == 3:  # multi-channel high-bit-depth (rare in Pillow)
            return _to_uint8(array[..., :3])
        gray = _to_uint8(array)
    else:
        return np.asarray(img.convert("RGB"), dtype=np.uint8).copy()
    return np.repeat(gray[..., None], 3, axis=2)


def write_image(path: str | os.PathLike, image: np.ndarray, overwrite: bool = False) -> Path:
    """Write an ``(h, w, 3) uint8`` RGB array atomically; the format follows the file extension."""
    from PIL import Image

    from talkinghead.io.atomic import atomic_output

    path = Path(path)
    fmt = Image.registered_extensions().get(path.suffix.lower())
    if fmt is None:
        raise OutputError(f"cannot tell the image format from {path.name!r}; use .png or .jpg")
    with atomic_output(path, overwrite) as tmp:
        Image.fromarray(np.ascontiguousarray(image)).save(tmp, format=fmt)
    return path
