"""Demo: a rollout clip as an animated GIF (no extra needed), and as mp4 when ffmpeg is installed."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..video import Video


def _rollout(frames: int = 32, size: int = 64) -> np.ndarray:
    """A ball bouncing across a gradient, (T, C, H, W) as a policy's renderer might return it."""
    t = np.arange(frames)[:, None, None]
    y, x = np.mgrid[0:size, 0:size]
    cx = np.abs((t * 4) % (2 * size) - size)
    cy = size / 2 + size / 3 * np.sin(t / 3)
    ball = (x - cx) ** 2 + (y - cy) ** 2 < 36
    base = np.stack(
        np.broadcast_arrays(x * 4 % 256 + 0 * t, y * 4 % 256 + 0 * t, 96 + 0 * t * x), axis=1
    )
    base[:, 0][ball] = 255
    base[:, 1][ball] = base[:, 2][ball] = 32
    return base.astype(np.uint8)


def example() -> dict[str, Any]:
    clip = _rollout()
    out: dict[str, Any] = {"rollout_gif": Video(clip, fps=8, caption="episode 3")}
    try:
        out["rollout_mp4"] = Video(clip, fps=8, format="mp4", caption="episode 3")
    except ImportError:  # MissingDependencyError: the video extra is not installed
        pass
    return out
