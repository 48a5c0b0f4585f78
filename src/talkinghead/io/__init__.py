"""Media I/O: a few verbs over PyAV and Pillow (STYLE.md 18).

Frames are ``(h, w, 3) uint8 RGB``; frame rates are ``Fraction``; audio is float32 mono.
"""

from talkinghead.io.atomic import atomic_output, atomic_write_bytes, atomic_write_text, check_output_path
from talkinghead.io.audio import DEFAULT_SAMPLE_RATE, iter_audio, read_audio, write_audio
from talkinghead.io.image import MAX_IMAGE_PIXELS, read_image, write_image
from talkinghead.io.video import AudioInfo, Frame, MediaInfo, VideoInfo, iter_frames, probe
from talkinghead.io.writer import VideoWriter

__all__ = [
    "read_image",
    "write_image",
    "read_audio",
    "iter_audio",
    "write_audio",
    "iter_frames",
    "probe",
    "VideoWriter",
    "VideoInfo",
    "AudioInfo",
    "MediaInfo",
    "Frame",
    "atomic_output",
    "atomic_write_bytes",
    "atomic_write_text",
    "check_output_path",
    "DEFAULT_SAMPLE_RATE",
    "MAX_IMAGE_PIXELS",
]
