"""Timed phones for a recording, chunk by chunk: which decoding to use and how the transcript is shared out.

Policy (issue #4):

- **English with a transcript**: forced alignment. Words missing from the CMU dictionary get eSpeak's
  letter-to-sound pronunciation (:meth:`SphinxDecoder.pronounce`). A long recording is cut at pauses
  (:mod:`~talkinghead.audio.chunking`); each chunk is aligned with the next stretch of the transcript
  and its grammar may end after any word within a window sized from the chunk's length (at most 6
  words per second), so the chunk itself decides where its part of the text ends. The last
  chunk must take all remaining words. A chunk that cannot be aligned (wrong transcript, music) is
  recognised instead and the transcript pointer moves on by the speaking rate measured so far.
- **English without a transcript**: word recognition (trigram LM) then phone-level alignment of the
  recognised words; the phone loop is decoded too and, when the two agree on fewer than
  :data:`MIN_AGREEMENT` of the speech frames' visemes (low confidence: mumbled, noisy or not English), the
  phone loop's phones are used: they follow the sounds without forcing them into English words. With two
  CPUs the phone loop runs in a helper process (:mod:`~talkinghead.audio.loop_worker`) while this one
  recognises the words: same phones, about a fifth less wall time.
- **Other languages** (``language`` not English): phone-loop decoding only; a transcript is ignored.
"""

from __future__ import annotations

import logging
import re
import unicodedata

import numpy as np

from talkinghead.audio.phoneset import SILENCE, Phone
from talkinghead.audio.sphinx import Decoding, get_decoder

__all__ = ["PhoneTranscriber", "transcript_words", "is_english", "MIN_AGREEMENT"]

logger = logging.getLogger(__name__)

#: Below this viseme agreement between word recognition and the phone loop, the phone loop is used.
#: Measured (tests/audio): real English clips 0.47-0.81, French 0.49, Mandarin 0.58, synthetic German 0.22.
MIN_AGREEMENT = 0.45
_MAX_WORDS_PER_SECOND = 6.0  # of speech time: fast read speech is ~4
_MIN_WORDS_PER_SECOND = 1.0
_DEFAULT_RATE = 2.5  # words per second of speech, before any chunk was aligned


def is_english(language: str) -> bool:
    """``en``, ``en-us``, ``en_GB``, ``english`` ... (case-insensitive)."""
    return re.fullmatch(r"en([-_][a-z]+)?|english", language.strip().lower()) is not None


def transcript_words(text: str) -> list[str]:
    """Split a transcript into lower-case dictionary tokens.

    Letters, digits and inner apostrophes make words (``don't``, ``o'clock``); everything else separates
    them (hyphenated words become two). Unicode is normalised (NFKC) so full-width or composed forms match.
    """
    text = unicodedata.normalize("NFKC", text).lower().replace("\u2019", "'")
    tokens = re.findall(r"[^\W_]+(?:'[^\W_]+)*", text)
    return [t for t in tokens if t]


def _viseme_frames(phones: list[Phone], start: float, count: int) -> np.ndarray:
    """Viseme id per 10 ms frame (for comparing two decodings)."""
    from talkinghead.audio.visemes import PHONE_VISEME_IDS

    out = np.zeros(count, np.int16)
    for p in phones:
        a, b = int(round((p.start - start) * 100)), int(round((p.end - start) * 100))
        out[max(a, 0) : max(b, 0)] = PHONE_VISEME_IDS.get(p.label, 0)
    return out


def agreement(a: list[Phone], b: list[Phone], duration: float) -> float:
    """Fraction of 10 ms frames, among those either decoding calls speech, whose visemes agree."""
    n = int(round(duration * 100)) + 1
    va, vb = _viseme_frames(a, 0.0, n), _viseme_frames(b, 0.0, n)
    speech = (va != 0) | (vb != 0)
    return float(np.mean(va[speech] == vb[speech])) if speech.any() else 1.0


class PhoneTranscriber:
    """Decodes the chunks of one recording in order (it keeps the transcript position between calls).

    Args:
        transcript: the words spoken, or ``None``.
        language: language of the speech (``en`` for English; anything else uses the phone loop).
        parallel: decode the phone loop in a helper process during word recognition (``None``: when this
            process may use two CPUs and words will be recognised, i.e. English without a transcript).

    Call :meth:`close` (or use it as a context manager) to end the helper process.
    """

    def __init__(self, transcript: str | None = None, language: str = "en", parallel: bool | None = None):
        from talkinghead.audio.loop_worker import PhoneLoopWorker, parallel_available

        self.english = is_english(language)
        has_words = transcript is not None and bool(transcript.strip())
        if parallel is None:
            parallel = self.english and not has_words and parallel_available()
        self._worker = None
        if parallel:  # started first: it loads its models on the other core while this one loads its own
            try:
                self._worker = PhoneLoopWorker()
            except OSError as exc:  # pragma: no cover - cannot start a process
                logger.debug("no phone-loop helper process: %s", exc)
        self.decoder = get_decoder()
        self.words: list[str] = []
        if transcript is not None and transcript.strip():
            if not self.english:
                logger.warning("a transcript is only used for English; decoding %s speech with the phone loop",
                               language)
            else:
                self.words = self.decoder.pronounce(transcript_words(transcript))
                if not self.words:
                    logger.warning("the transcript has no words that can be pronounced; recognising instead")
        self.position = 0
        self.sources: dict[str, int] = {}
        self._speech_seconds = 0.0
        self._aligned_words = 0

    @property
    def source(self) -> str:
        """How most chunks were decoded: ``alignment``, ``recognition``, ``phone-loop`` or ``none``."""
        return max(self.sources, key=self.sources.get) if self.sources else "none"

    def __call__(self, wave: np.ndarray, speech_seconds: float, is_last: bool) -> Decoding:
        """Timed phones of one chunk (times relative to the chunk's start).

        Args:
            wave: ``(n,)`` float32 16 kHz.
            speech_seconds: how much of the chunk is speech (from an energy detector), to size the
                transcript window.
            is_last: the final chunk (takes all remaining transcript words).
        """
        result = self._decode(wave, speech_seconds, is_last)
        self.sources[result.source] = self.sources.get(result.source, 0) + 1
        return result

    def _decode(self, wave: np.ndarray, speech_seconds: float, is_last: bool) -> Decoding:
        duration = len(wave) / 16_000
        if speech_seconds <= 0.0 and not (is_last and self.position < len(self.words)):
            return Decoding([Phone(SILENCE, 0.0, duration)] if duration else [], [], "none", 0)
        if not self.english:
            return self.decoder.phone_loop(wave)
        if self.position < len(self.words):
            result = self._align(wave, speech_seconds, is_last)
            if result is not None:
                return result
        return self._recognize(wave)

    def _align(self, wave: np.ndarray, speech_seconds: float, is_last: bool) -> Decoding | None:
        remaining = self.words[self.position :]
        if is_last:
            words, min_words = remaining, None
        else:
            # the upper bound uses the chunk's whole length: the energy detector may miss quiet speech
            most = int(np.ceil(len(wave) / 16_000 * _MAX_WORDS_PER_SECOND)) + 2
            least = max(1, int(speech_seconds * _MIN_WORDS_PER_SECOND))
            words = remaining[:most]
            min_words = min(least, len(words))
        result = self.decoder.align(wave, words, min_words)
        if result is None:
            rate = self._aligned_words / self._speech_seconds if self._speech_seconds > 0 else _DEFAULT_RATE
            skip = len(remaining) if is_last else max(1, int(round(rate * speech_seconds)))
            logger.warning("the transcript could not be aligned to %.1f s of audio; recognising it instead "
                           "(skipping about %d transcript words)", len(wave) / 16_000, skip)
            self.position += skip
            return None
        self.position += result.words_used
        self._aligned_words += result.words_used
        self._speech_seconds += speech_seconds
        return result

    def close(self) -> None:
        """End the helper process, if any."""
        if self._worker is not None:
            self._worker.close()
            self._worker = None

    def __enter__(self) -> PhoneTranscriber:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _phone_loop_elsewhere(self, wave: np.ndarray) -> bool:
        if self._worker is None:
            return False
        try:
            self._worker.submit(wave)
            return True
        except RuntimeError as exc:
            logger.debug("%s; decoding the phone loop in this process", exc)
            self.close()
            return False

    def _recognize(self, wave: np.ndarray) -> Decoding:
        elsewhere = self._phone_loop_elsewhere(wave)
        words = self.decoder.recognize(wave)
        loop = None
        if elsewhere:
            try:
                loop = self._worker.result()
            except RuntimeError as exc:
                logger.debug("%s; decoding the phone loop in this process", exc)
                self.close()
        if loop is None:
            loop = self.decoder.phone_loop(wave)
        if words is None:
            return loop
        score = agreement(words.phones, loop.phones, len(wave) / 16_000)
        if score < MIN_AGREEMENT:
            logger.info("word recognition agrees with the phone loop on %.0f%% of speech frames; using the "
                        "phone loop", 100 * score)
            return loop
        return words
