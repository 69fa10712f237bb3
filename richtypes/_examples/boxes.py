"""Demo: box groups on their own, in each input form (the image demo shows boxes on a picture)."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..image.boxes import BoundingBoxes2D


def example() -> dict[str, Any]:
    rng = np.random.default_rng(0)
    labels = {0: "cat", 1: "dog", 2: "bird"}
    predictions = BoundingBoxes2D(
        {
            "box_data": [
                {
                    "position": {"minX": 0.1, "maxX": 0.45, "minY": 0.2, "maxY": 0.7},
                    "class_id": 0,
                    "box_caption": "cat (0.93)",
                    "scores": {"confidence": 0.93},
                },
                {
                    "position": {"middle": [0.7, 0.4], "width": 0.3, "height": 0.25},
                    "class_id": 1,
                    "box_caption": "dog (0.61)",
                    "scores": {"confidence": 0.61},
                },
            ],
            "class_labels": labels,
        }
    )
    n = 5000  # a detector's raw output: large enough for .npy sidecars
    corner = rng.random((n, 2)) * 600
    size = rng.random((n, 2)) * 40
    detections = BoundingBoxes2D(
        xywh=np.hstack([corner, size]).astype(np.float32),
        class_ids=rng.integers(0, 3, n),
        scores={"confidence": rng.random(n)},
        domain="pixel",
        class_labels=labels,
    )
    ground_truth = BoundingBoxes2D.from_coco(
        [
            {"bbox": [48, 96, 168, 240], "category_id": 0},
            {"bbox": [360, 150, 144, 120], "category_id": 1},
        ],
        [{"id": 0, "name": "cat"}, {"id": 1, "name": "dog"}],
    )
    return {"predictions": predictions, "detections": detections, "ground_truth": ground_truth}
