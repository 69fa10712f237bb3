"""W4 histogram, W5 point cloud, W6 lidar scene."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from ._common import Case, Goal, guard, npy_job, richtypes_attr, richtypes_job
from ._measure import Job, Unavailable
from ._wandb import WandbPeer, maybe_unavailable, wandb_peers

__all__ = ["w4", "w5", "w6", "make_points", "make_boxes3d"]

BINS = 64


def w4(quick: bool, peer: WandbPeer | Unavailable | None) -> list[Case]:
    """W4: a histogram of 10 million float32 values: binning alone, then construction + dump."""
    n = 10_000 if quick else 10_000_000
    values = np.random.default_rng(0).standard_normal(n).astype(np.float32)
    Histogram = richtypes_attr("Histogram")
    peer_missing = maybe_unavailable(peer)
    cases = []

    rt: Job | Unavailable = guard(Histogram) or Job(
        "richtypes",
        lambda _d: Histogram(values, num_bins=BINS),
        note="Histogram(values) construction only, no IO",
    )
    peers: dict[str, Job | Unavailable] = {}
    if peer_missing:
        peers["wandb"] = peer_missing
    else:
        wandb = peer.wandb  # type: ignore[union-attr]
        peers["wandb"] = Job(
            "wandb",
            lambda _d: wandb.Histogram(values, num_bins=BINS),
            note="wandb.Histogram(values) construction only",
        )
    cases.append(
        Case(
            id="W4.binning",
            title=f"histogram of {n:,} float32, {BINS} bins: binning only",
            richtypes=rt,
            baselines=[Job("np.histogram", lambda _d: np.histogram(values, bins=BINS))],
            peers=peers,
            goals=[Goal("not slower than np.histogram", "encode", "np.histogram", 1.0)],
            input_bytes=values.nbytes,
            params={"values": n, "bins": BINS},
            inputs={"values": values, "bins": BINS},
        )
    )

    if isinstance(Histogram, Unavailable):
        rt = Histogram
    else:
        rt = richtypes_job(
            lambda: Histogram(values, num_bins=BINS), reference=Histogram(values, num_bins=BINS)
        )
    peers = {}
    if peer_missing:
        peers["wandb"] = peer_missing
    else:
        peers["wandb"] = peer.job(lambda: wandb.Histogram(values, num_bins=BINS))  # type: ignore[union-attr]
    cases.append(
        Case(
            id="W4.dump",
            title=f"histogram of {n:,} float32: construction + dump",
            richtypes=rt,
            baselines=[_np_histogram_orjson(values)],
            peers=peers,
            input_bytes=values.nbytes,
            params={"values": n, "bins": BINS},
            inputs={"values": values, "bins": BINS},
        )
    )
    return cases


def _np_histogram_orjson(values: np.ndarray) -> Job:
    import orjson

    def encode(out_dir: Path) -> None:
        counts, edges = np.histogram(values, bins=BINS)
        (out_dir / "hist.json").write_bytes(
            orjson.dumps({"counts": counts, "edges": edges}, option=orjson.OPT_SERIALIZE_NUMPY)
        )

    def decode(out_dir: Path, _h: Any) -> Any:
        doc = orjson.loads((out_dir / "hist.json").read_bytes())
        return np.asarray(doc["counts"]), np.asarray(doc["edges"])

    return Job("np.histogram + orjson", encode, decode)


def make_points(n: int, channels: int = 6, seed: int = 0) -> np.ndarray:
    """``n`` points (N, channels) float32: xyz spread over +-50 m, colours as 0..255 values."""
    rng = np.random.default_rng(seed)
    pts = np.empty((n, channels), dtype=np.float32)
    pts[:, :3] = rng.normal(0, 15, (n, 3))
    if channels == 4:
        pts[:, 3] = rng.integers(0, 10, n)
    elif channels == 6:
        pts[:, 3:] = rng.integers(0, 256, (n, 3))
    return pts


def make_boxes3d(m: int, seed: int = 0) -> dict[str, np.ndarray]:
    """``m`` oriented 3D boxes as (M, 8, 3) corners plus colours and scores (vectorized)."""
    rng = np.random.default_rng(seed)
    centers = rng.uniform(-40, 40, (m, 3))
    sizes = rng.uniform(1, 5, (m, 3))
    yaw = rng.uniform(-np.pi, np.pi, m)
    signs = np.array(
        [[sx, sy, sz] for sx in (-1, 1) for sy in (-1, 1) for sz in (-1, 1)], dtype=np.float64
    )
    local = signs[None, :, :] * sizes[:, None, :] / 2  # (M, 8, 3)
    c, s = np.cos(yaw)[:, None], np.sin(yaw)[:, None]
    rotated = np.stack(
        [
            c * local[..., 0] - s * local[..., 1],
            s * local[..., 0] + c * local[..., 1],
            local[..., 2],
        ],
        axis=-1,
    )
    return {
        "corners": rotated + centers[:, None, :],
        "colors": rng.integers(0, 256, (m, 3)),
        "scores": rng.random(m),
    }


def w5(quick: bool, peer: WandbPeer | Unavailable | None) -> list[Case]:
    """W5: a point cloud of 1 million points (N, 6) float32."""
    n = 1_000 if quick else 1_000_000
    points = make_points(n, 6)
    Object3D = richtypes_attr("Object3D")
    rt: Job | Unavailable = guard(Object3D) or richtypes_job(
        lambda: Object3D(points), reference=Object3D(points)
    )
    peers = wandb_peers(
        peer,
        lambda p, wandb: p.job(
            lambda: wandb.Object3D(points), note="writes the points as JSON text (.pts.json)"
        ),
    )
    return [
        Case(
            id="W5",
            title=f"point cloud {n:,} x 6 float32",
            richtypes=rt,
            baselines=[npy_job({"points": points}), npy_job({"points": points}, tofile=True)],
            peers=peers,
            goals=[
                Goal("within 2x of np.save", "encode", "np.save", 2.0),
                Goal(
                    "peak extra memory within 1.5x of the input", "peak_mem_vs_input", "input", 1.5
                ),
            ],
            input_bytes=points.nbytes,
            params={"points": n},
            inputs={"points": points},
        )
    ]


def w6(quick: bool, peer: WandbPeer | Unavailable | None) -> list[Case]:
    """W6: a lidar scene of 200k points, 500 3D boxes and 100 vectors."""
    n, m, v = (1_000, 5, 3) if quick else (200_000, 500, 100)
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
    Object3D = richtypes_attr("Object3D")
    rt: Job | Unavailable = guard(Object3D) or richtypes_job(
        lambda: Object3D(scene), reference=Object3D(scene)
    )
    wb_scene = {
        "type": "lidar/beta",
        "points": points,
        "boxes": np.array(box_dicts),
        "vectors": np.array(vec_dicts),
    }

    def wandb_scene(note: str) -> dict[str, Job | Unavailable]:
        return wandb_peers(
            peer, lambda p, wandb: p.job(lambda: wandb.Object3D(wb_scene), note=note)
        )

    peers = wandb_scene("boxes and vectors as numpy object arrays of dicts, as wandb documents")
    raw = {
        "points": points,
        "corners": boxes["corners"],
        "colors": boxes["colors"].astype(np.uint8),
        "scores": boxes["scores"],
        "vectors": np.stack([starts, ends], axis=1),
    }

    def scene_case(
        case_id: str, form: str, job: Job | Unavailable, case_peers: dict[str, Job | Unavailable]
    ) -> Case:
        return Case(
            id=case_id,
            title=f"lidar scene: {n:,} points, {m} boxes, {v} vectors ({form})",
            richtypes=job,
            baselines=[npy_job(raw), npy_job(raw, tofile=True)],
            peers=case_peers,
            goals=[Goal("within 2x of writing the raw arrays", "encode", "best_raw", 2.0)],
            input_bytes=sum(a.nbytes for a in raw.values()),
            params={"points": n, "boxes": m, "vectors": v},
            inputs=inputs,
        )

    labels = [d["label"] for d in box_dicts]
    box_cols = {
        "corners": boxes["corners"],
        "labels": labels,
        "colors": boxes["colors"],
        "scores": boxes["scores"],
    }
    vec_cols = {"starts": starts, "ends": ends}
    inputs = {"points": points, "box_dicts": box_dicts, "vec_dicts": vec_dicts}
    inputs.update(box_cols=box_cols, vec_cols=vec_cols)
    cases = [scene_case("W6", "lists of dicts", rt, peers)]
    if isinstance(Object3D, Unavailable):
        rt_cols: Job | Unavailable = Object3D
    elif not hasattr(Object3D, "scene"):
        rt_cols = Unavailable("richtypes", "Object3D.scene is not available yet")
    else:

        def build_cols() -> Any:
            return Object3D.scene(points, boxes=box_cols, vectors=vec_cols)

        try:
            rt_cols = richtypes_job(
                build_cols,
                reference=build_cols(),
                note="Object3D.scene(points, boxes={columns}, vectors={columns})",
            )
        except Exception as exc:  # noqa: BLE001 - an API mismatch is a result
            rt_cols = Unavailable(
                "richtypes",
                f"Object3D.scene columns: {type(exc).__name__}: {exc}"[:300],
                status="error",
            )
    cases.append(
        scene_case(
            "W6.columnar",
            "columnar",
            rt_cols,
            wandb_scene("wandb takes dicts only: the same work as W6"),
        )
    )
    return cases
