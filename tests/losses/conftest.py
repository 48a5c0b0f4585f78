"""Fixtures for the loss tests."""

import pytest
import torch


@pytest.fixture(autouse=True)
def single_thread():
    """One thread: these tensors are tiny, and spinning threads crawl on a shared CPU."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)
