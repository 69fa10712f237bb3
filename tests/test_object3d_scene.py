"""Object3D lidar scenes: boxes in any corner order, the canonical order, vectors, messages, round trips."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import richtypes
from richtypes import FormatError, Object3D, ValidationError, box3d
from richtypes.object3d.scene import BOX_RTOL

UNIT = [
    [0, 0, 0],
    [0, 1, 0],
    [0, 0, 1],
    [1, 0, 0],
    [1, 1, 0],
    [0, 1, 1],
    [1, 0, 1],
    [1, 1, 1],
]  # the order
CANONICAL_UNIT = [
    [0, 0, 0],
    [1, 0, 0],
    [0, 1, 0],
    [1, 1, 0],
    [0, 0, 1],
    [1, 0, 1],
    [0, 1, 1],
    [1, 1, 1],
]
PTS = np.zeros((4, 3), np.float32)


def test_corners_in_any_order_pass_and_are_stored_in_canonical_order() -> None:
    scene = Object3D(
        {"type": "lidar/beta", "points": PTS, "boxes": [{"corners": UNIT, "label": "x"}]}
    )
    assert scene.kind == "scene"
    assert scene.boxes["corners"].tolist() == [CANONICAL_UNIT]
    assert scene.boxes["labels"] == ["x"] and scene.boxes["colors"].tolist() == [[255, 255, 255]]
    assert scene.boxes["scores"] is None


def test_canonical_order_of_an_upright_box_is_bottom_face_first_along_its_axes() -> None:
    box = box3d((10.0, -5.0, 1.0), (4.0, 2.0, 2.0), np.deg2rad(30))
    corners = Object3D.scene(PTS, boxes=[box]).boxes["corners"][0]
    np.testing.assert_allclose(
        corners, box["corners"]
    )  # |yaw| < 45 degrees: box3d's own order is canonical
    assert (corners[:4, 2] < corners[4:, 2]).all()


def test_box3d_yaw_and_quaternion_agree() -> None:
    yaw = 0.7
    quat = [np.cos(yaw / 2), 0.0, 0.0, np.sin(yaw / 2)]
    a = box3d((1, 2, 3), (2, 1, 0.5), yaw, label="car", color=(1, 2, 3), score=0.5)
    b = box3d((1, 2, 3), (2, 1, 0.5), quat, label="car", color=(1, 2, 3), score=0.5)
    np.testing.assert_allclose(a["corners"], b["corners"], atol=1e-12)
    assert (a["label"], a["color"], a["score"]) == ("car", (1, 2, 3), 0.5)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (
            {"center": (0, 0), "size": (1, 1, 1)},
            r"^\$\.center: must be 3 finite numbers, got \[0, 0\]$",
        ),
        (
            {"center": (0, 0, 0), "size": (1, np.inf, 1)},
            r"^\$\.size\[1\]: must be finite, got inf$",
        ),
        (
            {"center": (0, 0, 0), "size": (1, 0, 0)},
            r"^\$\.size: may be 0 on one axis at most \(a flat box\), got \[1, 0, 0\]$",
        ),
        (
            {"center": (0, 0, 0), "size": (1, 1, 1), "orientation": [0, 0, 0, 0]},
            r"^\$\.orientation: quaternion must be finite and non-zero, got \[0\.0, 0\.0, 0\.0, 0\.0\]$",
        ),
        (
            {"center": (0, 0, 0), "size": (1, 1, 1), "orientation": [1, 0, 0]},
            r"^\$\.orientation: must be a yaw angle or a \(w, x, y, z\) quaternion of shape \(4,\), got shape \(3,\)$",
        ),
        (
            {"center": (0, 0, 0), "size": (1, 1, 1), "orientation": float("nan")},
            r"^\$\.orientation: yaw must be finite, got nan$",
        ),
    ],
)
def test_box3d_bad_inputs(kwargs, message) -> None:
    with pytest.raises(ValidationError, match=message):
        box3d(**kwargs)


def _boxes_as_dicts():
    return [
        box3d((0, 0, 0.5), (2, 1, 1), 0.3, label="car", color=(255, 0, 0), score=0.75),
        box3d((5, 5, 1), (1, 1, 2), 2.0, label="person"),
    ]


def test_box_forms_give_the_same_scene() -> None:
    dicts = _boxes_as_dicts()
    want = Object3D.scene(PTS, boxes=dicts)
    assert Object3D.scene(PTS, boxes=np.array(dicts)) == want
    assert Object3D({"type": "lidar/beta", "points": PTS, "boxes": tuple(dicts)}) == want
    columns = {
        "corners": np.stack([d["corners"] for d in dicts]),
        "labels": ["car", "person"],
        "colors": np.array([[255, 0, 0], [255, 255, 255]]),
        "scores": [0.75, None],
    }
    assert Object3D.scene(PTS, boxes=columns) == want
    shuffled = [dict(d, corners=d["corners"][::-1]) for d in dicts]
    assert Object3D.scene(PTS, boxes=shuffled) == want
    assert want.boxes["scores"] == [0.75, None]


def test_vector_forms_give_the_same_scene() -> None:
    dicts = [
        {"start": [0, 0, 0], "end": [1, 0, 0], "color": [0, 255, 0]},
        {"start": [1, 1, 1], "end": [1, 1, 3]},
    ]
    want = Object3D.scene(PTS, vectors=dicts)
    assert Object3D.scene(PTS, vectors=np.array(dicts)) == want
    cols = {
        "starts": [[0, 0, 0], [1, 1, 1]],
        "ends": [[1, 0, 0], [1, 1, 3]],
        "colors": [[0, 255, 0], [255, 255, 255]],
    }
    assert Object3D.scene(PTS, vectors=cols) == want
    assert want.vectors["colors"].dtype == np.uint8


def _corners(change):
    corners = [list(map(float, c)) for c in UNIT]
    change(corners)
    return corners


def _set(k, value):
    return lambda c: c.__setitem__(k, value)


SHEARED = [[x + 0.3 * z, y, z] for x, y, z in UNIT]


@pytest.mark.parametrize(
    "boxes, message",
    [
        (
            [{"corners": UNIT, "color": [123, 321, 111]}],
            r"^\$\.boxes\[0\]\.color\[1\]: must be within 0\.\.255, got 321$",
        ),
        (
            [{"corners": UNIT}, {"corners": UNIT, "color": [1.5, 0, 0]}],
            r"^\$\.boxes\[1\]\.color\[0\]: must be an integer within 0\.\.255, got 1\.5$",
        ),
        (
            [{"corners": UNIT, "color": [1, 2]}],
            r"^\$\.boxes\[0\]\.color: must be an \(r, g, b\) colour of shape \(3,\), got \[1, 2\]$",
        ),
        (
            [{"corners": _corners(_set(5, [0.0, 1.0, 1.5]))}],
            r"^\$\.boxes\[0\]\.corners\[5\]: is not at a corner of the rectangular box the other 7 corners form, got \[0\.0, 1\.0, 1\.5\]$",
        ),
        (
            [{"corners": UNIT}, {"corners": _corners(_set(0, [0.1, 0.0, 0.0]))}],
            r"^\$\.boxes\[1\]\.corners\[0\]: is not at a corner of the rectangular box the other 7 corners form, got \[0\.1, 0\.0, 0\.0\]$",
        ),
        (
            [{"corners": SHEARED}],
            r"^\$\.boxes\[0\]\.corners: edges from corner 0 to corners 3 and 2 are not perpendicular \(angle 73\.30 degrees\)$",
        ),
        (
            [{"corners": _corners(_set(5, [1.0, 1.0, 1.0]))}],
            r"^\$\.boxes\[0\]\.corners: corners 5 and 7 are at the same corner of the box; a box needs 8 distinct corners$",
        ),
        (
            [{"corners": _corners(_set(2, [0.0, 0.0, 0.0]))}],
            r"^\$\.boxes\[0\]\.corners: corners 0 and 2 coincide but other corners do not; "
            r"a flat box \(one size 0\) gives each of its 4 corners twice$",
        ),
        (
            [{"corners": _corners(_set(3, [np.nan, 0.0, 0.0]))}],
            r"^\$\.boxes\[0\]\.corners\[3\]: corners must be finite, got \[nan, 0\.0, 0\.0\]$",
        ),
        (
            [{"corners": UNIT[:7]}],
            r"^\$\.boxes\[0\]\.corners: must be 8 corners of shape \(8, 3\), got array\(shape=\(7, 3\), dtype=int64\)$",
        ),
        ([{"label": "car"}], r"^\$\.boxes\[0\]: missing key 'corners' \(the box's 8 corners\)$"),
        (
            [{"corners": UNIT, "colour": [1, 2, 3]}],
            r"^\$\.boxes\[0\]: unknown key \(known: corners, label, color, score\), got 'colour'$",
        ),
        ([{"corners": UNIT, "label": 3}], r"^\$\.boxes\[0\]\.label: must be a string, got 3$"),
        (
            [{"corners": UNIT, "score": float("inf")}],
            r"^\$\.boxes\[0\]\.score: must be a finite number, got inf$",
        ),
        (
            [{"corners": UNIT, "score": "high"}],
            r"^\$\.boxes\[0\]\.score: must be a finite number, got 'high'$",
        ),
        (
            [UNIT],
            r"^\$\.boxes\[0\]: must be a dict with keys corners, label, color, score, got \[\[0, 0, 0\], \[0, 1, 0\], \[0, 0, 1\]",
        ),
        ("boxes", r"^\$\.boxes: must be a list of box dicts or a dict of columns, got 'boxes'$"),
        (
            {"corners": np.array([UNIT, UNIT]), "colors": [[0, 0, 0], [0, 300, 0]]},
            r"^\$\.boxes\.colors\[1\]\[1\]: must be within 0\.\.255, got 300$",
        ),
        (
            {"corners": np.array([UNIT, SHEARED])},
            r"^\$\.boxes\.corners\[1\]: edges from corner 0 to corners 3 and 2 are not perpendicular \(angle 73\.30 degrees\)$",
        ),
        (
            {"corners": np.array([UNIT]), "labels": ["a", "b"]},
            r"^\$\.boxes\.labels: must have one entry per box \(1\), got 2$",
        ),
        (
            {"corners": np.zeros((2, 4, 3))},
            r"^\$\.boxes\.corners: must be box corners of shape \(M, 8, 3\), got shape \(2, 4, 3\) dtype float64$",
        ),
        (
            {"corner": np.array([UNIT])},
            r"^\$\.boxes: a dict of box columns needs 'corners' and may have 'labels', 'colors', 'scores', got \['corner'\]$",
        ),
    ],
)
def test_bad_boxes_give_a_validation_error_with_path(boxes, message) -> None:
    with pytest.raises(ValidationError, match=message):
        Object3D.scene(PTS, boxes=boxes)


@pytest.mark.parametrize(
    "vectors, message",
    [
        (
            [{"start": [0, 0, 0], "end": [0, 0, 0]}],
            r"^\$\.vectors\[0\]\.end: must differ from start \(a vector needs a direction\), got \[0\.0, 0\.0, 0\.0\]$",
        ),
        ([{"start": [0, 0, 0]}], r"^\$\.vectors\[0\]: missing key 'end'$"),
        (
            [{"start": [0, 0, 0], "end": [1, 0, 0], "color": [0, 0, 256]}],
            r"^\$\.vectors\[0\]\.color\[2\]: must be within 0\.\.255, got 256$",
        ),
        (
            [{"start": [0, np.nan, 0], "end": [1, 0, 0]}],
            r"^\$\.vectors\[0\]\.start: start must be finite, got \[0\.0, nan, 0\.0\]$",
        ),
        (
            {"starts": [[0, 0, 0]], "ends": [[1, 1, 1], [2, 2, 2]]},
            r"^\$\.vectors\.ends: must have one entry per vector \(1\), got 2$",
        ),
        (
            {"starts": [[0, 0, 0]]},
            r"^\$\.vectors: a dict of vector columns needs 'starts' and 'ends' and may have 'colors', got \['starts'\]$",
        ),
    ],
)
def test_bad_vectors_give_a_validation_error_with_path(vectors, message) -> None:
    with pytest.raises(ValidationError, match=message):
        Object3D.scene(PTS, vectors=vectors)


@pytest.mark.parametrize(
    "data, message",
    [
        ({"type": "lidar", "points": PTS}, r"^\$\.type: must be 'lidar/beta', got 'lidar'$"),
        (
            {"type": "lidar/beta", "points": PTS, "box": []},
            r"^\$: unknown key \(a scene has type, points, boxes, vectors\), got 'box'$",
        ),
        (
            {"type": "lidar/beta", "points": [[0, 0, np.inf]]},
            r"^\$\.points\[0\]: coordinates must be finite, got \[0\.0, 0\.0, inf\]$",
        ),
    ],
)
def test_bad_scene_dicts(data, message) -> None:
    with pytest.raises(ValidationError, match=message):
        Object3D(data)


SCENES = {
    "small-inline": lambda: Object3D.scene(
        PTS, boxes=_boxes_as_dicts(), vectors=[{"start": [0, 0, 0], "end": [1, 2, 3]}]
    ),
    "empty": lambda: Object3D({"type": "lidar/beta", "points": np.zeros((0, 3))}),
    "large-sidecars": lambda: _large_scene(200, 40),
    "categories": lambda: Object3D.scene(
        np.array([[0, 0, 0, 1], [1, 1, 1, 0]]), class_labels=["a", "b"], drop_nonfinite=True
    ),
}


def _large_scene(m: int, k: int) -> Object3D:
    rng = np.random.default_rng(8)
    centers = rng.uniform(-50, 50, (m, 3))
    boxes = [
        box3d(
            c,
            rng.uniform(0.5, 5, 3),
            float(rng.uniform(-3, 3)),
            label=f"c{i % 3}",
            score=float(rng.random()),
        )
        for i, c in enumerate(centers)
    ]
    starts = rng.normal(size=(k, 3))
    vectors = {"starts": starts, "ends": starts + 1.0, "colors": rng.integers(0, 256, (k, 3))}
    return Object3D.scene(
        np.floor(rng.normal(size=(5000, 4)).astype(np.float32) % 3), boxes=boxes, vectors=vectors
    )


@pytest.mark.parametrize("name", SCENES)
def test_scenes_round_trip(roundtrip, name) -> None:
    scene = SCENES[name]()
    doc, back = roundtrip(scene)
    assert doc["kind"] == "scene" and doc["scene_type"] == "lidar/beta"
    assert back.boxes["corners"].dtype == scene.boxes["corners"].dtype


@pytest.mark.parametrize(
    "change, message",
    [
        (
            lambda d: d.update(scene_type="radar"),
            r"^\$\.scene_type: must be 'lidar/beta', got 'radar'$",
        ),
        (
            lambda d: d["boxes"].update(labels="x"),
            r"^\$\.boxes\.labels: must be a list, got 'x'$",
        ),
        (
            lambda d: d["vectors"].update(starts=None),
            r"^\$\.vectors\.starts: must be an array object, got NoneType$",
        ),
        (lambda d: d.pop("boxes"), "^object3d: missing field 'boxes'$"),
        (
            lambda d: d["boxes"].update(scores="x"),
            r"^\$\.boxes\.scores: must be a list or null, got 'x'$",
        ),
        (
            lambda d: d.update(colors={"dtype": "uint8", "shape": [0, 3], "data": []}),
            r"^\$\.colors: must be null for a scene$",
        ),
        (
            lambda d: d["vectors"]["ends"].update(data=d["vectors"]["starts"]["data"]),
            r"^\$\.vectors\.ends\[0\]: must differ from start \(a vector needs a direction\), got \[0\.0, 0\.0, 0\.0\]$",
        ),
        (
            lambda d: d["boxes"]["corners"]["data"].__setitem__(0, 0.5),
            r"^\$\.boxes\.corners\[0\]: edges from corner 2 to corners 6 and 4 are not perpendicular \(angle 45\.00 degrees\)$",
        ),
    ],
)
def test_malformed_scene_documents_are_format_errors(tmp_path: Path, change, message) -> None:
    doc = richtypes.dump(SCENES["small-inline"](), tmp_path)
    change(doc)
    with pytest.raises(FormatError, match=message):
        richtypes.load(doc, tmp_path)


# ---------------------------------------------------------------- properties
def _rotation(q: np.ndarray) -> np.ndarray:
    w, x, y, z = q / np.linalg.norm(q)
    return np.array(
        [
            [1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y)],
            [2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x)],
            [2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y)],
        ]
    )


box_strategy = st.tuples(
    st.lists(st.floats(-100, 100), min_size=3, max_size=3),
    st.lists(st.floats(0.05, 20), min_size=3, max_size=3),
    st.lists(st.floats(-1, 1), min_size=4, max_size=4).filter(lambda q: np.linalg.norm(q) > 0.1),
    st.permutations(range(8)),
)


@settings(max_examples=60, deadline=None)
@given(box=box_strategy, dtype=st.sampled_from([np.float64, np.float32]))
def test_property_any_box_in_any_corner_order_passes_and_canonicalizes_identically(
    box, dtype
) -> None:
    center, size, quat, perm = box
    corners = box3d(center, size, quat)["corners"].astype(dtype)
    a = Object3D.scene(PTS, boxes={"corners": corners[None]})
    b = Object3D.scene(PTS, boxes=[{"corners": corners[list(perm)]}])
    assert a == b
    stored = a.boxes["corners"][0].astype(np.float64)
    assert sorted(map(tuple, stored)) == sorted(map(tuple, corners.astype(np.float64)))
    # canonical: corner i is on the + side of the box axes named by its bits
    center_ = stored.mean(axis=0)
    x, y, z = stored[1] - stored[0], stored[2] - stored[0], stored[4] - stored[0]
    assert np.dot(np.cross(x, y), z) > 0  # a right-handed frame
    for i in range(8):
        d = stored[i] - center_
        assert [np.dot(d, x) > 0, np.dot(d, y) > 0, np.dot(d, z) > 0] == [
            bool(i & 1),
            bool(i & 2),
            bool(i & 4),
        ]
    assert z[2] >= -1e-9 * np.linalg.norm(z)  # local Z points up


@settings(max_examples=60, deadline=None)
@given(
    box=box_strategy,
    corner=st.integers(0, 7),
    direction=st.lists(st.floats(-1, 1), min_size=3, max_size=3).filter(
        lambda v: np.linalg.norm(v) > 0.1
    ),
    scale=st.floats(0.02, 0.3),
)
def test_property_moving_one_corner_fails(box, corner, direction, scale) -> None:
    center, size, quat, perm = box
    corners = box3d(center, size, quat)["corners"]
    diag = float(np.linalg.norm(size))
    corners[corner] += np.asarray(direction) / np.linalg.norm(direction) * scale * diag
    with pytest.raises(ValidationError, match=r"^\$\.boxes\[0\]\.corners"):
        Object3D.scene(PTS, boxes=[{"corners": corners[list(perm)]}])


def test_tolerance_is_relative_to_the_box_size() -> None:
    corners = np.array(UNIT, dtype=np.float64) * 1000.0
    corners[7] += BOX_RTOL * 0.1 * 1000.0  # well within tolerance
    Object3D.scene(PTS, boxes=[{"corners": corners}])


# ------------------------------------------------------------- flat boxes
FLAT = box3d((1, 2, 3), (2, 0, 1.5), [0.9, 0.1, 0.2, 0.3])["corners"]


@pytest.mark.parametrize("axis", [0, 1, 2])
def test_a_flat_box_round_trips_and_keeps_its_corners(roundtrip, axis) -> None:
    size = [2.0, 1.0, 1.5]
    size[axis] = 0.0
    box = box3d((1, -2, 0.5), size, 0.4, label="sign")
    scene = Object3D.scene(np.zeros((1, 3)), [box])
    stored = scene.boxes["corners"][0]
    assert sorted(map(tuple, stored.tolist())) == sorted(map(tuple, box["corners"].tolist()))
    _, back = roundtrip(scene)
    np.testing.assert_array_equal(back.boxes["corners"], scene.boxes["corners"])


@settings(max_examples=30, deadline=None)
@given(perm=st.permutations(range(8)))
def test_a_flat_box_stores_the_same_corners_in_any_given_order(perm) -> None:
    ref = Object3D.scene(np.zeros((1, 3)), [{"corners": FLAT}])
    got = Object3D.scene(np.zeros((1, 3)), [{"corners": FLAT[list(perm)]}])
    np.testing.assert_array_equal(got.boxes["corners"], ref.boxes["corners"])


def test_the_canonical_order_of_an_upright_flat_box() -> None:
    corners = Object3D.scene(np.zeros((1, 3)), [box3d((0, 0, 0), (4, 2, 0))]).boxes["corners"][0]
    assert (
        corners.tolist()
        == [
            [-2.0, -1.0, 0.0],
            [2.0, -1.0, 0.0],
            [-2.0, 1.0, 0.0],
            [2.0, 1.0, 0.0],
        ]
        * 2
    )


@pytest.mark.parametrize("flips", [(-1, 1, 1), (1, -1, 1), (1, 1, -1), (-1, -1, -1)])
def test_negative_sizes_are_the_mirrored_same_box(flips) -> None:
    size = np.array([2.0, 1.0, 0.5])
    pos = Object3D.scene(np.zeros((1, 3)), [box3d((1, 2, 3), size, 0.3)])
    neg = Object3D.scene(np.zeros((1, 3)), [box3d((1, 2, 3), size * flips, 0.3)])
    np.testing.assert_allclose(neg.boxes["corners"], pos.boxes["corners"], atol=1e-12)


def test_flat_and_mixed_boxes_share_one_call() -> None:
    boxes = [box3d((0, 0, 0), (1, 1, 1)), {"corners": FLAT}, box3d((5, 0, 0), (2, 0, 1), 1.0)]
    scene = Object3D.scene(np.zeros((1, 3)), boxes)
    for i, box in enumerate(boxes):
        one = Object3D.scene(np.zeros((1, 3)), [box]).boxes["corners"][0]
        np.testing.assert_array_equal(scene.boxes["corners"][i], one)


@pytest.mark.parametrize(
    "corners, message",
    [
        (
            np.array([[0, 0, 0], [1, 0, 0], [0, 1, 0], [1, 1, 0]] * 2 + [[1, 1, 0.5]])[
                [0, 1, 2, 3, 4, 5, 6, 8]
            ],
            r"^\$\.boxes\[0\]\.corners: corners 0 and 4 coincide but other corners do not; "
            r"a flat box \(one size 0\) gives each of its 4 corners twice$",
        ),
        (
            np.array([[0, 0, 0]] * 4 + [[1, 0, 0]] * 4, dtype=float),
            r"^\$\.boxes\[0\]\.corners: corners 0, 1, 2 and 3 coincide; a box may be flat along one axis "
            r"\(each corner given twice\), no more$",
        ),
        (
            np.array([[0, 0, 0], [1, 0, 0], [0, 1, 0], [1.5, 1, 0]] * 2, dtype=float),
            r"^\$\.boxes\[0\]\.corners: corners coincide in pairs \(a flat box\) but the 4 distinct corners "
            r"do not form a rectangle$",
        ),
        (
            np.array([[0, 0, 0], [1, 0, 0], [0.5, 1, 0], [1.5, 1, 0]] * 2, dtype=float),
            r"^\$\.boxes\[0\]\.corners: corners coincide in pairs \(a flat box\) but the 4 distinct corners "
            r"do not form a rectangle$",
        ),
    ],
    ids=["one-pair", "four-at-once", "trapezoid", "parallelogram"],
)
def test_non_rectangular_flat_corners_are_refused(corners, message) -> None:
    with pytest.raises(ValidationError, match=message):
        Object3D.scene(np.zeros((1, 3)), [{"corners": corners}])
