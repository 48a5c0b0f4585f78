"""Speakers from LRS2/LRS3, VoxCeleb2 and HDTF layouts; the manifest and its splits by speaker."""

from __future__ import annotations

import json
from pathlib import PurePosixPath

import pytest

from talkinghead.data.layout import clip_id_of, find_videos, speaker_of
from talkinghead.data.manifest import build_manifest, split_speakers


@pytest.mark.parametrize("path, speaker", [
    ("dev/mp4/id00012/21Uxsk56VDQ/00001.mp4", "id00012"),        # VoxCeleb2
    ("trainval/0af00UcTOSc/50001.mp4", "0af00UcTOSc"),              # LRS3
    ("main/5535415699068794046/00001.mp4", "5535415699068794046"),  # LRS2 (programme folder)
    ("WRA_KellyAyotte_000.mp4", "WRA_KellyAyotte"),                  # HDTF, flat
    ("interview.mp4", "interview"),
])
def test_speaker_of_layouts(path, speaker):
    assert speaker_of(PurePosixPath(path)) == speaker


def test_find_videos_sorted_any_nesting_and_clip_ids(tmp_path):
    for rel in ["b/x/2.mp4", "a/1.MP4", "c.mov", ".hidden/3.mp4", "a/.4.mp4", "notes.txt"]:
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_bytes(b"")
    assert [str(p) for p in find_videos(tmp_path)] == ["a/1.MP4", "b/x/2.mp4", "c.mov"]
    assert clip_id_of(PurePosixPath("b/x/2 (copy).mp4")) == "b__x__2__copy_"


def test_split_by_speaker_fixed_seed_and_disjoint():
    speakers = [f"s{i}" for i in range(40)]
    a, b = split_speakers(speakers, seed=3), split_speakers(list(reversed(speakers)), seed=3)
    assert a == b  # order of discovery does not matter
    counts = {k: sum(v == k for v in a.values()) for k in ("train", "val", "test")}
    assert counts == {"train": 36, "val": 2, "test": 2}
    assert split_speakers(speakers, seed=4) != a
    assert set(split_speakers(["x", "y"]).values()) == {"train"}


def test_manifest_is_derived_from_the_folders(tmp_path):
    for cid, spk, n in [("a__1", "a", 30), ("a__2", "a", 40), ("b__1", "b", 50)]:
        (tmp_path / "clips" / cid).mkdir(parents=True)
        (tmp_path / "clips" / cid / "meta.json").write_text(json.dumps({"speaker": spk, "num_frames": n}))
    (tmp_path / "clips" / ".tmp-c__1").mkdir()  # a half-written clip is not in the manifest
    (tmp_path / "skipped").mkdir()
    (tmp_path / "skipped" / "d.json").write_text(json.dumps({"id": "d", "reason": "no face"}))
    m = build_manifest(tmp_path)
    assert [c["id"] for c in m["clips"]] == ["a__1", "a__2", "b__1"]
    assert m["num_frames"]["train"] == 120 and m["skipped_reasons"] == {"no face": 1}
    assert build_manifest(tmp_path) == m
