"""W1 images, W2 boxes, W3 segmentation mask."""

from __future__ import annotations

import io
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

from ._common import (
    Case,
    Goal,
    guard,
    json_job,
    png_folder_reader,
    png_job,
    richtypes_attr,
    richtypes_job,
)
from ._measure import Job, Unavailable
from ._wandb import WandbPeer, maybe_unavailable, wandb_peers

__all__ = ["w1", "w2", "w3", "make_images", "make_mask", "make_boxes", "mixed_forms"]


def make_images(n: int, size: int, seed: int = 0) -> list[np.ndarray]:
    """``n`` RGB uint8 images: the top half random noise, the bottom half a smooth gradient."""
    rng = np.random.default_rng(seed)
    half = size // 2
    y, x = np.mgrid[0 : size - half, 0:size].astype(np.float32)
    out = []
    for i in range(n):
        img = np.empty((size, size, 3), dtype=np.uint8)
        img[:half] = rng.integers(0, 256, (half, size, 3), dtype=np.uint8)
        phase = i / max(n, 1)
        img[half:, :, 0] = (255 * x / size).astype(np.uint8)
        img[half:, :, 1] = (255 * y / max(size - half, 1)).astype(np.uint8)
        img[half:, :, 2] = (
            127.5 * (1 + np.sin(2 * np.pi * (x + y) / size + 2 * np.pi * phase))
        ).astype(np.uint8)
        out.append(img)
    return out


def make_mask(size: int, classes: int = 20, seed: int = 0) -> np.ndarray:
    """A segmentation-like mask: smooth regions of ``classes`` class ids (uint8)."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:size, 0:size].astype(np.float32) / size
    field = np.zeros((size, size), np.float32)
    for _ in range(4):
        fx, fy, ph = rng.uniform(1, 4), rng.uniform(1, 4), rng.uniform(0, 2 * np.pi)
        field += np.sin(2 * np.pi * (fx * x + fy * y) + ph)
    lo, hi = float(field.min()), float(field.max())
    return np.minimum((field - lo) / (hi - lo + 1e-9) * classes, classes - 1).astype(np.uint8)


def make_boxes(n: int, size: int, classes: int = 10, seed: int = 0) -> dict[str, Any]:
    """``n`` pixel boxes inside a ``size`` x ``size`` image: columns and the list-of-dicts form."""
    rng = np.random.default_rng(seed)
    w = rng.uniform(4, size / 8, n)
    h = rng.uniform(4, size / 8, n)
    x0 = rng.uniform(0, size - w)
    y0 = rng.uniform(0, size - h)
    xyxy = np.stack([x0, y0, x0 + w, y0 + h], axis=1)
    class_ids = rng.integers(0, classes, n)
    scores = rng.random(n)
    labels = {i: f"class_{i}" for i in range(classes)}
    dicts = [
        {
            "position": {"minX": a, "minY": b, "maxX": c, "maxY": d},
            "domain": "pixel",
            "class_id": cid,
            "box_caption": labels[cid],
            "scores": {"acc": s},
        }
        for (a, b, c, d), cid, s in zip(xyxy.tolist(), class_ids.tolist(), scores.tolist())
    ]
    return {
        "xyxy": xyxy,
        "class_ids": class_ids,
        "scores": scores,
        "labels": labels,
        "dicts": dicts,
    }


def mixed_forms(dicts: list[dict[str, Any]], size: int) -> tuple[list[Any], list[Any]]:
    """The same boxes in mixed forms: every other box as middle/width/height (``styles``), and
    in ``domains`` also every third box in fractions of the image (no ``domain`` key), as the
    reference tracker's own example mixes them."""
    styles = []
    for i, d in enumerate(dicts):
        if i % 2:
            p = d["position"]
            w, h = p["maxX"] - p["minX"], p["maxY"] - p["minY"]
            middle = [p["minX"] + w / 2, p["minY"] + h / 2]
            d = {**d, "position": {"middle": middle, "width": w, "height": h}}
        styles.append(d)
    domains = []
    for i, d in enumerate(styles):
        if i % 3 == 0:
            p = d["position"]
            if "middle" in p:
                pos: dict[str, Any] = {
                    "middle": [v / size for v in p["middle"]],
                    "width": p["width"] / size,
                    "height": p["height"] / size,
                }
            else:
                pos = {k: v / size for k, v in p.items()}
            d = {k: v for k, v in d.items() if k != "domain"}
            d["position"] = pos
        domains.append(d)
    return styles, domains


def richtypes_png_codec() -> Callable[[np.ndarray], bytes] | None:
    """richtypes' own PNG encoder (``richtypes.codecs.image.encode_png``), if present."""
    try:
        from richtypes.codecs.image import encode_png
    except ImportError:
        return None
    return encode_png


CODEC_NAME = "richtypes encode_png + write"


POOL_CODEC_NAME = "copy + encode_png + write, 2 threads"


def codec_job(
    images: list[np.ndarray],
    extra: Callable[[Path], None] | None = None,
    name: str = CODEC_NAME,
    *,
    pool: bool = False,
) -> Job | Unavailable:
    """The codec richtypes chose, alone: ``encode_png`` of each array written to a file (+ ``extra`` work).

    The goal "within 1.05x of the chosen codec" compares richtypes with this:
    what is left is richtypes' own overhead (validation, hashing, JSON).
    ``pool=True`` is the floor of the threaded case: each array copied first, on
    the calling thread (what constructing an ``Image`` must do, since the caller
    may reuse its buffer), then encoded and written on one thread per core.
    """
    encode_png = richtypes_png_codec()
    if encode_png is None:
        return Unavailable(name, "richtypes.codecs.image.encode_png is not available")
    threads = ThreadPoolExecutor(os.cpu_count() or 1) if pool else None

    def write_one(out_dir: Path, i: int, arr: np.ndarray) -> None:
        (out_dir / f"{i:05d}.png").write_bytes(encode_png(arr))

    def encode(out_dir: Path) -> None:
        if threads is None:
            for i, arr in enumerate(images):
                write_one(out_dir, i, arr)
        else:
            copies = [arr.copy() for arr in images]
            list(threads.map(write_one, [out_dir] * len(copies), range(len(copies)), copies))
        if extra is not None:
            extra(out_dir)

    decode, check = png_folder_reader(images)
    return Job(name, encode, decode, check, note="filter Up + ISA-L deflate level 1")


STORE_FLOOR_NAME = "copy + encode_png + Store.put_chunks"


def store_floor_job(images: list[np.ndarray], *, pool: bool) -> Job | Unavailable:
    """The floor with content addressing: each array copied, then ``encode_png_parts`` into a ``Store``.

    What ``dump`` cannot skip for an image (the copy, the encode, the BLAKE3
    digest, the shard folder, the temporary file and its rename), without the
    ``Image`` object, its document or the nest walk. ``pool=True`` copies on the
    calling thread and stores on one thread per core, as ``dump`` does by
    default; otherwise one image after the other.
    """
    try:
        from richtypes import Store
        from richtypes.codecs.png import encode_png_parts
    except ImportError as exc:
        return Unavailable(STORE_FLOOR_NAME, f"richtypes' store or PNG parts are missing: {exc}")
    threads = ThreadPoolExecutor(os.cpu_count() or 1) if pool else None

    def encode(out_dir: Path) -> list[dict[str, Any]]:
        store = Store(out_dir)
        copies = [arr.copy() for arr in images]

        def put(arr: np.ndarray) -> dict[str, Any]:
            return store.put_chunks(encode_png_parts(arr), "png")

        return list(map(put, copies) if threads is None else threads.map(put, copies))

    def decode(out_dir: Path, refs: list[dict[str, Any]]) -> list[np.ndarray]:
        from PIL import Image as PILImage

        store, out = Store(out_dir), []
        for ref in refs:
            with PILImage.open(io.BytesIO(store.get_bytes(ref))) as im:
                out.append(np.asarray(im))
        return out

    _, check = png_folder_reader(images)  # the same pixel check as the plain floor's
    how = "one thread per core" if pool else "one thread"
    return Job(
        f"{STORE_FLOOR_NAME}, {'2 threads' if pool else '1 thread'}",
        encode,
        decode,
        check,
        note=f"content-addressed like dump, without Image objects or documents; {how}",
    )


def _pixels(value: Any) -> Any:
    """Decode every image/mask in a loaded nest to pixels (the baselines decode pixels too)."""
    if hasattr(value, "to_numpy"):
        value.to_numpy()
        for mask in getattr(value, "masks", {}).values():
            mask.to_numpy()
    elif isinstance(value, dict):
        for v in value.values():
            _pixels(v)
    elif isinstance(value, list):
        for v in value:
            _pixels(v)
    return value


def _png_baselines(images: list[np.ndarray]) -> list[Job | Unavailable]:
    return [codec_job(images), png_job(images, 6), png_job(images, 1)]


def w1(quick: bool, peer: WandbPeer | Unavailable | None) -> list[Case]:
    """W1: 50 RGB 512x512 uint8 images logged as one list: as ``dump`` runs them, and serially."""
    n, size = (3, 64) if quick else (50, 512)
    images = make_images(n, size)
    Image = richtypes_attr("Image")
    missing = guard(Image)
    jobs: dict[bool, Job | Unavailable] = {}
    for serial in (False, True):
        jobs[serial] = missing or richtypes_job(
            lambda: {"examples": [Image(a) for a in images]},
            reference={"examples": [Image(a) for a in images]},
            materialize=_pixels,
            serial=serial,
            note="dump(executor=None): one image after the other"
            if serial
            else "dump's default: the images encode on the shared thread pool, one thread per core",
        )

    def wandb_job() -> dict[str, Job | Unavailable]:
        return wandb_peers(peer, lambda p, wandb: p.job(lambda: [wandb.Image(a) for a in images]))

    common: dict[str, Any] = {
        "input_bytes": sum(a.nbytes for a in images),
        "inputs": {"images": images},
    }
    return [
        Case(
            id="W1",
            title=f"{n} RGB images {size}x{size} uint8",
            richtypes=jobs[False],
            baselines=[
                codec_job(images, name=POOL_CODEC_NAME, pool=True),
                store_floor_job(images, pool=True),
                *_png_baselines(images),
            ],
            peers=wandb_job(),
            goals=[
                Goal(
                    "default at least 3x faster than wandb", "encode", "wandb", 3.0, "min_speedup"
                ),
            ],
            params={"count": n, "size": size, "threads": os.cpu_count()},
            **common,
        ),
        Case(
            id="W1.serial",
            title=f"{n} RGB images {size}x{size} uint8, encoded one after the other",
            richtypes=jobs[True],
            baselines=[*_png_baselines(images), store_floor_job(images, pool=False)],
            peers=wandb_job(),
            goals=[Goal("within 1.05x of the chosen codec", "encode", CODEC_NAME, 1.05)],
            params={"count": n, "size": size},
            **common,
        ),
    ]


def _first_working(
    makers: list[tuple[str, Callable[[], Any]]],
) -> tuple[Callable[[], Any] | None, str]:
    """The first constructor form that accepts the input (probed once, untimed), and the form's name."""
    errors = []
    for name, make in makers:
        try:
            make()
            return make, name
        except Exception as exc:  # noqa: BLE001 - probing API forms
            errors.append(f"{name}: {type(exc).__name__}: {exc}"[:200])
    return None, "; ".join(errors)


def w2(quick: bool, peer: WandbPeer | Unavailable | None) -> list[Case]:
    """W2: one image with 1,000 boxes, list-of-dicts and columnar forms, with and without the image."""
    n, size = (20, 64) if quick else (1000, 512)
    image = make_images(1, size, seed=1)[0]
    b = make_boxes(n, size)
    dicts, labels = b["dicts"], b["labels"]
    group = {"box_data": dicts, "class_labels": labels}
    Image = richtypes_attr("Image")
    Boxes = richtypes_attr("BoundingBoxes2D")

    def columnar() -> Any:
        return Boxes(
            xyxy=b["xyxy"],
            class_ids=b["class_ids"],
            scores={"acc": b["scores"]},
            class_labels=labels,
            domain="pixel",
        )

    def dict_forms() -> list[tuple[str, Callable[[], Any]]]:
        forms: list[tuple[str, Callable[[], Any]]] = []
        for meth in ("from_dicts", "from_box_data", "from_json_dicts"):
            if hasattr(Boxes, meth):
                forms.append(
                    (
                        f"BoundingBoxes2D.{meth}",
                        lambda m=meth: getattr(Boxes, m)(dicts, class_labels=labels),
                    )
                )
        forms.append(("BoundingBoxes2D(group dict)", lambda: Boxes(group)))
        forms.append(
            ("BoundingBoxes2D(box_data=...)", lambda: Boxes(box_data=dicts, class_labels=labels))
        )
        return forms

    cases: list[Case] = []
    peer_missing = maybe_unavailable(peer)
    wandb = None if peer_missing else peer.wandb  # type: ignore[union-attr]

    # ---- boxes alone (the goals: list-of-dicts within 2x of orjson, columnar within 1.2x)
    for form in ("dicts", "columnar"):
        rt: Job | Unavailable
        missing = guard(Boxes)
        if missing:
            rt = missing
        else:
            if form == "dicts":
                make, how = _first_working(dict_forms())
            else:
                make, how = _first_working([("BoundingBoxes2D(xyxy=...)", columnar)])
            if make is None:
                rt = Unavailable(
                    "richtypes",
                    f"no BoundingBoxes2D form accepted the input: {how}",
                    status="error",
                )
            else:
                rt = richtypes_job(make, reference=make(), note=how)
        peers: dict[str, Job | Unavailable] = {}
        if peer_missing:
            peers["wandb"] = peer_missing
        else:
            from wandb.data_types import BoundingBoxes2D as WBBoxes

            peers["wandb"] = peer.job(  # type: ignore[union-attr]
                lambda: WBBoxes({"box_data": dicts, "class_labels": labels}, key="predictions"),
                note="wandb takes the list-of-dicts form only" if form == "columnar" else "",
            )
        cases.append(
            Case(
                id=f"W2.{form}",
                title=f"{n} boxes alone, {'list of dicts' if form == 'dicts' else 'columnar arrays'}",
                richtypes=rt,
                baselines=[json_job(group, lib="json"), json_job(group, lib="orjson")],
                peers=peers,
                goals=[
                    Goal(
                        "within 2x of orjson" if form == "dicts" else "within 1.2x of orjson",
                        "encode",
                        "orjson",
                        2.0 if form == "dicts" else 1.2,
                    )
                ],
                input_bytes=int(b["xyxy"].nbytes + b["class_ids"].nbytes + b["scores"].nbytes),
                params={"boxes": n, "image": size},
                inputs={"boxes": b, "form": form},
            )
        )

    # ---- image plus boxes, as users log it
    for form in ("dicts", "columnar"):
        missing = guard(Image, Boxes) if form == "columnar" else guard(Image)
        if missing:
            rt = missing
        elif form == "dicts":
            rt = richtypes_job(
                lambda: Image(image, boxes={"predictions": group}),
                reference=Image(image, boxes={"predictions": group}),
                materialize=_pixels,
            )
        else:
            rt = richtypes_job(
                lambda: Image(image, boxes={"predictions": columnar()}),
                reference=Image(image, boxes={"predictions": columnar()}),
                materialize=_pixels,
            )
        import orjson

        def write_boxes(out_dir: Path) -> None:
            (out_dir / "boxes.json").write_bytes(
                orjson.dumps(group, option=orjson.OPT_NON_STR_KEYS)
            )

        both = [
            codec_job([image], write_boxes, name="encode_png + orjson"),
            _png_plus_json(image, group, 1),
        ]
        peers = {}
        if peer_missing:
            peers["wandb"] = peer_missing
        else:
            peers["wandb"] = peer.job(lambda: wandb.Image(image, boxes={"predictions": group}))  # type: ignore[union-attr]
        cases.append(
            Case(
                id=f"W2.image+{form}",
                title=f"image {size}x{size} + {n} boxes, {'list of dicts' if form == 'dicts' else 'columnar'}",
                richtypes=rt,
                baselines=list(both),
                peers=peers,
                input_bytes=int(image.nbytes + b["xyxy"].nbytes),
                params={"boxes": n, "image": size},
                inputs={"boxes": b, "form": form, "image": image},
            )
        )

    # ---- image plus boxes in mixed forms (styles and domains), against the columnar form
    _, mixed = mixed_forms(dicts, size)
    mixed_group = {"box_data": mixed, "class_labels": labels}
    missing = guard(Image, Boxes)
    baselines: list[Job | Unavailable] = []
    if missing:
        rt = missing
    else:
        rt = richtypes_job(
            lambda: Image(image, boxes={"predictions": mixed_group}),
            reference=Image(image, boxes={"predictions": mixed_group}),
            materialize=_pixels,
        )
        columnar_job = richtypes_job(
            lambda: Image(image, boxes={"predictions": columnar()}), materialize=_pixels
        )
        columnar_job.name = "richtypes columnar"
        baselines.append(columnar_job)
    peers = {}
    if peer_missing:
        peers["wandb"] = peer_missing
    else:
        peers["wandb"] = peer.job(lambda: wandb.Image(image, boxes={"predictions": mixed_group}))  # type: ignore[union-attr]
    cases.append(
        Case(
            id="W2.image+mixed",
            title=f"image {size}x{size} + {n} boxes, list of dicts mixing position styles and domains",
            richtypes=rt,
            baselines=baselines,
            peers=peers,
            goals=[Goal("within 2x of the columnar form", "encode", "richtypes columnar", 2.0)],
            input_bytes=int(image.nbytes + b["xyxy"].nbytes),
            params={"boxes": n, "image": size},
            # rerun and TensorBoard get the same mixed dicts, converted in their timed work
            inputs={"boxes": {**b, "dicts": mixed}, "form": "dicts", "image": image},
        )
    )
    return cases


def _png_plus_json(image: np.ndarray, group: Any, level: int) -> Job:
    """PNG of the image plus orjson of the box dicts: the raw work of an image with boxes."""
    import orjson
    from PIL import Image as PILImage

    def encode(out_dir: Path) -> None:
        PILImage.fromarray(image).save(out_dir / "image.png", compress_level=level)
        (out_dir / "boxes.json").write_bytes(orjson.dumps(group, option=orjson.OPT_NON_STR_KEYS))

    def decode(out_dir: Path, _h: Any) -> Any:
        with PILImage.open(out_dir / "image.png") as im:
            arr = np.asarray(im)
        return arr, orjson.loads((out_dir / "boxes.json").read_bytes())

    return Job(f"PNG level {level} + orjson", encode, decode)


def w3(quick: bool, peer: WandbPeer | Unavailable | None) -> list[Case]:
    """W3: one 512x512 segmentation mask with 20 classes (alone, and on an image)."""
    size = 64 if quick else 512
    mask = make_mask(size)
    labels = {i: f"class_{i}" for i in range(20)}
    image = make_images(1, size, seed=2)[0]
    Image = richtypes_attr("Image")
    Mask = richtypes_attr("ImageMask")
    peer_missing = maybe_unavailable(peer)
    cases = []

    missing = guard(Mask)
    rt: Job | Unavailable
    if missing:
        rt = missing
    else:
        make, how = _first_working(
            [
                ("ImageMask(m, class_labels=...)", lambda: Mask(mask, class_labels=labels)),
                (
                    "ImageMask({'mask_data', 'class_labels'})",
                    lambda: Mask({"mask_data": mask, "class_labels": labels}),
                ),
                ("ImageMask(m)", lambda: Mask(mask)),
            ]
        )
        rt = (
            Unavailable("richtypes", how, status="error")
            if make is None
            else richtypes_job(make, reference=make(), note=how, materialize=_pixels)
        )
    peers: dict[str, Job | Unavailable] = {}
    if peer_missing:
        peers["wandb"] = peer_missing
    else:
        from wandb.data_types import ImageMask as WBMask

        peers["wandb"] = peer.job(
            lambda: WBMask({"mask_data": mask, "class_labels": labels}, key="gt")
        )  # type: ignore[union-attr]
    cases.append(
        Case(
            id="W3",
            title=f"segmentation mask {size}x{size}, 20 classes",
            richtypes=rt,
            baselines=[codec_job([mask]), png_job([mask], 6), png_job([mask], 1)],
            peers=peers,
            goals=[Goal("within 1.1x of the PNG encode", "encode", CODEC_NAME, 1.1)],
            input_bytes=mask.nbytes,
            params={"size": size, "classes": 20},
            inputs={"mask": mask, "labels": labels},
        )
    )

    missing = guard(Image)
    if missing:
        rt = missing
    else:
        masks = {"ground_truth": {"mask_data": mask, "class_labels": labels}}
        rt = richtypes_job(
            lambda: Image(image, masks=masks),
            reference=Image(image, masks=masks),
            materialize=_pixels,
        )
    peers = {}
    if peer_missing:
        peers["wandb"] = peer_missing
    else:
        wandb = peer.wandb  # type: ignore[union-attr]
        peers["wandb"] = peer.job(  # type: ignore[union-attr]
            lambda: wandb.Image(
                image, masks={"ground_truth": {"mask_data": mask, "class_labels": labels}}
            )
        )
    cases.append(
        Case(
            id="W3.image+mask",
            title=f"image {size}x{size} + mask",
            richtypes=rt,
            baselines=[
                codec_job([image, mask], name="encode_png + write (image + mask)"),
                png_job([image, mask], 1, name="PNG level 1 (image + mask)"),
            ],
            peers=peers,
            input_bytes=image.nbytes + mask.nbytes,
            params={"size": size},
            inputs={"mask": mask, "labels": labels, "image": image},
        )
    )
    return cases
