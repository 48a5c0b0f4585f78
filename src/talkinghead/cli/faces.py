"""`talkinghead faces`: list the faces found in an image or video, and follow the chosen one through a video."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from talkinghead.errors import NoFaceError, OptionError

HELP = "list the faces found in an image or video (index, box, size, head pose, score)"
DESCRIPTION = """List every human face in an image, largest first, with the index that --face-index takes in
`talkinghead generate`: its box (x0,y0-x1,y1 pixels), size (pixels), head pose (yaw, pitch, roll in degrees;
yaw > 0 turned towards the image right, pitch > 0 chin up, roll > 0 counter-clockwise) and score (how surely it
is a human face; below --min-confidence it is listed as rejected, e.g. an animal).

For a video, the faces of the first frame that has any are listed, then the chosen face (--face-index, default
the largest) is tracked through the video: frames where it was detected, bridged (short gaps) or lost, and
the range of its head pose.

Examples:
  talkinghead faces group.jpg
  talkinghead faces interview.mp4 --face-index 1 --json"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("input", metavar="IMAGE_OR_VIDEO", help="a photo, painting, rendering or a video")
    parser.add_argument("--face-index", type=int, default=None, metavar="N",
                        help="the face to select (0 = largest); default the largest")
    parser.add_argument("--min-confidence", type=float, default=None, metavar="S",
                        help="score below which a face-like region is not taken for a human face (default 0.8)")
    parser.add_argument("--min-face-size", type=float, default=None, metavar="PX",
                        help="smallest face searched for, pixels (default 1/16 of the short side; smaller is slower)")
    parser.add_argument("--max-faces", type=int, default=8, help="most faces listed")
    parser.add_argument("--no-track", action="store_true", help="for a video, list the first faces only")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")


def _face_row(index: int, face) -> dict:
    x0, y0, x1, y1 = face.bbox
    return {"index": index, "bbox": [round(v, 1) for v in (x0, y0, x1, y1)], "size": round(face.size, 1),
            "yaw": round(face.yaw, 1), "pitch": round(face.pitch, 1), "roll": round(face.roll, 1),
            "score": round(face.score, 3)}


def _table(rows: list[dict], selected: int | None) -> list[str]:
    lines = ["     #  box (x0,y0-x1,y1)        size     yaw   pitch    roll  score"]
    for r in rows:
        x0, y0, x1, y1 = r["bbox"]
        mark = "*" if r["index"] == selected else " "
        box = f"{x0:.0f},{y0:.0f}-{x1:.0f},{y1:.0f}"
        lines.append(f"  {mark} {r['index']:2d}  {box:22s} {r['size']:5.0f}  {r['yaw']:6.1f}  {r['pitch']:6.1f}  "
                     f"{r['roll']:6.1f}  {r['score']:.2f}")
    return lines


def _is_video(path: Path) -> bool:
    from talkinghead.face.source_face import IMAGE_SUFFIXES
    from talkinghead.io import probe

    if path.suffix.lower() in IMAGE_SUFFIXES:
        return False
    info = probe(path)
    return info.video is not None and info.video.num_frames > 1


def _first_faces(analyzer, path: Path):
    """``(frame, faces, candidates)`` of the first video frame with a face candidate (every frame until one)."""
    from talkinghead.io import iter_frames

    frames = iter_frames(path)
    try:
        for frame in frames:
            candidates = analyzer.detect_all(frame.image)
            if candidates:
                return frame, [f for f in candidates if f.score >= analyzer.min_confidence], candidates
    finally:
        frames.close()
    return None, [], []


def run(args: argparse.Namespace) -> int:
    from talkinghead.face import DEFAULT_AMBIGUITY_RATIO, DEFAULT_MIN_CONFIDENCE, FaceAnalyzer, select_face
    from talkinghead.io import read_image

    path = Path(args.input)
    if not path.exists():
        raise OptionError(f"{str(path)!r} does not exist")
    if args.max_faces < 1:
        raise OptionError(f"--max-faces must be at least 1, got {args.max_faces}")
    min_conf = DEFAULT_MIN_CONFIDENCE if args.min_confidence is None else args.min_confidence
    video = _is_video(path)
    report: dict = {"input": str(path), "kind": "video" if video else "image"}
    with FaceAnalyzer(max_faces=args.max_faces, min_confidence=min_conf, min_face_size=args.min_face_size) as analyzer:
        t0 = time.perf_counter()
        if video:
            frame, faces, candidates = _first_faces(analyzer, path)
            image = frame.image if frame is not None else None
            if frame is not None:
                report.update(frame=frame.index, time=round(frame.time, 3))
        else:
            image = read_image(path)
            candidates = analyzer.detect_all(image)
            faces = [f for f in candidates if f.score >= min_conf][: args.max_faces]
        report["detect_seconds"] = round(time.perf_counter() - t0, 3)
        if image is not None:
            report["width"], report["height"] = int(image.shape[1]), int(image.shape[0])
        rejected = [f for f in candidates if f.score < min_conf]
        report["faces"] = [_face_row(i, f) for i, f in enumerate(faces)]
        report["rejected"] = [_face_row(i, f) for i, f in enumerate(rejected)]
        if not faces:
            best = f"; best face-like region scored {max(f.score for f in rejected):.2f}" if rejected else ""
            raise NoFaceError(
                f"no human face found in {str(path)!r} (min confidence {min_conf:.2f}{best}); use a photo, painting "
                "or rendering with a clearly visible human face, or lower --min-confidence if it is one"
            )
        chosen = select_face(faces, args.face_index, ambiguity_ratio=None, what=repr(str(path)))
        selected = faces.index(chosen)
        report["selected"] = selected
        report["ambiguous"] = (args.face_index is None and len(faces) > 1
                               and faces[0].size < DEFAULT_AMBIGUITY_RATIO * faces[1].size)
        if video and not args.no_track:
            report["track"] = _track(analyzer, path, selected)
    if args.json:
        json.dump(report, sys.stdout, indent=2)
        sys.stdout.write("\n")
        return 0
    _print(report, min_conf)
    return 0


def _track(analyzer, path: Path, face_index: int) -> dict:
    from talkinghead.face import FaceTrack
    from talkinghead.io import iter_frames, probe

    info = probe(path).video
    t0 = time.perf_counter()
    track = FaceTrack.collect(analyzer.track(iter_frames(path), face_index=face_index), info.fps)
    seconds = time.perf_counter() - t0
    out = {"frames": len(track), "fps": float(info.fps),
           "detected": int((track.status == 1).sum()), "bridged": int((track.status == 2).sum()),
           "lost": int((track.status == 0).sum()),
           "lost_segments": [[round(float(track.times[a]), 3), round(float(track.times[b - 1]), 3)]
                             for a, b in track.lost_segments],
           "ms_per_frame": round(1000 * seconds / max(1, len(track)), 1)}
    if track.valid.any():
        pose = track.pose[track.valid]
        out["pose_min"] = [round(float(v), 1) for v in pose.min(0)]
        out["pose_max"] = [round(float(v), 1) for v in pose.max(0)]
    return out


def _print(report: dict, min_conf: float) -> None:
    where = f" (frame {report['frame']}, {report['time']:.2f} s)" if report["kind"] == "video" else ""
    n = len(report["faces"])
    print(f"{report['input']}: {report['kind']} {report['width']}x{report['height']}, "
          f"{n} face{'s' if n != 1 else ''}{where}")
    for line in _table(report["faces"], report["selected"]):
        print(line)
    if report["rejected"]:
        print(f"  not human faces (score < {min_conf:.2f}):")
        for line in _table(report["rejected"], None)[1:]:
            print(line)
    note = " (several faces of similar size: `generate` needs --face-index)" if report["ambiguous"] else ""
    print(f"selected: face {report['selected']}{note}")
    track = report.get("track")
    if track:
        print(f"track: {track['frames']} frames at {track['fps']:g} fps, {track['detected']} detected, "
              f"{track['bridged']} bridged, {track['lost']} lost ({track['ms_per_frame']:.1f} ms/frame)")
        for a, b in track["lost_segments"]:
            print(f"  lost {a:.2f}-{b:.2f} s")
        if "pose_min" in track:
            names = ("yaw", "pitch", "roll")
            ranges = ", ".join(f"{k} {lo:+.1f}..{hi:+.1f}"
                               for k, lo, hi in zip(names, track["pose_min"], track["pose_max"]))
            print(f"  head pose range: {ranges} degrees")
