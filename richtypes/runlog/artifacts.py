"""Versioned artifacts of a run: files copied into the content-addressed store.

``log_artifact(path, name, type)`` copies a file or a directory tree into the
run's store (identical files are stored once, whatever their name or artifact)
and writes a manifest ``artifacts/<name>/v<k>.json``::

    {"name": "weights", "version": 0, "type": "model", "created": "2024-...Z",
     "size": 1234, "files": [{"path": "sub/model.bin", "digest": "blake3:...",
     "size": 1234, "ref": {<the sidecar reference>}}]}

Versions count from 0: the first artifact of a name is ``name:v0``, the next
one ``name:v1`` and so on (each call makes a new version, even when the files
did not change; their bytes are still stored once).
"""

from __future__ import annotations

import os
import re
import shutil
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Union

from ..core.errors import FormatError, ValidationError
from ..core.jsontext import parse_json
from ..core.nest import write_json
from ..store.local import Store

__all__ = ["Artifact", "log_artifact", "list_artifacts", "get_artifact"]

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")
_VERSION_FILE = re.compile(r"^v(0|[1-9][0-9]*)\.json$")
_FORMAT = re.compile(r"^[a-z0-9]{1,16}$")
_LOCK = threading.Lock()

PathLike = Union[str, "os.PathLike[str]"]


@dataclass(frozen=True)
class Artifact:
    """One version of an artifact: its manifest, and the store its files live in.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> run_dir = pathlib.Path(tempfile.mkdtemp())
    >>> (run_dir / "notes.txt").write_text("hello")
    5
    >>> art = log_artifact(run_dir, Store(run_dir / "media"), run_dir / "notes.txt", "notes", "text")
    >>> art.qualified_name, [f["path"] for f in art.files]
    ('notes:v0', ['notes.txt'])
    """

    name: str
    version: int
    type: str
    files: list
    manifest_path: Path
    store: Store

    @property
    def qualified_name(self) -> str:
        """``name:v<version>``."""
        return f"{self.name}:v{self.version}"

    @property
    def size(self) -> int:
        """Total bytes of the files."""
        return sum(entry["size"] for entry in self.files)

    def extract(self, dest: PathLike) -> Path:
        """Copy the files (digests verified) into ``dest``, keeping their relative paths."""
        dest = Path(dest)
        for entry in self.files:
            target = dest.joinpath(*_safe_parts(entry["path"]))
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(self.store.open_path(entry["ref"]), target)
        return dest


def _check_name(value: Any, what: str) -> str:
    if not isinstance(value, str) or not _NAME.match(value):
        raise ValidationError(
            f"an artifact {what} must be 1-128 letters, digits, '.', '_' or '-', starting with a letter or digit",
            value=value,
            path=(what,),
        )
    return value


def _safe_parts(rel: str) -> list[str]:
    parts = rel.split("/")
    if rel.startswith("/") or any(part in ("", ".", "..") or "\\" in part for part in parts):
        raise FormatError(f"artifact file path {rel!r} is not a plain relative path")
    return parts


def _files_of(source: Path) -> list[tuple[str, Path]]:
    if source.is_file():
        return [(source.name, source)]
    if source.is_dir():
        found = []
        for folder, dirs, names in os.walk(source):
            dirs.sort()
            for name in sorted(names):
                full = Path(folder, name)
                if full.is_file():
                    found.append((full.relative_to(source).as_posix(), full))
        return sorted(found)
    raise ValidationError("no such file or directory", value=str(source), path=("path",))


def _format_of(path: Path) -> str:
    suffix = path.suffix[1:].lower()
    return suffix if _FORMAT.match(suffix) else "bin"


def _versions(folder: Path) -> list[int]:
    if not folder.is_dir():
        return []
    return sorted(int(m.group(1)) for m in map(_VERSION_FILE.match, os.listdir(folder)) if m)


def log_artifact(run_dir: Path, store: Store, path: PathLike, name: str, type: str) -> Artifact:
    """Copy ``path`` (a file or a directory) into ``store`` as the next version of ``name``."""
    _check_name(name, "name")
    _check_name(type, "type")
    files = []
    for rel, full in _files_of(Path(path)):
        ref = store.put_file(full, _format_of(full))
        files.append({"path": rel, "digest": ref["digest"], "size": ref["size"], "ref": ref})
    folder = run_dir / "artifacts" / name
    with _LOCK:
        existing = _versions(folder)
        version = existing[-1] + 1 if existing else 0
        manifest = {
            "name": name,
            "version": version,
            "type": type,
            "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "size": sum(f["size"] for f in files),
            "files": files,
        }
        manifest_path = write_json(manifest, folder / f"v{version}.json")
    return Artifact(name, version, type, files, manifest_path, store)


def _read_manifest(path: Path, store: Store) -> Artifact:
    doc = parse_json(path.read_bytes(), where=f"artifact manifest {str(path)!r}")
    try:
        return Artifact(
            doc["name"], int(doc["version"]), doc["type"], list(doc["files"]), path, store
        )
    except (ValueError, KeyError, TypeError) as exc:
        raise FormatError(f"artifact manifest {str(path)!r} is malformed: {exc}") from None


def list_artifacts(run_dir: Path, store: Store) -> list[Artifact]:
    """Every artifact version of a run, by name then version."""
    root = run_dir / "artifacts"
    if not root.is_dir():
        return []
    found = []
    for name in sorted(os.listdir(root)):
        for version in _versions(root / name):
            found.append(_read_manifest(root / name / f"v{version}.json", store))
    return found


def get_artifact(run_dir: Path, store: Store, spec: str) -> Artifact:
    """One artifact by ``"name:v<k>"``, or ``"name"`` / ``"name:latest"`` for its newest version."""
    name, _, version = spec.partition(":")
    _check_name(name, "name")
    folder = run_dir / "artifacts" / name
    versions = _versions(folder)
    if not versions:
        raise KeyError(f"no artifact named {name!r} in this run")
    if version in ("", "latest"):
        number = versions[-1]
    else:
        match = re.fullmatch(r"v(0|[1-9][0-9]*)", version)
        if match is None or int(match.group(1)) not in versions:
            known = ", ".join(f"{name}:v{v}" for v in versions)
            raise KeyError(f"no artifact {spec!r}; this run has: {known}")
        number = int(match.group(1))
    return _read_manifest(folder / f"v{number}.json", store)
