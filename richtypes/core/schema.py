"""JSON Schemas of the wire format: one file per ``_type`` and ``_version``.

``richtypes/schemas/<_type>.v<_version>.json`` documents and checks each
envelope. :func:`validate_document` walks any document ``dump`` wrote and checks
every envelope in it (nested ones included: table cells, image boxes ...)
against the schema of its own type and version.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from functools import cache
from importlib import resources
from typing import Any

from .errors import FormatError, MissingDependencyError, PathKey, format_path

__all__ = ["schema_for", "validate_document", "iter_envelopes", "available_schemas"]


def available_schemas() -> list[tuple[str, int]]:
    """Every ``(_type, _version)`` that has a schema file."""
    found = []
    for entry in resources.files("richtypes").joinpath("schemas").iterdir():
        name = entry.name
        if name.endswith(".json") and ".v" in name:
            type_name, _, version = name[: -len(".json")].rpartition(".v")
            found.append((type_name, int(version)))
    return sorted(found)


@cache
def schema_for(type_name: str, version: int) -> dict[str, Any]:
    """The JSON Schema of one ``_type`` at one ``_version``."""
    resource = (
        resources.files("richtypes").joinpath("schemas").joinpath(f"{type_name}.v{version}.json")
    )
    if not resource.is_file():
        raise FormatError(f"no schema for _type {type_name!r} version {version}")
    schema: dict[str, Any] = json.loads(resource.read_text(encoding="utf-8"))
    return schema


def iter_envelopes(
    doc: Any, path: tuple[PathKey, ...] = ()
) -> Iterator[tuple[tuple[PathKey, ...], Mapping[str, Any]]]:
    """Yield ``(path, envelope)`` for every envelope in ``doc``, outermost first."""
    if isinstance(doc, Mapping):
        if "_type" in doc:
            yield path, doc
        for key, value in doc.items():
            yield from iter_envelopes(value, path + (key,))
    elif isinstance(doc, list):
        for i, value in enumerate(doc):
            yield from iter_envelopes(value, path + (i,))


def validate_document(doc: Any) -> int:
    """Check every envelope in ``doc`` against its schema; return how many were checked.

    Raises :class:`~richtypes.FormatError` naming the envelope's path and the
    schema rule that failed. Needs the ``schema`` extra (jsonschema).
    """
    try:
        import jsonschema
    except ImportError:  # pragma: no cover - exercised only without the extra
        raise MissingDependencyError("jsonschema", "schema", "schema validation") from None
    checked = 0
    for path, envelope in iter_envelopes(doc):
        type_name, version = envelope.get("_type"), envelope.get("_version")
        if not isinstance(type_name, str) or not isinstance(version, int):
            raise FormatError(
                f"{format_path(path)}: envelope needs a string _type and an integer _version"
            )
        schema = schema_for(type_name, version)
        validator = jsonschema.Draft202012Validator(schema)
        error = jsonschema.exceptions.best_match(validator.iter_errors(envelope))
        if error is not None:
            where = format_path(path + tuple(error.absolute_path))
            raise FormatError(f"{where}: {error.message} (schema {type_name}.v{version})")
        checked += 1
    return checked
