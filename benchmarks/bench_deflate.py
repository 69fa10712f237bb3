"""Which deflate writes richtypes' PNGs: zlib, ISA-L, zlib-ng and libdeflate on several image kinds.

    python -m benchmarks.bench_deflate [--repeats 9] [--size 512]

Each image is filtered as ``encode_png`` filters it (filter "Up", in memory),
then each deflate library compresses the filtered bytes to a zlib stream (the
payload of a PNG's IDAT chunks); the table gives the median milliseconds and
the kilobytes of that stream. A library that is not installed is shown as
unavailable (``pip install isal zlib-ng deflate``). A second table times
ISA-L on the whole image against bands deflated on two threads (how the zlib
path of ``encode_png`` splits large images), to show where bands pay.
"""

from __future__ import annotations

import argparse
import time
import zlib
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from richtypes.codecs.png import filter_up

from ._w_images import make_images, make_mask

Compress = Callable[[bytes], bytes]


def image_kinds(size: int) -> dict[str, np.ndarray]:
    """The images compared: the W1 benchmark image, photo-like, flat synthetic, noise, a mask."""
    rng = np.random.default_rng(0)
    y, x = np.mgrid[0:size, 0:size].astype(np.float32) * (512 / size)
    smooth = np.dstack(
        [
            128 + 60 * np.sin(x / 40) + 40 * np.cos(y / 70),
            100 + 50 * np.sin((x + y) / 55),
            90 + 70 * np.cos(x / 90) * np.sin(y / 30),
        ]
    )
    photo = np.clip(smooth + rng.normal(0, 3, smooth.shape), 0, 255).astype(np.uint8)
    flat = np.zeros((size, size, 3), np.uint8)  # a rendered chart: flat areas, bars, grid lines
    flat[:] = (245, 245, 250)
    step = max(size // 16, 1)
    for i in range(0, size, step):
        flat[i, :] = (200, 200, 200)
        flat[:, i] = (200, 200, 200)
    for k, i in enumerate(range(step, size - step, 2 * step)):
        top = int(size * (0.2 + 0.6 * ((k * 37) % 10) / 10))
        flat[top:, i : i + step] = ((k * 50) % 256, 90, 200 - (k * 20) % 200)
    return {
        "W1 (noise | gradient)": make_images(1, size)[0],
        "photo-like": photo,
        "flat synthetic": flat,
        "uniform noise": rng.integers(0, 256, (size, size, 3), dtype=np.uint8),
        "mask (20 classes)": make_mask(size),
    }


def codecs() -> dict[str, Compress | str]:
    """Library and level -> compress function, or the reason it is unavailable."""
    out: dict[str, Compress | str] = {}
    for level in (1, 6):
        out[f"zlib {level}"] = lambda d, lv=level: zlib.compress(d, lv)
    try:
        from isal import isal_zlib

        for level in (0, 1, 2):
            out[f"isal {level}"] = lambda d, lv=level: isal_zlib.compress(d, lv)
    except ImportError:
        out["isal"] = "pip install isal"
    try:
        from zlib_ng import zlib_ng

        for level in (1, 6):
            out[f"zlib-ng {level}"] = lambda d, lv=level: zlib_ng.compress(d, lv)
    except ImportError:
        out["zlib-ng"] = "pip install zlib-ng"
    try:
        import deflate

        for level in (1, 6):
            out[f"libdeflate {level}"] = lambda d, lv=level: deflate.zlib_compress(d, lv)
    except ImportError:
        out["libdeflate"] = "pip install deflate"
    return out


def median_ms(fn: Callable[[], object], repeats: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - start)
    return sorted(times)[repeats // 2] * 1e3, out


def _bands(data: bytes, band: int, pool: ThreadPoolExecutor) -> bytes:
    from isal import isal_zlib

    def one(start: int) -> bytes:
        comp = isal_zlib.compressobj(1, isal_zlib.DEFLATED, -15)
        last = start + band >= len(data)
        chunk = data[start : start + band]
        return comp.compress(chunk) + comp.flush(
            isal_zlib.Z_FINISH if last else isal_zlib.Z_SYNC_FLUSH
        )

    parts = list(pool.map(one, range(0, len(data), band)))
    return b"\x78\x5e" + b"".join(parts) + zlib.adler32(data).to_bytes(4, "big")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_deflate")
    parser.add_argument("--repeats", type=int, default=9)
    parser.add_argument("--size", type=int, default=512)
    args = parser.parse_args(argv)
    kinds = {
        k: filter_up(a if a.ndim == 3 else a[:, :, None]).tobytes()
        for k, a in image_kinds(args.size).items()
    }
    table = codecs()
    names = list(kinds)
    print(f"{args.size}x{args.size} images, filter Up; median ms / kB of the zlib stream")
    print(f"{'deflate':<14}" + "".join(f"{n:>24}" for n in names))
    for codec, fn in table.items():
        if isinstance(fn, str):
            print(f"{codec:<14}unavailable ({fn})")
            continue
        cells = []
        for data in kinds.values():
            ms, out = median_ms(lambda fn=fn, data=data: fn(data), args.repeats)
            assert zlib.decompress(out) == data  # type: ignore[arg-type]
            cells.append(f"{ms:8.2f} ms {len(out) / 1e3:7.1f} kB")  # type: ignore[arg-type]
        print(f"{codec:<14}" + "".join(f"{c:>24}" for c in cells))
    try:
        from isal import isal_zlib
    except ImportError:
        return
    print("\nISA-L level 1, W1 image: whole image in one call against bands on two threads (ms)")
    with ThreadPoolExecutor(2) as pool:
        for size in (512, 2048):
            data = filter_up(make_images(1, size)[0]).tobytes()
            whole, _ = median_ms(lambda d=data: isal_zlib.compress(d, 1), args.repeats)
            cells = [f"whole {whole:.2f}"]
            for band in (256 << 10, 1 << 20, 4 << 20):
                ms, out = median_ms(lambda d=data, b=band: _bands(d, b, pool), args.repeats)
                assert zlib.decompress(out) == data  # type: ignore[arg-type]
                cells.append(f"bands of {band >> 10} KiB {ms:.2f}")
            print(f"{size}x{size}: " + ", ".join(cells))


if __name__ == "__main__":
    main()
