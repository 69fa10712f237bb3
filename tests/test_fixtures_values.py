"""Golden fixtures pin values, not only bytes: each equals what its case builds.

Also the fixtures that are not one media object: a nest of media (``values/``),
the ``float`` envelope for NaN and the infinities, and a whole run directory
(``runs/``), each built by ``fixtures/cases/_values.py``.
"""

from __future__ import annotations

import importlib.util
import json
import math
import shutil
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import richtypes
from richtypes.core.errors import MissingDependencyError
from richtypes.core.media import Media, deep_equal

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
MEDIA = sorted(p.parent for p in FIXTURES.glob("*/v*/*/doc.json"))
VALUES = sorted(p.parent for p in (FIXTURES / "values").glob("*/doc.json"))
RUNS = sorted(p.parent for p in (FIXTURES / "runs").glob("*/run.json"))


def _make() -> Any:
    spec = importlib.util.spec_from_file_location("fixtures_make", FIXTURES / "make.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


MAKE = _make()
BUILDERS: dict[str, list[Any]] = defaultdict(list)
for _name, _build in MAKE.iter_cases():
    BUILDERS[_name].append(_build)
CASES = MAKE.values_cases()


def _built(folder: Path) -> Media:
    """What the case named like ``folder`` builds (the one of the folder's ``_type``)."""
    kind = folder.parent.parent.name
    found = [v for v in (b() for b in BUILDERS.get(folder.name, [])) if v._type == kind]
    assert len(found) == 1, f"no single {kind} case named {folder.name!r} in fixtures/cases"
    return found[0]


def _sidecars(folder: Path, skip: tuple[str, ...] = ("doc.json",)) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in folder.rglob("*")
        if p.is_file() and p.name not in skip
    }


def _pixels(value: Media) -> np.ndarray | None:
    """The decoded samples of a type that has them (pixels, frames, audio), else None."""
    to_numpy = getattr(value, "to_numpy", None)
    if value._type not in ("image", "mask", "video", "audio") or to_numpy is None:
        return None
    try:
        return np.asarray(to_numpy())
    except MissingDependencyError:
        return None


@pytest.mark.parametrize("folder", MEDIA, ids=[c.relative_to(FIXTURES).as_posix() for c in MEDIA])
def test_every_media_fixture_equals_what_its_case_builds(folder: Path) -> None:
    loaded = richtypes.load(folder / "doc.json")
    built = _built(folder)
    assert loaded == built
    mine, theirs = _pixels(loaded), _pixels(built)
    if mine is not None and theirs is not None:
        assert mine.shape == theirs.shape and mine.dtype == theirs.dtype
        if built._type == "image" and getattr(built, "format", "") in ("jpeg", "webp"):
            # a lossy file: the stored pixels are the file's, not the array it was made from
            assert np.abs(mine.astype(int) - theirs.astype(int)).mean() < 8
        else:
            assert np.array_equal(mine, theirs)


@pytest.mark.parametrize("folder", VALUES, ids=[c.name for c in VALUES])
def test_every_value_fixture_decodes_to_what_its_case_builds(folder: Path, tmp_path: Path) -> None:
    doc = json.loads((folder / "doc.json").read_text(encoding="utf-8"))
    loaded = richtypes.load(folder / "doc.json")
    assert deep_equal(loaded, CASES.VALUES[folder.name]())
    assert richtypes.dump(loaded, tmp_path) == doc
    assert _sidecars(tmp_path) == _sidecars(folder)


def test_the_float_envelope_fixtures_hold_nan_and_the_infinities() -> None:
    nan = richtypes.load(FIXTURES / "values" / "float_nan" / "doc.json")
    inf = richtypes.load(FIXTURES / "values" / "float_infinity" / "doc.json")
    minus = richtypes.load(FIXTURES / "values" / "float_minus_infinity" / "doc.json")
    assert math.isnan(nan) and inf == math.inf and minus == -math.inf
    nest = richtypes.load(FIXTURES / "values" / "float_nonfinite_nest" / "doc.json")
    assert math.isnan(nest["mixed"][1]) and nest["mixed"][2]["x"] == math.inf


def test_every_value_and_run_case_has_a_fixture() -> None:
    assert {f.name for f in VALUES} == set(CASES.VALUES)
    assert {f.name for f in RUNS} == set(CASES.RUNS)


@pytest.mark.parametrize("folder", RUNS, ids=[c.name for c in RUNS])
def test_a_run_fixture_still_reads_back(folder: Path, tmp_path: Path) -> None:
    run_dir = tmp_path / folder.name
    shutil.copytree(folder, run_dir)  # reading must not need the original place
    reader = richtypes.open_run(run_dir)
    assert reader.config == CASES.RUN_CONFIG
    rows = reader.history()
    expected = CASES.run_rows()
    assert len(rows) == len(expected)
    for step, (row, want) in enumerate(zip(rows, expected)):
        assert row.step == step
        assert {k for k in row if not k.startswith("_")} == set(want)
        for key, value in want.items():
            assert deep_equal(row[key], value), (step, key)
    summary = reader.summary
    for key, value in CASES.run_summary().items():
        assert deep_equal(summary[key], value), key
    assert summary["loss"] == 0.25
    assert _sidecars(run_dir) == _sidecars(folder)  # reading changed nothing
