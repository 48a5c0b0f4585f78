"""End to end: start `talkinghead serve`, drive the page in Debian's headless Chromium, check the video.

Skips (with the reason shown) where gradio, playwright or /usr/bin/chromium is missing; no browser is ever
downloaded. The page screenshot is written to $TALKINGHEAD_SCREENSHOTS (default: the test's tmp folder).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"

pytestmark = [
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium is not installed (apt-get install chromium)"),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory, landmarker_model):
    pytest.importorskip("gradio", reason="the [web] extra is not installed")
    pytest.importorskip("playwright", reason="playwright (python) is not installed")
    workdir = tmp_path_factory.mktemp("web")
    port = _free_port()
    env = dict(os.environ, GRADIO_ANALYTICS_ENABLED="False", HF_HUB_OFFLINE="1")
    proc = subprocess.Popen([sys.executable, "-m", "talkinghead", "serve", "--port", str(port), "--workdir", str(workdir)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, text=True)
    deadline = time.time() + 120
    while time.time() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"server exited: {proc.stdout.read()}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.5)
    else:
        proc.kill()
        pytest.fail("server did not start within 120 s")
    yield f"http://127.0.0.1:{port}", workdir
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync"])
        yield b
        b.close()


def _screenshot_dir(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("TALKINGHEAD_SCREENSHOTS", tmp_path))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _upload_and_generate(page, url, image_path, audio_path):
    page.goto(url)
    page.locator("#source-image input[type=file]").set_input_files(str(image_path))
    page.locator("#audio input[type=file]").set_input_files(str(audio_path))
    page.wait_for_timeout(1500)
    page.locator("#generate").click()


def test_generate_from_the_page(server, browser, astronaut, speech_wav, tmp_path):
    from talkinghead.face import FaceAnalyzer
    from talkinghead.io import iter_frames, probe, read_audio, write_image

    url, workdir = server
    portrait = write_image(tmp_path / "astronaut.png", astronaut)
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    _upload_and_generate(page, url, portrait, speech_wav)
    page.locator("#result video").wait_for(timeout=240_000)
    page.wait_for_function("document.querySelector('#result video').readyState >= 2", timeout=30_000)
    assert "Done" in page.locator("#status").inner_text()
    page.screenshot(path=str(_screenshot_dir(tmp_path) / "web_generate.png"), full_page=True)
    videos = sorted(workdir.glob("results/*/talking.mp4"))
    assert len(videos) == 1
    info = probe(videos[0])
    assert info.has_audio and info.has_video
    assert abs(info.duration - len(read_audio(speech_wav)) / 16000) < 0.2
    with FaceAnalyzer() as analyzer:
        frames = [f.image for f in iter_frames(videos[0])][:: max(1, info.video.num_frames // 5)]
        assert all(analyzer.detect(img) for img in frames)
    # the downloads list offers the video and the motion exports
    names = page.locator("#downloads").inner_text().replace("\n", "")
    for name in ("talking.mp4", "motion.json", "blendshapes_arkit.csv", "mouth_cues_rhubarb.tsv"):
        assert name in names


def test_no_face_shows_readable_error(server, browser, speech_wav, tmp_path):
    from talkinghead.io import write_image

    url, workdir = server
    before = set(workdir.glob("results/*/talking.mp4"))
    blank = write_image(tmp_path / "wall.png", np.full((256, 256, 3), 180, np.uint8))
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    _upload_and_generate(page, url, blank, speech_wav)
    page.get_by_text("Could not generate").wait_for(timeout=120_000)
    message = page.locator("#status").inner_text()
    assert "face" in message.lower() and "\n" not in message.strip()
    assert "Traceback" not in page.locator("body").inner_text()
    page.screenshot(path=str(_screenshot_dir(tmp_path) / "web_no_face.png"), full_page=True)
    assert set(workdir.glob("results/*/talking.mp4")) == before


def test_typed_text_is_spoken_when_no_speech_is_uploaded(server, browser, astronaut, tmp_path):
    from talkinghead.io import probe, write_image

    url, workdir = server
    portrait = write_image(tmp_path / "astronaut.png", astronaut)
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(url)
    page.locator("#source-image input[type=file]").set_input_files(str(portrait))
    page.locator("#transcript textarea").fill("Hello from the web page.")
    page.wait_for_timeout(1000)
    page.locator("#generate").click()
    page.get_by_text("Done.").wait_for(timeout=240_000)
    spoken = sorted(workdir.glob("results/*/speech.wav"))
    assert len(spoken) == 1
    video = spoken[0].parent / "talking.mp4"
    assert abs(probe(video).duration - probe(spoken[0]).duration) < 0.2
