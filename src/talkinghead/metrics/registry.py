"""The metric registry: every metric by name, with its definition, paper reference and what it needs.

Modelled on stylegan3's ``@register_metric`` (STYLE.md 9): a metric is a function registered under a name,
never looked up by class name or an if/elif chain. Each entry carries what a report needs to explain the
number (definition, reference, which of our five papers report it, which direction is better) and what a
caller needs to compute it (the named inputs it consumes, the user-supplied weight files it loads).

Kinds:

* ``frame_pair``: compares each generated frame with a reference frame (ground truth, or the source face
  for identity); the video's value is the mean over frames, the per-frame values are kept.
* ``video``: scores one generated video on its own (sharpness, sync with its audio, head-pose spread).
* ``distribution``: compares two sets of frames as distributions (FID); needs many frames to mean anything.

A metric function takes its inputs by the names in :data:`INPUTS` (keywords only), its weight files by the
names of its :class:`WeightFile` entries, an optional ``device`` for the network metrics, and returns a
:class:`MetricResult`. Calling a :class:`Metric` passes it only the keywords its function takes.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np

from talkinghead.errors import ModelMissingError, OptionError

__all__ = [
    "Kind",
    "INPUTS",
    "Figure",
    "WeightFile",
    "Metric",
    "MetricResult",
    "METRICS",
    "register_metric",
    "get_metric",
]

logger = logging.getLogger(__name__)

Kind = Literal["frame_pair", "video", "distribution"]

#: The named inputs a metric may consume, with their shapes, ranges and colour order.
INPUTS: dict[str, str] = {
    "pred": "(t, h, w, 3) uint8 RGB: the generated frames (for `distribution` metrics: an array (n, h, w, 3) "
    "or an iterable of such batches)",
    "ref": "(t, h, w, 3) uint8 RGB: the reference frames, same size as `pred` (ground truth aligned frame by "
    "frame; for identity metrics one source image (h, w, 3) may stand for all frames)",
    "pred_faces": "(t, 112, 112, 3) uint8 RGB: generated faces aligned to the ArcFace 5-point template",
    "ref_faces": "(t or 1, 112, 112, 3) uint8 RGB: reference faces aligned the same way",
    "sync_crops": "(t, 224, 224, 3) uint8 RGB: face-track crops of the generated video as SyncNet sees them",
    "audio": "(n,) float32 in [-1, 1], mono: the speech the video was generated from",
    "sample_rate": "int: sample rate of `audio` in Hz",
    "fps": "float: frame rate of the video",
    "pose": "(t, 3) float, degrees: head pose as Euler angles (pitch, yaw, roll) per frame",
    "eye_closure": "(t,) float in [0, 1]: eye closure per frame (0 open, 1 closed), e.g. mean eyeBlink score",
    "landmarks": "(t, 478, 3) float, pixels: mediapipe face landmarks of the generated frames (NaN where no face)",
    "ref_landmarks": "(t, 478, 3) float, pixels: the same for the reference frames, aligned frame by frame",
    "frame_times": "(t,) float seconds: presentation time of each video frame (variable frame rate videos)",
    "phones": "list of Phone(label, start, end): ARPAbet phones of the audio, seconds from the first frame "
    "(AudioTrack.phones)",
}


@dataclass(frozen=True)
class Figure:
    """One number a metric reports (LSE reports two: LSE-C and LSE-D).

    Attributes:
        name: key in :attr:`MetricResult.values`.
        higher_is_better: direction of improvement; ``None`` where neither is (an offset, a rate).
        unit: unit of the value, empty when unitless.
    """

    name: str
    higher_is_better: bool | None
    unit: str = ""


@dataclass(frozen=True)
class WeightFile:
    """A weight file the user supplies for a metric; nothing is ever downloaded.

    Attributes:
        name: keyword under which the metric function takes the file's path.
        description: what the file is, where it is published, which formats are accepted.
    """

    name: str
    description: str


@dataclass(frozen=True)
class MetricResult:
    """What a metric returns.

    Attributes:
        values: figure name -> value (a float; ``inf`` where the definition gives it, e.g. PSNR of equal frames).
        per_frame: series name (usually a figure's) -> (t,) float array of per-frame values, where defined.
        details: extra numbers that explain the value (frames skipped, per-angle spreads, best offset).
    """

    values: Mapping[str, float]
    per_frame: Mapping[str, np.ndarray] = field(default_factory=dict)
    details: Mapping[str, float] = field(default_factory=dict)

    def __getitem__(self, name: str) -> float:
        return self.values[name]


@dataclass(frozen=True)
class Metric:
    """A registered metric.

    Attributes:
        name: registry key.
        fn: the function computing it, ``fn(**inputs, **weight_paths, device=...) -> MetricResult``.
        kind: ``frame_pair``, ``video`` or ``distribution`` (module docstring).
        inputs: names from :data:`INPUTS` that ``fn`` takes.
        figures: the numbers it reports.
        definition: one paragraph: what is computed, on what, with which conventions.
        reference: the paper that defines it.
        papers: which of our five papers report it (``ip_lap``, ``mergetalk``, ``osm_net``, ``vividtalk``,
            ``controltalk``).
        weights: user-supplied weight files it needs (empty: it needs none and always runs offline).
        requires: optional Python packages it imports lazily (``dlib``, ``onnxruntime``).
    """

    name: str
    fn: Callable[..., MetricResult]
    kind: Kind
    inputs: tuple[str, ...]
    figures: tuple[Figure, ...]
    definition: str
    reference: str
    papers: tuple[str, ...] = ()
    weights: tuple[WeightFile, ...] = ()
    requires: tuple[str, ...] = ()

    @property
    def needs_weights(self) -> bool:
        return bool(self.weights)

    def __call__(self, **kwargs) -> MetricResult:
        """Compute the metric from keyword arguments; those ``fn`` does not take are ignored.

        So one mapping of every available input (and weight path, and ``device``) can be handed to each
        metric. A weight file not given or missing raises :class:`ModelMissingError`.
        """
        for weight in self.weights:
            path = kwargs.get(weight.name)
            if path is None:
                raise ModelMissingError(
                    f"metric {self.name!r} needs the weight file `{weight.name}` ({weight.description}); "
                    "nothing is downloaded: pass the path of your copy (see docs/metrics.md)"
                )
            if not Path(path).is_file():
                raise ModelMissingError(f"metric {self.name!r}: weight file {path} ({weight.name}) does not exist")
        missing = [name for name in self.inputs if name not in kwargs]
        if missing:
            raise TypeError(f"metric {self.name!r} needs inputs {missing}")
        accepted = inspect.signature(self.fn).parameters
        return self.fn(**{k: v for k, v in kwargs.items() if k in accepted})


#: Every metric by name.
METRICS: dict[str, Metric] = {}


def register_metric(
    name: str,
    *,
    kind: Kind,
    inputs: tuple[str, ...],
    definition: str,
    reference: str,
    figures: tuple[Figure, ...] | None = None,
    higher_is_better: bool | None = None,
    papers: tuple[str, ...] = (),
    weights: tuple[WeightFile, ...] = (),
    requires: tuple[str, ...] = (),
) -> Callable[[Callable[..., MetricResult]], Callable[..., MetricResult]]:
    """Decorator registering ``fn`` in :data:`METRICS` under ``name``.

    A metric reporting one number may give ``higher_is_better`` instead of ``figures``; the figure is then
    named after the metric.
    """
    unknown = [i for i in inputs if i not in INPUTS]
    if unknown:
        raise ValueError(f"metric {name!r}: unknown inputs {unknown}; add them to INPUTS with their shapes")
    if figures is None:
        figures = (Figure(name, higher_is_better),)

    def decorator(fn: Callable[..., MetricResult]) -> Callable[..., MetricResult]:
        if name in METRICS:
            raise ValueError(f"metric {name!r} registered twice")
        METRICS[name] = Metric(
            name=name,
            fn=fn,
            kind=kind,
            inputs=tuple(inputs),
            figures=tuple(figures),
            definition=" ".join(definition.split()),
            reference=" ".join(reference.split()),
            papers=tuple(papers),
            weights=tuple(weights),
            requires=tuple(requires),
        )
        return fn

    return decorator


def get_metric(name: str) -> Metric:
    """The metric registered as ``name``; an unknown name raises :class:`OptionError` listing the known ones."""
    try:
        return METRICS[name]
    except KeyError:
        raise OptionError(f"unknown metric {name!r}; known metrics: {', '.join(sorted(METRICS))}") from None
