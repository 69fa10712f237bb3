"""tensorboardX as a peer: each job writes a case's inputs to a fresh TensorBoard event file.

One encode = ``SummaryWriter(out_dir)``, the ``add_*`` calls TensorBoard has
for the data, ``close()`` (flushes the event file): the same start-to-file
work as richtypes' new ``Store`` + ``dump`` + JSON write. TensorBoard has no
box, table, 3-D scene or labelled-mask types; where it cannot express a case
the row says so. Decoding is not measured.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from ._common import Case
from ._measure import Job, Unavailable
from ._rerun import xyxy_of

__all__ = ["NAME", "peer_job"]

NAME = "tensorboardX"


def _job(writer_cls: Any, log: Callable[[Any], None], note: str = "") -> Job:
    def encode(out_dir: Path) -> None:
        writer = writer_cls(logdir=str(out_dir))
        log(writer)
        writer.close()

    return Job(
        NAME,
        encode,
        note=note,
        decode_note="not measured: event files are read by TensorBoard",
    )


def peer_job(case: Case) -> Job | Unavailable:
    """tensorboardX's job for ``case``, or why TensorBoard cannot express it."""
    try:
        from tensorboardX import SummaryWriter
    except ImportError:
        return Unavailable(NAME, "tensorboardX is not installed (pip install 'richtypes[bench]')")
    inp = case.inputs
    kind = case.id.split(".")[0]
    if kind == "W1":
        images = inp["images"]
        return _job(
            SummaryWriter,
            lambda w: [
                w.add_image(f"examples/{i}", a, 0, dataformats="HWC") for i, a in enumerate(images)
            ],
            note="add_image per image (PNG by Pillow inside the event file)",
        )
    if kind == "W2":
        if "image" not in inp:
            return Unavailable(NAME, "TensorBoard has boxes only drawn into an image", status="n/a")
        b, image = inp["boxes"], inp["image"]

        def log_boxes(w: Any) -> None:
            if inp["form"] == "dicts":
                dicts = b["dicts"]
                xyxy = xyxy_of(dicts, image.shape[1], image.shape[0])
                captions = [d["box_caption"] for d in dicts]
            else:
                xyxy = b["xyxy"]
                captions = [b["labels"][c] for c in b["class_ids"].tolist()]
            w.add_image_with_boxes("image", image, xyxy, labels=captions, dataformats="HWC")

        return _job(
            SummaryWriter,
            log_boxes,
            note="add_image_with_boxes: boxes drawn into the pixels (no class ids or scores kept)",
        )
    if kind == "W3":
        mask, image = inp["mask"], inp.get("image")

        def log_mask(w: Any) -> None:
            if image is not None:
                w.add_image("image", image, dataformats="HWC")
            w.add_image("mask", mask, dataformats="HW")

        return _job(SummaryWriter, log_mask, note="the mask as a grey image (no class labels kept)")
    if case.id == "W4.binning":
        return Unavailable(
            NAME, "add_histogram bins and writes in one call: see W4.dump", status="n/a"
        )
    if kind == "W4":
        values, bins = inp["values"], inp["bins"]
        return _job(
            SummaryWriter,
            lambda w: w.add_histogram("hist", values, bins=bins),
            note=f"add_histogram(bins={bins})",
        )
    if kind == "W5":
        pts = inp["points"]
        return _job(
            SummaryWriter,
            lambda w: w.add_mesh(
                "points", vertices=pts[None, :, :3], colors=pts[None, :, 3:].astype(np.uint8)
            ),
            note="add_mesh with vertices and colours only",
        )
    if kind == "W6":
        return Unavailable(NAME, "TensorBoard has no 3-D boxes or vectors", status="n/a")
    if kind == "W7":
        return Unavailable(NAME, "TensorBoard has no table type", status="n/a")
    if kind == "W8":
        x, y = inp["x"], inp["y"]
        return _job(
            SummaryWriter,
            lambda w: [w.add_scalar("loss", v, s) for s, v in zip(x.tolist(), y.tolist())],
            note="add_scalar per row (TensorBoard's line chart)",
        )
    return Unavailable(NAME, "add_video needs moviepy, and its GIF only", status="n/a")
