"""Images on the playground server: decoding uploads safely, the display mapping, PNG/TIFF/raw encodings, and
the content-addressed store of images and step results.

Display mapping (what the page draws; the pixel inspector shows the true values):

- ``uint8``: drawn as is (grey, RGB or RGBA), so the canvas holds exactly the library's result;
- ``bool``: False -> 0, True -> 255;
- every other dtype (uint16, signed integers, labels, floats): linearly from [min, max] of its finite values
  to [0, 255], rounded to nearest (a constant image is drawn 0); NaN and infinities are drawn 0.
"""

from __future__ import annotations

import hashlib
import io as _io
import tempfile
import threading
from collections import OrderedDict
from pathlib import Path

import numpy as np

#: upload formats, told by their first bytes (never by the name the client sends): (magic, extension)
_MAGIC = ((b"\x89PNG\r\n\x1a\n", ".png"), (b"\xff\xd8\xff", ".jpg"), (b"II*\x00", ".tif"), (b"MM\x00*", ".tif"),
          (b"II+\x00", ".tif"), (b"MM\x00+", ".tif"), (b"BM", ".bmp"), (b"P2", ".pgm"), (b"P5", ".pgm"),
          (b"P3", ".ppm"), (b"P6", ".ppm"), (b"\x93NUMPY", ".npy"))

#: the formats accepted, for messages
FORMATS = "PNG, JPEG, TIFF, BMP, PGM/PPM, NPY"


class ImageError(ValueError):
    """An upload that is refused; ``status`` is the HTTP status to answer with."""

    def __init__(self, message: str, status: int = 422):
        super().__init__(message)
        self.status = status


def sniff(data: bytes) -> str:
    """The file extension of an upload from its first bytes; ImageError (415) when no allowed format matches."""
    for magic, ext in _MAGIC:
        if data.startswith(magic):
            return ext
    raise ImageError(f"unsupported image format (allowed: {FORMATS}); the first bytes are {data[:8]!r}", 415)


def decode(data: bytes, *, max_pixels: int, max_bytes: int) -> np.ndarray:
    """Decode an uploaded file with :func:`fastdip.io.imread`'s header checks (pixel and byte budgets before any
    decoding). The bytes go to a file the server names in a private temporary folder, removed at once."""
    from fastdip import io

    ext = sniff(data)
    with tempfile.TemporaryDirectory(prefix="fastdip-upload-") as folder:
        path = Path(folder) / f"upload{ext}"
        path.write_bytes(data)
        try:
            image = io.imread(path, max_pixels=max_pixels, max_bytes=max_bytes)
        except io.ImageReadError as exc:
            reason = str(exc.reason) if hasattr(exc, "reason") else str(exc)
            too_big = "max_pixels" in reason or "max_bytes" in reason
            raise ImageError(f"the image was refused: {reason}".replace(str(path), "upload"),
                             413 if too_big else 422) from None
    return check_shape(image)


def check_shape(image: np.ndarray) -> np.ndarray:
    """Only 2-D grey and colour (rows, cols, 3 or 4) images of bool, integer or float pixels are shown."""
    if image.dtype.kind not in "buif":
        raise ImageError(f"pixels must be bool, integer or float, got {image.dtype}")
    if image.ndim == 3 and image.shape[-1] == 2:  # grey + alpha: the grey channel
        image = image[..., 0]
    if not (image.ndim == 2 or image.ndim == 3 and image.shape[-1] in (3, 4)):
        raise ImageError(f"the playground shows 2-D grey or colour images, got shape {image.shape}")
    if min(image.shape[:2]) < 1:
        raise ImageError(f"the image is empty (shape {image.shape})")
    return np.ascontiguousarray(image)


def digest(image: np.ndarray) -> str:
    """A content hash of an array (dtype, shape and bytes): the image's id."""
    h = hashlib.sha256(f"{image.dtype.str}{image.shape}".encode())
    h.update(np.ascontiguousarray(image).data)
    return h.hexdigest()[:24]


def display(image: np.ndarray) -> tuple[np.ndarray, tuple[float, float]]:
    """The uint8 image the page draws and the value range mapped to [0, 255] (see the module docstring)."""
    if image.dtype == np.uint8:
        return image, (0.0, 255.0)
    if image.dtype == bool:
        return image.astype(np.uint8) * np.uint8(255), (0.0, 1.0)
    values = image.astype(np.float64)
    finite = np.isfinite(values)
    if not finite.any():
        return np.zeros(image.shape, np.uint8), (0.0, 0.0)
    lo, hi = float(values[finite].min()), float(values[finite].max())
    if hi <= lo:
        return np.zeros(image.shape, np.uint8), (lo, hi)
    out = np.where(finite, (values - lo) * (255.0 / (hi - lo)), 0.0)
    return np.rint(out).astype(np.uint8), (lo, hi)


def png(image: np.ndarray, level: int = 0) -> bytes:
    """PNG bytes of a uint8 (grey, RGB, RGBA), uint16 grey or bool image, written directly: filter type 0 on
    every row and zlib at ``level`` (default 0, stored: on loopback, where the page's images go, compressing
    costs more than sending; 512² took 20-27 ms at level 1 against 0.4 ms stored here). Any PNG decoder reads it.

    References
    ----------
    W3C, *Portable Network Graphics (PNG) Specification (Third Edition)*, 2025: chunks, IHDR, filter type 0.
    """
    import struct
    import zlib

    if image.dtype == bool:
        image = image.astype(np.uint8) * np.uint8(255)
    channels = 1 if image.ndim == 2 else image.shape[-1]
    if image.dtype == np.uint8 and channels in (1, 3, 4):
        depth, samples = 8, image
    elif image.dtype == np.uint16 and channels == 1:
        depth, samples = 16, image.astype(">u2")
    else:
        raise ImageError(f"PNG holds uint8 grey/RGB/RGBA or uint16 grey images, not {image.dtype} "
                         f"of shape {image.shape}; download TIFF instead")
    rows, cols = image.shape[:2]
    colour = {1: 0, 3: 2, 4: 6}[channels]
    raw = np.empty((rows, 1 + cols * channels * depth // 8), np.uint8)
    raw[:, 0] = 0  # filter type None
    raw[:, 1:] = np.ascontiguousarray(samples).view(np.uint8).reshape(rows, -1)

    def chunk(kind: bytes, payload: bytes) -> bytes:
        return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))

    header = struct.pack(">IIBBBBB", cols, rows, depth, colour, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw.data, level))
            + chunk(b"IEND", b""))


def tiff(image: np.ndarray) -> bytes:
    """TIFF bytes of any result image (dtype kept; float64 included)."""
    import tifffile

    buf = _io.BytesIO()
    if image.dtype == bool:
        image = image.astype(np.uint8)
    tifffile.imwrite(buf, image, photometric="rgb" if image.ndim == 3 else "minisblack")
    return buf.getvalue()


def raw(image: np.ndarray) -> bytes:
    """The values as little-endian float32, row-major (channels last)."""
    return np.ascontiguousarray(image, dtype="<f4").tobytes()


def downsize(image: np.ndarray, side: int) -> np.ndarray:
    """A copy whose longest side is at most ``side``: every k-th pixel (nearest; dtype and values kept)."""
    step = -(-max(image.shape[:2]) // side)
    if step <= 1:
        return image
    return np.ascontiguousarray(image[::step, ::step])


class Store:
    """Least-recently-used arrays under a byte budget, keyed by any hashable (thread-safe). Arrays are stored
    read-only; ``get`` moves an entry to the recent end."""

    def __init__(self, budget: int):
        self.budget = budget
        self._items: OrderedDict = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key, value, pinned_size: int | None = None):
        size = getattr(value, "nbytes", 1024) if pinned_size is None else pinned_size
        if isinstance(value, np.ndarray):
            value.flags.writeable = False
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return
            self._items[key] = value
            self._bytes += size
            while self._bytes > self.budget and len(self._items) > 1:
                _, old = self._items.popitem(last=False)
                self._bytes -= getattr(old, "nbytes", 1024)

    def __contains__(self, key) -> bool:
        with self._lock:
            return key in self._items

    def __len__(self) -> int:
        return len(self._items)
