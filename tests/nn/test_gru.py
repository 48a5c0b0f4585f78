import torch

from talkinghead.nn import GRUEncoder


def test_gru_component(check_component):
    check_component(
        lambda: GRUEncoder(6, 8, 5, num_layers=2, bidirectional=True),
        lambda g: (torch.randn(2, 7, 6, generator=g),),
        [(2, 7, 5), (4, 2, 8)],
    )


def test_gru_streams_chunk_by_chunk():
    torch.manual_seed(0)
    gru = GRUEncoder(3, 8, 2).eval()
    x = torch.randn(1, 10, 3)
    whole, _ = gru(x)
    first, state = gru(x[:, :4])
    second, _ = gru(x[:, 4:], state)
    assert torch.allclose(torch.cat([first, second], dim=1), whole, atol=1e-6)


def test_gru_is_causal():
    torch.manual_seed(0)
    gru = GRUEncoder(3, 8, 2).eval()
    x = torch.randn(1, 6, 3)
    y = x.clone()
    y[:, 4:] += 1.0
    assert torch.allclose(gru(x)[0][:, :4], gru(y)[0][:, :4])
    assert not torch.allclose(gru(x)[0][:, 4:], gru(y)[0][:, 4:])
