"""Where talkinghead keeps its files: the model cache.

``TALKINGHEAD_HOME`` overrides the cache folder; otherwise ``$XDG_CACHE_HOME/talkinghead`` or
``~/.cache/talkinghead``.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["cache_dir", "models_dir"]


def cache_dir() -> Path:
    """The cache folder (not created)."""
    home = os.environ.get("TALKINGHEAD_HOME")
    if home:
        return Path(home).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".cache"
    return base / "talkinghead"


def models_dir() -> Path:
    """Folder of provisioned model files (not created)."""
    return cache_dir() / "models"
