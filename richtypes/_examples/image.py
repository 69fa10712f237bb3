"""Demo: a photo-like image with boxes in both forms, a segmentation mask and one class set; a batch of images."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..image.boxes import BoundingBoxes2D
from ..image.image import Image


def _picture(seed: int, h: int = 256, w: int = 320) -> np.ndarray:
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    sky = np.stack([x / w, y / h, 1 - y / h], axis=-1)
    noise = rng.normal(0, 0.03, sky.shape).astype(np.float32)
    return np.clip(sky + noise, 0, 1)  # float in [0, 1]: scaled to uint8 by the dtype rules


def example() -> dict[str, Any]:
    h, w = 256, 320
    pixels = _picture(0, h, w)
    mask = np.zeros((h, w), np.uint8)
    mask[60:200, 40:150] = 1  # cat
    mask[100:230, 180:300] = 2  # dog
    classes = [
        {"id": 0, "name": "background"},
        {"id": 1, "name": "cat", "color": [255, 80, 0]},
        {"id": 2, "name": "dog", "color": [0, 120, 255]},
    ]
    predictions = {  # the list-of-dicts form, in pixels
        "box_data": [
            {
                "position": {"minX": 38, "maxX": 152, "minY": 58, "maxY": 203},
                "domain": "pixel",
                "class_id": 1,
                "box_caption": "cat 0.92",
                "scores": {"confidence": 0.92},
            },
            {
                "position": {"middle": [240, 165], "width": 124, "height": 132},
                "domain": "pixel",
                "class_id": 2,
                "box_caption": "dog 0.81",
                "scores": {"confidence": 0.81},
            },
        ],
        "class_labels": {1: "cat", 2: "dog"},
    }
    ground_truth = BoundingBoxes2D(  # the columnar form, in fractions of the image
        xyxy=np.array([[40 / w, 60 / h, 150 / w, 200 / h], [180 / w, 100 / h, 300 / w, 230 / h]]),
        class_ids=np.array([1, 2]),
    )
    annotated = Image(
        pixels,
        caption="cat and dog",
        boxes={"predictions": predictions, "ground_truth": ground_truth},
        masks={
            "segmentation": {
                "mask_data": mask,
                "class_labels": {0: "background", 1: "cat", 2: "dog"},
            }
        },
        classes=classes,
    )
    batch = [Image(_picture(seed, 64, 64), caption=f"sample {seed}") for seed in range(4)]
    return {
        "annotated": annotated,
        "examples": batch + [batch[0]],
        "thumbnail": Image(pixels[::4, ::4], file_type="jpeg"),
    }
