import torch

from talkinghead.losses import VQLoss
from talkinghead.nn import VectorQuantizer


def test_vector_quantizer_component(check_component):
    def loss_of(out):
        # Decoder-side loss through the straight-through output + VividTalk Eq. 12 codebook terms.
        return out.quantized.square().sum() + VQLoss()(z_loss_input[0], out.codes)

    z_loss_input = []

    def make_inputs(g):
        z = torch.randn(2, 6, 4, generator=g, requires_grad=True)
        z_loss_input[:] = [z]
        return (z,)

    check_component(lambda: VectorQuantizer(10, 4), make_inputs, [(2, 6, 4), (2, 6, 4), (2, 6)], loss_of=loss_of)


def test_quantizer_picks_nearest_code_and_copies_gradients_straight_through():
    vq = VectorQuantizer(3, 2)
    with torch.no_grad():
        vq.codebook.weight.copy_(torch.tensor([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]]))
    z = torch.tensor([[0.9, 0.2], [0.1, -0.1], [0.2, 0.7]], requires_grad=True)
    out = vq(z)
    assert out.indices.tolist() == [1, 0, 2]
    assert torch.equal(out.quantized.detach(), vq.codebook.weight[[1, 0, 2]])
    weights = torch.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    (out.quantized * weights).sum().backward()
    assert torch.equal(z.grad, weights)  # Sec. 3.4: gradients copied from decoder to encoder
    assert vq.codebook.weight.grad is None  # only the codebook loss trains the codebook
    assert torch.equal(vq.lookup(out.indices), out.codes)
