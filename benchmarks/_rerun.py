"""rerun (``rerun-sdk``) as a peer: each job logs a case's inputs to a fresh ``.rrd`` file.

One encode = open a new recording saved to ``out_dir/run.rrd`` (``rr.save``
before any log call, as rerun requires), log the case's data with the
archetype rerun has for it, flush and disconnect (the footer is written): the
same start-to-file work as richtypes' new ``Store`` + ``dump`` + JSON write.
rerun keeps images as raw pixels (no PNG) and has no local reader here, so
decoding is not measured. Inputs come in the same forms as richtypes gets
them: a list-of-dicts case first converts the dicts to the arrays rerun takes,
inside the timed work.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from ._common import Case
from ._measure import Job, Unavailable

__all__ = ["NAME", "peer_job"]

NAME = "rerun"
_ids = itertools.count()
# The 12 edges of a box whose 8 corners are ordered by (sx, sy, sz) in {-1, 1}^3.
_EDGES = np.array(
    [[0, 1], [2, 3], [4, 5], [6, 7], [0, 2], [1, 3], [4, 6], [5, 7], [0, 4], [1, 5], [2, 6], [3, 7]]
)


def _job(rr: Any, log: Callable[[Any], None], note: str = "") -> Job:
    def encode(out_dir: Path) -> None:
        rec = rr.RecordingStream("richtypes-bench", recording_id=f"bench-{next(_ids)}")
        rec.save(out_dir / "run.rrd")
        log(rec)
        rec.flush()
        rec.disconnect()

    return Job(
        NAME,
        encode,
        note=note,
        decode_note="not measured: rerun's files are read by its viewer",
    )


def xyxy_of(dicts: list[dict[str, Any]], width: int, height: int) -> np.ndarray:
    """Pixel (N, 4) corners of box dicts in either position style and domain (what rerun takes)."""
    out = np.empty((len(dicts), 4))
    for i, d in enumerate(dicts):
        p = d["position"]
        if "minX" in p:
            out[i] = p["minX"], p["minY"], p["maxX"], p["maxY"]
        else:
            (cx, cy), w, h = p["middle"], p["width"], p["height"]
            out[i] = cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2
        if d.get("domain") != "pixel":
            out[i] *= (width, height, width, height)
    return out


def _boxes2d(rr: Any, b: dict[str, Any], form: str, size: tuple[int, int]) -> list[Any]:
    """The rerun components of a box group given as dicts or as columns (converted in the timed work)."""
    if form == "dicts":
        dicts = b["dicts"]
        xyxy = xyxy_of(dicts, size[1], size[0])
        class_ids = np.array([d["class_id"] for d in dicts])
        captions = [d["box_caption"] for d in dicts]
        scores = np.array([d["scores"]["acc"] for d in dicts])
    else:
        xyxy, class_ids, captions, scores = b["xyxy"], b["class_ids"], None, b["scores"]
    boxes = rr.Boxes2D(
        array=xyxy, array_format=rr.Box2DFormat.XYXY, class_ids=class_ids, labels=captions
    )
    return [boxes, rr.AnyValues(acc=scores)]


def _annotations(rr: Any, labels: dict[int, str]) -> Any:
    return rr.AnnotationContext([(int(i), name) for i, name in labels.items()])


def _table_columns(inputs: dict[str, Any]) -> dict[str, Any]:
    form = inputs["form"]
    if form == "columns":
        return dict(inputs["cols"])
    if form == "rows":
        names = list(inputs["cols"])
        return dict(zip(names, (list(c) for c in zip(*inputs["rows"]))))
    df = inputs["df"]
    return {c: (df[c].tolist() if df[c].dtype == object else df[c].to_numpy()) for c in df.columns}


def peer_job(case: Case) -> Job | Unavailable:
    """rerun's job for ``case``, or why rerun cannot express it."""
    try:
        import rerun as rr
    except ImportError:
        return Unavailable(NAME, "rerun-sdk is not installed (pip install 'richtypes[bench]')")
    inp = case.inputs
    kind = case.id.split(".")[0]
    if kind == "W1":
        images = inp["images"]
        return _job(
            rr,
            lambda rec: [rec.log(f"examples/{i}", rr.Image(a)) for i, a in enumerate(images)],
            note="rr.Image per image: raw pixels, no compression",
        )
    if kind == "W2":
        b, form, image = inp["boxes"], inp["form"], inp.get("image")
        size = case.params["image"], case.params["image"]

        def log_boxes(rec: Any) -> None:
            rec.log("image/boxes", _annotations(rr, b["labels"]), static=True)
            if image is not None:
                rec.log("image", rr.Image(image))
            rec.log("image/boxes", *_boxes2d(rr, b, form, size))

        return _job(
            rr, log_boxes, note="rr.Boxes2D (XYXY, class ids, labels) + scores as AnyValues"
        )
    if kind == "W3":
        mask, labels, image = inp["mask"], inp["labels"], inp.get("image")

        def log_mask(rec: Any) -> None:
            rec.log("image/mask", _annotations(rr, labels), static=True)
            if image is not None:
                rec.log("image", rr.Image(image))
            rec.log("image/mask", rr.SegmentationImage(mask))

        return _job(rr, log_mask, note="rr.SegmentationImage + AnnotationContext: raw class ids")
    if case.id == "W4.binning":
        return Unavailable(NAME, "rerun has no histogram type that bins values", status="n/a")
    if kind == "W4":
        values, bins = inp["values"], inp["bins"]
        return _job(
            rr,
            lambda rec: rec.log("hist", rr.BarChart(np.histogram(values, bins=bins)[0])),
            note="np.histogram + rr.BarChart of the counts (rerun has no histogram type)",
        )
    if kind == "W5":
        pts = inp["points"]
        return _job(
            rr,
            lambda rec: rec.log(
                "points", rr.Points3D(pts[:, :3], colors=pts[:, 3:].astype(np.uint8))
            ),
            note="rr.Points3D with colours",
        )
    if kind == "W6":
        columnar = case.id == "W6.columnar"

        def log_scene(rec: Any) -> None:
            if columnar:
                corners = np.asarray(inp["box_cols"]["corners"], np.float32)
                colors, labels = inp["box_cols"]["colors"], inp["box_cols"]["labels"]
                scores = inp["box_cols"]["scores"]
                starts, ends = inp["vec_cols"]["starts"], inp["vec_cols"]["ends"]
            else:
                dicts = inp["box_dicts"]
                corners = np.array([d["corners"] for d in dicts], np.float32)
                colors = np.array([d["color"] for d in dicts])
                labels = [d["label"] for d in dicts]
                scores = np.array([d["score"] for d in dicts])
                starts = np.array([d["start"] for d in inp["vec_dicts"]])
                ends = np.array([d["end"] for d in inp["vec_dicts"]])
            rec.log("scene/points", rr.Points3D(inp["points"]))
            strips = corners[:, _EDGES].reshape(-1, 2, 3)  # (M * 12, 2, 3)
            rec.log(
                "scene/boxes",
                rr.LineStrips3D(strips, colors=np.repeat(colors.astype(np.uint8), 12, axis=0)),
                rr.AnyValues(label=labels, score=scores),
            )
            rec.log("scene/vectors", rr.Arrows3D(origins=starts, vectors=ends - starts))

        return _job(
            rr,
            log_scene,
            note="boxes from corners as rr.LineStrips3D (12 edges each), vectors as rr.Arrows3D",
        )
    if kind == "W7":
        if inp["form"] == "dataframe" and inp["df"] is None:
            return Unavailable(NAME, "pandas is not installed")
        return _job(
            rr,
            lambda rec: rec.log("table", rr.AnyValues(**_table_columns(inp))),
            note="columns as rr.AnyValues (rerun has no table type); rows transposed first",
        )
    if kind == "W8":
        x, y = inp["x"], inp["y"]
        return _job(
            rr,
            lambda rec: rec.send_columns(
                "loss",
                indexes=[rr.TimeColumn("step", sequence=x)],
                columns=rr.Scalars.columns(scalars=y),
            ),
            note="rr.send_columns of rr.Scalars over a step timeline",
        )
    return Unavailable(NAME, "rerun does not encode video from frames", status="n/a")
