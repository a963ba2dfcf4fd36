"""Reading and writing images: ``imread``, ``imwrite`` and ``imread_collection``.

Images come back as numpy arrays in (row, col[, channel]) order, (plane, row, col[, channel]) for stacks and
volumes, with the dtype the file stores (nothing is rescaled). The codecs are those of Pillow (PNG, JPEG, BMP,
PGM/PPM), tifffile (TIFF), numpy (NPY) and nibabel (NIfTI, optional); fastdip only chooses, checks and
arranges.

========== ======================= ====================================================================
format     extensions              what ``imwrite`` stores (``imread`` reads these and more)
========== ======================= ====================================================================
PNG        .png                    uint8 grey, RGB, RGBA; uint16 grey; bool (1-bit) grey
JPEG       .jpg .jpeg              uint8 grey or RGB (lossy: quality 95, no chroma subsampling)
TIFF       .tif .tiff              (u)int8/16/32, float32, float64; 2-D, RGB(A), multi-page stacks
BMP        .bmp                    uint8 grey or RGB
PGM / PPM  .pgm / .ppm             uint8 or uint16 grey / uint8 RGB
NPY        .npy                    any bool, integer or float array of 2 or more dimensions
NIfTI      .nii .nii.gz            (u)int8/16/32, float32, float64 volumes (needs nibabel: the
                                   ``medical`` extra)
========== ======================= ====================================================================

Reading is guarded: only regular files are opened (a FIFO, device or socket named like an image is refused
rather than waited on); the shape and dtype are read from the header and the size of the array ``imread``
would return is checked against ``max_bytes`` (default 512 MiB, :data:`DEFAULT_MAX_BYTES`) and the pixel count
against ``max_pixels`` before anything is decoded (decompression bombs: a 59 KB JPEG can declare 30000 x 30000
pixels); and every failure (missing, truncated, not an image, too large, out of memory) raises
:class:`ImageReadError` naming the file and the reason. Writing is atomic: on Linux the data go to an unnamed
file in the destination folder (``O_TMPFILE``), linked into place only once complete, so even a process killed
mid-write leaves nothing behind; elsewhere a hidden temporary file is renamed into place, and temporaries left
by a killed writer are removed by the next write into that folder.
"""

from __future__ import annotations

import contextlib
import glob
import math
import os
import secrets
import stat
import struct
from pathlib import Path
from types import MappingProxyType
from typing import NamedTuple

import numpy as np

from . import _docs, _validate

__all__ = ["ImageReadError", "Collection", "imread", "imwrite", "imread_collection", "EXTENSIONS",
           "DEFAULT_MAX_BYTES"]

#: The default decoded-size budget of :func:`imread` (bytes of the array it returns): 512 MiB.
DEFAULT_MAX_BYTES = 512 * 2**20

#: File extensions fastdip reads and writes, mapped to their format names (read-only).
EXTENSIONS = MappingProxyType({
    ".bmp": "BMP",
    ".jpeg": "JPEG",
    ".jpg": "JPEG",
    ".nii": "NIfTI",
    ".nii.gz": "NIfTI",
    ".npy": "NPY",
    ".pgm": "PGM",
    ".png": "PNG",
    ".ppm": "PPM",
    ".tif": "TIFF",
    ".tiff": "TIFF",
})

_ALLOWED_TEXT = ", ".join(sorted(EXTENSIONS))

# Pillow's names for the formats it decodes for us (PGM and PPM are both Pillow's "PPM").
_PIL_FORMATS = ("PNG", "JPEG", "BMP", "PPM")
_PIL_SAVE = {"PNG": "PNG", "JPEG": "JPEG", "BMP": "BMP", "PGM": "PPM", "PPM": "PPM"}
_PIL_SAVE_OPTIONS = {"JPEG": {"quality": 95, "subsampling": 0}}

# ITU-R BT.601 luma weights for R, G, B.
_LUMA_601 = (0.299, 0.587, 0.114)

_STACK_FORMATS = {"TIFF", "NPY", "NIfTI"}
_NUMERIC_TIFF = ("uint8", "uint16", "uint32", "int8", "int16", "int32", "float32", "float64")
_NUMERIC_NIFTI = _NUMERIC_TIFF


class ImageReadError(OSError, ValueError):
    """An image file could not be read: missing, unreadable, truncated, not an image, or too large.

    A subclass of both ``OSError`` and ``ValueError``. ``path`` holds the file name and ``reason`` the cause;
    ``str(error)`` gives both.

    References
    ----------
    .. [1] Python documentation, *Built-in exceptions*: ``OSError``, ``ValueError`` (``io.UnsupportedOperation``
       derives from both in the same way).

    Examples
    --------
    >>> err = ImageReadError("scan.png", "no such file")
    >>> print(err)
    imread: cannot read 'scan.png': no such file
    >>> isinstance(err, OSError), isinstance(err, ValueError)
    (True, True)
    """

    def __init__(self, path, reason: str):
        self.path = os.fspath(path) if isinstance(path, os.PathLike) else str(path)
        self.reason = reason
        super().__init__(f"imread: cannot read {self.path!r}: {reason}")

    def __reduce__(self):
        return (type(self), (self.path, self.reason))


class Collection(NamedTuple):
    """The result of :func:`imread_collection`: the images read, their paths, and the files that failed.

    Unpacks as ``images, paths, errors``. ``images[i]`` was read from ``paths[i]``; ``errors`` lists
    ``(path, message)`` for each file skipped with ``on_error='skip'``.

    References
    ----------
    .. [1] Python documentation, ``typing.NamedTuple``.

    Examples
    --------
    >>> c = Collection([np.zeros((2, 2), np.uint8)], ["a.png"], [("b.png", "no such file")])
    >>> print(c)
    Collection of 1 image (a.png); 1 error (b.png)
    """

    images: list
    paths: list
    errors: list

    def __str__(self) -> str:
        def names(items):
            shown = ", ".join(os.path.basename(p) for p in items[:3])
            return shown + (", ..." if len(items) > 3 else "")

        n, e = len(self.images), len(self.errors)
        text = f"Collection of {n} image{'s' if n != 1 else ''}"
        if n:
            text += f" ({names(self.paths)})"
        text += f"; {e} error{'s' if e != 1 else ''}"
        if e:
            text += f" ({names([p for p, _ in self.errors])})"
        return text

    def __repr__(self) -> str:
        return f"<{self}>"


# --------------------------------------------------------------------------------------------------- helpers


def _check_path(path, func: str) -> Path:
    if isinstance(path, (str, os.PathLike)):
        text = os.fspath(path)
        if isinstance(text, str):
            return Path(text)
    _validate.fail(func, "path", path, "a str or os.PathLike path (e.g. pathlib.Path)", TypeError)


def _check_flag(value, func: str, param: str) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        _validate.fail(func, param, value, "True or False", TypeError)
    return bool(value)


def _suffix(path: Path) -> str:
    name = path.name.lower()
    if name.endswith(".nii.gz"):
        return ".nii.gz"
    return os.path.splitext(name)[1]


def _import_nibabel(func: str):
    try:
        import nibabel
    except ImportError as exc:
        raise ImportError(
            f"{func}: NIfTI files (.nii, .nii.gz) need nibabel, which is not installed; "
            "install it with `pip install fastdip[medical]` (or `pip install nibabel`)"
        ) from exc
    return nibabel


def _describe(shape, dtype) -> str:
    return f"shape {tuple(int(n) for n in shape)}, dtype {np.dtype(dtype).name}"


def _check_bytes(path, shape, dtype, max_bytes: int) -> None:
    """Refuse a declared array whose decoded size is above the budget (before anything is decoded)."""
    size = math.prod(int(n) for n in shape) * np.dtype(dtype).itemsize
    if size > max_bytes:
        raise ImageReadError(
            path,
            f"its header declares {_describe(shape, dtype)}: {size:,} bytes once decoded, more than "
            f"max_bytes={max_bytes:,} ({max_bytes / 2**20:,.0f} MiB); pass a larger max_bytes "
            "(CLI: --max-bytes) if you trust this file",
        )


def _check_pixels(path, shape, colour_axis: bool, max_pixels: int) -> None:
    spatial = shape[:-1] if colour_axis else shape
    pixels = math.prod(int(n) for n in spatial)
    if pixels > max_pixels:
        raise ImageReadError(
            path,
            f"it holds {pixels} pixels (shape {tuple(int(n) for n in shape)}), more than max_pixels={max_pixels}; "
            "pass a larger max_pixels if you trust this file",
        )


def _finalize(arr) -> np.ndarray:
    """Native byte order, C-contiguous, writeable (copies only where needed)."""
    arr = np.asarray(arr)
    if arr.dtype == np.bool_:
        # Pillow's 1-bit images come as bools whose True bytes are 255: make them the canonical 0/1, which
        # kernels that view bool as uint8 rely on
        return np.not_equal(arr.view(np.uint8), 0)
    if not arr.dtype.isnative:
        arr = arr.astype(arr.dtype.newbyteorder("="))
    arr = np.ascontiguousarray(arr)
    if not arr.flags.writeable:
        arr = arr.copy()
    return arr


def _luminance(image: np.ndarray) -> np.ndarray:
    """BT.601 luma of a channel-last colour image; grey+alpha gives the grey channel."""
    if image.shape[-1] < 3:
        return np.ascontiguousarray(image[..., 0])
    r, g, b = (image[..., k].astype(np.float64) for k in range(3))
    y = _LUMA_601[0] * r + _LUMA_601[1] * g + _LUMA_601[2] * b
    kind = image.dtype.kind
    if kind == "b":
        return y >= 0.5
    if kind in "ui":
        info = np.iinfo(image.dtype)
        np.rint(y, out=y)
        np.clip(y, info.min, info.max, out=y)
    return y.astype(image.dtype)


# --------------------------------------------------------------------------------------------------- readers


def _pil_open(fp, path):
    """Identify and open a Pillow image from ``fp`` without Pillow's decompression-bomb check.

    ``Image.open`` warns above ``Image.MAX_IMAGE_PIXELS`` and refuses above twice that, a global limit that
    would override ``max_pixels``; the plugin factories registered in ``Image.OPEN`` read the header only, and
    our own limit is applied to the size they report.
    """
    from PIL import Image

    Image.preinit()
    if any(name not in Image.OPEN for name in _PIL_FORMATS):
        Image.init()
    prefix = fp.read(16)
    failures = []
    for name in _PIL_FORMATS:
        factory, accept = Image.OPEN[name]
        verdict = accept(prefix) if accept is not None else True
        if not verdict or isinstance(verdict, str):
            continue
        fp.seek(0)
        try:
            return factory(fp, os.fspath(path))
        except (SyntaxError, IndexError, TypeError, struct.error) as exc:
            failures.append(f"{name}: {exc}")
    if failures:
        raise ImageReadError(path, f"a damaged or truncated image file ({'; '.join(failures)})")
    raise ImageReadError(path, "not a PNG, JPEG, BMP or PGM/PPM image (its first bytes match none of them)")


def _pil_source_is_16bit(im) -> bool:
    """True when the file stores 16 bits per sample (Pillow reduces 16-bit colour to 8 bits)."""
    for tile in getattr(im, "tile", None) or ():
        codec, args = tile[0], tile[3] if len(tile) > 3 else None
        rawmode = args if isinstance(args, str) else (args[0] if isinstance(args, tuple) and args else "")
        if isinstance(rawmode, str) and ";16" in rawmode:
            return True
        if (isinstance(codec, str) and codec.startswith("ppm") and isinstance(args, tuple) and len(args) > 1
                and isinstance(args[1], int) and args[1] > 255):
            return True
    return False


#: Pillow mode -> (samples per pixel, dtype) of the array imread returns for it (after its conversions)
_PIL_DECODED = {"1": (1, np.bool_), "L": (1, np.uint8), "LA": (2, np.uint8), "La": (2, np.uint8),
                "P": (4, np.uint8), "PA": (4, np.uint8), "RGB": (3, np.uint8), "RGBA": (4, np.uint8),
                "RGBa": (4, np.uint8), "RGBX": (3, np.uint8), "CMYK": (3, np.uint8), "YCbCr": (3, np.uint8),
                "LAB": (3, np.uint8), "HSV": (3, np.uint8), "I": (1, np.int32), "F": (1, np.float32)}


def _read_pillow(path: Path, max_pixels: int, max_bytes: int):
    with open(path, "rb") as fp:
        im = _pil_open(fp, path)
        with im:
            _check_pixels(path, (im.height, im.width), False, max_pixels)
            mode = im.mode
            samples, dtype = _PIL_DECODED.get(mode, (1, np.uint16) if mode.startswith("I;16") else (4, np.float64))
            # Pillow decodes into its own buffer first and numpy copies it: budget the larger of the two
            _check_bytes(path, (im.height, im.width) + ((samples,) if samples > 1 else ()), dtype, max_bytes)
            wide = _pil_source_is_16bit(im)
            if wide and not mode.startswith("I"):
                raise ImageReadError(
                    path,
                    f"it is a 16-bit {mode} {im.format} image, which Pillow can read only reduced to 8 bits; "
                    "store 16-bit colour as TIFF (.tif) or NPY (.npy) instead",
                )
            im.load()
            if mode in ("P", "PA"):
                im = im.convert("RGBA" if mode == "PA" or "transparency" in im.info else "RGB")
            elif mode in ("CMYK", "YCbCr", "RGBX", "LAB", "HSV"):
                im = im.convert("RGB")
            elif mode == "RGBa":
                im = im.convert("RGBA")
            elif mode == "La":
                im = im.convert("LA")
            arr = np.array(im)
    if wide and arr.dtype != np.uint16:
        arr = arr.astype(np.uint16)  # Pillow's mode "I" holds 16-bit PGM samples as int32
    return arr, arr.ndim == 3


def _read_tiff(path: Path, max_pixels: int, max_bytes: int):
    import tifffile

    with tifffile.TiffFile(path) as tif:
        if not tif.series:
            raise ImageReadError(path, "the TIFF file holds no image data")
        series = tif.series[0]
        shape, axes = tuple(series.shape), series.axes
        samples = [n for n, ax in zip(shape, axes) if ax == "S"]
        spatial = tuple(n for n, ax in zip(shape, axes) if ax != "S")
        _check_pixels(path, spatial, False, max_pixels)
        _check_bytes(path, shape, series.dtype, max_bytes)
        data = series.asarray()
    if samples:
        data = np.moveaxis(data, axes.index("S"), -1)
    return data, bool(samples)


def _read_npy(path: Path, max_pixels: int, max_bytes: int):
    fmt = np.lib.format
    with open(path, "rb") as fp:
        version = fmt.read_magic(fp)
        if version == (1, 0):
            shape, _, dtype = fmt.read_array_header_1_0(fp)
        elif version == (2, 0):
            shape, _, dtype = fmt.read_array_header_2_0(fp)
        else:
            shape = dtype = None
    if shape is None:  # a newer header version: numpy parses it while mapping, without reading the data
        mapped = np.load(path, mmap_mode="r", allow_pickle=False)
        shape, dtype = mapped.shape, mapped.dtype
        del mapped
    if dtype.kind not in "buif":
        raise ImageReadError(path, f"it holds an array of dtype {dtype}, not bool, integer or float pixels")
    if len(shape) < 2:
        raise ImageReadError(path, f"it holds a {len(shape)}-D array of shape {shape}, not an image (2-D or more)")
    colour = len(shape) >= 3 and shape[-1] in (3, 4)
    _check_pixels(path, shape, colour, max_pixels)
    _check_bytes(path, shape, dtype, max_bytes)
    return np.load(path, allow_pickle=False), colour


def _read_nifti(path: Path, max_pixels: int, max_bytes: int, nib):
    img = nib.load(os.fspath(path), mmap=False)
    shape = tuple(img.shape)
    _check_pixels(path, shape, False, max_pixels)
    dtype = getattr(img.dataobj, "dtype", None) or img.get_data_dtype()  # float64 when a scale factor is set
    _check_bytes(path, shape, dtype, max_bytes)
    data = np.asarray(img.dataobj)
    return data.transpose(tuple(range(data.ndim - 1, -1, -1))), False


# --------------------------------------------------------------------------------------------------- imread


def _check_regular_file(path: Path) -> None:
    """Refuse what is not a regular file before opening it: opening a FIFO would wait for a writer forever."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        raise ImageReadError(path, "no such file") from None
    except PermissionError as exc:
        raise ImageReadError(path, f"permission denied ({exc.strerror or exc})") from exc
    except OSError as exc:
        raise ImageReadError(path, exc.strerror or str(exc)) from exc
    if stat.S_ISREG(mode):
        return
    kind = ("a directory" if stat.S_ISDIR(mode) else "a FIFO (named pipe)" if stat.S_ISFIFO(mode)
            else "a socket" if stat.S_ISSOCK(mode) else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode)
            else "not a regular file")
    raise ImageReadError(path, f"it is {kind}, not an image file")


def imread(path, *, as_gray=False, max_pixels=2**30, max_bytes=DEFAULT_MAX_BYTES):
    """Read an image file into a numpy array, in the dtype the file stores.

    Parameters
    ----------
    path : str or os.PathLike
        The file to read (a regular file). The extension picks the reader (case-insensitive): .png,
        .jpg/.jpeg, .bmp, .pgm and .ppm go to Pillow, which recognises PNG, JPEG, BMP and PGM/PPM **by their
        content** (a PNG named .jpg is read as the PNG it is); .tif/.tiff, .npy and .nii/.nii.gz (when nibabel
        is installed) must hold that format.
    as_gray : bool, optional
        Convert a colour image to grey levels with the ITU-R BT.601 luma weights
        ``Y = 0.299 R + 0.587 G + 0.114 B`` (alpha is dropped; grey+alpha gives the grey channel). Integer
        images keep their dtype (rounded to nearest), float images keep theirs. Grey images are returned
        unchanged.
    max_pixels : int, optional
        Refuse images with more pixels than this (voxels for volumes; colour samples are not counted), read
        from the header before anything is decoded. Default 2**30.
    max_bytes : int, optional
        Refuse images whose decoded array (the one returned: samples x bytes per sample, e.g. a palette PNG
        counts 3 or 4 bytes per pixel) would be larger than this many bytes, checked from the header before
        anything is decoded: the guard against decompression bombs. Default :data:`DEFAULT_MAX_BYTES`
        (512 MiB); pass a larger value for big volumes you trust.

    Returns
    -------
    image : ndarray
        (M, N) grey, (M, N, C) colour (C = 3 for RGB, 4 for RGBA, 2 for grey+alpha), (P, M, N[, C]) for
        multi-page TIFF and NPY stacks. The dtype is the stored one: uint8, uint16, int16, int32, float32, ...
        (a 1-bit PNG gives bool). The array is C-contiguous, native-endian and writeable, never shared.

    Raises
    ------
    ImageReadError
        The file is missing, not a regular file (directory, FIFO, device, socket), unreadable, truncated or
        corrupt, not an image (of its extension's format, for TIFF, NPY and NIfTI), has an unsupported
        extension, declares more than ``max_pixels`` pixels or ``max_bytes`` bytes (the message gives the
        declared shape and dtype and the budget), or decoding runs out of memory. Also an ``OSError`` and a
        ``ValueError``.
    TypeError
        ``path`` is not a str or path object, or ``as_gray`` is not a bool.
    ImportError
        A NIfTI file is read without nibabel installed.

    Notes
    -----
    Codecs: Pillow for PNG, JPEG, BMP and PGM/PPM; tifffile for TIFF (the file's first image series: pages of
    one shape form a (P, M, N[, C]) stack, samples go last); ``numpy.load`` without pickles for NPY; nibabel
    for NIfTI. A NIfTI volume's axes are reversed, so its (x, y, z) voxel grid comes back as (z, y, x): planes,
    rows, columns, as in the rest of fastdip (and ``imwrite`` reverses them back). Data with a NIfTI scale
    factor (``scl_slope``) come back scaled, as float. JPEG EXIF orientation is not applied; a palette image
    is expanded to RGB (RGBA with transparency). Pillow reads 16-bit *colour* PNG/PPM only reduced to 8 bits,
    so such files are refused rather than silently truncated; 16-bit grey is read in full.

    References
    ----------
    .. [1] ISO/IEC 15948:2004, *Portable Network Graphics (PNG) Specification*, 2nd ed. (W3C, 2003).
    .. [2] Adobe Systems, *TIFF Revision 6.0* (1992); C. Gohlke, tifffile, https://pypi.org/project/tifffile/
    .. [3] ITU-T T.81 / ISO/IEC 10918-1, *JPEG: digital compression of continuous-tone still images* (1992).
    .. [4] R. W. Cox et al., *A (sort of) new image data format standard: NIfTI-1*, NeuroImage 22 (2004).
    .. [5] ITU-R BT.601-7, *Studio encoding parameters of digital television* (2011), luma weights.
    .. [6] NumPy Enhancement Proposal 1, *A simple file format for NumPy arrays* (the .npy format).

    Examples
    --------
    >>> import pathlib, tempfile
    >>> rgb = np.zeros((2, 3, 3), dtype=np.uint8)
    >>> rgb[..., 0] = 200                                  # a red image
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = pathlib.Path(folder) / "red.png"
    ...     imwrite(path, rgb)
    ...     back = imread(path)
    ...     grey = imread(path, as_gray=True)
    >>> back.shape, back.dtype, bool((back == rgb).all())
    ((2, 3, 3), dtype('uint8'), True)
    >>> grey                                               # round(0.299 * 200) = 60
    array([[60, 60, 60],
           [60, 60, 60]], dtype=uint8)
    """
    path = _check_path(path, "imread")
    as_gray = _check_flag(as_gray, "imread", "as_gray")
    max_pixels = _validate.positive_int(max_pixels, "imread", "max_pixels")
    max_bytes = _validate.positive_int(max_bytes, "imread", "max_bytes")
    suffix = _suffix(path)
    fmt = EXTENSIONS.get(suffix)
    if fmt is None:
        raise ImageReadError(path, f"unsupported file extension {suffix or '(none)'!r}; "
                                   f"fastdip reads {_ALLOWED_TEXT}")
    nib = _import_nibabel("imread") if fmt == "NIfTI" else None
    _check_regular_file(path)
    try:
        if fmt == "TIFF":
            image, colour = _read_tiff(path, max_pixels, max_bytes)
        elif fmt == "NPY":
            image, colour = _read_npy(path, max_pixels, max_bytes)
        elif fmt == "NIfTI":
            image, colour = _read_nifti(path, max_pixels, max_bytes, nib)
        else:
            image, colour = _read_pillow(path, max_pixels, max_bytes)
    except ImageReadError:
        raise
    except MemoryError as exc:
        raise ImageReadError(path, "not enough memory to decode it; free memory or read a smaller image") from exc
    except PermissionError as exc:
        raise ImageReadError(path, f"permission denied ({exc.strerror or exc})") from exc
    except Exception as exc:  # any decoder failure becomes one error type that names the file
        raise ImageReadError(path, f"not a readable {fmt} file, or a truncated or damaged one "
                                   f"({type(exc).__name__}: {exc})") from exc
    image = _finalize(image)
    if as_gray and colour:
        image = _luminance(image)
    return image


# --------------------------------------------------------------------------------------------------- imwrite


def _dtype_hint(fmt: str, dtype: np.dtype) -> str:
    kind = dtype.kind
    if kind == "b":
        return "convert with fastdip.dtype.to_uint8 (False/True -> 0/255) first, or write .png/.npy"
    if fmt in ("JPEG", "BMP", "PPM"):
        if kind == "f":
            return f"convert with fastdip.dtype.to_uint8 first, or write .tif/.npy to keep {dtype}"
        return f"{fmt} stores 8-bit data: convert with fastdip.dtype.to_uint8 first, or write .png/.tif for 16 bits"
    if fmt in ("PNG", "PGM"):
        if kind == "f":
            return "convert with fastdip.dtype.to_uint8 or to_uint16 first, or write .tif/.npy"
        return ("map it to uint8/uint16 with fastdip.dtype.rescale_intensity(image, dtype=np.uint16) first, "
                "or write .tif/.npy")
    return "convert with numpy's astype to one of these dtypes, or write .npy, which stores any numeric dtype"


def _check_writable(fmt: str, arr: np.ndarray) -> None:
    """Refuse a dtype or shape the format cannot store, saying what to do instead."""
    dtype, shape, ndim = arr.dtype, arr.shape, arr.ndim
    if ndim < 2:
        _validate.fail("imwrite", "image", arr, "an image of 2 or more dimensions")
    if fmt in _STACK_FORMATS:
        allowed = {"TIFF": _NUMERIC_TIFF, "NIfTI": _NUMERIC_NIFTI, "NPY": None}[fmt]
        if allowed is not None and dtype.name not in allowed:
            raise TypeError(f"imwrite: {fmt} cannot store {dtype}; allowed dtypes are {', '.join(allowed)}; "
                            f"{_dtype_hint(fmt, dtype)}")
        if fmt == "NIfTI" and ndim > 7:
            _validate.fail("imwrite", "image", arr, "an array of 2 to 7 dimensions for NIfTI")
        return

    dtypes = {"PNG": ("uint8", "uint16", "bool"), "JPEG": ("uint8",), "BMP": ("uint8",),
              "PGM": ("uint8", "uint16"), "PPM": ("uint8",)}[fmt]
    if dtype.name not in dtypes:
        raise TypeError(f"imwrite: {fmt} cannot store {dtype}; {_dtype_hint(fmt, dtype)}")
    channels = {"PNG": (3, 4), "JPEG": (3,), "BMP": (3,), "PGM": (), "PPM": (3,)}[fmt]
    if fmt == "PNG" and dtype != np.uint8:
        channels = ()
    grey_ok = fmt != "PPM"
    if (ndim == 2 and grey_ok) or (ndim == 3 and shape[-1] in channels):
        return
    if fmt == "PNG" and ndim == 3 and dtype == np.uint16 and shape[-1] in (3, 4):
        hint = ("Pillow writes 16-bit PNG for grey-level images only; write .tif or .npy to keep 16-bit colour, "
                "or convert with fastdip.dtype.to_uint8")
    elif ndim == 3 and shape[-1] == 4 and 3 in channels:
        hint = f"{fmt} has no alpha channel: drop it with image[..., :3], or write .png/.tif"
    elif ndim >= 3 and not (ndim == 3 and shape[-1] in (1, 2, 3, 4)):
        hint = "write a stack or volume as .tif, .npy or .nii, or one file per plane"
    elif fmt == "PPM":
        hint = "write grey-level images as .pgm"
    else:
        hint = "pass (rows, cols) grey or (rows, cols, 3) colour data"
    shapes = (["(rows, cols)"] if grey_ok else []) + [f"(rows, cols, {c})" for c in channels]
    raise ValueError(f"imwrite: {fmt} stores {dtype} images of shape {' or '.join(shapes)}, "
                     f"got an array of shape {shape}; {hint}")


_TMP_MARK = ".fastdip-"  # hidden temporaries are named .<name>.fastdip-<pid>-<random>.tmp<suffix>


def _temporary_sibling(path: Path, suffix: str) -> Path:
    """Create an empty, uniquely named file next to ``path`` (mode 0o666 less the umask) and return its name."""
    stem = path.name[:80]
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    while True:
        tmp = path.with_name(f".{stem}{_TMP_MARK}{os.getpid()}-{secrets.token_hex(6)}.tmp{suffix}")
        try:
            fd = os.open(tmp, flags, 0o666)
        except FileExistsError:
            continue
        os.close(fd)
        return tmp


def _remove_stale_temporaries(folder: Path) -> None:
    """Delete temporaries of fastdip's naming whose writer process no longer runs (killed mid-write)."""
    try:
        names = [n for n in os.listdir(folder) if n.startswith(".") and _TMP_MARK in n and ".tmp" in n]
    except OSError:
        return
    for name in names:
        try:
            pid = int(name.split(_TMP_MARK, 1)[1].split("-", 1)[0])
        except ValueError:
            continue
        if pid == os.getpid():
            continue
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            with contextlib.suppress(OSError):
                os.unlink(folder / name)
        except OSError:  # alive but not ours to signal: leave it
            continue


def _open_unnamed(path: Path):
    """An unnamed file in ``path``'s folder (Linux O_TMPFILE): nothing to clean up if the process dies. None
    if the platform or file system cannot make one."""
    flag = getattr(os, "O_TMPFILE", None)
    if flag is None or not os.path.isdir("/proc/self/fd"):
        return None
    try:
        fd = os.open(path.parent, flag | os.O_RDWR, 0o666)
    except OSError:  # EOPNOTSUPP, EISDIR (old kernels), EINVAL: fall back to a named temporary
        return None
    f = os.fdopen(fd, "w+b")
    f.raw.name = os.fspath(path)  # encoders that look at the name (tifffile) see the destination's
    return f


def _link_unnamed(f, path: Path, overwrite: bool) -> None:
    """Give the finished unnamed file its name; without ``overwrite`` never replace a file."""
    f.flush()
    os.fsync(f.fileno())
    # linkat(/proc/self/fd, "N", AT_FDCWD, path, AT_SYMLINK_FOLLOW): os.link calls plain link() unless a
    # dir_fd is given, and link() on the /proc magic link fails with EXDEV
    procfd = os.open("/proc/self/fd", os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        def link(dst):
            os.link(str(f.fileno()), dst, src_dir_fd=procfd, follow_symlinks=True)

        if not overwrite:
            try:
                link(path)
            except FileExistsError:
                raise _exists_error(path) from None
            return
        while True:  # link under a fresh hidden name, then rename over the destination (atomic)
            tmp = path.with_name(f".{path.name[:80]}{_TMP_MARK}{os.getpid()}-{secrets.token_hex(6)}.tmp")
            try:
                link(tmp)
                break
            except FileExistsError:
                continue
    finally:
        os.close(procfd)
    try:
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _flush_to_disk(path: Path) -> None:
    fd = os.open(path, os.O_RDWR | getattr(os, "O_BINARY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _exists_error(path: Path) -> FileExistsError:
    return FileExistsError(f"imwrite: {os.fspath(path)!r} already exists; pass overwrite=True to replace it")


def _commit(tmp: Path, path: Path, overwrite: bool) -> None:
    """Move the finished temporary file into place; without ``overwrite`` never replace a file."""
    if overwrite:
        os.replace(tmp, path)
        return
    try:
        os.link(tmp, path)  # atomic and fails if ``path`` exists, unlike os.replace
    except FileExistsError:
        raise _exists_error(path) from None
    except OSError:  # a file system without hard links: check, then rename
        if os.path.lexists(path):
            raise _exists_error(path) from None
        os.replace(tmp, path)
        return
    os.unlink(tmp)


def _write_pillow(tmp, arr: np.ndarray, fmt: str) -> None:
    from PIL import Image

    if arr.dtype == np.uint16:
        arr = arr.astype("<u2", copy=False)  # Pillow's "I;16" mode is little-endian
    im = Image.fromarray(np.ascontiguousarray(arr))
    im.save(tmp, format=_PIL_SAVE[fmt], **_PIL_SAVE_OPTIONS.get(fmt, {}))


def _write_tiff(tmp, arr: np.ndarray) -> None:
    import tifffile

    colour = arr.ndim >= 3 and arr.shape[-1] in (3, 4)
    tifffile.imwrite(tmp, arr, photometric="rgb" if colour else "minisblack")


def _write_npy(tmp, arr: np.ndarray) -> None:
    np.save(tmp, arr, allow_pickle=False)


def _write_nifti(tmp, arr: np.ndarray, nib, gz: bool) -> None:
    voxels = arr.transpose(tuple(range(arr.ndim - 1, -1, -1)))  # (plane, row, col) -> NIfTI's (x, y, z)
    image = nib.Nifti1Image(voxels, affine=np.eye(4))
    if isinstance(tmp, (str, os.PathLike)):
        nib.save(image, os.fspath(tmp))
        return
    data = image.to_bytes()
    if gz:
        import gzip

        data = gzip.compress(data, mtime=0)
    tmp.write(data)


def _write(target, arr: np.ndarray, fmt: str, nib, suffix: str) -> None:
    """Encode ``arr`` into ``target`` (an open binary file or a path)."""
    if fmt == "TIFF":
        _write_tiff(target, arr)
    elif fmt == "NPY":
        _write_npy(target, arr)
    elif fmt == "NIfTI":
        _write_nifti(target, arr, nib, suffix == ".nii.gz")
    else:
        _write_pillow(target, arr, fmt)


def _write_error(exc: OSError, path: Path) -> OSError:
    """The same kind of OSError, naming the destination rather than a temporary file or a bare errno."""
    reason = exc.strerror or str(exc) or type(exc).__name__
    text = f"imwrite: cannot write {os.fspath(path)!r}: {reason}"
    if exc.errno is not None:
        return type(exc)(exc.errno, text)
    return OSError(text)


@_docs.fill
def imwrite(path, image, *, overwrite=False):
    """Write an image to a file, atomically, in the format its extension names.

    Parameters
    ----------
    path : str or os.PathLike
        The destination. Its extension picks the format: .png, .jpg/.jpeg, .tif/.tiff, .bmp, .pgm, .ppm,
        .npy, .nii/.nii.gz (see the module table for what each stores). The folder must exist.
    {image}
    overwrite : bool, optional
        Replace an existing file. By default an existing file is never touched.

    Returns
    -------
    None

    Raises
    ------
    FileExistsError
        ``path`` exists and ``overwrite`` is False.
    ValueError
        The extension is not one fastdip writes (the message lists them), or the shape does not fit the format
        (e.g. a 3-D stack as PNG, RGBA as JPEG).
    TypeError
        The format cannot store the dtype; the message says which conversion to apply (e.g. "PNG cannot store
        float32; convert with fastdip.dtype.to_uint8 or to_uint16 first, or write .tif/.npy").
    FileNotFoundError
        The destination folder does not exist.
    OSError
        Writing failed (disk full, permission denied, an encoder error); the message names ``path``.
    ImportError
        A NIfTI file is written without nibabel installed.

    Notes
    -----
    On Linux the data are written to an unnamed file in the destination folder (``O_TMPFILE``), flushed to
    disk, then given its name with one ``linkat`` (without ``overwrite``, which refuses to replace a file
    created meanwhile) or linked under a hidden name and renamed over the destination (``os.replace``). A
    process killed mid-write (even by SIGKILL) therefore leaves nothing behind. Where unnamed files are not
    available, a hidden temporary file ``.NAME.fastdip-PID-RANDOM.tmp`` is written and renamed into place;
    one left by a killed writer is removed by the next ``imwrite`` into that folder. An existing file stays
    intact on any failure, and write errors (disk full, an encoder failing) name the destination. Values are stored as they are: nothing is rescaled or
    clipped, so a dtype the format cannot hold is refused rather than converted. JPEG is written with quality
    95 and no chroma subsampling (4:4:4); everything else is lossless. Stacks written as NIfTI get an
    identity affine and their axes reversed ((plane, row, col) is stored as NIfTI's (x, y, z) = (col, row,
    plane)), which ``imread`` undoes.

    References
    ----------
    .. [1] ISO/IEC 15948:2004, *Portable Network Graphics (PNG) Specification*, 2nd ed. (W3C, 2003).
    .. [2] Adobe Systems, *TIFF Revision 6.0* (1992); C. Gohlke, tifffile, https://pypi.org/project/tifffile/
    .. [3] Pillow documentation, *Image file formats*, https://pillow.readthedocs.io/
    .. [4] Python documentation, ``os.replace``: "the renaming will be an atomic operation" (POSIX).

    Examples
    --------
    >>> import pathlib, tempfile
    >>> ramp = np.arange(12, dtype=np.uint16).reshape(3, 4) * 5000
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = pathlib.Path(folder) / "ramp.png"
    ...     imwrite(path, ramp)                         # 16-bit grey PNG
    ...     same = bool((imread(path) == ramp).all())
    ...     try:
    ...         imwrite(path, ramp)                     # refuses to replace it
    ...     except FileExistsError:
    ...         refused = True
    ...     imwrite(path, ramp // 2, overwrite=True)
    >>> same, refused
    (True, True)
    >>> imwrite("ramp.png", ramp / 60000)               # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    TypeError: imwrite: PNG cannot store float64; convert with fastdip.dtype.to_uint8 or to_uint16 first, ...
    """
    path = _check_path(path, "imwrite")
    arr = _validate.image(image, "imwrite", allow_bool=True)
    overwrite = _check_flag(overwrite, "imwrite", "overwrite")
    suffix = _suffix(path)
    fmt = EXTENSIONS.get(suffix)
    if fmt is None:
        raise ValueError(f"imwrite: path must be a file name ending in one of {_ALLOWED_TEXT}, "
                         f"got {os.fspath(path)!r}")
    _check_writable(fmt, arr)
    nib = _import_nibabel("imwrite") if fmt == "NIfTI" else None
    folder = path.parent
    if not folder.is_dir():
        raise FileNotFoundError(f"imwrite: folder {os.fspath(folder)!r} does not exist "
                                f"(writing {os.fspath(path)!r})")
    if path.is_dir():
        raise IsADirectoryError(f"imwrite: {os.fspath(path)!r} is a directory, not a file name")
    if not overwrite and os.path.lexists(path):
        raise _exists_error(path)

    unnamed = _open_unnamed(path)
    if unnamed is not None:
        with unnamed:
            try:
                _write(unnamed, arr, fmt, nib, suffix)
            except OSError as exc:
                raise _write_error(exc, path) from exc
            try:
                _link_unnamed(unnamed, path, overwrite)
                return
            except FileExistsError:
                raise
            except OSError:  # a file system without hard links: the named temporary below
                pass
    _remove_stale_temporaries(folder)
    try:
        tmp = _temporary_sibling(path, suffix)
    except PermissionError as exc:
        raise PermissionError(f"imwrite: cannot create files in folder {os.fspath(folder)!r} "
                              f"(permission denied), so cannot write {os.fspath(path)!r}") from exc
    try:
        _write(tmp, arr, fmt, nib, suffix)
        _flush_to_disk(tmp)
        _commit(tmp, path, overwrite)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError) and not isinstance(exc, FileExistsError):
            raise _write_error(exc, path) from exc
        raise


# --------------------------------------------------------------------------------------------------- collection


def imread_collection(paths_or_pattern, *, on_error="raise", as_gray=False, max_pixels=2**30,
                      max_bytes=DEFAULT_MAX_BYTES):
    """Read many images, from a glob pattern or a list of paths.

    Parameters
    ----------
    paths_or_pattern : str, os.PathLike or sequence of them
        A glob pattern (``"scans/*.png"``; ``**`` matches folders recursively), whose matches are read in
        sorted order (directories are skipped), or a list/tuple of paths read in the order given.
    on_error : {'raise', 'skip'}, optional
        ``'raise'``: the first unreadable file raises :class:`ImageReadError`. ``'skip'``: unreadable files
        are left out and listed in the result's ``errors``; every readable file is still returned.
    as_gray, max_pixels, max_bytes
        Passed to :func:`imread` for each file.

    Returns
    -------
    Collection
        A NamedTuple ``(images, paths, errors)``: the arrays read (each as :func:`imread` returns it), the path
        of each, and ``(path, message)`` for each file skipped.

    Raises
    ------
    ImageReadError
        With ``on_error='raise'``, for the first file that cannot be read.
    FileNotFoundError
        A pattern matches no file.
    ValueError, TypeError
        ``on_error`` is not 'raise' or 'skip'; a path is not a str or path object.

    Notes
    -----
    Failures are returned, never printed or warned, so a batch job can report them and go on. A literal file
    name containing glob characters (``*?[``) should be passed inside a list.

    References
    ----------
    .. [1] Python documentation, ``glob.glob`` (pattern rules, ``recursive=True`` for ``**``).

    Examples
    --------
    >>> import pathlib, tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     folder = pathlib.Path(folder)
    ...     for k in range(3):
    ...         imwrite(folder / f"frame{k}.png", np.full((2, 2), 10 * k, dtype=np.uint8))
    ...     _ = (folder / "frame3.png").write_text("not an image")
    ...     result = imread_collection(str(folder / "frame*.png"), on_error="skip")
    >>> print(result)
    Collection of 3 images (frame0.png, frame1.png, frame2.png); 1 error (frame3.png)
    >>> [int(img[0, 0]) for img in result.images]
    [0, 10, 20]
    """
    on_error = _validate.choice(on_error, "imread_collection", "on_error", ("raise", "skip"))
    if isinstance(paths_or_pattern, (str, os.PathLike)):
        pattern = os.fspath(_check_path(paths_or_pattern, "imread_collection"))
        paths = [p for p in sorted(glob.glob(pattern, recursive=True)) if not os.path.isdir(p)]
        if not paths:
            raise FileNotFoundError(f"imread_collection: pattern {pattern!r} matches no file")
    elif isinstance(paths_or_pattern, (list, tuple)):
        paths = [os.fspath(_check_path(p, "imread_collection")) for p in paths_or_pattern]
    else:
        _validate.fail("imread_collection", "paths_or_pattern", paths_or_pattern,
                       "a glob pattern (str or path) or a list/tuple of paths", TypeError)
    images, read_paths, errors = [], [], []
    for p in paths:
        try:
            images.append(imread(p, as_gray=as_gray, max_pixels=max_pixels, max_bytes=max_bytes))
        except ImageReadError as exc:
            if on_error == "raise":
                raise
            errors.append((p, str(exc)))
        else:
            read_paths.append(p)
    return Collection(images, read_paths, errors)
