"""Demo: an HTML report fragment (made standalone) and a full page kept as it is."""

from __future__ import annotations

from typing import Any

from ..html import Html


def example() -> dict[str, Any]:
    rows = "".join(f"<tr><td>{epoch}</td><td>{0.9**epoch:.3f}</td></tr>" for epoch in range(5))
    return {
        "report": Html(
            f"<h2>Training report</h2><table><tr><th>epoch</th><th>loss</th></tr>{rows}</table>"
        ),
        "page": Html(
            "<!DOCTYPE html>\n<html><head><title>done</title></head><body><p>Run finished ✓</p></body></html>\n"
        ),
    }
