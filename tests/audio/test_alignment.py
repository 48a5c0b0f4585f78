"""Forced alignment against speech whose phone timings are known (eSpeak NG reports them)."""

from __future__ import annotations

import logging

import numpy as np
import pytest

from talkinghead.audio.phoneset import Phone, boundary_errors, espeak_to_arpabet
from talkinghead.audio.sphinx import get_decoder
from talkinghead.audio.transcriber import PhoneTranscriber, transcript_words

from audio_helpers import SENTENCE, to16k

#: Stated tolerance: median absolute phone-start error. Measured 11 ms on 12 eSpeak sentences (see
#: benchmarks/bench_audio.py); pocketsphinx works on a 10 ms frame grid.
MEDIAN_TOLERANCE = 0.025


def test_boundaries_within_tolerance(speech, aligned_track, capsys):
    reference = speech.arpabet_phones(exact_only=True)
    errors = boundary_errors(reference, aligned_track.phones)
    assert aligned_track.phone_source == "alignment"
    assert len(errors) >= 0.8 * len(reference)  # nearly every phone was matched
    median = float(np.median(np.abs(errors)))
    with capsys.disabled():
        print(f"\n[alignment] median |phone start error| {1000 * median:.1f} ms over {len(errors)} phones, "
              f"90th percentile {1000 * np.percentile(np.abs(errors), 90):.1f} ms")
    assert median < MEDIAN_TOLERANCE
    assert np.percentile(np.abs(errors), 90) < 0.08


def test_words_are_aligned_in_order(aligned_track):
    words = [w.text for w in aligned_track.words]
    assert words == transcript_words(SENTENCE)
    starts = [w.start for w in aligned_track.words]
    assert starts == sorted(starts)
    phones = aligned_track.phones
    assert all(a.end <= b.start + 1e-9 for a, b in zip(phones, phones[1:]))


def test_boundary_errors_measures_shifts():
    ref = [Phone("P", 0.0, 0.1), Phone("AA", 0.1, 0.3), Phone("T", 0.3, 0.4)]
    hyp = [Phone("SIL", 0, 0.02), Phone("P", 0.02, 0.1), Phone("AA", 0.1, 0.25), Phone("K", 0.25, 0.3),
           Phone("T", 0.33, 0.4)]
    np.testing.assert_allclose(boundary_errors(ref, hyp), [0.02, 0.0, 0.03])


def test_words_missing_from_the_dictionary_fall_back_to_espeak(caplog):
    from talkinghead.audio.tts import synthesize

    text = "The zorblatt quibbled with Schwarzeneggerish gnomes."
    s = synthesize(text)
    decoder = get_decoder()
    words = transcript_words(text)
    assert decoder.aligner().lookup_word("zorblatt") is None
    with caplog.at_level(logging.INFO):
        kept = decoder.pronounce(words)
    assert kept == words  # nothing dropped: eSpeak pronounced the unknown words
    assert "zorblatt" in caplog.text
    result = decoder.align(to16k(s.wave, s.sample_rate), kept)
    assert result is not None
    assert [w.text for w in result.words] == words
    errors = boundary_errors(s.arpabet_phones(exact_only=True), result.phones)
    assert np.median(np.abs(errors)) < MEDIAN_TOLERANCE


def test_wrong_transcript_degrades_gracefully(speech16k, caplog):
    transcriber = PhoneTranscriber("Completely unrelated words about a submarine in winter.")
    with caplog.at_level(logging.WARNING):
        result = transcriber(speech16k, speech_seconds=4.0, is_last=True)
    # either pocketsphinx bent the words onto the audio or the transcriber recognised instead: no failure
    assert result.phones and any(p.label != "SIL" for p in result.phones)


def test_long_recording_shares_the_transcript_across_chunks():
    """Four sentences with pauses, cut into ~5 s chunks: every word aligned once, in order, on time."""
    from talkinghead.audio import analyze
    from talkinghead.audio.tts import synthesize

    sentences = ["My mother made a warm vanilla muffin for the baby.",
                 "Five fine violins were found in a very famous villa.",
                 "The quick brown fox jumps over the lazy dog.",
                 "Peter picked a bowl of apples before breakfast."]
    waves, reference, t = [], [], 0.0
    for text in sentences:
        s = synthesize(text)
        w = to16k(s.wave, s.sample_rate)
        reference += [Phone(p.label, p.start + t, p.end + t) for p in s.arpabet_phones(exact_only=True)]
        waves += [w, np.zeros(8000, np.float32)]  # 0.5 s pause
        t += (len(w) + 8000) / 16000
    track = analyze(np.concatenate(waves), transcript=" ".join(sentences), chunk_seconds=5.0)
    assert [w.text for w in track.words] == transcript_words(" ".join(sentences))
    errors = boundary_errors(reference, track.phones)
    assert len(errors) > 0.8 * len(reference)
    assert np.median(np.abs(errors)) < MEDIAN_TOLERANCE


def test_transcript_words():
    assert transcript_words("Don't stop—it's 10 o'clock, Mr. O'Neil! Well-known café") == [
        "don't", "stop", "it's", "10", "o'clock", "mr", "o'neil", "well", "known", "café"]


@pytest.mark.parametrize("mnemonic,expected", [("'aU", ("AW",)), ("dZ", ("JH",)), ("@L", ("AH", "L")),
                                               ("t#", ("T",)), ("_:", ()), ("Q!", None)])
def test_espeak_to_arpabet(mnemonic, expected):
    assert espeak_to_arpabet(mnemonic) == expected
