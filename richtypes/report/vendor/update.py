# mypy: ignore-errors
# (a maintainer script, run by hand; vl_convert's stub types the optional snippet as required)
"""Regenerate the vendored JavaScript (run by hand, with network, from the repository root).

    python richtypes/report/vendor/update.py

needs ``npm`` on the PATH and the ``render`` extra (``vl-convert-python``). It
writes three.min.js, orbit-controls.js and vega-bundle.js next to this file and
the sha256 of each into VERSIONS.json. The page loads nothing else.
"""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import tarfile
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
THREE = "0.158.0"
VEGA_LITE = "5.21"


def _orbit_controls_classic(src: str) -> str:
    """OrbitControls' ES module as a classic script reading the global THREE."""
    match = re.match(r"import \{([^}]*)\} from 'three';\n", src)
    if match is None:
        raise SystemExit("OrbitControls.js no longer starts with one import from 'three'")
    names = [n.strip() for n in match.group(1).split(",") if n.strip()]
    body = src[match.end() :].replace("export { OrbitControls };", "THREE.OrbitControls = OrbitControls;")
    header = (
        f"// three.js r{THREE.split('.')[1]} examples/jsm/controls/OrbitControls.js (MIT), made a classic script:\n"
        "// the ES import of 'three' became a read of the global THREE, the export an assignment\n"
        "// to THREE.OrbitControls (done by richtypes/report/vendor/update.py; nothing else changed).\n"
    )
    return header + "(function () {\nconst { " + ", ".join(names) + " } = THREE;\n" + body + "})();\n"


def main() -> None:
    import vl_convert

    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["npm", "pack", f"three@{THREE}"], cwd=tmp, check=True)
        with tarfile.open(Path(tmp) / f"three-{THREE}.tgz") as tar:
            tar.extractall(tmp, filter="data")
        pkg = Path(tmp) / "package"
        (HERE / "three.min.js").write_bytes((pkg / "build" / "three.min.js").read_bytes())
        controls = (pkg / "examples/jsm/controls/OrbitControls.js").read_text("utf-8")
        (HERE / "orbit-controls.js").write_text(_orbit_controls_classic(controls), "utf-8")
    bundle = vl_convert.javascript_bundle(None, vl_version=VEGA_LITE)  # the default snippet
    (HERE / "vega-bundle.js").write_text(bundle, "utf-8")
    versions = json.loads((HERE / "VERSIONS.json").read_text("utf-8"))
    versions["sha256"] = {
        name: hashlib.sha256((HERE / name).read_bytes()).hexdigest()
        for name in ("three.min.js", "orbit-controls.js", "vega-bundle.js")
    }
    (HERE / "VERSIONS.json").write_text(json.dumps(versions, indent=2) + "\n", "utf-8")


if __name__ == "__main__":
    main()
