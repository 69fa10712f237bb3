"""Demo: a coloured point cloud, a lidar scene with boxes and vectors, and a GLB mesh."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..object3d.object3d import Object3D, box3d


def example() -> dict[str, Any]:
    import trimesh

    rng = np.random.default_rng(0)
    n = 200_000
    cloud = np.empty((n, 6), dtype=np.float32)
    cloud[:, :3] = rng.normal(scale=(20.0, 20.0, 1.0), size=(n, 3))
    cloud[:, 3:] = rng.integers(0, 256, size=(n, 3))
    boxes = [
        box3d(
            rng.uniform(-30, 30, 3) * (1, 1, 0) + (0, 0, 0.8),
            (4.5, 1.9, 1.6),
            float(rng.uniform(-np.pi, np.pi)),
            label="car",
            color=(255, 80, 0),
            score=float(rng.uniform(0.5, 1.0)),
        )
        for _ in range(20)
    ]
    vectors = [
        {"start": b["corners"].mean(axis=0), "end": b["corners"].mean(axis=0) + (2.0, 0.0, 0.0)}
        for b in boxes[:5]
    ]
    mesh = trimesh.util.concatenate(
        [
            trimesh.creation.box((1, 1, 1)),
            trimesh.creation.icosphere(subdivisions=2).apply_translation((2, 0, 0)),
        ]
    )
    return {
        "cloud": Object3D(cloud),
        "lidar": Object3D(
            {"type": "lidar/beta", "points": cloud[:50_000, :3], "boxes": boxes, "vectors": vectors}
        ),
        "mesh": Object3D.from_trimesh(mesh),
    }
