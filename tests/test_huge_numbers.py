"""Numbers past what their field can hold are FormatErrors: in JSON text, in documents, in shapes."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

import richtypes
from richtypes import FormatError

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
BOXES = FIXTURES / "boxes2d" / "v1" / "box_data_minmax_scores_captions"
VIDEO = FIXTURES / "video" / "v1" / "gif_rgb_frames"
TABLES = [
    FIXTURES / "table" / "v1" / "inline_every_type",
    FIXTURES / "table" / "v1" / "sidecar_columns",
]


def _copy(folder: Path, tmp_path: Path) -> Path:
    shutil.copytree(folder, tmp_path / "case")
    return tmp_path / "case"


def _text_with(folder: Path, tmp_path: Path, old: str, new: str) -> Path:
    case = _copy(folder, tmp_path)
    text = (case / "doc.json").read_text()
    assert old in text
    (case / "doc.json").write_text(text.replace(old, new, 1))
    return case / "doc.json"


def test_a_box_score_of_1e400_in_the_file_is_a_format_error(tmp_path: Path) -> None:
    path = _text_with(BOXES, tmp_path, "0.92", "1e400")
    with pytest.raises(
        FormatError, match=r"^'.*doc\.json' holds the number 1e400, which is not finite"
    ):
        richtypes.load(path)


def test_a_box_score_of_infinity_in_a_document_is_a_format_error(tmp_path: Path) -> None:
    doc = json.loads((BOXES / "doc.json").read_text())
    doc["scores"][0][0] = float("inf")
    with pytest.raises(FormatError, match=r"^\$\.scores: must be finite"):
        richtypes.load(doc, BOXES)


@pytest.mark.parametrize("fps", ["1e400", "-1e400"])
def test_a_video_fps_of_1e400_in_the_file_is_a_format_error(tmp_path: Path, fps: str) -> None:
    doc = json.loads((VIDEO / "doc.json").read_text())
    path = _text_with(VIDEO, tmp_path, f'"fps":{json.dumps(doc["fps"])}', f'"fps":{fps}')
    with pytest.raises(
        FormatError, match=rf"^'.*doc\.json' holds the number {fps}, which is not finite"
    ):
        richtypes.load(path)


@pytest.mark.parametrize("folder", TABLES, ids=lambda p: p.name)
@pytest.mark.parametrize(
    "shape",
    [
        "(4294967296,4294967296)",
        "(99999999999999999999999999,0)",
        "(0,99999999999999999999999999)",
        "(65536,65536,2)",
    ],
)
def test_table_cell_shapes_past_int64_are_format_errors(folder: Path, shape: str) -> None:
    doc = json.loads((folder / "doc.json").read_text())
    index = next(i for i, c in enumerate(doc["columns"]) if c["type"].startswith("array["))
    dtype = doc["columns"][index]["type"][len("array[") :].split(",")[0]
    doc["columns"][index]["type"] = f"array[{dtype},{shape}]"
    with pytest.raises(
        FormatError, match=rf"^\$\.columns\[{index}\]\.type: unknown column type .*, got 'array\["
    ):
        richtypes.load(doc, folder)
