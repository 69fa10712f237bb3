"""The reference tracker's image inputs: Image(Image), matplotlib figures, RGBA as JPEG, normalize=False."""

from __future__ import annotations

import sys
import warnings

import numpy as np
import pytest

import richtypes
from richtypes import BoundingBoxes2D, Image, MissingDependencyError, ValidationError
from richtypes.image import input as image_module

RNG = np.random.default_rng(3)
RGB = RNG.integers(0, 256, (12, 10, 3), dtype=np.uint8)
BOXES = {"gt": BoundingBoxes2D(xyxy=[[1, 1, 5, 5]], domain="pixel")}


# ------------------------------------------------------------------ Image(Image)
def test_an_image_from_an_image_keeps_pixels_caption_and_annotations(roundtrip) -> None:
    src = Image(RGB, caption="cat", boxes=BOXES, masks={"m": np.zeros((12, 10), np.uint8)})
    copy = Image(src)
    assert copy == src and copy.caption == "cat" and copy.boxes == src.boxes
    assert set(copy.masks) == {"m"}
    _, back = roundtrip(copy)
    assert back == src


def test_what_is_given_overrides_the_source() -> None:
    src = Image(RGB, caption="cat", boxes=BOXES)
    copy = Image(src, caption="dog", boxes={})
    assert copy.caption == "dog" and copy.boxes == {}
    assert np.array_equal(copy.to_numpy(), RGB)
    grey = Image(src, mode="L")
    assert grey.mode == "L" and grey.caption == "cat"


def test_a_decoded_image_copies_its_file_byte_for_byte(tmp_path) -> None:
    src = richtypes.load(
        richtypes.dump(Image(RGB, file_type="jpeg", quality=70), tmp_path), tmp_path
    )
    copy = Image(src)
    assert copy.format == "jpeg" and copy._encoded() == src._encoded()


# ---------------------------------------------------------------------- matplotlib
def test_a_matplotlib_figure_and_pyplot_become_a_png() -> None:
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(2, 1), dpi=50)
    ax.plot([0, 1], [1, 0])
    try:
        img = Image(fig, caption="loss")
        assert (img.format, img.width, img.height, img.caption) == ("png", 100, 50, "loss")
        assert Image(plt).to_numpy().shape == img.to_numpy().shape  # the current figure
        assert plt.fignum_exists(fig.number)  # left open
        assert Image(fig, caption="loss") == img  # deterministic: no version text in the file
    finally:
        plt.close(fig)


def test_a_figure_without_matplotlib_names_the_extra(monkeypatch) -> None:
    class Figure:
        __module__ = "matplotlib.figure"

        def savefig(self, *args, **kwargs):  # pragma: no cover - never reached
            raise AssertionError

    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(
        MissingDependencyError,
        match=r"^an Image from a matplotlib figure needs the optional package 'matplotlib'; "
        r"install it with: pip install 'richtypes\[matplotlib\]'$",
    ):
        Image(Figure())


# ---------------------------------------------------------------------- RGBA as JPEG
@pytest.mark.parametrize("file_type", ["jpeg", "jpg"])
def test_rgba_as_jpeg_drops_alpha_and_warns_once(monkeypatch, file_type) -> None:
    monkeypatch.setattr(image_module, "_warned_alpha", False)
    rgba = np.dstack([RGB, np.full((12, 10), 7, np.uint8)])
    with pytest.warns(UserWarning, match="^JPEG has no alpha channel"):
        img = Image(rgba, file_type=file_type)
    assert (img.format, img.mode, img.channels) == ("jpeg", "RGB", 3)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        again = Image(rgba, file_type=file_type)  # no second warning
    assert again == img
    assert np.array_equal(img.to_numpy(), Image(RGB, file_type="jpeg").to_numpy())


def test_an_explicit_rgba_mode_as_jpeg_is_still_refused() -> None:
    with pytest.raises(
        ValidationError,
        match=r"^\$\.file_type: JPEG stores grey or RGB pixels, not RGBA; use 'png' or 'webp', got 'jpeg'$",
    ):
        Image(RGB, mode="RGBA", file_type="jpeg")


# ---------------------------------------------------------------------- normalize=False
def test_normalize_false_takes_values_as_0_255_pixels() -> None:
    floats = np.array([[0.0, 1.0, 254.6], [127.4, 3.5, 255.0]])
    img = Image(floats, normalize=False)
    assert img.to_numpy().tolist() == [[0, 1, 255], [127, 4, 255]]
    assert img.dtype == "uint8"
    ints = np.array([[0, 300 - 45]], np.int32)
    assert Image(ints, normalize=False).to_numpy().tolist() == [[0, 255]]
    assert Image(np.array([[9]], np.uint16), normalize=False).dtype == "uint8"
    assert Image(np.array([[0.5]]), normalize=True).to_numpy().tolist() == [[128]]


@pytest.mark.parametrize(
    "arr, message",
    [
        (
            np.array([[0.0, 255.6]]),
            r"^\$\.data\[0\]\[1\]: pixels must be in 0\.\.255 \(normalize=False\), got 255\.6$",
        ),
        (
            np.array([[0, -1]], np.int16),
            r"^\$\.data\[0\]\[1\]: pixels must be in 0\.\.255 \(normalize=False\), got -1$",
        ),
        (np.array([[0.0, np.nan]]), r"^\$\.data\[0\]\[1\]: pixels must be finite, got nan$"),
    ],
)
def test_normalize_false_refuses_values_outside_0_255(arr, message) -> None:
    with pytest.raises(ValidationError, match=message):
        Image(arr, normalize=False)
