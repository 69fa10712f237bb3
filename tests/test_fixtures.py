"""Golden fixtures: every pinned file still validates, decodes and re-encodes identically."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import richtypes
from richtypes.core.media import registered_types
from richtypes.core.schema import available_schemas, validate_document

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
CASES = sorted(p.parent for p in FIXTURES.glob("*/v*/*/doc.json"))


def _sidecars(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in folder.rglob("*")
        if p.is_file() and p.name != "doc.json"
    }


@pytest.mark.parametrize("folder", CASES, ids=[c.relative_to(FIXTURES).as_posix() for c in CASES])
def test_fixture_decodes_and_reencodes_identically(folder: Path, tmp_path: Path) -> None:
    doc = json.loads((folder / "doc.json").read_text(encoding="utf-8"))
    assert doc["_type"] == folder.parent.parent.name
    assert f"v{doc['_version']}" == folder.parent.name
    validate_document(doc)
    value = richtypes.load(folder / "doc.json")
    again = richtypes.dump(value, tmp_path)
    assert again == doc
    assert _sidecars(tmp_path) == _sidecars(folder)


def test_every_registered_type_has_fixtures_and_schemas_for_every_version() -> None:
    pinned = {(c.parent.parent.name, int(c.parent.name[1:])) for c in CASES}
    schemas = set(available_schemas())
    for name, cls in registered_types().items():
        for version in range(1, cls._version + 1):
            assert (name, version) in schemas, f"no schema for {name} v{version}"
        assert (name, cls._version) in pinned, f"no golden fixture for {name} v{cls._version}"


def test_fixture_cases_cover_only_registered_types() -> None:
    known = set(registered_types())
    assert {c.parent.parent.name for c in CASES} <= known
