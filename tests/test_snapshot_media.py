"""Every media type: what the caller still holds after ``log`` (or ``encode_many``) cannot change the run.

Each case builds a row from inputs the caller keeps, logs it while the worker
is held back (so encoding happens after the caller's changes), changes every
one of those inputs, then reads the run back: it must equal the row built
from untouched copies of the inputs.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import richtypes
from richtypes import BoundingBoxes2D, Histogram, Html, Image, Object3D, Table, box3d, plot
from richtypes.audio import Audio
from richtypes.core.media import Media
from richtypes.video import Video

Case = Callable[[Path], tuple[Callable[[Any], dict[str, Any]], Any, Callable[[Any], None]]]
"""A case: ``(build(inputs) -> row, inputs, mutate(inputs))``; ``build`` must not keep ``inputs`` alive past the row."""


def _image(tmp: Path):
    rng = np.random.default_rng(0)
    inputs = {
        "pixels": rng.integers(0, 256, (24, 32, 3), dtype=np.uint8),
        "mask": (rng.random((24, 32)) > 0.5).astype(np.uint8),
        "boxes": {
            "box_data": [
                {
                    "position": {"minX": 2, "maxX": 10, "minY": 3, "maxY": 12},
                    "domain": "pixel",
                    "class_id": 1,
                    "box_caption": "cat",
                    "scores": {"confidence": 0.9},
                }
            ],
            "class_labels": {0: "background", 1: "cat"},
        },
        "xyxy": np.array([[0.1, 0.1, 0.5, 0.6]]),
        "ids": np.array([1]),
        "mask_labels": {0: "background", 1: "cat"},
    }

    def build(i: dict[str, Any]) -> dict[str, Any]:
        return {
            "image": Image(
                i["pixels"],
                boxes={
                    "predictions": i["boxes"],
                    "truth": BoundingBoxes2D(xyxy=i["xyxy"], class_ids=i["ids"]),
                },
                masks={"seg": {"mask_data": i["mask"], "class_labels": i["mask_labels"]}},
            ),
            "png": Image(i["pixels"], file_type="png"),
        }

    def mutate(i: dict[str, Any]) -> None:
        i["pixels"][:] = 7
        i["mask"][:] = 0
        box = i["boxes"]["box_data"][0]
        box["position"]["maxX"] = 30
        box["class_id"] = 0
        box["scores"]["confidence"] = 0.1
        i["boxes"]["box_data"].append(copy.deepcopy(box))
        i["boxes"]["class_labels"][1] = "dog"
        i["xyxy"][:] = 0.2
        i["ids"][:] = 0
        i["mask_labels"][1] = "dog"

    return build, inputs, mutate


def _histogram(tmp: Path):
    rng = np.random.default_rng(1)
    inputs = {
        "values": rng.normal(size=500),
        "counts": np.array([1, 2, 3]),
        "edges": np.arange(4.0),
    }

    def build(i: dict[str, Any]) -> dict[str, Any]:
        return {
            "h": Histogram(i["values"], num_bins=16),
            "pre": Histogram(np_histogram=(i["counts"], i["edges"])),
        }

    def mutate(i: dict[str, Any]) -> None:
        i["values"][:] = 100.0
        i["counts"][:] = 9
        i["edges"][:] = np.arange(4.0) * 10

    return build, inputs, mutate


def _object3d(tmp: Path):
    import trimesh

    rng = np.random.default_rng(2)
    mesh_path = tmp / "m.glb"
    mesh_path.write_bytes(trimesh.creation.box((1, 1, 1)).export(file_type="glb"))
    cloud = np.zeros((100, 6), np.float32)
    cloud[:, :3] = rng.normal(size=(100, 3))
    cloud[:, 3:] = rng.integers(0, 256, (100, 3))
    inputs = {
        "cloud": cloud,
        "xyz": rng.normal(size=(50, 3)).astype(np.float32),
        "boxes": [box3d((0, 0, 1), (4, 2, 1.5), 0.3, label="car", score=0.8)],
        "vectors": [{"start": np.zeros(3), "end": np.ones(3)}],
        "buffer": bytearray(rng.normal(size=(40, 3)).astype(np.float32).tobytes()),
        "mesh_path": mesh_path,
    }

    def build(i: dict[str, Any]) -> dict[str, Any]:
        return {
            "points": Object3D(i["cloud"]),
            "over_a_bytearray": Object3D(np.frombuffer(i["buffer"], np.float32).reshape(-1, 3)),
            "scene": Object3D(
                {
                    "type": "lidar/beta",
                    "points": i["xyz"],
                    "boxes": i["boxes"],
                    "vectors": i["vectors"],
                }
            ),
            "mesh": Object3D(str(i["mesh_path"])),
        }

    def mutate(i: dict[str, Any]) -> None:
        i["cloud"][:] = 1
        i["xyz"][:] = 0
        i["buffer"][:] = bytes(len(i["buffer"]))
        i["boxes"][0]["corners"][:] = 0
        i["boxes"][0]["label"] = "truck"
        i["boxes"].append(i["boxes"][0])
        i["vectors"][0]["end"][:] = 5
        i["mesh_path"].write_bytes(trimesh.creation.icosphere().export(file_type="glb"))

    return build, inputs, mutate


def _table(tmp: Path):
    rng = np.random.default_rng(3)
    inputs = {
        "rows": [[1, "a", 0.5], [2, "b", None]],
        "x": np.arange(5),
        "emb": rng.normal(size=(5, 4)).astype(np.float32),
        "cell": np.ones(3, np.float32),
        "cloud_buf": rng.normal(size=(10, 3)).astype(np.float32),
    }

    def build(i: dict[str, Any]) -> dict[str, Any]:
        grown = Table(columns=["id", "label", "score"], data=i["rows"])
        arrays = Table(columns=["v"], data=[[i["cell"]]])
        arrays.add_data(i["cell"])  # a cell the caller refills right after
        media = Table(columns=["obj"], data=[[Object3D(i["cloud_buf"])]])
        i["tables"] = (grown, arrays, media)  # the caller keeps building them
        return {
            "grown": grown,
            "columns": Table.from_columns({"x": i["x"], "emb": i["emb"]}),
            "arrays": arrays,
            "media": media,
        }

    def mutate(i: dict[str, Any]) -> None:
        grown, arrays, media = i["tables"]
        for k in range(999):
            grown.add_data(3 + k, "c", 1.5)  # also widens nothing: same types
        grown.add_column("extra", list(range(len(grown))))
        arrays.add_data(np.zeros(3, np.float32))
        media.add_data(Object3D(np.zeros((2, 3), np.float32)))
        i["rows"][0][0] = 100
        i["rows"].append([9, "z", 0.0])
        i["x"][:] = -1
        i["emb"][:] = 0
        i["cell"][:] = 5
        i["cloud_buf"][:] = 0

    return build, inputs, mutate


def _html_video_audio(tmp: Path):
    rng = np.random.default_rng(4)
    page = tmp / "page.html"
    page.write_text("<p>before</p>", encoding="utf-8")
    inputs = {
        "page": page,
        "frames": rng.integers(0, 256, (4, 16, 16, 3), dtype=np.uint8),
        "samples": (rng.random(800) * 2 - 1).astype(np.float32),
    }

    def build(i: dict[str, Any]) -> dict[str, Any]:
        return {
            "html": Html(str(i["page"]), data_is_not_path=False),
            "video": Video(i["frames"], fps=4),
            "audio": Audio(i["samples"], sample_rate=8000),
        }

    def mutate(i: dict[str, Any]) -> None:
        i["page"].write_text("<p>after</p>", encoding="utf-8")
        i["frames"][:] = 0
        i["samples"][:] = 0

    return build, inputs, mutate


def _charts(tmp: Path):
    inputs = {
        "steps": np.arange(20),
        "ys": [np.sqrt(np.arange(20.0)), np.log1p(np.arange(20.0))],
        "history": Table(columns=["step", "loss"], data=[[0, 1.0], [1, 0.5]]),
        "y_true": np.array([0, 1, 1, 0, 1]),
        "scores": np.array([[0.8, 0.2], [0.3, 0.7], [0.4, 0.6], [0.6, 0.4], [0.1, 0.9]]),
    }

    def build(i: dict[str, Any]) -> dict[str, Any]:
        return {
            "line": plot.line(i["history"], "step", "loss"),
            "series": plot.line_series(i["steps"], i["ys"], keys=["a", "b"]),
            "roc": plot.roc_curve(i["y_true"], i["scores"]),
        }

    def mutate(i: dict[str, Any]) -> None:
        for k in range(50):
            i["history"].add_data(2 + k, 0.1)
        i["steps"][:] = 0
        i["ys"][0][:] = -1
        i["ys"].append(np.zeros(20))
        i["y_true"][:] = 0
        i["scores"][:] = 0.5

    return build, inputs, mutate


CASES: dict[str, Case] = {
    "image_boxes_masks": _image,
    "histogram": _histogram,
    "object3d": _object3d,
    "table": _table,
    "html_video_audio": _html_video_audio,
    "charts": _charts,
}


class _Gate(Media):
    """A value whose encoding waits for ``release``: the worker stays behind the caller."""

    _type = "float"  # read back as a float NaN

    def __init__(self) -> None:
        self.release = threading.Event()
        self.started = threading.Event()

    def to_json(self, store: Any) -> dict[str, Any]:
        self.started.set()
        self.release.wait(20)
        return {"_type": "float", "_version": 1, "value": "NaN"}

    def _content(self) -> tuple[Any, ...]:
        return ()


def _prepare(name: str, tmp_path: Path) -> tuple[dict[str, Any], Any, Any, Any]:
    """What case ``name`` must store (built from its own inputs), and a second set to mutate."""
    case = CASES[name]
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    build, inputs, _mutate = case(tmp_path / "a")
    expected = build(inputs)
    build, inputs, mutate = case(tmp_path / "b")
    return expected, build, inputs, mutate


@pytest.mark.parametrize("name", CASES)
def test_changing_what_was_logged_does_not_change_the_run(name: str, tmp_path: Path) -> None:
    expected, build, inputs, mutate = _prepare(name, tmp_path)
    gate = _Gate()
    with richtypes.init(dir=tmp_path / "run") as run:
        run.log({"gate": gate})
        run.log(build(inputs))
        mutate(inputs)  # right after log returns, before the worker encodes
        gate.release.set()
    rows = richtypes.open_run(tmp_path / "run").history()
    logged = {k: v for k, v in rows[1].items() if not k.startswith("_")}
    assert logged.keys() == expected.keys()
    for key, value in expected.items():
        assert logged[key] == value, key


@pytest.mark.parametrize("name", CASES)
def test_changing_what_encode_many_was_given_does_not_change_the_documents(
    name: str, tmp_path: Path
) -> None:
    expected, build, inputs, mutate = _prepare(name, tmp_path)
    gate = _Gate()
    with ThreadPoolExecutor(1) as caller, ThreadPoolExecutor(1) as encoder:
        future = caller.submit(
            richtypes.encode_many, [gate, build(inputs)], tmp_path / "store", executor=encoder
        )
        assert gate.started.wait(20)  # encode_many took its values and is encoding the gate
        mutate(inputs)
        gate.release.set()
        docs = future.result()
    back = richtypes.load(docs[1], tmp_path / "store")
    for key, value in expected.items():
        assert back[key] == value, key


def test_a_table_logged_at_every_append_keeps_each_steps_rows(tmp_path: Path) -> None:
    table = Table(columns=["step", "loss", "emb"], data=[])
    gate = _Gate()
    with richtypes.init(dir=tmp_path / "run") as run:
        run.log({"gate": gate})
        for step in range(200):
            table.add_data(step, 1.0 / (step + 1), np.full(2, step, np.float32))
            run.log({"t": table})
        table.add_column("late", list(range(len(table))))
        gate.release.set()
    rows = richtypes.open_run(tmp_path / "run").history()[1:]
    assert [len(row["t"]) for row in rows] == list(range(1, 201))
    last = rows[-1]["t"]
    assert last.columns == ["step", "loss", "emb"]
    assert last.get_column("step") == list(range(200))


def test_a_column_widened_after_log_stays_as_logged(tmp_path: Path) -> None:
    table = Table(columns=["x"], data=[[1], [2]])
    gate = _Gate()
    with richtypes.init(dir=tmp_path / "run") as run:
        run.log({"gate": gate})
        run.log({"t": table})
        table.add_data(2.5)  # int -> float
        table.add_data(None)  # float -> optional[float]
        gate.release.set()
    logged = richtypes.open_run(tmp_path / "run").history()[1]["t"]
    assert logged == Table(columns=["x"], data=[[1], [2]])
    assert logged.column_types == {"x": "int"}
    assert table.column_types == {"x": "optional[float]"} and len(table) == 4


def test_a_table_snapshot_shares_columns_and_rows_instead_of_copying_them() -> None:
    n = 100_000
    table = Table.from_columns({"x": np.arange(n), "s": ["a"] * n})
    for i in range(10):
        table.add_data(i, "b")
    snap = table._snapshot()
    assert all(a is b for a, b in zip(snap._s.cols, table._s.cols))  # finalized columns shared
    assert snap._s.sealed is table._s.sealed  # appended rows shared, not copied
    table.add_data(-1, "c")
    again = table._snapshot()
    assert again._s.sealed[0] is snap._s.sealed  # the next snapshot only adds the new row
    assert len(snap) == n + 10 and len(again) == n + 11 and len(table) == n + 11
    assert snap.get_column("x")[-1] == 9 and again.get_column("x")[-1] == -1
    assert table.get_column("s")[-3:] == ["b", "b", "c"]
