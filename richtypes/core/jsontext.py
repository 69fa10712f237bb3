"""Parsing JSON text from files nobody vouches for: bounded depth, finite numbers, typed errors.

Every place richtypes reads a JSON document (``load`` of a path, history lines,
``run.json``/``config.json``/``summary.json``, artifact manifests, the
``validate`` and ``inspect`` commands) goes through :func:`parse_json`, so:

- nesting is measured on the text **before** ``json.loads`` runs, and deeper
  than :data:`MAX_JSON_DEPTH` is a :class:`~richtypes.FormatError` (never a
  ``RecursionError``, in the parser or in the decoders behind it);
- numbers must be finite: ``1e400`` (which ``json`` reads as infinity) and the
  non-standard ``NaN``/``Infinity`` tokens are refused (richtypes writes
  non-finite floats as ``{"_type": "float", ...}`` envelopes);
- broken text (not UTF-8, not JSON) is a ``FormatError`` too.

The depth scan removes escapes and strings with two regular expressions and
counts brackets with numpy, so it costs a small fraction of the parse.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

import numpy as np

from .errors import FormatError

__all__ = ["MAX_JSON_DEPTH", "json_depth", "parse_json"]

#: The deepest nesting of arrays and objects a parsed document may have. ``dump``
#: writes at most 64 levels of user nest plus the few levels of an envelope.
MAX_JSON_DEPTH = 128
_ESCAPE = re.compile(rb"\\.", re.S)
_STRING = re.compile(rb'"[^"]*"')
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_OPEN = np.zeros(256, np.int8)
_OPEN[list(b"[{")] = 1
_OPEN[list(b"]}")] = -1


def json_depth(data: bytes | str) -> int:
    """The deepest nesting of ``[`` and ``{`` in JSON text (strings and escapes ignored).

    Examples
    --------
    >>> json_depth('{"a": [1, {"b": "]]]{{"}]}')
    3
    """
    raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else bytes(data)
    if b"\\" in raw:
        raw = _ESCAPE.sub(b"", raw)
    brackets = _STRING.sub(b"", raw).translate(None, _NOT_BRACKETS)
    if not brackets:
        return 0
    steps = _OPEN[np.frombuffer(brackets, np.uint8)].astype(np.int32)
    return int(np.cumsum(steps).max())


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _NotFinite(text)
    return value


def _constant(text: str) -> float:
    raise _NotFinite(text)


class _NotFinite(ValueError):
    pass


def parse_json(data: bytes | str, *, where: str, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """Parse JSON text; every problem is a :class:`~richtypes.FormatError` starting with ``where``.

    Parameters
    ----------
    data:
        The text (bytes are decoded as UTF-8).
    where:
        What the text is, for messages: ``"'run/history.jsonl' line 4"``.
    max_depth:
        The deepest nesting allowed.

    Examples
    --------
    >>> parse_json(b'{"a": [1, 2.5]}', where="doc")
    {'a': [1, 2.5]}
    >>> parse_json("[" * 200 + "]" * 200, where="doc")
    Traceback (most recent call last):
    ...
    richtypes.core.errors.FormatError: doc nests arrays and objects 200 deep, above the limit of 128
    """
    depth = json_depth(data)
    if depth > max_depth:
        raise FormatError(
            f"{where} nests arrays and objects {depth} deep, above the limit of {max_depth}"
        )
    try:
        text = data.decode("utf-8") if isinstance(data, (bytes, bytearray, memoryview)) else data
        return json.loads(text, parse_float=_finite, parse_constant=_constant)
    except UnicodeDecodeError as exc:
        raise FormatError(
            f"{where} is not valid JSON: not UTF-8 ({exc.reason} at byte {exc.start})"
        ) from None
    except json.JSONDecodeError as exc:
        at = f"column {exc.colno}" if exc.lineno == 1 else f"line {exc.lineno} column {exc.colno}"
        raise FormatError(f"{where} is not valid JSON: {exc.msg} at {at}") from None
    except _NotFinite as exc:
        raise FormatError(
            f"{where} holds the number {str(exc)[:40]}, which is not finite "
            "(non-finite floats are written as float envelopes)"
        ) from None
    except ValueError as exc:  # an integer of more than 4300 digits ...
        raise FormatError(f"{where} is not valid JSON: {str(exc)[:100]}") from None
    except RecursionError:  # pragma: no cover - the depth scan runs first
        raise FormatError(f"{where} nests too deep to parse") from None
