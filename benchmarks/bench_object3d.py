"""Object3D goals from issue 5, measured in one process (best of N runs; fresh store per run).

    python -m benchmarks.bench_object3d

W5: 1M x 6 float32 point cloud: encode (``richtypes.dump``) vs ``np.save`` of the
same array, hash included; construction on its own; tracemalloc peak of
construction + encode vs the input size. W6: 200k points + 500 boxes + 100
vectors: construction + encode vs ``np.save`` of the raw arrays. The full
harness (``python -m benchmarks --only W5 --only W6``) reports medians instead.
"""

from __future__ import annotations

import os
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

import numpy as np

import richtypes
from richtypes import Object3D

from ._w_arrays import make_boxes3d, make_points


def best_ms(fn: Callable[[str], Any], repeats: int = 15) -> float:
    times = []
    with tempfile.TemporaryDirectory() as root:
        for i in range(repeats):
            out = os.path.join(root, str(i))
            os.mkdir(out)
            start = time.perf_counter()
            fn(out)
            times.append(time.perf_counter() - start)
    return min(times) * 1e3


def peak_bytes(fn: Callable[[str], Any]) -> int:
    with tempfile.TemporaryDirectory() as root:
        tracemalloc.start()
        fn(root)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return peak


def main() -> None:
    pts = make_points(1_000_000, 6)
    cloud = Object3D(pts)
    save = best_ms(lambda d: np.save(os.path.join(d, "p.npy"), pts))
    encode = best_ms(lambda d: richtypes.dump(cloud, d))
    build = best_ms(lambda d: Object3D(pts))
    both = best_ms(lambda d: richtypes.dump(Object3D(pts), d))
    peak = peak_bytes(lambda d: richtypes.dump(Object3D(pts), d))
    print(
        f"W5 1M x 6 float32 ({pts.nbytes / 1e6:.0f} MB): np.save {save:.2f} ms | encode {encode:.2f} ms ({encode / save:.2f}x) "
        f"| construct {build:.2f} ms | construct + encode {both:.2f} ms ({both / save:.2f}x) "
        f"| peak extra memory {peak / 1e6:.2f} MB ({peak / pts.nbytes:.3f}x input)"
    )

    n, m, v = 200_000, 500, 100
    points = make_points(n, 3, seed=1)
    boxes = make_boxes3d(m, seed=1)
    rng = np.random.default_rng(2)
    starts = rng.uniform(-40, 40, (v, 3))
    ends = starts + rng.uniform(-5, 5, (v, 3))
    box_dicts = [
        {"corners": c, "label": f"car {i}", "color": col, "score": s}
        for i, (c, col, s) in enumerate(
            zip(boxes["corners"].tolist(), boxes["colors"].tolist(), boxes["scores"].tolist())
        )
    ]
    vec_dicts = [{"start": a, "end": b} for a, b in zip(starts.tolist(), ends.tolist())]
    scene = {"type": "lidar/beta", "points": points, "boxes": box_dicts, "vectors": vec_dicts}
    columns = {
        "corners": boxes["corners"],
        "labels": [d["label"] for d in box_dicts],
        "colors": boxes["colors"],
        "scores": boxes["scores"],
    }
    raw = {
        "points": points,
        "corners": boxes["corners"],
        "colors": boxes["colors"].astype(np.uint8),
        "scores": boxes["scores"],
        "vectors": np.stack([starts, ends], axis=1),
    }
    save = best_ms(lambda d: [np.save(os.path.join(d, k + ".npy"), a) for k, a in raw.items()])
    built = Object3D(scene)
    encode = best_ms(lambda d: richtypes.dump(built, d))
    dicts = best_ms(lambda d: richtypes.dump(Object3D(scene), d))
    cols = best_ms(
        lambda d: richtypes.dump(
            Object3D.scene(points, boxes=columns, vectors={"starts": starts, "ends": ends}), d
        )
    )
    print(
        f"W6 {n:,} points + {m} boxes + {v} vectors: np.save of the raw arrays {save:.2f} ms | encode {encode:.2f} ms ({encode / save:.2f}x) "
        f"| construct + encode from dicts {dicts:.2f} ms ({dicts / save:.2f}x) | from columns {cols:.2f} ms ({cols / save:.2f}x)"
    )


if __name__ == "__main__":
    main()
