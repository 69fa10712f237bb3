"""Boxes: the list-of-dicts form against the columnar form, for every mix of forms (issue 14, W2).

    python -m benchmarks.bench_boxes [--n 1000] [--repeats 21]

1,000 boxes on a 512x512 RGB image, built as users build them: columnar
arrays (``xyxy=``, the baseline), dicts in one style (``minX``... in pixels,
what W2 logs), dicts mixing ``minX``... with ``middle``/``width``/``height``,
and dicts mixing position styles *and* domains (half the boxes fractional,
half in pixels, as the reference tracker's own example does). Each form is
timed three ways: construction alone, construction + ``dump`` of the boxes,
and construction + ``dump`` of the image with the boxes (the PNG encode
included, as in W2). Best of ``--repeats`` runs, each into a fresh store; the
ratio column divides by the columnar form. A form this version refuses shows
as ``refused``. The full harness (``python -m benchmarks --only W2``) reports
medians of the one-style form instead.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from collections.abc import Callable
from typing import Any

import richtypes

from ._w_images import make_boxes, make_images, mixed_forms

SIZE = 512


def forms(n: int) -> dict[str, Callable[[], Any]]:
    """Builders of the same ``n`` boxes in each input form."""
    b = make_boxes(n, SIZE)
    xyxy, ids, scores, labels, dicts = (
        b["xyxy"],
        b["class_ids"],
        b["scores"],
        b["labels"],
        b["dicts"],
    )
    Boxes = richtypes.BoundingBoxes2D

    styles, domains = mixed_forms(dicts, SIZE)
    captions = [d["box_caption"] for d in dicts]  # the same data in every form
    return {
        "columnar xyxy": lambda: Boxes(
            xyxy=xyxy,
            class_ids=ids,
            scores={"acc": scores},
            captions=captions,
            class_labels=labels,
            domain="pixel",
        ),
        "dicts, one style": lambda: Boxes({"box_data": dicts, "class_labels": labels}),
        "dicts, mixed styles": lambda: Boxes({"box_data": styles, "class_labels": labels}),
        "dicts, mixed styles + domains": lambda: Boxes(
            {"box_data": domains, "class_labels": labels}
        ),
    }


def best_ms(fn: Callable[[str], Any], repeats: int) -> float:
    times = []
    with tempfile.TemporaryDirectory() as root:
        for i in range(repeats):
            out = os.path.join(root, str(i))
            os.mkdir(out)
            start = time.perf_counter()
            fn(out)
            times.append(time.perf_counter() - start)
    return min(times) * 1e3


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_boxes")
    parser.add_argument("--n", type=int, default=1000, help="boxes per group")
    parser.add_argument("--repeats", type=int, default=21, help="runs per figure (best is kept)")
    args = parser.parse_args(argv)
    image = make_images(1, SIZE, seed=1)[0]
    Image = richtypes.Image
    rows = []
    for name, build in forms(args.n).items():
        try:
            build()
        except Exception as exc:  # noqa: BLE001 - a form an older version refuses
            rows.append((name, None, None, None, f"{type(exc).__name__}: {exc}"[:90]))
            continue
        alone = best_ms(lambda d, b=build: b(), args.repeats)
        dumped = best_ms(lambda d, b=build: richtypes.dump(b(), d), args.repeats)
        with_image = best_ms(
            lambda d, b=build: richtypes.dump(Image(image, boxes={"p": b()}), d), args.repeats
        )
        rows.append((name, alone, dumped, with_image, ""))
    base = rows[0]
    print(f"{args.n} boxes, image {SIZE}x{SIZE}, best of {args.repeats} (ratio: / columnar)")
    print(f"{'form':32} {'construct':>16} {'+ dump':>16} {'image + dump':>18}")
    for name, alone, dumped, with_image, note in rows:
        if alone is None:
            print(f"{name:32} refused ({note})")
            continue
        cells = [
            f"{v:7.2f} ms {v / b:4.2f}x" if b else f"{v:7.2f} ms"
            for v, b in zip((alone, dumped, with_image), base[1:4])
        ]
        print(f"{name:32} {cells[0]:>16} {cells[1]:>16} {cells[2]:>18}")


if __name__ == "__main__":
    main()
