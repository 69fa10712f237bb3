"""Object3D point clouds: every input form, validation messages, wire form, round trips."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from arraylikes import FakeTensor, HasArray
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import richtypes
import richtypes.object3d.points as points_mod
from richtypes import FormatError, Object3D, ValidationError

XYZRGB = np.array([[0.5, 1.0, -2.0, 255, 0, 10], [1.5, -1.0, 3.0, 0, 128, 255]], dtype=np.float32)


@pytest.mark.parametrize(
    "form",
    [XYZRGB, XYZRGB.tolist(), FakeTensor(XYZRGB), HasArray(XYZRGB)],
    ids=["ndarray", "list", "tensor-like", "__array__"],
)
def test_every_packed_form_gives_the_same_cloud(form) -> None:
    cloud = (
        Object3D(form)
        if not isinstance(form, list)
        else Object3D(np.asarray(form, dtype=np.float32))
    )
    assert cloud == Object3D(XYZRGB)
    assert (
        cloud.kind == "points" and cloud.points.dtype == np.float32 and cloud.points.shape == (2, 6)
    )


def test_float32_is_kept_viewed_not_copied_and_read_only() -> None:
    arr = np.random.default_rng(0).random((100, 6)).astype(np.float32)
    cloud = Object3D(arr)
    assert cloud.points.dtype == np.float32
    assert np.shares_memory(cloud.points, arr)
    assert (
        not cloud.points.flags.writeable and arr.flags.writeable
    )  # the caller's array keeps its flags
    with pytest.raises(AttributeError, match="immutable"):
        cloud.points = arr  # type: ignore[misc]


def test_big_endian_input_is_stored_little_endian() -> None:
    arr = XYZRGB.astype(">f4")
    cloud = Object3D(arr)
    assert cloud.points.dtype == np.dtype("<f4") and cloud == Object3D(XYZRGB)


@pytest.mark.parametrize(
    "xyz",
    [XYZRGB[:, :3], XYZRGB[:, :3].tolist(), FakeTensor(XYZRGB[:, :3]), HasArray(XYZRGB[:, :3])],
    ids=["ndarray", "list", "tensor-like", "__array__"],
)
def test_every_columnar_form_gives_the_same_cloud(xyz) -> None:
    want = Object3D.from_points(
        XYZRGB[:, :3].astype(np.float64),
        colors=np.array([[255, 0, 10], [0, 128, 255]]),
        categories=[1, 0],
    )
    got = Object3D.from_points(
        xyz, colors=[[255, 0, 10], [0, 128, 255]], categories=np.array([1, 0])
    )
    if isinstance(xyz, list):
        assert got == want
    else:
        assert got.points.dtype == np.float32
    assert got.colors.dtype == np.uint8 and got.colors.tolist() == [[255, 0, 10], [0, 128, 255]]
    assert got.categories.tolist() == [1, 0]


def test_float_colours_are_kept_in_their_dtype_and_range_0_1() -> None:
    cloud = Object3D.from_points(
        np.zeros((2, 3), np.float32), colors=np.array([[0, 0.5, 1], [1, 1, 1]], np.float32)
    )
    assert cloud.colors.dtype == np.float32


def test_drop_nonfinite_drops_rows_and_counts_them() -> None:
    arr = XYZRGB.copy()
    arr = np.concatenate([arr, [[np.nan, 0, 0, 1, 2, 3], [0, np.inf, 0, 999, 2, 3]]]).astype(
        np.float32
    )
    cloud = Object3D(arr, drop_nonfinite=True)  # colour 999 is on a dropped row: not an error
    assert cloud.dropped_nonfinite == 2 and cloud != Object3D(
        XYZRGB
    )  # the count is part of the value
    np.testing.assert_array_equal(cloud.points, XYZRGB)
    col = Object3D.from_points(arr[:, :3], colors=np.zeros((4, 3), np.uint8), drop_nonfinite=True)
    assert col.dropped_nonfinite == 2 and col.points.shape == (2, 3) and col.colors.shape == (2, 3)


def test_category_ids_and_class_labels() -> None:
    arr = np.array([[0, 0, 0, 0], [1, 1, 1, 2]], dtype=np.float32)
    cloud = Object3D(arr, class_labels=["road", "car", "tree"])
    assert cloud.class_labels == {0: "road", 1: "car", 2: "tree"}
    assert Object3D.from_points(
        arr[:, :3], categories=[0, 2], class_labels={2: "tree", 0: "road"}
    ).class_labels == {0: "road", 2: "tree"}


ROW = [0.0, 0.0, 0.0]


@pytest.mark.parametrize(
    "build, message",
    [
        (
            lambda: Object3D(np.zeros((4, 5))),
            r"^\$\.points: must have shape \(N, 3\), \(N, 4\) or \(N, 6\), got \(4, 5\)$",
        ),
        (
            lambda: Object3D(np.zeros(3)),
            r"^\$\.points: must have shape \(N, 3\), \(N, 4\) or \(N, 6\), got \(3,\)$",
        ),
        (
            lambda: Object3D(np.array([["a", "b", "c"]])),
            r"^\$\.points: must hold real numbers, got dtype <U1$",
        ),
        (
            lambda: Object3D(np.zeros((2, 3), bool)),
            r"^\$\.points: must hold real numbers, got dtype bool$",
        ),
        (
            lambda: Object3D([[1, 2, 3], [4, 5]]),
            r"^\$\.points: expected an \(N, 3\), \(N, 4\) or \(N, 6\) array of points \(a ragged",
        ),
        (
            lambda: Object3D(np.array([ROW] * 17 + [[0.0, np.nan, 1.0]])),
            r"^\$\.points\[17\]: coordinates must be finite, got \[0\.0, nan, 1\.0\]$",
        ),
        (
            lambda: Object3D(np.array([[0, 0, 0, 1, 2, 3], [0, 0, 0, 4, 321, 6]])),
            r"^\$\.points\[1\]\[4\]: must be within 0\.\.255, got 321$",
        ),
        (
            lambda: Object3D(np.array([[0, 0, 0, 1, -2.0, 3]])),
            r"^\$\.points\[0\]\[4\]: must be within 0\.\.255, got -2\.0$",
        ),
        (
            lambda: Object3D(np.array([[0, 0, 0, 1, np.nan, 3]])),
            r"^\$\.points\[0\]\[4\]: must be within 0\.\.255, got nan$",
        ),
        (
            lambda: Object3D(np.array([[0, 0, 0, 1.5]])),
            r"^\$\.points\[0\]\[3\]: category must be a non-negative integer, got 1\.5$",
        ),
        (
            lambda: Object3D(np.array([[0, 0, 0, -1]])),
            r"^\$\.points\[0\]\[3\]: category must be a non-negative integer, got -1$",
        ),
        (
            lambda: Object3D(np.array([[0, 0, 0, 0], [0, 0, 0, 7]]), class_labels={0: "a", 1: "b"}),
            r"^\$\.points\[1\]\[3\]: category must be an id in class_labels \(0, 1\), got 7$",
        ),
        (
            lambda: Object3D(np.zeros((1, 3)), class_labels=["a"]),
            r"^\$\.class_labels: class_labels needs category ids: an \(N, 4\) array$",
        ),
        (
            lambda: Object3D(np.zeros((1, 4)), class_labels={-1: "a"}),
            r"^\$\.class_labels\[-1\]: class id must be an integer in 0\.\.2147483647, got -1$",
        ),
        (
            lambda: Object3D(np.zeros((1, 4)), class_labels={0: 5}),
            r"^\$\.class_labels\[0\]: class name must be a string, got 5$",
        ),
        (
            lambda: Object3D(np.zeros((1, 4)), class_labels="abc"),
            r"^\$\.class_labels: must be a dict of class id -> name, a list of names or a list of \{id, name, color\} dicts, got 'abc'$",
        ),
        (
            lambda: Object3D.from_points(np.zeros((2, 2))),
            r"^\$\.xyz: must have shape \(N, 3\), got \(2, 2\)$",
        ),
        (
            lambda: Object3D.from_points([ROW, [np.inf, 0, 0]]),
            r"^\$\.xyz\[1\]: coordinates must be finite, got \[inf, 0\.0, 0\.0\]$",
        ),
        (
            lambda: Object3D.from_points([ROW], colors=[[1, 2]]),
            r"^\$\.colors: must have shape \(1, 3\) to match xyz, got \(1, 2\)$",
        ),
        (
            lambda: Object3D.from_points([ROW, ROW], colors=[[1, 2, 3], [123, 321, 111]]),
            r"^\$\.colors\[1\]\[1\]: must be within 0\.\.255, got 321$",
        ),
        (
            lambda: Object3D.from_points([ROW], colors=[[0.5, 1.5, 0.0]]),
            r"^\$\.colors\[0\]\[1\]: must be within \[0, 1\] for float colours, got 1\.5$",
        ),
        (
            lambda: Object3D.from_points([ROW], categories=[[1]]),
            r"^\$\.categories: must have shape \(1,\) to match xyz, got \(1, 1\)$",
        ),
        (
            lambda: Object3D.from_points([ROW, ROW], categories=[0, -3]),
            r"^\$\.categories\[1\]: category must be a non-negative integer, got -3$",
        ),
        (
            lambda: Object3D.from_points([ROW], class_labels=["a"]),
            r"^\$\.class_labels: class_labels needs categories$",
        ),
    ],
)
def test_bad_points_give_a_validation_error_with_path(build, message) -> None:
    with pytest.raises(ValidationError, match=message):
        build()


def test_the_first_bad_row_is_named_after_dropped_rows_are_skipped() -> None:
    arr = np.array([[np.nan, 0, 0, 0, 0, 999], [0, 0, 0, 0, 0, 300]], dtype=np.float32)
    with pytest.raises(
        ValidationError, match=r"^\$\.points\[1\]\[5\]: must be within 0\.\.255, got 300\.0$"
    ):
        Object3D(arr, drop_nonfinite=True)


CLOUDS = {
    "xyz-inline": lambda: Object3D(np.arange(12, dtype=np.float32).reshape(4, 3)),
    "xyz-int": lambda: Object3D(np.arange(12, dtype=np.int16).reshape(4, 3)),
    "xyzc": lambda: Object3D(
        np.array([[0, 0, 0, 1], [1, 1, 1, 0]], np.float64), class_labels={0: "a", 1: "b"}
    ),
    "xyzrgb-sidecar": lambda: Object3D(
        np.random.default_rng(1).random((2000, 6)).astype(np.float32)
    ),
    "columns": lambda: Object3D.from_points(
        np.random.default_rng(2).random((3000, 3)).astype(np.float32),
        colors=np.random.default_rng(3).integers(0, 256, (3000, 3)),
        categories=np.arange(3000) % 5,
        class_labels=list("abcde"),
    ),
    "dropped": lambda: Object3D.from_points([[0, 0, 0], [np.nan, 1, 1]], drop_nonfinite=True),
    "empty": lambda: Object3D(np.zeros((0, 3), np.float32)),
}


@pytest.mark.parametrize("name", CLOUDS)
def test_point_clouds_round_trip(roundtrip, name) -> None:
    cloud = CLOUDS[name]()
    doc, back = roundtrip(cloud)
    assert doc["kind"] == "points" and back.points.dtype == cloud.points.dtype
    assert back.dropped_nonfinite == cloud.dropped_nonfinite


def test_large_arrays_are_npy_sidecars_that_numpy_opens(tmp_path: Path) -> None:
    arr = np.random.default_rng(4).random((5000, 6)).astype(np.float32)
    doc = richtypes.dump(Object3D(arr), tmp_path)
    ref = doc["points"]
    assert ref["format"] == "npy" and ref["path"].endswith(".npy")
    np.testing.assert_array_equal(np.load(tmp_path / ref["path"], allow_pickle=False), arr)


def test_identical_clouds_in_a_list_are_stored_once(tmp_path: Path) -> None:
    arr = np.random.default_rng(5).random((4000, 3)).astype(np.float32)
    steps = [
        {"cloud": Object3D(arr)},
        {"cloud": Object3D(arr.copy())},
        {"cloud": Object3D(arr[:2000])},
    ]
    doc = richtypes.dump(steps, tmp_path)
    files = [p for p in tmp_path.rglob("*.npy")]
    assert len(files) == 2 and doc[0]["cloud"]["points"] == doc[1]["cloud"]["points"]
    assert richtypes.load(doc, tmp_path) == steps


def test_large_sidecars_are_memory_mapped_on_decode(tmp_path: Path, monkeypatch) -> None:
    cloud = Object3D(np.random.default_rng(6).random((3000, 3)).astype(np.float32))
    doc = richtypes.dump(cloud, tmp_path)
    monkeypatch.setattr(points_mod, "MMAP_MIN_BYTES", 0)
    back = richtypes.load(doc, tmp_path)
    assert isinstance(back.points.base, np.memmap) or isinstance(back.points, np.memmap)
    assert back == cloud and not back.points.flags.writeable


@pytest.mark.parametrize(
    "change, message",
    [
        ({"kind": "cube"}, r"^\$\.kind: must be one of points, scene, mesh, got 'cube'$"),
        (
            {"points": {"dtype": "complex64", "shape": [1, 3], "data": [0, 0, 0]}},
            r"^\$\.points\.dtype: must be one of float16, float32, float64, int8, int16, int32, int64, uint8, uint16, uint32, uint64, got 'complex64'$",
        ),
        (
            {"points": {"dtype": "float32", "shape": [2, 3], "data": [0, 0, 0]}},
            r"^\$\.points\.data: must be a list of prod\(shape\) = 6 numbers$",
        ),
        (
            {"points": {"dtype": "float32", "shape": [3], "data": [0, 0, 0]}},
            r"^\$\.points: must be 2-D, got shape \(3,\)$",
        ),
        (
            {"points": {"dtype": "float32", "shape": [1, 3], "data": [0, "x", 0]}},
            r"^\$\.points\.data: must hold float32 numbers \(ValueError\)$",
        ),
        (
            {"points": {"dtype": "float32", "shape": [1, 2], "data": [0, 0]}},
            r"^\$\.points: must have shape \(N, 3\), \(N, 4\) or \(N, 6\), got \(1, 2\)$",
        ),
        ({"dropped_nonfinite": -1}, r"^\$\.dropped_nonfinite: must be >= 0, got -1$"),
        (
            {"class_labels": {"x": "a"}},
            r"^\$\.class_labels: must map decimal id strings to names$",
        ),
        ({"points": [1, 2]}, r"^\$\.points: must be dict, got list$"),
    ],
)
def test_malformed_documents_are_format_errors(tmp_path: Path, change, message) -> None:
    doc = richtypes.dump(Object3D(np.zeros((1, 3), np.float32)), tmp_path)
    doc.update(change)
    with pytest.raises(FormatError, match=message):
        richtypes.load(doc, tmp_path)


def test_repr_is_short() -> None:
    assert repr(Object3D.from_points([[0, 0, 0], [np.nan, 0, 0]], drop_nonfinite=True)) == (
        "Object3D(kind='points', points=(1, 3), dtype=float64, dropped_nonfinite=1)"
    )


@settings(max_examples=25, deadline=None)
@given(
    arr=hnp.arrays(
        np.float32,
        st.tuples(st.integers(0, 40), st.sampled_from([3, 6])),
        elements=st.one_of(st.floats(-1e6, 1e6, width=32), st.just(np.nan), st.just(np.inf)),
    ),
    inline=st.booleans(),
)
def test_property_point_cloud_round_trip(tmp_path_factory, arr, inline) -> None:
    if arr.shape[1] == 6:
        arr[:, 3:] = np.abs(np.nan_to_num(arr[:, 3:])) % 255
    finite = np.isfinite(arr[:, :3]).all(axis=1)
    cloud = Object3D(arr, drop_nonfinite=True)
    assert cloud.dropped_nonfinite == int((~finite).sum())
    np.testing.assert_array_equal(cloud.points, arr[finite])
    root = tmp_path_factory.mktemp("pc")
    store = richtypes.Store(root, inline_limit=1 << 20 if inline else 0)
    doc = richtypes.dump(cloud, store)
    back = richtypes.load(doc, store)
    assert back == cloud and richtypes.dump(back, store) == doc


@pytest.mark.parametrize(
    "row, col, value, message",
    [
        (700, 4, 300.0, r"^\$\.points\[700\]\[4\]: must be within 0\.\.255, got 300\.0$"),
        (900, 5, -1.0, r"^\$\.points\[900\]\[5\]: must be within 0\.\.255, got -1\.0$"),
        (
            900,
            1,
            np.nan,
            r"^\$\.points\[900\]: coordinates must be finite, got \[0\.0, nan, 0\.0\]$",
        ),
        (5, 2, -np.inf, r"^\$\.points\[5\]: coordinates must be finite, got \[0\.0, 0\.0, -inf\]$"),
    ],
)
def test_large_arrays_name_the_bad_row_in_the_bulk_and_in_the_tail(
    row, col, value, message
) -> None:
    arr = np.zeros((1000, 6), np.float32)  # 1000 rows: 768 checked as wide rows, 232 as the tail
    arr[row, col] = value
    with pytest.raises(ValidationError, match=message):
        Object3D(arr)


def test_snapshot_copies_only_arrays_that_view_the_callers_memory() -> None:
    pts = XYZRGB.copy()
    cloud = Object3D(pts)
    assert np.shares_memory(cloud.points, pts)  # construction views, no copy
    owned = cloud._snapshot()
    assert (
        owned == cloud
        and not np.shares_memory(owned.points, pts)
        and not owned.points.flags.writeable
    )
    assert owned._snapshot() is owned  # nothing left to copy


def test_snapshot_of_a_cloud_decoded_from_a_sidecar_is_itself(roundtrip) -> None:
    big = np.random.default_rng(0).random(
        (5000, 3), dtype=np.float32
    )  # above the inline limit: a .npy sidecar
    doc, back = roundtrip(Object3D(big))
    assert "path" in doc["points"]
    assert back._snapshot() is back


def test_a_logged_cloud_is_not_changed_when_the_caller_refills_its_buffer(tmp_path) -> None:
    import threading

    import richtypes
    from richtypes.core.media import Media

    release = threading.Event()

    class Gate(Media):
        _type = "float"  # never decoded: only delays the worker

        def to_json(self, store):
            release.wait(10)
            return {"_type": "float", "_version": 1, "value": "NaN"}

        def _content(self):
            return ()

    buf = XYZRGB.copy()
    with richtypes.init(dir=tmp_path / "run") as run:
        run.log({"gate": Gate()})  # holds the worker until released
        run.log({"cloud": Object3D(buf)})
        buf[:] = 0  # the training loop reuses its buffer at once
        release.set()
    rows = richtypes.open_run(tmp_path / "run").history()
    assert rows[1]["cloud"] == Object3D(XYZRGB.copy())


def test_columnar_document_errors_name_the_document_field(tmp_path: Path) -> None:
    cloud = Object3D.from_points(np.zeros((2, 3)), colors=[[255, 0, 0], [0, 0, 255]])
    doc = richtypes.dump(cloud, tmp_path)
    doc["points"] = {"dtype": "float64", "shape": [1, 3], "data": [0, 0, float("nan")]}
    doc["colors"] = {"dtype": "uint8", "shape": [1, 3], "data": [0, 0, 0]}
    with pytest.raises(FormatError) as err:
        richtypes.load(doc, tmp_path)
    assert str(err.value) == "$.points[0]: coordinates must be finite, got [0.0, 0.0, nan]"


def test_errors_of_a_nested_object3d_carry_the_whole_document_path(tmp_path: Path) -> None:
    doc = richtypes.dump({"clouds": [Object3D(np.zeros((1, 3)))]}, tmp_path)
    doc["clouds"][0]["points"]["shape"] = [1, 2]
    with pytest.raises(FormatError) as err:
        richtypes.load(doc, tmp_path)
    assert str(err.value) == "$.clouds[0].points.data: must be a list of prod(shape) = 2 numbers"
