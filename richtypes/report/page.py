"""The report page: one HTML file holding the model as JSON, the page's script and the vendored JS.

The page is static. Its scripts are classic ``<script>`` elements inlined in the
file (a ``file://`` page may not load ES modules from disk), the model is an
``application/json`` script read with ``JSON.parse``, and every piece of user
text reaches the DOM through ``textContent``.
"""

from __future__ import annotations

import html
import os
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import Any

from ..runlog.reader import open_run
from .assets import Assets, safe_json
from .collect import collect_run

__all__ = ["write_report", "report_html", "vendor_script", "default_out"]


def _resource(*parts: str) -> str:
    return resources.files(__package__).joinpath(*parts).read_text("utf-8")


def vendor_script(name: str) -> str:
    """A vendored script's text (``vega-bundle.js``, ``three.min.js``, ``orbit-controls.js``)."""
    return _resource("vendor", name)


def _script(text: str) -> str:
    # A vendored bundle may hold the text "</script" inside a string: split it.
    return "<script>" + text.replace("</script", "<\\/script") + "</script>"


def report_html(model: dict[str, Any], blobs: dict[str, Any] | None = None) -> str:
    """The page for a model (see :func:`write_report`); ``blobs`` are data inlined for a single file."""
    runs = model["runs"]
    data = safe_json(model)
    needs_3d = '"t":"object3d"' in data
    scripts = [_script(vendor_script("vega-bundle.js"))]
    if needs_3d:
        scripts += [
            _script(vendor_script("three.min.js")),
            _script(vendor_script("orbit-controls.js")),
        ]
    title = (
        " / ".join(str(r.get("name") or r.get("id") or "run") for r in runs) or "richtypes report"
    )
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(title)} - richtypes report</title>\n"
        f"<style>\n{_resource('static', 'report.css')}</style>\n"
        "</head>\n<body>\n"
        '<div id="app"><p id="loading">Loading report...</p></div>\n'
        f'<script type="application/json" id="rt-model">{data}</script>\n'
        f'<script type="application/json" id="rt-blobs">{safe_json(blobs or {})}</script>\n'
        + "\n".join(scripts)
        + "\n"
        + _script(_resource("static", "report.js"))
        + "\n</body>\n</html>\n"
    )


def default_out(run_dirs: Sequence[str | os.PathLike[str]]) -> Path:
    """``RUN_DIR/report.html`` for the first run."""
    return Path(run_dirs[0]) / "report.html"


def write_report(
    run_dirs: Sequence[str | os.PathLike[str]],
    out: str | os.PathLike[str] | None = None,
    *,
    single_file: bool = False,
) -> Path:
    """Write the report page of one or more runs; return its path.

    Parameters
    ----------
    run_dirs:
        Run directories (each holding ``run.json``). Several runs share one
        page: their scalar charts overlay, their configs stand side by side.
    out:
        The page to write (default ``RUN_DIR/report.html`` of the first run).
        Media are linked relative to it; converted media (coloured masks,
        point clouds) go to ``<out stem>_files/`` beside it.
    single_file:
        Inline every media file and data blob, so the page alone can be shared
        (refused above :data:`~richtypes.report.assets.SINGLE_FILE_LIMIT`).

    Returns
    -------
    pathlib.Path
        The page written.

    Examples
    --------
    >>> import tempfile, richtypes
    >>> with richtypes.init(dir=tempfile.mkdtemp() + "/run", name="tiny") as run:
    ...     run.log({"loss": 0.5})
    >>> page = write_report([run.dir])
    >>> page.name, "tiny" in page.read_text()
    ('report.html', True)
    """
    if not run_dirs:
        raise ValueError("write_report needs at least one run directory")
    target = Path(out) if out is not None else default_out(run_dirs)
    target = target.resolve()
    assets = Assets(target, single_file=single_file)
    runs = [collect_run(open_run(d), assets) for d in run_dirs]
    model = {"runs": runs, "single_file": single_file}
    page = report_html(model, assets.blobs if single_file else None)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".tmp-{os.getpid()}-{target.name}")
    tmp.write_text(page, encoding="utf-8")
    os.replace(tmp, target)
    return target
