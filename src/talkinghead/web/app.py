"""The web UI: upload a portrait (or a face video) and speech, get a talking video and motion exports.

One process serves every visitor: models load once (on the first request, then stay), requests queue
one at a time (a CPU renders one video at a time best), uploads are size-limited, and the page can only
read files from the app's own working folder. Errors a user can cause (no face, bad audio) show as a
readable message on the page, never a stack trace.
"""

from __future__ import annotations

import logging
import os
import tempfile
import threading
import uuid
from dataclasses import dataclass
from pathlib import Path

from talkinghead.errors import DependencyMissingError, TalkingHeadError

__all__ = ["WebConfig", "build_app", "launch"]

logger = logging.getLogger(__name__)

EXAMPLES_DIR = Path(__file__).resolve().parents[3] / "examples"


@dataclass(frozen=True)
class WebConfig:
    """Options of ``talkinghead serve``."""

    host: str = "127.0.0.1"  # interface to bind; loopback unless told otherwise
    port: int = 7860  # TCP port
    workdir: Path | None = None  # folder for uploads and results (default: a new temporary folder)
    max_upload_mb: int = 50  # largest accepted upload
    queue_size: int = 16  # requests waiting beyond this are refused with a message
    device: str = "auto"  # compute device for trained methods


def _import_gradio():
    try:
        import gradio as gr
    except ImportError:
        raise DependencyMissingError("the web UI needs gradio: pip install -e '.[web]'") from None
    return gr


def export_cues(audio, folder: Path, fps: float, transcript: str | None, seed: int, blink_rate: float) -> list[Path]:
    """Write the ARKit CSV (Live Link Face) and Rhubarb TSV mouth cues of ``audio`` into ``folder``.

    One pass of the audio front-end feeds both writers.
    """
    from talkinghead.audio import iter_analyze
    from talkinghead.audio.export import ArkitCsv, RhubarbTsv
    from talkinghead.motion.blink import BlinkModel, BlinkSchedule

    blink = BlinkSchedule(BlinkModel(rate_per_min=blink_rate), fps, seed=seed) if blink_rate > 0 else None
    paths = [folder / "blendshapes_arkit.csv", folder / "mouth_cues_rhubarb.tsv"]
    with open(paths[0], "w", encoding="utf-8", newline="\n") as csv, open(paths[1], "w", encoding="utf-8") as tsv:
        writers = [cls(out, fps, sound_file=Path(audio).name, blink=blink)
                   for cls, out in ((ArkitCsv, csv), (RhubarbTsv, tsv))]
        for track in iter_analyze(audio, fps, transcript):
            for writer in writers:
                writer.add(track)
        for writer in writers:
            writer.finish()
    return paths


def speak(text: str, path: Path) -> Path:
    """Synthesize ``text`` with eSpeak NG (English) into a 16 kHz WAV at ``path``: a voice for typed text."""
    from talkinghead.audio.resample import resample
    from talkinghead.audio.tts import synthesize
    from talkinghead.io import write_audio

    speech = synthesize(text.strip())
    return write_audio(path, resample(speech.wave, speech.sample_rate), 16000)


def warm_up() -> None:
    """Import the default method and load its assets once per process, so the first request is not slower."""
    from talkinghead.face3d import FaceModel
    from talkinghead.methods import get_method

    get_method("default").generate_function()
    FaceModel.load()  # cached for the process


class _Runner:
    """Renders one request at a time; everything it loads stays loaded for the next request."""

    def __init__(self, workdir: Path, device: str):
        self.workdir = workdir
        self.device = device
        self._lock = threading.Lock()

    def __call__(self, source, audio, transcript, method, checkpoint, seed, mouth_scale, head_motion,
                 blink_rate, still, size) -> tuple[str, list[str]]:
        import dataclasses

        from talkinghead import api
        from talkinghead.methods import get_method

        if not source:
            raise TalkingHeadError("upload a portrait photo or a face video first")
        job = self.workdir / "results" / uuid.uuid4().hex[:12]
        job.mkdir(parents=True)
        if not audio:
            if not (transcript or "").strip():
                raise TalkingHeadError("upload or record a speech recording, or type the text to speak")
            audio = speak(transcript, job / "speech.wav")
        options = dict(seed=int(seed or 0), mouth_scale=float(mouth_scale), head_motion=float(head_motion),
                       blink_rate=float(blink_rate), still=bool(still), size=int(size) if size else None,
                       transcript=(transcript or "").strip() or None, device=self.device)
        fields = {f.name for f in dataclasses.fields(get_method(method).config_class())}
        if checkpoint and "checkpoint" not in fields:
            raise TalkingHeadError(f"method {method!r} takes no checkpoint; clear the checkpoint field")
        if "checkpoint" in fields:
            options["checkpoint"] = checkpoint or None
        video, motion = job / "talking.mp4", job / "motion.json"
        with self._lock:
            result = api.generate(source, audio, video, method, save_motion=motion, progress=True, **options)
            exports = export_cues(audio, job, result.fps, options["transcript"], options["seed"], options["blink_rate"])
        return str(video), [str(p) for p in (video, motion, *exports)]


def _workdir(config: WebConfig) -> Path:
    workdir = Path(config.workdir) if config.workdir else Path(tempfile.mkdtemp(prefix="talkinghead-web-"))
    workdir.mkdir(parents=True, exist_ok=True)
    return workdir.resolve()


def build_app(config: WebConfig = WebConfig()):
    """Build the Gradio Blocks page (not launched)."""
    gr = _import_gradio()
    from talkinghead.methods import METHODS

    workdir = _workdir(config)
    runner = _Runner(workdir, config.device)

    def run(source_image, source_video, audio, transcript, method, checkpoint, seed, mouth_scale, head_motion,
            blink_rate, still, size, progress=gr.Progress(track_tqdm=True)):
        try:
            video, files = runner(source_video or source_image, audio, transcript, method, checkpoint, seed,
                                  mouth_scale, head_motion, blink_rate, still, size)
        except TalkingHeadError as exc:
            # A readable message where the result would be, naming uploads by their file name only.
            message = str(exc)
            for path in (source_video, source_image, audio):
                if path:
                    message = message.replace(str(path), Path(path).name)
            return None, None, f"**Could not generate:** {message}"
        return video, files, "Done. Download the video and the motion exports below."

    examples = [str(p) for p in (EXAMPLES_DIR / "portrait.jpg",) if p.is_file()]
    example_audio = EXAMPLES_DIR / "speech.wav"
    with gr.Blocks(title="talkinghead", analytics_enabled=False) as app:
        gr.Markdown("# talkinghead\nA lip-synced talking video from one portrait (or a face video) and a speech "
                    "recording. Runs on this machine; nothing leaves it.")
        with gr.Row():
            with gr.Column():
                with gr.Tab("Photo"):
                    source_image = gr.Image(type="filepath", label="Portrait", elem_id="source-image")
                    if examples:
                        gr.Examples(examples=examples, inputs=source_image, label="Example portrait")
                with gr.Tab("Video"):
                    source_video = gr.Video(label="Face video (dubbing)", elem_id="source-video")
                audio = gr.Audio(sources=["upload", "microphone"], type="filepath", label="Speech", elem_id="audio")
                if example_audio.is_file():
                    gr.Examples(examples=[str(example_audio)], inputs=audio, label="Example speech")
                transcript = gr.Textbox(elem_id="transcript", label="Transcript (optional, English: improves lip sync; "
                                        "with no speech uploaded, this text is spoken by a synthetic voice)", lines=2)
                with gr.Accordion("Options", open=False):
                    method = gr.Dropdown(choices=sorted(METHODS), value="default", label="Method")
                    checkpoint = gr.Textbox(label="Checkpoint folder (trained methods only)")
                    seed = gr.Number(value=0, precision=0, label="Seed (same seed, same motion)")
                    mouth_scale = gr.Slider(0.0, 2.0, value=1.0, step=0.05, label="Mouth amplitude")
                    head_motion = gr.Slider(0.0, 2.0, value=1.0, step=0.05, label="Head motion (0 = still)")
                    blink_rate = gr.Slider(0.0, 60.0, value=25.0, step=1.0, label="Blinks per minute")
                    still = gr.Checkbox(value=False, label="Still head")
                    size = gr.Dropdown(choices=[0, 256, 512, 768, 1024], value=0,
                                       label="Output size in pixels (0 = source resolution)")
                button = gr.Button("Generate", variant="primary", elem_id="generate")
            with gr.Column():
                status = gr.Markdown("Upload a portrait and speech, then press Generate.", elem_id="status")
                result = gr.Video(label="Talking video", elem_id="result", interactive=False)
                downloads = gr.File(label="Downloads: video, motion, ARKit CSV, mouth cues", file_count="multiple",
                                    elem_id="downloads", interactive=False)
        button.click(run, [source_image, source_video, audio, transcript, method, checkpoint, seed, mouth_scale,
                           head_motion, blink_rate, still, size], [result, downloads, status], concurrency_limit=1)
    app.queue(max_size=config.queue_size, default_concurrency_limit=1)
    app.talkinghead_workdir = workdir
    return app


def launch(config: WebConfig = WebConfig(), block: bool = True):
    """Build and start the server; with ``block=False`` return the app once it is listening."""
    import dataclasses

    gr = _import_gradio()
    workdir = _workdir(config)
    # Gradio keeps uploads and cached examples in GRADIO_TEMP_DIR: keep them inside the app's working folder.
    os.environ["GRADIO_TEMP_DIR"] = str(workdir / "uploads")
    app = build_app(dataclasses.replace(config, workdir=workdir))
    warm_up()
    app.launch(
        server_name=config.host, server_port=config.port, max_file_size=f"{config.max_upload_mb}mb",
        allowed_paths=[str(workdir)], show_error=False, ssr_mode=False, quiet=True,
        prevent_thread_lock=not block, theme=gr.themes.Default(font=["system-ui", "sans-serif"],
                                                              font_mono=["ui-monospace", "monospace"]),
    )
    return app
