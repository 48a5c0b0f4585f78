import torch

from talkinghead.nn import MelEncoder


def test_mel_encoder_component(check_component):
    # The Wav2Lip / IP-LAP input: an 80-bin x 16-frame mel window per video frame.
    check_component(
        lambda: MelEncoder(out_dim=12, base_channels=4),
        lambda g: (torch.randn(2, 1, 80, 16, generator=g),),
        [(2, 12)],
    )


def test_mel_encoder_reaches_1x1_on_wav2lip_windows():
    encoder = MelEncoder(out_dim=8, base_channels=2).eval()
    features = encoder.blocks(torch.randn(1, 1, 80, 16))
    assert features.shape == (1, 8, 1, 1)
    assert encoder(torch.randn(3, 80, 16)).shape == (3, 8)  # channel dim optional
