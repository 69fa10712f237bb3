"""Video: frame arrays to GIF/mp4/webm, video files stored as they are, sniffing, bad inputs and round trips."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import imageio.v3 as iio
import numpy as np
import pytest
from arraylikes import HasArray
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import richtypes
from richtypes import FormatError, MissingDependencyError, ValidationError, Video
from richtypes.codecs.sniff import sniff_video
from richtypes.video import MAX_FRAMES, MAX_PIXELS

imageio_ffmpeg = pytest.importorskip("imageio_ffmpeg")


def _clip(frames: int = 6, height: int = 16, width: int = 24) -> np.ndarray:
    """A moving colour ramp, (T, H, W, 3) uint8: distinct frames that quantize well."""
    t, y, x = np.meshgrid(np.arange(frames), np.arange(height), np.arange(width), indexing="ij")
    return np.stack(
        [(x * 10 + t * 20) % 256, (y * 12) % 256, (x + y + t * 30) % 256], axis=-1
    ).astype(np.uint8)


CLIP = _clip()


def _with(arr: np.ndarray, index: tuple[int, ...], value: float) -> np.ndarray:
    arr[index] = value
    return arr


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, Path]:
    """The clip as gif (imageio + Pillow), mp4 (imageio + ffmpeg), webm and mov (ffmpeg), written by other tools."""
    folder = tmp_path_factory.mktemp("video")
    out = {"gif": folder / "clip.gif", "mp4": folder / "clip.mp4"}
    iio.imwrite(out["gif"], CLIP, duration=100, loop=0)
    iio.imwrite(out["mp4"], CLIP, fps=10, macro_block_size=1)
    for ext, codec in (("webm", "libvpx-vp9"), ("mov", "libx264")):
        out[ext] = folder / f"clip.{ext}"
        subprocess.run(
            [
                imageio_ffmpeg.get_ffmpeg_exe(),
                "-v",
                "error",
                "-y",
                "-i",
                str(out["mp4"]),
                "-c:v",
                codec,
                str(out[ext]),
            ],
            check=True,
        )
    return out


@pytest.mark.parametrize(
    "form",
    [
        CLIP,
        CLIP.transpose(0, 3, 1, 2),
        CLIP / 255.0,
        (CLIP / 255.0).astype(np.float32),
        CLIP.astype(np.int64),
        CLIP.tolist(),
        HasArray(CLIP),
    ],
    ids=["THWC", "TCHW", "float64", "float32", "int64", "list", "__array__"],
)
def test_every_frame_form_gives_the_same_video(form) -> None:
    video = Video(form, fps=10)
    assert video == Video(CLIP, fps=10)
    assert (video.format, video.frames, video.height, video.width, video.fps) == (
        "gif",
        6,
        16,
        24,
        10.0,
    )


@pytest.mark.parametrize(
    "frames",
    [CLIP[..., 0], CLIP[..., :1], CLIP[..., :1].transpose(0, 3, 1, 2)],
    ids=["THW", "THW1", "T1HW"],
)
def test_grey_frames_are_stored_lossless_in_a_gif(roundtrip, frames) -> None:
    _, back = roundtrip(Video(frames, fps=5))
    decoded = back.to_numpy()
    assert decoded.shape == (6, 16, 24, 3)
    assert np.array_equal(decoded[..., 0], CLIP[..., 0]) and np.array_equal(
        decoded[..., 2], CLIP[..., 0]
    )


def test_gif_round_trip_keeps_the_frames_close(roundtrip) -> None:
    doc, back = roundtrip(Video(CLIP, fps=10, caption="ramp"))
    assert {k: doc[k] for k in ("format", "fps", "frames", "width", "height", "caption")} == {
        "format": "gif",
        "fps": 10.0,
        "frames": 6,
        "width": 24,
        "height": 16,
        "caption": "ramp",
    }
    decoded = back.to_numpy()
    assert decoded.shape == CLIP.shape and not decoded.flags.writeable
    assert np.mean(np.abs(decoded.astype(int) - CLIP)) < 8  # 256 colours per frame


def test_identical_frames_still_count_and_decode(roundtrip) -> None:
    frames = np.zeros((5, 6, 4, 3), np.uint8)
    frames[3:] = 200
    _, back = roundtrip(Video(frames, fps=4))
    assert back.frames == 5 and np.array_equal(back.to_numpy(), frames)


@pytest.mark.parametrize("fmt", ["mp4", "webm"])
def test_ffmpeg_formats_round_trip(roundtrip, fmt) -> None:
    clip = _clip(8, 32, 32)
    doc, back = roundtrip(Video(clip, fps=8, format=fmt))
    assert doc["file"]["format"] == fmt and sniff_video(back.data[:64]) == fmt
    decoded = back.to_numpy()
    assert decoded.shape == (8, 32, 32, 3)
    assert np.mean(np.abs(decoded.astype(int) - clip)) < 12  # lossy, but the same picture


def test_webm_keeps_an_alpha_channel_input() -> None:
    rgba = np.concatenate([CLIP, np.full(CLIP.shape[:3] + (1,), 255, np.uint8)], axis=-1)
    assert sniff_video(Video(rgba, format="webm").data[:64]) == "webm"


@pytest.mark.parametrize("fmt, fps", [("gif", 10.0), ("mp4", 10.0), ("webm", 10.0), ("mov", 10.0)])
def test_files_are_stored_byte_identical_with_their_own_metadata(
    files, roundtrip, tmp_path: Path, fmt, fps
) -> None:
    data = files[fmt].read_bytes()
    sources = (
        (files[fmt], str(files[fmt]), io.BytesIO(data), data)
        if fmt == "gif"
        else (str(files[fmt]), io.BytesIO(data))
    )
    for source in sources:  # each ffmpeg probe starts two processes: keep them few
        video = Video(source, fps=3, caption="as is")
        assert (video.format, video.frames, video.width, video.height, video.fps) == (
            fmt,
            6,
            24,
            16,
            fps,
        )
        assert video.data == data
    doc, back = roundtrip(Video(files[fmt]))
    assert (tmp_path / "store" / doc["file"]["path"]).read_bytes() == data
    assert back.to_numpy().shape == (6, 16, 24, 3)


def test_to_numpy_is_bounded(files) -> None:
    video = Video(files["mp4"])
    assert video.to_numpy(max_frames=2).shape == (2, 16, 24, 3)
    with pytest.raises(
        FormatError,
        match=r"^video: decoding 6 frames of 24x16 needs 6912 bytes, above max_bytes=1000; "
        r"pass max_frames or a larger max_bytes$",
    ):
        video.to_numpy(max_bytes=1000)


def test_without_ffmpeg_mp4_needs_the_video_extra_and_files_are_still_stored(
    files, monkeypatch
) -> None:
    monkeypatch.setitem(sys.modules, "imageio_ffmpeg", None)
    with pytest.raises(
        MissingDependencyError,
        match=r"^writing mp4 video needs the optional package 'imageio-ffmpeg'; "
        r"install it with: pip install 'richtypes\[video\]'$",
    ):
        Video(CLIP[:, :, :24], format="mp4")
    video = Video(files["mp4"], fps=7)
    assert (video.format, video.frames, video.width, video.height, video.fps) == (
        "mp4",
        None,
        None,
        None,
        7.0,
    )
    with pytest.raises(MissingDependencyError, match=r"^decoding mp4 video needs"):
        video.to_numpy()
    assert Video(CLIP).format == "gif"  # the default needs no extra


@pytest.mark.parametrize(
    "head, fmt",
    [
        (b"GIF87a", "gif"),
        (b"GIF89a", "gif"),
        (b"\x00\x00\x00\x20ftypisom", "mp4"),
        (b"\x00\x00\x00\x1cftypmp42", "mp4"),
        (b"\x00\x00\x00\x14ftypqt  ", "mov"),
        (b"\x00\x00\x00\x08wide", "mov"),
        (b"\x1a\x45\xdf\xa3\x9f\x42\x82\x84webm", "webm"),
        (b"\x1a\x45\xdf\xa3\x9f\x42\x82\x88matroska", None),
        (b"RIFF\x00\x00\x00\x00AVI ", None),
        (b"", None),
    ],
    ids=["gif87", "gif89", "isom", "mp42", "qt", "mov-atom", "webm", "mkv", "avi", "empty"],
)
def test_sniffing_reads_the_header_not_the_name(head, fmt) -> None:
    assert sniff_video(head) == fmt


def test_a_file_with_a_wrong_name_is_sniffed(files, tmp_path: Path) -> None:
    path = tmp_path / "actually-a-gif.mp4"
    path.write_bytes(files["gif"].read_bytes())
    assert Video(path).format == "gif"


@pytest.mark.parametrize(
    "args, kwargs, message",
    [
        ((CLIP,), {"fps": 0}, r"^\$\.fps: must be a positive finite number, got 0$"),
        ((CLIP,), {"fps": float("nan")}, r"^\$\.fps: must be a positive finite number, got nan$"),
        ((CLIP,), {"fps": "4"}, r"^\$\.fps: must be a positive number, got '4'$"),
        (
            (CLIP,),
            {"format": "avi"},
            r"^\$\.format: must be one of gif, mp4, webm, mov, got 'avi'$",
        ),
        (
            (CLIP,),
            {"format": "mov"},
            r"^\$\.format: frames can be encoded as gif, mp4, webm only, got 'mov'$",
        ),
        ((CLIP,), {"caption": 1}, r"^\$\.caption: must be a string or None, got 1$"),
        (
            (_with(np.zeros((2, 6, 5, 3)), (1, 2, 3, 0), 1.5),),
            {},
            r"^\$\.data_or_path\[1\]\[2\]\[3\]\[0\]: must be within \[0, 1\] for float frames \(scaled by 255\), got 1\.5$",
        ),
        (
            (_with(np.full((2, 6, 5), 0.5, np.float32), (0, 4, 1), np.nan),),
            {},
            r"^\$\.data_or_path\[0\]\[4\]\[1\]: must be within \[0, 1\] for float frames \(scaled by 255\), got nan$",
        ),
        (
            (_with(np.zeros((2, 6, 5, 3)), (0, 0, 1, 2), -0.1),),
            {},
            r"^\$\.data_or_path\[0\]\[0\]\[1\]\[2\]: must be within \[0, 1\] for float frames \(scaled by 255\), got -0\.1$",
        ),
        (
            (CLIP.astype(np.int16) - 1,),
            {},
            r"^\$\.data_or_path\[0\]\[0\]\[0\]\[0\]: must be within 0\.\.255 for int16 frames, got -1$",
        ),
        (
            (_with(np.zeros((2, 6, 5, 3), np.int32), (1, 5, 4, 1), 256),),
            {},
            r"^\$\.data_or_path\[1\]\[5\]\[4\]\[1\]: must be within 0\.\.255 for int32 frames, got 256$",
        ),
        (
            (CLIP > 0,),
            {},
            r"^\$\.data_or_path: must hold uint8, integers in 0\.\.255 or floats in \[0, 1\], got dtype bool$",
        ),
        (
            (np.zeros((2, 4)),),
            {},
            r"^\$\.data_or_path: must have shape \(T, H, W\), \(T, H, W, C\) or \(T, C, H, W\), got shape \(2, 4\)$",
        ),
        (
            (np.zeros((2, 5, 6, 7), np.uint8),),
            {},
            r"^\$\.data_or_path: must have 1, 3 or 4 channels, got shape \(2, 5, 6, 7\) \(TCHW\)$",
        ),
        (
            (np.zeros((2, 3, 6, 3), np.uint8),),
            {},
            r"^\$\.data_or_path: is ambiguous: shape \(2, 3, 6, 3\) reads as \(T, H, W, C\) and as \(T, C, H, W\); pass layout='THWC' or 'TCHW'$",
        ),
        (
            (np.zeros((2, 3, 6, 3), np.uint8),),
            {"layout": "HWC"},
            r"^\$\.layout: must be 'THWC' or 'TCHW', got 'HWC'$",
        ),
        (
            (np.zeros((0, 4, 4), np.uint8),),
            {},
            rf"^\$\.data_or_path: must have 1 to {MAX_FRAMES} frames, got 0$",
        ),
        (
            (np.zeros((1, 0, 4), np.uint8),),
            {},
            rf"^\$\.data_or_path: frames of 0x4 pixels are outside 1\.\.{MAX_PIXELS} pixels$",
        ),
        (
            (np.zeros((2, 6, 4, 4), np.uint8),),
            {"format": "mp4"},
            r"^\$\.format: mp4 has no alpha channel; give 3 channels or use format 'gif' or 'webm', got 'mp4'$",
        ),
        (
            (np.zeros((2, 5, 4, 3), np.uint8),),
            {"format": "mp4"},
            r"^\$\.format: mp4 \(H\.264, yuv420p\) needs an even height and width, got 5x4, got 'mp4'$",
        ),
        (
            (b"not a video",),
            {},
            r"^\$\.data_or_path: is not a gif, mp4, webm, mov file \(unrecognised header\), got b'not a video'$",
        ),
        ((b"GIF89a" + bytes(10),), {}, r"^\$\.data_or_path: is not a readable gif file \(\w+\)$"),
        (
            (b"\x00\x00\x00\x18ftypisom" + bytes(20),),
            {},
            r"^\$\.data_or_path: is not a readable mp4 file \(\w+\)$",
        ),
        (
            (Path("/nonexistent/v.mp4"),),
            {},
            r"^\$\.data_or_path: cannot be read \(No such file or directory\), got '/nonexistent/v\.mp4'$",
        ),
    ],
)
def test_bad_inputs_give_a_validation_error_with_path(args, kwargs, message) -> None:
    with pytest.raises(ValidationError, match=message):
        Video(*args, **kwargs)


def test_a_file_format_must_match_its_content(files) -> None:
    with pytest.raises(
        ValidationError, match=r"^\$\.format: does not match the file's content \(gif\), got 'mp4'$"
    ):
        Video(files["gif"], format="mp4")


def test_layout_resolves_an_ambiguous_shape() -> None:
    frames = np.arange(2 * 3 * 4 * 3, dtype=np.uint8).reshape(2, 3, 4, 3)
    assert (Video(frames, layout="THWC").height, Video(frames, layout="TCHW").height) == (3, 4)


def test_the_input_is_never_changed_and_the_object_is_frozen() -> None:
    frames = CLIP.copy()
    video = Video(frames)
    frames[:] = 0  # changing the caller's array afterwards does not change the video
    assert video == Video(CLIP)
    with pytest.raises(AttributeError):
        video.fps = 3  # type: ignore[misc]


def test_equality_is_by_bytes_and_metadata(files) -> None:
    assert Video(CLIP) != Video(CLIP, caption="x")
    assert Video(CLIP) != Video(CLIP, fps=5)
    assert Video(CLIP) != Video(CLIP[::-1].copy())
    assert Video(files["mp4"]) == Video(files["mp4"].read_bytes())


def test_repr() -> None:
    assert repr(Video(CLIP, fps=2.5)) == "Video(format='gif', frames=6, size=24x16, fps=2.5)"


@pytest.mark.parametrize(
    "change, message",
    [
        ({"format": "avi"}, r"^\$\.format: must be one of gif, mp4, webm, mov, got 'avi'$"),
        (
            {"format": "mp4"},
            r"^\$\.file\.format: must be the video's format 'mp4', got 'gif'$",
        ),
        ({"fps": 0}, r"^\$\.fps: must be a positive finite number, got 0$"),
        ({"fps": "4"}, r"^\$\.fps: must be int/float, got str$"),
        ({"frames": -1}, r"^\$\.frames: must be >= 0, got -1$"),
        ({"width": 2.5}, r"^\$\.width: must be int/NoneType, got float$"),
    ],
)
def test_malformed_documents_are_format_errors(tmp_path: Path, change, message) -> None:
    doc = richtypes.dump(Video(CLIP), tmp_path)
    doc.update(change)
    with pytest.raises(FormatError, match=message):
        richtypes.load(doc, tmp_path)


def test_a_stored_file_that_is_not_the_claimed_format_is_a_format_error(tmp_path: Path) -> None:
    doc = richtypes.dump(Video(CLIP), tmp_path)
    doc["file"] = richtypes.Store(tmp_path).put_bytes(b"\x00\x00\x00\x18ftypisom", "gif")
    with pytest.raises(FormatError, match=r"^\$\.file: the stored file is not a gif file$"):
        richtypes.load(doc, tmp_path)


@settings(max_examples=15, deadline=None)
@given(
    frames=hnp.arrays(np.uint8, st.tuples(st.integers(1, 4), st.integers(1, 6), st.integers(1, 6))),
    fps=st.floats(0.5, 60),
)
def test_property_grey_gifs_round_trip_exactly(tmp_path_factory, frames, fps) -> None:
    root = tmp_path_factory.mktemp("v")
    video = Video(frames, fps=fps)
    back = richtypes.load(richtypes.dump(video, root), root)
    assert back == video
    assert np.array_equal(back.to_numpy()[..., 0], frames)
