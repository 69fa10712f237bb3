"""Values for the scale-out tests, importable by worker processes (spawned Dask workers too)."""

from __future__ import annotations

import os
from typing import Any

import numpy as np

import richtypes
from richtypes.core.media import Media


def coco_like(i: int, size: tuple[int, int] = (48, 64)) -> dict[str, Any]:
    """One small COCO-like sample: an image with boxes (and a mask on every third)."""
    rng = np.random.default_rng(i)
    h, w = size
    pixels = rng.integers(0, 255, (h, w, 3), dtype=np.uint8)
    x0, y0 = rng.integers(0, w // 2, 3), rng.integers(0, h // 2, 3)
    boxes = {
        "predictions": {
            "box_data": [
                {
                    "position": {
                        "minX": int(x),
                        "maxX": int(x) + 8,
                        "minY": int(y),
                        "maxY": int(y) + 8,
                    },
                    "domain": "pixel",
                    "class_id": int(k % 2),
                }
                for k, (x, y) in enumerate(zip(x0, y0))
            ],
            "class_labels": {0: "cat", 1: "dog"},
        }
    }
    masks = None
    if i % 3 == 0:
        masks = {"seg": {"mask_data": (pixels[..., 0] > 128).astype(np.uint8)}}
    image = richtypes.Image(pixels, boxes=boxes, masks=masks, caption=f"sample {i}")
    return {
        "image": image,
        "score": float(i) / 7,
        "hist": richtypes.Histogram(pixels[..., 1].ravel()),
    }


class DieOnce(Media):
    """Encodes as ``inner`` does, but the first process to encode it dies (``os._exit``).

    ``marker`` is a file path: it is created just before the process exits, so
    the retry (or the rerun) finds it and encodes normally.
    """

    def __init__(self, inner: Media, marker: str) -> None:
        self.inner = inner
        self.marker = marker

    def to_json(self, store: Any) -> dict[str, Any]:
        if not os.path.exists(self.marker):
            with open(self.marker, "w"):
                pass
            os._exit(3)
        return self.inner.to_json(store)
