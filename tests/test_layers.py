"""The layers of ARCHITECTURE.md, enforced: who may import whom inside ``richtypes``.

Every ``import`` and ``from ... import`` in the package (also those inside
functions) is resolved to the top-level layer it reaches; a layer may reach
only the layers listed for it below. Nothing imports upward.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "richtypes"

MEDIA = {"image", "object3d", "table", "plot", "histogram", "html", "video", "audio"}
#: layer -> the layers it may import (besides itself)
ALLOWED: dict[str, set[str]] = {
    "errors": set(),  # richtypes.core.errors: imports nothing of ours
    "codecs": {"errors"},
    "store": {"errors", "codecs"},
    "core": {"errors", "store", "codecs", "_version"},
    **{name: {"errors", "core", "store", "codecs"} | MEDIA for name in MEDIA},
    "runlog": {"errors", "core", "store", "codecs", "_version"},
    "report": {"errors", "core", "store", "codecs", "runlog", "_version"},
}
#: the application layer (CLI, demo, examples, the package face) may import anything
APPLICATION = {"cli", "demo", "_examples", "__init__", "__main__", "_version"}


def _layer(module: str) -> str:
    parts = module.split(".")
    assert parts[0] == "richtypes", module
    if len(parts) == 1:
        return "__init__"
    if parts[1] == "core" and len(parts) > 2 and parts[2] == "errors":
        return "errors"
    return parts[1]


def _module_name(path: Path, root: Path = PACKAGE.parent) -> tuple[str, bool]:
    rel = path.relative_to(root).with_suffix("")
    parts = list(rel.parts)
    is_package = parts[-1] == "__init__"
    if is_package:
        parts = parts[:-1]
    return ".".join(parts), is_package


def _imports(path: Path, root: Path = PACKAGE.parent) -> list[tuple[int, str]]:
    name, is_package = _module_name(path, root)
    here = name.split(".") if is_package else name.split(".")[:-1]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = here[: len(here) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
                if node.module is None:  # from . import x: x may be a module
                    found += [(node.lineno, f"{target}.{alias.name}") for alias in node.names]
                    continue
            else:
                target = node.module or ""
            found.append((node.lineno, target))
        elif isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
    return [
        (line, target)
        for line, target in found
        if target == "richtypes" or target.startswith("richtypes.")
    ]


MODULES = sorted(PACKAGE.rglob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_each_module_imports_only_the_layers_below_it(path: Path) -> None:
    layer = _layer(_module_name(path)[0])
    if layer in APPLICATION:
        return
    assert layer in ALLOWED, (
        f"{path}: layer {layer!r} is not in ARCHITECTURE.md's table; add it there and here"
    )
    for line, target in _imports(path):
        reached = _layer(target)
        assert reached == layer or reached in ALLOWED[layer], (
            f"{path.relative_to(PACKAGE.parent)}:{line} imports {target} ({reached}); "
            f"the {layer} layer may import only {sorted(ALLOWED[layer])}"
        )


def test_the_rule_catches_an_upward_import(tmp_path: Path) -> None:
    """A control: the walk sees relative imports, also inside functions."""
    bad = tmp_path / "richtypes" / "codecs" / "bad.py"
    bad.parent.mkdir(parents=True)
    bad.write_text(
        "from ..core.errors import FormatError\n\ndef f():\n    from ..runlog import run\n"
    )
    targets = [target for _, target in _imports(bad, tmp_path)]
    assert sorted(targets) == ["richtypes.core.errors", "richtypes.runlog"]
    assert [_layer(t) in ALLOWED["codecs"] for t in sorted(targets)] == [True, False]


def test_every_module_over_400_lines_has_its_reason_in_architecture_md() -> None:
    text = (PACKAGE.parent / "ARCHITECTURE.md").read_text("utf-8")
    section = text.split("## Modules over ~400 lines", 1)[1]
    named = set(re.findall(r"`([\w/]+\.py)`", section))
    long = {
        str(p.relative_to(PACKAGE))
        for p in PACKAGE.rglob("*.py")
        if "vendor" not in p.parts and len(p.read_text("utf-8").splitlines()) > 420
    }
    unnamed = sorted(m for m in long if m not in named and Path(m).name not in named)
    assert not unnamed, f"over ~400 lines with no reason in ARCHITECTURE.md: {unnamed}"
