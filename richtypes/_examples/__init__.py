"""Demo examples, one module per media type.

Each module defines ``example() -> dict[str, Any]``: a small nest of media
objects showing that type (the demo dumps each into its own document). Modules
are discovered by name, so adding a type adds a file here and touches nothing else.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from typing import Any

__all__ = ["examples"]


def examples() -> dict[str, Callable[[], dict[str, Any]]]:
    """Every example builder, by module name, in name order."""
    found: dict[str, Callable[[], dict[str, Any]]] = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        found[info.name] = module.example
    return found
