"""The README's Python examples run as written and type-check against the public API."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

README = Path(__file__).resolve().parent.parent / "README.md"
BLOCKS = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)


def test_the_readme_has_examples() -> None:
    assert len(BLOCKS) >= 3


@pytest.mark.parametrize("index", range(len(BLOCKS)))
def test_readme_example_runs(index: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # examples write relative paths (out/, runs/)
    exec(compile(BLOCKS[index], f"README.md example {index}", "exec"), {"__name__": "__readme__"})


def _mypy(files: list[str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    # MYPYPATH points at the source tree (an editable install hides the package from mypy);
    # --follow-imports=silent uses richtypes' types without reporting on its internals.
    env = dict(
        os.environ, MYPYPATH=str(README.parent), MYPY_CACHE_DIR=str(tmp_path / ".mypy_cache")
    )
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--follow-imports=silent", *files],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
        cwd=tmp_path,
    )


def test_readme_examples_type_check_strictly(tmp_path: Path) -> None:
    pytest.importorskip("mypy")
    files = []
    for i, block in enumerate(BLOCKS):
        path = tmp_path / f"example_{i}.py"
        path.write_text(block, encoding="utf-8")
        files.append(str(path))
    # a control: the same check must catch a misuse of the public API
    wrong = tmp_path / "wrong.py"
    wrong.write_text(
        'import richtypes\nrichtypes.Histogram([1.0], num_bins="64")\n', encoding="utf-8"
    )
    control = _mypy([str(wrong)], tmp_path)
    assert control.returncode == 1 and 'Argument "num_bins" to "Histogram"' in control.stdout, (
        control.stdout
    )
    proc = _mypy(files, tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_the_package_type_checks(tmp_path: Path) -> None:
    """py.typed promises usable annotations: the package itself passes mypy."""
    pytest.importorskip("mypy")
    env = dict(os.environ, MYPY_CACHE_DIR=str(tmp_path / ".mypy_cache"))
    proc = subprocess.run(
        [sys.executable, "-m", "mypy", "richtypes"],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
        cwd=README.parent,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
