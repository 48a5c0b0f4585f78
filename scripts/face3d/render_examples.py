"""Render the astronaut through the face model, for people to look at.

Detects the face in ``skimage.data.astronaut()`` (or ``--image``) with ``talkinghead.face.FaceAnalyzer``, fits
``FaceModel`` and writes to ``--out`` (default ``/tmp/face3d_renders``), all ``--size`` pixels square around the
face:

- ``kinds_*.png``: source crop, shaded grey (MergeTalk's 3D face image), UV-textured, NCC (VividTalk Eq. 9),
  depth, mask, IP-LAP sketch, lip Gaussian heatmaps, and the UV texture itself;
- ``jaw_*.png``: a jawOpen sweep (the fitted expression with jawOpen set to 0 ... 0.6), shaded and textured;
- ``yaw_*.png``: a yaw sweep (-40 ... +40 degrees about the head), shaded, textured and NCC;
- ``contact_sheet.png``: all of it on one page (``--sheet`` copies it elsewhere, e.g. ``docs/``).

Usage: ``python scripts/face3d/render_examples.py [--image PATH] [--out DIR] [--size 256] [--sheet PATH]``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from talkinghead.blendshapes import INDEX
from talkinghead.face3d import FaceFitter, Pose
from talkinghead.face3d.camera import euler_to_rotation
from talkinghead.face3d.render import FaceRenderer, face_camera
from talkinghead.face3d.sketch import draw_sketch, landmark_heatmaps, lip_landmarks

JAW = (0.0, 0.1, 0.2, 0.35, 0.6)
YAW = (-40.0, -20.0, 0.0, 20.0, 40.0)


def to_uint8(image: np.ndarray) -> np.ndarray:
    image = np.asarray(image, np.float32)
    if image.ndim == 2:
        image = np.repeat(image[..., None], 3, axis=-1)
    return (np.clip(image, 0, 1) * 255 + 0.5).astype(np.uint8)


def depth_image(depth: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Near = bright, background black."""
    if not mask.any():
        return np.zeros(depth.shape, np.float32)
    near, far = depth[mask].min(), depth[mask].max()
    return np.where(mask, 0.15 + 0.85 * (far - depth) / max(far - near, 1e-6), 0.0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--image", type=Path, default=None, help="a portrait (default: skimage's astronaut)")
    parser.add_argument("--out", type=Path, default=Path("/tmp/face3d_renders"), help="output folder")
    parser.add_argument("--size", type=int, default=256, help="render size in pixels")
    parser.add_argument("--sheet", type=Path, default=None, help="also write the contact sheet here (96 px tiles)")
    args = parser.parse_args()

    import cv2

    from talkinghead.face import FaceAnalyzer, select_face
    from talkinghead.io import read_image, write_image

    if args.image is None:
        from skimage import data

        image = data.astronaut()
    else:
        image = read_image(args.image)
    with FaceAnalyzer() as analyzer:
        face = select_face(analyzer.detect(image))
    fit = FaceFitter().fit_face(face)
    renderer = FaceRenderer()
    camera = face_camera(fit.landmarks(), fit.camera, size=args.size)
    texture = renderer.extract_texture(image, fit, size=args.size)
    args.out.mkdir(parents=True, exist_ok=True)
    size = (args.size, args.size)

    # The source window, warped with the same camera crop.
    x0 = fit.camera.cx - camera.cx * fit.camera.focal / camera.focal
    y0 = fit.camera.cy - camera.cy * fit.camera.focal / camera.focal
    scale = camera.focal / fit.camera.focal
    source = cv2.warpAffine(image, np.array([[scale, 0, -x0 * scale], [0, scale, -y0 * scale]]), size,
                            flags=cv2.INTER_AREA, borderMode=cv2.BORDER_REPLICATE)
    out = renderer.render(fit, camera, texture)
    landmarks = fit.landmarks(camera=camera)
    kinds = {
        "source": source / 255.0,
        "shaded": out["shaded"],
        "textured": out["textured"],
        "ncc": out["ncc"],
        "depth": depth_image(out["depth"], out["mask"]),
        "mask": out["mask"].astype(np.float32),
        "sketch": draw_sketch(landmarks, size),
        "lip_heatmap": landmark_heatmaps(landmarks[list(lip_landmarks())], size, sigma=args.size / 128, reduce="max"),
        "uv_texture": cv2.resize(texture.image, size),
    }
    rows = [list(kinds.values())]
    for name, img in kinds.items():
        write_image(args.out / f"kinds_{name}.png", to_uint8(img), overwrite=True)

    jaw_shaded, jaw_textured = [], []
    for value in JAW:
        beta = fit.beta.copy()
        beta[INDEX["jawOpen"]] = value
        r = renderer.render(fit, camera, texture, kinds=("shaded", "textured"), beta=beta)
        write_image(args.out / f"jaw_{value:.2f}_shaded.png", to_uint8(r["shaded"]), overwrite=True)
        write_image(args.out / f"jaw_{value:.2f}_textured.png", to_uint8(r["textured"]), overwrite=True)
        jaw_shaded.append(r["shaded"])
        jaw_textured.append(r["textured"])
    rows.append(jaw_shaded + jaw_textured[:4])

    yaw_rows: list[list[np.ndarray]] = [[], []]
    for yaw in YAW:
        turn = euler_to_rotation(yaw, 0.0, 0.0)
        pose = Pose(turn @ fit.pose.rotation, fit.pose.translation, fit.pose.scale)
        r = renderer.render(fit, camera, texture, kinds=("shaded", "textured", "ncc"), pose=pose)
        for kind in ("shaded", "textured", "ncc"):
            write_image(args.out / f"yaw_{yaw:+03.0f}_{kind}.png", to_uint8(r[kind]), overwrite=True)
        yaw_rows[0].append(r["textured"])
        yaw_rows[1].append(r["ncc"] if yaw != 0 else r["shaded"])
    rows.append(yaw_rows[0] + yaw_rows[1][:2] + yaw_rows[1][3:])

    tile = 96
    sheet = np.concatenate([np.concatenate([cv2.resize(to_uint8(t), (tile, tile), interpolation=cv2.INTER_AREA)
                                            for t in row], 1) for row in rows], 0)
    write_image(args.out / "contact_sheet.png", sheet, overwrite=True)
    if args.sheet is not None:
        write_image(args.sheet, sheet, overwrite=True)
    print(f"wrote {len(list(args.out.glob('*.png')))} images to {args.out}")


if __name__ == "__main__":
    main()
