"""Memory budgets that trust the file, not the document: GIF, mp4, audio and mesh bombs.

Each bomb is a small hand-made file. Decoding it raises a typed error before
allocating what it states; the subprocess tests measure the peak RSS that the
call adds (``ru_maxrss``), which stays far below what the file asks for.
"""

from __future__ import annotations

import io
import json
import struct
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
import trimesh
from PIL import Image

import richtypes
from richtypes import Audio, FormatError, Object3D, ValidationError, Video
from richtypes.codecs import gif as gif_codec
from richtypes.object3d import mesh_limits

try:
    import imageio_ffmpeg
except ImportError:  # pragma: no cover - the video extra is in the test extra
    imageio_ffmpeg = None
needs_ffmpeg = pytest.mark.skipif(imageio_ffmpeg is None, reason="needs the video extra")


def long_gif(size: int = 2000, delay_ms: int = 655_350) -> bytes:
    """One black frame of size x size shown for delay_ms: about 4 KB."""
    out = io.BytesIO()
    Image.new("L", (size, size)).save(out, format="GIF", duration=delay_ms)
    return out.getvalue()


def peak_mib(code: str) -> float:
    """MiB that running ``code`` adds to the peak RSS of a fresh interpreter (after the imports)."""
    script = textwrap.dedent(
        """
        import resource, io, json, struct
        import numpy as np, trimesh, richtypes
        from richtypes.codecs import gif as gif_codec
        from PIL import Image
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        try:
        {body}
        except richtypes.FormatError:
            pass
        after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print((after - before) / 1024)
        """
    ).format(body=textwrap.indent(textwrap.dedent(code), " " * 4))
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=300
    )
    return float(done.stdout.strip().splitlines()[-1])


# -------------------------------------------------------------------- GIF
def test_gif_delay_is_bounded_for_tiny_and_huge_rates() -> None:
    assert gif_codec.gif_delay_ms(5e-324) == gif_codec.MAX_DELAY_MS
    assert gif_codec.gif_delay_ms(1e-9) == gif_codec.MAX_DELAY_MS
    assert gif_codec.gif_delay_ms(1e300) == 10
    assert gif_codec.gif_delay_ms(10) == 100


def test_gif_decode_is_budgeted_from_the_file_before_converting_a_frame() -> None:
    data = long_gif()
    assert len(data) < 5000
    with pytest.raises(FormatError) as err:
        gif_codec.decode_gif(data, 100_000, fps=1000, max_bytes=2 * 1024**3)
    assert str(err.value) == (
        "decoding 65535 frames of 2000x2000 (as the gif file times them at fps 1000) needs "
        "786420000000 bytes, above max_bytes=2147483648; pass max_frames or a larger max_bytes"
    )
    frames = gif_codec.decode_gif(data, 3, fps=1000, max_bytes=3 * 2000 * 2000 * 3)
    assert frames.shape == (3, 2000, 2000, 3) and not frames.any()


def test_a_gif_document_that_understates_its_file_is_refused(tmp_path: Path) -> None:
    doc = richtypes.dump(Video(long_gif()), tmp_path)
    assert (doc["frames"], doc["width"], doc["height"]) == (1, 2000, 2000)
    doc.update(fps=1000, width=1, height=1)
    with pytest.raises(FormatError) as err:
        richtypes.load(doc, tmp_path)
    assert str(err.value) == (
        "frames, width and height must be those of the stored gif file at fps 1000 "
        "[65535, 2000, 2000], got [1, 1, 1]"
    )


def test_the_gif_bomb_stays_small_in_memory() -> None:
    mib = peak_mib(
        """
        im = Image.new("L", (2000, 2000)); out = io.BytesIO()
        im.save(out, format="GIF", duration=655350)
        gif_codec.decode_gif(out.getvalue(), 100_000, fps=1000, max_bytes=2 * 1024**3)
        """
    )
    assert mib < 100, mib  # it asks for 732 GiB


@pytest.mark.parametrize(
    "fps, message",
    [
        (float("inf"), r"^\$\.fps: must be a positive finite number, got inf$"),
        (0, r"^\$\.fps: must be a positive finite number, got 0$"),
        (True, r"^\$\.fps: must be int/float, got bool$"),
    ],
)
def test_video_fps_in_a_document_goes_through_the_constructors_check(
    tmp_path: Path, fps, message
) -> None:
    doc = richtypes.dump(Video(np.zeros((2, 4, 4), np.uint8)), tmp_path)
    doc["fps"] = fps
    with pytest.raises(FormatError, match=message):
        richtypes.load(doc, tmp_path)


def test_a_tiny_fps_from_a_document_decodes_without_overflow(tmp_path: Path) -> None:
    clip = Video(long_gif(size=4, delay_ms=655_350))
    doc = json.loads(
        json.dumps(richtypes.dump(clip, tmp_path)).replace('"fps": ', '"fps": 5e-324, "x": ')
    )
    doc.pop("x")
    back = richtypes.load(doc, tmp_path)
    assert back.to_numpy().shape == (1, 4, 4, 3)


@pytest.mark.parametrize("cut", [13, 30, 100])
def test_truncated_gif_files_are_format_errors(cut) -> None:
    data = long_gif(size=64, delay_ms=100)
    with pytest.raises((FormatError, ValidationError)):
        Video(data[:cut]).to_numpy()


def test_damaged_gif_bytes_only_raise_format_errors() -> None:
    frames = np.random.default_rng(0).integers(0, 256, (4, 16, 16, 3), dtype=np.uint8)
    data = gif_codec.encode_gif(frames, 10)
    rng = np.random.default_rng(1)
    for _ in range(300):
        mutated = bytearray(data)
        for at in rng.integers(6, len(data), 4):
            mutated[at] = int(rng.integers(0, 256))
        try:
            gif_codec.decode_gif(bytes(mutated), 1000, 10, max_bytes=2**24)
            gif_codec.gif_info(bytes(mutated))
        except FormatError:
            pass


# -------------------------------------------------------------------- mp4
@needs_ffmpeg
def test_mp4_with_frames_null_is_budgeted_while_decoding(tmp_path: Path) -> None:
    clip = Video(np.zeros((12, 32, 32, 3), np.uint8), format="mp4", fps=12)
    doc = richtypes.dump(clip, tmp_path)
    doc.update(frames=None, width=None, height=None)
    back = richtypes.load(doc, tmp_path)
    assert back.to_numpy().shape == (12, 32, 32, 3)
    assert back.to_numpy(max_bytes=12 * 32 * 32 * 3).shape == (12, 32, 32, 3)
    with pytest.raises(FormatError) as err:
        back.to_numpy(max_bytes=5 * 32 * 32 * 3 + 7)
    assert str(err.value) == (
        "decoding more than 5 frames of 32x32 needs more than max_bytes=15367 bytes; "
        "pass max_frames or a larger max_bytes"
    )
    assert back.to_numpy(max_frames=5, max_bytes=5 * 32 * 32 * 3).shape == (5, 32, 32, 3)


@needs_ffmpeg
def test_damaged_mp4_bytes_are_format_errors() -> None:
    data = Video(np.zeros((4, 16, 16, 3), np.uint8), format="mp4").data
    with pytest.raises(FormatError, match=r"^is not a readable mp4 file \(\w+\)$"):
        from richtypes.codecs import ffmpeg

        ffmpeg.decode_video(data[: len(data) // 3], "mp4", 100, 2**30)


# ------------------------------------------------------------------ audio
def _flac(seconds: float, channels: int) -> bytes:
    cmd = [
        imageio_ffmpeg.get_ffmpeg_exe(),
        "-v",
        "error",
        "-f",
        "lavfi",
        "-i",
        f"anullsrc=r=8000:cl={channels}c",
        "-t",
        str(seconds),
        "-f",
        "flac",
        "pipe:1",
    ]
    return subprocess.run(cmd, capture_output=True, check=True).stdout


@needs_ffmpeg
def test_audio_decoding_caps_samples_times_channels() -> None:
    clip = Audio(_flac(2.0, 8))
    assert clip.channels == 8
    assert clip.to_numpy().shape == (16000, 8)
    assert clip.to_numpy(max_bytes=16000 * 8 * 4).shape == (16000, 8)
    with pytest.raises(FormatError) as err:
        clip.to_numpy(max_bytes=1000 * 8 * 4)
    assert str(err.value) == (
        "decoding more than 1000 samples of 8 channels needs more than max_bytes=32000 bytes; "
        "pass max_samples or a larger max_bytes"
    )
    assert clip.to_numpy(max_samples=1000, max_bytes=1000 * 8 * 4).shape == (1000, 8)


# ----------------------------------------------------------------- meshes
BOX_GLB = bytes(trimesh.creation.box().export(file_type="glb"))


def rebuild_glb(change) -> bytes:
    """The box GLB with its JSON chunk changed by ``change(doc)`` (binary chunk kept)."""
    (length,) = struct.unpack_from("<I", BOX_GLB, 12)
    doc = json.loads(BOX_GLB[20 : 20 + length])
    change(doc)
    text = json.dumps(doc).encode()
    text += b" " * (-len(text) % 4)
    binary = BOX_GLB[20 + length :]
    body = struct.pack("<I4s", len(text), b"JSON") + text + binary
    return struct.pack("<4sII", b"glTF", 2, 12 + len(body)) + body


def _set(path, value):
    def change(doc):
        target = doc
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return change


MESH_BOMBS = {
    "accessor-count": (
        rebuild_glb(_set(("accessors", 1, "count"), 2**31)),
        "glb",
        "accessors[1] needs 25769803776 bytes of bufferViews[1], which has 96",
    ),
    "zero-filled-accessor": (
        rebuild_glb(
            lambda d: (
                d["accessors"][1].pop("bufferView")
                and None
                or _set(("accessors", 1, "count"), 2**30)(d)
            )
        ),
        "glb",
        "accessors without a buffer view total 12884901888 bytes, above 67108864",
    ),
    "buffer-length": (
        rebuild_glb(_set(("buffers", 0, "byteLength"), 2**40)),
        "glb",
        "buffers[0] states 1099511627776 bytes, the binary chunk holds 240",
    ),
    "view-length": (
        rebuild_glb(_set(("bufferViews", 1, "byteLength"), 2**40)),
        "glb",
        "bufferViews[1] runs past the end of buffers[0]",
    ),
    "external-uri": (
        rebuild_glb(_set(("buffers", 0, "uri"), "../../etc/passwd")),
        "glb",
        "buffers[0] names an external file; a stored mesh holds every part",
    ),
    "gltf-external-uri": (
        json.dumps(
            {
                "asset": {"version": "2.0"},
                "buffers": [{"byteLength": 12, "uri": "parts.bin"}],
            }
        ).encode(),
        "gltf",
        "buffers[0] names an external file; a stored mesh holds every part",
    ),
    "ply-count": (
        b"ply\nformat binary_little_endian 1.0\nelement vertex 4000000000\n"
        b"property float x\nproperty float y\nproperty float z\nend_header\n" + bytes(36),
        "ply",
        "element 'vertex' states 4000000000 rows, more than the 36 bytes after the header can hold",
    ),
    "ply-ascii-faces": (
        b"ply\nformat ascii 1.0\nelement vertex 3\nproperty float x\nproperty float y\n"
        b"property float z\nelement face 900000000\nproperty list uchar int vertex_indices\n"
        b"end_header\n0 0 0\n1 0 0\n0 1 0\n3 0 1 2\n",
        "ply",
        "element 'face' states 900000000 rows, more than the 26 bytes after the header can hold",
    ),
}


@pytest.mark.parametrize("name", MESH_BOMBS)
def test_mesh_bombs_are_refused_by_their_declared_sizes(name) -> None:
    data, fmt, why = MESH_BOMBS[name]
    with pytest.raises(FormatError) as err:
        mesh_limits.check_declared(data, fmt)
    assert str(err.value) == f"is not a valid {fmt} mesh ({why})"
    if name != "gltf-external-uri":  # construction bundles a .gltf's files or names the missing one
        with pytest.raises(ValidationError) as verr:
            Object3D(io.BytesIO(data), file_type=fmt)
        assert str(verr.value) == f"$: is not a valid {fmt} mesh ({why})"


@pytest.mark.parametrize("name", MESH_BOMBS)
def test_a_stored_mesh_bomb_fails_to_load_with_a_format_error(tmp_path: Path, name) -> None:
    data, fmt, why = MESH_BOMBS[name]
    doc = richtypes.dump(Object3D.from_trimesh(trimesh.creation.box()), tmp_path)
    doc.update(format=fmt, file=richtypes.Store(tmp_path).put_bytes(data, fmt))
    with pytest.raises(FormatError) as err:
        richtypes.load(doc, tmp_path)
    assert str(err.value) == f"$.file: is not a valid {fmt} mesh ({why})"


def test_to_trimesh_of_a_bomb_raises_a_format_error() -> None:
    mesh = Object3D.from_trimesh(trimesh.creation.box())
    object.__setattr__(mesh, "mesh_bytes", MESH_BOMBS["accessor-count"][0])
    with pytest.raises(FormatError, match=r"^is not a valid glb mesh \(accessors\[1\] needs"):
        mesh.to_trimesh()


def test_mesh_bombs_stay_small_in_memory() -> None:
    code = "\n".join(
        f"try:\n    richtypes.Object3D(io.BytesIO({data!r}), file_type={fmt!r})\nexcept richtypes.ValidationError:\n    pass"
        for data, fmt, _ in MESH_BOMBS.values()
    )
    assert peak_mib(code) < 50


def test_damaged_mesh_bytes_only_raise_format_errors() -> None:
    sources = [
        (BOX_GLB, "glb"),
        (trimesh.creation.box().export(file_type="ply"), "ply"),
        (trimesh.creation.box().export(file_type="obj").encode(), "obj"),
        (trimesh.creation.box().export(file_type="stl"), "stl"),
    ]
    rng = np.random.default_rng(2)
    for data, fmt in sources:
        for _ in range(60):
            mutated = bytearray(data)
            for at in rng.integers(0, len(data), 3):
                mutated[at] = int(rng.integers(0, 256))
            try:
                from richtypes.object3d.mesh import load_trimesh

                load_trimesh(bytes(mutated), fmt)
            except FormatError:
                pass
