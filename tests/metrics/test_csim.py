"""CSIM: cosine similarity, ArcFace loading paths and alignment, the dlib stand-in's clear refusal."""

from __future__ import annotations

import importlib.util
import sys

import numpy as np
import pytest
import torch
from safetensors.torch import save_file

from talkinghead.errors import DependencyMissingError, InputError, ModelMissingError, NoFaceError
from talkinghead.metrics import METRICS, IResNet, align_face, cosine_similarity, identity_similarity, load_arcface
from talkinghead.metrics import csim as csim_module
from talkinghead.metrics.arcface import ARCFACE_TEMPLATE, similarity_transform


def test_cosine_similarity():
    a = np.array([[1.0, 0.0], [0.0, 2.0], [1.0, 1.0]])
    np.testing.assert_allclose(cosine_similarity(a, [3.0, 0.0]), [1.0, 0.0, np.sqrt(0.5)])
    np.testing.assert_allclose(cosine_similarity(a, -a), [-1.0, -1.0, -1.0])
    with pytest.raises(InputError):
        cosine_similarity(a, np.ones((2, 2)))


def test_frames_without_a_face_are_left_out():
    pred = np.array([[1.0, 0.0], [np.nan, np.nan], [0.0, 1.0]])
    result = identity_similarity(pred, np.array([1.0, 0.0]), name="csim")
    assert result["csim"] == pytest.approx(0.5)
    assert np.isnan(result.per_frame["csim"][1]) and result.details["frames_without_face"] == 1


def test_similarity_transform_recovers_a_known_one():
    angle, scale, shift = 0.3, 1.7, np.array([12.0, -4.0])
    rot = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    src = ARCFACE_TEMPLATE
    dst = scale * src @ rot.T + shift
    matrix = similarity_transform(src, dst)
    np.testing.assert_allclose(matrix[:, :2], scale * rot, atol=1e-10)
    np.testing.assert_allclose(matrix[:, 2], shift, atol=1e-10)


def test_align_face_puts_the_five_points_on_the_template():
    # Five bright dots at a rotated, scaled copy of the template in a larger image.
    rot = np.array([[np.cos(0.2), -np.sin(0.2)], [np.sin(0.2), np.cos(0.2)]])
    points = 2.5 * ARCFACE_TEMPLATE @ rot.T + np.array([90.0, 40.0])
    image = np.zeros((400, 400, 3), np.uint8)
    for x, y in np.round(points).astype(int):
        image[y - 3 : y + 4, x - 3 : x + 4] = 255
    crop = align_face(image, points)
    assert crop.shape == (112, 112, 3)
    for x, y in np.round(ARCFACE_TEMPLATE).astype(int):
        assert crop[y, x].min() > 200


@pytest.fixture(scope="module")
def tiny_iresnet() -> IResNet:
    torch.manual_seed(0)
    return IResNet(layers=(1, 2, 1, 1), embedding_dim=64)


@pytest.mark.parametrize("suffix", [".pth", ".safetensors"])
def test_torch_arcface_file_rebuilds_its_depth(tiny_iresnet, tmp_path, suffix):
    path = tmp_path / f"backbone{suffix}"
    state = dict(tiny_iresnet.state_dict())
    torch.save(state, path) if suffix == ".pth" else save_file(state, str(path))
    embed = load_arcface(path)
    faces = np.random.default_rng(0).integers(0, 256, (3, 112, 112, 3), dtype=np.uint8)
    x = torch.from_numpy((faces.astype(np.float32) - 127.5) / 127.5).permute(0, 3, 1, 2)
    with torch.no_grad():
        np.testing.assert_allclose(embed(faces), tiny_iresnet(x).numpy(), rtol=1e-5, atol=1e-5)
    with pytest.raises(InputError, match="112x112"):
        embed(np.zeros((1, 96, 96, 3), np.uint8))


def test_onnx_arcface_file_matches_torch(tiny_iresnet, tmp_path):
    pytest.importorskip("onnxruntime")
    pytest.importorskip("onnx")  # only to export the test model
    path = tmp_path / "tiny.onnx"
    example = (torch.rand(1, 3, 112, 112),)
    dynamic = {"input": {0: "b"}}
    torch.onnx.export(tiny_iresnet, example, str(path), dynamo=False, input_names=["input"], dynamic_axes=dynamic)
    faces = np.random.default_rng(2).integers(0, 256, (2, 112, 112, 3), dtype=np.uint8)
    x = torch.from_numpy((faces.astype(np.float32) - 127.5) / 127.5).permute(0, 3, 1, 2)
    with torch.no_grad():
        np.testing.assert_allclose(load_arcface(path)(faces), tiny_iresnet(x).numpy(), rtol=1e-4, atol=1e-5)


def test_csim_metric_with_a_torch_file(tiny_iresnet, tmp_path):
    torch.save(tiny_iresnet.state_dict(), tmp_path / "backbone.pth")
    faces = np.random.default_rng(1).integers(0, 256, (4, 112, 112, 3), dtype=np.uint8)
    result = METRICS["csim"](pred_faces=faces, ref_faces=faces[:1], arcface=tmp_path / "backbone.pth")
    values = result.per_frame["csim"]
    assert values.shape == (4,) and values[0] == pytest.approx(1.0, abs=1e-5) and (values[1:] < 1.0 - 1e-4).all()


def test_arcface_refusals(tmp_path, monkeypatch):
    with pytest.raises(ModelMissingError):
        load_arcface(tmp_path / "absent.onnx")
    onnx_file = tmp_path / "w600k_r50.onnx"
    onnx_file.write_bytes(b"not checked before the import")
    monkeypatch.setitem(sys.modules, "onnxruntime", None)  # as if it were not installed
    with pytest.raises(DependencyMissingError, match="pip install onnxruntime"):
        load_arcface(onnx_file)
    torch.save({"conv1.weight": torch.zeros(64, 3, 3, 3)}, tmp_path / "other.pth")
    with pytest.raises(InputError, match="IResNet"):
        load_arcface(tmp_path / "other.pth")


def test_dlib_csim_says_what_to_install(monkeypatch):
    csim_module._dlib_models.cache_clear()
    monkeypatch.setitem(sys.modules, "dlib", None)
    try:
        with pytest.raises(DependencyMissingError, match="dlib-bin"):
            METRICS["csim_dlib"](pred=np.zeros((1, 64, 64, 3), np.uint8), ref=np.zeros((64, 64, 3), np.uint8))
    finally:
        csim_module._dlib_models.cache_clear()


@pytest.mark.real_media
def test_dlib_csim_on_real_photos(media_dir):
    pytest.importorskip("dlib")
    if importlib.util.find_spec("face_recognition_models") is None:  # not imported: needs pkg_resources
        pytest.skip("face_recognition_models is not installed")
    from talkinghead.io import read_image

    woman = read_image(media_dir / "image" / "photo_woman.jpg")
    einstein = read_image(media_dir / "image" / "photo_einstein.jpg")
    same = METRICS["csim_dlib"](pred=woman[:, ::-1].copy(), ref=woman)["csim_dlib"]  # mirrored: same person
    other = METRICS["csim_dlib"](pred=einstein, ref=woman)["csim_dlib"]
    assert same > 0.9 and other < same
    with pytest.raises(NoFaceError):
        METRICS["csim_dlib"](pred=woman, ref=np.full((200, 200, 3), 128, np.uint8))



def test_dlib_descriptor_takes_the_best_scored_of_the_large_faces(monkeypatch):
    """On the astronaut render a suit badge is detected as large as her face (a pixel larger in some frames)
    with a score of 0.03: the descriptor must come from the face with the best score among the large ones,
    and a small face never wins on score alone."""

    class Rect:
        def __init__(self, x, y, size):
            self.x, self.y, self.size = x, y, size

        def width(self):
            return self.size

        def height(self):
            return self.size

    class Detector:
        def run(self, image, upsample, threshold):
            return [Rect(10, 60, 31), Rect(10, 10, 30), Rect(40, 40, 12)], [0.03, 0.9, 2.0], [0, 0, 0]

    class Recogniser:
        def compute_face_descriptor(self, image, shape):
            return np.full(128, shape.y)  # says which rectangle was used

    monkeypatch.setattr(csim_module, "_dlib_models", lambda: (Detector(), lambda image, rect: rect, Recogniser()))
    monkeypatch.setitem(sys.modules, "dlib", object())
    out = csim_module.dlib_face_descriptors(np.zeros((2, 64, 64, 3), np.uint8), detect_size=None)
    assert (out == 10).all()
