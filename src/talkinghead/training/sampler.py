"""An endless, resumable, shard-per-process stream of dataset indices (after NVlabs/edm ``InfiniteSampler``).

The global stream is the concatenation of per-epoch permutations (epoch e shuffled by a generator seeded
from (seed, e)). Process r of W takes global positions r, r + W, r + 2W, ... So the samples of one optimizer
step are the same set whatever the number of processes (a global batch B covers positions [s*B, (s+1)*B)),
and resuming at step s only needs ``start = s * B``: no sampler state to save.
"""

from __future__ import annotations

from collections.abc import Iterator

import torch
from torch.utils.data import Sampler

__all__ = ["InfiniteSampler"]


class InfiniteSampler(Sampler[int]):
    """Endless indices into a dataset of ``length`` items for process ``rank`` of ``world_size``.

    Args:
        length: dataset size.
        rank / world_size: this process and the number of processes.
        seed: seed of the per-epoch permutations (same in every process).
        shuffle: permute each epoch (else 0, 1, 2, ... repeated).
        start: global position to start from (samples already consumed by all processes together).
    """

    def __init__(self, length: int, rank: int = 0, world_size: int = 1, seed: int = 0, shuffle: bool = True,
                 start: int = 0):
        if length < 1:
            raise ValueError("the training dataset is empty")
        self.length = length
        self.rank = rank
        self.world_size = world_size
        self.seed = seed
        self.shuffle = shuffle
        self.start = start

    def _permutation(self, epoch: int) -> torch.Tensor:
        if not self.shuffle:
            return torch.arange(self.length)
        generator = torch.Generator().manual_seed((self.seed * 1_000_003 + epoch) % 2**63)
        return torch.randperm(self.length, generator=generator)

    def __iter__(self) -> Iterator[int]:
        position = self.start + self.rank
        epoch, permutation = -1, None
        while True:
            e, index = divmod(position, self.length)
            if e != epoch:
                epoch, permutation = e, self._permutation(e)
            yield int(permutation[index])
            position += self.world_size
