"""3D face model, fitting and rendering on mediapipe's topology (the papers' 3DMM stand-in; DESIGN.md).

- :class:`FaceModel`: canonical 468-vertex mesh + 10 iris points, per-subject identity, ARKit-52 basis (Eq. 1).
- :class:`FaceFitter`: landmarks -> identity, expression, pose by least squares (one image or a video).
- :class:`Camera`, :class:`Pose`: mediapipe's metric camera and the canonical -> camera similarity.
- :class:`FaceRenderer`: z-buffered CPU renders (shaded, UV-textured, NCC, depth, mask); :func:`face_camera`.
- :mod:`talkinghead.face3d.sketch`: IP-LAP landmark sketches and Gaussian landmark heatmaps.

docs/face3d.md describes the model, where each blendshape comes from, and the measured errors.
"""

from talkinghead.face3d.camera import Camera, Pose
from talkinghead.face3d.fitting import FaceFit, FaceFitter, SequenceFit
from talkinghead.face3d.mesh import CanonicalMesh, load_canonical_mesh
from talkinghead.face3d.metric import landmarks_to_metric
from talkinghead.face3d.model import FaceModel
from talkinghead.face3d.render import FaceRenderer, UVTexture, face_camera

__all__ = [
    "Camera", "Pose", "FaceModel", "FaceFit", "FaceFitter", "SequenceFit", "CanonicalMesh", "load_canonical_mesh",
    "landmarks_to_metric", "FaceRenderer", "UVTexture", "face_camera",
]
