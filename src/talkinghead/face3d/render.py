"""Rendering a fitted face: shaded grey (MergeTalk's "3D face image"), UV-textured, NCC projection texture
(VividTalk Eq. 9-10), depth and mask, with the z-buffer rasteriser of :mod:`talkinghead.face3d.raster`.

Every image render is ``(h, w, 3)`` float32 in [0, 1], RGB; depth is ``(h, w)`` float32 cm along the view axis
(0 on background); masks are ``(h, w)`` bool. Render any window at any size by passing a camera
(:func:`face_camera` frames the face in a square of ``size`` pixels).

The 18 mesh triangles spanning the lips (:attr:`CanonicalMesh.mouth_triangles`) are the mouth cavity: a dark
surface in the shaded and textured renders (the mouth interior itself is the renderer's job, DESIGN.md);
they carry the NCC code of their vertices like the rest of the face.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from talkinghead.face3d.camera import Camera
from talkinghead.face3d.fitting import FaceFit
from talkinghead.face3d.mesh import NUM_VERTICES, CanonicalMesh
from talkinghead.face3d.raster import Fragments, interpolate, rasterize

__all__ = ["FaceRenderer", "FaceFragments", "UVTexture", "RenderKinds", "face_camera", "ncc_colors",
           "compose_projection_texture", "vertex_normals"]

#: the render kinds :meth:`FaceRenderer.render` produces
RenderKinds = ("shaded", "textured", "ncc", "depth", "mask")


def face_camera(landmarks: np.ndarray, camera: Camera, size: int = 256, scale: float = 1.6) -> Camera:
    """A square window around the face, rendered at ``size x size`` pixels.

    Args:
        landmarks: ``(n, 2)`` pixels of the face in ``camera``'s image (e.g. ``fit.landmarks()``).
        camera: the image's camera.
        size: output side in pixels.
        scale: window side / larger side of the landmarks' bounding box.
    """
    lo, hi = landmarks.min(0), landmarks.max(0)
    centre = (lo + hi) / 2
    side = float((hi - lo).max() * scale)
    x0, y0 = centre - side / 2
    return camera.crop(x0, y0, x0 + side, y0 + side).resize(size, size)


def vertex_normals(points: np.ndarray, triangles: np.ndarray) -> np.ndarray:
    """``(v, 3)`` unit normals: area-weighted sum of adjacent face normals (counter-clockwise = outward)."""
    p = np.asarray(points, np.float64)
    t = np.asarray(triangles, np.int64)
    face = np.cross(p[t[:, 1]] - p[t[:, 0]], p[t[:, 2]] - p[t[:, 0]])
    corners = t.T.ravel()  # the 3 corners of every triangle
    normals = np.stack([np.bincount(corners, np.tile(face[:, c], 3), minlength=len(p)) for c in range(3)], 1)
    return normals / np.maximum(np.linalg.norm(normals, axis=1, keepdims=True), 1e-12)


def ncc_colors(mean_shape: np.ndarray) -> np.ndarray:
    """VividTalk Eq. 9: ``NCC_i = (S_i - min S_i) / (max S_i - min S_i)`` per axis of the mean shape, ``(v, 3)``."""
    s = np.asarray(mean_shape, np.float64)
    lo, hi = s.min(0), s.max(0)
    return (s - lo) / (hi - lo)


def compose_projection_texture(inner: np.ndarray, mask: np.ndarray, outer: np.ndarray) -> np.ndarray:
    """VividTalk Eq. 10: ``PT = PT_in * M + PT_out * (1 - M)``; images ``(h, w, c)``, mask ``(h, w)`` in [0, 1]."""
    m = np.asarray(mask, np.float32)[..., None]
    return (inner * m + outer * (1.0 - m)).astype(np.float32)


@dataclass(frozen=True)
class FaceFragments:
    """A rasterised face: which triangle and surface point each pixel shows.

    Attributes:
        fragments: the rasteriser's output for the mesh's 898 triangles.
        points: ``(468, 3)`` float64 camera-space vertices that were rasterised.
        camera: the camera rendered through.
    """

    fragments: Fragments
    points: np.ndarray
    camera: Camera
    triangles: np.ndarray

    @functools.cached_property
    def mask(self) -> np.ndarray:
        """``(h, w)`` bool face mask (mouth cavity included)."""
        return self.fragments.mask

    @functools.cached_property
    def _corners(self) -> tuple[np.ndarray, np.ndarray]:
        """``(m, 3)`` vertex ids and ``(m, 3)`` weights of the ``m`` covered pixels, in mask order."""
        return self.triangles[self.fragments.triangle[self.mask]], self.fragments.bary[self.mask]

    def interpolate(self, attributes: np.ndarray, background: float = 0.0) -> np.ndarray:
        """``(468, c)`` vertex attributes -> ``(h, w, c)`` float64 per pixel (``background`` elsewhere)."""
        ids, weights = self._corners
        attributes = np.asarray(attributes, np.float64)
        out = np.full(self.mask.shape + attributes.shape[1:], background)
        out[self.mask] = sum(weights[:, k, None] * attributes[ids[:, k]] for k in range(3))
        return out


@dataclass(frozen=True)
class UVTexture:
    """The face's colours in mediapipe's UV layout, sampled from a source image.

    Attributes:
        image: ``(s, s, 3)`` float32 in [0, 1], RGB, an upright frontal unwrap (texel ``(u s, v s)``).
        visibility: ``(s, s)`` float32 in [0, 1]: 1 where the texel was seen in the source, 0.5 where it was
            filled from its mirror texel, 0 where it was inpainted or is outside the face.
    """

    image: np.ndarray
    visibility: np.ndarray


class FaceRenderer:
    """Renders :class:`FaceFit` s (or any camera-space vertices of the canonical mesh).

    Args:
        mesh: the canonical mesh; default the fit's model's mesh.
        light: direction towards the light in camera space (x right, y up, z towards the viewer).
        ambient: ambient share of the Lambertian shading, in [0, 1].
        albedo: grey level of skin; eyes are rendered at 0.55 of it, the mouth cavity at ``cavity``.
        cavity: grey level of the mouth cavity (shaded and textured renders).
    """

    def __init__(self, mesh: CanonicalMesh | None = None, light=(-0.35, 0.45, 1.0), ambient: float = 0.3,
                 albedo: float = 0.85, cavity: float = 0.08):
        self._mesh = mesh
        light = np.asarray(light, np.float64)
        self.light = light / np.linalg.norm(light)
        self.ambient = float(ambient)
        self.albedo = float(albedo)
        self.cavity = float(cavity)

    def mesh(self, fit: FaceFit | None = None) -> CanonicalMesh:
        if self._mesh is not None:
            return self._mesh
        if fit is None:
            from talkinghead.face3d.mesh import load_canonical_mesh

            return load_canonical_mesh()
        return fit.model.mesh

    # -- rasterisation --------------------------------------------------------------------------------------------
    def rasterize(self, fit: FaceFit, camera: Camera | None = None, beta=None, pose=None) -> FaceFragments:
        """Rasterise the fitted face (optionally with a new expression / pose) through ``camera``."""
        points = fit.camera_points(beta=beta, pose=pose)[:NUM_VERTICES]
        return self.rasterize_points(points, camera or fit.camera, self.mesh(fit))

    def rasterize_points(self, points: np.ndarray, camera: Camera, mesh: CanonicalMesh | None = None) -> FaceFragments:
        """Rasterise ``(468, 3)`` camera-space vertices of the canonical mesh."""
        mesh = mesh or self.mesh()
        points = np.asarray(points, np.float64)[:NUM_VERTICES]
        frags = rasterize(camera.project(points), -points[:, 2], mesh.triangles, camera.size, cull="back")
        return FaceFragments(frags, points, camera, mesh.triangles)

    # -- the four kinds -------------------------------------------------------------------------------------------
    def shaded(self, ff: FaceFragments) -> np.ndarray:
        """Grey Lambertian render, ``(h, w, 3)`` float32: ``albedo * (ambient + (1 - ambient) max(0, n . l))``."""
        mesh = self.mesh()
        normals = ff.interpolate(vertex_normals(ff.points, mesh.triangles))
        normals /= np.maximum(np.linalg.norm(normals, axis=-1, keepdims=True), 1e-12)
        light = self.ambient + (1.0 - self.ambient) * np.clip(normals @ self.light, 0.0, 1.0)
        grey = self._albedo_map(ff.fragments) * light
        return np.repeat(grey[..., None], 3, axis=-1).astype(np.float32)

    def ncc(self, ff: FaceFragments, colors: np.ndarray | None = None,
            background: np.ndarray | None = None) -> np.ndarray:
        """NCC projection texture ``PT_in`` (VividTalk Eq. 9), ``(h, w, 3)`` float32; with ``background``
        (``PT_out``, ``(h, w, 3)``) composed by Eq. 10.

        Args:
            colors: ``(468, 3)`` per-vertex codes; default :func:`ncc_colors` of the canonical mesh.
        """
        mesh = self.mesh()
        codes = ncc_colors(mesh.vertices) if colors is None else colors
        inner = ff.interpolate(codes).astype(np.float32)
        if background is None:
            return inner
        return compose_projection_texture(inner, ff.mask, np.asarray(background, np.float32))

    def depth(self, ff: FaceFragments) -> np.ndarray:
        """``(h, w)`` float32 distance from the camera along -z in cm, 0 on background."""
        return np.where(ff.mask, ff.fragments.depth, 0.0).astype(np.float32)

    def textured(self, ff: FaceFragments, texture: UVTexture) -> np.ndarray:
        """The UV-textured face, ``(h, w, 3)`` float32 (black background, dark mouth cavity)."""
        import cv2

        mesh = self.mesh()
        size = texture.image.shape[0]
        uv = ff.interpolate(mesh.uvs)
        map_x = (uv[..., 0] * size - 0.5).astype(np.float32)
        map_y = (uv[..., 1] * size - 0.5).astype(np.float32)
        out = cv2.remap(texture.image, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
        out[~ff.mask] = 0.0
        out[self._cavity_mask(ff.fragments)] = self.cavity
        return out.astype(np.float32)

    def mask(self, ff: FaceFragments, cavity: bool = True) -> np.ndarray:
        """``(h, w)`` bool face mask; ``cavity=False`` leaves the mouth opening out."""
        mask = ff.mask.copy()
        if not cavity:
            mask &= ~self._cavity_mask(ff.fragments)
        return mask

    # -- texture from a source image ----------------------------------------------------------------------------
    def extract_texture(self, image: np.ndarray, fit: FaceFit, size: int = 256, tolerance: float = 0.5) -> UVTexture:
        """Sample the face's colours from ``image`` into the UV layout.

        A texel is visible when its surface point faces the camera and is not hidden by the face itself (its
        depth within ``tolerance`` cm of the z-buffer); hidden texels take the colour of their mirror texel
        (mediapipe's UVs are symmetric about u = 0.5) and remaining holes are inpainted.

        Args:
            image: ``(H, W, 3)`` uint8 RGB, the image ``fit`` was fitted in.
            fit: the face in it.
            size: texture side in texels.
        """
        import cv2

        mesh = self.mesh(fit)
        ff = self.rasterize(fit)
        src = ff.points
        pixels = fit.camera.project(src)
        uv_points = mesh.uvs * size
        skin = ~mesh.mouth_triangles
        uv_frags = rasterize(uv_points, np.ones(len(uv_points)), mesh.triangles[skin], (size, size), cull=None)
        tri = mesh.triangles[skin]
        attrs = np.concatenate([pixels, -src[:, 2:3]], 1)  # source pixel x, y and depth per vertex
        sampled = interpolate(uv_frags, tri, attrs)
        inside = uv_frags.mask
        # Facing test on the source view: front-facing triangles appear counter-clockwise in a y-up view.
        a, b, c = (pixels[tri[:, k]] for k in range(3))
        facing = ((b[:, 0] - a[:, 0]) * (c[:, 1] - a[:, 1]) - (b[:, 1] - a[:, 1]) * (c[:, 0] - a[:, 0])) < 0
        zbuf = ff.fragments.depth
        h, w = zbuf.shape
        xi = np.clip(np.floor(sampled[..., 0]).astype(np.int64), 0, w - 1)
        yi = np.clip(np.floor(sampled[..., 1]).astype(np.int64), 0, h - 1)
        seen = inside & facing[np.maximum(uv_frags.triangle, 0)] & (sampled[..., 2] <= zbuf[yi, xi] + tolerance)
        rgb = np.asarray(image, np.float32) / 255.0
        colours = cv2.remap(rgb, (sampled[..., 0] - 0.5).astype(np.float32), (sampled[..., 1] - 0.5).astype(np.float32),
                            cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
        visibility = seen.astype(np.float32)
        mirror_ok = seen[:, ::-1] & ~seen & inside
        colours[mirror_ok] = colours[:, ::-1][mirror_ok]
        visibility[mirror_ok] = 0.5
        colours[~(seen | mirror_ok)] = 0.0
        holes = (inside & ~(seen | mirror_ok)).astype(np.uint8)
        if holes.any():
            filled = cv2.inpaint((np.clip(colours, 0, 1) * 255).astype(np.uint8), holes, 3, cv2.INPAINT_TELEA)
            colours[holes > 0] = filled[holes > 0].astype(np.float32) / 255.0
        return UVTexture(np.clip(colours, 0, 1).astype(np.float32), visibility)

    # -- everything at once ---------------------------------------------------------------------------------------
    def render(self, fit: FaceFit, camera: Camera | None = None, texture: UVTexture | None = None,
               kinds=RenderKinds, beta=None, pose=None) -> dict[str, np.ndarray]:
        """One rasterisation, several kinds: name -> image (``"textured"`` only when ``texture`` is given)."""
        ff = self.rasterize(fit, camera, beta=beta, pose=pose)
        out = {}
        for kind in kinds:
            if kind == "textured":
                if texture is not None:
                    out[kind] = self.textured(ff, texture)
            elif kind in RenderKinds:
                out[kind] = getattr(self, kind)(ff)
            else:
                raise ValueError(f"unknown render kind {kind!r}; known: {', '.join(RenderKinds)}")
        return out

    # -- helpers --------------------------------------------------------------------------------------------------
    def _albedo_map(self, frags: Fragments) -> np.ndarray:
        mesh = self.mesh()
        per_triangle = np.full(len(mesh.triangles) + 1, self.albedo)
        per_triangle[:-1][mesh.eye_triangles] = 0.55 * self.albedo
        per_triangle[:-1][mesh.mouth_triangles] = self.cavity
        per_triangle[-1] = 0.0  # background (index -1)
        return per_triangle[frags.triangle]

    def _cavity_mask(self, frags: Fragments) -> np.ndarray:
        mouth = np.append(self.mesh().mouth_triangles, False)
        return mouth[frags.triangle]
