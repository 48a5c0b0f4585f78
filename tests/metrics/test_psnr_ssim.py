"""PSNR, SSIM and MS-SSIM agree with scikit-image on random and real images."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from talkinghead.errors import InputError
from talkinghead.io import read_image
from talkinghead.metrics import METRICS, ms_ssim, psnr, ssim
from talkinghead.metrics.frames import frames_to_tensor

skm = pytest.importorskip("skimage.metrics")


def _tensor(image: np.ndarray) -> torch.Tensor:
    return frames_to_tensor(image[None], dtype=torch.float64)


def _degrade(image: np.ndarray, seed: int, sigma: float = 12.0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    noisy = image.astype(np.float64) + rng.normal(0, sigma, image.shape)
    noisy[: image.shape[0] // 3] += 25  # a brightness change too, so the luminance term matters
    return np.clip(noisy, 0, 255).astype(np.uint8)


def _sk_ssim(a, b, gaussian):
    if gaussian:
        return skm.structural_similarity(
            a, b, gaussian_weights=True, sigma=1.5, use_sample_covariance=False, channel_axis=-1, data_range=255
        )
    return skm.structural_similarity(a, b, channel_axis=-1, data_range=255)


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("shape", [(37, 53, 3), (64, 48, 3)])
def test_random_images_match_scikit_image(seed, shape):
    rng = np.random.default_rng(seed)
    a = rng.integers(0, 256, shape, dtype=np.uint8)
    b = _degrade(a, seed + 10, sigma=40)
    assert psnr(_tensor(b), _tensor(a)).item() == pytest.approx(skm.peak_signal_noise_ratio(a, b), abs=1e-9)
    assert ssim(_tensor(b), _tensor(a)).item() == pytest.approx(_sk_ssim(a, b, True), abs=1e-9)
    uniform = ssim(_tensor(b), _tensor(a), gaussian=False, sample_covariance=True).item()
    assert uniform == pytest.approx(_sk_ssim(a, b, False), abs=1e-9)


def test_skimage_portrait_matches_and_registry_averages_frames(astronaut):
    frames = np.stack([astronaut, astronaut[::-1]])
    degraded = np.stack([_degrade(f, i) for i, f in enumerate(frames)])
    result = METRICS["ssim"](pred=degraded, ref=frames)
    expected = [_sk_ssim(f, d, True) for f, d in zip(frames, degraded)]
    np.testing.assert_allclose(result.per_frame["ssim"], expected, atol=1e-5)  # float32 on the registry path
    assert result["ssim"] == pytest.approx(np.mean(expected), abs=1e-5)
    result = METRICS["psnr"](pred=degraded, ref=frames)
    expected = [skm.peak_signal_noise_ratio(f, d) for f, d in zip(frames, degraded)]
    np.testing.assert_allclose(result.per_frame["psnr"], expected, rtol=1e-9)


@pytest.mark.real_media
def test_real_photos_match_scikit_image(media_dir):
    for name in ("photo_woman.jpg", "photo_grayscale_man.jpg"):
        image = read_image(media_dir / "image" / name)[:300, :300]
        degraded = _degrade(image, 3)
        ours = ssim(_tensor(degraded), _tensor(image)).item()
        assert ours == pytest.approx(_sk_ssim(image, degraded, True), abs=1e-9)
        assert psnr(_tensor(degraded), _tensor(image)).item() == pytest.approx(
            skm.peak_signal_noise_ratio(image, degraded), abs=1e-9
        )


def test_ssim_ranks_degradations(astronaut):
    ref = _tensor(astronaut[:128, :128])
    mild = _tensor(_degrade(astronaut[:128, :128], 0, sigma=5))
    strong = _tensor(_degrade(astronaut[:128, :128], 0, sigma=40))
    assert ssim(ref, ref).item() == pytest.approx(1.0)
    assert 1.0 > ssim(mild, ref).item() > ssim(strong, ref).item()


def test_ms_ssim_one_scale_is_ssim_and_five_scales_rank(astronaut):
    crop = astronaut[100:164, 200:264]
    assert ms_ssim(_tensor(_degrade(crop, 5)), _tensor(crop), weights=(1.0,)).item() == pytest.approx(
        ssim(_tensor(_degrade(crop, 5)), _tensor(crop)).item(), abs=1e-12
    )
    face = astronaut[:192, 160:352]  # 192 pixels: enough for five scales (>= 176)
    a, b, c = (_tensor(x).float() for x in (face, _degrade(face, 5), _degrade(face, 5, sigma=40)))
    assert ms_ssim(a, a).item() == pytest.approx(1.0)
    assert 1.0 > ms_ssim(b, a).item() > ms_ssim(c, a).item() > 0


def test_ms_ssim_refuses_small_frames():
    small = torch.rand(1, 3, 96, 96)
    with pytest.raises(InputError, match="176"):
        ms_ssim(small, small)


def test_mismatched_frames_are_refused():
    a = np.zeros((2, 32, 32, 3), np.uint8)
    with pytest.raises(InputError, match="resize"):
        METRICS["ssim"](pred=a, ref=np.zeros((2, 32, 30, 3), np.uint8))
    with pytest.raises(InputError, match="uint8"):
        METRICS["psnr"](pred=a.astype(np.float32), ref=a)
