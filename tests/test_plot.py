"""Chart presets and the Chart media type: field checks, round trips, complete specs, rendering."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import richtypes
from richtypes import FormatError, MissingDependencyError, Table, ValidationError, plot
from richtypes.plot import Chart
from richtypes.plot.metrics import MAX_POINTS, pr_points, roc_points
from tests.conftest import roundtrip_value


def metrics_table() -> Table:
    return Table.from_columns(
        {
            "step": np.arange(6),
            "loss": np.array([1.0, 0.7, np.nan, 0.4, 0.35, 0.3]),
            "run": ["a", "a", "a", "b", "b", "b"],
            "ok": [True, False, True, True, False, True],
        }
    )


PRESETS = {
    "line": lambda: plot.line(metrics_table(), "step", "loss", title="loss"),
    "line_stroke": lambda: plot.line(metrics_table(), "step", "loss", stroke="run"),
    "scatter": lambda: plot.scatter(metrics_table(), "step", "loss"),
    "bar": lambda: plot.bar(
        {"class": ["cat", "dog", "eel"], "count": [3, 5, 2]}, "class", "count", title="counts"
    ),
    "histogram": lambda: plot.histogram(metrics_table(), "loss"),
    "line_series": lambda: plot.line_series(
        [0, 1, 2], [[1.0, 0.5, 0.25], [1.0, 0.8, 0.6]], keys=["train", "val"], xname="epoch"
    ),
    "pr_curve": lambda: plot.pr_curve(
        [0, 1, 2, 1, 0, 2], np.eye(3)[[0, 1, 1, 1, 0, 2]] * 0.8 + 0.1, labels=["a", "b", "c"]
    ),
    "roc_curve": lambda: plot.roc_curve([0, 1, 1, 0, 1], [0.1, 0.8, 0.4, 0.35, 0.9]),
    "confusion_matrix": lambda: plot.confusion_matrix(
        [0, 1, 2, 2], [0, 2, 2, 1], class_names=["x", "y", "z"]
    ),
}


@pytest.mark.parametrize("name", PRESETS)
def test_each_preset_round_trips(roundtrip, name) -> None:
    chart = PRESETS[name]()
    doc, back = roundtrip(chart)
    assert doc["_type"] == "chart" and doc["table"]["_type"] == "table"
    assert "data" not in doc["spec"]
    assert back.to_vega_lite() == chart.to_vega_lite()


@pytest.mark.parametrize("name", PRESETS)
def test_to_vega_lite_is_complete_and_holds_every_row(name) -> None:
    chart = PRESETS[name]()
    spec = chart.to_vega_lite()
    assert spec["$schema"] == "https://vega.github.io/schema/vega-lite/v5.json"
    assert len(spec["data"]["values"]) == len(chart.table)
    json.dumps(spec, allow_nan=False)  # standard JSON, renders anywhere
    for role, column in chart.fields.items():
        assert column in chart.table.columns, role


def test_records_match_the_rows_and_nan_becomes_null() -> None:
    values = plot.line(metrics_table(), "step", "loss").to_vega_lite()["data"]["values"]
    assert values[1] == {"step": 1, "loss": 0.7, "run": "a", "ok": False}
    assert values[2]["loss"] is None


def test_presets_map_the_fields_they_were_given() -> None:
    chart = plot.line(metrics_table(), "step", "loss", stroke="run", title="loss")
    assert chart.preset == "line"
    assert chart.fields == {"x": "step", "y": "loss", "stroke": "run"}
    enc = chart.spec["encoding"]
    assert (enc["x"]["field"], enc["y"]["field"], enc["color"]["field"]) == ("step", "loss", "run")
    assert chart.spec["title"] == "loss"
    assert plot.bar(metrics_table(), "run", "loss").spec["encoding"]["x"]["type"] == "nominal"
    assert plot.scatter(metrics_table(), "run", "loss").spec["encoding"]["x"]["type"] == "nominal"


def test_a_dict_of_columns_is_taken_as_a_table() -> None:
    chart = plot.line({"step": [0, 1], "loss": [1.0, 0.5]}, "step", "loss")
    assert chart.table == Table.from_columns({"step": [0, 1], "loss": [1.0, 0.5]})


def test_dotted_column_names_are_escaped_and_still_render(tmp_path: Path) -> None:
    chart = plot.line(
        {"train.step": [0, 1, 2], "val[acc]": [0.5, 0.6, 0.7]}, "train.step", "val[acc]"
    )
    assert chart.spec["encoding"]["x"]["field"] == "train\\.step"
    assert chart.spec["encoding"]["y"]["field"] == "val\\[acc\\]"
    svg = chart.save(tmp_path / "c.svg").read_text()
    assert mark_count(svg, "line") == 1


@pytest.mark.parametrize(
    "build, message",
    [
        (
            lambda t: plot.line(t, "step", "acc"),
            r"^\$\.y: no column 'acc' in the table \(columns: 'step', 'loss', 'run', 'ok'\)$",
        ),
        (
            lambda t: plot.line(t, "Step", "loss"),
            r"^\$\.x: no column 'Step' in the table \(columns: 'step', 'loss', 'run', 'ok'\)$",
        ),
        (
            lambda t: plot.line(t, "step", "loss", stroke="seed"),
            r"^\$\.stroke: no column 'seed' in the table",
        ),
        (lambda t: plot.line(t, 0, "loss"), r"^\$\.x: must be a column name \(a string\), got 0$"),
        (
            lambda t: plot.line(t, "step", "run"),
            r"^\$\.y: column 'run' must be numeric \(int or float\), not 'str'$",
        ),
        (lambda t: plot.scatter(t, "step", "acc"), r"^\$\.y: no column 'acc' in the table"),
        (lambda t: plot.bar(t, "name", "loss"), r"^\$\.label: no column 'name' in the table"),
        (
            lambda t: plot.bar(t, "run", "ok"),
            r"^\$\.value: column 'ok' must be numeric \(int or float\), not 'bool'$",
        ),
        (
            lambda t: plot.histogram(t, "run"),
            r"^\$\.value: column 'run' must be numeric \(int or float\), not 'str'$",
        ),
        (lambda t: plot.line(t, "step", "loss", title=3), r"^\$\.title: must be a string, got 3$"),
        (
            lambda t: plot.line([1, 2], "step", "loss"),
            r"^\$\.table: must be a richtypes\.Table or a dict of columns, got \[1, 2\]$",
        ),
    ],
)
def test_bad_fields_name_the_argument_and_the_column(build, message) -> None:
    with pytest.raises(ValidationError, match=message):
        build(metrics_table())


# ------------------------------------------------------------- Chart directly
SPEC = {"mark": "point", "encoding": {"x": {"field": "step", "type": "quantitative"}}}


def test_a_custom_chart_copies_its_spec_and_is_immutable() -> None:
    spec = json.loads(json.dumps(SPEC))
    chart = Chart(metrics_table(), spec, fields={"x": "step"})
    spec["mark"] = "bar"
    assert chart.spec["mark"] == "point" and chart.preset == "custom"
    chart.spec["mark"] = "line"
    assert chart.spec["mark"] == "point"
    with pytest.raises(AttributeError):
        chart.preset = "line"  # type: ignore[misc]


def test_equality_is_by_content() -> None:
    assert Chart(metrics_table(), SPEC) == Chart(metrics_table(), dict(SPEC))
    assert Chart(metrics_table(), SPEC) != Chart(metrics_table(), {**SPEC, "mark": "bar"})
    assert Chart(metrics_table(), SPEC) != Chart(metrics_table(), SPEC, preset="mine")


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (
            {"fields": {"y": "acc"}},
            r"^\$\.fields\.y: no column 'acc' in the table \(columns: 'step', 'loss', 'run', 'ok'\)$",
        ),
        ({"fields": {"y": 3}}, r"^\$\.fields\.y: must be a column name \(a string\), got 3$"),
        ({"fields": ["x"]}, r"^\$\.fields: must be a dict of role -> column name, got \['x'\]$"),
        (
            {"spec": {"mark": "bar", "data": {"values": []}}},
            r"^\$\.spec\.data: leave 'data' out: the chart's data is its table$",
        ),
        (
            {"spec": {"width": float("nan")}},
            r"^\$\.spec: must be JSON with finite numbers \(Out of range float values are not JSON compliant",
        ),
        (
            {"spec": {"width": object()}},
            r"^\$\.spec: must be JSON with finite numbers \(Object of type object is not JSON serializable\)$",
        ),
        ({"spec": "line"}, r"^\$\.spec: must be a dict \(a Vega-Lite spec\), got 'line'$"),
        ({"preset": ""}, r"^\$\.preset: must be a non-empty string, got ''$"),
        (
            {"spec": {"layer": [{"mark": {"_type": "x"}}]}},
            r"^\$\.spec\.layer\[0\]\.mark: '_type' is a reserved key$",
        ),
        (
            {"table": None},
            r"^\$\.table: must be a richtypes\.Table or a dict of columns, got None$",
        ),
    ],
)
def test_bad_chart_arguments(kwargs, message) -> None:
    args = {"table": metrics_table(), "spec": SPEC, **kwargs}
    with pytest.raises(ValidationError, match=message):
        Chart(args.pop("table"), args.pop("spec"), **args)


@pytest.mark.parametrize(
    "change, message",
    [
        ({"spec": "x"}, r"^\$\.spec: must be dict, got str$"),
        (
            {"fields": {"x": "nope"}},
            r"^\$\.fields\.x: no column 'nope' in the table",
        ),
        ({"spec": {"data": {}}}, r"^\$\.spec\.data: leave 'data' out"),
        (
            {"table": {"_type": "histogram", "_version": 1}},
            r"^\$\.table\._type: must be a 'table' envelope, got 'histogram'$",
        ),
    ],
)
def test_malformed_documents_are_format_errors(tmp_path: Path, change, message) -> None:
    doc = richtypes.dump(plot.line(metrics_table(), "step", "loss"), tmp_path)
    doc.update(change)
    with pytest.raises(FormatError, match=message):
        richtypes.load(doc, tmp_path)


def test_missing_field_is_a_format_error(tmp_path: Path) -> None:
    doc = richtypes.dump(plot.line(metrics_table(), "step", "loss"), tmp_path)
    del doc["table"]
    with pytest.raises(FormatError, match=r"^chart: missing field 'table'$"):
        richtypes.load(doc, tmp_path)


# ----------------------------------------------------------------- line_series
def test_line_series_with_shared_xs_builds_the_long_table() -> None:
    chart = plot.line_series(np.arange(3), np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]))
    assert chart.table.get_column("x", convert_to="list") == [0, 1, 2, 0, 1, 2]
    assert chart.table.get_column("key", convert_to="list") == ["key_0"] * 3 + ["key_1"] * 3
    assert chart.table.get_column("y", convert_to="list") == [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]
    assert chart.spec["encoding"]["x"]["title"] == "x"


def test_line_series_with_xs_per_series_of_different_lengths() -> None:
    chart = plot.line_series(
        [[0, 1], [0.5, 1.5, 2.5]], [[1, 2], [3.0, np.nan, 5.0]], keys=["a", "b"], xname="t"
    )
    assert chart.table.get_column("x", convert_to="list") == [0.0, 1.0, 0.5, 1.5, 2.5]
    assert chart.table.get_column("key", convert_to="list") == ["a", "a", "b", "b", "b"]
    assert chart.to_vega_lite()["data"]["values"][3] == {"x": 1.5, "key": "b", "y": None}
    assert chart.spec["encoding"]["x"]["title"] == "t"


def test_line_series_accepts_one_plain_series() -> None:
    assert len(plot.line_series([0, 1, 2], [3, 4, 5]).table) == 3


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (
            {"xs": [0, 1], "ys": [[1.0, 2.0], [1.0]]},
            r"^\$\.ys\[1\]: must have as many values as xs \(2\), got 1$",
        ),
        (
            {"xs": [[0, 1]], "ys": [[1.0, 2.0], [1.0]]},
            r"^\$\.xs: must be one shared x sequence or one per series \(2\), got 1 sequences$",
        ),
        (
            {"xs": [[0, 1], [0]], "ys": [[1.0, 2.0], [1.0, 3.0]]},
            r"^\$\.ys\[1\]: must have as many values as xs\[1\] \(1\), got 2$",
        ),
        (
            {"xs": [0, 1], "ys": [[1.0, np.inf]]},
            r"^\$\.ys\[0\]\[1\]: must be finite or NaN, got inf$",
        ),
        ({"xs": [0, np.nan], "ys": [[1.0, 2.0]]}, r"^\$\.xs\[1\]: must be finite, got nan$"),
        (
            {"xs": [0, 1], "ys": [["a", "b"]]},
            r"^\$\.ys\[0\]: must hold real numbers, got dtype <U1$",
        ),
        ({"xs": [0, 1], "ys": []}, r"^\$\.ys: must hold at least one series$"),
        (
            {"xs": [0, 1], "ys": [[1, 2]], "keys": ["a", "b"]},
            r"^\$\.keys: must name each of the 1 series, got 2 names$",
        ),
        (
            {"xs": [0, 1], "ys": [[1, 2], [3, 4]], "keys": ["a", "a"]},
            r"^\$\.keys\[1\]: duplicate series name \(also at index 0\), got 'a'$",
        ),
        ({"xs": [0, 1], "ys": [[1, 2]], "xname": 5}, r"^\$\.xname: must be a string, got 5$"),
    ],
)
def test_line_series_bad_inputs(kwargs, message) -> None:
    with pytest.raises(ValidationError, match=message):
        plot.line_series(**kwargs)


# ---------------------------------------------------------------- pr and roc
def curve_of(chart: Chart, name: str, x: str, y: str) -> np.ndarray:
    t = chart.table
    mask = np.array(t.get_column("class", convert_to="list")) == name
    return np.column_stack(
        [t.get_column(x, convert_to="numpy")[mask], t.get_column(y, convert_to="numpy")[mask]]
    )


def test_pr_and_roc_tables_hold_the_computed_curves_per_named_class() -> None:
    rng = np.random.default_rng(4)
    y = rng.integers(0, 3, 60)
    probas = np.round(rng.dirichlet(np.ones(3), 60), 2)
    names = ["cat", "dog", "eel"]
    for preset, compute, (x, yname) in (
        (plot.pr_curve, pr_points, ("recall", "precision")),
        (plot.roc_curve, roc_points, ("fpr", "tpr")),
    ):
        chart = preset(y, probas, labels=names)
        cls, cx, cy = compute(y, probas)
        for c, name in enumerate(names):
            np.testing.assert_array_equal(
                curve_of(chart, name, x, yname), np.column_stack([cx[cls == c], cy[cls == c]])
            )


def test_binary_probabilities_draw_only_the_positive_class() -> None:
    chart = plot.roc_curve([0, 1, 1, 0], [0.2, 0.9, 0.6, 0.4], labels=["neg", "pos"])
    assert set(chart.table.get_column("class", convert_to="list")) == {"pos"}
    assert chart.table.get_column("fpr", convert_to="list") == [0.0, 0.0, 0.0, 0.5, 1.0]


@pytest.mark.parametrize(
    "preset, x, y, first, last",
    [
        (plot.pr_curve, "recall", "precision", (0.0, 1.0), None),
        (plot.roc_curve, "fpr", "tpr", (0.0, 0.0), (1.0, 1.0)),
    ],
)
def test_large_inputs_are_capped_per_class_and_keep_both_ends(preset, x, y, first, last) -> None:
    rng = np.random.default_rng(5)
    n, k = 5_000, 3
    truth = rng.integers(0, k, n)
    probas = rng.dirichlet(np.ones(k), n)
    chart = preset(truth, probas)
    full_cls, full_x, full_y = (pr_points if preset is plot.pr_curve else roc_points)(truth, probas)
    for c in range(k):
        curve = curve_of(chart, str(c), x, y)
        assert 0.8 * MAX_POINTS < curve.shape[0] <= MAX_POINTS
        full = np.column_stack([full_x[full_cls == c], full_y[full_cls == c]])
        assert full.shape[0] > MAX_POINTS
        np.testing.assert_array_equal(curve[0], full[0])
        np.testing.assert_array_equal(curve[-1], full[-1])
        assert tuple(curve[0]) == first and (last is None or tuple(curve[-1]) == last)
        assert np.all(np.diff(curve[:, 0]) >= 0)  # recall / fpr never go back
        assert set(map(tuple, curve.tolist())) <= set(
            map(tuple, full.tolist())
        )  # every kept point is a real one


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (
            {"y_true": [0, 3], "y_probas": [[0.5, 0.5], [0.2, 0.8]]},
            r"^\$\.y_true\[1\]: must be a class index in 0\.\.1, got 3$",
        ),
        (
            {"y_true": [0, 1], "y_probas": [[0.5, 0.5], [0.2, 1.8]]},
            r"^\$\.y_probas\[1\]\[1\]: must be a finite probability in \[0, 1\], got 1\.8$",
        ),
        (
            {"y_true": [0, 1, 1], "y_probas": [[0.5, 0.5], [0.2, 0.8]]},
            r"^\$\.y_probas: must have one row per sample \(3\), got 2$",
        ),
        (
            {"y_true": [0, 1], "y_probas": [0.1, 0.9], "labels": ["a"]},
            r"^\$\.labels: must name each of the 2 classes, got 1 names$",
        ),
        (
            {"y_true": [0, 0], "y_probas": [0.1, 0.9]},
            r"^\$\.y_true: no class has both positive and negative samples$",
        ),
    ],
)
def test_roc_bad_inputs(kwargs, message) -> None:
    with pytest.raises(ValidationError, match=message):
        plot.roc_curve(**kwargs)


def test_pr_without_positives_is_an_error() -> None:
    with pytest.raises(ValidationError, match=r"^\$\.y_true: no class has a positive sample$"):
        plot.pr_curve([0, 0], [0.3, 0.2])


def test_inputs_are_not_modified() -> None:
    probas = np.array([[0.9, 0.1], [0.3, 0.7], [0.6, 0.4]])
    truth = np.array([0, 1, 1])
    before = probas.copy(), truth.copy()
    plot.pr_curve(truth, probas)
    plot.confusion_matrix(truth, probas)
    np.testing.assert_array_equal(probas, before[0])
    np.testing.assert_array_equal(truth, before[1])


# ------------------------------------------------------------------ confusion
def test_confusion_matrix_counts_every_pair_in_class_order() -> None:
    chart = plot.confusion_matrix([0, 1, 2, 2, 2], [0, 2, 2, 1, 2], class_names=["x", "y", "z"])
    t = chart.table
    assert t.get_column("Actual", convert_to="list") == ["x"] * 3 + ["y"] * 3 + ["z"] * 3
    assert t.get_column("Predicted", convert_to="list") == ["x", "y", "z"] * 3
    assert t.get_column("nPredictions", convert_to="list") == [1, 0, 0, 0, 0, 1, 0, 1, 2]
    assert chart.spec["encoding"]["x"]["sort"] == ["x", "y", "z"]


def test_confusion_matrix_takes_probabilities_by_argmax() -> None:
    rng = np.random.default_rng(6)
    probas = rng.random((50, 4))
    truth = rng.integers(0, 4, 50)
    assert plot.confusion_matrix(truth, probas) == plot.confusion_matrix(
        truth, probas.argmax(axis=1), class_names=list("0123")
    )


def test_confusion_matrix_infers_the_classes_from_the_largest_index() -> None:
    chart = plot.confusion_matrix([0, 3], [1, 1])
    assert len(chart.table) == 16


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (
            {"y_true": [0, 1], "preds": [0, 5], "class_names": ["a", "b"]},
            r"^\$\.preds\[1\]: must be a class index in 0\.\.1, got 5$",
        ),
        (
            {"y_true": [0, 1], "preds": [0]},
            r"^\$\.preds: must have one entry per sample \(2\), got 1$",
        ),
        (
            {"y_true": [0, 1], "preds": [[0.5, 0.5]]},
            r"^\$\.preds: must have one row per sample \(2\), got 1$",
        ),
        (
            {"y_true": [0, 1], "preds": [[0.5, 0.5], [np.nan, 1.0]]},
            r"^\$\.preds\[1\]\[0\]: must be finite, got nan$",
        ),
        (
            {"y_true": [0, 1], "preds": [[0.5, 0.5], [0.2, 0.8]], "class_names": ["a", "b", "c"]},
            r"^\$\.class_names: must name each of the 2 classes, got 3 names$",
        ),
        (
            {"y_true": [0, 2], "preds": [[0.5, 0.5], [0.2, 0.8]]},
            r"^\$\.y_true\[1\]: must be a class index in 0\.\.1, got 2$",
        ),
        (
            {"y_true": [0, 300], "preds": [0, 1]},
            r"^\$: a confusion matrix has at most 256 classes, got 301$",
        ),
        ({"y_true": [], "preds": []}, r"^\$\.y_true: needs at least one sample, or class_names$"),
        ({"y_true": [0, -1], "preds": [0, 1]}, r"^\$\.y_true\[1\]: must be >= 0, got -1$"),
    ],
)
def test_confusion_matrix_bad_inputs(kwargs, message) -> None:
    with pytest.raises(ValidationError, match=message):
        plot.confusion_matrix(**kwargs)


# ------------------------------------------------------------------- rendering
def mark_count(svg: str, kind: str) -> int:
    """How many marks the first ``mark-<kind>`` group of a Vega SVG draws."""
    groups = re.findall(rf'<g class="mark-{kind} role-mark[^"]*"[^>]*>(.*?)</g>', svg, flags=re.S)
    assert groups, f"no mark-{kind} group in the SVG"
    return sum(len(re.findall(r"<(?:path|text)\b", g)) for g in groups)


EXPECTED_MARKS = {
    "line": [("line", 1)],
    "line_stroke": [("line", 2)],
    "scatter": [("symbol", 5)],  # the NaN row is not drawn
    "bar": [("rect", 3)],
    "histogram": [("rect", None)],
    "line_series": [("line", 2)],
    "pr_curve": [("line", 3)],
    "roc_curve": [("line", 1)],
    "confusion_matrix": [("rect", 9), ("text", 9)],
}


@pytest.mark.parametrize("name", PRESETS)
def test_rendered_svg_draws_the_preset_marks(tmp_path: Path, name) -> None:
    pytest.importorskip("vl_convert")
    svg = PRESETS[name]().save(tmp_path / f"{name}.svg").read_text()
    assert svg.startswith("<svg")
    for kind, count in EXPECTED_MARKS[name]:
        drawn = mark_count(svg, kind)
        assert drawn == count if count is not None else drawn > 0


def test_png_json_and_html_outputs(tmp_path: Path) -> None:
    pytest.importorskip("vl_convert")
    chart = PRESETS["line"]()
    assert chart.save(tmp_path / "c.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert json.loads(chart.save(tmp_path / "c.json").read_text()) == chart.to_vega_lite()
    page = chart.save(tmp_path / "c.html").read_text()
    assert "window.vegaEmbed=" in page and "<h2>loss</h2>" in page  # the bundle, inline
    assert "<script src=" not in page and "cdn.jsdelivr" not in page


def test_unknown_suffix_is_refused(tmp_path: Path) -> None:
    with pytest.raises(
        ValidationError,
        match=r"^\$\.path: must end in \.svg, \.png, \.html or \.json, got '.*c\.pdf'$",
    ):
        PRESETS["line"]().save(tmp_path / "c.pdf")


@pytest.mark.parametrize("scale", [0, -1.0, float("nan"), "2", True])
def test_bad_scale_is_refused(tmp_path: Path, scale) -> None:
    with pytest.raises(ValidationError, match=r"^\$\.scale: must be a number in \(0, 100\], got "):
        PRESETS["line"]().save(tmp_path / "c.png", scale=scale)


def test_rendering_without_the_extra_names_it(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "vl_convert", None)  # import now raises ImportError
    with pytest.raises(MissingDependencyError) as info:
        PRESETS["line"]().save(tmp_path / "c.svg")
    assert str(info.value) == (
        "rendering a chart to SVG or PNG needs the optional package 'vl-convert-python'; "
        "install it with: pip install 'richtypes[render]'"
    )
    assert not (tmp_path / "c.svg").exists()


def test_charts_html_shows_each_chart_and_cannot_be_broken_out_of() -> None:
    from richtypes.plot import charts_html

    hostile = plot.bar({"name": ["</script><script>alert(1)</script>"], "n": [1]}, "name", "n")
    page = charts_html({"loss <1>": PRESETS["line"](), "bars": hostile})
    head, body = page.rsplit("</head>", 1)  # the head holds the vendored Vega bundle, one script
    assert head.count("<script>") == 1 and body.count("<script>") == 1
    assert "alert(1)</script>" not in page
    assert "<h2>loss &lt;1&gt;</h2>" in page and '<div id="chart-1">' in page
    start = page.index("const specs = ") + len("const specs = ")
    specs = json.loads(page[start : page.index(";\n", start)])
    assert specs == [PRESETS["line"]().to_vega_lite(), hostile.to_vega_lite()]


@settings(max_examples=15, deadline=None)
@given(
    lengths=st.lists(st.integers(1, 30), min_size=1, max_size=4),
    seed=st.integers(0, 2**16),
    shared=st.booleans(),
)
def test_property_line_series_round_trips(tmp_path_factory, lengths, seed, shared) -> None:
    rng = np.random.default_rng(seed)
    if shared:
        lengths = [lengths[0]] * len(lengths)
        xs = np.arange(lengths[0])
    else:
        xs = [np.sort(rng.random(n)) for n in lengths]
    ys = [np.where(rng.random(n) < 0.1, np.nan, rng.standard_normal(n)) for n in lengths]
    chart = plot.line_series(xs, ys)
    assert len(chart.table) == sum(lengths)
    root = tmp_path_factory.mktemp("c")
    roundtrip_value(chart, root)


def test_records_keep_scalar_columns_and_nulls_and_leave_out_arrays_and_media(roundtrip) -> None:
    table = Table.from_columns(
        {
            "step": [0, 1, 2],
            "emb": np.zeros((3, 2)),
            "hist": [
                richtypes.Histogram([1, 2]),
                richtypes.Histogram([3]),
                richtypes.Histogram([4]),
            ],
            "acc": [0.5, None, 0.75],
        }
    )
    chart = plot.line(table, "step", "acc")
    assert chart.to_vega_lite()["data"]["values"] == [
        {"step": 0, "acc": 0.5},
        {"step": 1, "acc": None},
        {"step": 2, "acc": 0.75},
    ]
    roundtrip(chart)
    with pytest.raises(
        ValidationError,
        match=r"^\$\.y: column 'hist' must be numeric \(int or float\), not 'media:histogram'$",
    ):
        plot.line(table, "step", "hist")


def test_a_bad_dict_of_columns_names_the_table_path() -> None:
    with pytest.raises(ValidationError, match=r"^\$\.table\.columns\.b: "):
        plot.line({"a": [1, 2], "b": [3]}, "a", "b")


def test_charts_html_takes_a_list_headed_by_title_or_preset() -> None:
    from richtypes.plot import charts_html

    page = charts_html([PRESETS["line"](), PRESETS["scatter"](), PRESETS["line"]()])
    body = page.rsplit("</head>", 1)[1]
    assert re.findall(r"<h2>(.*?)</h2>", body) == ["loss", "scatter", "loss"]
    with pytest.raises(ValidationError, match=r"^\$\.charts\[1\]: must be a Chart, got 'x'$"):
        charts_html([PRESETS["line"](), "x"])
    with pytest.raises(ValidationError, match=r"^\$\.charts\.b: must be a Chart, got 3$"):
        charts_html({"a": PRESETS["line"](), "b": 3})
