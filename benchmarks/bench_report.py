"""How fast a large run's report page opens: 10,000 steps x 20 scalars with 1,000 images.

    python -m benchmarks.bench_report [--steps 10000] [--images 1000] [--repeats 5]

Logs the run (20 scalars ``train/*`` and ``val/*`` at every step, a 64 x 64
image every ``steps / images`` steps), writes its report with
``richtypes.report.write_report`` (timed), then opens the page from disk in
headless Chromium (the system ``chromium``, driven by playwright) and times
navigation until the page says it is ready: the header, every section, the
scalar charts on screen and the image on screen drawn. The browser is started
once; each repeat is a fresh tab. Prints the median and every repeat.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from browser import launch_browser  # noqa: E402

import richtypes  # noqa: E402
from richtypes.report import write_report  # noqa: E402
from richtypes.runlog.api import Run  # noqa: E402

SCALARS = [f"train/m{i:02d}" for i in range(10)] + [f"val/m{i:02d}" for i in range(10)]


def build_run(root: Path, steps: int, images: int) -> Path:
    rng = np.random.default_rng(0)
    every = max(1, steps // images)
    curves = np.cumsum(rng.normal(0, 0.01, (steps, len(SCALARS))), axis=0) + 1.0
    pixels = rng.integers(0, 255, (images, 64, 64, 3), dtype=np.uint8)
    run = Run(root / "big", name="bench", project="bench", config={"steps": steps})
    logged = 0
    with run:
        for step in range(steps):
            row = dict(zip(SCALARS, curves[step].tolist()))
            if step % every == 0 and logged < images:
                row["samples"] = richtypes.Image(pixels[logged], caption=f"sample {logged}")
                logged += 1
            run.log(row)
    return run.dir


def open_seconds(browser: object, page_path: Path) -> float:
    tab = browser.new_page(viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
    try:
        start = time.perf_counter()
        tab.goto(page_path.as_uri())
        tab.wait_for_selector("body[data-ready='1']", timeout=60_000)
        return time.perf_counter() - start
    finally:
        tab.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=10_000)
    parser.add_argument("--images", type=int, default=1_000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        run_dir = build_run(Path(tmp), args.steps, args.images)
        print(
            f"logged {args.steps} steps x {len(SCALARS)} scalars + {args.images} images "
            f"in {time.perf_counter() - start:.1f} s"
        )
        start = time.perf_counter()
        page = write_report([run_dir])
        print(
            f"write_report: {time.perf_counter() - start:.2f} s, page {page.stat().st_size:,} bytes"
        )
        pw, browser = launch_browser()
        try:
            first = open_seconds(browser, page)  # a fresh browser: nothing compiled or cached yet
            times = [open_seconds(browser, page) for _ in range(args.repeats)]
        finally:
            browser.close()
            pw.stop()
    times.sort()
    print(f"first open in a fresh browser: {first:.2f} s")
    print(
        f"open in headless Chromium until ready: median {times[len(times) // 2]:.2f} s "
        f"(runs: {', '.join(f'{t:.2f}' for t in times)})"
    )


if __name__ == "__main__":
    main()
