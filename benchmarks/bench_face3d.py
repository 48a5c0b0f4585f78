"""Benchmark of talkinghead.face3d: fit time per frame, projection, and render time at 256x256 per kind.

Runs on a synthetic face (the model's mean shape with an expression, posed in a 640x480 mediapipe camera), so
it needs neither the landmarker model nor media. Prints a table; makes no assertions.

BLAS is limited to one thread unless ``--blas-threads`` says otherwise (set before numpy is imported): the
matrices here are small (52 x 1434), and on a busy machine OpenBLAS's thread pool made a 60 x 52 x 1434 product
100 times slower (40 ms instead of 0.3 ms) on the 2-core development box.

Usage: ``python benchmarks/bench_face3d.py [--size 256] [--repeat 30] [--frames 100] [--blas-threads N]``.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys

if __name__ == "__main__":
    _threads = sys.argv[sys.argv.index("--blas-threads") + 1] if "--blas-threads" in sys.argv else "1"
    for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(_var, _threads)

import numpy as np
from _timing import timed  # benchmarks/ is on sys.path when a script runs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=256, help="render size (square)")
    parser.add_argument("--repeat", type=int, default=30, help="timed calls per row")
    parser.add_argument("--frames", type=int, default=100, help="frames of the sequence fit")
    parser.add_argument("--blas-threads", default="1", help="BLAS threads (read before numpy is imported)")
    args = parser.parse_args()

    from talkinghead.blendshapes import INDEX
    from talkinghead.face3d import Camera, FaceFitter, FaceModel, Pose, landmarks_to_metric
    from talkinghead.face3d.metric import RIGID_POSE_WEIGHTS
    from talkinghead.face3d.render import FaceRenderer, face_camera
    from talkinghead.face3d.sketch import draw_sketch, landmark_heatmaps, lip_landmarks

    model = FaceModel.load()
    camera = Camera.mediapipe(640, 480)
    rng = np.random.default_rng(0)
    beta = np.zeros(52)
    beta[[INDEX["jawOpen"], INDEX["mouthSmileLeft"], INDEX["mouthSmileRight"]]] = (0.3, 0.4, 0.4)

    def landmarks_for(b, pose):
        points = pose.apply(model.shape(None, b))
        depth = -points[:, 2]
        return np.concatenate([camera.project(points), (camera.focal * depth / depth.mean())[:, None]], 1)

    pose = Pose.from_euler(10, -5, 2, translation=(1, 2, -45))
    landmarks = landmarks_for(beta, pose)
    fitter = FaceFitter(model)
    sequence = np.stack([landmarks_for(np.clip(beta + rng.normal(0, 0.05, 52), 0, 1),
                                       Pose.from_euler(*rng.normal(0, 5, 3), translation=(0, 0, -45)))
                         for _ in range(args.frames)])
    scores = np.tile(beta, (args.frames, 1))

    rows: list[tuple[str, float, float]] = []

    def add(name, fn, per=1):
        med, best = (seconds * 1e3 for seconds in timed(fn, args.repeat))
        rows.append((name, med / per, best / per))

    add("landmarks_to_metric (478 pts)",
        lambda: landmarks_to_metric(landmarks, camera, pose_weights=RIGID_POSE_WEIGHTS))
    add("fit one image (FaceFitter.fit)", lambda: fitter.fit(landmarks, (640, 480), beta))
    add(f"fit video, per frame ({args.frames} frames)",
        lambda: fitter.fit_sequence(sequence, (640, 480), scores), per=args.frames)
    fit = fitter.fit(landmarks, (640, 480), beta)
    add("project 478 landmarks (FaceModel.project)", lambda: model.project(fit.identity, beta, fit.pose, camera))

    renderer = FaceRenderer()
    cam = face_camera(fit.landmarks(), fit.camera, size=args.size)
    image = rng.integers(0, 255, (480, 640, 3), dtype=np.uint8)
    texture = renderer.extract_texture(image, fit, size=args.size)
    add(f"extract UV texture ({args.size}^2)", lambda: renderer.extract_texture(image, fit, size=args.size))
    add(f"rasterise ({args.size}^2)", lambda: renderer.rasterize(fit, cam))

    def kind(name):
        def run():
            ff = renderer.rasterize(fit, cam)
            return renderer.textured(ff, texture) if name == "textured" else getattr(renderer, name)(ff)
        return run

    for name in ("shaded", "textured", "ncc", "depth", "mask"):
        add(f"render {name} ({args.size}^2, incl. rasterise)", kind(name))
    add(f"render all five, one rasterise ({args.size}^2)", lambda: renderer.render(fit, cam, texture))
    lm = fit.landmarks(camera=cam)
    size = (args.size, args.size)
    add(f"sketch ({args.size}^2)", lambda: draw_sketch(lm, size))
    lips = lm[list(lip_landmarks())]
    add(f"lip heatmaps, 40 maps ({args.size}^2)", lambda: landmark_heatmaps(lips, size, sigma=2.0))
    add(f"lip heatmap, max of 40 ({args.size}^2)", lambda: landmark_heatmaps(lips, size, sigma=2.0, reduce="max"))

    print(f"talkinghead.face3d benchmark: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
          f"numpy {np.__version__}, BLAS threads {os.environ.get('OPENBLAS_NUM_THREADS')}, "
          f"load average {os.getloadavg()[0]:.1f}")
    print(f"{'step':52s} {'median ms':>10s} {'min ms':>8s}")
    for name, med, best in rows:
        print(f"{name:52s} {med:10.3f} {best:8.3f}")


if __name__ == "__main__":
    main()
