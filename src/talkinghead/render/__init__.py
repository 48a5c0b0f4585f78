"""Renderers: the mesh-guided image warp and mouth-interior synthesis of the default method.

- :mod:`~talkinghead.render.mesh_warp`: warp topology (face mesh + anchor rings), backward maps, fold relaxing.
- :mod:`~talkinghead.render.mouth_interior`: cavity, teeth and the source's own teeth inside the lips.
- :class:`WarpRenderer` (``warp_renderer.py``): one frame from a source and target landmarks.
- :class:`FaceRig` (``rig.py``): target landmarks, mouth and eyelid shapes from a fitted face and a motion row.
"""

from talkinghead.render.mesh_warp import WarpMesh, WarpRegion, WarpTopology, unfold
from talkinghead.render.mouth_interior import MouthPalette, MouthShape, SourceMouth, estimate_palette, render_mouth_interior
from talkinghead.render.rig import FaceRig
from talkinghead.render.warp_renderer import PreparedSource, WarpRenderer, canonical_topology, default_topology

__all__ = [
    "WarpTopology", "WarpMesh", "WarpRegion", "unfold", "MouthPalette", "MouthShape", "SourceMouth",
    "estimate_palette", "render_mouth_interior", "WarpRenderer", "PreparedSource", "default_topology",
    "canonical_topology", "FaceRig",
]
