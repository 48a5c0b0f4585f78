"""pocketsphinx decoding of one stretch of speech: forced alignment, word recognition, phone loop.

Uses the en-us acoustic model, the CMU dictionary, the word trigram LM and the phone LM that ship in the
``pocketsphinx`` wheel (``pocketsphinx.get_model_path()``); nothing is downloaded. Three ways to get timed
phones out of a wave (16 kHz mono float):

- :meth:`SphinxDecoder.align`: a finite-state grammar of the given words (optionally ending early, for
  long recordings whose transcript is split across chunks), decoded, then re-aligned at phone level with
  ``set_alignment`` (pocketsphinx's state-alignment pass).
- :meth:`SphinxDecoder.recognize`: word recognition with the trigram LM, then the same phone-level pass.
- :meth:`SphinxDecoder.phone_loop`: "allphone" decoding with the phone LM; language independent in the
  sense that it needs no words (the phone inventory is still English).

The decoder needs silence around the speech (its cepstral mean normalisation and the grammar's leading
silence): every wave is padded with :data:`PAD_SECONDS` of silence on both sides (plus a dither floor, see
``_pcm``) and times are corrected. The phone-level pass runs with ``bestpath`` off: with it on, a spurious
one-frame ``</s>`` at the end of the utterance makes the alignment fail (pocketsphinx issue #339, PR #354).
The C library's own logging is silenced (``loglevel=FATAL``); failures are reported through this module's
logger.
"""

from __future__ import annotations

import logging
import re
import threading
from dataclasses import dataclass, field

import numpy as np

from talkinghead.audio.phoneset import ARPABET, SILENCE, Phone, Word, espeak_word_to_arpabet
from talkinghead.errors import DependencyMissingError

__all__ = ["Decoding", "SphinxDecoder", "get_decoder", "FRAME_RATE", "FRAME_CENTER", "PAD_SECONDS"]

logger = logging.getLogger(__name__)

#: pocketsphinx's feature frame rate (frames per second; 10 ms hop).
FRAME_RATE = 100
#: Silence added before and after every wave handed to the decoder, in seconds.
PAD_SECONDS = 0.25
#: Offset from a feature frame's start to its centre: frame ``f`` is measured over samples
#: ``[160 f, 160 f + 410)`` (pocketsphinx's ``wlen`` 25.625 ms), so what it hears is centred 12.8 ms after
#: ``f / FRAME_RATE``. Without this offset phone boundaries come out early: measured against eSpeak's own
#: phone times (15 sentences, 3 voices), vowel starts and ends were 11-12 ms early in alignment and
#: recognition and 8-15 ms in the phone loop.
FRAME_CENTER = 0.025625 / 2
_SAMPLE_RATE = 16_000
_PHONES = frozenset(ARPABET)
_NOISE_FLOOR = 1e-5  # RMS of the added noise floor (-100 dBFS, a third of a 16-bit step)
_ALT = re.compile(r"\(\d+\)$")  # alternate pronunciations are named "word(2)"


@dataclass(frozen=True)
class Decoding:
    """Timed phones (and words, when words were decoded) of one stretch of audio; times in seconds
    from the start of the wave given to the decoder. ``words_used``: how many of the requested words the
    alignment consumed (alignment only)."""

    phones: list[Phone]
    words: list[Word] = field(default_factory=list)
    source: str = "alignment"
    words_used: int = 0


def _pcm(wave: np.ndarray) -> bytes:
    """16-bit PCM, padded with silence, with a white noise floor of about one 16-bit step (dither; fixed
    seed, so decoding stays deterministic).

    The acoustic model never saw bands with no energy at all: audio sampled at 8 kHz (nothing above
    4 kHz once resampled) cannot be force-aligned without the floor. Measured on an eSpeak sentence:
    without it 8 kHz audio fails to align; with it, it aligns with a median phone-start error of 16 ms
    (full-band: 11 ms without, 14 ms with, i.e. within the 10 ms frame grid).
    """
    pad = np.zeros(int(PAD_SECONDS * _SAMPLE_RATE), np.float32)
    x = np.concatenate([pad, np.asarray(wave, np.float32), pad])
    x = x + np.random.default_rng(0).normal(0.0, _NOISE_FLOOR, len(x)).astype(np.float32)
    return np.clip(np.round(x * 32767.0), -32768, 32767).astype("<i2").tobytes()


def _time(frame: int, duration: float) -> float:
    """Seconds from the start of the (unpadded) wave at the centre of feature frame ``frame``."""
    return float(min(max(frame / FRAME_RATE + FRAME_CENTER - PAD_SECONDS, 0.0), duration))


def _label(name: str) -> str:
    name = name.upper()
    return name if name in _PHONES else SILENCE  # SIL and the noise fillers (+NSN+, +SPN+, ...)


def _merge_silence(phones: list[Phone]) -> list[Phone]:
    """Drop empty phones and merge adjacent silences."""
    out: list[Phone] = []
    for p in phones:
        if p.end <= p.start:
            continue
        if out and p.label == SILENCE and out[-1].label == SILENCE:
            out[-1] = Phone(SILENCE, out[-1].start, p.end)
        else:
            out.append(p)
    return out


class SphinxDecoder:
    """pocketsphinx decoders for one thread (they are not thread-safe); get one with :func:`get_decoder`.

    Decoders are made lazily. Alignment first tries beams somewhat wider than pocketsphinx's defaults
    and, when the grammar cannot be completed within them (synthetic or unusual voices fall off the beam),
    retries with very wide beams (measured on eSpeak voices: 10 of 12 sentences align at the first
    setting, all at the second, which costs ~2x the time). Word LM and phone-loop search use the default
    beams: wide beams make LM search many times slower.

    Word recognition runs the tree search only (``fwdflat`` off: its second, flat-lexicon pass re-scores
    the words, which the phone-level pass re-times anyway) with at most 3000
    active HMMs per frame (pocketsphinx's default is 30000). Measured on 7 LibriSpeech clips,
    ``examples/speech.wav`` and 8 eSpeak sentences (``scripts/default/measure_audio.py``): CPU time
    0.33 -> 0.17 s per second of audio, viseme accuracy against eSpeak's phone times 0.55 -> 0.56, and
    84 % of 10 ms speech frames keep the viseme of the default configuration.
    """

    #: Pruning of word recognition (see the class docstring).
    RECOGNITION_CONFIG = {"fwdflat": False, "maxhmmpf": 3000}

    #: (beam, pbeam, wbeam) tried in turn for alignment.
    ALIGN_BEAMS = ((1e-60, 1e-60, 1e-40), (1e-150, 1e-150, 1e-120))

    def __init__(self):
        try:
            import pocketsphinx
        except ImportError:
            raise DependencyMissingError("phone recognition needs pocketsphinx: pip install pocketsphinx") from None
        self._ps = pocketsphinx
        self._aligners: dict[int, object] = {}
        self._recognizer = None
        self._added: dict[str, str] = {}  # words given pronunciations here: word -> phones

    # -- decoders -----------------------------------------------------------------------------------------

    def _new(self, **config):
        dec = self._ps.Decoder(loglevel="FATAL", lm=None, bestpath=False, **config)
        for word, phones in self._added.items():
            dec.add_word(word, phones, True)
        return dec

    def aligner(self, level: int = 0):
        """The alignment decoder with beams ``ALIGN_BEAMS[level]``."""
        if level not in self._aligners:
            beam, pbeam, wbeam = self.ALIGN_BEAMS[level]
            self._aligners[level] = self._new(beam=beam, pbeam=pbeam, wbeam=wbeam)
        return self._aligners[level]

    @property
    def recognizer(self):
        if self._recognizer is None:
            dec = self._new(**self.RECOGNITION_CONFIG)
            dec.add_lm_file("words", self._ps.get_model_path("en-us/en-us.lm.bin"))
            dec.add_allphone_file("phones", self._ps.get_model_path("en-us/en-us-phone.lm.bin"))
            self._recognizer = dec
        return self._recognizer

    # -- dictionary -----------------------------------------------------------------------------------------

    def pronounce(self, words: list[str]) -> list[str]:
        """Return ``words`` restricted to those that have a pronunciation, adding eSpeak's letter-to-sound
        pronunciation for words missing from the CMU dictionary (a word neither knows is dropped)."""
        from talkinghead.audio.tts import text_to_phonemes

        kept: list[str] = []
        for word in words:
            if word in self._added or self.aligner().lookup_word(word) is not None:
                kept.append(word)
                continue
            phones = [p for w in text_to_phonemes(word) for p in espeak_word_to_arpabet(w)]
            if not phones:
                logger.warning("no pronunciation for %r; it is left out of the alignment", word)
                continue
            logger.info("%r is not in the dictionary; using eSpeak's pronunciation %s", word, " ".join(phones))
            self._added[word] = " ".join(phones)
            for dec in [*self._aligners.values(), self._recognizer]:
                if dec is not None:
                    dec.add_word(word, self._added[word], True)
            kept.append(word)
        return kept

    # -- decoding -------------------------------------------------------------------------------------------

    def _run(self, dec, pcm: bytes, fresh: bool = True) -> None:
        """Decode one utterance. pocketsphinx's feature front-end keeps state from the previous utterance
        (cepstral mean, noise estimate), so a ``fresh`` decode starts from a new front-end: the result depends
        on this wave alone, not on what the thread decoded before (the phone-level second pass keeps the first
        pass's state)."""
        if fresh:
            dec.reinit_feat()
        dec.start_utt()
        dec.process_raw(pcm, full_utt=True)
        dec.end_utt()

    def _phone_pass(self, dec, pcm: bytes, duration: float, source: str) -> Decoding | None:
        """Second pass: phone-level alignment of the current hypothesis."""
        try:
            dec.set_alignment()
            self._run(dec, pcm, fresh=False)
            alignment = dec.get_alignment()
        except RuntimeError as exc:
            logger.debug("phone-level alignment failed: %s", exc)
            return None
        if alignment is None:
            return None
        phones, words = [], []
        for w in alignment.words():
            text = _ALT.sub("", w.name)
            start, end = _time(w.start, duration), _time(w.start + w.duration, duration)
            if not text.startswith(("<", "[", "+")):
                words.append(Word(text, start, end))
        for p in alignment.phones():
            phones.append(Phone(_label(p.name), _time(p.start, duration), _time(p.start + p.duration, duration)))
        return Decoding(_merge_silence(phones), words, source, len(words))

    def align(self, wave: np.ndarray, words: list[str], min_words: int | None = None) -> Decoding | None:
        """Force-align ``words`` (all in the dictionary; see :meth:`pronounce`) to ``wave``.

        Args:
            wave: ``(n,)`` float32 at 16 kHz.
            words: the word sequence, in order.
            min_words: if given, the speech may end after any word from ``min_words`` on (the rest of the
                transcript belongs to later chunks); :attr:`Decoding.words_used` says where it ended.

        Returns:
            the phones, or ``None`` when the words cannot be aligned to this audio.
        """
        duration = len(wave) / _SAMPLE_RATE
        if not words:
            return Decoding([Phone(SILENCE, 0.0, duration)] if duration > 0 else [], [], "alignment", 0)
        n = len(words)
        first_end = n if min_words is None else min(max(min_words, 1), n)
        transitions = [(i, i + 1, 1.0, w) for i, w in enumerate(words)]
        # optional early end: word i may also lead straight to the final state. (Epsilon transitions to
        # the final state made with create_fsg are not followed by the FSG search, so words carry them.)
        transitions += [(i, n, 1.0, words[i]) for i in range(first_end - 1, n - 1)]
        pcm = _pcm(wave)
        for level in range(len(self.ALIGN_BEAMS)):
            dec = self.aligner(level)
            dec.add_fsg("transcript", dec.create_fsg("transcript", 0, n, transitions))
            dec.activate_search("transcript")
            try:
                self._run(dec, pcm)
            except RuntimeError as exc:  # pragma: no cover - pocketsphinx reports failures through hyp()
                logger.debug("alignment first pass failed: %s", exc)
                continue
            if dec.hyp() is not None:
                result = self._phone_pass(dec, pcm, duration, "alignment")
                if result is not None:
                    return result
            logger.debug("alignment failed with beams %s", self.ALIGN_BEAMS[level])
        return None

    def recognize(self, wave: np.ndarray) -> Decoding | None:
        """Recognise English words with the trigram LM, then align their phones. ``None`` if nothing was
        recognised or the phone pass failed."""
        duration = len(wave) / _SAMPLE_RATE
        dec = self.recognizer
        dec.activate_search("words")
        pcm = _pcm(wave)
        self._run(dec, pcm)
        hyp = dec.hyp()
        if hyp is None or not hyp.hypstr.strip():
            return None
        return self._phone_pass(dec, pcm, duration, "recognition")

    def phone_loop(self, wave: np.ndarray) -> Decoding:
        """Decode phones with the phone LM (no words)."""
        duration = len(wave) / _SAMPLE_RATE
        dec = self.recognizer
        dec.activate_search("phones")
        self._run(dec, _pcm(wave))
        phones = [
            Phone(_label(s.word), _time(s.start_frame, duration), _time(s.end_frame + 1, duration)) for s in dec.seg()
        ]
        return Decoding(_merge_silence(phones), [], "phone-loop", 0)


_local = threading.local()


def get_decoder() -> SphinxDecoder:
    """The calling thread's :class:`SphinxDecoder` (made on first use; loading the models takes ~0.3 s)."""
    dec = getattr(_local, "decoder", None)
    if dec is None:
        dec = _local.decoder = SphinxDecoder()
    return dec
