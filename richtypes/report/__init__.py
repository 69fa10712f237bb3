"""The run report page: a static HTML file that opens from disk with no server and no network.

``write_report(run_dirs, out=None, single_file=False)`` writes it;
``serve(path)`` serves its folder on 127.0.0.1 (``richtypes view``).
"""

from __future__ import annotations

from .assets import SINGLE_FILE_LIMIT, ReportTooLargeError
from .page import write_report
from .serve import serve

__all__ = ["write_report", "serve", "SINGLE_FILE_LIMIT", "ReportTooLargeError"]
