"""Mathematical morphology with flat footprints: erosion, dilation, opening, closing, gradient, top-hats, and
footprint builders.

Binary images (bool in, bool out) and grey images (the dtype is kept) in 1-D, 2-D and 3-D, with any flat
footprint (a boolean array; ``size=`` for a rectangle or box).

Conventions (Gonzalez & Woods; Soille). With the footprint's origin at index ``shape // 2`` and b its offsets,

- erosion: (f ⊖ B)(x) = min over b in B of f(x + b);
- dilation: (f ⊕ B)(x) = max over b in B of f(x - b) (the maximum over the *reflected* footprint).

scipy.ndimage.grey_erosion / grey_dilation (and binary_erosion / binary_dilation) follow the same definitions,
even-sized footprints included. OpenCV's cv2.erode equals erosion here; cv2.dilate takes the maximum over
f(x + b), i.e. it equals ``dilate`` with the footprint flipped (``footprint[::-1, ::-1]``); for symmetric
footprints (disks, rectangles of odd sides, crosses) all three agree.

Borders. The image is extended by ``mode`` (scipy.ndimage's names) before the minimum or maximum is taken;
the default 'nearest' repeats the edge values, which for the usual footprints (rectangles, disks, crosses:
convex and symmetric) is the same as ignoring the outside, so objects touching the border are neither eroded
nor grown by it. This is the behaviour of OpenCV's default border for erode/dilate and of skimage's binary
erosion; scipy.ndimage instead uses mode='reflect' for grey images (the same result for symmetric footprints)
and ``border_value=0`` for binary ones: ``mode='constant', cval=0`` gives scipy's binary result (objects
touching the border are eroded from outside).

Algorithms. A rectangle or box runs separably, a chunk of rows at a time: the extreme of up to nine shifted
rows (or columns) in one vector pass, longer windows as overlapping shorter ones (the extreme is idempotent),
so 3x3 to 9x9 is two passes per row; tall windows (> 25 rows) and the plane axis of boxes by van Herk /
Gil-Werman (three comparisons per pixel whatever the size).
A small 2-D footprint (up to 24 elements: a cross, a disk of radius 1 or 2) is read tap by tap, nine shifted
rows a pass (as OpenCV's direct filter). Any other footprint is decomposed into its row runs (a disk of radius
5 is 11 runs of 4 distinct lengths): one running extreme per distinct run length, then the extreme of the runs,
nine a pass. Several steps (open, close, the top-hats, ``iterations``) over a large 2-D image run stripe by
stripe (each computing the rows the steps reach again above and below it), so no image-sized intermediate is
made: less memory, and no fresh pages to fault in on every call.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np

from . import _modes, _validate, parallel
from ._kernels import load as _kload
from ._kernels._config import PARALLEL_MIN_PIXELS, readonly

__all__ = ["erode", "dilate", "open", "close", "gradient", "tophat", "blackhat", "disk", "square", "rectangle",
           "cross", "diamond", "ball", "cube"]

_KERNEL_DTYPES = (np.uint8, np.uint16, np.float32, np.float64)

_REFS = """
References
----------
.. [1] Gonzalez, R. C., & Woods, R. E. (2018). Digital Image Processing (4th ed.), chapter 9 (morphological
   image processing). Pearson.
.. [2] Soille, P. (2003). Morphological Image Analysis (2nd ed.), chapters 3-4. Springer.
   https://doi.org/10.1007/978-3-662-05088-0
.. [3] van Herk, M. (1992). A fast algorithm for local minimum and maximum filters on rectangular and
   octagonal kernels. Pattern Recognition Letters, 13(7), 517-521. https://doi.org/10.1016/0167-8655(92)90069-C
.. [4] Gil, J., & Werman, M. (1993). Computing 2-D min, median, and max filters. IEEE Transactions on Pattern
   Analysis and Machine Intelligence, 15(5), 504-507. https://doi.org/10.1109/34.211471
"""

_PARAMS = """image : (N,), (M, N) or (P, M, N) ndarray
    The image, bool (binary morphology) or numeric (grey morphology); never modified.
footprint : array of bool, optional
    The flat structuring element, of the image's number of dimensions; its origin is at index
    ``shape // 2`` on every axis. Default: ``size=3`` (a 3 x 3 square in 2-D).
size : int or tuple of int, optional
    A rectangle (box) of this size instead of ``footprint`` (origin at ``size // 2``).
mode : {'reflect', 'mirror', 'nearest', 'wrap', 'constant'}, optional
    How the image is extended past its border (scipy.ndimage's names): 'reflect' ``d c b a | a b c d``,
    'mirror' ``d c b | a b c d``, 'nearest' ``a a a | a b c d`` (default; the same as ignoring the outside
    for symmetric convex footprints), 'wrap' ``a b c d | a b c d``, 'constant' ``k k | a b c d`` (k = cval).
cval : float or bool, optional
    The value outside when ``mode='constant'``; must be representable in the image's dtype (0 or 1 for
    binary images).
iterations : int, optional
    How many times the basic operation is repeated (default 1)."""


def _doc(func):
    func.__doc__ = func.__doc__.replace("    {params}", _indent(_PARAMS)).replace("    {refs}", _indent(_REFS))
    return func


def _indent(text: str) -> str:
    return "\n".join("    " + line if line else line for line in text.strip("\n").splitlines())


def _kernels():
    return _kload("morphology")  # numba is imported on first use only


# -- argument handling ---------------------------------------------------------------------------------------


class _Work:
    """The image as a (P, H, W) array of a kernel dtype, with the way back to the caller's dtype and shape."""

    def __init__(self, arr: np.ndarray, cval, func: str):
        self.shape = arr.shape
        self.dtype = arr.dtype
        dt = arr.dtype
        self.flip = 0
        self.floats = dt.kind == "f" and arr.size > 0  # NaN is refused after the kernels ran (see _run)
        if dt == bool:
            if not (isinstance(cval, (bool, np.bool_)) or cval in (0, 1)):
                _validate.fail(func, "cval", cval, "0, 1, False or True for a binary image")
            work = np.ascontiguousarray(arr).view(np.uint8)
            kcval = int(bool(cval))
        else:
            if not (type(cval) in (float, int) and math.isfinite(cval)):  # plain finite numbers pass as they are
                cval = _validate.number(cval, func, "cval")
            if dt.kind in "iu":
                lo, hi = _int_range(dt)
                if not (lo <= cval <= hi and float(cval).is_integer()):
                    _validate.fail(func, "cval", cval, f"an integer in the range of {dt.name} [{lo}, {hi}]")
                kcval = int(cval)
            else:
                kcval = cval
            if dt.type in _KERNEL_DTYPES:
                work = np.ascontiguousarray(arr)
            elif dt == np.int8 or dt == np.int16:
                # order-preserving map to the unsigned type of the same width (x + 2**(bits-1))
                self.flip = 0x80 if dt == np.int8 else 0x8000
                udt = np.uint8 if dt == np.int8 else np.uint16
                work = np.ascontiguousarray(arr).view(udt) ^ udt(self.flip)
                kcval = kcval + self.flip
            elif dt == np.float16:
                work = arr.astype(np.float32)
            else:
                if dt.itemsize == 8 and arr.size and max(abs(int(arr.min())), abs(int(arr.max()))) > 2 ** 53:
                    _validate.fail(func, "image", arr, "integers of magnitude up to 2**53 (exact in float64)",
                                   TypeError)
                work = arr.astype(np.float64)
        if work.ndim == 1:
            work = work.reshape(1, 1, -1)
        elif work.ndim == 2:
            work = work.reshape(1, *work.shape)
        self.work = work
        self.kcval = work.dtype.type(kcval)

    def back(self, res: np.ndarray) -> np.ndarray:
        res = res.reshape(self.shape)
        if self.dtype == bool:
            return res.view(bool)
        if self.flip:
            return (res ^ res.dtype.type(self.flip)).view(self.dtype)
        if res.dtype != self.dtype:
            return res.astype(self.dtype)
        return res


@lru_cache(maxsize=16)
def _int_range(dt: np.dtype) -> tuple[int, int]:
    info = np.iinfo(dt)
    return int(info.min), int(info.max)


def _image(image, func: str) -> np.ndarray:
    arr = _validate.image(image, func, ndim=(1, 2, 3), allow_bool=True)
    return arr


def _footprint(footprint, size, ndim: int, func: str) -> np.ndarray:
    if footprint is not None and size is not None:
        _validate.fail(func, "size", size, "None when footprint is given (give one of them)")
    if footprint is None:
        return _box(_validate.sizes(3 if size is None else size, func, ndim))
    if (type(footprint) is np.ndarray and footprint.dtype == bool and footprint.ndim == ndim
            and np.count_nonzero(footprint)):
        return footprint  # already a valid footprint: skip the general checks and their copy
    return _validate.footprint(footprint, func, ndim, odd=False)


@lru_cache(maxsize=64)
def _box(sizes: tuple) -> np.ndarray:
    """A read-only all-True footprint (cached: building one costs a microsecond or two per call)."""
    fp = np.ones(sizes, dtype=bool)
    fp.setflags(write=False)
    return fp


def _iterations(iterations, func: str) -> int:
    if type(iterations) is int and iterations >= 1:  # the common case, without the general checks' cost
        return iterations
    return _validate.positive_int(iterations, func, "iterations")


@lru_cache(maxsize=256)
def _table(n: int, before: int, after: int, mode: str) -> np.ndarray:
    """Extended index -> image index (-1 outside for 'constant') for a line of n samples (read-only, cached:
    building it costs more than a small image's erosion)."""
    idx = np.arange(n, dtype=np.int64)
    if mode == "constant":
        table = np.pad(idx, (before, after), mode="constant", constant_values=-1)
    else:
        table = np.pad(idx, (before, after), mode=_modes.numpy_pad_mode(mode))
    table.setflags(write=False)
    return table


@lru_cache(maxsize=64)
def _runs(shape: tuple, bits: bytes):
    """The row runs of a (F0, F1, F2) footprint: (z, y, first column, length index) arrays and the lengths."""
    fp = np.frombuffer(bits, dtype=bool).reshape(shape)
    zs, ys, xs, ls = [], [], [], []
    for z in range(shape[0]):
        for y in range(shape[1]):
            row = fp[z, y]
            x = 0
            while x < shape[2]:
                if row[x]:
                    start = x
                    while x < shape[2] and row[x]:
                        x += 1
                    zs.append(z)
                    ys.append(y)
                    xs.append(start)
                    ls.append(x - start)
                else:
                    x += 1
    lengths = np.array(sorted(set(ls)), dtype=np.int64)
    li = np.searchsorted(lengths, ls)
    as64 = lambda v: np.array(v, dtype=np.int64)  # noqa: E731
    return as64(zs), as64(ys), as64(xs), li.astype(np.int64), lengths


@lru_cache(maxsize=256)
def _taps(shape: tuple, bits: bytes):
    """The (row, column) of every True element of a (1, F1, F2) footprint, as int64 arrays."""
    ys, xs = np.nonzero(np.frombuffer(bits, dtype=bool).reshape(shape)[0])
    return ys.astype(np.int64), xs.astype(np.int64)


#: 2-D footprints of at most this many elements are read tap by tap (taps_chunks_2d) rather than through their
#: row runs: 512^2 / 2048^2, serial, disk r=1 (5 taps) uint8 55 -> 26 / 712 -> 322 us, float32 189 -> 76 /
#: 4939 -> 2295 us (OpenCV 25 / 279 / 72 / 2110); disk r=2 (13) uint8 80 -> 53 / 1150 -> 656, float32 308 ->
#: 161 / 6186 -> 3527 (OpenCV 46 / 551 / 138 / 2891); disk r=3 (29) about even (uint8 93 / 112 at 512^2, float32
#: 383 / 323); disk r=4 (49) the runs win (117 / 180). Rectangles keep rect_2d (3x3 float32 512^2 103 / 132).
_TAPS_MAX = 24
#: output rows per block of taps_chunks_2d (16 and 32 measured alike; 4 and 8 slower)
_TAPS_CHUNK = 16

#: scratch budget of runs_chunks_2d's blocks (the extended rows, their doublings and every run length): within
#: L2 (512 KB here). Wider rows, taller footprints or floats that leave blocks too short go through
#: runs_ring_2d, one output row per step (2048^2 float32 disk r=5: 19 ms in blocks of a few rows, 10 in the
#: ring; 512^2 uint8 disk r=5: 0.20 ms in blocks of 64 rows, ~0.3 in the ring, OpenCV 0.24)
_CHUNK_BYTES = 256 << 10


def _extreme(work: np.ndarray, fp: np.ndarray, origin, take_max: bool, mode: str, cval,
             box: bool) -> tuple[np.ndarray, float | None]:
    """The minimum (take_max False) or maximum over x + b, b in a (F0, F1, F2) footprint with its origin at
    index ``origin``, of a (P, H, W) array; ``box``: the footprint is all True. Also returns, for boxes,
    0 when ``work`` is all finite and NaN otherwise (rect_2d sums x - x over the rows it reads: the NaN check
    costs no pass of its own), None for other footprints (not checked)."""
    k = _kernels()
    work = readonly(work)  # one compiled signature whether the caller's array is writeable or not
    p, h, w = work.shape
    f0, f1, f2 = fp.shape
    c0, c1, c2 = origin
    tx = _table(w, c2, f2 - 1 - c2, mode)
    if box:
        cur = np.empty((p, h, w), work.dtype)
        ty = _table(h, c1, f1 - 1 - c1, mode)
        with _bands(p * h * w) as threads:
            bad = sum(parallel._run_bands(k.rect_2d, (work, tx, c2, ty, cval, f1, f2, take_max, cur), p * h,
                                          threads, threads))
        if f0 > 1:
            nxt = np.empty_like(cur)
            k.vanherk_outer(cur.reshape(1, p, h * w), _table(p, c0, f0 - 1 - c0, mode), cval, f0, take_max,
                            nxt.reshape(1, p, h * w))
            cur = nxt
        return cur, bad
    bits = np.ascontiguousarray(fp).tobytes()
    if f0 == 1 and np.count_nonzero(fp) <= _TAPS_MAX:
        # a small 2-D footprint: its taps read directly, nine a pass (no intermediate runs)
        tap_y, tap_x = _taps(fp.shape, bits)
        out = np.empty((p, h, w), work.dtype)
        ty = _table(h, c1, f1 - 1 - c1, mode)
        with _bands(p * h * w) as threads:
            parallel._run_bands(k.taps_chunks_2d, (work, tx, c2, ty, cval, take_max, tap_y, tap_x, f1, _TAPS_CHUNK,
                                                   out), p * h, threads, threads)
        return out, None
    lz, ly, lx, ll, lengths = _runs(fp.shape, bits)
    if f0 == 1:
        # a 2-D footprint: the runs of the f1 rows each output row reads, in a ring (scratch of f1 rows, not
        # the whole image's runs: see fastdip._kernels.morphology)
        out = np.empty((p, h, w), work.dtype)
        ty = _table(h, c1, f1 - 1 - c1, mode)
        # blocks of output rows whose input rows' runs fit _CHUNK_BYTES, if a block amortises the fh - 1 rows
        # computed again for it (at most half as many as the block)
        chunk = min(64, _CHUNK_BYTES // ((w + f2 - 1) * work.itemsize * (lengths.size + 2)) - (f1 - 1))
        with _bands(p * h * w) as threads:
            if chunk >= max(8, 2 * (f1 - 1)):
                parallel._run_bands(k.runs_chunks_2d, (work, tx, c2, ty, cval, lengths, take_max, ly, lx, ll, f1,
                                                       chunk, out), p * h, threads, threads)
            else:
                parallel._run_bands(k.runs_ring_2d, (work, tx, c2, ty, cval, lengths, take_max, ly, lx, ll, f1,
                                                     out), p * h, threads, threads)
        return out, None
    n = w + f2 - 1
    runs = np.empty((lengths.size, p * h, n), work.dtype)
    out = np.empty((p, h, w), work.dtype)
    tz, ty = _table(p, c0, f0 - 1 - c0, mode), _table(h, c1, f1 - 1 - c1, mode)
    with _bands(p * h * w) as threads:
        parallel._run_bands(k.runs_rows, (work.reshape(p * h, w), tx, c2, cval, lengths, take_max, runs), p * h,
                            threads, threads)
        parallel._run_bands(k.gather_lines, (runs, tz, ty, cval, lz, ly, lx, ll, take_max, out), p * h, threads,
                            threads)
    return out, None


# The kernels run serially below this size. On 2 quiet cores, 2048^2 took 0.26 / 0.14 ms serial / parallel
# for uint8 3x3 and 2.4 / 1.2 ms for float32 5x5 (OpenCV, threaded: 0.33 and 1.4 ms); 1024^2 uint8 3x3 takes
# 0.13 ms serial, too little to pay the ~75 us wake-up of the worker threads (fastdip.parallel).
_PARALLEL_MIN_PIXELS = 2 * PARALLEL_MIN_PIXELS


def _bands(pixels: int):
    """Context: the threads for bands of rows (fastdip.parallel's setting) for images of at least
    _PARALLEL_MIN_PIXELS pixels, else 1 (one call over every row)."""
    return parallel._band_threads(pixels, _PARALLEL_MIN_PIXELS)


def _as3(fp: np.ndarray) -> np.ndarray:
    return fp.reshape((1,) * (3 - fp.ndim) + fp.shape)


def _run(image, footprint, size, mode, cval, iterations, func: str, steps) -> np.ndarray:
    """Check the arguments, then apply ``steps`` (a sequence of 'erode'/'dilate'), each ``iterations`` times."""
    if (type(image) is np.ndarray and image.ndim == 2 and size is None and type(iterations) is int
            and iterations == 1 and type(mode) is str and mode in _modes.CODES
            and (type(cval) is float or type(cval) is int) and cval == 0 and image.size):
        zero = _validate.UINT_ZERO.get(image.dtype)
        f32 = image.dtype == np.float32  # (native byte order only)
        box = _box((3, 3)) if footprint is None else footprint
        if ((zero is not None or f32) and type(box) is np.ndarray and box.dtype == bool and box.ndim == 2
                and box.shape[0] % 2 and box.shape[1] % 2 and (box is _box((3, 3)) or box.all())):
            # the usual call (a plain uint8/uint16/float32 image, an odd full rectangle, cval 0, one
            # iteration): what the checks below decide for it, without their cost (~8 us a call; a 512^2 3x3
            # erosion ~50 us uint8, ~80 us float32). An odd rectangle is its own reflection with the same
            # centre, so dilation takes it as it is. float32: cval as the general path passes it, and NaN
            # refused after the kernels as there.
            fp3 = box.reshape((1,) + box.shape)
            origin = (0, box.shape[0] // 2, box.shape[1] // 2)
            seq = [(fp3, origin, step == "dilate", True) for step in steps]
            res, check = _apply(image.reshape((1,) + image.shape), seq, mode, cval if f32 else zero)
            if f32:
                _refuse_nan(image, image, check, func)
            return res.reshape(image.shape)
    arr = _image(image, func)
    fp = _footprint(footprint, size, arr.ndim, func)
    mode = _modes.check(mode, func)
    n = _iterations(iterations, func)
    w = _Work(arr, cval, func)
    fp3 = _as3(fp)
    box = np.count_nonzero(fp3) == fp3.size
    origin = tuple(f // 2 for f in fp3.shape)
    if "dilate" in steps:
        # dilation is the maximum over x - b: the reflected footprint, whose origin moves to shape - 1 - origin
        reflected = fp3 if box else np.ascontiguousarray(fp3[::-1, ::-1, ::-1])
        reflected_origin = tuple(f - 1 - f // 2 for f in fp3.shape)
    seq = []
    for step in steps:
        if step == "erode":
            seq += [(fp3, origin, False, box)] * n
        else:
            seq += [(reflected, reflected_origin, True, box)] * n
    res, check = _apply(w.work, seq, mode, w.kcval)
    # NaN is refused after the work: boxes checked their rows as they read them (x - x summed: 0, or NaN for
    # NaN or +-inf), then the exact test only where that sum is not 0; other footprints by a min() over the
    # image (NaN iff a NaN is present), a pass of its own (~15 % of a 512^2 float32 3x3 erosion)
    if w.floats:
        _refuse_nan(w.work, arr, check, func)
    return w.back(res)


def _refuse_nan(work: np.ndarray, image, check, func: str) -> None:
    """The NaN refusal after the kernels: ``check`` is the boxes' row check (0: no NaN or inf met; None: no
    check made), so the exact test, a min() over ``work`` (NaN iff a NaN is present), runs only when needed."""
    if (check is None or check != 0) and np.isnan(work.min()):
        _validate.fail(func, "image", image, "an image without NaN (the minimum/maximum of NaN is undefined)")


#: two or more steps (open, close, top-hats, iterations) over a 2-D image of at least this many bytes run in
#: stripes of rows. Whole-image steps keep two image-sized arrays alive at once, and glibc then gives the
#: heap's top back to the OS when both are freed (its trim threshold is twice the largest block it has
#: freed), so every call faults its pages in again: 2048^2 bool open with a disk of radius 2, serial, took
#: ~1000 page faults (4 MB) and 3.3-4.1 ms a call against 0.7 ms for each step alone.
_STRIPED_MIN_BYTES = 512 << 10
#: the rows of a stripe: about this many bytes of the image but at most a quarter of its rows, and at least
#: 16 times the rows the steps reach (the rows a stripe computes again above and below itself). Serial open
#: with a disk of radius 2, stripes of 256 KB / 1 MB / 4 MB: 2048^2 bool 1.87 / 1.60 / 1.43 ms, 4096^2 7.5 /
#: 7.0 / 6.9 ms; 512^2 float32 (1 MB) 0.46 ms in stripes of 128 rows, 1.39 ms as whole-image steps.
_STRIPE_BYTES = 1 << 20


def _apply(cur: np.ndarray, seq, mode: str, cval) -> tuple[np.ndarray, float | None]:
    """Apply ``seq``, a list of (footprint, origin, take_max, box) steps, to the (P, H, W) work array: step
    after step over the whole array, or for several steps on one large plane, stripe by stripe (no
    image-sized intermediate: see _STRIPED_MIN_BYTES). A stripe of output rows [y0, y1) computes every step
    on the input rows [y0 - reach, y1 + reach) clipped to the image, reach the sum of the footprints' heights
    less one: the values a cut edge spoils reach at most that far in, and at the image's own top and bottom
    the border mode applies as it does to the whole image ('wrap', which reads the far side, is not striped).
    Stripes are shared among fastdip's threads, each step within a stripe serial. Also returns the first
    step's finite check of its input (see _extreme: 0, NaN, or None when not checked)."""
    p, h, w = cur.shape
    if len(seq) > 1 and p == 1 and mode != "wrap" and cur.nbytes >= _STRIPED_MIN_BYTES:
        reach = sum(fp.shape[1] - 1 for fp, _, _, _ in seq)
        stripe = max(16 * reach, min(_STRIPE_BYTES // (w * cur.itemsize), h // 4), 1)
        if h >= 2 * stripe:
            out = np.empty(cur.shape, cur.dtype)
            starts = range(0, h, stripe)

            def stripes(first: int, last: int) -> list:
                checks = []
                for y0 in starts[first:last]:
                    y1 = min(h, y0 + stripe)
                    a, b = max(0, y0 - reach), min(h, y1 + reach)
                    slab, check = _steps(cur[:, a:b], seq, mode, cval)
                    checks.append(check)
                    out[:, y0:y1] = slab[:, y0 - a:y1 - a]
                return checks

            with _bands(p * h * w) as threads:
                checks = [c for part in parallel._run_bands(stripes, (), len(starts), len(starts), threads)
                          for c in part]
            return out, (None if None in checks else sum(checks))
    return _steps(cur, seq, mode, cval)


def _steps(cur: np.ndarray, seq, mode: str, cval) -> tuple[np.ndarray, float | None]:
    """``seq`` applied step after step to the whole of ``cur``, and the first step's finite check."""
    check = None
    for i, (fp, origin, take_max, box) in enumerate(seq):
        cur, found = _extreme(cur, fp, origin, take_max, mode, cval, box)
        if i == 0:
            check = found
    return cur, check


def _difference(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """a - b for a >= b mostly: bool -> a & ~b; unsigned integers saturate at 0; others subtract."""
    if a.dtype == bool:
        return a & ~b
    if a.dtype.kind == "u":
        return np.maximum(a, b) - b
    return a - b


# -- operations ---------------------------------------------------------------------------------------------


@_doc
def erode(image, footprint=None, *, size=None, mode="nearest", cval=0.0, iterations=1):
    """Erosion by a flat footprint: the minimum of the image under the footprint.

    Parameters
    ----------
    {params}

    Returns
    -------
    ndarray
        The eroded image: the input's shape and dtype (bool for a binary image).

    Raises
    ------
    TypeError
        If the image is not a bool or numeric array, or the footprint is not boolean.
    ValueError
        If the image is not 1-, 2- or 3-D, is empty or holds NaN, the footprint has the wrong number of
        dimensions or no True element, both ``footprint`` and ``size`` are given, or ``mode``, ``cval`` or
        ``iterations`` is invalid.

    Notes
    -----
    (f ⊖ B)(x) = min_{b in B} f(x + b), with B's origin at ``footprint.shape // 2``; binary erosion is the
    same on {0, 1}: the points where the footprint, shifted there, fits inside the object. Rectangles run as
    separable van Herk / Gil-Werman passes, other footprints as their row runs (see the module docstring).
    Equal to scipy.ndimage.grey_erosion (binary_erosion with ``mode='constant', cval=0``) and cv2.erode.

    {refs}

    Examples
    --------
    >>> import numpy as np
    >>> from fastdip.morphology import erode, cross
    >>> image = np.zeros((5, 5), dtype=bool)
    >>> image[1:4, 1:4] = True
    >>> print(erode(image, cross(1)).astype(int))
    [[0 0 0 0 0]
     [0 0 0 0 0]
     [0 0 1 0 0]
     [0 0 0 0 0]
     [0 0 0 0 0]]
    """
    return _run(image, footprint, size, mode, cval, iterations, "erode", ("erode",))


@_doc
def dilate(image, footprint=None, *, size=None, mode="nearest", cval=0.0, iterations=1):
    """Dilation by a flat footprint: the maximum of the image under the reflected footprint.

    Parameters
    ----------
    {params}

    Returns
    -------
    ndarray
        The dilated image: the input's shape and dtype (bool for a binary image).

    Raises
    ------
    TypeError
        If the image is not a bool or numeric array, or the footprint is not boolean.
    ValueError
        If the image is not 1-, 2- or 3-D, is empty or holds NaN, the footprint has the wrong number of
        dimensions or no True element, both ``footprint`` and ``size`` are given, or ``mode``, ``cval`` or
        ``iterations`` is invalid.

    Notes
    -----
    (f ⊕ B)(x) = max_{b in B} f(x - b), with B's origin at ``footprint.shape // 2``; binary dilation is the
    union of copies of B placed at the object's points. Equal to scipy.ndimage.grey_dilation; cv2.dilate
    takes max f(x + b) and equals this with ``footprint[::-1, ::-1]``. Duality: ``dilate(f, B) =
    -erode(-f, B reflected)``.

    {refs}

    Examples
    --------
    >>> import numpy as np
    >>> from fastdip.morphology import dilate
    >>> image = np.zeros((1, 7), dtype=np.uint8)
    >>> image[0, 3] = 9
    >>> print(dilate(image, np.array([[1, 1, 0]], dtype=bool)))
    [[0 0 9 9 0 0 0]]
    """
    return _run(image, footprint, size, mode, cval, iterations, "dilate", ("dilate",))


@_doc
def open(image, footprint=None, *, size=None, mode="nearest", cval=0.0, iterations=1):  # noqa: A001
    """Opening: erosion followed by dilation with the same footprint (removes bright details smaller than it).

    Parameters
    ----------
    {params}

    Returns
    -------
    ndarray
        The opened image: the input's shape and dtype.

    Raises
    ------
    TypeError
        If the image is not a bool or numeric array, or the footprint is not boolean.
    ValueError
        As for ``erode``.

    Notes
    -----
    f ∘ B = (f ⊖ B) ⊕ B: anti-extensive (f ∘ B <= f), increasing and idempotent. With ``iterations=n`` the
    erosion is repeated n times and then the dilation n times (scipy's binary_opening meaning).

    {refs}

    Examples
    --------
    >>> import numpy as np
    >>> from fastdip.morphology import open
    >>> image = np.array([[0, 1, 0, 0, 0, 0],
    ...                   [0, 0, 0, 1, 1, 0],
    ...                   [0, 0, 0, 1, 1, 0]], dtype=bool)
    >>> print(open(image, size=2).astype(int))
    [[0 0 0 0 0 0]
     [0 0 0 1 1 0]
     [0 0 0 1 1 0]]
    """
    return _run(image, footprint, size, mode, cval, iterations, "open", ("erode", "dilate"))


@_doc
def close(image, footprint=None, *, size=None, mode="nearest", cval=0.0, iterations=1):
    """Closing: dilation followed by erosion with the same footprint (fills dark gaps smaller than it).

    Parameters
    ----------
    {params}

    Returns
    -------
    ndarray
        The closed image: the input's shape and dtype.

    Raises
    ------
    TypeError
        If the image is not a bool or numeric array, or the footprint is not boolean.
    ValueError
        As for ``erode``.

    Notes
    -----
    f • B = (f ⊕ B) ⊖ B: extensive (f • B >= f), increasing and idempotent; the dual of opening.

    {refs}

    Examples
    --------
    >>> import numpy as np
    >>> from fastdip.morphology import close
    >>> image = np.array([[1, 1, 0, 1, 1]], dtype=np.uint8)
    >>> print(close(image, size=(1, 3)))
    [[1 1 1 1 1]]
    """
    return _run(image, footprint, size, mode, cval, iterations, "close", ("dilate", "erode"))


@_doc
def gradient(image, footprint=None, *, size=None, mode="nearest", cval=0.0, iterations=1):
    """Morphological gradient: dilation minus erosion (the object's boundary band).

    Parameters
    ----------
    {params}

    Returns
    -------
    ndarray
        (f ⊕ B) - (f ⊖ B) in the input's dtype (bool: dilation and not erosion; unsigned integers saturate
        at 0, which only matters for footprints without their origin).

    Raises
    ------
    TypeError
        If the image is not a bool or numeric array, or the footprint is not boolean.
    ValueError
        As for ``erode``.

    Notes
    -----
    Beucher's gradient; for a binary image, the inner and outer boundaries together.

    {refs}

    Examples
    --------
    >>> import numpy as np
    >>> from fastdip.morphology import gradient
    >>> print(gradient(np.array([[0, 0, 5, 5, 5]], dtype=np.uint8), size=(1, 3)))
    [[0 5 5 0 0]]
    """
    d = _run(image, footprint, size, mode, cval, iterations, "gradient", ("dilate",))
    e = _run(image, footprint, size, mode, cval, iterations, "gradient", ("erode",))
    return _difference(d, e)


@_doc
def tophat(image, footprint=None, *, size=None, mode="nearest", cval=0.0, iterations=1):
    """White top-hat: the image minus its opening (bright details smaller than the footprint).

    Parameters
    ----------
    {params}

    Returns
    -------
    ndarray
        f - (f ∘ B) in the input's dtype (never negative: opening is anti-extensive).

    Raises
    ------
    TypeError
        If the image is not a bool or numeric array, or the footprint is not boolean.
    ValueError
        As for ``erode``.

    Notes
    -----
    Useful to flatten an uneven background before thresholding bright objects (Gonzalez & Woods 9.6).

    {refs}

    Examples
    --------
    >>> import numpy as np
    >>> from fastdip.morphology import tophat
    >>> print(tophat(np.array([[2, 2, 9, 2, 2]], dtype=np.uint8), size=(1, 3)))
    [[0 0 7 0 0]]
    """
    arr = _image(image, "tophat")
    return _difference(arr, _run(arr, footprint, size, mode, cval, iterations, "tophat", ("erode", "dilate")))


@_doc
def blackhat(image, footprint=None, *, size=None, mode="nearest", cval=0.0, iterations=1):
    """Black top-hat: the closing minus the image (dark details smaller than the footprint).

    Parameters
    ----------
    {params}

    Returns
    -------
    ndarray
        (f • B) - f in the input's dtype (never negative: closing is extensive).

    Raises
    ------
    TypeError
        If the image is not a bool or numeric array, or the footprint is not boolean.
    ValueError
        As for ``erode``.

    Notes
    -----
    The dual of the white top-hat.

    {refs}

    Examples
    --------
    >>> import numpy as np
    >>> from fastdip.morphology import blackhat
    >>> print(blackhat(np.array([[7, 7, 1, 7, 7]], dtype=np.uint8), size=(1, 3)))
    [[0 0 6 0 0]]
    """
    arr = _image(image, "blackhat")
    return _difference(_run(arr, footprint, size, mode, cval, iterations, "blackhat", ("dilate", "erode")), arr)


# -- footprints ---------------------------------------------------------------------------------------------


def _radius(radius, func: str) -> int:
    return _validate.positive_int(radius, func, "radius", low=0)


def disk(radius):
    """A disk footprint: the points with row² + col² <= radius², shape (2 radius + 1, 2 radius + 1).

    Parameters
    ----------
    radius : int
        The radius in pixels (0 gives the single origin).

    Returns
    -------
    ndarray of bool
        Equal to ``skimage.morphology.disk(radius).astype(bool)``.

    Raises
    ------
    TypeError
        If ``radius`` is not an integer.
    ValueError
        If ``radius`` is negative.

    References
    ----------
    .. [1] Gonzalez, R. C., & Woods, R. E. (2018). Digital Image Processing (4th ed.), section 9.1. Pearson.

    Examples
    --------
    >>> from fastdip.morphology import disk
    >>> print(disk(2).astype(int))
    [[0 0 1 0 0]
     [0 1 1 1 0]
     [1 1 1 1 1]
     [0 1 1 1 0]
     [0 0 1 0 0]]
    """
    r = _radius(radius, "disk")
    y, x = np.ogrid[-r:r + 1, -r:r + 1]
    return x * x + y * y <= r * r


def ball(radius):
    """A ball footprint: plane² + row² + col² <= radius², shape (2 radius + 1,) * 3.

    Parameters
    ----------
    radius : int
        The radius in voxels.

    Returns
    -------
    ndarray of bool
        Equal to ``skimage.morphology.ball(radius).astype(bool)``.

    Raises
    ------
    TypeError
        If ``radius`` is not an integer.
    ValueError
        If ``radius`` is negative.

    References
    ----------
    .. [1] Soille, P. (2003). Morphological Image Analysis (2nd ed.), section 2.6 (structuring elements).
       Springer. https://doi.org/10.1007/978-3-662-05088-0

    Examples
    --------
    >>> from fastdip.morphology import ball
    >>> print(ball(1).sum(axis=0).astype(int))
    [[0 1 0]
     [1 3 1]
     [0 1 0]]
    """
    r = _radius(radius, "ball")
    z, y, x = np.ogrid[-r:r + 1, -r:r + 1, -r:r + 1]
    return x * x + y * y + z * z <= r * r


def diamond(radius):
    """A diamond footprint: |row| + |col| <= radius (the city-block disk).

    Parameters
    ----------
    radius : int
        The radius in pixels.

    Returns
    -------
    ndarray of bool
        Equal to ``skimage.morphology.diamond(radius).astype(bool)``; ``diamond(1) == cross(1)``.

    Raises
    ------
    TypeError
        If ``radius`` is not an integer.
    ValueError
        If ``radius`` is negative.

    References
    ----------
    .. [1] Soille, P. (2003). Morphological Image Analysis (2nd ed.), section 2.6. Springer.
       https://doi.org/10.1007/978-3-662-05088-0

    Examples
    --------
    >>> from fastdip.morphology import diamond
    >>> print(diamond(1).astype(int))
    [[0 1 0]
     [1 1 1]
     [0 1 0]]
    """
    r = _radius(radius, "diamond")
    y, x = np.ogrid[-r:r + 1, -r:r + 1]
    return np.abs(x) + np.abs(y) <= r


def cross(radius=1):
    """A cross (plus sign) footprint: the centre row and centre column of a (2 radius + 1)² square.

    Parameters
    ----------
    radius : int, optional
        The arm length in pixels (default 1: the 4-neighbourhood).

    Returns
    -------
    ndarray of bool
        ``cross(1)`` equals ``scipy.ndimage.generate_binary_structure(2, 1)`` (and skimage's diamond(1));
        larger crosses have no skimage twin.

    Raises
    ------
    TypeError
        If ``radius`` is not an integer.
    ValueError
        If ``radius`` is negative.

    References
    ----------
    .. [1] Gonzalez, R. C., & Woods, R. E. (2018). Digital Image Processing (4th ed.), section 9.1. Pearson.

    Examples
    --------
    >>> from fastdip.morphology import cross
    >>> print(cross(2).astype(int))
    [[0 0 1 0 0]
     [0 0 1 0 0]
     [1 1 1 1 1]
     [0 0 1 0 0]
     [0 0 1 0 0]]
    """
    r = _radius(radius, "cross")
    fp = np.zeros((2 * r + 1, 2 * r + 1), dtype=bool)
    fp[r, :] = True
    fp[:, r] = True
    return fp


def rectangle(rows, cols):
    """A rows x cols rectangle of True (origin at (rows // 2, cols // 2)).

    Parameters
    ----------
    rows, cols : int
        The height and width, at least 1.

    Returns
    -------
    ndarray of bool
        Equal to ``skimage.morphology.footprint_rectangle((rows, cols)).astype(bool)``.

    Raises
    ------
    TypeError
        If a side is not an integer.
    ValueError
        If a side is below 1.

    References
    ----------
    .. [1] Gonzalez, R. C., & Woods, R. E. (2018). Digital Image Processing (4th ed.), section 9.1. Pearson.

    Examples
    --------
    >>> from fastdip.morphology import rectangle
    >>> rectangle(2, 3).shape
    (2, 3)
    """
    r = _validate.positive_int(rows, "rectangle", "rows")
    c = _validate.positive_int(cols, "rectangle", "cols")
    return np.ones((r, c), dtype=bool)


def square(size):
    """A size x size square of True.

    Parameters
    ----------
    size : int
        The side, at least 1.

    Returns
    -------
    ndarray of bool
        Equal to skimage's ``square(size)`` / ``footprint_rectangle((size, size))`` as bool.

    Raises
    ------
    TypeError
        If ``size`` is not an integer.
    ValueError
        If ``size`` is below 1.

    References
    ----------
    .. [1] Gonzalez, R. C., & Woods, R. E. (2018). Digital Image Processing (4th ed.), section 9.1. Pearson.

    Examples
    --------
    >>> from fastdip.morphology import square
    >>> print(square(2).astype(int))
    [[1 1]
     [1 1]]
    """
    s = _validate.positive_int(size, "square", "size")
    return np.ones((s, s), dtype=bool)


def cube(size):
    """A size x size x size cube of True.

    Parameters
    ----------
    size : int
        The side, at least 1.

    Returns
    -------
    ndarray of bool
        Equal to skimage's ``cube(size)`` / ``footprint_rectangle((size,) * 3)`` as bool.

    Raises
    ------
    TypeError
        If ``size`` is not an integer.
    ValueError
        If ``size`` is below 1.

    References
    ----------
    .. [1] Soille, P. (2003). Morphological Image Analysis (2nd ed.), section 2.6. Springer.
       https://doi.org/10.1007/978-3-662-05088-0

    Examples
    --------
    >>> from fastdip.morphology import cube
    >>> cube(3).shape
    (3, 3, 3)
    """
    s = _validate.positive_int(size, "cube", "size")
    return np.ones((s, s, s), dtype=bool)

