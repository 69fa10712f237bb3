"""The ``richtypes inspect RUN_DIR`` and ``richtypes validate PATH`` commands.

``inspect`` prints what a run holds: its description, config keys, history
steps, each logged key with the kinds of value it held, media counts by
``_type`` with the sidecars they use, the summary keys and the artifacts.

``validate`` checks a run directory (``run.json`` against
``richtypes/schemas/run-metadata.json``, every history line, the summary and
every artifact manifest) or one JSON document: every envelope against the
schema of its ``_type`` and ``_version`` and every sidecar reference against
the store (present, right size, right digest). It prints each problem with
where it is and returns 1 when there is any, 2 when it cannot run at all. A
torn last history line (a killed writer) is a warning, not a problem: readers
skip it by design and every line before it is whole.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterator, Mapping
from importlib import resources
from pathlib import Path
from typing import Any, TextIO

from .core.errors import (
    FormatError,
    IntegrityError,
    MissingDependencyError,
    PathKey,
    RichTypesError,
    format_path,
)
from .core.jsontext import parse_json
from .core.schema import validate_document
from .runlog.reader import RunReader, read_history_lines
from .store.local import Store

__all__ = ["inspect_run", "validate_path", "report_command", "view_command"]

_REF_KEYS = frozenset(("path", "digest", "size", "format"))


def _is_ref(doc: Any) -> bool:
    return isinstance(doc, Mapping) and "_type" not in doc and _REF_KEYS <= doc.keys()


def iter_refs(
    doc: Any, path: tuple[PathKey, ...] = (), owner: str = ""
) -> Iterator[tuple[tuple[PathKey, ...], str, Mapping[str, Any]]]:
    """Yield ``(path, nearest envelope _type, reference)`` for every sidecar reference in ``doc``."""
    if isinstance(doc, Mapping):
        if _is_ref(doc):
            yield path, owner, doc
            return
        owner = doc["_type"] if isinstance(doc.get("_type"), str) else owner
        for key, value in doc.items():
            yield from iter_refs(value, path + (key,), owner)
    elif isinstance(doc, list):
        for i, value in enumerate(doc):
            yield from iter_refs(value, path + (i,), owner)


def _kind(cell: Any) -> str:
    if isinstance(cell, Mapping):
        kind = cell.get("_type")
        if kind == "float":
            return "number"
        return kind if isinstance(kind, str) else "dict"
    if isinstance(cell, list):
        return "list"
    if isinstance(cell, bool):
        return "bool"
    if isinstance(cell, (int, float)):
        return "number"
    return "null" if cell is None else "string"


def _envelope_types(doc: Any) -> Iterator[str]:
    if isinstance(doc, Mapping):
        kind = doc.get("_type")
        if isinstance(kind, str) and kind != "float":
            yield kind
        for value in doc.values():
            yield from _envelope_types(value)
    elif isinstance(doc, list):
        for value in doc:
            yield from _envelope_types(value)


def inspect_run(run_dir: str, stream: TextIO) -> int:
    """Print a summary of a run directory; return the exit code."""
    try:
        reader = RunReader(run_dir)
        rows, torn = read_history_lines(reader.dir / "history.jsonl")
        config = reader.config
        summary_keys = list(reader.summary)
        artifacts = reader.artifacts()
    except (RichTypesError, OSError) as exc:
        stream.write(f"error: {exc}\n")
        return 1
    meta = reader.metadata
    w = stream.write
    w(
        f"run {meta.get('id')}  name={meta.get('name')!r}  project={meta.get('project')!r}  status={meta.get('status')}\n"
    )
    w(f"dir: {reader.dir}\nstarted {meta.get('start_time')}  ended {meta.get('end_time')}\n")
    if meta.get("tags") or meta.get("notes"):
        w(f"tags: {', '.join(meta.get('tags') or []) or '-'}  notes: {meta.get('notes') or '-'}\n")
    w(f"config: {len(config)} keys ({', '.join(config)})\n")
    steps = [doc["_step"] for _, doc in rows]
    span = f", steps {steps[0]}..{steps[-1]}" if steps else ""
    w(f"history: {len(rows)} rows{span}{' (torn last line ignored)' if torn else ''}\n")
    key_rows: Counter[str] = Counter()
    key_kinds: dict[str, Counter[str]] = defaultdict(Counter)
    media_count: Counter[str] = Counter()
    sidecars: dict[str, dict[str, int]] = defaultdict(dict)
    for _, doc in rows:
        for key, cell in doc.items():
            if key.startswith("_"):
                continue
            key_rows[key] += 1
            key_kinds[key][_kind(cell)] += 1
            media_count.update(_envelope_types(cell))
            for _, owner, ref in iter_refs(cell):
                sidecars[owner][str(ref["path"])] = (
                    int(ref["size"]) if isinstance(ref["size"], int) else 0
                )
    if key_rows:
        w(f"keys ({len(key_rows)}):\n")
        width = max(len(k) for k in key_rows) + 2
        for key in sorted(key_rows):
            kinds = ", ".join(
                f"{kind} x{n}" if len(key_kinds[key]) > 1 else kind
                for kind, n in sorted(key_kinds[key].items())
            )
            w(f"  {key:<{width}}{key_rows[key]:>6} rows  {kinds}\n")
    if media_count:
        w("media by _type:\n")
        w(f"  {'_type':<16}{'count':>8}{'sidecars':>10}{'sidecar bytes':>16}\n")
        for kind in sorted(media_count):
            files = sidecars.get(kind, {})
            w(f"  {kind:<16}{media_count[kind]:>8}{len(files):>10}{sum(files.values()):>16,}\n")
    w(f"summary: {len(summary_keys)} keys ({', '.join(summary_keys)})\n")
    for art in artifacts:
        w(
            f"artifact {art.qualified_name} ({art.type}): {len(art.files)} files, {art.size:,} bytes\n"
        )
    if "store" in reader.metadata:  # a shared store: other runs' media are there too
        w(f"store: shared, {reader.store.url}\n")
        return 0
    store_files = [
        p
        for p in (reader.dir / "media").rglob("*")
        if p.is_file() and not p.name.startswith(".tmp-")
    ]
    w(
        f"store: {len(store_files)} files, {sum(p.stat().st_size for p in store_files):,} bytes in media/\n"
    )
    return 0


class _Checker:
    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.problems = 0
        self.documents = 0
        self.envelopes = 0
        self.checked_refs: dict[tuple[str, str], str | None] = {}

    def problem(self, where: str, message: str) -> None:
        self.problems += 1
        self.stream.write(f"problem: {where}: {message}\n")

    def document(self, doc: Any, where: str, store: Store, envelopes: bool = True) -> None:
        self.documents += 1
        if envelopes:
            try:
                self.envelopes += validate_document(doc)
            except FormatError as exc:
                self.problem(where, str(exc))
        for path, _, ref in iter_refs(doc):
            key = (str(ref.get("path")), str(ref.get("digest")))
            if key not in self.checked_refs:
                try:
                    store.get_bytes(ref)
                    self.checked_refs[key] = None
                except (IntegrityError, FormatError, OSError) as exc:
                    self.checked_refs[key] = str(exc)
            if self.checked_refs[key] is not None:
                self.problem(where, f"{format_path(path)}: {self.checked_refs[key]}")


def _load_json(path: Path, checker: _Checker) -> Any:
    try:
        return parse_json(path.read_bytes(), where="the document")
    except OSError as exc:
        checker.problem(str(path), f"not a readable JSON document: {exc}")
    except FormatError as exc:
        checker.problem(str(path), f"not a readable JSON document: {exc}")
    return None


def _check_run(run_dir: Path, checker: _Checker) -> None:
    import jsonschema

    store = Store(run_dir / "media")
    meta = _load_json(run_dir / "run.json", checker)
    if meta is not None:
        schema = json.loads(
            resources.files("richtypes")
            .joinpath("schemas")
            .joinpath("run-metadata.json")
            .read_text("utf-8")
        )
        error = jsonschema.exceptions.best_match(
            jsonschema.Draft202012Validator(schema).iter_errors(meta)
        )
        if error is not None:
            checker.problem(
                "run.json",
                f"{format_path(tuple(error.absolute_path))}: {error.message} (schema run-metadata)",
            )
        checker.documents += 1
        if isinstance(meta, dict) and isinstance(meta.get("store"), str):
            store = Store(meta["store"])
    config = (
        _load_json(run_dir / "config.json", checker) if (run_dir / "config.json").exists() else {}
    )
    if not isinstance(config, dict):
        checker.problem("config.json", "must hold a JSON object")
    try:
        rows, torn = read_history_lines(run_dir / "history.jsonl")
    except FormatError as exc:
        checker.problem("history.jsonl", str(exc))
        rows, torn = [], False
    last = -1
    for number, doc in rows:
        where = f"history.jsonl line {number}"
        if doc["_step"] <= last:
            checker.problem(where, f"_step {doc['_step']} does not increase (previous {last})")
        last = doc["_step"]
        checker.document(doc, where, store)
    if torn:
        checker.stream.write(
            "warning: history.jsonl ends with a torn line (a killed writer); readers ignore it\n"
        )
    if (run_dir / "summary.json").exists():
        summary = _load_json(run_dir / "summary.json", checker)
        if summary is not None:
            checker.document(summary, "summary.json", store)
    for manifest in sorted((run_dir / "artifacts").glob("*/v*.json")):
        doc = _load_json(manifest, checker)
        if doc is not None:
            checker.document(doc, manifest.relative_to(run_dir).as_posix(), store, envelopes=False)


def validate_path(path: str, stream: TextIO, store_root: str | None = None) -> int:
    """Check a run directory or a JSON document; print problems; return the exit code."""
    target = Path(path)
    checker = _Checker(stream)
    try:
        import jsonschema  # noqa: F401
    except ImportError:
        stream.write(
            f"error: {MissingDependencyError('jsonschema', 'schema', 'richtypes validate')}\n"
        )
        return 2
    if target.is_dir() and (target / "run.json").exists():
        _check_run(target, checker)
    elif target.is_file():
        doc = _load_json(target, checker)
        if doc is not None:
            checker.document(
                doc, str(target), Store(store_root if store_root is not None else target.parent)
            )
    else:
        stream.write(
            f"error: {path!r} is neither a run directory (with run.json) nor a JSON file\n"
        )
        return 2
    counts = (
        f"{checker.documents} documents, {checker.envelopes} envelopes, "
        f"{len(checker.checked_refs)} sidecars checked"
    )
    if checker.problems:
        stream.write(f"FAILED: {checker.problems} problem(s) in {path} ({counts})\n")
        return 1
    stream.write(f"OK: {path} ({counts})\n")
    return 0


def report_command(
    run_dirs: list[str], stream: TextIO, out: str | None = None, single_file: bool = False
) -> int:
    """``richtypes report``: write the page, print where it is; return the exit code."""
    from .report import write_report

    try:
        page = write_report(run_dirs, out, single_file=single_file)
    except (RichTypesError, OSError, ValueError) as exc:
        stream.write(f"error: {exc}\n")
        return 1
    stream.write(f"wrote {page} ({page.stat().st_size:,} bytes); open it: file://{page}\n")
    return 0


def view_command(run_dir: str, stream: TextIO, port: int = 0) -> int:
    """``richtypes view``: write the page, then serve its folder on 127.0.0.1 until interrupted."""
    from .report import serve, write_report

    try:
        page = write_report([run_dir])
    except (RichTypesError, OSError, ValueError) as exc:
        stream.write(f"error: {exc}\n")
        return 1
    serve(page, stream, port)
    return 0
