"""Fit the ARKit-52 expression basis of ``FaceModel`` from real talking videos, and report held-out error.

Steps (docs/face3d.md has the reasoning and the results):

1. run ``talkinghead.face.FaceAnalyzer`` over every frame of the videos (default ``../shared/media/video``),
   keeping the largest face: 478 pixel landmarks and mediapipe's 52 blendshape scores per frame (cached);
2. map each frame into canonical space (``landmarks_to_metric`` with the rigid-point pose weights, so that jaw
   motion does not tilt the frame);
3. fixed-effects ridge regression of landmark displacements on the scores, per-subject neutral removed, with
   mirror and locality priors and ``jawOpen`` fitted alone first (``talkinghead.face3d.basis_fit``);
4. per shape: excitation (mean within-video std of the score) and stability (cosine between the fits on the
   first and second half of every video, and the worst leave-one-video-out fit); a shape is kept from the data
   when excitation >= 0.01 and both stabilities >= 0.7, otherwise it gets its geometric definition;
5. held-out landmark error in % of face height: 5-fold cross-validation over contiguous time blocks of every
   video, and leave-one-video-out (neutral from the first half of the held-out video, error on its second half),
   against predicting the subject's neutral face and the subject's mean face;
6. write ``src/talkinghead/assets/face3d/expression_basis.npz`` and print the tables.

Usage: ``python scripts/face3d/fit_basis.py [--videos V1.mp4 ...] [--cache /tmp/face3d_landmarks]``.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

import numpy as np

from talkinghead.blendshapes import ARKIT_NAMES, INDEX
from talkinghead.face3d import basis_fit as bf
from talkinghead.face3d.camera import Camera
from talkinghead.face3d.mesh import NUM_LANDMARKS, NUM_VERTICES, load_canonical_mesh
from talkinghead.face3d.metric import RIGID_POSE_WEIGHTS, landmarks_to_metric

REPO = Path(__file__).resolve().parents[2]
OUT = REPO / "src/talkinghead/assets/face3d/expression_basis.npz"
DEFAULT_VIDEOS = sorted((REPO.parent / "shared/media/video").glob("*.mp4"))
MIN_EXCITATION = 0.01
MIN_STABILITY = 0.7
FOLDS = 5

logger = logging.getLogger("fit_basis")


def detect_video(path: Path, cache: Path) -> dict[str, np.ndarray]:
    """Landmarks ``(T, 478, 3)`` px, scores ``(T, 52)`` and image size of every frame with a face (cached)."""
    cached = cache / f"{path.stem}.npz"
    if cached.is_file():
        return dict(np.load(cached))
    from talkinghead.face import FaceAnalyzer
    from talkinghead.face.detected_face import select_face
    from talkinghead.io import iter_frames

    landmarks, scores, index = [], [], []
    size = (0, 0)
    with FaceAnalyzer() as analyzer:
        for frame in iter_frames(path):
            faces = analyzer.detect(frame.image)
            if not faces:
                continue
            face = select_face(faces, ambiguity_ratio=None)
            landmarks.append(face.landmarks)
            scores.append(face.blendshapes)
            index.append(frame.index)
            size = face.image_size
    data = {"landmarks": np.asarray(landmarks, np.float32), "blendshapes": np.asarray(scores, np.float32),
            "image_size": np.asarray(size), "frame_index": np.asarray(index)}
    cache.mkdir(parents=True, exist_ok=True)
    np.savez(cached, **data)
    logger.info("%s: %d frames with a face", path.name, len(index))
    return data


def to_canonical(data: dict[str, np.ndarray]) -> np.ndarray:
    """``(T, 478, 3)`` canonical-space landmarks of a detected sequence."""
    width, height = (int(v) for v in data["image_size"])
    camera = Camera.mediapipe(width, height)
    return np.stack([landmarks_to_metric(lm, camera, pose_weights=RIGID_POSE_WEIGHTS).canonical
                     for lm in data["landmarks"]])


def time_blocks(subjects: np.ndarray, folds: int) -> np.ndarray:
    """``(N,)`` fold id: each subject's frames cut into ``folds`` contiguous blocks."""
    out = np.zeros(len(subjects), np.int64)
    for s in np.unique(subjects):
        idx = np.flatnonzero(subjects == s)
        out[idx] = np.arange(len(idx)) * folds // len(idx)
    return out


class BasisFitter:
    """The full recipe on one training set: raw fit, geometric substitutes, final basis."""

    def __init__(self, mean: np.ndarray, mirror: np.ndarray, sources: dict[str, str] | None = None):
        self.mean = mean
        self.mirror = mirror
        self.prior = bf.region_prior(mean)
        self.sources = sources

    def raw(self, p, b, s) -> np.ndarray:
        return bf.fit_expression_basis(p, b, s, mirror=self.mirror, prior=self.prior)

    def final(self, p, b, s) -> np.ndarray:
        basis = self.raw(p, b, s)
        from talkinghead.face import landmark_groups

        geometric = bf.geometric_shapes(self.mean, basis, landmark_groups)
        for name, source in self.sources.items():
            if source != "fitted":
                basis[INDEX[name]] = geometric[name]
        return basis


def evaluate(fitter: BasisFitter, p, b, s, face_height: float, mouth: np.ndarray) -> dict[str, dict[str, float]]:
    """Held-out errors (% face height) of the final basis, the unconstrained ridge, neutral and mean face."""
    def unconstrained(pp, bb, ss):
        return bf.fit_expression_basis(pp, bb, ss, ridge=1.0, single_variable=())

    def scores_for(train, test, make_basis, neutral_frames):
        basis = make_basis(p[train], b[train], s[train])
        out = {}
        neutrals = bf.subject_neutrals(p[neutral_frames], b[neutral_frames], s[neutral_frames], basis)
        means = {k: p[neutral_frames & (s == k)].mean(0) for k in np.unique(s[neutral_frames])}
        idx = np.flatnonzero(test)
        pred = np.stack([neutrals[s[i]] + np.tensordot(b[i], basis, 1) for i in idx])
        neutral = np.stack([neutrals[s[i]] for i in idx])
        mean = np.stack([means[s[i]] for i in idx])
        for name, q in (("model", pred), ("neutral", neutral), ("mean face", mean)):
            out[name] = (bf.landmark_error(q, p[idx], face_height), bf.landmark_error(q, p[idx], face_height, mouth))
        return out

    results: dict[str, dict[str, list]] = {}

    def add(protocol, name, errs):
        results.setdefault(protocol, {}).setdefault(name, []).append(errs)

    folds = time_blocks(s, FOLDS)
    for k in range(FOLDS):
        train, test = folds != k, folds == k
        final = scores_for(train, test, fitter.final, train)
        add("cv", "final basis", final["model"])
        add("cv", "unconstrained ridge", scores_for(train, test, unconstrained, train)["model"])
        add("cv", "neutral face", final["neutral"])  # the subject's neutral under the final basis
        add("cv", "mean face", final["mean face"])
    for held in np.unique(s):
        idx = np.flatnonzero(s == held)
        first = np.zeros(len(s), bool)
        first[idx[: len(idx) // 2]] = True
        second = np.zeros(len(s), bool)
        second[idx[len(idx) // 2:]] = True
        train = s != held
        final = scores_for(train, second, fitter.final, train | first)
        add("lovo", "final basis", final["model"])
        add("lovo", "unconstrained ridge", scores_for(train, second, unconstrained, train | first)["model"])
        add("lovo", "neutral face", final["neutral"])
        add("lovo", "mean face", final["mean face"])
    return {proto: {name: {"all": float(np.mean([e[0] for e in errs])), "mouth": float(np.mean([e[1] for e in errs]))}
                    for name, errs in table.items()} for proto, table in results.items()}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--videos", nargs="*", type=Path, default=DEFAULT_VIDEOS, help="talking-face videos")
    parser.add_argument("--cache", type=Path, default=Path("/tmp/face3d_landmarks"), help="landmark cache folder")
    parser.add_argument("--out", type=Path, default=OUT, help=f"output .npz (default {OUT})")
    parser.add_argument("--no-eval", action="store_true", help="skip the held-out evaluation")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    if not args.videos:
        sys.exit("no videos given and ../shared/media/video is absent")

    canon, scores, subjects, names = [], [], [], []
    for sid, video in enumerate(args.videos):
        data = detect_video(video, args.cache)
        canon.append(to_canonical(data))
        scores.append(data["blendshapes"].astype(np.float64))
        subjects.append(np.full(len(data["blendshapes"]), sid))
        names.append(video.name)
        logger.info("%-32s %4d frames", video.name, len(data["blendshapes"]))
    p = np.concatenate(canon)
    b = np.concatenate(scores)
    s = np.concatenate(subjects)

    mesh = load_canonical_mesh()
    rough_mean = p.mean(0)
    mirror = np.concatenate([bf.mirror_map(mesh.vertices),
                             NUM_VERTICES + bf.mirror_map(rough_mean[NUM_VERTICES:], exact=0)])
    # Symmetric reference shape for the region prior and the geometric shapes (keeps Left/Right exact mirrors).
    rough_mean = 0.5 * (rough_mean + rough_mean[mirror] * np.array([-1.0, 1.0, 1.0]))
    fitter = BasisFitter(rough_mean, mirror)

    # Excitation and stability per shape decide where each shape comes from.
    excitation = np.mean([b[s == k].std(0) for k in np.unique(s)], axis=0)
    first_half = np.zeros(len(s), bool)
    for k in np.unique(s):
        idx = np.flatnonzero(s == k)
        first_half[idx[: len(idx) // 2]] = True
    full = fitter.raw(p, b, s)
    halves = bf.shape_stability(fitter.raw(p[first_half], b[first_half], s[first_half]),
                                fitter.raw(p[~first_half], b[~first_half], s[~first_half]))
    lovo = np.min([bf.shape_stability(full, fitter.raw(p[s != k], b[s != k], s[s != k])) for k in np.unique(s)], 0)
    from talkinghead.face import landmark_groups

    geometric = bf.geometric_shapes(rough_mean, full, landmark_groups)
    sources = {}
    for k, name in enumerate(ARKIT_NAMES):
        data_ok = excitation[k] >= MIN_EXCITATION and min(halves[k], lovo[k]) >= MIN_STABILITY
        if data_ok:
            sources[name] = "fitted"
        elif name in geometric:
            sources[name] = "geometric" if np.any(geometric[name]) else "zero"
        else:
            sources[name] = "fitted (unstable)"  # no geometric definition: kept, and flagged in the report
    if sources["jawOpen"] == "fitted":
        sources["jawOpen"] = "fitted (single variable)"
    fitter.sources = {n: ("fitted" if v.startswith("fitted") else v) for n, v in sources.items()}
    basis = fitter.final(p, b, s)

    # Mean shape: average subject neutral, symmetrised.
    neutrals = bf.subject_neutrals(p, b, s, basis)
    mean = np.mean(list(neutrals.values()), axis=0)
    mean = 0.5 * (mean + mean[mirror] * np.array([-1.0, 1.0, 1.0]))
    face_height = float(np.linalg.norm(mean[10, :2] - mean[152, :2]))
    mouth = np.array(landmark_groups.LIPS)

    report = {
        "videos": names, "frames": int(len(s)), "face_height_cm": face_height,
        "shapes": {name: {"source": sources[name], "excitation": float(excitation[k]), "halves": float(halves[k]),
                          "lovo_min": float(lovo[k]),
                          "max_displacement_cm": float(np.linalg.norm(basis[k], axis=1).max())}
                   for k, name in enumerate(ARKIT_NAMES)},
    }
    jaw = basis[INDEX["jawOpen"]]
    report["jawOpen_lip_gap_percent_per_unit"] = float((jaw[13, 1] - jaw[14, 1]) / face_height * 100)
    logger.info("%-20s %-26s %6s %6s %6s %6s", "shape", "source", "excit", "halves", "lovo", "max cm")
    for name, row in report["shapes"].items():
        logger.info("%-20s %-26s %6.3f %6.2f %6.2f %6.2f", name, row["source"], row["excitation"], row["halves"],
                    row["lovo_min"], row["max_displacement_cm"])
    logger.info("jawOpen: inner-lip gap %.1f%% of face height per unit", report["jawOpen_lip_gap_percent_per_unit"])
    if not args.no_eval:
        report["held_out"] = evaluate(fitter, p, b, s, face_height, mouth)
        for proto, table in report["held_out"].items():
            logger.info("held-out (%s), landmark error in %% of face height (all 478 / lips):", proto)
            for name, row in table.items():
                logger.info("  %-22s %5.2f / %5.2f", name, row["all"], row["mouth"])

    args.out.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(
        args.out,
        mean_shape=mean.astype(np.float32),
        basis=basis.astype(np.float32),
        mirror=mirror.astype(np.int32),
        sources=np.array([sources[n] for n in ARKIT_NAMES]),
        report=np.array(json.dumps(report)),
    )
    assert mean.shape == (NUM_LANDMARKS, 3)
    logger.info("wrote %s", args.out)


if __name__ == "__main__":
    main()
