"""Vega-Lite v5 for the chart presets: field checks, spec builders, inline records, an HTML page.

Each builder returns a spec *without* data: a :class:`~richtypes.plot.Chart`
keeps its data in its table and adds it inline (``data.values``, built by
:func:`records`) in ``Chart.to_vega_lite()``. Builders only map fields; they
never look at values. Tables are used through their public API only
(``columns``, ``column_types``, ``get_column``, ``len``).
"""

from __future__ import annotations

import html
import json
from collections.abc import Mapping, Sequence
from importlib import resources
from typing import Any

import numpy as np

from ..core.errors import PathKey, ValidationError

__all__ = [
    "SCHEMA_URL",
    "check_column",
    "check_fields",
    "check_numeric",
    "check_spec_keys",
    "vl_type",
    "records",
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
#: Vega, Vega-Lite 5 and vega-embed in one classic script, shipped in the package
#: (richtypes/report/vendor/, with their licences): the HTML page works offline.
VEGA_BUNDLE = "report/vendor/vega-bundle.js"
#: Confusion matrices with more classes than this draw no count text in the cells.
MAX_LABELLED_CLASSES = 20
_NUMERIC = ("int", "float")
_PLOTTED = ("int", "float", "str", "bool")


# --------------------------------------------------------------- table fields
def check_column(table: Any, name: Any, path: tuple[PathKey, ...]) -> None:
    """Raise a ValidationError at ``path`` unless ``name`` is a column of ``table``."""
    if not isinstance(name, str):
        raise ValidationError("must be a column name (a string)", value=name, path=path)
    if name not in table.columns:
        listed = ", ".join(repr(c) for c in table.columns)
        raise ValidationError(f"no column {name!r} in the table (columns: {listed})", path=path)


def check_fields(table: Any, **fields: str | None) -> dict[str, str]:
    """Check each ``role=column`` given (None = not used); return the table's column types."""
    for role, name in fields.items():
        if name is not None:
            check_column(table, name, (role,))
    return table.column_types


def check_numeric(types: Mapping[str, str], role: str, name: str) -> None:
    """Raise unless column ``name`` holds int or float values (optional or not)."""
    if _kind(types.get(name)) not in _NUMERIC:
        raise ValidationError(
            f"column {name!r} must be numeric (int or float), not {types.get(name)!r}", path=(role,)
        )


def vl_type(column_type: str | None) -> str:
    """The Vega-Lite encoding type of a column type: numbers are quantitative, the rest nominal."""
    return "quantitative" if _kind(column_type) in _NUMERIC else "nominal"


def _kind(type_name: str | None) -> str | None:
    """The scalar kind of a column type (``"optional[int]"`` -> ``"int"``); None for arrays and media."""
    text = type_name or ""
    if text.startswith("optional[") and text.endswith("]"):
        text = text[len("optional[") : -1]
    return text if text in _PLOTTED else None


def records(table: Any) -> list[dict[str, Any]]:
    """The table's rows as JSON records for ``data.values``.

    Int, float, str and bool columns (optional or not) become fields, NaN and
    missing values ``null``; array and media columns are left out.
    """
    names, columns = [], []
    types = table.column_types
    for name in table.columns:
        kind = _kind(types.get(name))
        if kind is None:
            continue
        values = table.get_column(name, convert_to="list")
        if kind == "float":  # NaN is not JSON; Vega-Lite reads null as missing
            for i in np.flatnonzero(np.isnan(np.array(values, dtype=np.float64))).tolist():
                values[i] = None
        names.append(name)
        columns.append(values)
    if not names:
        return [{} for _ in range(len(table))]
    return [dict(zip(names, row)) for row in zip(*columns)]


def check_spec_keys(spec: Any, path: tuple[PathKey, ...]) -> None:
    """Refuse a ``_type`` key anywhere in a spec: readers would take that object for an envelope."""
    if isinstance(spec, dict):
        if "_type" in spec:
            raise ValidationError("'_type' is a reserved key", path=path)
        for key, value in spec.items():
            check_spec_keys(value, path + (key,))
    elif isinstance(spec, list):
        for i, value in enumerate(spec):
            check_spec_keys(value, path + (i,))


# -------------------------------------------------------------- spec builders


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


def _base(title: str | None) -> dict[str, Any]:
    spec: dict[str, Any] = {"$schema": SCHEMA_URL}
    if title is not None:
        spec["title"] = title
    return spec


def line_spec(
    x: str,
    x_type: str,
    y: str,
    stroke: str | None,
    title: str | None,
    x_title: str | None = None,
    x_in_order: bool = False,
) -> dict[str, Any]:
    """A line per ``stroke`` value (one line when ``stroke`` is None), points ordered by x.

    ``x_in_order`` keeps a categorical axis in the order of the data (``sort: null``).
    """
    extra: dict[str, Any] = {"sort": None} if x_in_order else {}
    encoding: dict[str, Any] = {
        "x": _channel(x, x_type, title=x_title or x, **extra),
        "y": _channel(y, "quantitative"),
    }
    if stroke is not None:
        encoding["color"] = _channel(stroke, "nominal")
    return {**_base(title), "mark": {"type": "line", "tooltip": True}, "encoding": encoding}


def scatter_spec(x: str, x_type: str, y: str, y_type: str, title: str | None) -> dict[str, Any]:
    """One point per row."""
    encoding = {"x": _channel(x, x_type), "y": _channel(y, y_type)}
    return {
        **_base(title),
        "mark": {"type": "point", "filled": True, "tooltip": True},
        "encoding": encoding,
    }


def bar_spec(label: str, value: str, title: str | None) -> dict[str, Any]:
    """One bar per row, labels in table order."""
    encoding = {"x": _channel(label, "nominal", sort=None), "y": _channel(value, "quantitative")}
    return {**_base(title), "mark": {"type": "bar", "tooltip": True}, "encoding": encoding}


def histogram_spec(value: str, title: str | None) -> dict[str, Any]:
    """Counts of ``value`` in up to 30 bins, binned by Vega-Lite when drawn."""
    encoding = {
        "x": _channel(value, "quantitative", bin={"maxbins": 30}),
        "y": {"aggregate": "count", "type": "quantitative", "title": "count"},
    }
    return {**_base(title), "mark": {"type": "bar", "tooltip": True}, "encoding": encoding}


def curve_spec(x: str, y: str, stroke: str, names: Sequence[str], title: str) -> dict[str, Any]:
    """A PR or ROC curve per class (legend in class order), both axes fixed to [0, 1]."""
    unit = {"domain": [0, 1]}
    encoding = {
        "x": _channel(x, "quantitative", scale=unit),
        "y": _channel(y, "quantitative", scale=unit),
        "color": _channel(stroke, "nominal", sort=list(names)),
    }
    return {**_base(title), "mark": {"type": "line", "tooltip": True}, "encoding": encoding}


def confusion_spec(
    actual: str, predicted: str, value: str, names: Sequence[str], light_below: float, title: str
) -> dict[str, Any]:
    """A heat map of counts, true classes down, predicted across, in class order.

    Up to :data:`MAX_LABELLED_CLASSES` classes, each cell also shows its count,
    in white where the count is at least ``light_below`` (on dark cells).
    """
    order = list(names)
    size = min(600, max(240, 48 * len(order)))
    spec = {
        **_base(title),
        "width": size,
        "height": size,
        "encoding": {
            "x": _channel(predicted, "nominal", sort=order),
            "y": _channel(actual, "nominal", sort=order),
        },
        "layer": [
            {
                "mark": {"type": "rect", "tooltip": True},
                "encoding": {"color": _channel(value, "quantitative")},
            },
        ],
    }
    if len(order) <= MAX_LABELLED_CLASSES:
        test = f"datum[{json.dumps(value)}] >= {json.dumps(light_below)}"
        text = {
            "text": _channel(value, "quantitative"),
            "color": {"condition": {"test": test, "value": "white"}, "value": "black"},
        }
        spec["layer"].append({"mark": {"type": "text"}, "encoding": text})
    return spec


def html_page(
    specs: Sequence[tuple[str, Mapping[str, Any]]], title: str = "richtypes charts"
) -> str:
    """A standalone HTML page drawing each ``(heading, complete spec)`` with vega-embed.

    The page needs no network: the vendored Vega bundle is inlined (about 900 kB).

    Examples
    --------
    >>> page = html_page([("a <b>", {"mark": "point", "data": {"values": []}})])
    >>> "<h2>a &lt;b&gt;</h2>" in page and page.startswith("<!DOCTYPE html>")
    True
    """
    bundle = resources.files("richtypes").joinpath(VEGA_BUNDLE).read_text("utf-8")
    scripts = "<script>" + bundle.replace("</script", "<\\/script") + "</script>"
    sections = "\n".join(
        f'<section><h2>{html.escape(name)}</h2><div id="chart-{i}"></div></section>'
        for i, (name, _) in enumerate(specs)
    )
    payload = json.dumps([spec for _, spec in specs], allow_nan=False, separators=(",", ":"))
    payload = payload.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    payload = payload.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
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
