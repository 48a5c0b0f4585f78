"""Fixtures for the loss tests."""

import pytest

from talkinghead.training import torch_threads


@pytest.fixture(autouse=True)
def single_thread():
    """One thread: tiny tensors, and spinning threads crawl on a shared CPU."""
    with torch_threads(1):
        yield
