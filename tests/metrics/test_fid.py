"""FID: the Fréchet distance on known Gaussians, streamed statistics, the Inception extractor and its file."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from scipy import linalg

from talkinghead.errors import InputError, ModelMissingError
from talkinghead.metrics import (
    FIDInceptionV3,
    GaussianStats,
    METRICS,
    feature_statistics,
    frechet_distance,
    inception_statistics,
    load_fid_inception,
)


def _stats(mean, cov) -> GaussianStats:
    return GaussianStats(np.asarray(mean, float), np.atleast_2d(np.asarray(cov, float)), 1000)


def test_one_dimensional_gaussians():
    # W2^2(N(m1, s1^2), N(m2, s2^2)) = (m1 - m2)^2 + (s1 - s2)^2
    assert frechet_distance(_stats([1.0], [[4.0]]), _stats([-2.0], [[9.0]])) == pytest.approx(9 + 1)


def test_commuting_covariances_have_closed_form():
    a, b = np.array([1.0, 4.0, 0.25]), np.array([9.0, 1.0, 0.25])
    rot = linalg.qr(np.random.default_rng(0).normal(size=(3, 3)))[0]  # same eigenvectors, rotated
    cov_a, cov_b = rot @ np.diag(a) @ rot.T, rot @ np.diag(b) @ rot.T
    expected = 1.0 + np.sum((np.sqrt(a) - np.sqrt(b)) ** 2)
    assert frechet_distance(_stats([1, 0, 0], cov_a), _stats([0, 0, 0], cov_b)) == pytest.approx(expected)


def test_general_covariances_match_the_reference_formula():
    rng = np.random.default_rng(1)
    x, y = rng.normal(size=(8, 8)), rng.normal(size=(8, 8))
    cov_a, cov_b = x @ x.T + 0.1 * np.eye(8), y @ y.T + 0.1 * np.eye(8)
    mu_a, mu_b = rng.normal(size=8), rng.normal(size=8)
    root = linalg.sqrtm(cov_a @ cov_b).real  # pytorch-fid's formula
    expected = np.sum((mu_a - mu_b) ** 2) + np.trace(cov_a + cov_b - 2 * root)
    assert frechet_distance(_stats(mu_a, cov_a), _stats(mu_b, cov_b)) == pytest.approx(expected, rel=1e-8)
    assert frechet_distance(_stats(mu_a, cov_a), _stats(mu_a, cov_a)) == pytest.approx(0.0, abs=1e-9)


def test_sample_estimate_converges_to_the_analytic_distance():
    rng = np.random.default_rng(2)
    mean_b, std_b = np.array([0.5, -1.0]), np.array([2.0, 0.5])
    a = rng.normal(size=(40000, 2))
    b = rng.normal(size=(40000, 2)) * std_b + mean_b
    expected = np.sum(mean_b**2) + np.sum((1 - std_b) ** 2)
    assert frechet_distance(feature_statistics(a), feature_statistics(b)) == pytest.approx(expected, abs=0.03)


class _MeanColour(torch.nn.Module):
    """A stand-in feature extractor: per-channel means and their squares."""

    def forward(self, x):
        m = x.mean(dim=(2, 3))
        return torch.cat([m, m**2], dim=1)


def test_streamed_statistics_equal_batch_statistics():
    rng = np.random.default_rng(3)
    videos = [rng.integers(0, 256, (n, 16, 16, 3), dtype=np.uint8) for n in (5, 7, 3)]
    streamed = inception_statistics(_MeanColour(), iter(videos), batch_size=4)
    feats = _MeanColour()(torch.from_numpy(np.concatenate(videos)).permute(0, 3, 1, 2).double() / 255).numpy()
    direct = feature_statistics(feats)
    assert streamed.count == 15
    np.testing.assert_allclose(streamed.mean, direct.mean, rtol=1e-6)
    np.testing.assert_allclose(streamed.cov, direct.cov, rtol=1e-4, atol=1e-9)
    with pytest.raises(InputError, match="at least 2"):
        inception_statistics(_MeanColour(), videos[0][:1])


@pytest.fixture(scope="module")
def inception_file(tmp_path_factory):
    torch.manual_seed(0)
    model = FIDInceptionV3()
    state = dict(model.state_dict())
    state["fc.weight"] = torch.zeros(1008, 2048)  # pytorch-fid's file has a 1008-class classifier; ignored
    state["fc.bias"] = torch.zeros(1008)
    path = tmp_path_factory.mktemp("fid") / "pt_inception.pth"
    torch.save(state, path)
    return model, path


def test_inception_features_and_file_round_trip(inception_file):
    model, path = inception_file
    with torch.no_grad():  # the network body at its smallest input (a 299x299 pass costs ~6 GFLOP)
        feats = model.pool3(torch.rand(2, 3, 75, 75) * 2 - 1)
    assert feats.shape == (2, 2048) and (feats >= 0).all()  # pooled ReLU outputs
    loaded = load_fid_inception(path)
    reference = model.state_dict()
    assert loaded.state_dict().keys() == reference.keys()
    assert all(torch.equal(value, reference[key]) for key, value in loaded.state_dict().items())


def test_fid_metric_with_a_weight_file(inception_file, monkeypatch):
    _, path = inception_file
    # The Inception file's loading is tested above; here a cheap extractor stands in for the network
    # (two 299x299 Inception passes per frame are too slow for this suite on a shared CPU).
    loads = []
    monkeypatch.setattr("talkinghead.metrics.fid.load_fid_inception", lambda p: loads.append(p) or _MeanColour())
    rng = np.random.default_rng(4)
    real = rng.integers(0, 256, (4, 64, 64, 3), dtype=np.uint8)
    result = METRICS["fid"](pred=[real[:2], real[2:]], ref=real, fid_inception=path)
    assert loads == [path]
    assert result["fid"] == pytest.approx(0.0, abs=1e-9)
    assert result.details["pred_frames"] == 4
    darker = METRICS["fid"](pred=real // 4, ref=real, fid_inception=path)
    assert darker["fid"] > 0.1
    with pytest.raises(ModelMissingError):
        load_fid_inception(path.with_name("absent.pth"))
