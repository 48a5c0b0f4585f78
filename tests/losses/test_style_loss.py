import torch

from talkinghead.losses import gram_matrix


def test_gram_matrix_definition():
    f = torch.arange(12.0).reshape(1, 3, 2, 2)
    flat = f.reshape(3, 4)
    assert torch.allclose(gram_matrix(f)[0], flat @ flat.T / 12)
    assert gram_matrix(torch.rand(2, 5, 3, 3)).shape == (2, 5, 5)


def test_gram_matrix_ignores_spatial_arrangement():
    f = torch.rand(1, 4, 5, 5)
    perm = torch.randperm(25)
    shuffled = f.reshape(1, 4, 25)[..., perm].reshape(1, 4, 5, 5)
    assert torch.allclose(gram_matrix(f), gram_matrix(shuffled), atol=1e-6)
