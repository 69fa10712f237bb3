"""W9 (issue 9): a 64-frame 128x128 RGB clip in each available format, beside imageio writing it directly."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import numpy as np

from ._common import Case, Goal, guard, richtypes_attr, richtypes_job
from ._measure import Job, Unavailable
from ._wandb import WandbPeer, maybe_unavailable

__all__ = ["w9", "make_frames", "available_formats"]

FPS = 4


def make_frames(t: int, size: int, seed: int = 0) -> np.ndarray:
    """(T, H, W, 3) uint8: a moving gradient with a little noise (compressible, not trivial)."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:size, 0:size].astype(np.float32)
    k = np.arange(t, dtype=np.float32)[:, None, None]
    frames = np.empty((t, size, size, 3), dtype=np.uint8)
    frames[..., 0] = (127.5 * (1 + np.sin((x[None] + 4 * k) / 9))).astype(np.uint8)
    frames[..., 1] = (127.5 * (1 + np.cos((y[None] - 3 * k) / 13))).astype(np.uint8)
    frames[..., 2] = rng.integers(0, 32, (t, size, size), dtype=np.uint8) + (
        x[None] * 200 / size
    ).astype(np.uint8)
    return frames


def available_formats() -> list[str]:
    """GIF always (Pillow); mp4 and webm when imageio-ffmpeg is installed."""
    formats = ["gif"]
    if importlib.util.find_spec("imageio_ffmpeg") is not None:
        formats += ["mp4", "webm"]
    return formats


def _richtypes_codec(fmt: str) -> tuple[str | None, list[str]]:
    """The ffmpeg encoder and output arguments richtypes uses for ``fmt`` (so the baseline does the same work)."""
    try:
        from richtypes.codecs.ffmpeg import CODECS
    except ImportError:
        return None, []
    codec, params = CODECS.get(fmt, (None, []))
    return codec, list(params)


def _imageio_job(frames: np.ndarray, fmt: str) -> Job:
    """imageio writing the frames directly: Pillow GIF (imageio's default quantizer), ffmpeg for mp4/webm.

    For mp4/webm it uses the same encoder and arguments as richtypes, so the
    two differ only in the wrapping.
    """
    import imageio.v2 as iio2
    import imageio.v3 as iio

    path_name = f"clip.{fmt}"
    codec, params = _richtypes_codec(fmt)
    kwargs: dict[str, Any] = {"fps": FPS, "macro_block_size": 1, "ffmpeg_log_level": "error"}
    if codec is not None:
        kwargs.update(codec=codec, output_params=params, quality=None, pixelformat="yuv420p")

    def encode(out_dir: Path) -> None:
        if fmt == "gif":
            iio.imwrite(
                out_dir / path_name,
                frames,
                plugin="pillow",
                extension=".gif",
                duration=1000 / FPS,
                loop=0,
            )
        else:
            iio2.mimwrite(out_dir / path_name, list(frames), format="FFMPEG", **kwargs)

    def decode(out_dir: Path, _h: Any) -> Any:
        if fmt == "gif":
            return iio.imread(out_dir / path_name, plugin="pillow", index=None)
        return np.stack(iio2.mimread(out_dir / path_name, format="FFMPEG", memtest=False))

    note = f"{codec} {' '.join(params)}" if codec else "imageio defaults"
    return Job(
        f"imageio {fmt}",
        encode,
        decode,
        note=note if fmt != "gif" else "Pillow median-cut quantizer (imageio's default)",
    )


def _pillow_gif_octree_job(frames: np.ndarray) -> Job:
    """Pillow GIF with the fast octree quantizer: the same settings richtypes chose, written directly."""
    from PIL import Image as PILImage

    def encode(out_dir: Path) -> None:
        images = [
            PILImage.fromarray(f).quantize(256, method=PILImage.Quantize.FASTOCTREE) for f in frames
        ]
        images[0].save(
            out_dir / "clip.gif",
            save_all=True,
            append_images=images[1:],
            duration=int(1000 / FPS),
            loop=0,
        )

    def decode(out_dir: Path, _h: Any) -> Any:
        out = []
        with PILImage.open(out_dir / "clip.gif") as im:
            for i in range(getattr(im, "n_frames", 1)):
                im.seek(i)
                out.append(np.asarray(im.convert("RGB")))
        return np.stack(out)

    return Job("Pillow gif (fast octree)", encode, decode)


def w9(quick: bool, peer: WandbPeer | Unavailable | None) -> list[Case]:
    """W9: a 64-frame 128x128 RGB clip per available format."""
    t, size = (4, 32) if quick else (64, 128)
    frames = make_frames(t, size)
    Video = richtypes_attr("Video")
    peer_missing = maybe_unavailable(peer)
    moviepy = importlib.util.find_spec("moviepy") is not None
    cases = []
    for fmt in available_formats():
        rt: Job | Unavailable = guard(Video) or richtypes_job(
            lambda f=fmt: Video(frames, fps=FPS, format=f), materialize=lambda v: v.to_numpy()
        )
        peers: dict[str, Job | Unavailable] = {}
        if peer_missing:
            peers["wandb"] = peer_missing
        elif not moviepy:
            peers["wandb"] = Unavailable(
                "wandb", "wandb.Video needs moviepy to encode arrays (wandb[media]); not installed"
            )
        else:
            wandb = peer.wandb  # type: ignore[union-attr]
            chw = np.ascontiguousarray(frames.transpose(0, 3, 1, 2))
            peers["wandb"] = peer.job(
                lambda f=fmt, w=wandb, chw=chw: w.Video(chw, fps=FPS, format=f)
            )  # type: ignore[union-attr]
        cases.append(
            Case(
                id=f"W9.{fmt}",
                title=f"video {t} frames {size}x{size} RGB as {fmt}",
                richtypes=rt,
                baselines=[_imageio_job(frames, fmt)]
                + ([_pillow_gif_octree_job(frames)] if fmt == "gif" else []),
                peers=peers,
                goals=[Goal("within 1.1x of imageio", "encode", f"imageio {fmt}", 1.1)],
                input_bytes=frames.nbytes,
                params={"frames": t, "size": size, "fps": FPS, "format": fmt},
            )
        )
    return cases
