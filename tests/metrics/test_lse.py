"""LSE-C / LSE-D: the offset search, a randomly initialised SyncNet end to end, weight files, MFCCs."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from safetensors.torch import save_file

from talkinghead.errors import InputError, ModelMissingError
from talkinghead.metrics import METRICS, SyncNet, load_syncnet, lse, sync_embeddings, sync_scores, syncnet_mfcc


@pytest.fixture(scope="module")
def syncnet() -> SyncNet:
    torch.manual_seed(0)
    return SyncNet()


def _clip(frames: int, seconds: float | None = None, seed: int = 0):
    rng = np.random.default_rng(seed)
    crops = rng.integers(0, 256, (frames, 224, 224, 3), dtype=np.uint8)
    audio = rng.normal(0, 0.1, int(16000 * (seconds or frames / 25))).astype(np.float32)
    return crops, audio


@pytest.mark.parametrize("shift", [-4, 0, 3])
def test_offset_search_finds_a_known_shift(shift):
    # Audio window i carries the content of video window i + shift: the video lags the audio by `shift`.
    rng = np.random.default_rng(1)
    content = torch.from_numpy(rng.normal(size=(60, 16)))
    video = content[10:40]
    audio = content[10 + shift : 40 + shift]
    scores = sync_scores(video, audio, vshift=6)
    assert scores.offset == shift
    # Matched windows are identical; those whose audio falls outside the clip meet the zero padding.
    i = np.arange(30)
    outside = (i - shift < 0) | (i - shift >= 30)
    expected = np.where(outside, video.norm(dim=1).numpy(), 0.0).mean()
    assert scores.lse_d == pytest.approx(expected, abs=1e-4)
    assert scores.lse_c > 1.0
    assert scores.offsets.tolist() == list(range(6, -7, -1))
    assert scores.mean_distances.shape == (13,) and scores.frame_confidence.shape == (30,)


def test_random_syncnet_shapes_and_offsets(syncnet):
    crops, audio = _clip(14)
    video, audio_emb = sync_embeddings(syncnet, crops, audio)
    assert video.shape == audio_emb.shape == (14 - 5, 1024)
    scores = lse(syncnet, crops, audio)
    assert scores.mean_distances.shape == (31,)
    assert -15 <= scores.offset <= 15 and scores.lse_c >= 0 and scores.lse_d > 0
    # Shorter audio limits the windows, as the reference does.
    video, _ = sync_embeddings(syncnet, crops, audio[: 16000 * 8 // 25])
    assert len(video) == 8 - 5


def test_resampled_audio_gives_the_same_window_count(syncnet):
    crops, audio = _clip(8)
    at_48k = np.repeat(audio, 3)
    video, _ = sync_embeddings(syncnet, crops, at_48k, sample_rate=48000)
    assert len(video) == 3


def test_too_short_or_wrong_sized_input_is_refused(syncnet):
    crops, audio = _clip(5)
    with pytest.raises(InputError, match="at least 6 frames"):
        lse(syncnet, crops, audio)
    with pytest.raises(InputError, match="224x224"):
        lse(syncnet, np.zeros((8, 96, 96, 3), np.uint8), audio)


class _Envelope(torch.nn.Module):
    """A stand-in SyncNet: video window -> per-frame brightness, audio window -> per-frame log energy,
    both z-normalised, so windows match exactly when the loudness pattern matches the brightness pattern."""

    def __init__(self):
        super().__init__()
        self.dummy = torch.nn.Parameter(torch.zeros(()))

    @staticmethod
    def _z(x):
        x = x - x.mean(dim=1, keepdim=True)
        return x / (x.norm(dim=1, keepdim=True) + 1e-6)

    def forward_video(self, frames):  # (b, 3, 5, h, w)
        return self._z(frames.mean(dim=(1, 3, 4)))

    def forward_audio(self, mfcc):  # (b, 1, 13, 20): c0 is the log energy, 4 steps per frame
        return self._z(mfcc[:, 0, 0].reshape(len(mfcc), 5, 4).mean(dim=2))


@pytest.mark.parametrize("lag", [0, 2, -3])
def test_window_alignment_and_offset_sign_end_to_end(lag):
    rng = np.random.default_rng(7)
    frames = 60
    loud = rng.random(frames + 20) < 0.5
    audio = np.concatenate([rng.normal(0, 0.3 if l else 0.003, 640) for l in loud[10 : 10 + frames]])
    # Frame i shows the loudness of audio frame i - lag: the video lags the audio by `lag` frames.
    bright = loud[10 - lag : 10 - lag + frames]
    crops = np.where(bright[:, None, None, None], 200, 50).astype(np.uint8) * np.ones((1, 224, 224, 3), np.uint8)
    video, audio_emb = sync_embeddings(_Envelope(), crops, audio.astype(np.float32), batch_size=16)
    scores = sync_scores(video, audio_emb)
    assert scores.offset == lag
    assert scores.lse_c > 0.5


def test_weight_file_round_trip_and_refusals(syncnet, tmp_path):
    state = {f"__S__.{k}": v for k, v in syncnet.state_dict().items()}  # prefixed as SyncNetInstance saves
    torch.save(state, tmp_path / "syncnet_v2.model")
    save_file(dict(syncnet.state_dict()), str(tmp_path / "syncnet.safetensors"))
    mfcc = torch.randn(2, 1, 13, 20)
    with torch.no_grad():
        expected = syncnet.forward_audio(mfcc)
        for name in ("syncnet_v2.model", "syncnet.safetensors"):
            torch.testing.assert_close(load_syncnet(tmp_path / name).forward_audio(mfcc), expected)
    with pytest.raises(ModelMissingError):
        load_syncnet(tmp_path / "absent.model")
    torch.save({"netcnnaud.0.weight": torch.zeros(64, 1, 3, 3)}, tmp_path / "partial.model")
    with pytest.raises(InputError, match="does not match"):
        load_syncnet(tmp_path / "partial.model")


def test_lse_metric_refuses_without_weights_and_runs_with_them(syncnet, tmp_path):
    crops, audio = _clip(8)
    inputs = {"sync_crops": crops, "audio": audio, "sample_rate": 16000, "fps": 25.0}
    with pytest.raises(ModelMissingError, match="syncnet"):
        METRICS["lse"](**inputs)
    torch.save(syncnet.state_dict(), tmp_path / "syncnet_v2.model")
    result = METRICS["lse"](**inputs, syncnet=tmp_path / "syncnet_v2.model")
    assert set(result.values) == {"lse_c", "lse_d", "av_offset"}
    assert result.per_frame["sync_confidence"].shape == (3,)


def test_mfcc_frame_count_and_energy_coefficient():
    for n in (100, 400, 401, 16000):
        assert syncnet_mfcc(np.zeros(n)).shape == (13, 1 if n <= 400 else 1 + int(np.ceil((n - 400) / 160)))
    rng = np.random.default_rng(0)
    quiet, loud = rng.normal(0, 0.01, 4000), rng.normal(0, 0.1, 4000)
    # c0 is the log frame energy: 10x the amplitude adds log(100) (pre-emphasis is linear).
    np.testing.assert_allclose(syncnet_mfcc(loud * 10 / 10)[0] - syncnet_mfcc(loud / 10)[0], np.log(100), atol=1e-9)
    assert (syncnet_mfcc(loud)[0] > syncnet_mfcc(quiet)[0]).all()


def test_mfcc_matches_python_speech_features_when_installed():
    psf = pytest.importorskip("python_speech_features")
    wave = np.random.default_rng(0).normal(0, 0.1, 8000)
    np.testing.assert_allclose(syncnet_mfcc(wave), psf.mfcc(wave * 32768, 16000).T, rtol=1e-10, atol=1e-8)
