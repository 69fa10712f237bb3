"""Array-likes that are not numpy arrays, shared by the tests of every media type."""

from __future__ import annotations

import numpy as np


class FakeTensor:
    """Looks like a torch tensor on the CPU: ``.detach().cpu().numpy()``, no ``__array__``."""

    def __init__(self, arr: np.ndarray) -> None:
        self._arr = arr

    def detach(self) -> FakeTensor:
        return self

    def cpu(self) -> FakeTensor:
        return self

    def numpy(self) -> np.ndarray:
        return self._arr


class HasArray:
    """Any object with ``__array__`` (pandas, most array libraries)."""

    def __init__(self, arr: np.ndarray) -> None:
        self._arr = arr

    def __array__(self, dtype=None, copy=None):
        return self._arr
