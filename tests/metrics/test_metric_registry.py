"""The registry: every metric documented, looked up by name, weight files refused clearly when absent."""

from __future__ import annotations

import numpy as np
import pytest

from talkinghead.errors import ModelMissingError, OptionError
from talkinghead.metrics import INPUTS, METRICS, MetricResult, get_metric, register_metric

PAPERS = {"ip_lap", "mergetalk", "osm_net", "vividtalk", "controltalk"}


def test_issue_metrics_are_registered():
    expected = {"psnr", "ssim", "ms_ssim", "lpips", "fid", "csim", "csim_dlib", "lse", "cpbd"}
    expected |= {"pose_diversity", "hpd", "blink_rate"}
    assert expected <= set(METRICS)


@pytest.mark.parametrize("name", sorted(METRICS))
def test_every_metric_is_documented(name):
    metric = METRICS[name]
    assert metric.name == name
    assert metric.kind in {"frame_pair", "video", "distribution"}
    assert len(metric.definition) > 40 and len(metric.reference) > 10
    assert metric.figures and all(f.name for f in metric.figures)
    assert set(metric.inputs) <= set(INPUTS)
    assert set(metric.papers) <= PAPERS
    for weight in metric.weights:
        assert weight.description


def test_lse_reports_both_papers_figures():
    lse = METRICS["lse"]
    directions = {f.name: f.higher_is_better for f in lse.figures}
    assert directions["lse_c"] is True and directions["lse_d"] is False


def test_unknown_metric_names_the_known_ones():
    with pytest.raises(OptionError, match="psnr"):
        get_metric("psnrr")


@pytest.mark.parametrize("name", [n for n in sorted(METRICS) if METRICS[n].weights])
def test_weight_metrics_refuse_without_their_files(name, tmp_path):
    metric = METRICS[name]
    with pytest.raises(ModelMissingError, match=metric.weights[0].name):
        metric()
    paths = {w.name: tmp_path / f"absent_{w.name}.pth" for w in metric.weights}
    with pytest.raises(ModelMissingError, match="does not exist"):
        metric(**paths)


def test_call_ignores_inputs_a_metric_does_not_take():
    rng = np.random.default_rng(0)
    a = rng.integers(0, 256, (2, 32, 32, 3), dtype=np.uint8)
    inputs = {"pred": a, "ref": a, "pose": np.zeros((5, 3)), "fps": 25.0}
    result = METRICS["psnr"](**inputs)
    assert isinstance(result, MetricResult)
    assert np.isinf(result["psnr"]) and result.per_frame["psnr"].shape == (2,)


def test_registration_rejects_duplicates_and_unknown_inputs():
    with pytest.raises(ValueError, match="twice"):
        register_metric("psnr", kind="video", inputs=("pred",), definition="x", reference="y")(lambda pred: None)
    with pytest.raises(ValueError, match="unknown inputs"):
        register_metric("x_metric", kind="video", inputs=("video",), definition="x", reference="y")
