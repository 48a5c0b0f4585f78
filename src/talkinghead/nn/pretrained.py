"""Checkpoints as folders: ``config.json`` (constructor kwargs) + ``model.safetensors`` (STYLE.md 8).

A trained component rebuilds from its folder alone, the way diffusers' ``save_pretrained`` /
``from_pretrained`` work::

    folder/
      config.json         {"_class_name": "SPADE", "_module": "talkinghead.nn.spade", "channels": 64, ...}
      model.safetensors   the module's ``state_dict`` (parameters and persistent buffers)

Modules that mix in :class:`ConfigMixin` record the arguments of their outermost ``__init__`` call as
``module.config``, so ``save_pretrained(module, folder)`` needs no config; any other module can be saved by
passing its constructor kwargs as ``config``. Loading never unpickles anything: the weights are safetensors
and the config is JSON. The class to build is given by the caller (``from_pretrained(SPADE, folder)``), never
imported from a name stored in the file.
"""

from __future__ import annotations

import functools
import inspect
import json
import logging
import os
from pathlib import Path
from typing import Any, TypeVar

import safetensors.torch
import torch
from torch import nn

from talkinghead.errors import ModelMissingError, OptionError
from talkinghead.io.atomic import atomic_output, atomic_write_text

__all__ = ["ConfigMixin", "save_pretrained", "from_pretrained", "CONFIG_NAME", "WEIGHTS_NAME"]

logger = logging.getLogger(__name__)

CONFIG_NAME = "config.json"
WEIGHTS_NAME = "model.safetensors"

M = TypeVar("M", bound=nn.Module)


class ConfigMixin:
    """Records the constructor arguments of a module as ``self.config`` (a dict of JSON values).

    Put it first in the bases (``class SPADE(ConfigMixin, nn.Module)``). The outermost ``__init__`` wins, so a
    subclass records its own arguments, not its parent's. ``**kwargs`` parameters are flattened into the dict.
    """

    config: dict[str, Any]

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        init = cls.__dict__.get("__init__")
        if init is None:
            return
        signature = inspect.signature(init)

        @functools.wraps(init)
        def recording_init(self, *args, **kw):
            bound = signature.bind(self, *args, **kw)
            bound.apply_defaults()
            config: dict[str, Any] = {}
            for name, value in list(bound.arguments.items())[1:]:
                kind = signature.parameters[name].kind
                if kind is inspect.Parameter.VAR_KEYWORD:
                    config.update(value)
                elif kind is inspect.Parameter.VAR_POSITIONAL:
                    raise TypeError(f"{cls.__name__}: ConfigMixin cannot record *{name}; use keyword arguments")
                else:
                    config[name] = value
            init(self, *args, **kw)
            # Set after __init__ so nn.Module.__setattr__ is ready; the outermost wrapper runs last.
            self.__dict__["config"] = config

        cls.__init__ = recording_init


def _config_of(module: nn.Module, config: dict[str, Any] | None) -> dict[str, Any]:
    if config is None:
        config = getattr(module, "config", None)
        if not isinstance(config, dict):
            raise TypeError(
                f"{type(module).__name__} does not record its constructor arguments (mix in ConfigMixin) "
                "and no config was given to save_pretrained"
            )
    return dict(config)


def save_pretrained(module: nn.Module, folder: str | os.PathLike, config: dict[str, Any] | None = None) -> Path:
    """Write ``module`` to ``folder`` as ``config.json`` + ``model.safetensors``; return the folder.

    Args:
        module: any ``nn.Module``; its ``state_dict`` is saved (tied tensors are handled by safetensors).
        folder: created if missing; existing files of the same names are replaced atomically.
        config: constructor kwargs rebuilding ``module`` with ``type(module)(**config)``; defaults to
            ``module.config`` (see :class:`ConfigMixin`). Must be JSON-serialisable.
    """
    folder = Path(folder)
    config = _config_of(module, config)
    payload = {"_class_name": type(module).__name__, "_module": type(module).__module__, **config}
    try:
        text = json.dumps(payload, indent=2, sort_keys=False)
    except TypeError as err:
        raise TypeError(f"config of {type(module).__name__} is not JSON-serialisable: {err}") from None
    folder.mkdir(parents=True, exist_ok=True)
    with atomic_output(folder / WEIGHTS_NAME, overwrite=True) as tmp:
        safetensors.torch.save_model(module, str(tmp), metadata={"format": "pt"})
    atomic_write_text(folder / CONFIG_NAME, text + "\n", overwrite=True)
    return folder


def read_config(folder: str | os.PathLike) -> dict[str, Any]:
    """The JSON object in ``folder/config.json`` (with its ``_class_name`` / ``_module`` keys)."""
    path = Path(folder) / CONFIG_NAME
    if not path.is_file():
        raise ModelMissingError(f"no {CONFIG_NAME} in {str(folder)!r}; give the folder written by save_pretrained")
    try:
        config = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise ModelMissingError(f"{str(path)!r} is not valid JSON ({err}); re-export the model") from None
    if not isinstance(config, dict):
        raise ModelMissingError(f"{str(path)!r} does not hold a JSON object; re-export the model")
    return config


def from_pretrained(
    cls: type[M], folder: str | os.PathLike, device: torch.device | str | None = None, strict: bool = True
) -> M:
    """Rebuild ``cls(**config)`` from ``folder`` and load its weights (no unpickling).

    Raises:
        ModelMissingError: the folder, its config or its weights are missing or unreadable.
        OptionError: the folder holds a different class, or its weights do not fit ``cls``.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise ModelMissingError(f"model folder {str(folder)!r} does not exist; check the path")
    config = read_config(folder)
    class_name = config.get("_class_name")
    if class_name is not None and class_name != cls.__name__:
        raise OptionError(f"{str(folder)!r} holds a {class_name}, not a {cls.__name__}; pick the matching folder")
    kwargs = {k: v for k, v in config.items() if not k.startswith("_")}
    weights = folder / WEIGHTS_NAME
    if not weights.is_file():
        raise ModelMissingError(f"no {WEIGHTS_NAME} in {str(folder)!r}; the checkpoint is incomplete")
    module = cls(**kwargs)
    try:
        missing, unexpected = safetensors.torch.load_model(module, str(weights), strict=False, device="cpu")
    except (OSError, safetensors.SafetensorError) as err:
        raise ModelMissingError(f"cannot read {str(weights)!r} ({err}); re-export the model") from None
    except RuntimeError as err:  # shape mismatch
        raise OptionError(f"weights in {str(weights)!r} do not fit {cls.__name__}: {err}") from None
    if strict and (missing or unexpected):
        raise OptionError(
            f"weights in {str(weights)!r} do not fit {cls.__name__}: missing {sorted(missing)[:5]}, "
            f"unexpected {sorted(unexpected)[:5]}"
        )
    if device is not None:
        module = module.to(device)
    logger.debug("loaded %s from %s", cls.__name__, folder)
    return module
