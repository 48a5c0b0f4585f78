"""Named index groups of mediapipe's 478 face landmarks (the 468-vertex canonical mesh + 10 iris points).

Every part of the package that needs "the lips" or "the jaw line" takes it from here (the 3D face model,
sketches, masks, IP-LAP's landmark subsets). Contours are ordered loops (first index not repeated at the
end) usable directly as polygons; sets are sorted tuples.

Left and right are the *subject's* (mediapipe's and ARKit's convention): ``LEFT_EYE`` is the eye that appears
on the image's right in an unmirrored frontal photo. Loops were traced from mediapipe's
``FaceLandmarksConnections`` (mediapipe 1.2.2, ``tasks/python/vision/face_landmarker.py``).
"""

from __future__ import annotations

__all__ = [
    "NUM_LANDMARKS", "NUM_MESH_VERTICES",
    "FACE_OVAL", "JAW", "LIPS_OUTER", "LIPS_INNER", "LIPS", "MOUTH_CORNERS", "INNER_LIP_CENTER",
    "LEFT_EYE", "RIGHT_EYE", "LEFT_EYE_CORNERS", "RIGHT_EYE_CORNERS",
    "LEFT_BROW", "RIGHT_BROW", "LEFT_BROW_UPPER", "RIGHT_BROW_UPPER", "LEFT_BROW_LOWER", "RIGHT_BROW_LOWER",
    "NOSE_BRIDGE", "NOSE_BOTTOM", "NOSE", "NOSE_TIP", "CHIN", "FOREHEAD_TOP",
    "LEFT_IRIS", "RIGHT_IRIS", "LEFT_IRIS_CENTER", "RIGHT_IRIS_CENTER",
    "POSE_BASIS",
]

#: landmarks per face from FaceLandmarker (468 mesh vertices + 2 x 5 iris points)
NUM_LANDMARKS = 478
#: vertices of mediapipe's canonical face mesh (landmarks 0..467)
NUM_MESH_VERTICES = 468

#: face outline, clockwise in the image starting at the top of the forehead (10) through the subject's left
#: cheek (454), the chin (152) and the subject's right cheek (234)
FACE_OVAL: tuple[int, ...] = (
    10, 338, 297, 332, 284, 251, 389, 356, 454, 323, 361, 288, 397, 365, 379, 378, 400, 377, 152, 148, 176,
    149, 150, 136, 172, 58, 132, 93, 234, 127, 162, 21, 54, 103, 67, 109,
)
#: jaw line: the part of FACE_OVAL from the subject's left cheek (454) over the chin to the right cheek (234)
JAW: tuple[int, ...] = FACE_OVAL[8:29]
#: chin point (bottom of FACE_OVAL) and top of the forehead
CHIN = 152
FOREHEAD_TOP = 10

#: outer lip contour, from the subject's right mouth corner (61) along the lower lip, then back along the upper
LIPS_OUTER: tuple[int, ...] = (
    61, 146, 91, 181, 84, 17, 314, 405, 321, 375, 291, 409, 270, 269, 267, 0, 37, 39, 40, 185,
)
#: inner lip contour (the mouth opening), from the right inner corner (78) along the lower lip, then the upper
LIPS_INNER: tuple[int, ...] = (
    78, 95, 88, 178, 87, 14, 317, 402, 318, 324, 308, 415, 310, 311, 312, 13, 82, 81, 80, 191,
)
LIPS: tuple[int, ...] = tuple(sorted(set(LIPS_OUTER) | set(LIPS_INNER)))
#: outer mouth corners (subject's right, left)
MOUTH_CORNERS: tuple[int, int] = (61, 291)
#: centre of the inner upper lip and of the inner lower lip: their distance is the mouth opening
INNER_LIP_CENTER: tuple[int, int] = (13, 14)

#: eye contours: outer corner, lower lid, inner corner, upper lid
RIGHT_EYE: tuple[int, ...] = (33, 7, 163, 144, 145, 153, 154, 155, 133, 173, 157, 158, 159, 160, 161, 246)
LEFT_EYE: tuple[int, ...] = (263, 249, 390, 373, 374, 380, 381, 382, 362, 398, 384, 385, 386, 387, 388, 466)
#: (outer, inner) eye corners
RIGHT_EYE_CORNERS: tuple[int, int] = (33, 133)
LEFT_EYE_CORNERS: tuple[int, int] = (263, 362)

#: eyebrow upper and lower edges, from the temple to the nose
RIGHT_BROW_UPPER: tuple[int, ...] = (70, 63, 105, 66, 107)
RIGHT_BROW_LOWER: tuple[int, ...] = (46, 53, 52, 65, 55)
LEFT_BROW_UPPER: tuple[int, ...] = (300, 293, 334, 296, 336)
LEFT_BROW_LOWER: tuple[int, ...] = (276, 283, 282, 295, 285)
#: eyebrow outlines as polygons (upper edge, then lower edge back)
RIGHT_BROW: tuple[int, ...] = RIGHT_BROW_UPPER + RIGHT_BROW_LOWER[::-1]
LEFT_BROW: tuple[int, ...] = LEFT_BROW_UPPER + LEFT_BROW_LOWER[::-1]

#: nose ridge from between the eyes (168) to the tip (4)
NOSE_BRIDGE: tuple[int, ...] = (168, 6, 197, 195, 5, 4)
NOSE_TIP = 1
#: bottom of the nose, subject's right ala to left ala, through the columella base (2)
NOSE_BOTTOM: tuple[int, ...] = (64, 98, 97, 2, 326, 327, 294)
#: every landmark mediapipe draws as the nose
NOSE: tuple[int, ...] = tuple(sorted({
    168, 6, 197, 195, 5, 4, 1, 19, 94, 2, 97, 98, 64, 48, 115, 220, 45, 326, 327, 294, 278, 344, 440, 275,
}))

#: iris centre and the 4 points of the iris circle (landmarks 468..477, present in the 478-point output)
RIGHT_IRIS_CENTER = 468
RIGHT_IRIS: tuple[int, ...] = (469, 470, 471, 472)
LEFT_IRIS_CENTER = 473
LEFT_IRIS: tuple[int, ...] = (474, 475, 476, 477)

#: mediapipe's Procrustes basis for the head pose (geometry metadata of the landmarker bundle): nose, eye
#: corners, cheekbones, temples, forehead and a few jaw points
POSE_BASIS: tuple[int, ...] = (
    4, 6, 10, 33, 54, 67, 117, 119, 121, 127, 129, 132, 133, 136, 143, 147, 198, 205,
    263, 284, 297, 346, 348, 350, 356, 358, 361, 362, 365, 372, 376, 420, 425,
)
