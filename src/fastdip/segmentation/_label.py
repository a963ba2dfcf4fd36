"""Connected components: label, relabel_sequential, remove_small_objects, fill_holes, clear_border.

Connectivity follows scipy.ndimage / skimage: ``connectivity=k`` joins pixels whose offsets have at most k
non-zero coordinates, each -1, 0 or 1: in 2-D 1 = 4-connected, 2 = 8-connected; in 3-D 1 = 6, 2 = 18,
3 = 26-connected. None means full connectivity (the image's number of dimensions).

``label`` returns the label image only (int32; 0 is background, objects 1..n in the raster order of their
first pixel, like scipy.ndimage.label); the number of objects is ``labels.max()`` or
``fastdip.measure.count(labels)``.
"""

from __future__ import annotations

import itertools

import numpy as np

from .. import _validate
from .._kernels import load as _kload
from .._kernels._config import readonly

__all__ = ["label", "relabel_sequential", "remove_small_objects", "fill_holes", "clear_border"]

_REFS = """    .. [1] Rosenfeld, A., & Pfaltz, J. L. (1966). Sequential operations in digital picture processing.
       Journal of the ACM, 13(4), 471-494. https://doi.org/10.1145/321356.321357
    .. [2] Wu, K., Otoo, E., & Suzuki, K. (2009). Optimizing two-pass connected-component labeling
       algorithms. Pattern Analysis and Applications, 12(2), 117-135 (LBNL report 59102, 2005).
       https://doi.org/10.1007/s10044-008-0109-y
    .. [3] Gonzalez, R. C., & Woods, R. E. (2018). Digital Image Processing (4th ed.), section 9.5
       (extraction of connected components). Pearson."""


def _doc(func):
    func.__doc__ = func.__doc__.replace("    {refs}", _REFS)
    return func


def _kernels():
    return _kload("label")  # numba is imported on first use only


def _binary(image, func: str, param: str = "image") -> np.ndarray:
    arr = _validate.image(image, func, param=param, ndim=(1, 2, 3), allow_bool=True, allow_empty=False)
    if arr.dtype.kind == "f" and np.isnan(arr.min()):  # min is NaN iff a NaN is present
        _validate.fail(func, param, arr, "an image without NaN (non-zero pixels are foreground)")
    return arr


def _connectivity(connectivity, ndim: int, func: str) -> int:
    if connectivity is None:
        return ndim
    return _validate.number(connectivity, func, "connectivity", low=1, high=ndim, integer=True)


def _offsets(ndim: int, conn: int, padded_shape) -> np.ndarray:
    """Flat offsets, in a C-contiguous array of ``padded_shape`` (P, H, W), of the neighbours that come
    before a pixel in raster order."""
    _, hp, wp = padded_shape
    out = []
    # full connectivity: (-1, 0, ..., 0) first, it is adjacent to all the others (``dominant`` in the kernel)
    for off in sorted(itertools.product((-1, 0, 1), repeat=ndim), key=lambda o: o != (-1,) + (0,) * (ndim - 1)):
        nz = sum(1 for v in off if v)
        if 0 < nz <= conn and off < (0,) * ndim:
            dz, dy, dx = (0,) * (3 - ndim) + off
            out.append((dz * hp + dy) * wp + dx)
    return np.array(out, dtype=np.int64)


def _steps(conn: int) -> np.ndarray:
    """(dz, dy, dx) of the 3-D neighbours within ``conn`` that come before a voxel in raster order;
    (-1, 0, 0) first (adjacent to all the others under full connectivity: ``dominant`` in the kernel)."""
    steps = [o for o in itertools.product((-1, 0, 1), repeat=3)
             if 0 < sum(1 for v in o if v) <= conn and o < (0, 0, 0)]
    steps.sort(key=lambda o: o != (-1, 0, 0))
    return np.array(steps, dtype=np.int64).reshape(-1, 3)


def _foreground_u8(arr: np.ndarray) -> np.ndarray:
    """A C-contiguous uint8 array, 1 where ``arr`` is non-zero, else 0; a view (no copy) of a bool array."""
    if arr.dtype == bool:
        return np.ascontiguousarray(arr).view(np.uint8)
    return (arr != 0).view(np.uint8)


def _label(fg: np.ndarray, conn: int) -> tuple[np.ndarray, int]:
    """Label a binary array (1-3-D; bool, or any numeric: non-zero is foreground) -> (int32 labels, count)."""
    k = _kernels()
    shape = fg.shape
    p, h, w = (1,) * (3 - fg.ndim) + shape
    if fg.ndim <= 2:  # run-based: 1-D is one row (any connectivity joins neighbours along it)
        image = readonly(_foreground_u8(fg).reshape(h, w))
        out = np.empty((h, w), np.int32)
        runs = h * ((w + 1) // 2) + 1  # scratch: np.empty pages are only touched as far as used
        n = k.label_runs_2d(image, fg.ndim == 2 and conn == 2, np.empty(2 * runs + 2, np.int32),
                            np.empty(h + 1, np.int32), np.empty(runs + 1, np.int32), np.empty(runs + 1, np.int32),
                            out)
        return out.reshape(shape), int(n)
    # 3-D: no padded copies; the result is the provisional-label scratch too, so the peak is the result plus
    # the parent entries actually used (np.empty pages are only touched as far as used) plus, for non-bool
    # input, one byte a voxel for the foreground
    image = _foreground_u8(fg)
    out = np.empty(shape, np.int32)
    parent = np.empty(p * h * ((w + 1) // 2) + 2, np.int32)
    n = k.label_3d(image, _steps(conn), conn == 3, parent, out)
    return out, int(n)


@_doc
def label(image, *, connectivity=None):
    """Label the connected components of a binary image.

    Parameters
    ----------
    image : (N,), (M, N) or (P, M, N) ndarray
        The binary image: non-zero (True) pixels are foreground; never modified.
    connectivity : int, optional
        1 to ``image.ndim``: the largest number of coordinates in which two neighbours differ (2-D: 1 =
        4-connected, 2 = 8-connected). Default None: full connectivity (8 in 2-D, 26 in 3-D).

    Returns
    -------
    ndarray of int32
        0 for background, 1..n for the objects in the raster order of their first pixel (the same numbering
        as scipy.ndimage.label). ``labels.max()`` is the number of objects.

    Raises
    ------
    TypeError
        If the image is not a bool or numeric array, or ``connectivity`` is not an integer.
    ValueError
        If the image is not 1-, 2- or 3-D, is empty or holds NaN, or ``connectivity`` is out of range.

    Notes
    -----
    Two-pass labelling with union-find. In 1-D and 2-D it is run-based [4]_: each row's runs of foreground
    take the provisional label of a touching run of the row above (or a new one) and merge the labels of
    the others (smaller root wins, path compression); a second pass writes each run's final number. In 3-D
    the scan is per voxel over its earlier neighbours, the provisional labels kept in the result array and
    renumbered in place (no padded copy: extra memory only for the equivalences). O(pixels) time.

    References
    ----------
    {refs}
    .. [4] He, L., Chao, Y., & Suzuki, K. (2008). A run-based two-scan labeling algorithm. IEEE Transactions
       on Image Processing, 17(5), 749-756. https://doi.org/10.1109/TIP.2008.919369

    Examples
    --------
    >>> import numpy as np
    >>> from fastdip.segmentation import label
    >>> image = np.array([[1, 1, 0, 0],
    ...                   [0, 0, 0, 1],
    ...                   [1, 0, 1, 1]])
    >>> print(label(image))
    [[1 1 0 0]
     [0 0 0 2]
     [3 0 2 2]]
    >>> print(label(np.eye(3), connectivity=1))
    [[1 0 0]
     [0 2 0]
     [0 0 3]]
    """
    func = "label"
    arr = _binary(image, func)
    conn = _connectivity(connectivity, arr.ndim, func)
    return _label(arr, conn)[0]


def _labels_or_binary(image, func: str):
    """(array, is_binary): bool arrays are binary; integer arrays are label images (negative not allowed)."""
    arr = _validate.image(image, func, ndim=(1, 2, 3), allow_bool=True)
    if arr.dtype == bool:
        return arr, True
    if arr.dtype.kind not in "iu":
        _validate.fail(func, "image", arr, "a bool image or an integer label image", TypeError)
    if arr.dtype.kind == "i" and arr.min() < 0:
        _validate.fail(func, "image", arr, "a label image without negative labels")
    return arr, False


@_doc
def relabel_sequential(labels):
    """Renumber a label image 1..n keeping the order of the label values (0 stays background).

    Parameters
    ----------
    labels : ndarray of int
        A label image (non-negative integers); never modified.

    Returns
    -------
    ndarray
        The same dtype as ``labels``, with the k-th smallest non-zero label value replaced by k.

    Raises
    ------
    TypeError
        If ``labels`` is not an integer array.
    ValueError
        If it holds negative values or is empty.

    Notes
    -----
    The values are mapped through a look-up table built from the sorted distinct labels (np.unique), like
    skimage.segmentation.relabel_sequential's first output.

    References
    ----------
    {refs}

    Examples
    --------
    >>> import numpy as np
    >>> from fastdip.segmentation import relabel_sequential
    >>> print(relabel_sequential(np.array([[0, 7, 7], [3, 0, 12]])))
    [[0 2 2]
     [1 0 3]]
    """
    func = "relabel_sequential"
    arr = _validate.image(labels, func, param="labels")
    if arr.dtype.kind not in "iu":
        _validate.fail(func, "labels", arr, "an integer label image", TypeError)
    if arr.dtype.kind == "i" and arr.min() < 0:
        _validate.fail(func, "labels", arr, "a label image without negative labels")
    values, inverse = np.unique(arr, return_inverse=True)
    new = np.arange(values.size, dtype=arr.dtype)
    if values[0] != 0:
        new += 1
    return new[inverse.reshape(arr.shape)]


@_doc
def remove_small_objects(image, min_size, *, connectivity=None):
    """Remove the objects of fewer than ``min_size`` pixels.

    Parameters
    ----------
    image : ndarray of bool or int
        A binary image (bool: its connected components are the objects) or a label image (integers: each
        label is an object); never modified.
    min_size : int
        Objects with fewer pixels than this are removed (set to 0/False); objects of exactly ``min_size``
        pixels stay.
    connectivity : int, optional
        The connectivity for labelling a binary image (see ``label``; default full). Ignored for labels.

    Returns
    -------
    ndarray
        Same shape and dtype as the input: bool for a binary image, the label image with the small labels
        set to 0 (not renumbered) otherwise.

    Raises
    ------
    TypeError
        If the image is neither bool nor integer, or ``min_size`` is not an integer.
    ValueError
        If ``min_size`` is negative or the image is empty, has negative labels or is not 1-3-D.

    Notes
    -----
    Object sizes are one bincount over the labels; the same rule as skimage.morphology.remove_small_objects
    (smaller than ``min_size`` goes).

    References
    ----------
    {refs}

    Examples
    --------
    >>> import numpy as np
    >>> from fastdip.segmentation import remove_small_objects
    >>> image = np.array([[1, 1, 0, 1],
    ...                   [1, 1, 0, 0]], dtype=bool)
    >>> print(remove_small_objects(image, 2).astype(int))
    [[1 1 0 0]
     [1 1 0 0]]
    """
    func = "remove_small_objects"
    arr, binary = _labels_or_binary(image, func)
    size = _validate.number(min_size, func, "min_size", low=0, integer=True)
    if binary:
        lab, _ = _label(arr, _connectivity(connectivity, arr.ndim, func))
    else:
        lab = arr
    counts = np.bincount(lab.reshape(-1))
    small = counts < size
    small[0] = True
    keep = ~small[lab]
    if binary:
        return keep
    return np.where(keep, arr, arr.dtype.type(0))


@_doc
def fill_holes(image, *, connectivity=1):
    """Fill the holes of a binary image: background regions that do not reach the image border.

    Parameters
    ----------
    image : ndarray
        The binary image (non-zero = object); never modified.
    connectivity : int, optional
        The connectivity of the *background* (default 1: 4-connected in 2-D, scipy.ndimage.binary_fill_holes'
        default, which suits 8-connected objects); ``image.ndim`` gives full connectivity.

    Returns
    -------
    ndarray of bool
        The objects with their holes filled.

    Raises
    ------
    TypeError
        If the image is not a bool or numeric array, or ``connectivity`` is not an integer.
    ValueError
        If the image is empty, holds NaN or is not 1-3-D, or ``connectivity`` is out of range.

    Notes
    -----
    The background is labelled; its components that touch the border stay background, all others become
    object. Equal to scipy.ndimage.binary_fill_holes with the structure of the same connectivity.

    References
    ----------
    {refs}
    .. [4] Soille, P. (2003). Morphological Image Analysis (2nd ed.), section 6.3.7 (hole filling).
       Springer. https://doi.org/10.1007/978-3-662-05088-0

    Examples
    --------
    >>> import numpy as np
    >>> from fastdip.segmentation import fill_holes
    >>> ring = np.array([[1, 1, 1, 0],
    ...                  [1, 0, 1, 0],
    ...                  [1, 1, 1, 0]], dtype=bool)
    >>> print(fill_holes(ring).astype(int))
    [[1 1 1 0]
     [1 1 1 0]
     [1 1 1 0]]
    """
    func = "fill_holes"
    arr = _binary(image, func)
    conn = _connectivity(connectivity, arr.ndim, func)
    fg = arr != 0
    lab, n = _label(~fg, conn)
    touching = np.zeros(n + 1, dtype=bool)
    for axis in range(lab.ndim):
        touching[np.take(lab, 0, axis=axis)] = True
        touching[np.take(lab, -1, axis=axis)] = True
    touching[0] = True
    return fg | ~touching[lab]


@_doc
def clear_border(image, *, buffer=0, connectivity=None):
    """Remove the objects that touch the image border (or come within ``buffer`` pixels of it).

    Parameters
    ----------
    image : ndarray of bool or int
        A binary image (its connected components are the objects) or a label image; never modified.
    buffer : int, optional
        Width of the border zone in pixels (default 0: only objects with a pixel on the outermost rows or
        columns are removed).
    connectivity : int, optional
        The connectivity for labelling a binary image (see ``label``; default full). Ignored for labels.

    Returns
    -------
    ndarray
        Same shape and dtype: bool for a binary image, the label image with the removed labels set to 0.

    Raises
    ------
    TypeError
        If the image is neither bool nor integer, or ``buffer`` is not an integer.
    ValueError
        If ``buffer`` is negative or the image is empty, has negative labels or is not 1-3-D.

    Notes
    -----
    The labels found in the border zone (the outer ``buffer + 1`` pixels of every axis) are removed
    everywhere, as in skimage.segmentation.clear_border.

    References
    ----------
    {refs}

    Examples
    --------
    >>> import numpy as np
    >>> from fastdip.segmentation import clear_border
    >>> image = np.array([[1, 0, 0, 0],
    ...                   [0, 0, 1, 0],
    ...                   [0, 0, 0, 0]], dtype=bool)
    >>> print(clear_border(image).astype(int))
    [[0 0 0 0]
     [0 0 1 0]
     [0 0 0 0]]
    """
    func = "clear_border"
    arr, binary = _labels_or_binary(image, func)
    b = _validate.number(buffer, func, "buffer", low=0, integer=True)
    lab = _label(arr, _connectivity(connectivity, arr.ndim, func))[0] if binary else arr
    zone = np.zeros(arr.shape, dtype=bool)
    for axis in range(arr.ndim):
        index = [slice(None)] * arr.ndim
        index[axis] = slice(0, b + 1)
        zone[tuple(index)] = True
        index[axis] = slice(max(arr.shape[axis] - b - 1, 0), None)
        zone[tuple(index)] = True
    remove = np.unique(lab[zone])
    gone = np.isin(lab, remove[remove != 0])
    if binary:
        return (lab != 0) & ~gone
    return np.where(gone, arr.dtype.type(0), arr)
