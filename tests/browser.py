"""Headless Chromium for the report tests and benchmark: the Debian ``chromium``, driven by playwright.

The browser is the system one (``apt-get install chromium``), never a
playwright download. :func:`launch_browser` returns ``(playwright, browser)``
or raises :class:`BrowserUnavailable` naming what to install.
"""

from __future__ import annotations

import os
import shutil
from typing import Any

#: WebGL on the CPU (SwiftShader) in a headless browser with no GPU.
CHROMIUM_ARGS = ["--use-angle=swiftshader", "--enable-unsafe-swiftshader", "--no-sandbox"]


class BrowserUnavailable(RuntimeError):
    """No Chromium or no playwright package: the message says what to install."""


def chromium_path() -> str | None:
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return None


def launch_browser() -> tuple[Any, Any]:
    """Start playwright and the system Chromium (headless)."""
    path = chromium_path()
    if path is None:
        raise BrowserUnavailable("no Chromium found: apt-get install -y chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        raise BrowserUnavailable(
            "the playwright package is missing: pip install playwright (never 'playwright install')"
        ) from None
    pw = sync_playwright().start()
    try:
        browser = pw.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
    except Exception:
        pw.stop()
        raise
    return pw, browser


def in_ci() -> bool:
    return bool(os.environ.get("CI"))


class PageLog:
    """Console errors, page errors and requests that left ``file://`` / ``data:`` on one page."""

    def __init__(self, page: Any) -> None:
        self.errors: list[str] = []
        self.outside: list[str] = []
        self.dialogs: list[str] = []
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("requestfailed", lambda r: self.errors.append(f"request failed: {r.url}"))
        page.on(
            "request",
            lambda r: (
                None if r.url.startswith(("file://", "data:")) else self.outside.append(r.url)
            ),
        )

        def dialog(d: Any) -> None:
            self.dialogs.append(d.message)
            d.dismiss()

        page.on("dialog", dialog)
