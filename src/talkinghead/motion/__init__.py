"""Motion: the typed per-frame motion value, and the models that generate it from speech.

- :class:`Motion` (``motion.py``): blendshapes, head pose, blink per frame; JSON save/load.
- :class:`BlinkModel` (``blink.py``): spontaneous blinks; :class:`BlinkSchedule` reads one curve chunk by chunk.
- :class:`HeadMotionModel` (``head_motion.py``): head rotation fitted from real talking videos.
- :func:`find_events`, :class:`ProsodyGestures` (``prosody.py``): brow raises and nods on accents and onsets.
- :class:`PhoneticMotionGenerator` (``generator.py``): all of the above from the audio analysis.
"""

from talkinghead.motion.blink import BlinkModel, BlinkSchedule
from talkinghead.motion.generator import PhoneticMotionGenerator, SpeechFeatures
from talkinghead.motion.head_motion import HeadMotionModel, HeadMotionStats, PoseTrack, fit_head_motion
from talkinghead.motion.motion import Motion, relative_head_pose
from talkinghead.motion.prosody import ProsodyEvent, ProsodyGestures, find_events

__all__ = [
    "Motion", "relative_head_pose", "BlinkModel", "BlinkSchedule", "HeadMotionModel", "HeadMotionStats", "PoseTrack", "fit_head_motion",
    "ProsodyEvent", "ProsodyGestures", "find_events", "PhoneticMotionGenerator", "SpeechFeatures",
]
