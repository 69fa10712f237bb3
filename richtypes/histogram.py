"""``Histogram``: binned counts of weights, gradients, activations or any values."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from .codecs.threads import leaf_pool, leaf_workers
from .core.coerce import ArrayLike, as_array
from .core.errors import FormatError, ValidationError
from .core.media import Media, field, register
from .store.local import Store

__all__ = ["Histogram", "MAX_BINS"]

#: The largest number of bins a histogram may have.
MAX_BINS = 8192
_BLOCK = 1 << 15  # values binned per block: keeps temporaries in cache (measured best)
_PARALLEL_VALUES = 1 << 21  # from here on, binning is split across cores (2M values: ~20 ms)


@register
class Histogram(Media):
    """A histogram: ``counts`` in bins between ``edges``.

    Build it from values (binned here into ``num_bins`` equal bins between the
    smallest and largest finite value) or from a pre-binned ``(counts, edges)``
    pair, as ``np.histogram`` returns it.

    Non-finite values are never binned and never lost: they are counted in
    :attr:`nan_count`, :attr:`posinf_count` and :attr:`neginf_count`.

    Parameters
    ----------
    sequence:
        The values: a list, a numpy array of any real or bool dtype and any
        shape (flattened), or an array-like (``__array__`` or ``.numpy()``, e.g.
        a torch tensor). A 2-tuple ``(counts, edges)`` with
        ``len(edges) == len(counts) + 1`` is taken as a pre-binned histogram, so
        ``Histogram(np.histogram(x))`` works.
    np_histogram:
        A pre-binned ``(counts, edges)`` pair. Counts must be finite and
        non-negative (float counts from ``density=True`` are fine); edges must
        be finite and strictly increasing.
    num_bins:
        Number of bins when binning values, 1 to :data:`MAX_BINS` (default 64).

    Raises
    ------
    ValidationError
        For non-numeric values, a bad ``num_bins``, or an invalid pre-binned pair.

    Examples
    --------
    >>> h = Histogram([1.0, 2.0, 2.0, 3.0, float("nan")], num_bins=2)
    >>> h.counts.tolist(), h.edges.tolist(), h.nan_count
    ([1, 3], [1.0, 2.0, 3.0], 1)
    >>> import numpy as np
    >>> Histogram(np.histogram([0.1, 0.4, 0.5], bins=2, range=(0, 1))).counts.tolist()
    [2, 1]
    """

    _type = "histogram"
    _version = 1

    counts: np.ndarray
    edges: np.ndarray
    nan_count: int
    posinf_count: int
    neginf_count: int

    def __init__(
        self,
        sequence: ArrayLike | None = None,
        np_histogram: tuple[ArrayLike, ArrayLike] | None = None,
        num_bins: int = 64,
    ) -> None:
        if sequence is not None and np_histogram is not None:
            raise ValidationError(
                "give either sequence or np_histogram, not both", path=("np_histogram",)
            )
        if np_histogram is None and _looks_prebinned(sequence):
            np_histogram, sequence = sequence, None  # type: ignore[assignment]
        nan = posinf = neginf = 0
        if np_histogram is not None:
            counts, edges = _check_prebinned(np_histogram)
        elif sequence is not None:
            counts, edges, (nan, posinf, neginf) = _bin_values(sequence, _check_num_bins(num_bins))
        else:
            raise ValidationError(
                "give the values to bin (sequence) or a (counts, edges) pair (np_histogram)",
                path=(),
            )
        counts.flags.writeable = False
        edges.flags.writeable = False
        self.counts = counts
        self.edges = edges
        self.nan_count = nan
        self.posinf_count = posinf
        self.neginf_count = neginf
        self._freeze()

    # ------------------------------------------------------------------ views
    @property
    def num_bins(self) -> int:
        """The number of bins."""
        return int(self.counts.shape[0])

    @property
    def nonfinite_count(self) -> int:
        """How many values were NaN or infinite (and so left out of the bins)."""
        return self.nan_count + self.posinf_count + self.neginf_count

    def to_numpy(self) -> tuple[np.ndarray, np.ndarray]:
        """``(counts, edges)``, as ``np.histogram`` returns them."""
        return self.counts, self.edges

    def __repr__(self) -> str:
        lo, hi = float(self.edges[0]), float(self.edges[-1])
        extra = f", nonfinite={self.nonfinite_count}" if self.nonfinite_count else ""
        return f"Histogram(num_bins={self.num_bins}, range=({lo:g}, {hi:g}), total={self.counts.sum()}{extra})"

    def _content(self) -> tuple[Any, ...]:
        return (self.counts, self.edges, self.nan_count, self.posinf_count, self.neginf_count)

    # ------------------------------------------------------------------- wire
    def to_json(self, store: Store) -> dict[str, Any]:
        return self._envelope(
            counts=self.counts.tolist(),
            edges=self.edges.tolist(),
            count_type="int" if self.counts.dtype.kind == "i" else "float",
            nan_count=self.nan_count,
            posinf_count=self.posinf_count,
            neginf_count=self.neginf_count,
        )

    @classmethod
    def from_json(cls, doc: Mapping[str, Any], store: Store) -> Histogram:
        """Rebuild the constructor's ``np_histogram=(counts, edges)`` input and run its checks."""
        counts = field(doc, "counts", list)
        edges = field(doc, "edges", list)
        count_type = field(doc, "count_type", str)
        if count_type not in ("int", "float"):
            raise FormatError("must be 'int' or 'float'", value=count_type, path=("count_type",))
        if len(counts) > MAX_BINS:
            raise FormatError(
                f"must have at most {MAX_BINS} bins", value=len(counts), path=("counts",)
            )
        for name, values, kinds in (
            ("counts", counts, (int,) if count_type == "int" else (int, float)),
            ("edges", edges, (int, float)),
        ):
            bad = next(
                (i for i, v in enumerate(values) if type(v) not in kinds), None
            )  # bools and strings are not numbers here; an int count_type takes no floats
            if bad is not None:
                what = "an integer" if kinds == (int,) else "a number"
                raise FormatError(f"must be {what}", value=values[bad], path=(name, bad))
        try:
            counts_arr = np.asarray(counts, dtype=np.int64 if count_type == "int" else np.float64)
            edges_arr = np.asarray(edges, dtype=np.float64)
        except OverflowError:
            raise FormatError("must fit a 64-bit integer", path=("counts",)) from None
        try:
            hist = cls(np_histogram=(counts_arr, edges_arr))
        except ValidationError as err:  # the constructor's path starts at np_histogram
            raise FormatError(err.problem, value=err.value, path=err.path[1:]) from None
        object.__setattr__(hist, "nan_count", _count(doc, "nan_count"))
        object.__setattr__(hist, "posinf_count", _count(doc, "posinf_count"))
        object.__setattr__(hist, "neginf_count", _count(doc, "neginf_count"))
        return hist


def _count(doc: Mapping[str, Any], name: str) -> int:
    value = field(doc, name, int, 0)
    if value < 0:
        raise FormatError("must be >= 0", value=value, path=(name,))
    return int(value)


def _looks_prebinned(value: Any) -> bool:
    if not isinstance(value, tuple) or len(value) != 2:
        return False
    counts, edges = value
    try:
        c_len, e_len = len(counts), len(edges)
    except TypeError:
        return False
    return e_len == c_len + 1 and np.ndim(counts) == 1 and np.ndim(edges) == 1


def _check_num_bins(num_bins: Any) -> int:
    if isinstance(num_bins, bool) or not isinstance(num_bins, (int, np.integer)):
        raise ValidationError("must be an integer", value=num_bins, path=("num_bins",))
    if not 1 <= num_bins <= MAX_BINS:
        raise ValidationError(
            f"must be between 1 and {MAX_BINS}", value=num_bins, path=("num_bins",)
        )
    return int(num_bins)


def _check_prebinned(pair: Any) -> tuple[np.ndarray, np.ndarray]:
    root = ("np_histogram",)
    if not isinstance(pair, (tuple, list)) or len(pair) != 2:
        raise ValidationError("must be a (counts, edges) pair", value=pair, path=root)
    counts = as_array(pair[0], root + ("counts",), what="a 1-D array of counts")
    edges = as_array(pair[1], root + ("edges",), what="a 1-D array of bin edges")
    for arr, name in ((counts, "counts"), (edges, "edges")):
        if arr.ndim != 1:
            raise ValidationError(f"must be 1-D, got shape {arr.shape}", path=root + (name,))
        if arr.dtype.kind not in "biuf":
            raise ValidationError(
                f"must hold real numbers, got dtype {arr.dtype}", path=root + (name,)
            )
    if not 1 <= counts.shape[0] <= MAX_BINS:
        raise ValidationError(
            f"must have 1 to {MAX_BINS} bins, got {counts.shape[0]}", path=root + ("counts",)
        )
    if edges.shape[0] != counts.shape[0] + 1:
        raise ValidationError(
            f"must have len(counts) + 1 = {counts.shape[0] + 1} edges, got {edges.shape[0]}",
            path=root + ("edges",),
        )
    edges = edges.astype(np.float64)
    bad = np.flatnonzero(~np.isfinite(edges))
    if bad.size:
        raise ValidationError(
            "must be finite", value=float(edges[bad[0]]), path=root + ("edges", int(bad[0]))
        )
    bad = np.flatnonzero(np.diff(edges) <= 0)
    if bad.size:
        i = int(bad[0]) + 1
        raise ValidationError(
            f"must be greater than the previous edge ({float(edges[i - 1])!r})",
            value=float(edges[i]),
            path=root + ("edges", i),
        )
    if counts.dtype.kind == "f":
        counts = counts.astype(np.float64)
        bad = np.flatnonzero(~(np.isfinite(counts) & (counts >= 0)))
    else:
        counts = counts.astype(np.int64)
        bad = np.flatnonzero(counts < 0)
    if bad.size:
        i = int(bad[0])
        raise ValidationError(
            "must be finite and >= 0", value=counts[i].item(), path=root + ("counts", i)
        )
    return counts, edges


def _bin_values(values: Any, num_bins: int) -> tuple[np.ndarray, np.ndarray, tuple[int, int, int]]:
    arr = as_array(values, ("sequence",), what="an array of numbers")
    if arr.dtype.kind not in "biuf":
        raise ValidationError(
            f"must hold real numbers or booleans, got dtype {arr.dtype}", path=("sequence",)
        )
    flat = arr.reshape(-1)
    if flat.dtype.kind == "b":
        flat = flat.view(np.uint8)
    nonfinite = (0, 0, 0)
    if flat.size and flat.dtype.kind == "f":
        lo, hi = flat.min(), flat.max()
        if not (np.isfinite(lo) and np.isfinite(hi)):  # rare path: some NaN or inf present
            nan = int(np.count_nonzero(np.isnan(flat)))
            posinf = int(np.count_nonzero(flat == np.inf))
            neginf = int(np.count_nonzero(flat == -np.inf))
            nonfinite = (nan, posinf, neginf)
            flat = flat[np.isfinite(flat)]
    if flat.size == 0:
        return np.zeros(num_bins, np.int64), np.linspace(0.0, 1.0, num_bins + 1), nonfinite
    edges = _uniform_edges(float(flat.min()), float(flat.max()), num_bins)
    return _bincount_uniform(flat, edges), edges, nonfinite


def _uniform_edges(lo: float, hi: float, num_bins: int) -> np.ndarray:
    """Equal-width edges from lo to hi, widened where needed so every bin is wider than rounding.

    A single distinct value gets the range (v - 0.5, v + 0.5), as in
    ``np.histogram``. A range too narrow for ``num_bins`` distinct float64 edges
    at its magnitude (or a single huge value) is widened symmetrically.
    """
    if lo == hi:
        lo, hi = lo - 0.5, hi + 0.5
    min_width = 8.0 * num_bins * float(np.spacing(max(abs(lo), abs(hi))))
    if hi - lo < min_width:
        mid = lo / 2 + hi / 2
        lo, hi = mid - min_width / 2, mid + min_width / 2
    return np.linspace(lo, hi, num_bins + 1)


def _bincount_uniform(flat: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Count ``flat`` (all finite) into uniform ``edges``: bin i is [e_i, e_i+1), the last one closed.

    From :data:`_PARALLEL_VALUES` values on, the array is cut into one
    block-aligned part per core, counted on :func:`~richtypes.codecs.threads.leaf_pool`
    (numpy releases the GIL) and the integer counts summed, so the result is
    exactly the serial one: 10M float32 values in 63 ms on two cores against
    112 ms on one.
    """
    pool = leaf_pool() if flat.shape[0] >= _PARALLEL_VALUES else None
    if pool is None:
        return _bincount_blocks(flat, edges)
    step = -(-flat.shape[0] // leaf_workers() // _BLOCK) * _BLOCK
    chunks = [flat[i : i + step] for i in range(0, flat.shape[0], step)]
    return sum(pool.map(_bincount_blocks, chunks, [edges] * len(chunks)))  # type: ignore[return-value]


def _bincount_blocks(flat: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """:func:`_bincount_uniform` on one thread, block by block so temporaries stay in cache.

    The bin index is
    computed in the input's float precision (float32 stays float32, which is
    what makes this faster than ``np.histogram``) and then corrected by one
    comparison against each neighbouring edge, so counts agree exactly with the
    float64 ``edges`` (as ``np.searchsorted`` would place each value).
    """
    num_bins = edges.shape[0] - 1
    maxabs = max(abs(float(edges[0])), abs(float(edges[-1])))
    width = float(edges[1] - edges[0])
    with np.errstate(
        over="ignore"
    ):  # spacing of float32's largest value is inf: then float64 is used
        spacing32 = float(np.spacing(np.float32(maxabs)))
    if (
        flat.dtype in (np.float16, np.float32)
        and float(edges[-1] - edges[0]) < float(np.finfo(np.float32).max)
        and num_bins / float(edges[-1] - edges[0]) < float(np.finfo(np.float32).max)
        and width >= 8.0 * spacing32
    ):
        # float32 arithmetic is off by under 1/8 of a bin here, which one correction fixes
        work: type = np.float32
        bounds = _ceil_float32(edges)  # v < e  <=>  v < ceil32(e) for any float32 v
    else:
        work = np.float64
        bounds = edges
    upper = bounds[1:]
    lo = work(edges[0])
    scale = work(num_bins / (edges[-1] - edges[0]))
    last = num_bins - 1
    counts = np.zeros(num_bins, np.int64)
    size = min(_BLOCK, flat.shape[0])
    fbuf, gbuf = np.empty(size, work), np.empty(size, work)
    ibuf, mbuf = np.empty(size, np.intp), np.empty(size, bool)
    for start in range(0, flat.shape[0], _BLOCK):
        block = flat[start : start + _BLOCK]
        n = block.shape[0]
        f = np.subtract(block, lo, out=fbuf[:n], dtype=work, casting="unsafe")
        np.multiply(f, scale, out=f)
        idx = ibuf[:n]
        np.copyto(idx, f, casting="unsafe")
        np.clip(idx, 0, last, out=idx)
        mask = np.less(block, np.take(bounds, idx, out=gbuf[:n]), out=mbuf[:n])
        if mask.any():
            idx[mask] -= 1
        mask = np.greater_equal(block, np.take(upper, idx, out=gbuf[:n]), out=mbuf[:n])
        mask &= idx < last
        if mask.any():
            idx[mask] += 1
        counts += np.bincount(idx, minlength=num_bins)
    return counts


def _ceil_float32(edges: np.ndarray) -> np.ndarray:
    """The smallest float32 >= each float64 edge."""
    rounded = edges.astype(np.float32)
    low = rounded < edges
    rounded[low] = np.nextafter(rounded[low], np.float32(np.inf))
    return rounded
