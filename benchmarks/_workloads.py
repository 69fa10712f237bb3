"""The workload registry: id -> (title, ``module:function``), imported lazily in the worker."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

__all__ = ["WORKLOADS", "load_workload"]

WORKLOADS: dict[str, tuple[str, str]] = {
    "W1": ("50 RGB images 512x512 uint8", "benchmarks._w_images:w1"),
    "W2": ("one image with 1,000 boxes (list of dicts, columnar)", "benchmarks._w_images:w2"),
    "W3": ("one 512x512 segmentation mask, 20 classes", "benchmarks._w_images:w3"),
    "W4": ("histogram of 10 million float32 values", "benchmarks._w_arrays:w4"),
    "W5": ("point cloud of 1 million points (N, 6) float32", "benchmarks._w_arrays:w5"),
    "W6": ("lidar scene: 200k points, 500 3D boxes, 100 vectors", "benchmarks._w_arrays:w6"),
    "W7": ("table of 100,000 rows x 6 mixed columns", "benchmarks._w_tables:w7"),
    "W8": ("line chart of 10,000 rows", "benchmarks._w_tables:w8"),
    "W9": ("video: 64 frames 128x128 RGB per available format", "benchmarks._w_video:w9"),
}


def load_workload(wid: str) -> Callable[..., Any]:
    """The function building workload ``wid``'s cases."""
    module, _, func = WORKLOADS[wid][1].partition(":")
    return getattr(importlib.import_module(module), func)
