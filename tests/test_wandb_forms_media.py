"""The reference tracker's input forms for Object3D, Video and Html: accepted with the same meaning."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from richtypes import Html, Object3D, ValidationError, Video, box3d
from richtypes.html import HEAD
from richtypes.video import grid

ROWS = [[0.5, 1.0, -2.0, 255, 0, 10], [1.5, -1.0, 3.0, 0, 128, 255]]


# --------------------------------------------------------------- .pts.json
@pytest.mark.parametrize(
    "make",
    [
        lambda p: p,
        lambda p: str(p),
        lambda p: open(p),  # noqa: SIM115 - text mode file object
        lambda p: open(p, "rb"),  # noqa: SIM115
        lambda p: io.StringIO(p.read_text()),
        lambda p: io.BytesIO(p.read_bytes()),
    ],
    ids=["Path", "str", "text-file", "binary-file", "StringIO", "BytesIO"],
)
def test_pts_json_files_are_point_clouds(tmp_path: Path, roundtrip, make) -> None:
    path = tmp_path / "cloud.pts.json"
    path.write_text(json.dumps(ROWS))
    cloud = Object3D(make(path))
    assert cloud == Object3D(np.array(ROWS))
    assert cloud.kind == "points" and cloud.points.shape == (2, 6)
    roundtrip(cloud)


@pytest.mark.parametrize("file_type", ["pts.json", "PTS.JSON", ".pts.json"])
def test_pts_json_file_type_is_accepted(file_type) -> None:
    cloud = Object3D.from_file(io.StringIO(json.dumps([[1, 2, 3, 4]])), file_type=file_type)
    assert cloud.points.tolist() == [[1.0, 2.0, 3.0, 4.0]]


@pytest.mark.parametrize("rows", [[[1, 2, 3]], [[1, 2, 3, 0]], ROWS, []])
def test_every_pts_width_matches_the_array_form(rows) -> None:
    got = Object3D(io.StringIO(json.dumps(rows)), file_type="pts.json")
    assert got == Object3D(np.array(rows, dtype=np.float64).reshape(len(rows), -1) if rows else [])


@pytest.mark.parametrize(
    "text, message",
    [
        ("[[1, 2, 3], [1, 2]]", r"$.data[1]: must be a row of 3, 4 or 6 numbers"),
        ("[[1, 2, 3], [1, 2, 3, 4]]", "$.data[1]: must have as many values as the first row (3)"),
        ('[[1, 2, "x"]]', "$.data[0]: must be a row of 3, 4 or 6 numbers"),
        (
            '{"a": 1}',
            "$.data: a pts.json point file must hold a JSON list of point rows, got 'dict'",
        ),
        ("[[1, 2", "$.data: is not a valid pts.json point file (not JSON: JSONDecodeError)"),
        ("[[1, 2, 3, 300, 0, 0]]", "$.points[0][3]: must be within 0..255, got 300.0"),
    ],
)
def test_bad_pts_files_name_the_row(text, message) -> None:
    with pytest.raises(ValidationError) as err:
        Object3D(io.StringIO(text), file_type="pts.json")
    assert str(err.value).startswith(message)


def test_a_deeply_nested_pts_file_is_a_validation_error() -> None:
    with pytest.raises(ValidationError, match="not JSON: RecursionError"):
        Object3D(io.StringIO("[" * 100_000 + "]" * 100_000), file_type="pts.json")


# ----------------------------------------------------------- constructors
def test_from_numpy_and_from_file_are_the_constructor() -> None:
    arr = np.array(ROWS)
    assert Object3D.from_numpy(arr) == Object3D(arr)
    text = json.dumps(ROWS)
    assert Object3D.from_file(io.StringIO(text), "pts.json") == Object3D(arr)


def test_from_point_cloud_is_a_scene() -> None:
    box = box3d((0, 0, 0), (2, 1, 1), label="car", color=(255, 0, 0))
    vec = {"start": [0, 0, 0], "end": [1, 0, 0]}
    got = Object3D.from_point_cloud(ROWS, [box], [vec], point_cloud_type="lidar/beta")
    assert got == Object3D.scene(np.array(ROWS), [box], [vec])
    assert Object3D.from_point_cloud(ROWS, []) == Object3D.scene(np.array(ROWS))
    with pytest.raises(ValidationError, match=r"^\$\.point_cloud_type: must be 'lidar/beta'"):
        Object3D.from_point_cloud(ROWS, [], point_cloud_type="radar")


@pytest.mark.parametrize(
    "value",
    [
        {"type": "lidar/beta"},
        {"type": "lidar/beta", "points": []},
        {"type": "lidar/beta", "points": [], "boxes": [], "vectors": []},
    ],
    ids=["type-only", "points-empty", "all-empty"],
)
def test_empty_scenes_round_trip(roundtrip, value) -> None:
    scene = Object3D(value)
    assert scene.kind == "scene" and scene.points.shape == (0, 3)
    assert scene.boxes["corners"].shape == (0, 8, 3) and scene.vectors["starts"].shape == (0, 3)
    _, back = roundtrip(scene)
    assert back == Object3D.scene(np.zeros((0, 3)))


def test_an_empty_point_list_is_an_empty_cloud(roundtrip) -> None:
    cloud = Object3D([])
    assert cloud.kind == "points" and cloud.points.shape == (0, 3)
    roundtrip(cloud)


# ------------------------------------------------------------------ video
@pytest.mark.parametrize(
    "clips, expected",
    [(1, (1, 1)), (2, (1, 2)), (3, (1, 4)), (4, (2, 2)), (6, (2, 4)), (9, (2, 8))],
)
def test_grid_is_the_reference_grid(clips, expected) -> None:
    assert grid(clips) == expected


def _expected_tile(batch: np.ndarray) -> np.ndarray:
    """The grid clip built the slow obvious way: clip k at row k // cols, column k % cols."""
    n, t, h, w, c = batch.shape
    rows, cols = grid(n)
    out = np.zeros((t, rows * h, cols * w, c), np.uint8)
    for k in range(n):
        r, q = divmod(k, cols)
        out[:, r * h : (r + 1) * h, q * w : (q + 1) * w] = batch[k]
    return out


@settings(max_examples=20, deadline=None)
@given(n=st.integers(1, 6), t=st.integers(1, 3), channels_first=st.booleans())
def test_a_batch_of_clips_is_tiled_into_one_grid_clip(n, t, channels_first) -> None:
    rng = np.random.default_rng(n * 10 + t)
    batch = rng.integers(0, 256, (n, t, 5, 7, 3), dtype=np.uint8)
    given_form = batch.transpose(0, 1, 4, 2, 3) if channels_first else batch
    clip = Video(given_form)
    assert clip == Video(_expected_tile(batch))
    rows, cols = grid(n)
    assert (clip.frames, clip.height, clip.width) == (t, 5 * rows, 7 * cols)


def test_batch_errors_name_the_value_in_the_given_array() -> None:
    batch = np.zeros((2, 3, 8, 6, 3))
    batch[1, 2, 7, 5, 2] = 2.0
    with pytest.raises(ValidationError) as err:
        Video(batch)
    assert str(err.value) == (
        "$.data_or_path[1][2][7][5][2]: must be within [0, 1] for float frames (scaled by 255), got 2.0"
    )
    with pytest.raises(ValidationError, match=r"got shape \(2, 3, 5, 8, 6\)"):
        Video(np.zeros((2, 3, 5, 8, 6), np.uint8))


# ------------------------------------------------------------------- html
def test_html_data_is_not_path(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text("<p>from a file</p>")
    assert Html(str(page), data_is_not_path=False) == Html(page)
    assert Html(str(page), data_is_not_path=True).html == HEAD + str(page) + "\n</body>\n</html>\n"
    assert Html(str(page)) == Html(str(page), data_is_not_path=True)
    assert Html("<p>x</p>", data_is_not_path=False) == Html("<p>x</p>")
    with pytest.raises(
        ValidationError, match=r"^\$\.data_is_not_path: must be True, False or None"
    ):
        Html("<p>x</p>", data_is_not_path="yes")  # type: ignore[arg-type]
