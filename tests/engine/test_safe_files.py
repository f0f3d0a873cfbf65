"""nn_engine.safe_files: untrusted files are read within caps on what is really read.

The hostile inputs here are built byte by byte (``forge_zip``, ``npy_header``) so that their
headers can lie; memory is measured with tracemalloc around the call under test.
"""

import io
import os
import stat
import struct
import tracemalloc
import zipfile
import zlib

import numpy as np
import pytest
from numpy.lib import format as npy_format

from nn_engine import io as nn_io
from nn_engine.safe_files import (
    check_regular_file,
    format_size,
    npy_from_bytes,
    read_regular_file,
    read_zip,
)

MB = 1_000_000


def forge_zip(members: list[dict]) -> bytes:
    """A zip archive whose headers say exactly what ``members`` say, true or not.

    Each member: ``name``, ``payload`` (the bytes stored, already compressed), ``method``,
    ``crc`` and ``size`` (the declared uncompressed size), optional ``flags``.
    """
    body, central = bytearray(), bytearray()
    for member in members:
        name = member["name"].encode()
        fields = (
            member.get("flags", 0),
            member["method"],
            0,  # time
            0,  # date
            member["crc"],
            len(member["payload"]),
            member["size"],
            len(name),
            0,  # extra field length
        )
        offset = len(body)
        body += struct.pack("<4sH" + "HHHHIIIHH", b"PK\x03\x04", 20, *fields) + name
        body += member["payload"]
        central += struct.pack("<4sHH" + "HHHHIIIHH", b"PK\x01\x02", 20, 20, *fields)
        central += struct.pack("<HHHII", 0, 0, 0, 0, offset) + name
    count = len(members)
    end = struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, count, count, len(central), len(body), 0)
    return bytes(body + central + end)


def deflated(data: bytes) -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)  # raw deflate, as zip stores it
    return compressor.compress(data) + compressor.flush()


def zip_of(members: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=method) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def peak_memory(call):
    """Run ``call()``; return (the exception it raised, or None), peak traced memory in bytes."""
    tracemalloc.start()
    try:
        call()
    except Exception as error:  # noqa: BLE001 - the caller asserts which one
        return error, tracemalloc.get_traced_memory()[1]
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return None, peak


@pytest.fixture(scope="module")
def zeros_200mb() -> dict:
    """200 MB of zeros, deflated (about 200 kB), with its true CRC and size."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    block, parts, crc = bytes(1 << 20), [], 0
    for _ in range(200):
        parts.append(compressor.compress(block))
        crc = zlib.crc32(block, crc)
    parts.append(compressor.flush())
    return {"payload": b"".join(parts), "crc": crc, "size": 200 << 20}


# --------------------------------------------------------------------------- plain files


def test_io_re_exports_the_safe_readers():
    assert nn_io.check_regular_file is check_regular_file
    assert nn_io.read_regular_file is read_regular_file
    assert nn_io.read_zip is read_zip
    assert nn_io.npy_from_bytes is npy_from_bytes


def test_format_size_uses_decimal_units_and_drops_a_zero_decimal():
    sizes = [0, 999, 1000, 12_345_678, 10 * MB, 2_147_483_648, 10**16]
    assert [format_size(n) for n in sizes] == [
        "0 bytes",
        "999 bytes",
        "1 kB",
        "12.3 MB",
        "10 MB",
        "2.1 GB",
        "about 2**53 bytes",
    ]


def test_a_regular_file_within_the_cap_is_read_whole(tmp_path):
    path = tmp_path / "points.csv"
    path.write_bytes(b"x,y,label\n1,2,0\n")
    assert check_regular_file(str(path), max_bytes=16) == path
    assert read_regular_file(path, max_bytes=16) == b"x,y,label\n1,2,0\n"


def test_a_file_over_the_cap_is_refused_with_both_sizes(tmp_path):
    path = tmp_path / "big.bin"
    path.write_bytes(bytes(12_345_678))
    with pytest.raises(ValueError) as error:
        read_regular_file(path, max_bytes=10 * MB)
    assert str(error.value) == "big.bin is too large: 12.3 MB, the limit is 10 MB."


def test_a_file_one_byte_over_the_cap_is_refused_in_exact_bytes(tmp_path):
    path = tmp_path / "edge.bin"
    path.write_bytes(bytes(1001))
    with pytest.raises(ValueError) as error:
        check_regular_file(path, max_bytes=1000, name="my data")
    assert str(error.value) == "my data is too large: 1,001 bytes, the limit is 1,000 bytes."
    assert read_regular_file(path, max_bytes=1001) == bytes(1001)


def test_a_fifo_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "pipe.nnpg"
    os.mkfifo(fifo)  # opening it for reading would block until a writer comes
    for read in (check_regular_file, read_regular_file):
        with pytest.raises(ValueError) as error:
            read(fifo, max_bytes=10 * MB)
        assert str(error.value) == "pipe.nnpg is not a regular file."


def test_dev_zero_and_a_directory_are_refused(tmp_path):
    with pytest.raises(ValueError) as error:
        read_regular_file("/dev/zero", max_bytes=10 * MB)
    assert str(error.value) == "zero is not a regular file."
    with pytest.raises(ValueError) as error:
        read_regular_file(tmp_path, max_bytes=10 * MB, name="the folder")
    assert str(error.value) == "the folder is not a regular file."


def test_a_fifo_swapped_in_after_the_check_is_refused_by_fstat(tmp_path, monkeypatch):
    regular, fifo = tmp_path / "regular.bin", tmp_path / "swapped.bin"
    regular.write_bytes(b"data")
    os.mkfifo(fifo)
    real_stat = os.stat
    # the check sees a regular file; by the time it is opened it is a FIFO
    monkeypatch.setattr(os, "stat", lambda path, *a, **k: real_stat(regular))
    with pytest.raises(ValueError) as error:
        read_regular_file(fifo, max_bytes=100)
    assert str(error.value) == "swapped.bin is not a regular file."
    assert stat.S_ISFIFO(real_stat(fifo).st_mode)


def test_a_missing_file_raises_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError):
        read_regular_file(tmp_path / "gone.csv", max_bytes=100)


@pytest.mark.parametrize(
    ("kwargs", "error_type", "message"),
    [
        ({"max_bytes": -1}, ValueError, "max_bytes must be >= 0, got -1."),
        ({"max_bytes": 1.5}, TypeError, "max_bytes must be an integer, got 1.5."),
        ({"max_bytes": 9, "name": 3}, TypeError, "name must be a str or None, got int."),
    ],
)
def test_bad_arguments_are_refused(tmp_path, kwargs, error_type, message):
    path = tmp_path / "f.bin"
    path.write_bytes(b"1")
    with pytest.raises(error_type) as error:
        read_regular_file(path, **kwargs)
    assert str(error.value) == message
    with pytest.raises(TypeError) as error:
        read_regular_file(3, max_bytes=1)
    assert str(error.value) == "path must be a str or os.PathLike, got int."


# --------------------------------------------------------------------------- zip archives


def test_stored_and_deflate_members_round_trip_in_archive_order():
    members = {"session.json": b'{"a": 1}', "points.npy": bytes(range(256)) * 50, "empty": b""}
    for method in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        result = read_zip(zip_of(members, method), name="s.nnpg", max_total_bytes=20_000)
        assert result == members
        assert list(result) == list(members)


def test_the_cap_counts_every_member_together():
    data = zip_of({"a": bytes(600), "b": bytes(600)})
    assert read_zip(data, name="s.nnpg", max_total_bytes=1200) == {"a": bytes(600), "b": bytes(600)}
    with pytest.raises(ValueError) as error:
        read_zip(data, name="s.nnpg", max_total_bytes=1199)
    assert str(error.value) == (
        "s.nnpg is too large when decompressed: more than 1.2 kB (the limit), reached in "
        "member 'b'."
    )


@pytest.mark.parametrize(
    ("method", "method_name", "size"),
    [(zipfile.ZIP_BZIP2, "bzip2", 50 << 20), (zipfile.ZIP_LZMA, "lzma", 10 << 20)],
)
def test_bzip2_and_lzma_members_are_refused_before_decompressing(method, method_name, size):
    data = zip_of({"ok.json": b"{}", "bomb.npy": bytes(size)}, method)
    assert len(data) < 10_000
    error, peak = peak_memory(lambda: read_zip(data, name="s.nnpg", max_total_bytes=10 * MB))
    assert isinstance(error, ValueError)
    assert str(error) == (
        f"s.nnpg: member 'ok.json' is compressed with {method_name}; only stored and deflate "
        "members are accepted."
    )
    assert peak < 1 * MB  # nothing was decompressed


def test_a_deflate_bomb_that_declares_its_size_is_stopped_at_the_cap(zeros_200mb):
    data = forge_zip([{"name": "zeros.npy", "method": zipfile.ZIP_DEFLATED, **zeros_200mb}])
    assert len(data) < 300_000
    error, peak = peak_memory(lambda: read_zip(data, name="bomb.nnpg", max_total_bytes=10 * MB))
    assert isinstance(error, ValueError)
    assert str(error) == (
        "bomb.nnpg is too large when decompressed: more than 10 MB (the limit), reached in "
        "member 'zeros.npy'."
    )
    assert peak < 40 * MB  # the cap and one chunk, not 200 MB


@pytest.mark.parametrize("declared", [1000, 2**32 - 1])
def test_a_deflate_bomb_that_lies_about_its_size_is_refused_in_bounded_memory(
    zeros_200mb, declared
):
    member = {"name": "zeros.npy", "method": zipfile.ZIP_DEFLATED, **zeros_200mb}
    member["size"] = declared
    data = forge_zip([member])
    error, peak = peak_memory(lambda: read_zip(data, name="bomb.nnpg", max_total_bytes=10 * MB))
    assert isinstance(error, ValueError)
    if declared < 10 * MB:  # decompression ends at the declared size: the CRC cannot match
        assert str(error) == (
            "bomb.nnpg is not a valid zip archive (member 'zeros.npy'): "
            "Bad CRC-32 for file 'zeros.npy'."
        )
    else:
        assert str(error).startswith("bomb.nnpg is too large when decompressed: more than 10 MB")
    assert peak < 40 * MB


def test_an_archive_declaring_too_many_members_is_refused_before_reading_them():
    end_record = struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, 65534, 65534, 0, 0, 0)
    with pytest.raises(ValueError) as error:
        read_zip(end_record, name="s.nnpg", max_total_bytes=MB)
    assert str(error.value) == "s.nnpg holds too many members: 65534, the limit is 10000."
    data = zip_of({"a": b"1", "b": b"2", "c": b"3", "d": b"4"})
    with pytest.raises(ValueError) as error:
        read_zip(data, name="s.nnpg", max_total_bytes=MB, max_members=3)
    assert str(error.value) == "s.nnpg holds too many members: 4, the limit is 3."


def test_a_member_name_given_twice_is_refused():
    member = {"method": zipfile.ZIP_STORED, "payload": b"1", "crc": zlib.crc32(b"1"), "size": 1}
    data = forge_zip([{"name": "W0.npy", **member}, {"name": "W0.npy", **member}])
    with pytest.raises(ValueError) as error:
        read_zip(data, name="s.nnpg", max_total_bytes=MB)
    assert str(error.value) == "s.nnpg holds the member 'W0.npy' twice."


def test_an_encrypted_member_is_refused():
    data = forge_zip(
        [{"name": "a", "method": 0, "payload": b"x", "crc": 0, "size": 1, "flags": 0x1}]
    )
    with pytest.raises(ValueError) as error:
        read_zip(data, name="s.nnpg", max_total_bytes=MB)
    assert str(error.value) == "s.nnpg: member 'a' is encrypted."


def test_an_unknown_method_is_named_by_number_and_long_names_are_shortened():
    name = "n" * 10_000
    data = forge_zip([{"name": name, "method": 99, "payload": b"x", "crc": 0, "size": 1}])
    with pytest.raises(ValueError) as error:
        read_zip(data, name="s.nnpg", max_total_bytes=MB)
    assert str(error.value) == (
        f"s.nnpg: member '{'n' * 40}'… is compressed with method 99; only stored and deflate "
        "members are accepted."
    )


def test_a_crc_error_is_refused():
    payload = b"the real content"
    member = {"name": "a.json", "method": 0, "payload": payload, "crc": 1234, "size": 16}
    with pytest.raises(ValueError) as error:
        read_zip(forge_zip([member]), name="s.nnpg", max_total_bytes=MB)
    assert str(error.value) == (
        "s.nnpg is not a valid zip archive (member 'a.json'): Bad CRC-32 for file 'a.json'."
    )


def test_a_bad_deflate_stream_is_refused():
    payload = b"\xff" * 64  # not a deflate stream
    member = {"name": "a.npy", "method": 8, "payload": payload, "crc": 0, "size": 100}
    with pytest.raises(ValueError) as error:
        read_zip(forge_zip([member]), name="s.nnpg", max_total_bytes=MB)
    assert str(error.value).startswith("s.nnpg is not a valid zip archive (member 'a.npy'): ")


@pytest.mark.parametrize("cut", [0, 3, 30, -1, -10, -30, "middle"], ids=lambda cut: f"cut {cut}")
def test_a_truncated_or_foreign_archive_is_refused(cut):
    data = zip_of({"session.json": b"{}" * 100, "points.npy": bytes(500)})
    data = data[: len(data) // 2] if cut == "middle" else data[:cut]
    with pytest.raises(ValueError) as error:
        read_zip(data, name="s.nnpg", max_total_bytes=MB)
    assert str(error.value).startswith("s.nnpg is not a valid zip archive")
    with pytest.raises(ValueError) as error:
        read_zip(b"just text, no zip", name="s.nnpg", max_total_bytes=MB)
    assert str(error.value) == "s.nnpg is not a valid zip archive: File is not a zip file."


def test_a_member_whose_local_header_lies_is_refused():
    member = {"name": "a.json", "method": 0, "payload": b"{}", "crc": zlib.crc32(b"{}"), "size": 2}
    data = forge_zip([member]).replace(b"PK\x03\x04", b"PK\x03\x05", 1)
    with pytest.raises(ValueError) as error:
        read_zip(data, name="s.nnpg", max_total_bytes=MB)
    assert str(error.value) == (
        "s.nnpg is not a valid zip archive (member 'a.json'): Bad magic number for file header."
    )


def test_read_zip_refuses_bad_arguments():
    with pytest.raises(TypeError) as error:
        read_zip("PK", name="s", max_total_bytes=1)
    assert str(error.value) == "data must be bytes, got str."
    with pytest.raises(ValueError) as error:
        read_zip(b"", name="s", max_total_bytes=1, max_members=0)
    assert str(error.value) == "max_members must be > 0, got 0."


# ---------------------------------------------------------------------------- .npy arrays


def npy_bytes(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=array.dtype == object)
    return buffer.getvalue()


def npy_header(shape: object, descr: str = "<f8", fortran_order: bool = False) -> bytes:
    buffer = io.BytesIO()
    header = {"descr": descr, "fortran_order": fortran_order, "shape": shape}
    npy_format.write_array_header_1_0(buffer, header)
    return buffer.getvalue()


@pytest.mark.parametrize(
    "array",
    [
        np.array([True, False, True]),
        np.arange(-5, 5, dtype=np.int8),
        np.arange(12, dtype=np.uint16).reshape(3, 4),
        np.arange(12, dtype=np.int64).reshape(3, 4),
        np.linspace(-1, 1, 6, dtype=np.float32).reshape(2, 3),
        np.asfortranarray(np.random.default_rng(0).normal(size=(5, 7))),
        np.array(3.5),
        np.zeros((0, 3)),
        np.arange(4, dtype=">f8"),
    ],
    ids=lambda a: f"{a.dtype.str}{a.shape}{'F' if a.flags.f_contiguous and a.ndim > 1 else ''}",
)
def test_npy_round_trips_bit_for_bit_into_a_writable_array(array):
    result = npy_from_bytes(npy_bytes(array), name="a.npy")
    assert result.dtype == array.dtype and result.shape == array.shape
    assert result.tobytes(order="A") == array.tobytes(order="A")
    assert result.flags.f_contiguous == array.flags.f_contiguous
    assert result.flags.writeable and result.flags.owndata


def test_a_lying_shape_is_refused_before_anything_is_allocated():
    data = npy_header((268_435_456,)) + bytes(3000)  # declares 2 GB, holds 3 kB
    error, peak = peak_memory(lambda: npy_from_bytes(data, name="model.npz: W0.npy"))
    assert isinstance(error, ValueError)
    assert str(error) == (
        "model.npz: W0.npy is damaged: its header declares 2.1 GB of data "
        "(shape (268435456,), float64), but 3 kB follow it."
    )
    assert peak < 1 * MB


def test_a_shape_too_large_for_any_memory_is_refused_by_its_size():
    data = npy_header((2**62, 2**62)) + bytes(8)
    with pytest.raises(ValueError) as error:
        npy_from_bytes(data, name="a.npy")
    assert str(error.value) == (
        "a.npy is damaged: its header declares about 2**127 bytes of data "
        "(shape (4611686018427387904, 46116860184273879…, float64), but 8 bytes follow it."
    )


def test_a_few_bytes_too_many_are_refused_too():
    data = npy_bytes(np.zeros(3)) + b"\0"
    with pytest.raises(ValueError) as error:
        npy_from_bytes(data, name="a.npy")
    assert str(error.value) == (
        "a.npy is damaged: its header declares 24 bytes of data (shape (3,), float64), "
        "but 25 bytes follow it."
    )


@pytest.mark.parametrize(
    ("data", "dtype_text"),
    [
        (npy_bytes(np.array([{"a": 1}, None], dtype=object)), "object"),
        (npy_bytes(np.array(["abc"])), "<U3"),
        (
            npy_bytes(np.zeros(2, dtype=[("x", "<f8"), ("y", "<i4")])),
            "[('x', '<f8'), ('y', '<i4')]",
        ),
        (npy_bytes(np.zeros(2, dtype=complex)), "complex128"),
        (npy_bytes(np.zeros(2, dtype="datetime64[s]")), "datetime64[s]"),
    ],
    ids=["object", "str", "structured", "complex", "datetime"],
)
def test_anything_but_numbers_is_refused_without_unpickling(data, dtype_text):
    with pytest.raises(ValueError) as error:
        npy_from_bytes(data, name="a.npy")
    assert str(error.value) == (
        f"a.npy must hold numbers (bool, int, uint or float), got dtype {dtype_text}."
    )


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "EOF: reading magic string, expected 8 bytes got 0"),
        (
            b"PK\x03\x04 not npy",
            "the magic string is not correct; expected b'\\x93NUMPY', got b'PK\\x03\\x04 n'",
        ),
        (npy_header((-1,)) + b"", "a negative shape (-1,)"),
        (
            npy_header((2,), descr="not a dtype"),
            "descr is not a valid dtype descriptor: 'not a dtype'",
        ),
    ],
    ids=["empty", "zip", "negative", "bad descr"],
)
def test_a_damaged_npy_is_refused_with_its_reason(data, reason):
    with pytest.raises(ValueError) as error:
        npy_from_bytes(data, name="a.npy")
    assert str(error.value) == f"a.npy is not a valid .npy array: {reason}."


def test_an_npy_header_nested_deeply_or_of_version_3_is_refused():
    nested = b"\x93NUMPY\x01\x00" + struct.pack("<H", 5000) + b"(" * 5000
    with pytest.raises(ValueError) as error:
        npy_from_bytes(nested, name="a.npy")
    assert str(error.value).startswith("a.npy is not a valid .npy array: ")
    version_3 = b"\x93NUMPY\x03\x00" + npy_header((1,))[8:]
    with pytest.raises(ValueError) as error:
        npy_from_bytes(version_3, name="a.npy")
    assert str(error.value) == "a.npy is not a valid .npy array: version 3.0 is not supported."
    long_header = b"\x93NUMPY\x02\x00" + struct.pack("<I", 10**8)
    with pytest.raises(ValueError) as error:
        npy_from_bytes(long_header, name="a.npy")
    assert str(error.value) == (
        "a.npy is not a valid .npy array: its header is too long (100000000 bytes)."
    )
