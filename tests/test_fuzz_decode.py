"""Hostile documents: decoding junk raises FormatError or IntegrityError, never anything else.

Every golden fixture is mutated (fields dropped, retyped, replaced by junk,
sidecar references redirected) and loaded; the only acceptable outcomes are a
decoded value or a RichTypesError subclass that says what is wrong.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import richtypes
from richtypes import FormatError, IntegrityError

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
CASES = sorted(p.parent for p in FIXTURES.glob("*/v*/*/doc.json"))
JUNK = [
    None,
    True,
    -1,
    0,
    2**70,
    1.5,
    float("inf"),
    "",
    "x" * 10,
    [],
    [1, "a"],
    {},
    {"_type": "histogram"},
    {"path": "../../etc/passwd", "digest": "blake3:" + "0" * 64, "size": 1, "format": "png"},
]


def _paths(doc: Any, prefix: tuple = ()) -> list[tuple]:
    """Every path to a dict field or list item in ``doc`` (except _type)."""
    out = []
    if isinstance(doc, dict):
        for key, value in doc.items():
            if key != "_type":
                out.append(prefix + (key,))
                out.extend(_paths(value, prefix + (key,)))
    elif isinstance(doc, list):
        for i, value in enumerate(doc[:5]):
            out.append(prefix + (i,))
            out.extend(_paths(value, prefix + (i,)))
    return out


def _mutate(doc: Any, path: tuple, action: str, junk: Any) -> Any:
    doc = copy.deepcopy(doc)
    parent = doc
    for key in path[:-1]:
        parent = parent[key]
    last = path[-1]
    if action == "drop" and isinstance(parent, dict):
        del parent[last]
    else:
        parent[last] = junk
    return doc


def _load_or_explain(doc: Any, root: Path, scratch: Path) -> None:
    try:
        value = richtypes.load(json.loads(json.dumps(doc)), root)
    except (FormatError, IntegrityError):
        return
    # Whatever decoded must be a usable value: it encodes again without crashing.
    richtypes.dump(value, scratch)


@pytest.mark.parametrize("folder", CASES, ids=[c.relative_to(FIXTURES).as_posix() for c in CASES])
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_mutated_fixture_decodes_or_raises_a_typed_error(
    folder: Path, data, tmp_path_factory
) -> None:
    doc = json.loads((folder / "doc.json").read_text(encoding="utf-8"))
    paths = _paths(doc)
    path = data.draw(st.sampled_from(paths))
    action = data.draw(st.sampled_from(["drop", "replace"]))
    junk = data.draw(st.sampled_from(JUNK))
    mutated = _mutate(doc, path, action, junk)
    try:
        _load_or_explain(mutated, folder, tmp_path_factory.mktemp("reencode"))
    except Exception as exc:  # noqa: BLE001 - the point of the test
        raise AssertionError(
            f"{type(exc).__name__} for {action} {path} -> {junk!r}: {exc}"
        ) from exc
