"""``richtypes view``: serve a report's folder on 127.0.0.1 (for an SSH port forward).

The server only serves the files the page already links to; the page is the
same file :func:`~richtypes.report.write_report` writes.
"""

from __future__ import annotations

import functools
import http.server
from pathlib import Path
from typing import TextIO

__all__ = ["make_server", "serve"]


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base's name
        return None


def make_server(root: Path, port: int = 0) -> http.server.ThreadingHTTPServer:
    """A server of ``root`` bound to 127.0.0.1 (``port=0``: a free port)."""
    handler = functools.partial(_Quiet, directory=str(root))
    return http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)


def serve(page: Path, stream: TextIO, port: int = 0) -> None:
    """Serve ``page``'s folder on 127.0.0.1 until interrupted; print the URL first."""
    server = make_server(page.parent, port)
    url = f"http://127.0.0.1:{server.server_address[1]}/{page.name}"
    stream.write(
        f"serving {url}  (Ctrl-C to stop; from another machine: ssh -L PORT:127.0.0.1:PORT)\n"
    )
    stream.flush()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
