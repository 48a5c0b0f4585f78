"""A helper process that decodes the phone loop while the calling process recognises words.

Without a transcript every chunk of English speech is decoded twice (:mod:`talkinghead.audio.transcriber`):
word recognition (about 3/4 of the CPU time) and the phone loop that checks it (1/4). pocketsphinx holds
the GIL while it decodes, so a thread cannot run the two side by side; this module runs the phone loop in a
child Python process (``python -m talkinghead.audio.loop_worker``) on the second core. The child decodes
each wave from scratch, as :meth:`SphinxDecoder.phone_loop` does in process, so the phones are the same
bit for bit (tests/audio/test_loop_worker.py).

A plain child process, not :mod:`multiprocessing`: ``spawn`` would re-run the caller's ``__main__`` (a user
script without an ``if __name__ == "__main__"`` guard) and ``fork`` copies a process whose other threads
(OpenCV, mediapipe, a web server) may hold locks. The child starts in about 0.4 s, on the other core while
this one loads its own decoder and reads the audio.

Protocol, over the child's stdin / stdout: a request is an 8-byte little-endian length followed by that many
bytes of float32 16 kHz wave (length 0 ends the child); the answer is one JSON line ``[[label, start, end],
...]`` or ``{"error": "..."}``.
"""

from __future__ import annotations

import json
import logging
import os
import queue
import struct
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np

from talkinghead.audio.phoneset import Phone
from talkinghead.audio.sphinx import Decoding

__all__ = ["PhoneLoopWorker", "parallel_available"]

logger = logging.getLogger(__name__)

_HEADER = struct.Struct("<Q")


def parallel_available() -> bool:
    """True when this process may use at least two CPUs (a helper process then costs no wall time)."""
    try:
        return len(os.sched_getaffinity(0)) >= 2
    except AttributeError:  # pragma: no cover - not Linux
        return (os.cpu_count() or 1) >= 2


class PhoneLoopWorker:
    """The phone loop in a child process: :meth:`submit` a wave, do other work, then take the :meth:`result`.

    One request at a time. Any failure of the child (it cannot start, dies, answers garbage, or does not
    answer within ``30 s + 1 s per second of audio``: the loop decodes at ~20x real time) raises
    ``RuntimeError`` from :meth:`result`; the caller then decodes in process.
    """

    def __init__(self):
        package_root = str(Path(__file__).resolve().parents[2])  # the folder holding ``talkinghead``
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (package_root, env.get("PYTHONPATH", "")) if p)
        env.setdefault("OMP_NUM_THREADS", "1")
        self._proc = subprocess.Popen(
            [sys.executable, "-m", __name__], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL, env=env,
        )
        self._exchange: threading.Thread | None = None
        self._answer: queue.Queue = queue.Queue(1)
        self._timeout = 0.0

    def submit(self, wave: np.ndarray) -> None:
        """Send ``wave`` ``(n,)`` float32 16 kHz to the child. Returns at once: a thread writes it and waits for
        the answer (the pipe holds 64 KB, and the child reads only once its models are loaded)."""
        if self._exchange is not None:
            raise RuntimeError("the phone-loop worker has a request pending")
        if self._proc is None or self._proc.poll() is not None:
            raise RuntimeError("the phone-loop worker is not running")
        data = _HEADER.pack(4 * len(wave)) + np.ascontiguousarray(wave, dtype="<f4").tobytes()
        self._timeout = 30.0 + len(wave) / 16_000
        self._exchange = threading.Thread(target=self._talk, args=(self._proc, data), name="PhoneLoopWorker",
                                          daemon=True)
        self._exchange.start()

    def _talk(self, proc: subprocess.Popen, data: bytes) -> None:
        try:
            proc.stdin.write(data)
            proc.stdin.flush()
            line = proc.stdout.readline()
            self._answer.put(line if line else RuntimeError(f"the phone-loop worker ended (exit code {proc.poll()})"))
        except (OSError, ValueError) as exc:  # BrokenPipeError: the child died; ValueError: closed meanwhile
            self._answer.put(RuntimeError(f"the phone-loop worker is gone: {exc}"))

    def result(self) -> Decoding:
        """The phones of the submitted wave (blocks until the child answers)."""
        if self._exchange is None:
            raise RuntimeError("nothing was submitted to the phone-loop worker")
        try:
            answer = self._answer.get(timeout=self._timeout)
        except queue.Empty:
            self.close()
            raise RuntimeError(f"the phone-loop worker did not answer within {self._timeout:.0f} s") from None
        self._exchange.join()
        self._exchange = None
        if isinstance(answer, Exception):
            raise answer
        answer = json.loads(answer)
        if isinstance(answer, dict):
            raise RuntimeError(f"the phone-loop worker failed: {answer.get('error')}")
        return Decoding([Phone(str(label), float(a), float(b)) for label, a, b in answer], [], "phone-loop", 0)

    def close(self) -> None:
        """End the child (idempotent); a request still pending is dropped."""
        proc, self._proc = self._proc, None
        if proc is None:
            return
        if self._exchange is not None:  # the child is busy (or hung): no goodbye, just end it
            proc.kill()
        try:
            proc.stdin.write(_HEADER.pack(0))
            proc.stdin.close()
            proc.wait(timeout=5)
        except (OSError, ValueError, subprocess.TimeoutExpired):
            proc.kill()
            proc.wait()
        if self._exchange is not None:
            self._exchange.join()
            self._exchange = None
        if proc.stdout is not None:
            proc.stdout.close()

    def __del__(self):
        if getattr(self, "_proc", None) is not None:
            try:
                self._proc.kill()
            except OSError:  # pragma: no cover
                pass


def _serve(stdin, stdout) -> None:
    from talkinghead.audio.sphinx import get_decoder

    decoder = get_decoder()
    decoder.recognizer  # load the models before the first request arrives  # noqa: B018
    while True:
        header = stdin.read(_HEADER.size)
        if len(header) < _HEADER.size:
            return
        (size,) = _HEADER.unpack(header)
        if size == 0:
            return
        data = stdin.read(size)
        try:
            wave = np.frombuffer(data, dtype="<f4")
            phones = decoder.phone_loop(wave).phones
            answer = json.dumps([[p.label, p.start, p.end] for p in phones])
        except Exception as exc:  # noqa: BLE001 - reported to the parent, which decodes in process
            answer = json.dumps({"error": f"{type(exc).__name__}: {exc}"})
        stdout.write(answer.encode() + b"\n")
        stdout.flush()


if __name__ == "__main__":
    _serve(sys.stdin.buffer, sys.stdout.buffer)
