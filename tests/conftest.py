"""Shared test helpers: the round trip every media type must pass."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import richtypes
from richtypes.core.media import deep_equal
from richtypes.core.schema import validate_document


def roundtrip_value(value: Any, root: Path) -> tuple[Any, Any]:
    """dump -> JSON text -> load; check the schema and equality; return (doc, decoded).

    The document goes through real JSON text (allow_nan=False) so anything that
    would not survive a file is caught here.
    """
    doc = richtypes.dump(value, root)
    text = json.dumps(doc, allow_nan=False)
    validate_document(json.loads(text))
    back = richtypes.load(json.loads(text), root)
    assert deep_equal(back, value), f"round trip changed the value:\n{value!r}\n{back!r}"
    again = richtypes.dump(back, root)
    assert again == doc, "re-encoding a decoded value gave a different document"
    return doc, back


@pytest.fixture
def roundtrip(tmp_path: Path):
    """``roundtrip(value) -> (doc, decoded)`` into a fresh store under tmp_path."""
    return lambda value: roundtrip_value(value, tmp_path / "store")
