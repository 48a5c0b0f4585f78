import torch

from talkinghead.losses import CategoricalKLLoss, GaussianKLLoss, VQLoss


def test_categorical_kl_matches_definition_and_is_zero_at_match():
    target = torch.softmax(torch.randn(4, 6), -1)
    logits = torch.randn(4, 6)
    pred = torch.softmax(logits, -1)
    expected = (target * (target.log() - pred.log())).sum(-1).mean()  # OSM-Net Eq. 4
    assert torch.isclose(CategoricalKLLoss()(target, logits), expected, atol=1e-6)
    assert CategoricalKLLoss()(target, target.log()).abs() < 1e-6


def test_gaussian_kl():
    assert GaussianKLLoss()(torch.zeros(2, 3), torch.zeros(2, 3)) == 0
    mean, logvar = torch.tensor([[1.0, 0.0]]), torch.tensor([[0.0, 1.0]])
    expected = 0.5 * (1.0) + 0.5 * (torch.e - 1 - 1)
    assert torch.isclose(GaussianKLLoss()(mean, logvar), torch.tensor(expected))


def test_vq_loss_gradients_go_where_eq12_says():
    z = torch.randn(3, 4, requires_grad=True)
    codes = torch.randn(3, 4, requires_grad=True)
    loss = VQLoss(codebook_weight=1.0, commitment_weight=0.25)(z, codes)
    assert torch.isclose(loss, 1.25 * ((z - codes) ** 2).mean())
    loss.backward()
    diff = (z - codes).detach()
    assert torch.allclose(z.grad, 0.25 * 2 * diff / 12)  # commitment: only to the encoder output
    assert torch.allclose(codes.grad, -2 * diff / 12)  # codebook: only to the codes
    # Mapping phase (Eq. 13): codebook frozen, no codebook term.
    codes.grad = None
    VQLoss(codebook_weight=0.0)(z, codes).backward()
    assert codes.grad is None
