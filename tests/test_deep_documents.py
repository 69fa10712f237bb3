"""Deep nesting and non-finite numbers in documents: FormatError everywhere a document is parsed."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

import richtypes
from richtypes import FormatError
from richtypes.cli import inspect_run, validate_path
from richtypes.core.jsontext import MAX_JSON_DEPTH, json_depth, parse_json

DEEP = "[" * 100_000 + "]" * 100_000


@pytest.mark.parametrize(
    ("text", "depth"),
    [
        ("1", 0),
        ("[]", 1),
        ('{"a": [1, {"b": 2}]}', 3),
        ('["]]]]", "[[[[", "\\"[[[", "\\\\", [[]]]', 3),
        ('{"k\\"{": "\\\\\\"[["}', 1),
        (DEEP, 100_000),
    ],
)
def test_json_depth_counts_brackets_outside_strings(text: str, depth: int) -> None:
    assert json_depth(text) == depth
    assert json_depth(text.encode()) == depth


def test_the_depth_limit_matches_what_dump_can_write(tmp_path: Path) -> None:
    nest: object = richtypes.Histogram([1, 2, 3])
    for _ in range(64):
        nest = {"a": nest}
    text = json.dumps(richtypes.dump(nest, tmp_path))
    assert json_depth(text) <= MAX_JSON_DEPTH
    assert isinstance(parse_json(text, where="doc"), dict)


def test_load_of_a_100k_deep_file_is_a_format_error(tmp_path: Path) -> None:
    (tmp_path / "deep.json").write_text(DEEP)
    with pytest.raises(
        FormatError,
        match=r"^'.*deep\.json' nests arrays and objects 100000 deep, above the limit of 128$",
    ):
        richtypes.load(tmp_path / "deep.json")


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ('{"_type": "histogram", "x": 1e400}', "holds the number 1e400, which is not finite"),
        ('{"x": -1e999}', "holds the number -1e999, which is not finite"),
        ('{"x": NaN}', "holds the number NaN, which is not finite"),
        ('{"x": Infinity}', "holds the number Infinity, which is not finite"),
        ('{"x": ' + "9" * 5000 + "}", "is not valid JSON: Exceeds the limit"),
    ],
)
def test_numbers_json_cannot_hold_are_format_errors(
    tmp_path: Path, text: str, problem: str
) -> None:
    (tmp_path / "doc.json").write_text(text)
    with pytest.raises(FormatError, match=r"^'.*doc\.json' " + problem.replace("(", r"\(")):
        richtypes.load(tmp_path / "doc.json")


def _run_with_history(tmp_path: Path, extra: bytes) -> Path:
    with richtypes.init(dir=tmp_path / "run") as run:
        run.log({"x": 1})
    with open(run.dir / "history.jsonl", "ab") as fh:
        fh.write(extra)
    return run.dir


def test_a_deep_history_line_is_a_format_error(tmp_path: Path) -> None:
    run_dir = _run_with_history(tmp_path, b'{"_step": 1, "x": ' + DEEP.encode() + b"}\n")
    with pytest.raises(
        FormatError,
        match=r"^'.*history\.jsonl' line 2 nests arrays and objects 100001 deep, above the limit of 128$",
    ):
        richtypes.open_run(run_dir).history()


def test_inspect_and_validate_report_a_deep_history_without_a_traceback(tmp_path: Path) -> None:
    run_dir = _run_with_history(tmp_path, b'{"_step": 1, "x": ' + DEEP.encode() + b"}\n")
    out = io.StringIO()
    assert inspect_run(str(run_dir), out) == 1
    assert "nests arrays and objects 100001 deep, above the limit of 128" in out.getvalue()
    out = io.StringIO()
    assert validate_path(str(run_dir), out) == 1
    assert "nests arrays and objects 100001 deep" in out.getvalue()


def test_validate_reports_a_deep_document_without_a_traceback(tmp_path: Path) -> None:
    (tmp_path / "deep.json").write_text(DEEP)
    out = io.StringIO()
    assert validate_path(str(tmp_path / "deep.json"), out) == 1
    assert (
        "not a readable JSON document: the document nests arrays and objects 100000 deep"
        in out.getvalue()
    )


def _nested_tables(levels: int) -> dict:
    doc: dict = {
        "_type": "table",
        "_version": 1,
        "nrows": 1,
        "columns": [{"name": "a", "type": "int", "values": [1]}],
    }
    for _ in range(levels):
        doc = {
            "_type": "table",
            "_version": 1,
            "nrows": 1,
            "columns": [{"name": "t", "type": "media:table", "values": [doc]}],
        }
    return doc


def test_a_few_nested_tables_decode(tmp_path: Path) -> None:
    value = richtypes.load(_nested_tables(3), tmp_path)
    assert isinstance(value, richtypes.Table)


def test_1000_nested_tables_are_a_format_error_as_text_and_as_a_dict(tmp_path: Path) -> None:
    doc = _nested_tables(1000)
    with pytest.raises(
        FormatError,
        match=r"^\$(\.columns\[0\]\.values\[0\]){32}: envelopes nest deeper than 32 levels$",
    ):
        richtypes.load(doc, tmp_path)
    head = '{"_type": "table", "_version": 1, "nrows": 1, "columns": [{"name": "t", "type": "media:table", "values": ['
    inner = json.dumps(_nested_tables(0))
    (tmp_path / "tables.json").write_text(head * 1000 + inner + "]}]}" * 1000)
    with pytest.raises(
        FormatError, match=r"nests arrays and objects 4004 deep, above the limit of 128$"
    ):
        richtypes.load(tmp_path / "tables.json")
