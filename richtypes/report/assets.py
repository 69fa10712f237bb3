"""Where the page finds its media: relative links into run stores, derived files, data blobs.

A report links each sidecar by its path relative to the page (``media/ab/ab12...png``),
so a run of gigabytes opens at once and the browser loads an image only when it is
shown. What the browser cannot read from a sidecar over ``file://`` (a mask to colour,
a point cloud in ``.npy``) is converted once into ``<page stem>_files/``: coloured
PNGs, and data scripts that the page loads with a ``<script>`` tag when needed (a
classic script is the one way a ``file://`` page reads a local file without a server).

With ``single_file=True`` everything goes into the page instead: sidecars and
derived images as ``data:`` URLs, blobs inline; the total is bounded by
:data:`SINGLE_FILE_LIMIT`.
"""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import quote

from ..core.errors import RichTypesError
from ..store.local import Store

__all__ = ["Assets", "SINGLE_FILE_LIMIT", "safe_json", "ReportTooLargeError"]

#: The most bytes of media a ``--single-file`` page inlines (before base64).
SINGLE_FILE_LIMIT = 100 * 1024 * 1024

_MIME = {
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "webp": "image/webp",
    "gif": "image/gif",
    "mp4": "video/mp4",
    "webm": "video/webm",
    "wav": "audio/wav",
    "html": "text/html",
}


class ReportTooLargeError(RichTypesError):
    """A single-file report would inline more than :data:`SINGLE_FILE_LIMIT` bytes."""


def safe_json(value: Any) -> str:
    """JSON text that is safe inside an HTML ``<script>`` element.

    ``<`` is written ``\\u003c`` (so no ``</script>`` or ``<!--`` can end or
    bend the element) and U+2028/U+2029 as escapes. NaN and infinities are
    refused: callers pass ``None`` for them.

    Examples
    --------
    >>> safe_json({"caption": "</script><script>alert(1)</script>\\u2028"})
    '{"caption":"\\\\u003c/script>\\\\u003cscript>alert(1)\\\\u003c/script>\\\\u2028"}'
    """
    text = json.dumps(value, allow_nan=False, separators=(",", ":"), ensure_ascii=False)
    return text.replace("<", "\\u003c").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


class Assets:
    """Links and derived files for one page written to ``out``."""

    def __init__(self, out: Path, single_file: bool = False, limit: int = SINGLE_FILE_LIMIT):
        self.out = out
        self.single_file = single_file
        self.limit = limit
        self.inlined = 0
        self.files_dir = out.parent / f"{out.stem}_files"
        self.blobs: dict[str, Any] = {}
        #: views already built, by store and document digest (a value logged again)
        self.memo: dict[tuple[int, str], dict[str, Any]] = {}

    def _count(self, nbytes: int) -> None:
        self.inlined += nbytes
        if self.inlined > self.limit:
            raise ReportTooLargeError(
                f"a single-file report would inline more than {self.limit:,} bytes of media; "
                "write it without --single-file (media stay linked) or report fewer runs"
            )

    def _data_url(self, data: bytes, fmt: str) -> str:
        self._count(len(data))
        mime = _MIME.get(fmt, "application/octet-stream")
        return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"

    def href(self, store: Store, ref: Mapping[str, Any]) -> str:
        """A URL for a sidecar: relative to the page, or a ``data:`` URL in a single file."""
        if self.single_file:
            return self._data_url(store.get_bytes(ref), str(ref.get("format", "")))
        path = store.resolve(ref)
        rel = os.path.relpath(path, self.out.parent)
        return quote(Path(rel).as_posix())

    def derived(self, name: str, data: bytes, fmt: str) -> str:
        """A URL for bytes made for the page (written once to the files folder)."""
        if self.single_file:
            return self._data_url(data, fmt)
        self.files_dir.mkdir(parents=True, exist_ok=True)
        path = self.files_dir / name
        if not path.exists():
            tmp = path.with_name(f".tmp-{os.getpid()}-{name}")
            tmp.write_bytes(data)
            os.replace(tmp, path)
        return quote(f"{self.files_dir.name}/{name}")

    def blob(self, key: str, value: Any) -> dict[str, str]:
        """A reference to a JSON value the page loads when it needs it.

        In a single file the value is stored in the page; otherwise in
        ``<files>/<key>.js`` as ``RT.blob(key, value)``, a classic script.
        """
        if self.single_file:
            text = safe_json(value)
            self._count(len(text))
            self.blobs[key] = value
            return {"blob": key}
        script = f"RT.blob({safe_json(key)},{safe_json(value)});\n".encode()
        src = self.derived(f"{key}.js", script, "js")
        return {"blob": key, "src": src}
