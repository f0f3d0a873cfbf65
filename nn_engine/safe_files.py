"""Reading untrusted files within caps on what is really read, never on what a file declares.

A file named by a user may be a FIFO that blocks forever, ``/dev/zero`` that never ends, a zip
archive whose members decompress to gigabytes while their headers declare a few bytes, or a
``.npy`` array whose header declares a shape far larger than the data behind it. These
functions refuse all of them with a ``ValueError`` naming the file, before memory or time is
spent on them:

- :func:`check_regular_file` and :func:`read_regular_file`: only regular files, at most
  ``max_bytes`` long (checked with ``stat`` before opening, again with ``fstat`` after, and by
  never reading more than ``max_bytes + 1`` bytes);
- :func:`read_zip`: every member of an in-memory zip archive, stored or deflate only, streamed
  in chunks and counted as it is really decompressed;
- :func:`npy_from_bytes`: one ``.npy`` array of numbers (never pickle), its declared size
  checked against the bytes present before anything is allocated.
"""

import io
import math
import os
import stat
import struct
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path

import numpy as np
from numpy.lib import format as npy_format
from numpy.typing import NDArray

from nn_engine.validation import check_int, shorten

CHUNK_BYTES = 1 << 20  # what one streaming read of a zip member may produce
_NPY_MAX_HEADER = 10_000  # numpy's own default limit for a .npy header
_METHOD_NAMES = {
    zipfile.ZIP_STORED: "stored",
    zipfile.ZIP_DEFLATED: "deflate",
    zipfile.ZIP_BZIP2: "bzip2",
    zipfile.ZIP_LZMA: "lzma",
    93: "zstandard",
}
# everything a damaged or hostile archive can make zipfile / zlib / numpy raise
_DECODING_ERRORS = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    NotImplementedError,
    OverflowError,
    RuntimeError,  # zipfile's "encrypted, password required", recursion errors
    MemoryError,
    struct.error,
    UnicodeDecodeError,
    ValueError,
    TypeError,
    OSError,
    SyntaxError,
)


def format_size(n_bytes: int) -> str:
    """A byte count for messages: ``"512 bytes"``, ``"12.3 kB"``, ``"10 MB"``, ``"2.1 GB"``.

    Decimal units (1 MB = 1,000,000 bytes), one decimal, none when it is zero; beyond 1000 TB
    (only a lying header declares that much) a power of two.
    """
    if n_bytes >= 10**15:  # only a lying header declares this much; a float may not hold it
        return f"about 2**{n_bytes.bit_length() - 1} bytes"
    for unit, size in (("TB", 10**12), ("GB", 10**9), ("MB", 10**6), ("kB", 10**3)):
        if n_bytes >= size:
            return f"{n_bytes / size:.1f}".removesuffix(".0") + f" {unit}"
    return f"{n_bytes} bytes"


def _size_pair(size: int, limit: int) -> tuple[str, str]:
    """``size`` and ``limit`` formatted, in exact bytes when rounding would make them look equal."""
    size_text, limit_text = format_size(size), format_size(limit)
    if size_text == limit_text:
        return f"{size:,} bytes", f"{limit:,} bytes"
    return size_text, limit_text


def _check_name(name: object, path: str | os.PathLike) -> str:
    if name is None:
        return Path(path).name or str(path)
    if not isinstance(name, str):
        raise TypeError(f"name must be a str or None, got {type(name).__name__}.")
    return name


def _check_path(path: object) -> str | os.PathLike:
    if not isinstance(path, str | os.PathLike):
        raise TypeError(f"path must be a str or os.PathLike, got {type(path).__name__}.")
    return path


def _check_bytes(data: object) -> None:
    if not isinstance(data, bytes | bytearray | memoryview):
        raise TypeError(f"data must be bytes, got {type(data).__name__}.")


def _check_stat(info: os.stat_result, name: str, max_bytes: int) -> None:
    if not stat.S_ISREG(info.st_mode):
        raise ValueError(f"{name} is not a regular file.")
    if info.st_size > max_bytes:
        size, limit = _size_pair(info.st_size, max_bytes)
        raise ValueError(f"{name} is too large: {size}, the limit is {limit}.")


# ------------------------------------------------------------------------ plain files


def check_regular_file(path: str | os.PathLike, *, max_bytes: int, name: str | None = None) -> Path:
    """Refuse, without opening it, anything but a regular file of at most ``max_bytes``.

    FIFOs, devices (``/dev/zero``), sockets and directories are refused by their ``stat``
    mode, so nothing here can block or read without end.

    Parameters
    ----------
    path : str or os.PathLike
        The file (symbolic links are followed).
    max_bytes : int >= 0
        The largest size accepted.
    name : str, optional
        How messages name the file; its file name by default.

    Returns
    -------
    pathlib.Path
        ``path`` as a Path.

    Raises
    ------
    OSError
        If it cannot be examined (FileNotFoundError, PermissionError ...).
    ValueError
        ``"<name> is not a regular file."`` or
        ``"<name> is too large: 12.3 MB, the limit is 10 MB."``
    """
    path = _check_path(path)
    max_bytes = check_int("max_bytes", max_bytes, minimum=0)
    name = _check_name(name, path)
    _check_stat(os.stat(path), name, max_bytes)
    return Path(path)


def read_regular_file(path: str | os.PathLike, *, max_bytes: int, name: str | None = None) -> bytes:
    """The content of a regular file of at most ``max_bytes``, never reading more than that.

    :func:`check_regular_file` first; then the file is opened (non-blocking, so a FIFO swapped
    in meanwhile cannot block), checked again on the open descriptor with ``fstat``, and read
    with a cap of ``max_bytes + 1`` bytes, in case it grew.

    Parameters
    ----------
    path, max_bytes, name
        As for :func:`check_regular_file`.

    Returns
    -------
    bytes

    Raises
    ------
    OSError
        If it cannot be opened or read.
    ValueError
        If it is not a regular file or larger than ``max_bytes`` (before or while reading).
    """
    path = check_regular_file(path, max_bytes=max_bytes, name=name)
    name = _check_name(name, path)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    fd = os.open(path, flags)
    with open(fd, "rb", closefd=True) as file:
        _check_stat(os.fstat(fd), name, max_bytes)
        data = file.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise ValueError(
            f"{name} is too large: it grew past the limit of {format_size(max_bytes)} "
            "while being read."
        )
    return data


# ------------------------------------------------------------------------- zip archives


def _declared_member_count(data: bytes | bytearray | memoryview) -> int | None:
    """The number of members the end-of-central-directory record declares (None if not found).

    Read before ``zipfile`` builds one object per member, so that an archive declaring
    millions of them is refused without building them.
    """
    view = memoryview(data)
    tail_start = max(0, len(view) - (22 + 0xFFFF))  # the record, then a comment of <= 64 kB
    end = bytes(view[tail_start:]).rfind(b"PK\x05\x06")
    if end < 0 or len(view) - tail_start - end < 22:
        return None
    end += tail_start
    (count,) = struct.unpack_from("<H", view, end + 10)
    locator = end - 20  # a ZIP64 archive keeps the true count in a ZIP64 end record
    if count == 0xFFFF and locator >= 0 and bytes(view[locator : locator + 4]) == b"PK\x06\x07":
        (record,) = struct.unpack_from("<Q", view, locator + 8)
        if record + 40 <= len(view) and bytes(view[record : record + 4]) == b"PK\x06\x06":
            (count,) = struct.unpack_from("<Q", view, record + 32)
    return count


def read_zip(
    data: bytes, *, name: str, max_total_bytes: int, max_members: int = 10_000
) -> dict[str, bytes]:
    """Every member of the zip archive ``data``, decompressed within a cap on the real output.

    Each member is decompressed in chunks of at most 1 MiB and the bytes really produced are
    counted (the sizes an archive declares may lie); reading stops as soon as the total passes
    ``max_total_bytes``. Only the stored and deflate methods are accepted: Python's bzip2 and
    lzma readers decompress a member whole in one call, whatever its size.

    Parameters
    ----------
    data : bytes
        The whole archive, e.g. from :func:`read_regular_file`.
    name : str
        How messages name the archive.
    max_total_bytes : int >= 0
        The most that all members together may decompress to.
    max_members : int >= 1
        The most members accepted.

    Returns
    -------
    dict of str to bytes
        Member name to content, in archive order.

    Raises
    ------
    ValueError
        Naming ``name``: not a zip archive or damaged (truncated, a CRC error, a bad deflate
        stream), too many members, a member name twice, an unsupported compression method or
        encryption, or more than ``max_total_bytes`` of content.
    """
    _check_bytes(data)
    if not isinstance(name, str):
        raise TypeError(f"name must be a str, got {type(name).__name__}.")
    max_total_bytes = check_int("max_total_bytes", max_total_bytes, minimum=0)
    max_members = check_int("max_members", max_members, minimum=1)

    declared = _declared_member_count(data)
    if declared is not None and declared > max_members:
        raise ValueError(f"{name} holds too many members: {declared}, the limit is {max_members}.")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except _DECODING_ERRORS as error:
        raise _damaged(name, "", error) from None
    with archive:
        if len(infos) > max_members:
            raise ValueError(
                f"{name} holds too many members: {len(infos)}, the limit is {max_members}."
            )
        seen: set[str] = set()
        for info in infos:
            member = shorten(info.filename)
            if info.filename in seen:
                raise ValueError(f"{name} holds the member {member} twice.")
            seen.add(info.filename)
            if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                method = _METHOD_NAMES.get(info.compress_type, f"method {info.compress_type}")
                raise ValueError(
                    f"{name}: member {member} is compressed with {method}; "
                    "only stored and deflate members are accepted."
                )
            if info.flag_bits & 0x1:
                raise ValueError(f"{name}: member {member} is encrypted.")
        members: dict[str, bytes] = {}
        total = 0
        for info in infos:
            chunks = []
            for chunk in _member_chunks(archive, info, name):
                total += len(chunk)
                if total > max_total_bytes:
                    raise ValueError(
                        f"{name} is too large when decompressed: more than "
                        f"{format_size(max_total_bytes)} (the limit), reached in member "
                        f"{shorten(info.filename)}."
                    )
                chunks.append(chunk)
            members[info.filename] = b"".join(chunks)
    return members


def _member_chunks(archive: zipfile.ZipFile, info: zipfile.ZipInfo, name: str) -> Iterator[bytes]:
    """The member's content in chunks of at most CHUNK_BYTES, as decompression produces it."""
    try:
        with archive.open(info) as stream:
            while chunk := stream.read(CHUNK_BYTES):
                yield chunk
    except _DECODING_ERRORS as error:
        raise _damaged(name, info.filename, error) from None


def _damaged(name: str, member: str, error: BaseException) -> ValueError:
    reason = shorten(str(error) or type(error).__name__, 80, quote=False)
    where = f" (member {shorten(member)})" if member else ""
    return ValueError(f"{name} is not a valid zip archive{where}: {reason}.")


# --------------------------------------------------------------------------- .npy arrays


def npy_from_bytes(data: bytes, *, name: str) -> NDArray:
    """One ``.npy`` array of numbers parsed from ``data``: never pickle, never over-allocated.

    The header is read with ``numpy.lib.format`` (versions 1.0 and 2.0). Only bool, signed and
    unsigned integer and float dtypes are accepted (no object, string or structured arrays),
    and the bytes the shape needs must equal the bytes after the header exactly, checked before
    any array is made.

    Parameters
    ----------
    data : bytes
        The whole ``.npy`` file.
    name : str
        How messages name it (e.g. ``"model.npz: W0.npy"``).

    Returns
    -------
    ndarray
        A writable array that owns its memory, with the stored shape, dtype and memory order.

    Raises
    ------
    ValueError
        Naming ``name``: not a ``.npy`` array, a damaged header, an unsupported dtype, or data
        of another size than the header declares.
    """
    _check_bytes(data)
    if not isinstance(name, str):
        raise TypeError(f"name must be a str, got {type(name).__name__}.")
    stream = io.BytesIO(data)
    try:
        version = npy_format.read_magic(stream)
        if version not in ((1, 0), (2, 0)):
            raise ValueError(f"version {version[0]}.{version[1]} is not supported")
        (header_length,) = struct.unpack_from("<H" if version == (1, 0) else "<I", data, 8)
        if header_length > _NPY_MAX_HEADER:
            raise ValueError(f"its header is too long ({header_length} bytes)")
        read_header = (
            npy_format.read_array_header_1_0
            if version == (1, 0)
            else npy_format.read_array_header_2_0
        )
        shape, fortran_order, dtype = read_header(stream, max_header_size=_NPY_MAX_HEADER)
    except Exception as error:  # numpy's header parser may raise anything on hostile bytes
        # (ValueError, EOFError, SyntaxError, tokenize.TokenError, RecursionError ...)
        reason = shorten(str(error) or type(error).__name__, 80, quote=False)
        raise ValueError(f"{name} is not a valid .npy array: {reason}.") from None

    if dtype.fields is not None or dtype.subdtype is not None or dtype.kind not in "biuf":
        found = shorten(str(dtype), quote=False)
        raise ValueError(f"{name} must hold numbers (bool, int, uint or float), got dtype {found}.")
    if any(extent < 0 for extent in shape):
        raise ValueError(f"{name} is not a valid .npy array: a negative shape {shorten(shape)}.")
    count = math.prod(shape)  # Python ints: no overflow whatever the header says
    offset = stream.tell()
    present = len(data) - offset
    if count * dtype.itemsize != present:
        raise ValueError(
            f"{name} is damaged: its header declares {format_size(count * dtype.itemsize)} of "
            f"data (shape {shorten(shape)}, {dtype}), but {format_size(present)} follow it."
        )
    flat = np.frombuffer(data, dtype=dtype, count=count, offset=offset)
    return flat.reshape(shape, order="F" if fortran_order else "C").copy(order="K")
