"""Vega-Lite v5 spec builders for the chart presets, and a standalone HTML page.

Each builder returns a spec *without* data: a :class:`~richtypes.plot.Chart`
keeps its data in its table and adds it inline (``data.values``) in
``Chart.to_vega_lite()``. Builders only map fields; they never look at values.
"""

from __future__ import annotations

import html
import json
from typing import Any, Mapping, Optional, Sequence

__all__ = [
    "SCHEMA_URL",
    "field_ref",
    "line_spec",
    "scatter_spec",
    "bar_spec",
    "histogram_spec",
    "curve_spec",
    "confusion_spec",
    "html_page",
]

SCHEMA_URL = "https://vega.github.io/schema/vega-lite/v5.json"
#: The scripts the HTML page loads (major versions matching Vega-Lite v5).
CDN_SCRIPTS = (
    "https://cdn.jsdelivr.net/npm/vega@5",
    "https://cdn.jsdelivr.net/npm/vega-lite@5",
    "https://cdn.jsdelivr.net/npm/vega-embed@6",
)
#: Confusion matrices with more classes than this draw no count text in the cells.
MAX_LABELLED_CLASSES = 20


def field_ref(name: str) -> str:
    """A column name as a Vega-Lite field: dots, brackets and backslashes escaped.

    Examples
    --------
    >>> field_ref("val.acc[0]")
    'val\\\\.acc\\\\[0\\\\]'
    """
    out = name.replace("\\", "\\\\")
    for char in ".[]":
        out = out.replace(char, "\\" + char)
    return out


def _channel(name: str, vl_type: str, **extra: Any) -> dict[str, Any]:
    return {"field": field_ref(name), "type": vl_type, "title": name, **extra}


def _base(title: Optional[str]) -> dict[str, Any]:
    spec: dict[str, Any] = {"$schema": SCHEMA_URL}
    if title is not None:
        spec["title"] = title
    return spec


def line_spec(x: str, x_type: str, y: str, stroke: Optional[str], title: Optional[str], x_title: Optional[str] = None) -> dict[str, Any]:
    """A line per ``stroke`` value (one line when ``stroke`` is None), points ordered by x."""
    encoding: dict[str, Any] = {
        "x": _channel(x, x_type, title=x_title or x),
        "y": _channel(y, "quantitative"),
    }
    if stroke is not None:
        encoding["color"] = _channel(stroke, "nominal")
    return {**_base(title), "mark": {"type": "line", "tooltip": True}, "encoding": encoding}


def scatter_spec(x: str, x_type: str, y: str, y_type: str, title: Optional[str]) -> dict[str, Any]:
    """One point per row."""
    encoding = {"x": _channel(x, x_type), "y": _channel(y, y_type)}
    return {**_base(title), "mark": {"type": "point", "filled": True, "tooltip": True}, "encoding": encoding}


def bar_spec(label: str, value: str, title: Optional[str]) -> dict[str, Any]:
    """One bar per row, labels in table order."""
    encoding = {"x": _channel(label, "nominal", sort=None), "y": _channel(value, "quantitative")}
    return {**_base(title), "mark": {"type": "bar", "tooltip": True}, "encoding": encoding}


def histogram_spec(value: str, title: Optional[str]) -> dict[str, Any]:
    """Counts of ``value`` in up to 30 bins, binned by Vega-Lite when drawn."""
    encoding = {
        "x": _channel(value, "quantitative", bin={"maxbins": 30}),
        "y": {"aggregate": "count", "type": "quantitative", "title": "count"},
    }
    return {**_base(title), "mark": {"type": "bar", "tooltip": True}, "encoding": encoding}


def curve_spec(x: str, y: str, stroke: str, title: str) -> dict[str, Any]:
    """A PR or ROC curve per class, both axes fixed to [0, 1]."""
    unit = {"domain": [0, 1]}
    encoding = {
        "x": _channel(x, "quantitative", scale=unit),
        "y": _channel(y, "quantitative", scale=unit),
        "color": _channel(stroke, "nominal"),
    }
    return {**_base(title), "mark": {"type": "line", "tooltip": True}, "encoding": encoding}


def confusion_spec(actual: str, predicted: str, value: str, names: Sequence[str], title: str) -> dict[str, Any]:
    """A heat map of counts, true classes down, predicted across, in class order."""
    order = list(names)
    spec = {
        **_base(title),
        "encoding": {
            "x": _channel(predicted, "nominal", sort=order),
            "y": _channel(actual, "nominal", sort=order),
        },
        "layer": [
            {"mark": {"type": "rect", "tooltip": True}, "encoding": {"color": _channel(value, "quantitative")}},
        ],
    }
    if len(order) <= MAX_LABELLED_CLASSES:
        spec["layer"].append({"mark": {"type": "text"}, "encoding": {"text": _channel(value, "quantitative")}})
    return spec


def html_page(specs: Mapping[str, Mapping[str, Any]], title: str = "richtypes charts") -> str:
    """A standalone HTML page drawing each complete spec with vega-embed (scripts from a CDN).

    Examples
    --------
    >>> page = html_page({"a <b>": {"mark": "point", "data": {"values": []}}})
    >>> "<h2>a &lt;b&gt;</h2>" in page and page.startswith("<!DOCTYPE html>")
    True
    """
    scripts = "\n".join(f'<script src="{src}"></script>' for src in CDN_SCRIPTS)
    sections = "\n".join(
        f'<section><h2>{html.escape(name)}</h2><div id="chart-{i}"></div></section>' for i, name in enumerate(specs)
    )
    payload = json.dumps(list(specs.values()), allow_nan=False, separators=(",", ":"))
    payload = payload.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{html.escape(title)}</title>
{scripts}
<style>body {{ font-family: sans-serif; margin: 2em; }} section {{ margin-bottom: 2em; }}</style>
</head>
<body>
<h1>{html.escape(title)}</h1>
{sections}
<script>
const specs = {payload};
specs.forEach((spec, i) => vegaEmbed("#chart-" + i, spec, {{actions: true}}).catch(console.error));
</script>
</body>
</html>
"""
