"""Reading a run directory back: ``open_run(dir)`` -> :class:`RunReader`.

History cells are decoded lazily: a :class:`Row` decodes a cell when it is
indexed, and ``history(pandas=True)`` puts a :class:`LazyMedia` in every cell
holding media. A torn last line of ``history.jsonl`` (a writer killed in the
middle of a write) is ignored; any other malformed line is a ``FormatError``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from ..core.errors import FormatError, MissingDependencyError
from ..core.jsontext import parse_json
from ..core.nest import MAX_DOC_BYTES, decode_value
from ..core.schema import iter_envelopes
from ..store.local import Store, StoreLike, as_store
from .artifacts import Artifact, get_artifact, list_artifacts

__all__ = ["open_run", "RunReader", "Row", "LazyMedia", "read_history_lines"]


def _has_media(doc: Any) -> bool:
    return any(env.get("_type") != "float" for _, env in iter_envelopes(doc))


class LazyMedia:
    """An encoded cell, decoded on the first access to :attr:`value`.

    Examples
    --------
    >>> import tempfile, richtypes
    >>> root = tempfile.mkdtemp()
    >>> cell = LazyMedia(richtypes.dump(richtypes.Histogram([1, 2], num_bins=2), root), Store(root))
    >>> cell
    <LazyMedia histogram, not decoded>
    >>> cell.value.counts.tolist()
    [1, 1]
    """

    __slots__ = ("doc", "_store", "_value", "_decoded")

    def __init__(self, doc: Any, store: Store) -> None:
        self.doc = doc
        self._store = store
        self._value: Any = None
        self._decoded = False

    @property
    def type(self) -> str:
        """The envelope's ``_type``, or ``"nest"`` for a dict or list holding media."""
        return self.doc.get("_type", "nest") if isinstance(self.doc, Mapping) else "nest"

    @property
    def value(self) -> Any:
        """The decoded value (decoded once, then kept)."""
        if not self._decoded:
            self._value = decode_value(self.doc, self._store)
            self._decoded = True
        return self._value

    def __repr__(self) -> str:
        state = "decoded" if self._decoded else "not decoded"
        return f"<LazyMedia {self.type}, {state}>"


class Row(Mapping):
    """One history row (or the summary): a mapping that decodes each cell when it is read.

    ``row.step`` and ``row.timestamp`` give ``_step`` and ``_timestamp``;
    ``row.raw(key)`` gives a cell's encoded JSON without decoding it.
    """

    def __init__(self, doc: Mapping[str, Any], store: Store) -> None:
        self._doc = doc
        self._store = store
        self._cache: dict[str, Any] = {}

    def __getitem__(self, key: str) -> Any:
        if key not in self._cache:
            self._cache[key] = decode_value(self._doc[key], self._store)
        return self._cache[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._doc)

    def __len__(self) -> int:
        return len(self._doc)

    def raw(self, key: str) -> Any:
        """The encoded cell, as stored in the JSON."""
        return self._doc[key]

    @property
    def step(self) -> int | None:
        return self._doc.get("_step")

    @property
    def timestamp(self) -> float | None:
        return self._doc.get("_timestamp")

    def __repr__(self) -> str:
        keys = [k for k in self._doc if not k.startswith("_")]
        return f"Row(step={self.step}, keys={keys})"


def read_history_lines(path: Path) -> tuple[list[tuple[int, dict[str, Any]]], bool]:
    """``([(line number, row doc), ...], torn)``; ``torn`` says an unterminated last line was skipped."""
    rows: list[tuple[int, dict[str, Any]]] = []
    torn = False
    if not path.exists():
        return rows, torn
    with open(path, "rb") as fh:
        for number, line in enumerate(fh, start=1):
            if not line.endswith(b"\n"):
                torn = True  # the writer died mid-line; everything before it is whole
                break
            doc = parse_json(line[:-1], where=f"{str(path)!r} line {number}")
            if not isinstance(doc, dict) or not isinstance(doc.get("_step"), int):
                raise FormatError(
                    f"{str(path)!r} line {number} is not a history row (an object with an integer _step)"
                )
            rows.append((number, doc))
    return rows, torn


def _read_json(path: Path, default: Any = None) -> Any:
    if not path.exists():
        if default is not None:
            return default
        raise FormatError(f"{str(path)!r} is missing: not a run directory")
    if path.stat().st_size > MAX_DOC_BYTES:
        raise FormatError(f"{str(path)!r} is above the limit of {MAX_DOC_BYTES} bytes")
    return parse_json(path.read_bytes(), where=repr(str(path)))


class RunReader:
    """A run directory, read back (see :func:`open_run`)."""

    def __init__(self, dir: str | os.PathLike[str], store: StoreLike | None = None) -> None:
        self.dir = Path(dir)
        meta = _read_json(self.dir / "run.json")
        if not isinstance(meta, dict):
            raise FormatError(f"{str(self.dir / 'run.json')!r} must hold a JSON object")
        self.metadata: dict[str, Any] = meta
        shared = meta.get("store")
        if shared is not None and not isinstance(shared, str):
            raise FormatError("must be a store URL", value=shared, path=("run.json", "store"))
        if store is not None:
            self.store = as_store(store)
        elif shared is not None:
            self.store = Store(shared)
        else:
            self.store = Store(self.dir / "media")

    id = property(lambda self: self.metadata.get("id"), doc="The run id.")
    name = property(lambda self: self.metadata.get("name"), doc="The run name.")
    project = property(lambda self: self.metadata.get("project"), doc="The project, or None.")
    notes = property(lambda self: self.metadata.get("notes"), doc="The notes, or None.")
    tags = property(lambda self: tuple(self.metadata.get("tags") or ()), doc="The tags.")
    status = property(lambda self: self.metadata.get("status"), doc="running, finished or failed.")

    @property
    def config(self) -> dict[str, Any]:
        """The config as plain JSON values."""
        return _read_json(self.dir / "config.json", {})

    @property
    def summary(self) -> Row:
        """The summary (cells decoded when read). Without ``summary.json``, the last value of each history key."""
        path = self.dir / "summary.json"
        if path.exists():
            return Row(_read_json(path), self.store)
        last: dict[str, Any] = {}
        for _, doc in read_history_lines(self.dir / "history.jsonl")[0]:
            last.update({k: v for k, v in doc.items() if not k.startswith("_")})
        return Row(last, self.store)

    def iter_history(self) -> Iterator[Row]:
        """The rows in step order, one at a time."""
        for _, doc in read_history_lines(self.dir / "history.jsonl")[0]:
            yield Row(doc, self.store)

    def history(self, pandas: bool = False) -> Any:
        """Every row: a list of :class:`Row`, or with ``pandas=True`` a DataFrame.

        In the DataFrame, plain values are columns of numbers and strings and a
        cell holding media is a :class:`LazyMedia` (``cell.value`` decodes it).
        Needs the ``pandas`` extra for ``pandas=True``.
        """
        if not pandas:
            return list(self.iter_history())
        try:
            import pandas as pd
        except ImportError:
            raise MissingDependencyError("pandas", "pandas", "history(pandas=True)") from None
        records = []
        for _, doc in read_history_lines(self.dir / "history.jsonl")[0]:
            records.append(
                {
                    key: (
                        LazyMedia(cell, self.store)
                        if _has_media(cell)
                        else decode_value(cell, self.store)
                    )
                    for key, cell in doc.items()
                }
            )
        return pd.DataFrame.from_records(records)

    def artifacts(self) -> list[Artifact]:
        """Every artifact version logged in the run."""
        return list_artifacts(self.dir, self.store)

    def artifact(self, spec: str) -> Artifact:
        """One artifact: ``"name:v1"``, or ``"name"`` for the newest version."""
        return get_artifact(self.dir, self.store, spec)

    def __repr__(self) -> str:
        return f"RunReader({str(self.dir)!r}, id={self.id!r}, status={self.status!r})"


def open_run(dir: str | os.PathLike[str], store: StoreLike | None = None) -> RunReader:
    """Open a run directory for reading (while it runs, or after).

    Media are read from the store ``run.json`` names (a shared store given to
    ``init(store=...)``), else from ``<dir>/media``. ``store`` overrides both,
    e.g. ``Store("s3://bucket/media", storage_options={...})`` for credentials.

    Examples
    --------
    >>> import tempfile, richtypes
    >>> with richtypes.init(dir=tempfile.mkdtemp() + "/run", notes="first try") as run:
    ...     run.log({"h": richtypes.Histogram([1.0, 2.0], num_bins=2)})
    >>> reader = richtypes.open_run(run.dir)
    >>> row = reader.history()[0]
    >>> reader.notes, row.step, row.raw("h")["_type"], row["h"].counts.tolist()
    ('first try', 0, 'histogram', [1, 1])
    """
    return RunReader(dir, store)
