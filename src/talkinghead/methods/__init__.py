"""Methods: one package per method, registered by name in :data:`METHODS` (STYLE.md 9).

A method is a config class (a frozen dataclass deriving from
:class:`~talkinghead.methods.base.GenerateOptions`), a ``generate(source, audio, output, config, ...)``
function and, for methods with trained parts, a ``training`` function that returns its training stages
(``talkinghead train METHOD``). Both are named by import path and imported only when used, so that listing methods (``--help``) does
not import a method's dependencies. Later methods add themselves with :func:`register`.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass

from talkinghead.errors import OptionError

__all__ = ["Method", "METHODS", "register", "unregister", "get_method"]


def _load(path: str):
    module, _, name = path.partition(":")
    return getattr(importlib.import_module(module), name)


@dataclass(frozen=True)
class Method:
    """A registered method.

    Attributes:
        name: registry key (``--method NAME``).
        summary: one line for ``--help``.
        config: ``"module:Class"`` of its config dataclass.
        pipeline: ``"module:function"`` of its ``generate(source, audio, output, config, *, overwrite,
            save_motion, progress) -> GenerateResult``.
        training: ``"module:function"`` of its ``training_stages(data_dir: Path, preset: str, split: str |
            None = "train") -> list[talkinghead.training.Stage]`` (the stages of ``talkinghead train``, in
            order; ``split=None`` trains on every clip), or ``None`` for a method without trained parts.
        presets: the ``--preset`` names its training function accepts (``tiny``: minutes on a CPU, for
            smoke tests; ``paper``: the paper's sizes and schedule).
    """

    name: str
    summary: str
    config: str
    pipeline: str
    training: str | None = None
    presets: tuple[str, ...] = ("tiny", "paper")

    def config_class(self) -> type:
        return _load(self.config)

    def generate_function(self):
        return _load(self.pipeline)

    def training_function(self):
        """The method's ``training_stages(data_dir, preset)``.

        Raises:
            OptionError: the method has no trained parts.
        """
        if self.training is None:
            raise OptionError(f"method {self.name!r} has no trained parts: there is nothing to train "
                              "(it runs without weights; `talkinghead generate --method " + self.name + "` works as is)")
        return _load(self.training)


#: method name -> :class:`Method`
METHODS: dict[str, Method] = {}


def unregister(name: str) -> None:
    """Remove a method (tests register throwaway methods)."""
    METHODS.pop(name, None)


def register(method: Method) -> Method:
    """Add a method to :data:`METHODS` (a name can be registered once)."""
    if method.name in METHODS:
        raise ValueError(f"method {method.name!r} is already registered")
    METHODS[method.name] = method
    return method


def get_method(name: str) -> Method:
    """The registered method ``name``.

    Raises:
        OptionError: unknown name; the message lists the known ones.
    """
    try:
        return METHODS[name]
    except KeyError:
        raise OptionError(f"unknown method {name!r}; available: {', '.join(sorted(METHODS))}") from None


register(Method(
    name="default",
    summary="mesh-guided warp of the source with a synthesised mouth: no trained weights, faster than real time on a CPU",
    config="talkinghead.methods.default.config:DefaultConfig",
    pipeline="talkinghead.methods.default.pipeline:generate",
))

register(Method(
    name="ip_lap",
    summary="IP-LAP (CVPR 2023): audio -> lip and jaw landmarks (transformer), then landmarks + reference "
            "images -> face (alignment + translation networks); needs a checkpoint (a small one is bundled)",
    config="talkinghead.methods.ip_lap.config:IPLAPConfig",
    pipeline="talkinghead.methods.ip_lap.pipeline:generate",
    training="talkinghead.methods.ip_lap.training:training_stages",
    presets=("tiny", "small", "paper"),
))
