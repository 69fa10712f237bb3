"""The demo: every example is logged into a run, read back equal, and reported."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import richtypes
from richtypes.__main__ import main
from richtypes._examples import examples
from richtypes.core.media import Media
from richtypes.demo import run_demo


def media_types(value: Any) -> Iterator[str]:
    if isinstance(value, Media):
        yield value._type
    elif isinstance(value, dict):
        for item in value.values():
            yield from media_types(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from media_types(item)


def test_demo_logs_every_example_into_a_run_and_reports_its_types(tmp_path: Path) -> None:
    stream = io.StringIO()
    assert run_demo(tmp_path, stream, steps=2) == 0
    out = stream.getvalue()
    (run_dir,) = (tmp_path / "runs").iterdir()
    assert out.startswith(f"richtypes demo -> {run_dir}\n")
    builders = examples()
    assert (
        f"\n{len(builders)} examples x 2 steps = {2 * len(builders)} rows; every value and the summary decoded equal\n"
        in out
    )
    charts = 0
    for name, build in builders.items():
        found = list(media_types(build()))
        expected = set(found)
        charts += found.count("chart")
        (line,) = [line for line in out.splitlines() if line.startswith(f"{name} ")]
        listed = set(re.split(r"  ", line)[-1].split(", "))
        assert expected and expected <= listed, f"{name}: {expected} not all in {line!r}"
    reader = richtypes.open_run(run_dir)
    assert reader.status == "finished" and reader.config["examples"] == list(builders)
    assert [row["round"] for row in reader.history()] == [0] * len(builders) + [1] * len(builders)
    assert (
        f"  {(run_dir / 'history.jsonl').stat().st_size:>12,} B  runs/{run_dir.name}/history.jsonl\n"
        in out
    )
    assert main(["validate", str(run_dir)]) == 0
    if hasattr(richtypes.plot, "charts_html"):  # the chart helper's page of every example chart
        page = (tmp_path / "charts.html").read_text()
        body = page.rsplit("</head>", 1)[1]  # after the vendored Vega bundle
        assert charts and body.count("<h2>") == charts and f"charts.html: {charts} charts, " in out
        assert reader.artifact("charts").files[0]["size"] == len(page.encode())
    else:
        assert "charts.html: skipped (richtypes.plot.charts_html is not available)\n" in out


def test_demo_from_the_command_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", str(tmp_path), "--steps", "1"]) == 0
    out = capsys.readouterr().out
    assert "examples x 1 steps" in out and out.rstrip().splitlines()[-1].startswith(
        "inspect it: python -m richtypes inspect "
    )
    with pytest.raises(ValueError, match=r"^steps must be >= 1, got 0$"):
        run_demo(tmp_path, io.StringIO(), steps=0)
