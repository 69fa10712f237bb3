"""Shared pieces of the workloads: the case structure, the richtypes job and raw baselines."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ._measure import Job, Unavailable

__all__ = [
    "Case",
    "Goal",
    "richtypes_attr",
    "richtypes_job",
    "npy_job",
    "png_job",
    "json_job",
    "msgpack_job",
    "guard",
]


@dataclass
class Goal:
    """A target from the issues, checked against the results.

    ``metric`` is ``"encode"`` (seconds) or ``"peak_mem_vs_input"``. ``ref``
    names the baseline compared with (a baseline's name, ``"best_raw"`` for
    the fastest baseline, ``"wandb"``). With ``kind="max_ratio"`` the goal is
    met when richtypes / ref <= ``limit``; with ``kind="min_speedup"`` when
    ref / richtypes >= ``limit``.
    """

    text: str
    metric: str
    ref: str
    limit: float
    kind: str = "max_ratio"

    def to_json(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "metric": self.metric,
            "ref": self.ref,
            "limit": self.limit,
            "kind": self.kind,
        }


@dataclass
class Case:
    """One row of results: richtypes, its raw baselines and its peers on the same input."""

    id: str
    title: str
    richtypes: Job | Unavailable
    baselines: list[Job | Unavailable] = field(default_factory=list)
    peers: dict[str, Job | Unavailable] = field(default_factory=dict)
    goals: list[Goal] = field(default_factory=list)
    input_bytes: int = 0
    params: dict[str, Any] = field(default_factory=dict)
    #: The inputs, for the peer SDKs' jobs (``_rerun.py``, ``_tbx.py``) to log the same data.
    inputs: dict[str, Any] = field(default_factory=dict)


def richtypes_attr(dotted: str) -> Any:
    """``richtypes.<dotted>`` if it is importable, else an :class:`Unavailable`."""
    import importlib

    parts = dotted.split(".")
    try:
        obj: Any = importlib.import_module("richtypes")
    except ImportError as exc:
        return Unavailable("richtypes", f"richtypes is not importable: {exc}")
    for i, part in enumerate(parts):
        if not hasattr(obj, part):
            try:  # a submodule such as richtypes.plot
                obj = importlib.import_module("richtypes." + ".".join(parts[: i + 1]))
                continue
            except ImportError:
                return Unavailable("richtypes", f"richtypes.{dotted} is not available yet")
        obj = getattr(obj, part)
    return obj


def guard(*attrs: Any) -> Unavailable | None:
    """The first :class:`Unavailable` among ``attrs`` (results of :func:`richtypes_attr`), if any."""
    for attr in attrs:
        if isinstance(attr, Unavailable):
            return attr
    return None


def _write_doc(doc: Any, path: Path) -> None:
    import richtypes

    writer = getattr(richtypes, "write_json", None)
    if writer is None:
        from richtypes.core.nest import write_json as writer
    writer(doc, path)


def richtypes_job(
    build: Callable[[], Any],
    *,
    reference: Any = None,
    note: str = "",
    materialize: Callable[[Any], Any] | None = None,
    serial: bool = False,
) -> Job:
    """Construct with ``build()``, ``richtypes.dump`` into a fresh ``Store`` and write the JSON document.

    Decoding is ``richtypes.load(doc.json)``, followed by ``materialize(value)``
    when given (e.g. ``Video.to_numpy()``: types that keep encoded bytes decode
    pixels lazily, and the baselines decode pixels). The round-trip check
    compares the loaded value with ``reference`` (built once, untimed) when
    one is given. ``dump`` runs as users call it (its default spreads the
    media of a nest over richtypes' shared thread pool); ``serial=True``
    passes ``executor=None``, every media object encoded on the calling thread.
    """
    import richtypes

    options: dict[str, Any] = {"executor": None} if serial else {}

    def encode(out_dir: Path) -> Path:
        value = build()
        doc = richtypes.dump(value, richtypes.Store(out_dir), **options)
        doc_path = out_dir / "doc.json"
        _write_doc(doc, doc_path)
        return doc_path

    def decode(out_dir: Path, doc_path: Path) -> Any:
        value = richtypes.load(doc_path)
        if materialize is not None:
            materialize(value)
        return value

    check = None
    if reference is not None:

        def check(value: Any) -> bool:
            return bool(value == reference)

    job = Job("richtypes", encode, decode, check, note=note)
    if materialize is not None:
        job.decode_note = "load + decode to arrays"
    return job


# ---------------------------------------------------------------- raw baselines
def npy_job(arrays: Mapping[str, np.ndarray], *, tofile: bool = False) -> Job:
    """``np.save`` (or ``ndarray.tofile``) of each array to its own file; read back with ``np.load``/``np.fromfile``."""

    def encode(out_dir: Path) -> None:
        for name, arr in arrays.items():
            if tofile:
                arr.tofile(out_dir / f"{name}.bin")
            else:
                np.save(out_dir / f"{name}.npy", arr, allow_pickle=False)

    def decode(out_dir: Path, _h: Any) -> dict[str, np.ndarray]:
        if tofile:
            return {
                name: np.fromfile(out_dir / f"{name}.bin", dtype=arr.dtype).reshape(arr.shape)
                for name, arr in arrays.items()
            }
        return {name: np.load(out_dir / f"{name}.npy", allow_pickle=False) for name in arrays}

    def check(value: dict[str, np.ndarray]) -> bool:
        return all(np.array_equal(value[k], v) for k, v in arrays.items())

    return Job("ndarray.tofile" if tofile else "np.save", encode, decode, check)


def png_job(images: Sequence[np.ndarray], level: int, *, name: str | None = None) -> Job:
    """Pillow PNG at ``compress_level=level``, one file per image; decoded with Pillow to arrays."""
    from PIL import Image as PILImage

    def encode(out_dir: Path) -> None:
        for i, arr in enumerate(images):
            PILImage.fromarray(arr).save(out_dir / f"{i:05d}.png", compress_level=level)

    decode, check = png_folder_reader(images)
    return Job(name or f"PNG level {level}", encode, decode, check)


def png_folder_reader(
    images: Sequence[np.ndarray],
) -> tuple[Callable[[Path, Any], list[np.ndarray]], Callable[[list[np.ndarray]], bool]]:
    """``(decode, check)`` for a job that wrote ``images`` as ``00000.png``, ``00001.png`` ...: Pillow reads them back."""
    from PIL import Image as PILImage

    def decode(out_dir: Path, _h: Any) -> list[np.ndarray]:
        out = []
        for i in range(len(images)):
            with PILImage.open(out_dir / f"{i:05d}.png") as im:
                out.append(np.asarray(im))
        return out

    def check(value: list[np.ndarray]) -> bool:
        return all(np.array_equal(a, b) for a, b in zip(value, images))

    return decode, check


def json_job(obj: Any, *, lib: str = "json", name: str | None = None) -> Job:
    """The same dicts written as one JSON file with ``json`` or ``orjson``."""
    if lib == "orjson":
        import orjson

        def dumps(o: Any) -> bytes:
            return orjson.dumps(o, option=orjson.OPT_SERIALIZE_NUMPY | orjson.OPT_NON_STR_KEYS)

        loads: Callable[[bytes], Any] = orjson.loads
    else:

        def dumps(o: Any) -> bytes:
            return json.dumps(o, separators=(",", ":")).encode()

        loads = json.loads

    def encode(out_dir: Path) -> None:
        (out_dir / "doc.json").write_bytes(dumps(obj))

    def decode(out_dir: Path, _h: Any) -> Any:
        return loads((out_dir / "doc.json").read_bytes())

    return Job(name or lib, encode, decode)


def msgpack_job(obj: Any, *, name: str = "msgpack") -> Job:
    """The same columns packed with ``msgpack.packb`` into one file."""
    import msgpack

    def encode(out_dir: Path) -> None:
        (out_dir / "cols.msgpack").write_bytes(msgpack.packb(obj, use_bin_type=True))

    def decode(out_dir: Path, _h: Any) -> Any:
        return msgpack.unpackb(
            (out_dir / "cols.msgpack").read_bytes(), raw=False, strict_map_key=False
        )

    return Job(name, encode, decode)


def optional_job(name: str, module: str, make: Callable[[], Job]) -> Job | Unavailable:
    """``make()`` when ``module`` imports, else an :class:`Unavailable` naming it."""
    import importlib

    try:
        importlib.import_module(module)
    except ImportError:
        return Unavailable(name, f"{module} is not installed")
    return make()
