"""The report page in a real browser: headless Chromium from the system, driven by playwright.

One browser serves the whole module. Two runs are built once: the demo run
(every media type) and a small run whose pixels, boxes, masks, steps, table
and hostile strings are known, so the page can be checked pixel by pixel.
Set ``RICHTYPES_SCREENSHOT=docs/report.png`` to also write the README's
screenshot of the demo run's report.
"""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from browser import BrowserUnavailable, PageLog, in_ci, launch_browser

import richtypes
from richtypes.demo import run_demo
from richtypes.report import write_report
from richtypes.runlog.api import Run
from richtypes.runlog.reader import open_run

EVIL = "<script>alert(1)</script>"
#: Hides all but a few cards, so the README's screenshot shows the image overlays up front.
SHOW_FOR_SCREENSHOT = """
document.querySelector('#scalars').style.display = 'none';
const keep = ['image/annotated', 'object3d/lidar', 'histogram/weights', 'table/predictions', 'plot/pr_curve'];
document.querySelectorAll('.media-key').forEach(c => {
  if (!keep.includes(c.dataset.key)) c.style.display = 'none';
});
"""
GREY = 128
BOX = (40, 30, 160, 90)  # pixel corners of the known box in a 200 x 120 image
BOX_RGB = (255, 0, 0)
MASK_RGB = (0, 0, 255)


@pytest.fixture(scope="module")
def browser() -> Any:
    try:
        pw, browser = launch_browser()
    except BrowserUnavailable as exc:
        if in_ci():
            raise
        pytest.skip(f"browser tests need Chromium and playwright: {exc}")
    yield browser
    browser.close()
    pw.stop()


@pytest.fixture(scope="module")
def demo_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo")
    assert run_demo(out, io.StringIO(), steps=2) == 0
    (run_dir,) = (out / "runs").iterdir()
    return write_report([run_dir])


def _known_run(root: Path) -> Path:
    pixels = np.full((120, 200, 3), GREY, np.uint8)
    mask = np.zeros((120, 200), np.uint8)
    mask[5:25, 5:45] = 1  # a block away from the box
    classes = [
        {"id": 0, "name": "background"},
        {"id": 1, "name": EVIL, "color": list(MASK_RGB)},
        {"id": 2, "name": "car", "color": list(BOX_RGB)},
    ]
    boxes = {
        "predictions": {
            "box_data": [
                {
                    "position": dict(zip(("minX", "minY", "maxX", "maxY"), BOX)),
                    "domain": "pixel",
                    "class_id": 2,
                    "box_caption": EVIL,
                    "scores": {"confidence": 0.9},
                }
            ],
            "class_labels": {2: "car"},
        }
    }
    table = richtypes.Table(columns=["name", "n"])
    for i in range(25):
        table.add_data(EVIL if i == 7 else f"row{i:02d}", (i * 7) % 25)
    run = Run(root / "known", name=EVIL, project="tests", config={"note": EVIL, "lr": 0.1})
    with run:
        run.log(
            {
                "known": richtypes.Image(
                    pixels,
                    caption=EVIL,
                    boxes=boxes,
                    masks={"seg": {"mask_data": mask}},
                    classes=classes,
                ),
                "train/loss": 1.0,
            }
        )
        for step in range(3):
            shade = np.full((16, 16, 3), 60 * step, np.uint8)
            run.log({"frames": richtypes.Image(shade, caption=f"frame {step}"), "train/loss": 0.5})
        run.log({"table": table, "page": richtypes.Html(f"<p id='x'>{EVIL}</p>")})
    return run.dir


@pytest.fixture(scope="module")
def known_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_report([_known_run(tmp_path_factory.mktemp("known"))])


@pytest.fixture(scope="module")
def demo_tab(browser: Any, demo_page: Path) -> Any:
    page, log = _open(browser, demo_page)
    yield page, log
    page.close()


@pytest.fixture(scope="module")
def known_tab(browser: Any, known_page: Path) -> Any:
    page, log = _open(browser, known_page)
    yield page, log
    page.close()


def _open(browser: Any, page_path: Path, eager: bool = True) -> tuple[Any, PageLog]:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    log = PageLog(page)
    page.goto(page_path.as_uri() + ("#eager" if eager else ""))
    page.wait_for_selector("body[data-ready='1']", timeout=30_000)
    return page, log


def _pixels(page: Any, selector: str) -> np.ndarray:
    from PIL import Image as PILImage

    png = page.locator(selector).first.screenshot()
    return np.asarray(PILImage.open(io.BytesIO(png)).convert("RGB")).astype(int)


def test_the_demo_report_loads_offline_without_errors(demo_tab: Any) -> None:
    page, log = demo_tab
    types = set(page.eval_on_selector_all(".media-key", "els => els.map(e => e.dataset.type)"))
    assert {"image", "boxes2d", "histogram", "table", "chart", "html", "video", "audio"} <= types
    assert "object3d" in types
    assert page.locator(".scalar canvas").count() >= 1
    assert page.locator(".media-key[data-type=chart] canvas").count() >= 1
    page.wait_for_timeout(300)  # late console errors (lazy images, iframes) get their chance
    assert log.errors == []
    assert log.outside == []
    shot = os.environ.get("RICHTYPES_SCREENSHOT")
    if shot:  # the README's picture: the header, then the annotated image and its neighbours
        page.set_viewport_size({"width": 1400, "height": 1000})
        page.evaluate(SHOW_FOR_SCREENSHOT)
        page.wait_for_timeout(500)
        page.screenshot(path=shot)
        page.reload()  # the other tests see the page whole
        page.wait_for_selector("body[data-ready='1']", timeout=30_000)


def test_a_box_is_drawn_on_its_pixels(known_tab: Any) -> None:
    page, _ = known_tab
    px = _pixels(page, ".media-key[data-key=known] .image-view")
    x0, y0, x1, y1 = BOX
    top_edge = px[y0, (x0 + x1) // 2]
    left_edge = px[(y0 + y1) // 2, x0]
    inside = px[(y0 + y1) // 2, (x0 + x1) // 2]
    assert abs(top_edge - BOX_RGB).max() < 40, top_edge
    assert abs(left_edge - BOX_RGB).max() < 40, left_edge
    assert abs(inside - GREY).max() < 8, inside


def test_a_mask_overlay_has_its_class_colour(known_tab: Any) -> None:
    page, _ = known_tab
    page.locator(".media-key[data-key=known] .mask-opacity").fill("1")
    px = _pixels(page, ".media-key[data-key=known] .image-view")
    assert abs(px[15, 25] - MASK_RGB).max() < 8, px[15, 25]
    assert abs(px[60, 190] - GREY).max() < 8, px[60, 190]  # outside mask and box
    page.locator(".media-key[data-key=known] .mask-opacity").fill("0")
    px = _pixels(page, ".media-key[data-key=known] .image-view")
    assert abs(px[15, 25] - GREY).max() < 8, px[15, 25]


def test_the_3d_canvas_draws_points(demo_tab: Any) -> None:
    page, _ = demo_tab
    canvas = ".media-key[data-key='object3d/cloud'] canvas"
    page.wait_for_selector(canvas, timeout=20_000)
    px = _pixels(page, canvas)
    background = np.array([0x14, 0x16, 0x1C])
    drawn = np.abs(px - background).max(axis=-1) > 30
    assert drawn.mean() > 0.01, drawn.mean()


def test_the_step_slider_changes_the_image(known_tab: Any) -> None:
    page, _ = known_tab
    card = page.locator(".media-key[data-key=frames]")
    last = card.locator("img.base").get_attribute("src")
    assert card.locator(".step-label").inner_text() == "step 3"
    card.locator(".step-slider").fill("0")
    assert card.locator(".step-label").inner_text() == "step 1"
    first = card.locator("img.base").get_attribute("src")
    assert first != last
    assert card.locator(".caption").inner_text() == "frame 0"


def test_table_paging_and_sorting(known_tab: Any) -> None:
    page, _ = known_tab
    card = page.locator(".media-key[data-key=table]")
    first_col = lambda: card.locator("table.data tr td:first-child").all_inner_texts()  # noqa: E731
    assert first_col()[:2] == ["row00", "row01"] and len(first_col()) == 10
    card.locator("button.next").click()
    assert first_col()[0] == "row10"
    assert card.locator(".page-info").inner_text() == "page 2 of 3 (25 rows)"
    card.locator("th[data-col='1']").click()  # sort by n ascending
    ns = card.locator("table.data tr td:nth-child(2)").all_inner_texts()
    assert ns == [str(i) for i in range(10)]
    card.locator("th[data-col='1']").click()  # descending
    ns = card.locator("table.data tr td:nth-child(2)").all_inner_texts()
    assert ns == [str(i) for i in range(24, 14, -1)]


def test_untrusted_text_stays_text(known_tab: Any) -> None:
    page, log = known_tab
    assert page.locator("header h1").inner_text() == EVIL  # run name
    image = page.locator(".media-key[data-key=known]")
    assert image.locator(".caption").inner_text() == EVIL  # image caption
    assert EVIL in image.locator(".controls").inner_text()  # class name (mask legend)
    assert image.locator("svg text").first.text_content() == EVIL  # box caption
    assert EVIL in page.locator(".media-key[data-key=table] table.data").inner_text()
    assert EVIL in page.locator("#config").inner_text()
    # no script element came from the data: only the page's own, at the top level
    scripts = page.eval_on_selector_all(
        "script", "els => els.map(e => [e.parentElement.tagName, e.textContent.slice(0, 9)])"
    )
    assert all(parent in ("HEAD", "BODY") for parent, _ in scripts), scripts
    assert not any(text.startswith("alert") for _, text in scripts)
    frame = page.locator("iframe.html-media")
    sandbox = frame.get_attribute("sandbox")
    assert sandbox is not None and "allow-same-origin" not in sandbox
    page.wait_for_timeout(200)
    assert log.dialogs == []


def test_the_demo_charts_page_draws_offline(browser: Any, demo_page: Path) -> None:
    charts = demo_page.parent.parent.parent / "charts.html"  # OUT/charts.html beside OUT/runs/
    page = browser.new_page()
    log = PageLog(page)
    try:
        page.goto(charts.as_uri())
        count = page.locator("section").count()
        assert count >= 4
        page.wait_for_function(
            "n => document.querySelectorAll('section svg.marks, section canvas.marks').length === n",
            arg=count,
            timeout=20_000,
        )
        assert log.errors == [] and log.outside == []
    finally:
        page.close()


def test_two_runs_share_charts_and_stand_side_by_side(browser: Any, tmp_path: Path) -> None:
    dirs = []
    for lr in (0.1, 0.01):
        run = Run(tmp_path / f"lr{lr}", name="same", config={"lr": lr})
        with run:
            for step in range(3):
                run.log({"train/loss": lr * step})
        dirs.append(run.dir)
    page = browser.new_page()
    try:
        page.goto(write_report(dirs, tmp_path / "both.html").as_uri() + "#eager")
        page.wait_for_selector("body[data-ready='1']", timeout=30_000)
        assert page.locator(".scalar[data-key='train/loss']").get_attribute("data-runs") == "2"
        heads = page.locator("#config th").all_inner_texts()
        ids = [open_run(d).id for d in dirs]
        assert heads == ["key", f"same ({ids[0]})", f"same ({ids[1]})"]
        assert page.locator("#config td").all_inner_texts() == ["lr", "0.1", "0.01"]
    finally:
        page.close()
