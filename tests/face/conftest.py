"""Fixtures for the face tests: one shared analyzer, the astronaut's face."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def analyzer(landmarker_model):
    """A FaceAnalyzer shared by the face tests (closed at the end of the session)."""
    from talkinghead.face import FaceAnalyzer

    with FaceAnalyzer(landmarker_model) as a:
        yield a


@pytest.fixture(scope="session")
def astronaut_face(analyzer, astronaut):
    """The one face ``FaceAnalyzer.detect`` finds in skimage's astronaut."""
    faces = analyzer.detect(astronaut)
    assert len(faces) == 1
    return faces[0]
