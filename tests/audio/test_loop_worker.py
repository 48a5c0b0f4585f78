"""The phone loop decoded in a helper process gives the same phones as in process, and failures fall back."""

import subprocess
import sys
import time

import numpy as np
import pytest

from talkinghead.audio.loop_worker import PhoneLoopWorker
from talkinghead.audio.sphinx import get_decoder
from talkinghead.audio.transcriber import PhoneTranscriber


def test_worker_decodes_the_same_phones_as_this_process(speech16k):
    worker = PhoneLoopWorker()
    try:
        worker.submit(speech16k)
        here = get_decoder().phone_loop(speech16k)
        there = worker.result()
        worker.submit(speech16k[: len(speech16k) // 2])  # a second request on the same child
        half = worker.result()
    finally:
        worker.close()
    assert there == here and len(here.phones) > 10
    assert half == get_decoder().phone_loop(speech16k[: len(speech16k) // 2])


def test_transcriber_result_does_not_depend_on_the_helper(speech16k):
    with PhoneTranscriber(parallel=True) as parallel:
        assert parallel._worker is not None
        a = parallel(speech16k, speech_seconds=4.0, is_last=True)
    with PhoneTranscriber(parallel=False) as sequential:
        b = sequential(speech16k, speech_seconds=4.0, is_last=True)
    assert a == b


def test_dead_helper_falls_back_to_this_process(speech16k):
    expected = PhoneTranscriber(parallel=False)(speech16k, speech_seconds=4.0, is_last=True)
    transcriber = PhoneTranscriber(parallel=True)
    transcriber._worker._proc.kill()
    transcriber._worker._proc.wait()
    assert transcriber(speech16k, speech_seconds=4.0, is_last=True) == expected
    assert transcriber._worker is None  # given up after the failure: later chunks decode here
    transcriber.close()


def test_helper_is_used_only_when_words_are_recognised():
    with PhoneTranscriber("some words", parallel=None) as aligned:
        assert aligned._worker is None  # forced alignment needs no phone loop
    with PhoneTranscriber(language="fr", parallel=None) as foreign:
        assert foreign._worker is None  # the phone loop alone: nothing to overlap


def test_close_ends_the_child():
    worker = PhoneLoopWorker()
    proc = worker._proc
    worker.close()
    worker.close()
    assert proc.poll() is not None
    with pytest.raises(RuntimeError):
        worker.submit(np.zeros(1600, np.float32))


def test_hung_helper_times_out_and_is_ended():
    """A child that never answers must not hang the analysis: result() gives up and ends it."""
    worker = PhoneLoopWorker()
    worker.close()
    hung = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE)
    worker._proc = hung
    worker.submit(np.zeros(64_000, np.float32))  # 256 KB: more than the pipe holds, the writer blocks too
    worker._timeout = 0.5
    t0 = time.monotonic()
    with pytest.raises(RuntimeError, match="did not answer"):
        worker.result()
    assert time.monotonic() - t0 < 10 and hung.poll() is not None
