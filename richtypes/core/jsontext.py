"""JSON text in and out: strict, fast writing, and parsing files nobody vouches for.

:func:`dumps_json` writes every document richtypes writes (``write_json``,
history lines): compact UTF-8, no NaN or infinity (``ValueError``, as
``json.dumps(allow_nan=False)``), through ``orjson`` when it can be imported
(20x faster than ``json`` on a lidar scene's document: 0.04 ms against 0.83 ms
for 37 kB, most of it inline floats) and ``json`` otherwise or for what
``orjson`` does not take (integers past 64 bits, non-str keys, subclasses).
Both give the same JSON values; float spelling may differ (``1e-05`` and
``1e-5``).

Parsing:

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
from itertools import chain
from typing import Any

import numpy as np

from .errors import FormatError

try:  # a fast writer, chosen by measurement (see above); json when it cannot be imported
    import orjson as _orjson
except ImportError:  # pragma: no cover - orjson is a core dependency
    _orjson = None  # type: ignore[assignment]

__all__ = ["MAX_JSON_DEPTH", "dumps_json", "json_depth", "parse_json"]

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


# ------------------------------------------------------------------ writing
_ORJSON_OPTIONS = (
    0
    if _orjson is None
    else _orjson.OPT_PASSTHROUGH_SUBCLASS
    | _orjson.OPT_PASSTHROUGH_DATETIME
    | _orjson.OPT_PASSTHROUGH_DATACLASS
)
_SCALARS = frozenset({str, int, bool, type(None), float})
_SEQUENCES = (list, tuple)


def _refuse(value: Any) -> Any:
    """orjson's ``default``: anything it would not write as ``json`` does goes to ``json``."""
    raise TypeError(type(value).__name__)


def _check_finite(doc: Any) -> None:
    """``ValueError`` for a non-finite float anywhere in a nest of dicts, lists and tuples (orjson writes null).

    Lists inside a list are joined into one list before they are looked at
    (``chain``, at C speed), so an inline (500, 3) array costs two passes, not
    500 small ones.
    """
    stack = [doc]
    while stack:
        value = stack.pop()
        items = list(value.values()) if type(value) is dict else value
        kinds = set(map(type, items))
        if float in kinds:
            floats = items if kinds == {float} else [v for v in items if type(v) is float]
            if not all(map(math.isfinite, floats)):
                raise ValueError("Out of range float values are not JSON compliant")
        if kinds <= _SCALARS:
            continue
        if dict in kinds:
            stack.extend(v for v in items if type(v) is dict)
        if list in kinds or tuple in kinds:
            stack.append(list(chain.from_iterable(v for v in items if type(v) in _SEQUENCES)))


def dumps_json(doc: Any) -> bytes:
    """``doc`` as compact UTF-8 JSON; ``ValueError`` for NaN or infinity, ``TypeError`` for what JSON cannot hold.

    Examples
    --------
    >>> dumps_json({"a": [1, 2.5, None], "é": True})
    b'{"a":[1,2.5,null],"\xc3\xa9":true}'
    >>> dumps_json({"x": float("nan")})
    Traceback (most recent call last):
    ...
    ValueError: Out of range float values are not JSON compliant
    """
    if _orjson is not None and (type(doc) is dict or type(doc) is list):
        try:
            data: bytes = _orjson.dumps(doc, default=_refuse, option=_ORJSON_OPTIONS)
        except TypeError:  # big ints, non-str keys, subclasses, other types: json decides
            pass
        else:
            _check_finite(doc)
            return data
    text = json.dumps(doc, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    return text.encode("utf-8")
