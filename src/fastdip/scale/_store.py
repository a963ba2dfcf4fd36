"""Inputs and outputs of :mod:`fastdip.scale`: lazy readers (numpy, Dask, zarr, OME-Zarr, TIFF/BigTIFF) and
writers (zarr v3, OME-Zarr 0.5, tiled BigTIFF) whose stores are complete or absent.

Every writer writes to a hidden temporary name in the destination folder and renames it into place at the end,
so a run that is killed leaves nothing at the destination (only a ``.NAME.partial-*`` folder or file beside it,
removed by the writer when it fails with an exception). An existing destination is replaced only with
``overwrite=True``. Dask is imported inside the functions, so importing this module stays cheap.
"""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

import numpy as np

#: output formats, by name; :func:`format_of` picks one from a path's suffix
FORMATS = ("zarr", "ome-zarr", "tiff")

#: the spatial axis names written to zarr ``dimension_names`` and OME-Zarr ``axes`` (channel-last in fastdip)
_SPATIAL = {1: ("x",), 2: ("y", "x"), 3: ("z", "y", "x"), 4: ("t", "z", "y", "x")}


def _fail(func: str, name: str, value, allowed: str, exc=ValueError):
    raise exc(f"{func}: {name} must be {allowed}, got {value!r:.200}")


# -- reading -------------------------------------------------------------------------------------------------


def _ome_multiscales(attrs: dict):
    """The ``multiscales`` list of an OME-Zarr group's attributes (0.5: under ``ome``; 0.4: top level)."""
    if "ome" in attrs and isinstance(attrs["ome"], dict):
        return attrs["ome"].get("multiscales")
    return attrs.get("multiscales")


def open_array(data, *, level: int = 0, chunks=None):
    """Open an image lazily as a Dask array, whatever holds it.

    Parameters
    ----------
    data : numpy.ndarray, dask.array.Array, zarr.Array, str or os.PathLike
        An array, or the path of a zarr array, of an OME-Zarr image (a zarr group with ``multiscales``
        metadata, 0.4 or 0.5), of a TIFF/BigTIFF file (read tile by tile through tifffile's zarr interface:
        never decoded whole) or of any other image file fastdip can read (decoded into memory).
    level : int, optional
        The pyramid level of an OME-Zarr image or a pyramidal TIFF (0, the full resolution, by default).
    chunks : optional
        Dask chunks to rechunk to (an int, a tuple, ``'auto'``); default the store's own chunks (or one chunk
        for an in-memory array).

    Returns
    -------
    dask.array.Array
        Channel-last: an OME-Zarr image with a ``c`` axis has that axis moved to the end.

    Raises
    ------
    FileNotFoundError
        If the path does not exist.
    ValueError
        If ``level`` is not one of the image's levels, or the path holds no image.

    References
    ----------
    J. Moore et al., "OME-Zarr: a cloud-optimized bioimaging file format with international community
    support", Histochemistry and Cell Biology 160, 223-251, 2023. DOI 10.1007/s00418-023-02209-1.

    Examples
    --------
    >>> import numpy as np
    >>> from fastdip.scale import open_array
    >>> open_array(np.zeros((4, 6), np.uint8)).shape
    (4, 6)
    """
    import dask.array as da

    func = "open_array"
    if isinstance(level, bool) or not isinstance(level, (int, np.integer)) or level < 0:
        _fail(func, "level", level, "a non-negative int")
    arr = _open(data, int(level), func)
    if chunks is not None:
        arr = arr.rechunk(chunks)
    return arr if isinstance(arr, da.Array) else da.from_array(arr)


def _open(data, level: int, func: str):
    import dask.array as da

    if isinstance(data, da.Array):
        return data
    if isinstance(data, np.ndarray):
        # a random name: dask would otherwise hash every pixel to name the array (~10 ms per 16 MB)
        return da.from_array(data, chunks=data.shape or (), name=False)
    if isinstance(data, (str, os.PathLike)):
        return _open_path(Path(data), level, func)
    if type(data).__module__.startswith("zarr"):
        import zarr

        if isinstance(data, zarr.Group):
            return _open_group(data, level, func, str(getattr(data, "store", data)))
        return da.from_zarr(data)
    if hasattr(data, "__array__") and hasattr(data, "shape") and hasattr(data, "dtype"):
        return da.from_array(data, chunks=tuple(data.shape))
    raise TypeError(f"{func}: data must be a numpy, Dask or zarr array or a path, got {type(data).__name__}")


def _open_path(path: Path, level: int, func: str):
    import dask.array as da

    if not path.exists():
        raise FileNotFoundError(2, f"{func}: no such file or folder", str(path))
    if path.is_dir():
        import zarr

        try:
            node = zarr.open(str(path), mode="r")
        except Exception as exc:  # zarr's own errors for a folder that is no store
            raise ValueError(f"{func}: {str(path)!r} is not a zarr store ({exc})") from None
        if isinstance(node, zarr.Group):
            return _open_group(node, level, func, str(path))
        if level:
            _fail(func, "level", level, f"0 for the plain zarr array {str(path)!r}")
        return da.from_zarr(node)
    if path.suffix.lower() in (".tif", ".tiff", ".btf", ".tf8"):
        import tifffile
        import zarr

        import weakref

        store = tifffile.imread(str(path), aszarr=True, level=level) if level else \
            tifffile.imread(str(path), aszarr=True)
        node = zarr.open(store, mode="r")
        if isinstance(node, zarr.Group):  # a pyramidal file opened without level: its full resolution
            node = node[sorted(node.array_keys(), key=lambda k: int(k) if k.isdigit() else k)[0]]
        weakref.finalize(node, store.close)  # the file stays open while a graph reads from it, no longer
        return da.from_zarr(node)
    if path.suffix.lower() == ".npy":
        return da.from_array(np.load(path, mmap_mode="r", allow_pickle=False))
    from fastdip import io

    image = io.imread(path, max_bytes=2**40)
    if level:
        _fail(func, "level", level, f"0 for the single-level image {str(path)!r}")
    return da.from_array(image, chunks=image.shape)


def _open_group(group, level: int, func: str, where: str):
    import dask.array as da

    multiscales = _ome_multiscales(dict(group.attrs))
    if not multiscales:
        arrays = sorted(group.array_keys())
        raise ValueError(f"{func}: the zarr group {where!r} has no OME-Zarr 'multiscales' metadata "
                         f"(its arrays: {', '.join(arrays) or 'none'}); open one of its arrays instead")
    datasets = multiscales[0]["datasets"]
    if level >= len(datasets):
        _fail(func, "level", level, f"a level of {where!r}: 0 to {len(datasets) - 1}")
    arr = da.from_zarr(group[datasets[level]["path"]])
    names = [a["name"] if isinstance(a, dict) else a for a in multiscales[0].get("axes", [])]
    if "c" in names and len(names) == arr.ndim:
        arr = da.moveaxis(arr, names.index("c"), -1)
    return arr


# -- writing -------------------------------------------------------------------------------------------------


def format_of(path, format=None) -> str:
    """The output format for ``path``: ``format`` if given, else from the suffix (``.ome.zarr`` ->
    'ome-zarr', ``.zarr`` -> 'zarr', ``.tif``/``.tiff`` -> 'tiff').

    Parameters
    ----------
    path : str or os.PathLike
    format : {'zarr', 'ome-zarr', 'tiff'}, optional

    Returns
    -------
    str

    Raises
    ------
    ValueError
        If neither ``format`` nor the suffix names a format.

    References
    ----------
    OME-NGFF 0.5 specification, https://ngff.openmicroscopy.org/0.5/.

    Examples
    --------
    >>> from fastdip.scale import format_of
    >>> format_of("scan.ome.zarr"), format_of("scan.zarr"), format_of("scan.tif")
    ('ome-zarr', 'zarr', 'tiff')
    """
    if format is not None:
        if format not in FORMATS:
            _fail("write", "format", format, f"one of {', '.join(FORMATS)}")
        return format
    name = Path(path).name.lower()
    if name.endswith(".ome.zarr"):
        return "ome-zarr"
    if name.endswith(".zarr"):
        return "zarr"
    if name.endswith((".tif", ".tiff", ".btf")):
        return "tiff"
    raise ValueError(f"write: cannot tell the format of {str(path)!r} from its suffix; end it in .zarr, "
                     ".ome.zarr or .tif, or pass format= one of " + ", ".join(FORMATS))


def dimension_names(ndim: int, channel: bool) -> tuple[str, ...]:
    """Axis names for an array of ``ndim`` dimensions, the last one colour channels when ``channel``."""
    spatial = ndim - channel
    if spatial not in _SPATIAL:
        raise ValueError(f"write: arrays with 1 to 4 spatial axes can be written, got {spatial} "
                         f"({ndim} dimensions{' with channels last' if channel else ''})")
    return _SPATIAL[spatial] + (("c",) if channel else ())


class _Destination:
    """A temporary sibling of ``path`` renamed over it on success; removed on failure."""

    def __init__(self, path, overwrite: bool, func: str):
        self.path = Path(path)
        if isinstance(overwrite, (bool, np.bool_)) is False:
            _fail(func, "overwrite", overwrite, "True or False", TypeError)
        if self.path.exists() and not overwrite:
            raise FileExistsError(17, f"{func}: the output already exists; pass overwrite=True to replace it",
                                  str(self.path))
        parent = self.path.parent
        if not parent.is_dir():
            raise FileNotFoundError(2, f"{func}: the output's folder does not exist", str(parent))
        self.tmp = parent / f".{self.path.name}.partial-{os.getpid()}-{uuid.uuid4().hex[:8]}"

    def __enter__(self) -> Path:
        return self.tmp

    def __exit__(self, kind, exc, tb):
        if kind is not None:
            _remove(self.tmp)
            return False
        if self.path.exists():  # overwrite: move the old one aside, put the new one in place, drop the old
            old = self.path.parent / f".{self.path.name}.old-{uuid.uuid4().hex[:8]}"
            os.replace(self.path, old)
            os.replace(self.tmp, self.path)
            _remove(old)
        else:
            os.replace(self.tmp, self.path)
        return False


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    elif path.exists() or path.is_symlink():
        path.unlink()


def write(array, path, *, format=None, overwrite=False, channel_axis=None, chunks=None, pyramid_levels=4,
          tile=(256, 256), compute=None):
    """Write a (Dask) array to a zarr v3 store, an OME-Zarr 0.5 image or a tiled BigTIFF, atomically.

    Parameters
    ----------
    array : numpy.ndarray or dask.array.Array
        The image; computed chunk by chunk while it is written (never whole in memory, except a TIFF strip
        of one chunk row). A bool mask is written as 0/1 uint8 in TIFF and OME-Zarr, as bool in zarr.
    path : str or os.PathLike
        The destination. Written under a temporary name in the same folder, renamed into place when complete.
    format : {'zarr', 'ome-zarr', 'tiff'}, optional
        Default from the suffix (:func:`format_of`).
    overwrite : bool, optional
        Replace an existing destination (only after the new one is complete); otherwise an existing one is an
        error raised before anything is computed.
    channel_axis : int, optional
        The axis of colour channels (written as OME-Zarr axis ``c``, first, as the specification orders axes;
        ``dimension_names`` ``c`` in zarr; samples in TIFF).
    chunks : int or tuple, optional
        The store's chunk shape (zarr, OME-Zarr); default the array's chunks, capped at 4096 per axis.
    pyramid_levels : int, optional
        OME-Zarr: the number of levels below full resolution (each halving y and x; ``nearest`` sampling for
        integer images, local mean for float ones). 0 writes one level.
    tile : tuple of int, optional
        TIFF tile shape (rows, cols), multiples of 16.
    compute : callable, optional
        ``compute(delayed_or_arrays)`` run for each pass (used by :func:`fastdip.scale.apply` to apply its
        scheduler and progress bar); default ``dask.compute``.

    Returns
    -------
    pathlib.Path
        The written path.

    Raises
    ------
    FileExistsError
        If ``path`` exists and ``overwrite`` is False.
    ValueError
        For an unknown format or an array the format cannot hold.

    Notes
    -----
    zarr: one array with ``dimension_names``. OME-Zarr: written by the ``ome-zarr`` library (``write_image``,
    format 0.5: the ``ome`` attribute with ``multiscales``, ``axes``, per-level ``coordinateTransformations``;
    arrays in zarr v3 with ``dimension_names``). TIFF: BigTIFF, tiles of ``tile``, one page per plane of a 3-D
    volume, computed one chunk row at a time.

    References
    ----------
    OME-NGFF 0.5 specification, https://ngff.openmicroscopy.org/0.5/; Zarr v3 specification,
    https://zarr-specs.readthedocs.io/en/latest/v3/core/; Adobe, TIFF 6.0 (tiles, section 15) and the BigTIFF
    extension.

    Examples
    --------
    >>> import tempfile, pathlib, numpy as np, zarr
    >>> from fastdip.scale import write
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> p = write(np.arange(12, dtype=np.uint8).reshape(3, 4), folder / "a.zarr")
    >>> z = zarr.open_array(p, mode="r")
    >>> z.shape, z.metadata.dimension_names
    ((3, 4), ('y', 'x'))
    """
    import dask.array as da

    fmt = format_of(path, format)
    arr = array if isinstance(array, da.Array) else da.from_array(np.asarray(array))
    if arr.dtype == bool and fmt != "zarr":
        arr = arr.astype(np.uint8)  # TIFF and OME-Zarr hold numbers: a mask is written as 0/1 uint8
    if channel_axis is not None:
        arr = da.moveaxis(arr, channel_axis, -1)
    names = dimension_names(arr.ndim, channel_axis is not None)
    run = compute or (lambda *things: __import__("dask").compute(*things))
    with _Destination(path, overwrite, "write") as tmp:
        if fmt == "zarr":
            _write_zarr(arr, tmp, names, chunks, run)
        elif fmt == "ome-zarr":
            _write_ome(arr, tmp, names, chunks, pyramid_levels, run)
        else:
            _write_tiff(arr, tmp, tile, channel_axis is not None, run)
    return Path(path)


def _store_chunks(arr, chunks):
    if chunks is None:
        return tuple(min(max(c), 4096) if c else 1 for c in arr.chunks)
    if isinstance(chunks, int):
        return tuple(min(chunks, n) for n in arr.shape)
    return tuple(int(c) for c in chunks)


def _write_zarr(arr, tmp: Path, names, chunks, run) -> None:
    import dask.array as da
    import zarr

    shape = _store_chunks(arr, chunks)
    z = zarr.create_array(store=str(tmp), shape=arr.shape, chunks=shape, dtype=arr.dtype, zarr_format=3,
                          dimension_names=names, fill_value=0)
    arr = arr.rechunk(shape)  # writes never share a zarr chunk between tasks (no locks needed)
    run(da.store(arr, z, lock=False, compute=False))


def _write_ome(arr, tmp: Path, names, chunks, levels, run) -> None:
    import warnings

    import dask.array as da
    import zarr

    with warnings.catch_warnings():  # ome_zarr.writer builds a deprecated Scaler as a default argument on import
        warnings.simplefilter("ignore", DeprecationWarning)
        from ome_zarr.format import FormatV05
        from ome_zarr.scale import Methods
        from ome_zarr.writer import write_image

    if "c" in names:  # OME orders axes t, c, z, y, x
        arr = da.moveaxis(arr, -1, 0)
        names = ("c",) + names[:-1]
    shape = _store_chunks(arr, chunks)
    if "c" in names:
        shape = (arr.shape[0],) + shape[1:]
    arr = arr.rechunk(shape)
    group = zarr.open_group(str(tmp), mode="w", zarr_format=3)
    method = Methods.NEAREST if arr.dtype.kind in "biu" else Methods.LOCAL_MEAN
    factors = [2 ** (k + 1) for k in range(int(levels))] if levels else None
    spatial = [n for n in names if n in ("y", "x")]
    if factors:
        factors = [{n: f for n in spatial} for f in factors]
    delayed = write_image(arr, group, scale_factors=factors, method=method, fmt=FormatV05(), axes=list(names),
                          storage_options={"chunks": shape}, compute=False)
    if delayed:
        run(*delayed)


def _write_tiff(arr, tmp: Path, tile, colour: bool, run) -> None:
    import tifffile

    spatial = arr.ndim - colour
    if spatial not in (2, 3):
        raise ValueError(f"write: TIFF holds 2-D images or 3-D volumes (one page per plane), got {spatial} "
                         "spatial axes")
    th, tw = (int(t) for t in tile)
    if th % 16 or tw % 16 or th <= 0 or tw <= 0:
        _fail("write", "tile", tile, "positive multiples of 16")
    rows_axis = spatial - 2  # the axis of image rows
    # strips whose height is a multiple of the tile height: one compute per strip, tiles yielded from it
    strip = max(th, (max(arr.chunks[rows_axis]) // th) * th) if spatial == 2 else None
    samples = arr.shape[-1] if colour else None

    def tiles():
        import numpy as np

        def from_plane(plane_rows):
            h, w = plane_rows.shape[:2]
            for r in range(0, h, th):
                for c in range(0, w, tw):
                    t = plane_rows[r:r + th, c:c + tw]
                    if t.shape[:2] != (th, tw):
                        pad = [(0, th - t.shape[0]), (0, tw - t.shape[1])] + [(0, 0)] * (t.ndim - 2)
                        t = np.pad(t, pad)
                    yield np.ascontiguousarray(t)

        if spatial == 2:
            for r0 in range(0, arr.shape[0], strip):
                block, = run(arr[r0:r0 + strip])
                yield from from_plane(np.asarray(block))
        else:
            step = max(arr.chunks[0])
            for z0 in range(0, arr.shape[0], step):
                block, = run(arr[z0:z0 + step])
                for plane in np.asarray(block):
                    yield from from_plane(plane)

    tifffile.imwrite(str(tmp), tiles(), shape=arr.shape, dtype=arr.dtype, tile=(th, tw), bigtiff=True,
                     photometric="rgb" if colour and samples in (3, 4) else "minisblack",
                     planarconfig="contig" if colour else None,
                     extrasamples=("unassalpha",) if colour and samples == 4 else None,
                     metadata={"axes": "".join(dimension_names(arr.ndim, colour)).upper().replace("C", "S")})
