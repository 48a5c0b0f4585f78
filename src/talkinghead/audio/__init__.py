"""The audio front-end: what the face does follows from what the audio says.

``analyze(path_or_wave, fps=25, transcript=None)`` -> :class:`AudioTrack` with the 16 kHz wave, the
Wav2Lip-style mel used by IP-LAP / MergeTalk / OSM-Net with per-frame windows, loudness, f0, voicing,
voice activity, timed phones (pocketsphinx), visemes and ARKit mouth blendshape curves. See docs/audio.md.
"""

from talkinghead.audio.checks import MIN_SECONDS, check_speech
from talkinghead.audio.mel import mel_windows, melspectrogram
from talkinghead.audio.phoneset import ARPABET, SILENCE, Phone, Word
from talkinghead.audio.rhubarb import MouthCue, mouth_cues
from talkinghead.audio.track import AudioTrack, analyze, concatenate, iter_analyze
from talkinghead.audio.visemes import VISEMES, VisemeSegment

__all__ = [
    "AudioTrack", "analyze", "iter_analyze", "concatenate", "melspectrogram", "mel_windows", "check_speech",
    "MIN_SECONDS", "Phone", "Word", "ARPABET", "SILENCE", "VISEMES", "VisemeSegment", "MouthCue", "mouth_cues",
]
