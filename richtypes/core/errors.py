"""The exceptions richtypes raises.

Every error derives from :class:`RichTypesError`:

- :class:`ValidationError` (also a ``ValueError``): input given to a constructor
  is wrong. It carries the field path (``.path``, a tuple of keys and indices),
  the offending value (``.value``) and the problem (``.problem``), and its
  message reads ``$.boxes.predictions.box_data[3].position.maxX: must be >= minX
  (0.2), got 0.1``.
- :class:`FormatError` (also a ``ValueError``): a serialized document is not one
  this reader understands (unknown ``_type``, newer ``_version``, missing field,
  or data the constructor would refuse). Like ``ValidationError`` it carries
  ``.path`` (the place in the document), ``.value`` and ``.problem``.
- :class:`IntegrityError`: stored bytes are not what their reference promises
  (digest or size mismatch, a path outside the store root, pickled data).
- :class:`MissingDependencyError` (also an ``ImportError``): an optional extra is
  needed and not installed; the message holds the ``pip install`` line.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

__all__ = [
    "RichTypesError",
    "PathError",
    "ValidationError",
    "FormatError",
    "IntegrityError",
    "MissingDependencyError",
    "format_path",
]

PathKey = str | int
_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_MAX_REPR = 80


def format_path(path: Iterable[PathKey]) -> str:
    """Render a field path as ``$.a.b[3]["odd key"]``.

    Examples
    --------
    >>> format_path(("boxes", "predictions", "box_data", 3, "position", "maxX"))
    '$.boxes.predictions.box_data[3].position.maxX'
    >>> format_path(("data", 2, "my column"))
    '$.data[2]["my column"]'
    """
    out = ["$"]
    for key in path:
        if isinstance(key, int):
            out.append(f"[{key}]")
        elif _IDENT.match(key):
            out.append(f".{key}")
        else:
            out.append("[" + _quote(key) + "]")
    return "".join(out)


def _quote(key: str) -> str:
    return '"' + key.replace("\\", "\\\\").replace('"', '\\"') + '"'


def short_repr(value: Any) -> str:
    """A bounded ``repr`` for error messages (arrays and long strings are cut)."""
    try:
        import numpy as np

        if isinstance(value, np.generic):
            value = value.item()
        if isinstance(value, np.ndarray):
            return f"array(shape={value.shape}, dtype={value.dtype})"
    except Exception:  # pragma: no cover - numpy is a core dependency
        pass
    text = repr(value)
    if len(text) > _MAX_REPR:
        text = text[: _MAX_REPR - 3] + "..."
    return text


class RichTypesError(Exception):
    """Base class of every error raised by richtypes."""


class PathError(RichTypesError, ValueError):
    """An error about one place in a nested value: a field path, the value found there, the problem.

    The message reads ``$.boxes.predictions.box_data[3].position.maxX: must be
    >= minX (0.2), got 0.1``. Containers add their own place in front with
    :meth:`with_prefix`, so the path is built only when something fails.

    Parameters
    ----------
    problem:
        What is wrong, e.g. ``"must be >= minX (0.2)"``.
    value:
        The offending value (shown bounded in the message). Pass ``NO_VALUE``
        (the default) when there is no single value to show.
    path:
        The field path from the root of the value (or document).
    """

    NO_VALUE: Any = object()
    #: Whether an error at the root still reads ``$: problem`` (a document-level FormatError reads ``problem``).
    _root_prefix = True

    def __init__(
        self, problem: str, *, value: Any = NO_VALUE, path: Sequence[PathKey] = ()
    ) -> None:
        self.problem = problem
        self.value = value
        self.path: tuple[PathKey, ...] = tuple(path)
        super().__init__(self._message())

    def _message(self) -> str:
        text = (
            f"{format_path(self.path)}: {self.problem}"
            if self.path or self._root_prefix
            else self.problem
        )
        if self.value is not PathError.NO_VALUE:
            text += f", got {short_repr(self.value)}"
        return text

    @property
    def path_str(self) -> str:
        """The path as text, e.g. ``$.boxes[0].color[1]``."""
        return format_path(self.path)

    def with_prefix(self, *prefix: PathKey) -> PathError:
        """Return a copy whose path starts with ``prefix`` (used by containers)."""
        err = type(self)(self.problem, value=self.value, path=tuple(prefix) + self.path)
        err.__cause__ = self.__cause__
        return err

    def __reduce__(self) -> Any:  # keep pickling (multiprocessing) working
        return (_rebuild_path_error, (type(self), self.problem, self.value, self.path))


def _rebuild_path_error(cls: Any, problem: str, value: Any, path: tuple[PathKey, ...]) -> Any:
    return cls(problem, value=value, path=path)


class ValidationError(PathError):
    """Input given to a constructor is invalid.

    Examples
    --------
    >>> err = ValidationError("must be >= minX (0.2)", value=0.1, path=("position", "maxX"))
    >>> str(err)
    '$.position.maxX: must be >= minX (0.2), got 0.1'
    >>> str(err.with_prefix("boxes", "predictions", "box_data", 3))
    '$.boxes.predictions.box_data[3].position.maxX: must be >= minX (0.2), got 0.1'
    """


class FormatError(PathError):
    """A serialized document cannot be read by this version of richtypes.

    Its path is the place in the document, from the root ``dump`` wrote:

    >>> str(FormatError("must be 0..100000000", value=-1, path=("boxes", "predictions", "count")))
    '$.boxes.predictions.count: must be 0..100000000, got -1'

    A document the constructor would refuse is a ``FormatError`` too, with the
    constructor's problem at the document's path (see
    :meth:`from_validation`). An error about the document as a whole has no
    path and reads as the bare problem.
    """

    _root_prefix = False

    @classmethod
    def from_validation(cls, err: ValidationError, *prefix: PathKey) -> FormatError:
        """The ``FormatError`` for a document whose rebuilt inputs the constructor refused."""
        out = cls(err.problem, value=err.value, path=tuple(prefix) + err.path)
        out.__cause__ = err.__cause__
        return out


class IntegrityError(RichTypesError):
    """Stored bytes do not match their reference, or a reference is unsafe."""


class MissingDependencyError(RichTypesError, ImportError):
    """An optional dependency is needed; the message names the extra to install."""

    def __init__(self, package: str, extra: str, feature: str) -> None:
        self.package = package
        self.extra = extra
        super().__init__(
            f"{feature} needs the optional package {package!r}; "
            f"install it with: pip install 'richtypes[{extra}]'"
        )
