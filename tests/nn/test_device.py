import pytest
import torch

from talkinghead.errors import OptionError
from talkinghead.nn import select_device


def test_auto_cpu_and_bad_names():
    assert select_device("auto").type == ("cuda" if torch.cuda.is_available() else "cpu")
    assert select_device("cpu") == torch.device("cpu")
    with pytest.raises(OptionError, match="auto, cpu or cuda"):
        select_device("gpu")


@pytest.mark.skipif(torch.cuda.is_available(), reason="a CUDA device is present")
def test_cuda_without_cuda_is_a_clear_error():
    for name in ("cuda", "cuda:1"):
        with pytest.raises(OptionError, match="no CUDA device"):
            select_device(name)
