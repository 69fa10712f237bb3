"""Demo: histograms of weights and of gradients with a few non-finite values."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..histogram import Histogram


def example() -> dict[str, Any]:
    rng = np.random.default_rng(0)
    weights = rng.standard_normal(1_000_000).astype(np.float32)
    grads = rng.laplace(scale=1e-3, size=100_000).astype(np.float32)
    grads[:3] = [np.nan, np.inf, -np.inf]
    return {
        "weights": Histogram(weights, num_bins=128),
        "gradients": Histogram(grads),
        "prebinned": Histogram(
            np.histogram(rng.random(1000), bins=10, range=(0.0, 1.0), density=True)
        ),
    }
