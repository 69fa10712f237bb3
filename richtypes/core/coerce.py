"""Input coercion shared by media types: array-likes to numpy without importing torch."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .errors import PathKey, ValidationError

__all__ = ["as_array", "ArrayLike"]

ArrayLike = Any  # numpy arrays, nested sequences, objects with __array__ or .numpy()


def as_array(value: Any, path: Sequence[PathKey] = (), *, what: str = "an array") -> np.ndarray:
    """Convert ``value`` to a numpy array without copying when possible.

    Accepts numpy arrays, objects with ``__array__`` (pandas, most array
    libraries), objects with ``.numpy()`` (a torch tensor: ``detach()`` and
    ``cpu()`` are called first when present, so torch is never imported here),
    and nested sequences of numbers.
    """
    if isinstance(value, np.ndarray):
        return value
    if hasattr(value, "numpy") and callable(value.numpy) and not hasattr(value, "__array__"):
        value = _tensor_to_numpy(value)
    elif hasattr(value, "detach") and hasattr(value, "numpy"):
        value = _tensor_to_numpy(value)
    try:
        arr = np.asarray(value)
    except (ValueError, TypeError) as exc:
        raise ValidationError(
            f"expected {what} (a ragged or non-numeric sequence cannot be one: {exc})",
            value=value,
            path=path,
        ) from None
    if arr.dtype.hasobject:
        raise ValidationError(f"expected {what} of numbers", value=value, path=path)
    return arr


def _tensor_to_numpy(value: Any) -> Any:
    if hasattr(value, "detach"):
        value = value.detach()
    if hasattr(value, "cpu"):
        value = value.cpu()
    return value.numpy()
