"""Demo: a table of predictions with media cells, and a large columnar one stored as sidecars."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..histogram import Histogram
from ..table.table import Table


def example() -> dict[str, Any]:
    rng = np.random.default_rng(0)
    image_cls = _image_class()
    predictions = Table(columns=["id", "label", "score", "embedding", "activations", "thumbnail"])
    for i in range(8):
        thumb = None
        if image_cls is not None:
            thumb = image_cls(rng.integers(0, 255, (16, 16, 3), dtype=np.uint8))
        predictions.add_data(
            i,
            ["cat", "dog", "cow"][i % 3],
            None if i == 5 else float(rng.random()),
            rng.standard_normal(4).astype(np.float32),
            Histogram(rng.standard_normal(200), num_bins=16),
            thumb,
        )
    n = 100_000
    metrics = Table.from_columns(
        {
            "step": np.arange(n),
            "loss": np.exp(-np.arange(n) / 2e4) + 0.01 * rng.random(n),
            "split": [("train", "val", "test")[i % 3] for i in range(n)],
            "correct": rng.random(n) > 0.3,
            "lr": np.full(n, 1e-3),
            "epoch": np.arange(n) // 1000,
        }
    )
    return {"predictions": predictions, "metrics": metrics}


def _image_class() -> Any:
    try:
        from ..image import image
    except ImportError:  # the Image type is built separately; the demo works without it
        return None
    return getattr(image, "Image", None)
