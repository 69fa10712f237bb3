"""The JSON Schemas themselves: well-formed, and strict enough to catch a bad document."""

from __future__ import annotations

import jsonschema
import pytest

from richtypes import FormatError
from richtypes.core.schema import available_schemas, iter_envelopes, schema_for, validate_document


@pytest.mark.parametrize("type_version", available_schemas(), ids=lambda tv: f"{tv[0]}.v{tv[1]}")
def test_schema_is_a_valid_draft_2020_12_schema(type_version: tuple[str, int]) -> None:
    schema = schema_for(*type_version)
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["properties"]["_type"] == {"const": type_version[0]}
    assert schema["properties"]["_version"] == {"const": type_version[1]}


def test_validate_document_names_the_nested_path_that_breaks_the_schema() -> None:
    doc = {
        "step": 1,
        "h": [
            {
                "_type": "histogram",
                "_version": 1,
                "counts": [1, -2],
                "edges": [0, 1, 2],
                "count_type": "int",
                "nan_count": 0,
                "posinf_count": 0,
                "neginf_count": 0,
            }
        ],
    }
    with pytest.raises(
        FormatError,
        match=r"^\$\.h\[0\]\.counts\[1\]: -2 is less than the minimum of 0 \(schema histogram\.v1\)$",
    ):
        validate_document(doc)


def test_validate_document_refuses_an_unknown_type() -> None:
    with pytest.raises(FormatError, match="no schema for _type 'nope' version 1"):
        validate_document({"_type": "nope", "_version": 1})


def test_iter_envelopes_finds_nested_envelopes_in_order() -> None:
    doc = {
        "a": {"_type": "x", "_version": 1, "cells": [{"_type": "y", "_version": 1}]},
        "b": [1, {"_type": "z"}],
    }
    assert [(path, env["_type"]) for path, env in iter_envelopes(doc)] == [
        (("a",), "x"),
        (("a", "cells", 0), "y"),
        (("b", 1), "z"),
    ]
