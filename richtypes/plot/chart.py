"""The :class:`Chart` media type: a :class:`~richtypes.Table` plus a Vega-Lite v5 spec.

A chart serializes as one envelope holding the table's envelope and the spec,
so it renders with nothing but its file; :meth:`Chart.to_vega_lite` gives the
complete spec with the data inline, and :func:`charts_html` a page showing
several. The presets that build charts live in :mod:`richtypes.plot.presets`.
"""

from __future__ import annotations

import copy
import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ..core.errors import MissingDependencyError, PathKey, ValidationError
from ..core.media import Media, decode_envelope, field, register
from ..store.local import Store
from ..table.table import Table
from . import vega

__all__ = ["Chart", "charts_html", "TableLike"]

TableLike = Table | Mapping[str, Any]


@register
class Chart(Media):
    """A table and a Vega-Lite v5 spec that maps its columns.

    The presets in this module build charts; build one directly for a custom
    spec.

    Parameters
    ----------
    table:
        The data, a :class:`~richtypes.Table` (or a dict of columns, passed to
        ``Table.from_columns``).
    spec:
        A Vega-Lite v5 spec without ``data`` (the table is the data). It must
        be JSON (finite numbers); it is copied, never kept by reference.
    fields:
        What each role of the chart reads, e.g. ``{"x": "step", "y": "loss"}``;
        every value must be a column of the table.
    preset:
        The preset that built the chart (``"custom"`` for a hand-made spec).

    Raises
    ------
    ValidationError
        For a field naming no column, a spec with ``data`` or one that is not
        JSON.

    Examples
    --------
    >>> from richtypes import Table
    >>> t = Table.from_columns({"step": [0, 1, 2], "loss": [1.0, 0.5, 0.25]})
    >>> spec = {"mark": "line", "encoding": {"x": {"field": "step", "type": "quantitative"},
    ...                                      "y": {"field": "loss", "type": "quantitative"}}}
    >>> chart = Chart(t, spec, fields={"x": "step", "y": "loss"})
    >>> chart.to_vega_lite()["data"]["values"][1]
    {'step': 1, 'loss': 0.5}
    """

    _type = "chart"
    _version = 1

    table: Table
    preset: str

    def __init__(
        self,
        table: TableLike,
        spec: Mapping[str, Any],
        *,
        fields: Mapping[str, str] | None = None,
        preset: str = "custom",
    ) -> None:
        self.table = _as_table(table, ("table",))
        if not isinstance(spec, Mapping):
            raise ValidationError("must be a dict (a Vega-Lite spec)", value=spec, path=("spec",))
        if "data" in spec:
            raise ValidationError(
                "leave 'data' out: the chart's data is its table", path=("spec", "data")
            )
        try:
            self._spec = json.loads(json.dumps(spec, allow_nan=False))
        except (TypeError, ValueError) as exc:
            raise ValidationError(
                f"must be JSON with finite numbers ({exc})", path=("spec",)
            ) from None
        vega.check_spec_keys(self._spec, ("spec",))
        if not isinstance(preset, str) or not preset:
            raise ValidationError("must be a non-empty string", value=preset, path=("preset",))
        self.preset = preset
        fields = {} if fields is None else fields
        if not isinstance(fields, Mapping):
            raise ValidationError(
                "must be a dict of role -> column name", value=fields, path=("fields",)
            )
        self._fields = dict(fields)
        for role, name in self._fields.items():
            if not isinstance(role, str):
                raise ValidationError("roles must be strings", value=role, path=("fields",))
            vega.check_column(self.table, name, ("fields", role))
        self._freeze()

    # ------------------------------------------------------------------ views
    @property
    def spec(self) -> dict[str, Any]:
        """A copy of the spec (without data)."""
        return copy.deepcopy(self._spec)

    @property
    def fields(self) -> dict[str, str]:
        """A copy of the role -> column mapping."""
        return dict(self._fields)

    def to_vega_lite(self) -> dict[str, Any]:
        """The complete Vega-Lite v5 spec with the table's plottable columns inline as ``data.values``.

        Columns of int, float, str and bool type (optional or not) become
        record fields (NaN and missing values as ``null``); other columns
        (arrays, media cells) are left out.
        """
        spec = self.spec
        return {
            "$schema": spec.pop("$schema", vega.SCHEMA_URL),
            "data": {"values": vega.records(self.table)},
            **spec,
        }

    def save(self, path: str | os.PathLike[str], *, scale: float = 1.0) -> Path:
        """Write the chart to ``path``; the suffix picks the format.

        ``.json`` (the complete spec) and ``.html`` (a page drawing it with
        the vendored vega-embed, offline) need nothing extra; ``.svg`` and ``.png``
        (``scale`` times the spec's size) need the ``render`` extra
        (vl-convert-python).
        """
        path = Path(path)
        suffix = path.suffix.lower()
        if suffix not in (".json", ".html", ".svg", ".png"):
            raise ValidationError(
                "must end in .svg, .png, .html or .json", value=str(path), path=("path",)
            )
        if isinstance(scale, bool) or not isinstance(scale, (int, float)) or not 0 < scale <= 100:
            raise ValidationError("must be a number in (0, 100]", value=scale, path=("scale",))
        spec = self.to_vega_lite()
        if suffix == ".json":
            path.write_text(json.dumps(spec, allow_nan=False), encoding="utf-8")
        elif suffix == ".html":
            path.write_text(charts_html([self]), encoding="utf-8")
        elif suffix == ".svg":
            path.write_text(_vl_convert().vegalite_to_svg(spec), encoding="utf-8")
        else:
            path.write_bytes(_vl_convert().vegalite_to_png(spec, scale=float(scale)))
        return path

    def __repr__(self) -> str:
        return f"Chart(preset={self.preset!r}, rows={len(self.table)}, fields={self._fields!r})"

    def _content(self) -> tuple[Any, ...]:
        return (self.table, self._spec, self.preset, self._fields)

    # ------------------------------------------------------------------- wire
    def to_json(self, store: Store) -> dict[str, Any]:
        return self._envelope(
            preset=self.preset,
            fields=dict(self._fields),
            spec=self.spec,
            table=self.table.to_json(store),
        )

    @classmethod
    def from_json(cls, doc: Mapping[str, Any], store: Store) -> Chart:
        preset = field(doc, "preset", str)
        fields = field(doc, "fields", dict)
        spec = field(doc, "spec", dict)
        table_doc = field(doc, "table", dict)
        table = decode_envelope(table_doc, store, expect=Table, path=("table",))
        # the constructor's own checks: decode_envelope reports what it refuses at the document path
        return cls(table, spec, fields=fields, preset=preset)  # type: ignore[arg-type]


def charts_html(
    charts: Mapping[str, Chart] | Sequence[Chart], title: str = "richtypes charts"
) -> str:
    """A standalone HTML page showing each chart with vega-embed.

    ``charts`` is a dict (each chart under its key as heading) or a sequence
    (each under its title, else its preset). Every chart's complete spec
    (data inline) is in the page, and so are Vega, Vega-Lite and vega-embed
    (the bundle vendored in ``richtypes/report/vendor``): it opens offline.

    Examples
    --------
    >>> from richtypes import plot
    >>> page = plot.charts_html({"loss": plot.line({"step": [0, 1], "loss": [1.0, 0.5]}, "step", "loss")})
    >>> page.startswith("<!DOCTYPE html>") and '"values":[{"step":0,"loss":1.0}' in page
    True
    """
    by_name = isinstance(charts, Mapping)
    items = list(charts.items()) if by_name else list(enumerate(charts))  # type: ignore[union-attr, arg-type]
    pages = []
    for key, chart in items:
        if not isinstance(chart, Chart):
            raise ValidationError("must be a Chart", value=chart, path=("charts", key))
        heading = chart._spec.get("title")
        name = key if by_name else (heading if isinstance(heading, str) else chart.preset)
        pages.append((str(name), chart.to_vega_lite()))
    return vega.html_page(pages, title=title)


def _as_table(table: Any, path: tuple[PathKey, ...]) -> Table:
    if isinstance(table, Table):
        return table
    if isinstance(table, Mapping):
        try:
            return Table.from_columns(table)
        except ValidationError as exc:
            raise exc.with_prefix(*path) from None
    raise ValidationError("must be a richtypes.Table or a dict of columns", value=table, path=path)


def _vl_convert() -> Any:
    try:
        import vl_convert
    except ImportError:
        raise MissingDependencyError(
            "vl-convert-python", "render", "rendering a chart to SVG or PNG"
        ) from None
    return vl_convert
