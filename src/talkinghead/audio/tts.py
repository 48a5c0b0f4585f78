"""Speech synthesis with eSpeak NG (the ``espeakng-loader`` wheel's libespeak-ng), with phoneme timings.

Used for test media, the bundled demo sentence and the synthetic training corpus: synthesized speech
whose phoneme boundaries are known exactly (eSpeak reports each phoneme's start sample). eSpeak's
letter-to-sound rules (:func:`text_to_phonemes`) also give pronunciations for words missing from the
pocketsphinx dictionary.
"""

from __future__ import annotations

import ctypes
import threading
from dataclasses import dataclass

import numpy as np

from talkinghead.errors import DependencyMissingError, OptionError

__all__ = ["SpeechSynthesis", "PhonemeEvent", "synthesize", "text_to_phonemes"]

# espeak_EVENT_TYPE values (speak_lib.h)
_EVENT_LIST_TERMINATED, _EVENT_WORD, _EVENT_PHONEME, _EVENT_END = 0, 1, 7, 5
_AUDIO_OUTPUT_SYNCHRONOUS = 2
_INITIALIZE_PHONEME_EVENTS = 0x0001
_POS_CHARACTER = 1
_CHARS_UTF8 = 1
_PARAM_RATE, _PARAM_VOLUME, _PARAM_PITCH, _PARAM_RANGE = 1, 2, 3, 4
_PHONEMES_SEPARATOR = ord("|")  # espeak_TextToPhonemes phonememode bits 8-23: separator between phonemes


class _EventId(ctypes.Union):
    _fields_ = [("number", ctypes.c_int), ("name", ctypes.c_char_p), ("string", ctypes.c_char * 8)]


class _Event(ctypes.Structure):
    _fields_ = [
        ("type", ctypes.c_int),
        ("unique_identifier", ctypes.c_uint),
        ("text_position", ctypes.c_int),
        ("length", ctypes.c_int),
        ("audio_position", ctypes.c_int),
        ("sample", ctypes.c_int),
        ("user_data", ctypes.c_void_p),
        ("id", _EventId),
    ]


_CALLBACK = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.POINTER(_Event))


@dataclass(frozen=True)
class PhonemeEvent:
    """One phoneme as eSpeak spoke it: its eSpeak mnemonic and start/end in seconds."""

    phoneme: str
    start: float
    end: float


@dataclass(frozen=True)
class SpeechSynthesis:
    """Synthesized speech: ``wave`` ``(n,)`` float32 in [-1, 1] at ``sample_rate``; phonemes and words with times."""

    wave: np.ndarray
    sample_rate: int
    phonemes: list[PhonemeEvent]
    words: list[tuple[str, float, float]]

    def arpabet_phones(self, exact_only: bool = False) -> list:
        """The phonemes as ARPAbet :class:`~talkinghead.audio.phoneset.Phone` s (English voices only).

        An eSpeak phoneme that stands for two ARPAbet phones (``A@`` -> ``AA R``) is split in equal halves;
        with ``exact_only`` only phones whose start eSpeak reported are kept (the second halves are left
        out), which is what boundary-accuracy measurements should compare against. Pauses and phonemes
        with no English equivalent are left out.
        """
        from talkinghead.audio.phoneset import Phone, espeak_to_arpabet

        out = []
        for ev in self.phonemes:
            mapped = espeak_to_arpabet(ev.phoneme)
            if not mapped:
                continue
            step = (ev.end - ev.start) / len(mapped)
            for k, label in enumerate(mapped):
                if k and exact_only:
                    break
                out.append(Phone(label, ev.start + k * step, ev.start + (k + 1) * step))
        return out


class _Engine:
    """The process-wide eSpeak instance (the C library keeps global state)."""

    lock = threading.Lock()
    lib = None
    sample_rate = 0

    @classmethod
    def load(cls):
        if cls.lib is None:
            try:
                import espeakng_loader
            except ImportError:
                raise DependencyMissingError("speech synthesis needs espeakng-loader: pip install espeakng-loader") from None
            lib = ctypes.cdll.LoadLibrary(str(espeakng_loader.get_library_path()))
            lib.espeak_Initialize.restype = ctypes.c_int
            data_path = str(espeakng_loader.get_data_path())
            rate = lib.espeak_Initialize(_AUDIO_OUTPUT_SYNCHRONOUS, 0, data_path.encode(), _INITIALIZE_PHONEME_EVENTS)
            if rate <= 0:
                raise DependencyMissingError(f"eSpeak NG failed to initialise with data at {data_path}")
            lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
            lib.espeak_TextToPhonemes.restype = ctypes.c_char_p
            lib.espeak_TextToPhonemes.argtypes = [ctypes.POINTER(ctypes.c_char_p), ctypes.c_int, ctypes.c_int]
            lib.espeak_Synth.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_uint, ctypes.c_int, ctypes.c_uint,
                                         ctypes.c_uint, ctypes.POINTER(ctypes.c_uint), ctypes.c_void_p]
            cls.lib, cls.sample_rate = lib, rate
        return cls.lib


def synthesize(text: str, voice: str = "en-us", rate: int = 160, pitch: int = 50, pitch_range: int = 50) -> SpeechSynthesis:
    """Speak ``text`` with eSpeak NG.

    Args:
        text: UTF-8 text (plain, no SSML).
        voice: eSpeak voice name (``en-us``, ``en``, ``fr``, ``de``, ``cmn`` ... and variants like ``en-us+f3``).
        rate: words per minute (80-450).
        pitch: base pitch 0-100.
        pitch_range: intonation range 0-100.

    Returns:
        the wave at eSpeak's rate (22050 Hz), with phoneme and word timings.
    """
    if not text.strip():
        raise OptionError("nothing to synthesize: the text is empty")
    lib = _Engine.load()
    chunks: list[np.ndarray] = []
    raw_events: list[tuple[int, int, str, int, int]] = []  # (type, sample, phoneme, text_position, length)

    def callback(wav, numsamples, events):
        if numsamples > 0:
            chunks.append(np.ctypeslib.as_array(wav, shape=(numsamples,)).copy())
        i = 0
        while events[i].type != _EVENT_LIST_TERMINATED:
            ev = events[i]
            if ev.type == _EVENT_PHONEME:
                raw_events.append((ev.type, ev.sample, ev.id.string.decode("utf-8", "replace"), 0, 0))
            elif ev.type in (_EVENT_WORD, _EVENT_END):
                raw_events.append((ev.type, ev.sample, "", ev.text_position, ev.length))
            i += 1
        return 0

    cb = _CALLBACK(callback)
    encoded = text.encode("utf-8") + b"\0"
    with _Engine.lock:
        if lib.espeak_SetVoiceByName(voice.encode()) != 0:
            raise OptionError(f"unknown eSpeak voice {voice!r}")
        lib.espeak_SetParameter(_PARAM_RATE, int(rate), 0)
        lib.espeak_SetParameter(_PARAM_PITCH, int(pitch), 0)
        lib.espeak_SetParameter(_PARAM_RANGE, int(pitch_range), 0)
        lib.espeak_SetSynthCallback(cb)
        lib.espeak_Synth(encoded, len(encoded), 0, _POS_CHARACTER, 0, _CHARS_UTF8, None, None)
        lib.espeak_Synchronize()
    sr = _Engine.sample_rate
    wave = (np.concatenate(chunks) if chunks else np.zeros(0, np.int16)).astype(np.float32) / 32768.0
    total = len(wave) / sr
    phonemes: list[PhonemeEvent] = []
    ph = [(s / sr, p) for t, s, p, _, _ in raw_events if t == _EVENT_PHONEME and p]
    for k, (start, p) in enumerate(ph):
        end = ph[k + 1][0] if k + 1 < len(ph) else total
        phonemes.append(PhonemeEvent(p, start, end))
    text_bytes = text.encode("utf-8")
    word_events = [(s / sr, pos, ln) for t, s, _, pos, ln in raw_events if t == _EVENT_WORD]
    words = []
    for k, (start, pos, ln) in enumerate(word_events):
        end = word_events[k + 1][0] if k + 1 < len(word_events) else total
        # text_position is 1-based in characters; for ASCII text that equals bytes.
        word = text_bytes[pos - 1 : pos - 1 + ln].decode("utf-8", "replace") if pos > 0 else ""
        words.append((word, start, end))
    return SpeechSynthesis(wave, sr, phonemes, words)


def text_to_phonemes(text: str, voice: str = "en-us") -> list[str]:
    """eSpeak NG's pronunciation of ``text``: one string per word, phoneme mnemonics joined by ``|``.

    Example: ``text_to_phonemes("hello world") == ["h|@|l|'oU", "w|'3:|l|d"]``. Words unknown to any
    dictionary get eSpeak's letter-to-sound rules, so every word gets a pronunciation.
    """
    lib = _Engine.load()
    words: list[str] = []
    with _Engine.lock:
        if lib.espeak_SetVoiceByName(voice.encode()) != 0:
            raise OptionError(f"unknown eSpeak voice {voice!r}")
        buf = ctypes.c_char_p(text.encode("utf-8"))
        ptr = ctypes.pointer(buf)
        # One clause per call; the library advances the text pointer and sets it to NULL at the end.
        while buf.value:
            out = lib.espeak_TextToPhonemes(ptr, _CHARS_UTF8, _PHONEMES_SEPARATOR << 8)
            if out:
                words.extend(out.decode("utf-8", "replace").split())
    return words
