"""Peak memory of decoding small image files that claim large pixel counts ("bombs").

    python -m benchmarks.bench_decode_bombs

Each bomb is under the pixel limit (``MAX_PIXELS``), so only the decode
memory budget (``richtypes.codecs.image.MAX_DECODE_BYTES``) stands between it
and gigabytes. Each case decodes in a fresh process; the table gives the file
size, the outcome, and the child's peak RSS (``ru_maxrss``).
"""

from __future__ import annotations

import io
import json
import resource
import struct
import subprocess
import sys
import zlib
from pathlib import Path

_SIDE = 11585  # 11585**2 = 134,212,225 pixels, just under 2**27


def _chunk(tag: bytes, payload: bytes) -> bytes:
    crc = zlib.crc32(payload, zlib.crc32(tag))
    return struct.pack(">I", len(payload)) + tag + payload + struct.pack(">I", crc)


def png_bomb(side: int = _SIDE, colour: int = 6, depth: int = 8) -> bytes:
    """A valid PNG of ``side`` x ``side`` zero pixels (colour type 6: RGBA, 0: grey)."""
    channels = {0: 1, 2: 3, 6: 4}[colour]
    row = b"\0" * (1 + side * channels * depth // 8)
    comp = zlib.compressobj(9)
    parts = [comp.compress(row * 64) for _ in range(side // 64)]
    parts.append(comp.compress(row * (side % 64)))
    parts.append(comp.flush())
    header = struct.pack(">IIBBBBB", side, side, depth, colour, 0, 0, 0)
    return b"".join(
        [
            b"\x89PNG\r\n\x1a\n",
            _chunk(b"IHDR", header),
            _chunk(b"IDAT", b"".join(parts)),
            _chunk(b"IEND", b""),
        ]
    )


#: What Pillow writes for ``Image.new("RGBA", (11585, 11585))`` saved as lossless WebP
#: (``method=0, quality=0``): 34 bytes.
WEBP_BOMB = bytes.fromhex("524946461a000000574542505650384c0d0000002f402d501b071011118888fe0700")


def webp_bomb() -> bytes:
    """A valid 34-byte lossless WebP of 11585 x 11585 transparent pixels."""
    return WEBP_BOMB


def jpeg_bomb(width: int = 65500, height: int = 2048) -> bytes:
    """A tiny JPEG whose frame header is patched to ``width`` x ``height`` (no scan data to speak of)."""
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (8, 8)).save(out, format="JPEG", quality=50)
    data = bytearray(out.getvalue())
    sof = data.find(b"\xff\xc0")
    data[sof + 5 : sof + 9] = struct.pack(">HH", height, width)
    return bytes(data)


def bombs() -> dict[str, tuple[str, bytes]]:
    """name -> (decoder, bytes)."""
    return {
        "png_rgba_11585": ("decode", png_bomb()),
        "png_grey16_11585_mask": ("decode_indices", png_bomb(colour=0, depth=16)),
        "webp_lossless_11585": ("decode", webp_bomb()),
        "jpeg_65500x2048": ("decode", jpeg_bomb()),
    }


_CHILD = """
import resource, sys
from richtypes.codecs import image
data = open(sys.argv[1], "rb").read()
try:
    getattr(image, sys.argv[2])(data)
    outcome = "decoded"
except Exception as exc:
    outcome = f"{type(exc).__name__}: {str(exc)[:110]}"
print(outcome)
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def measure(folder: Path) -> list[dict[str, object]]:
    rows = []
    for name, (decoder, data) in bombs().items():
        path = folder / name
        path.write_bytes(data)
        proc = subprocess.run(
            [sys.executable, "-c", _CHILD, str(path), decoder],
            capture_output=True,
            text=True,
            timeout=600,
        )
        lines = proc.stdout.strip().splitlines()
        if proc.returncode != 0 or len(lines) < 2:
            outcome, peak = f"crashed (rc {proc.returncode}): {proc.stderr[-200:]}", -1.0
        else:
            outcome, peak = lines[-2], int(lines[-1]) / 1024
        rows.append(
            {"bomb": name, "file_bytes": len(data), "outcome": outcome, "peak_rss_mib": round(peak)}
        )
    return rows


def main() -> int:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        rows = measure(Path(tmp))
    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    for row in rows:
        print(json.dumps(row))  # noqa: T201 - a script's report
    print(f"(this parent process: {baseline:.0f} MiB)")  # noqa: T201
    return 0


if __name__ == "__main__":
    sys.exit(main())
