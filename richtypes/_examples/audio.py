"""Demo: a generated float waveform (stored as 16-bit WAV) and an int16 stereo clip (stored exactly)."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..audio import Audio


def example() -> dict[str, Any]:
    rate = 16000
    t = np.arange(rate) / rate
    chirp = 0.4 * np.sin(2 * np.pi * (220 + 440 * t) * t) * np.exp(-2 * t)
    noise = np.random.default_rng(0).integers(-2000, 2000, (rate // 2, 2), dtype=np.int16)
    return {
        "chirp": Audio(chirp, sample_rate=rate, caption="generated chirp"),
        "noise": Audio(noise, sample_rate=rate, caption="stereo noise"),
    }
