"""merge_datasets: clips of several datasets linked into one, manifest rebuilt, id clashes refused."""

from __future__ import annotations

import pytest

from talkinghead.data import WindowDataset, build_tiny_dataset, load_manifest, merge_datasets
from talkinghead.errors import InputError, OutputExistsError


def test_merge_links_clips_and_rebuilds_the_manifest(tmp_path):
    a = build_tiny_dataset(tmp_path / "a", num_speakers=2, clips_per_speaker=1, num_frames=8, size=32, seed=1)
    b = tmp_path / "b"
    build_tiny_dataset(b, num_speakers=3, clips_per_speaker=1, num_frames=8, size=32, seed=2)
    for clip in (b / "clips").iterdir():  # distinct ids, as two real datasets would have
        clip.rename(clip.with_name("b_" + clip.name))
    from talkinghead.data import write_manifest

    write_manifest(b)
    merged = merge_datasets(tmp_path / "ab", [a, b])
    assert sum(merged["num_clips"].values()) == 5 and merged["speakers"]["test"] and len(load_manifest(tmp_path / "ab").clip_ids()) == 5
    assert all(p.is_symlink() for p in (tmp_path / "ab" / "clips").iterdir())
    assert len(WindowDataset(tmp_path / "ab", split=None, window=5, size=32)) == 5 * 4
    with pytest.raises(OutputExistsError):
        merge_datasets(tmp_path / "ab", [a, b])
    assert sum(merge_datasets(tmp_path / "ab", [a], overwrite=True)["num_clips"].values()) == 2
    with pytest.raises(InputError, match="is in both"):
        merge_datasets(tmp_path / "aa", [a, a])
