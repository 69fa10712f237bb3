"""Audio: sample arrays to WAV, audio files stored as they are, sniffing, bad inputs and round trips."""

from __future__ import annotations

import io
import subprocess
import sys
import wave
from pathlib import Path

import numpy as np
import pytest
from arraylikes import FakeTensor, HasArray
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import richtypes
from richtypes import Audio, FormatError, MissingDependencyError, ValidationError
from richtypes.codecs.sniff import sniff_audio
from richtypes.codecs.wav import encode_wav, parse_wav, wav_samples

imageio_ffmpeg = pytest.importorskip("imageio_ffmpeg")


def _stdlib_wav(samples: np.ndarray, rate: int, width: int) -> bytes:
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1 if samples.ndim == 1 else samples.shape[1])
        w.setsampwidth(width)
        w.setframerate(rate)
        w.writeframes(samples.tobytes())
    return buf.getvalue()


@pytest.fixture(scope="module")
def compressed(tmp_path_factory) -> dict[str, Path]:
    """Half a second of a 440 Hz stereo tone at 22050 Hz in flac, mp3, ogg (Vorbis) and opus, made by ffmpeg."""
    folder = tmp_path_factory.mktemp("audio")
    files = {}
    for ext in ("flac", "mp3", "ogg", "opus"):
        files[ext] = folder / f"tone.{ext}"
        subprocess.run(
            [
                imageio_ffmpeg.get_ffmpeg_exe(),
                "-v",
                "error",
                "-y",
                "-f",
                "lavfi",
                "-i",
                "sine=frequency=440:duration=0.5:sample_rate=22050",
                "-ac",
                "2",
                str(files[ext]),
            ],
            check=True,
        )
    return files


TONE = (0.5 * np.sin(np.linspace(0, 20 * np.pi, 1000))).astype(np.float32)


@pytest.mark.parametrize(
    "form",
    [
        TONE,
        TONE.astype(np.float64),
        TONE.astype(np.float16),
        TONE.tolist(),
        TONE.reshape(-1, 1),
        HasArray(TONE),
        FakeTensor(TONE),
    ],
    ids=["float32", "float64", "float16", "list", "column", "__array__", "tensor-like"],
)
def test_every_float_form_gives_the_same_clip(form) -> None:
    ref = Audio(TONE, sample_rate=16000)
    audio = Audio(form, sample_rate=16000)
    if isinstance(form, np.ndarray) and form.dtype == np.float16:
        assert np.max(np.abs(audio.to_numpy() - TONE)) <= 2e-4  # float16 is coarser than 16-bit PCM
    else:
        assert audio == ref
    assert (audio.format, audio.channels, audio.num_samples, audio.dtype) == (
        "wav",
        1,
        1000,
        "float32",
    )


def test_floats_come_back_within_half_a_pcm_step(roundtrip) -> None:
    samples = np.random.default_rng(0).uniform(-1, 1, (5000, 2))
    samples[:2] = [[1.0, -1.0], [0.0, 1e-9]]
    _, back = roundtrip(Audio(samples, sample_rate=44100, caption="noise"))
    out = back.to_numpy()
    assert out.dtype == np.float32 and out.shape == (5000, 2)
    assert np.max(np.abs(out - samples)) <= 0.5 / 32767 + 1e-7
    assert out[0].tolist() == [1.0, -1.0]
    assert back.caption == "noise" and back.duration == 5000 / 44100


@pytest.mark.parametrize("dtype", [np.int16, np.int32])
@pytest.mark.parametrize("channels", [None, 1, 3])
def test_int_pcm_comes_back_exactly(roundtrip, dtype, channels) -> None:
    info = np.iinfo(dtype)
    shape = (700,) if channels is None else (700, channels)
    samples = (
        np.random.default_rng(1).integers(info.min, info.max, shape, endpoint=True).astype(dtype)
    )
    doc, back = roundtrip(Audio(samples, sample_rate=8000))
    out = back.to_numpy()
    expected = samples if channels != 1 else samples[:, 0]
    assert out.dtype == dtype and np.array_equal(out, expected)
    assert (
        doc["dtype"] == np.dtype(dtype).name
        and doc["samples"] == 700
        and doc["file"]["format"] == "wav"
    )


def test_the_wav_is_what_the_standard_library_wave_module_writes(tmp_path: Path) -> None:
    samples = np.arange(-50, 50, dtype=np.int16).reshape(50, 2)
    doc = richtypes.dump(Audio(samples, sample_rate=22050), tmp_path)
    assert (tmp_path / doc["file"]["path"]).read_bytes() == _stdlib_wav(samples, 22050, 2)


def test_clip_true_clips_out_of_range_floats() -> None:
    audio = Audio(np.array([-3.0, 0.25, 1.5]), sample_rate=100, clip=True)
    assert audio.to_numpy().tolist() == [-1.0, np.float32(8192 / 32767), 1.0]


@pytest.mark.parametrize("width, dtype", [(1, np.uint8), (2, np.int16), (4, np.int32)])
def test_wav_files_are_stored_byte_identical_and_decode_exactly(
    tmp_path: Path, roundtrip, width, dtype
) -> None:
    samples = (np.arange(300) % 200).astype(dtype).reshape(100, 3)
    data = _stdlib_wav(samples, 11025, width)
    path = tmp_path / "clip.wav"
    path.write_bytes(data)
    for source in (path, str(path), io.BytesIO(data), data):
        audio = Audio(source, caption="c")
        assert (
            audio.data == data
            and audio.sample_rate == 11025
            and audio.channels == 3
            and audio.dtype == np.dtype(dtype).name
        )
        assert np.array_equal(audio.to_numpy(), samples)
    doc, _ = roundtrip(Audio(path))
    assert (tmp_path / "store" / doc["file"]["path"]).read_bytes() == data


def test_24_bit_wav_decodes_sign_extended() -> None:
    values = np.array([0, 1, -1, 2**23 - 1, -(2**23)], np.int32)
    raw = values.astype("<i4").view(np.uint8).reshape(-1, 4)[:, :3].tobytes()
    data = _stdlib_wav(np.frombuffer(raw, np.uint8), 8000, 3)
    audio = Audio(data)
    assert audio.dtype == "int32" and audio.to_numpy().tolist() == values.tolist()


@pytest.mark.parametrize(
    "ext, fmt, rate, samples",
    [
        ("flac", "flac", 22050, 11025),
        ("mp3", "mp3", 22050, None),
        ("ogg", "ogg", 22050, 11025),
        ("opus", "ogg", 48000, 24000),
    ],
)
def test_compressed_files_are_stored_as_they_are(
    compressed, roundtrip, ext, fmt, rate, samples
) -> None:
    data = compressed[ext].read_bytes()
    audio = Audio(compressed[ext], sample_rate=rate)
    assert (audio.format, audio.sample_rate, audio.channels, audio.num_samples, audio.dtype) == (
        fmt,
        rate,
        2,
        samples,
        "float32",
    )
    assert audio.data == data
    doc, back = roundtrip(audio)
    assert doc["file"]["size"] == len(data) and back.data == data
    decoded = back.to_numpy(max_samples=2000)
    assert decoded.dtype == np.float32 and decoded.shape == (2000, 2)
    assert 0.05 < np.max(np.abs(decoded)) <= 1.0  # the tone, not silence


def test_flac_decodes_to_the_tone(compressed) -> None:
    out = Audio(compressed["flac"]).to_numpy()
    assert out.shape == (11025, 2)
    amplitude = np.max(
        np.abs(out[:, 0])
    )  # ffmpeg's sine source is 1/8, scaled again by the mono -> stereo mix
    assert 0.08 < amplitude < 0.13
    expected = amplitude * np.sin(2 * np.pi * 440 * np.arange(11025) / 22050)
    assert np.max(np.abs(out[:, 0] - expected)) < 1e-3


def test_decoding_compressed_audio_without_ffmpeg_names_the_extra(compressed, monkeypatch) -> None:
    audio = Audio(compressed["flac"])  # header parsing needs no extra
    monkeypatch.setitem(sys.modules, "imageio_ffmpeg", None)
    with pytest.raises(
        MissingDependencyError,
        match=r"^decoding flac audio needs the optional package 'imageio-ffmpeg'; "
        r"install it with: pip install 'richtypes\[video\]'$",
    ):
        audio.to_numpy()


@pytest.mark.parametrize(
    "head, fmt",
    [
        (b"RIFF\x00\x00\x00\x00WAVEfmt ", "wav"),
        (b"fLaC\x00\x00\x00\x22", "flac"),
        (b"OggS\x00\x02", "ogg"),
        (b"ID3\x04\x00", "mp3"),
        (b"\xff\xfb\x90\x64", "mp3"),
        (b"\xff\xf1\x50\x80", None),
        (b"\x00\x00\x00\x18ftypisom", None),
        (b"", None),
    ],
    ids=["wav", "flac", "ogg", "id3", "mpeg-frame", "aac-adts", "mp4", "empty"],
)
def test_sniffing_reads_the_header_not_the_name(head, fmt) -> None:
    assert sniff_audio(head) == fmt


@pytest.mark.parametrize(
    "args, kwargs, message",
    [
        ((np.zeros(4),), {}, r"^\$\.sample_rate: is required for an array of samples$"),
        (
            (np.zeros(4),),
            {"sample_rate": 0},
            r"^\$\.sample_rate: must be between 1 and 4294967295, got 0$",
        ),
        (
            (np.zeros(4),),
            {"sample_rate": 44100.0},
            r"^\$\.sample_rate: must be a positive integer, got 44100\.0$",
        ),
        (
            (np.zeros(4),),
            {"sample_rate": True},
            r"^\$\.sample_rate: must be a positive integer, got True$",
        ),
        (
            (np.array([0.0, np.nan]),),
            {"sample_rate": 8},
            r"^\$\.data_or_path\[1\]: must be finite, got nan$",
        ),
        (
            (np.array([[0.0, 0.1], [-np.inf, 0]]),),
            {"sample_rate": 8, "clip": True},
            r"^\$\.data_or_path\[1\]\[0\]: must be finite, got -inf$",
        ),
        (
            (np.array([[0.0, 0.1], [0.2, -1.5]]),),
            {"sample_rate": 8},
            r"^\$\.data_or_path\[1\]\[1\]: must be within \[-1, 1\] \(pass clip=True to clip\), got -1\.5$",
        ),
        (
            (np.zeros(4, np.int64),),
            {"sample_rate": 8},
            r"^\$\.data_or_path: must hold floats in \[-1, 1\], int16 or int32, got dtype int64$",
        ),
        (
            (np.zeros((2, 2, 2)),),
            {"sample_rate": 8},
            r"^\$\.data_or_path: must have shape \(samples,\) or \(samples, channels\), got shape \(2, 2, 2\)$",
        ),
        (
            (np.zeros((2, 48000)),),
            {"sample_rate": 8},
            r"^\$\.data_or_path: has 48000 channels, expected 1 to 64 \(shape is \(samples, channels\); transpose with \.T\?\)$",
        ),
        (
            (["a", "b"],),
            {"sample_rate": 8},
            r"^\$\.data_or_path: must hold floats in \[-1, 1\], int16 or int32, got dtype <U1$",
        ),
        (
            (np.zeros(4),),
            {"sample_rate": 8, "caption": 3},
            r"^\$\.caption: must be a string or None, got 3$",
        ),
        (
            (b"not audio at all",),
            {},
            r"^\$\.data_or_path: is not a wav, flac, mp3, ogg file \(unrecognised header\), got b'not audio at'$",
        ),
        (
            (b"RIFF\x04\x00\x00\x00WAVE",),
            {},
            r"^\$\.data_or_path: is not a readable wav file \(no 'fmt ' chunk before the 'data' chunk\)$",
        ),
        (
            (Path("/nonexistent/clip.wav"),),
            {},
            r"^\$\.data_or_path: cannot be read \(No such file or directory\), got '/nonexistent/clip\.wav'$",
        ),
    ],
)
def test_bad_inputs_give_a_validation_error_with_path(args, kwargs, message) -> None:
    with pytest.raises(ValidationError, match=message):
        Audio(*args, **kwargs)


def test_a_file_sample_rate_must_match(tmp_path: Path) -> None:
    data = _stdlib_wav(np.zeros(10, np.int16), 16000, 2)
    assert Audio(data, sample_rate=16000).sample_rate == 16000
    with pytest.raises(
        ValidationError,
        match=r"^\$\.sample_rate: does not match the file's sample rate \(16000\), got 8000$",
    ):
        Audio(data, sample_rate=8000)


def test_an_unsupported_wav_encoding_is_refused() -> None:
    data = bytearray(_stdlib_wav(np.zeros(10, np.int16), 16000, 2))
    data[20:22] = (2).to_bytes(2, "little")  # ADPCM
    with pytest.raises(
        ValidationError,
        match=r"^\$\.data_or_path: is not a readable wav file \(unsupported WAV encoding "
        r"\(format tag 2, 16 bits\); readable: integer PCM 8/16/24/32, float 32/64\)$",
    ):
        Audio(bytes(data))


def test_the_input_is_never_changed_and_the_object_is_frozen() -> None:
    samples = np.array([0.5, 2.0])
    audio = Audio(samples, sample_rate=10, clip=True)
    assert samples.tolist() == [0.5, 2.0]
    with pytest.raises(AttributeError):
        audio.sample_rate = 5  # type: ignore[misc]
    assert not audio.to_numpy().flags.writeable


def test_equality_is_by_content() -> None:
    a = Audio(np.zeros(10, np.int16), sample_rate=10)
    assert a == Audio(np.zeros(10, np.int16), sample_rate=10)
    assert a != Audio(np.zeros(10, np.int16), sample_rate=11)
    assert a != Audio(np.zeros(10, np.int16), sample_rate=10, caption="x")
    assert a != Audio(np.zeros(10, np.int32), sample_rate=10)


@pytest.mark.parametrize(
    "change, message",
    [
        ({"format": "aiff"}, r"^\$\.format: must be one of wav, flac, mp3, ogg, got 'aiff'$"),
        (
            {"format": "flac"},
            r"^\$\.file\.format: must be the clip's format 'flac', got 'wav'$",
        ),
        (
            {"sample_rate": 9},
            r"^\$\.sample_rate: must be the stored file's 8, got 9$",
        ),
        (
            {"dtype": "float64"},
            r"^\$\.dtype: does not fit the stored wav file \(int16\), got 'float64'$",
        ),
        ({"caption": 5}, r"^\$\.caption: must be str/NoneType, got int$"),
    ],
)
def test_malformed_documents_are_format_errors(tmp_path: Path, change, message) -> None:
    doc = richtypes.dump(Audio(np.zeros(3), sample_rate=8), tmp_path)
    doc.update(change)
    with pytest.raises(FormatError, match=message):
        richtypes.load(doc, tmp_path)


def test_a_stored_file_that_is_not_the_claimed_format_is_a_format_error(tmp_path: Path) -> None:
    doc = richtypes.dump(Audio(np.zeros(3), sample_rate=8), tmp_path)
    doc["file"] = richtypes.Store(tmp_path).put_bytes(b"fLaC" + bytes(50), "wav")
    with pytest.raises(FormatError, match=r"^\$\.file: the stored file is not a wav file$"):
        richtypes.load(doc, tmp_path)


def test_repr() -> None:
    assert (
        repr(Audio(np.zeros((4000, 2)), sample_rate=8000))
        == "Audio(format='wav', sample_rate=8000, channels=2, duration=0.5 s)"
    )


@settings(max_examples=25, deadline=None)
@given(
    samples=hnp.arrays(np.int16, st.tuples(st.integers(0, 200), st.integers(1, 4))),
    rate=st.integers(1, 200_000),
)
def test_property_wav_codec_round_trips_exactly(samples, rate) -> None:
    data = encode_wav(samples, rate)
    info = parse_wav(data)
    assert (info.sample_rate, info.channels, info.num_samples) == (
        rate,
        samples.shape[1],
        samples.shape[0],
    )
    assert np.array_equal(wav_samples(data, info), samples)
    assert data == _stdlib_wav(samples, rate, 2)


@settings(max_examples=25, deadline=None)
@given(samples=hnp.arrays(np.float64, st.integers(0, 300), elements=st.floats(-1, 1)))
def test_property_floats_round_trip_within_the_quantum(tmp_path_factory, samples) -> None:
    root = tmp_path_factory.mktemp("a")
    audio = Audio(samples, sample_rate=1000)
    back = richtypes.load(richtypes.dump(audio, root), root)
    assert back == audio
    assert np.all(np.abs(back.to_numpy() - samples) <= 0.5 / 32767 + 1e-7)
