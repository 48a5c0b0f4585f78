"""Phones: the ARPAbet set of the CMU dictionary, timed phones and words, eSpeak-to-ARPAbet conversion.

Every phone in this package is labelled in ARPAbet without stress digits (``AA``, ``P``, ``SH`` ...), the
39-phone set of the CMU Pronouncing Dictionary and of pocketsphinx's en-us acoustic model, plus ``SIL`` for
silence. Times are seconds from the start of the recording.

eSpeak NG names its phonemes with its own ASCII mnemonics (``'aU``, ``dZ``, ``@2``; see espeak-ng's
``docs/phonemes.md``). :func:`espeak_to_arpabet` maps the English ones onto ARPAbet; it serves the
letter-to-sound fallback for words missing from the dictionary and the alignment tests, which compare
pocketsphinx's phones with the timings eSpeak reports for the speech it synthesised.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

__all__ = [
    "ARPABET", "SILENCE", "VOWELS", "Phone", "Word", "espeak_to_arpabet", "espeak_word_to_arpabet", "boundary_errors",
    "label_spans",
]

#: Silence (pauses, and the decoder's noise fillers).
SILENCE = "SIL"

#: The 39 ARPAbet phones of cmudict / pocketsphinx en-us (stress removed).
ARPABET: tuple[str, ...] = (
    "AA", "AE", "AH", "AO", "AW", "AY", "EH", "ER", "EY", "IH", "IY", "OW", "OY", "UH", "UW",
    "B", "CH", "D", "DH", "F", "G", "HH", "JH", "K", "L", "M", "N", "NG", "P", "R", "S", "SH", "T", "TH",
    "V", "W", "Y", "Z", "ZH",
)
VOWELS = frozenset(ARPABET[:15])


@dataclass(frozen=True)
class Phone:
    """One phone: ARPAbet ``label`` (or ``SIL``), ``start`` and ``end`` in seconds (``end > start``)."""

    label: str
    start: float
    end: float

    @property
    def duration(self) -> float:
        return self.end - self.start


@dataclass(frozen=True)
class Word:
    """One word as aligned or recognised: its dictionary spelling, ``start`` and ``end`` in seconds."""

    text: str
    start: float
    end: float


# eSpeak NG English mnemonic (stress marks removed) -> ARPAbet phones.
_ESPEAK: dict[str, tuple[str, ...]] = {
    # vowels
    "@": ("AH",), "@2": ("AH",), "@5": ("AH",), "@L": ("AH", "L"), "@r": ("ER",), "3": ("ER",), "3:": ("ER",),
    "a": ("AE",), "a#": ("AH",), "aa": ("AE",), "A:": ("AA",), "A@": ("AA", "R"), "A": ("AA",),
    "aI": ("AY",), "aI@": ("AY", "ER"), "aI3": ("AY", "ER"), "aU": ("AW",), "aU@": ("AW", "ER"),
    "e": ("EH",), "E": ("EH",), "e@": ("EH", "R"), "eI": ("EY",),
    "i": ("IY",), "i:": ("IY",), "i@": ("IH", "R"), "i@3": ("IH", "R"), "I": ("IH",), "I2": ("IH",), "I#": ("IH",),
    "0": ("AA",), "O": ("AO",), "O:": ("AO",), "O@": ("AO", "R"), "o@": ("AO", "R"), "OI": ("OY",),
    "oU": ("OW",), "oU#": ("OW",), "o": ("OW",), "U": ("UH",), "u:": ("UW",), "u": ("UW",), "U@": ("UH", "R"),
    "V": ("AH",),
    # consonants
    "p": ("P",), "b": ("B",), "t": ("T",), "t#": ("T",), "d": ("D",), "d#": ("D",), "k": ("K",), "g": ("G",),
    "f": ("F",), "v": ("V",), "T": ("TH",), "D": ("DH",), "s": ("S",), "z": ("Z",), "S": ("SH",), "Z": ("ZH",),
    "h": ("HH",), "x": ("HH",), "m": ("M",), "n": ("N",), "N": ("NG",), "l": ("L",), "r": ("R",), "w": ("W",),
    "j": ("Y",), "tS": ("CH",), "dZ": ("JH",), "n-": ("AH", "N"), "m-": ("AH", "M"), "l-": ("AH", "L"),
    "r-": ("R",), "?": (),
}
_STRESS = str.maketrans("", "", "'\",%=!")
#: eSpeak's pause mnemonics.
_PAUSES = frozenset({"_", "_:", "_!", "_^_", "||", "|"})


def espeak_to_arpabet(mnemonic: str) -> tuple[str, ...] | None:
    """One eSpeak NG English phoneme mnemonic -> ARPAbet phones.

    Stress and syllable marks are ignored. Returns ``()`` for a glottal stop or a pause, ``None`` when the
    mnemonic is not an English phoneme this table knows (the caller decides whether to skip it).
    """
    name = mnemonic.translate(_STRESS).strip()
    if not name or name in _PAUSES or name.startswith("_"):
        return ()
    if name in _ESPEAK:
        return _ESPEAK[name]
    # Variants eSpeak marks with a trailing '#', '/' or digit map like their base phoneme.
    base = name.rstrip("#/0123456789") or name
    return _ESPEAK.get(base)


def espeak_word_to_arpabet(phonemes: str) -> list[str]:
    """A word's phonemes as eSpeak's ``TextToPhonemes`` writes them with ``|`` separators -> ARPAbet."""
    out: list[str] = []
    for mnemonic in phonemes.split("|"):
        mapped = espeak_to_arpabet(mnemonic)
        if mapped:
            out.extend(mapped)
    return out


def boundary_errors(reference: list[Phone], hypothesis: list[Phone]) -> np.ndarray:
    """Signed start-time errors ``hypothesis - reference`` (seconds) of the phones both sequences share.

    The two label sequences (silences ignored) are matched by edit distance (Levenshtein, unit costs);
    every pair matched with the same label contributes its start-time difference. Used to measure forced
    alignment against speech whose phone timings are known (synthesized with eSpeak).

    Returns:
        ``(k,)`` float64, one entry per matched phone.
    """
    ref = [p for p in reference if p.label != SILENCE]
    hyp = [p for p in hypothesis if p.label != SILENCE]
    n, m = len(ref), len(hyp)
    cost = np.zeros((n + 1, m + 1), np.int32)
    cost[:, 0] = np.arange(n + 1)
    cost[0, :] = np.arange(m + 1)
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            sub = cost[i - 1, j - 1] + (ref[i - 1].label != hyp[j - 1].label)
            cost[i, j] = min(sub, cost[i - 1, j] + 1, cost[i, j - 1] + 1)
    errors = []
    i, j = n, m
    while i > 0 and j > 0:
        if cost[i, j] == cost[i - 1, j - 1] + (ref[i - 1].label != hyp[j - 1].label):
            if ref[i - 1].label == hyp[j - 1].label:
                errors.append(hyp[j - 1].start - ref[i - 1].start)
            i, j = i - 1, j - 1
        elif cost[i, j] == cost[i - 1, j] + 1:
            i -= 1
        else:
            j -= 1
    return np.asarray(errors[::-1], np.float64)


def label_spans(phones: list[Phone], start: float, end: float, labels_of: Callable[[Phone], tuple[str, ...] | str],
                rest: str) -> list[tuple[str, float, float, str]]:
    """Cover ``[start, end]`` with per-phone labels (visemes, mouth shapes): ``(label, start, end, phone)``.

    Each phone that is not silence gets ``labels_of(phone)``, split into equal parts (a diphthong's two
    shapes); a phone with no label of its own (``HH``) borrows the first label of the next phone when that
    follows within 50 ms, else the last label before it. Silences and gaps get ``rest`` (with phone
    ``SIL``); consecutive ``rest`` spans are merged.
    """
    speech = [p for p in phones if p.label != SILENCE and p.end > start and p.start < end]
    out: list[tuple[str, float, float, str]] = []

    def add(label: str, a: float, b: float, phone: str) -> None:
        if b <= a:
            return
        if out and label == rest == out[-1][0]:
            out[-1] = (rest, out[-1][1], b, SILENCE)
        else:
            out.append((label, a, b, phone))

    cursor = start
    for k, p in enumerate(speech):
        a, b = max(p.start, start), min(p.end, end)
        add(rest, cursor, a, SILENCE)
        labels = tuple(labels_of(p))
        if not labels:
            nxt = speech[k + 1] if k + 1 < len(speech) and speech[k + 1].start - p.end < 0.05 else None
            labels = tuple(labels_of(nxt))[:1] if nxt is not None else ((out[-1][0],) if out else ())
            labels = labels or (rest,)
        step = (b - a) / len(labels)
        for i, label in enumerate(labels):
            add(label, a + i * step, a + (i + 1) * step, p.label)
        cursor = max(cursor, b)
    add(rest, cursor, end, SILENCE)
    return out
