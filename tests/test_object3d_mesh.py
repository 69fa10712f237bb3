"""Object3D meshes: files by path and file object (binary and text), sniffing, glTF bundling, refusals."""

from __future__ import annotations

import base64
import io
import json
from pathlib import Path

import numpy as np
import pytest
import trimesh

import richtypes
import richtypes.object3d.mesh as mesh_mod
from richtypes import FormatError, Object3D, ValidationError

BOX = trimesh.creation.box((1.0, 2.0, 3.0))


def _write(tmp_path: Path, fmt: str, name: str = "sample") -> Path:
    path = tmp_path / f"{name}.{fmt}"
    BOX.export(path)
    return path


@pytest.mark.parametrize("fmt", ["obj", "glb", "stl", "ply"])
def test_mesh_from_path_and_binary_file_object_round_trips(tmp_path: Path, roundtrip, fmt) -> None:
    path = _write(tmp_path, fmt)
    mesh = Object3D(path)
    assert mesh.kind == "mesh" and mesh.mesh_format == fmt and mesh.mesh_bytes == path.read_bytes()
    with open(path, "rb") as fh:
        assert Object3D(fh) == mesh
    assert Object3D(str(path)) == mesh
    doc, back = roundtrip(mesh)
    assert doc["format"] == fmt and doc["file"]["size"] == path.stat().st_size
    loaded = back.to_trimesh()
    vertices = (
        loaded.to_geometry().vertices if isinstance(loaded, trimesh.Scene) else loaded.vertices
    )
    np.testing.assert_allclose(
        np.sort(np.unique(np.round(vertices, 6), axis=0), axis=0),
        np.sort(np.unique(np.round(BOX.vertices, 6), axis=0), axis=0),
    )


@pytest.mark.parametrize("fmt", ["obj", "ply", "stl"])
def test_format_is_sniffed_from_content_without_a_name(tmp_path: Path, fmt) -> None:
    data = _write(tmp_path, fmt).read_bytes()
    assert Object3D(io.BytesIO(data)).mesh_format == fmt


def test_text_mode_files_work(tmp_path: Path, roundtrip) -> None:
    obj = _write(tmp_path, "obj")
    with open(obj) as fh:  # what users write
        mesh = Object3D(fh)
    assert mesh.mesh_format == "obj" and mesh.mesh_bytes == obj.read_bytes()
    ascii_stl = tmp_path / "ascii.stl"
    ascii_stl.write_bytes(trimesh.exchange.stl.export_stl_ascii(BOX).encode())
    with open(ascii_stl) as fh:
        assert Object3D(fh).mesh_format == "stl"
    assert Object3D(io.StringIO(obj.read_text()), file_type=".OBJ") == mesh
    roundtrip(mesh)


def test_from_trimesh_and_a_trimesh_object_store_glb(roundtrip) -> None:
    mesh = Object3D.from_trimesh(BOX)
    assert mesh.mesh_format == "glb" and mesh.mesh_bytes[:4] == b"glTF"
    assert Object3D(BOX) == mesh
    assert Object3D(trimesh.Scene([BOX])).mesh_format == "glb"
    roundtrip(mesh)


def test_gltf_with_external_buffers_is_bundled_into_glb(tmp_path: Path, roundtrip) -> None:
    folder = tmp_path / "model"
    folder.mkdir()
    BOX.export(folder / "box.gltf")
    assert any(
        not b["uri"].startswith("data:")
        for b in json.loads((folder / "box.gltf").read_text())["buffers"]
    )
    mesh = Object3D(folder / "box.gltf")
    assert mesh.mesh_format == "glb" and mesh.mesh_bytes[:4] == b"glTF"
    with open(folder / "box.gltf", "rb") as fh:  # a named file object finds its folder too
        assert Object3D(fh) == mesh
    doc, back = roundtrip(mesh)
    assert len(back.to_trimesh().to_geometry().faces) == len(BOX.faces)


def test_self_contained_gltf_is_stored_as_it_is(tmp_path: Path, roundtrip) -> None:
    folder = tmp_path / "m"
    folder.mkdir()
    BOX.export(folder / "box.gltf")
    doc = json.loads((folder / "box.gltf").read_text())
    for buf in doc["buffers"]:
        buf["uri"] = (
            "data:application/octet-stream;base64,"
            + base64.b64encode((folder / buf["uri"]).read_bytes()).decode()
        )
    data = json.dumps(doc).encode()
    mesh = Object3D(io.BytesIO(data))
    assert mesh.mesh_format == "gltf" and mesh.mesh_bytes == data
    roundtrip(mesh)


def _gltf_with_uri(tmp_path: Path, uri: str) -> Path:
    folder = tmp_path / "inner"
    folder.mkdir(exist_ok=True)
    BOX.export(folder / "box.gltf")
    doc = json.loads((folder / "box.gltf").read_text())
    doc["buffers"][0]["uri"] = uri
    (folder / "bad.gltf").write_text(json.dumps(doc))
    return folder / "bad.gltf"


@pytest.mark.parametrize(
    "uri, message",
    [
        (
            "../secret.bin",
            r"^\$\.buffers\[0\]\.uri: must be a relative path inside the \.gltf's folder, got '\.\./secret\.bin'$",
        ),
        (
            "/etc/passwd",
            r"^\$\.buffers\[0\]\.uri: must be a relative path inside the \.gltf's folder, got '/etc/passwd'$",
        ),
        (
            "http://example.com/b.bin",
            r"^\$\.buffers\[0\]\.uri: must be a relative path inside the \.gltf's folder, got 'http://example\.com/b\.bin'$",
        ),
        (
            "missing.bin",
            r"^\$\.buffers\[0\]\.uri: names a file that does not exist beside the \.gltf, got 'missing\.bin'$",
        ),
        (
            "data:application/octet-stream;base64,@@@",
            r"^\$\.buffers\[0\]\.uri: holds invalid base64, got 'data:application",
        ),
    ],
)
def test_gltf_references_outside_the_folder_or_missing_are_refused(
    tmp_path: Path, uri, message
) -> None:
    (tmp_path / "secret.bin").write_bytes(b"\0" * 1000)
    with pytest.raises(ValidationError, match=message):
        Object3D(_gltf_with_uri(tmp_path, uri))


def test_a_symlink_out_of_the_folder_is_refused(tmp_path: Path) -> None:
    (tmp_path / "secret.bin").write_bytes(b"\0" * 1000)
    path = _gltf_with_uri(tmp_path, "link.bin")
    (path.parent / "link.bin").symlink_to(tmp_path / "secret.bin")
    with pytest.raises(
        ValidationError,
        match=r"^\$\.buffers\[0\]\.uri: must be a relative path inside the \.gltf's folder, got 'link\.bin'$",
    ):
        Object3D(path)


def test_gltf_with_external_buffers_from_a_nameless_stream_is_refused(tmp_path: Path) -> None:
    data = _gltf_with_uri(tmp_path, "gltf_buffer_0.bin").read_bytes()
    with pytest.raises(
        ValidationError,
        match=(
            r"^\$\.buffers\[0\]\.uri: names an external file; give the \.gltf as a path \(or a file object with a name\) "
            r"so it can be bundled, got 'gltf_buffer_0\.bin'$"
        ),
    ):
        Object3D(io.BytesIO(data), file_type="gltf")


@pytest.mark.parametrize(
    "data, kwargs, message",
    [
        (b"v 0 0 0\nf 1 2 3\n", {"file_type": "obj"}, r"^\$: is not a valid obj mesh \("),
        (
            b"hello world",
            {},
            r"^\$: cannot tell the mesh format from the file's name or content; pass file_type= \(obj, gltf, glb, stl, ply\)$",
        ),
        (
            b"glTF\x02\x00\x00\x00junk",
            {},
            r"^\$: is not a valid glb mesh \(the header states 1802401130 bytes, the file has 12\)$",
        ),
        (
            b"ply\nformat nonsense\n",
            {},
            r"^\$: is not a valid ply mesh \(no end_header within the first 65536 bytes\)$",
        ),
        (
            b"ply\nformat ascii 1.0\nelement vertex 3\nproperty float x\nend_header\n",
            {},
            r"^\$: is not a valid ply mesh \(element 'vertex' states 3 rows, more than the 0 bytes after the header can hold\)$",
        ),
        (b"{not json", {"file_type": "gltf"}, r"^\$: is not a valid gltf mesh \(not JSON: "),
        (
            b"x",
            {"file_type": "fbx"},
            r"^\$\.file_type: must be one of obj, gltf, glb, stl, ply, got 'fbx'$",
        ),
        (b"\xff\xfe binary", {"file_type": "obj"}, r"^\$: is not a valid obj mesh \("),
    ],
)
def test_broken_or_unknown_files_are_refused(data, kwargs, message) -> None:
    with pytest.raises(ValidationError, match=message):
        Object3D(io.BytesIO(data), **kwargs)


def test_binary_file_opened_in_text_mode_is_refused_clearly(tmp_path: Path) -> None:
    glb = _write(tmp_path, "glb")
    with (
        open(glb, encoding="utf-8") as fh,
        pytest.raises(
            ValidationError,
            match=(
                r"^\$: the file is opened in text mode but holds binary data; open it with 'rb', got 'sample\.glb'$"
            ),
        ),
    ):
        Object3D(fh)


def test_missing_and_oversized_files_are_refused(tmp_path: Path, monkeypatch) -> None:
    with pytest.raises(
        ValidationError,
        match=r"^\$: cannot read the mesh file \(No such file or directory\), got '.*nope\.obj'$",
    ):
        Object3D(tmp_path / "nope.obj")
    path = _write(tmp_path, "stl")
    monkeypatch.setattr(mesh_mod, "MAX_MESH_BYTES", 100)
    with pytest.raises(
        ValidationError,
        match=rf"^\$: mesh file is {path.stat().st_size} bytes, above the limit of 100, got '.*sample\.stl'$",
    ):
        Object3D(path)
    with (
        open(path, "rb") as fh,
        pytest.raises(
            ValidationError, match=r"^\$: mesh file is larger than the limit of 100 bytes$"
        ),
    ):
        Object3D(fh)


def test_points_have_no_mesh_and_meshes_no_points(tmp_path: Path) -> None:
    with pytest.raises(AttributeError, match="a points Object3D has no mesh"):
        Object3D(np.zeros((1, 3))).to_trimesh()
    with pytest.raises(AttributeError, match="a mesh has no point coordinates"):
        Object3D.from_trimesh(BOX).xyz


@pytest.mark.parametrize(
    "change, message",
    [
        (
            {"format": "fbx"},
            r"^\$\.format: must be one of obj, gltf, glb, stl, ply, got 'fbx'$",
        ),
        ({"file": "x"}, r"^\$\.file: must be dict, got str$"),
    ],
)
def test_malformed_mesh_documents_are_format_errors(tmp_path: Path, change, message) -> None:
    doc = richtypes.dump(Object3D.from_trimesh(BOX), tmp_path)
    doc.update(change)
    with pytest.raises(FormatError, match=message):
        richtypes.load(doc, tmp_path)


def test_oversized_mesh_reference_is_refused_before_reading(tmp_path: Path, monkeypatch) -> None:
    doc = richtypes.dump(Object3D.from_trimesh(BOX), tmp_path)
    monkeypatch.setattr(mesh_mod, "MAX_MESH_BYTES", 10)
    with pytest.raises(
        FormatError,
        match=rf"^\$\.file\.size: must be at most the mesh limit of 10 bytes, got {doc['file']['size']}$",
    ):
        richtypes.load(doc, tmp_path)
