"""The IP-LAP checkpoint bundled with the package: present, within the 20 MB limit, the `small` preset's
modules (scripts/ip_lap/train_bundled.py reproduces it), and it loads strictly."""

from __future__ import annotations

import json


def test_bundled_checkpoint_is_the_small_preset_and_loads():
    from talkinghead.methods.ip_lap.pipeline import bundled_checkpoint, load_models
    from talkinghead.methods.ip_lap.training import PRESETS

    root = bundled_checkpoint()
    files = [p for p in root.rglob("*") if p.is_file()]
    assert sum(p.stat().st_size for p in files) <= 20 * 1024 * 1024
    assert {p.relative_to(root).as_posix() for p in files} >= {
        "landmark_generator/config.json", "landmark_generator/model.safetensors",
        "renderer/config.json", "renderer/model.safetensors"}
    for part, stage in (("landmark_generator", "landmarks"), ("renderer", "renderer")):
        config = json.loads((root / part / "config.json").read_text())
        preset = PRESETS["small"][stage][0]["model"]
        assert {k: config.get(k) for k in preset} == preset, part
    models = load_models(None, "cpu")  # strict: every weight present and of the right shape
    assert models.image_size == 128 and models.window == 5 and models.num_landmark_refs == 15
