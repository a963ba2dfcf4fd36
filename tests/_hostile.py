"""Hostile files made on the fly (shared by tests/test_io_hostile.py and ``python -m benchmarks.memory
--corpus``): decompression bombs whose headers declare 30000 x 30000 pixels in a few kilobytes."""

from __future__ import annotations

import struct
import zlib

import numpy as np


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def _png_bomb(path, width=30000, height=30000, colour_type=0):
    """A valid PNG header declaring width x height 8-bit pixels, followed by a little deflated data."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, colour_type, 0, 0, 0)
    rows = zlib.compress(b"\0" * (width + 1) * 4)  # four rows' worth: the rest is missing
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", ihdr) + _png_chunk(b"IDAT", rows)
                     + _png_chunk(b"IEND", b""))
    return path


def _jpeg_bomb(path, width=30000, height=30000):
    """A small JPEG whose SOF0 marker is patched to declare width x height pixels."""
    from PIL import Image

    Image.fromarray(np.zeros((16, 16), np.uint8)).save(path, format="JPEG")
    data = bytearray(path.read_bytes())
    at = data.index(b"\xff\xc0")
    struct.pack_into(">HH", data, at + 5, height, width)
    path.write_bytes(bytes(data))
    return path


def _tiff_bomb(path, width=30000, height=30000):
    """A small deflate TIFF whose ImageWidth / ImageLength tags are rewritten to declare a huge page."""
    import tifffile

    tifffile.imwrite(path, np.zeros((16, 16), np.uint8), compression="zlib")
    with tifffile.TiffFile(path, mode="r+b") as tif:
        tags = tif.pages[0].tags
        tags["ImageWidth"].overwrite(width)
        tags["ImageLength"].overwrite(height)
        tags["RowsPerStrip"].overwrite(height)
    return path


def _npy_bomb(path, shape=(30000, 30000)):
    with open(path, "wb") as fh:
        np.lib.format.write_array_header_1_0(fh, {"descr": "<u2", "fortran_order": False, "shape": shape})
        fh.write(b"\0" * 64)
    return path


BOMBS = {"png": _png_bomb, "jpg": _jpeg_bomb, "tif": _tiff_bomb, "npy": _npy_bomb}
