"""Linear filters: convolution and correlation, separable filters, mean (box), Gaussian, Laplacian, Sobel and
Prewitt derivatives, unsharp masking.

Every function here returns float32 for inputs of up to 32 bits and float64 for float64 input, in the input's
value scale (``dtype=`` asks for another dtype; integer dtypes are rounded half to even and clipped). Borders
follow scipy.ndimage's ``mode`` names with ``cval``; an image is extended by ``mode`` and then filtered as an
n-D whole (for 'constant' with ``cval != 0`` this is scipy.ndimage.correlate's meaning; scipy's
one-axis-at-a-time sobel/prewitt extend each *intermediate* by ``cval`` instead and differ near the corners).

Precision. The passes run in float32 where the result is float32-sized and the image needs no more: float32
(and float16) images, and uint8/uint16 images whose result is float32 (the default; their samples are exact
in float32, and the folded pairs of the separable passes are summed in integers and converted once: 2048^2
sigma 2 about 2.5x faster than float64 passes), with the accuracy of float32 sums (a result within a few
float32 roundings of the float64 one: a constant uint8 image of 7 can come out 6.9999995). Everything else
runs in float64: other integer images (converted to float64), uint8/uint16 images asked for an integer dtype,
and every request for float64 or a 32/64-bit integer dtype; the last pass *writes* float64 whenever the
result needs it, so int32 2**24 + 1 and int64 2**40 + 1 survive ``dtype=np.int32`` / ``np.int64``. For
integer images, uint8 and uint16 results are rounded and clipped by the last pass itself; ``mean`` then
returns the exact rounding (half to even) of the rational window mean. A 2-D separable filter of a uint8 image
into an integer dtype runs its passes in float32 (twice the SIMD lanes) and recomputes in float64, with the
float64 kernel's own operations, every pixel whose float32 value lies within a proven error bound of a tie
k + 1/2 (about 0.06 % of the pixels for a sigma 2 Gaussian): the result is always the rounded float64 one.

Memory. No filter allocates a float copy of the image or of an intermediate volume for 2-D and 3-D images:
the last pass writes the requested dtype, and in 3-D each output plane is made from one plane of scratch
(the pass along the first axis, or a running sum over planes for ``mean``) followed by the fused 2-D pass.
Only the axes before the last three of a 4-D or larger image go through an intermediate array.

How a filter runs (chosen per call, all paths give the same result up to float rounding):

- a kernel of rank 1 (an outer product of 1-D kernels, found by SVD to a relative 1e-10) runs as one 1-D
  pass per axis, the last two axes fused row by row (gaussian, mean-like and derivative kernels);
- other kernels run directly, skipping zero weights (a ring of padded rows, two output rows per pass: each
  input row read once for both);
- ``mean`` uses running sums: the time per pixel does not depend on the size; the sums are exact (float32
  while below 2**23, as for uint8 windows of up to 32768 pixels; else int64) for unsigned images; 2-D float32
  sums run row by row in one fused pass (row sums by doubling for long windows) and an integer output is
  rounded by a product with a reciprocal checked against every possible sum; float32 images with windows of
  up to 8 per side sum directly in float32 (the accuracy of a float32 separable pass);
- large kernels go through the FFT (scipy.fft, real transforms, ``workers=`` fastdip.get_threads()) when the cost model below says
  it is faster: after padding by ``mode`` the valid part of a circular convolution is the filtered image.

Numbers behind the choices (float32, this 2-core machine (Zen 4), best of repeated runs): a direct tap costs
about 0.026 ns per pixel serially (0.012-0.016 on both cores), a tap of a 1-D pass 0.045 ns, and the FFT
(float64, padding included) about 1.5 ns per pixel of the transform per log2 of its size on one scipy.fft
worker, 1.7x less on two (2048^2: 143 -> 84-87 ms). So the FFT takes over from about 37x37 non-separable
kernels serially (512^2: 33x33 direct 7.5 ms, FFT 9.5 ms; 41x41 11.6 / 9.1 ms; 2048^2 33x33 109 / 143 ms,
41x41 167 / 143 ms) and 41-45 on both cores (2048^2 41x41 81 / 84 ms, 49x49 117 / 87 ms); separable
kernels only when long against the image (a tap of a pass costs 0.05 ns here: at 512^2 a Gaussian of sigma
150, 1201 taps a pass, took 34 ms separable against 80 ms by FFT; the model picks the FFT from sigma ~100 at
2048^2 and ~90 at 4096^2, serially).
"""

from __future__ import annotations

import functools
import math
import numbers
from typing import NamedTuple

import numpy as np

from .. import _modes, _validate, parallel
from .._docs import fill
from .._kernels import load as _kload
from .._kernels._config import PARALLEL_MIN_PIXELS

__all__ = ["convolve", "correlate", "separable", "mean", "gaussian", "laplacian", "sobel", "prewitt",
           "unsharp_mask"]

#: dtypes the kernels are compiled for; others are converted first (float16 -> float32, integers -> float64)
_KERNEL_DTYPES = (np.uint8, np.uint16, np.float32, np.float64)
#: a kernel is run as 1-D passes when its best rank-1 approximation is this close (relative to max |w|)
_SEPARABLE_RTOL = 1e-10
#: cost model in ns on this machine (see the module docstring): a direct tap per pixel, a 1-D pass tap per
#: pixel, the FFT per pixel per log2(size) on one worker (two workers: _FFT_SPEEDUP_2 times faster)
_NS_DIRECT_TAP = 0.026
_NS_PASS_TAP = 0.045
_NS_FFT = 1.5
_FFT_SPEEDUP_2 = 1.7


def _kernels():
    return _kload("convolve")  # numba is imported on first use only


# -- argument handling ---------------------------------------------------------------------------------------


class _Plan(NamedTuple):
    """The dtypes of one call: ``acc`` the working dtype of the passes, ``write`` what the last pass writes (the
    requested dtype itself when the kernel can round to it), ``fwrite`` the float dtype a caller that keeps
    working on the result (gradient magnitude, unsharp mask) writes, ``final`` the dtype returned."""

    acc: np.dtype
    write: np.dtype
    fwrite: np.dtype
    final: np.dtype


#: integer dtypes the kernels write directly (rounded half to even and clipped), for integer images
_KERNEL_INT_OUT = (np.uint8, np.uint16)


@functools.lru_cache(maxsize=256)
def _plan(image_dtype: np.dtype, kernel_dtype: np.dtype, dtype) -> _Plan:
    """Working and output dtypes: float64 wherever the input or the requested dtype needs more than float32.

    float32 passes for float32 images and for uint8 / uint16 images (exact in float32) with a float32 result;
    float64 for every other image (integers are converted to float64 or kept as uint8 / uint16: an integer
    result of uint8 takes the checked float32 passes of ``_run_separable``) and for float32 images asked for
    float64 or a 32/64-bit integer dtype. The
    last pass writes float64 when the requested dtype is float64 or an integer dtype that float32 cannot hold
    exactly (so 2**24 + 1 survives), and uint8 / uint16 directly, rounded in the kernel, for integer images
    (no float copy of the result).
    """
    final = _validate.float_dtype_for(image_dtype) if dtype is None else np.dtype(dtype)
    integer_out = final.kind in "ui"
    wide = final == np.float64 or (integer_out and (final.itemsize > 2 or kernel_dtype == np.float64))
    fwrite = np.dtype(np.float64) if wide else np.dtype(np.float32)
    single = kernel_dtype == np.float32 or (kernel_dtype.type in _KERNEL_INT_OUT and final == np.float32)
    acc = np.dtype(np.float32) if single and not wide else np.dtype(np.float64)
    if final.type in _KERNEL_INT_OUT and image_dtype.kind in "ui":
        write = final
    else:
        write = final if final.type in (np.float32, np.float64) else fwrite
    return _Plan(acc, write, fwrite, final)


def _bounds(write: np.dtype, work) -> np.ndarray:
    """The ``bounds`` argument of the kernels: [min, max] of an integer ``write`` dtype, else empty (one cached
    array per pair, which the kernels only read: np.iinfo and the array cost ~2 us a call)."""
    return _cached_bounds(np.dtype(write), np.dtype(work))


@functools.lru_cache(maxsize=64)
def _cached_bounds(write: np.dtype, work: np.dtype) -> np.ndarray:
    if write.kind in "ui":
        return np.array([_int_range(write)[0], _int_range(write)[1]], work)
    return np.empty(0, work)


@functools.lru_cache(maxsize=64)
def _int_range(dt: np.dtype) -> tuple[int, int]:
    """(min, max) of an integer dtype (np.iinfo, cached)."""
    info = np.iinfo(dt)
    return int(info.min), int(info.max)


def _prepare(image, func: str, channel_axis, dtype):
    """Check the image; return (x, axis, plan): x is a C-contiguous (B, *spatial) array of a kernel dtype with
    the channels (or a single batch of 1) first, plan its ``_Plan``."""
    arr = _validate.image(image, func)
    axis = _validate.channel_axis(channel_axis, arr.ndim, func)
    if axis is not None and arr.ndim < 2:
        _validate.fail(func, "image", arr, "an array with at least one spatial axis besides the channel axis")
    dt = arr.dtype
    if dt.type in _KERNEL_DTYPES:
        kd = dt
    elif dt == np.float16:
        kd = np.dtype(np.float32)
    else:
        kd = np.dtype(np.float64)
    plan = _plan(dt, kd, dtype)
    if kd == np.float32 and plan.acc == np.float64:
        kd = plan.acc  # float32 sums of two samples (folded kernels) would round before the float64 product
    x = arr[None] if axis is None else np.moveaxis(arr, axis, 0)
    x = np.ascontiguousarray(x, dtype=kd)
    if not x.flags.writeable:  # a read-only array is another numba signature (another compile)
        x = x.copy()
    return x, axis, plan


def _finish(y: np.ndarray, axis, plan: _Plan) -> np.ndarray:
    result = y[0] if axis is None else np.ascontiguousarray(np.moveaxis(y, 0, axis))
    return _validate.cast_result(result, plan.final)


def _common(func: str, mode, cval, dtype):
    mode = _modes.check(mode, func)
    cval = _validate.number(cval, func, "cval")
    dtype = _validate.output_dtype(dtype, func)
    return mode, cval, dtype


def _kernel_array(kernel, func: str, ndim: int, param: str = "kernel") -> np.ndarray:
    k = _validate.image(kernel, func, param=param, allow_bool=True, finite=True)
    if k.ndim != ndim:
        _validate.fail(func, param, k, f"a {ndim}-D array (one axis per spatial axis of the image)")
    return k.astype(np.float64)


def _origins(origin, shape, func: str) -> tuple[int, ...]:
    n = len(shape)
    allowed = (f"an int or a tuple of {n} ints, each within [-(k // 2), (k - 1) // 2] for a kernel side k "
               f"(kernel shape {tuple(shape)})")
    if isinstance(origin, numbers.Integral) and not isinstance(origin, bool):
        values = (int(origin),) * n
    else:
        try:
            values = tuple(origin)
        except TypeError:
            _validate.fail(func, "origin", origin, allowed, TypeError)
        if len(values) != n or not all(isinstance(v, numbers.Integral) and not isinstance(v, bool)
                                       for v in values):
            _validate.fail(func, "origin", origin, allowed)
        values = tuple(int(v) for v in values)
    if any(not -(k // 2) <= o <= (k - 1) // 2 for o, k in zip(values, shape)):
        _validate.fail(func, "origin", origin, allowed)
    return values


def _sigmas(sigma, func: str, n: int) -> tuple[float, ...]:
    if isinstance(sigma, numbers.Real) and not isinstance(sigma, bool) or (
        isinstance(sigma, np.ndarray) and sigma.ndim == 0
    ):
        return (_validate.number(sigma, func, "sigma", low=0),) * n
    try:
        if isinstance(sigma, (str, bytes)):
            raise TypeError
        values = tuple(sigma)
    except TypeError:
        _validate.fail(func, "sigma", sigma, f"a number >= 0 or a sequence of {n} of them", TypeError)
    if len(values) != n:
        _validate.fail(func, "sigma", sigma, f"a number >= 0 or a sequence of {n} of them (one per spatial axis)")
    return tuple(_validate.number(v, func, "sigma", low=0) for v in values)


def _spatial_axis(axis, n: int, func: str) -> int:
    if isinstance(axis, bool) or not isinstance(axis, numbers.Integral) or not -n <= axis < n:
        _validate.fail(func, "axis", axis, f"None or an integer spatial axis in [-{n}, {n - 1}]")
    return int(axis) % n


# -- kernel analysis and the choice of path ------------------------------------------------------------------


#: ``_rank1`` answers for small kernels, keyed by shape and bytes: its SVDs cost 30-60 us a call, a tenth of a
#: 7x7 correlation of a 512^2 image (cleared when full; entries are copied out, never handed out)
_RANK1_CACHE: dict = {}
_RANK1_CACHE_MAX = 64
_MISS = object()


def _rank1(w: np.ndarray):
    """1-D factors (float64) whose outer product is ``w`` to _SEPARABLE_RTOL, or None (cached for small kernels).

    The rank is read from the singular values of each unfolding; the factors are the kernel's own fibres through
    its largest element (so integer and dyadic kernels such as boxes and Sobel split exactly, which SVD vectors
    do not), and the outer product is checked against ``w``.
    """
    if w.ndim == 1:
        return [w]
    if w.size > 4096:
        return _rank1_factors(w)
    key = (w.shape, w.dtype.str, w.tobytes())
    hit = _RANK1_CACHE.get(key, _MISS)  # one lookup: another thread may clear the cache in between
    if hit is _MISS:
        hit = _rank1_factors(w)
        if len(_RANK1_CACHE) >= _RANK1_CACHE_MAX:
            _RANK1_CACHE.clear()
        _RANK1_CACHE[key] = None if hit is None else [f.copy() for f in hit]
    return None if hit is None else [f.copy() for f in hit]


def _rank1_factors(w: np.ndarray):
    """``_rank1`` for an n-D kernel (n >= 2), uncached."""
    flat = np.abs(w).ravel()
    peak = flat.max()
    if peak == 0:
        return None
    for ax in range(w.ndim):
        if w.shape[ax] > 1 and w.size > w.shape[ax]:
            s = np.linalg.svd(np.moveaxis(w, ax, 0).reshape(w.shape[ax], -1), compute_uv=False)
            if s[1] > _SEPARABLE_RTOL * s[0]:
                return None
    idx = np.unravel_index(int(flat.argmax()), w.shape)
    factors = [w[idx[:ax] + (slice(None),) + idx[ax + 1:]].copy() for ax in range(w.ndim)]
    factors[0] = factors[0] / w[idx] ** (w.ndim - 1)
    recon = math.prod(np.ix_(*factors))
    if not np.abs(recon - w).max() <= _SEPARABLE_RTOL * peak:
        return None
    return factors


def _fold_trivial(factors, anchors):
    """Drop length-1 factors (scalars), folding their value into a remaining pass; None marks a skipped axis."""
    factors = [None if f is None else np.asarray(f, np.float64) for f in factors]
    scalar = 1.0
    for m, f in enumerate(factors):
        if f is not None and f.size == 1:
            scalar *= float(f[0])
            factors[m] = None
    live = [m for m, f in enumerate(factors) if f is not None]
    if scalar != 1.0 or not live:
        m = live[0] if live else len(factors) - 1
        factors[m] = np.array([scalar]) if not live else factors[m] * scalar
        if not live:
            anchors = list(anchors)
            anchors[m] = 0
    return factors, list(anchors)


def _fft_cost(batch: int, spatial, kshape) -> float:
    from scipy import fft

    size = math.prod(fft.next_fast_len(s + k - 1, real=True) for s, k in zip(spatial, kshape))
    workers = parallel._fft_workers(batch * size)  # (_run_fft's rule)
    speedup = 1.0 + (_FFT_SPEEDUP_2 - 1.0) * (workers - 1)
    return _NS_FFT * batch * size * max(1.0, math.log2(size)) / speedup


def _run(kernel, args: tuple, rows: int, src: np.ndarray, taps: int = 0) -> int:
    """``kernel(*args, 0, rows)``, or above the threshold bands of the rows (planes x rows, or planes for the
    3-D kernels) on fastdip's worker threads, one band per thread; ``src`` (planes, rows, cols) and ``taps``
    (multiply-adds per pixel of the tap kernels; 0 for running sums) size the decision. Returns the sum of the
    kernel's return values (the box kernels' counts of non-finite sums)."""
    # 2 threads gave 1.7-2x from 512^2 up on an idle machine; waking them costs ~50-75 us (fastdip.parallel).
    # The threshold counts pixels times taps / 8: a 512^2 Gaussian of sigma 2 (2 x 17 taps, ~0.9 ms serial)
    # or 7x7 correlation goes parallel, a 3x3 or a box filter of that size (< 0.3 ms) does not.
    work = src.size * max(1, taps // 8) if src.shape[0] * src.shape[1] >= 2 else 0
    with parallel._band_threads(work, PARALLEL_MIN_PIXELS) as threads:
        return sum(r or 0 for r in parallel._run_bands(kernel, args, rows, threads, threads))


def _use_fft(x: np.ndarray, kshape, taps_per_pixel: float, ns_per_tap: float) -> bool:
    threads = parallel.get_threads() if x.size >= PARALLEL_MIN_PIXELS else 1
    direct = x.size * taps_per_pixel * ns_per_tap / threads
    if not _fft_cost(x.shape[0], x.shape[1:], kshape) < direct:
        return False
    # a NaN or inf would spread over the whole image through the FFT
    return x.dtype.kind != "f" or bool(np.isfinite(x).all())


def _correlate_any(x, w, anchors, mode, cval, acc, out_dtype):
    """Correlation of (B, *S) ``x`` with an n-D kernel ``w`` (float64) at ``anchors``, by the cheapest path."""
    factors = _rank1(w)
    if factors is not None:
        return _separable_any(x, factors, anchors, mode, cval, acc, out_dtype, kshape=w.shape)
    nnz = np.count_nonzero(w)
    if nnz > 64 and _use_fft(x, w.shape, nnz, _NS_DIRECT_TAP):
        return _run_fft(x, w, anchors, mode, cval, out_dtype)
    return _run_direct(x, w, anchors, mode, cval, acc, out_dtype)


def _separable_any(x, factors, anchors, mode, cval, acc, out_dtype, kshape=None):
    factors, anchors = _fold_trivial(factors, anchors)
    taps = sum(f.size for f in factors if f is not None)
    if taps > 256:
        if kshape is None:
            kshape = tuple(1 if f is None else f.size for f in factors)
        if _use_fft(x, kshape, taps, _NS_PASS_TAP):
            ones = [np.ones(1) if f is None else f for f in factors]
            w = math.prod(np.ix_(*ones)) if len(ones) > 1 else ones[0]
            return _run_fft(x, np.asarray(w, np.float64), anchors, mode, cval, out_dtype)
    return _run_separable(x, factors, anchors, mode, cval, acc, out_dtype)


# -- the three paths -----------------------------------------------------------------------------------------


def _as_planes(arr: np.ndarray) -> np.ndarray:
    """(B, *S) -> (planes, H, W); a 1-D signal is one row."""
    if arr.ndim == 2:
        return arr.reshape(arr.shape[0], 1, arr.shape[1])
    return arr.reshape(-1, arr.shape[-2], arr.shape[-1])


def _run_separable(x, factors, anchors, mode, cval, acc, out_dtype):
    """Separable correlation of (B, *S) ``x``: one pass per axis in ``acc``, the last pass writing ``out_dtype``.

    The last two axes run fused row by row (``separable_2d``); for 3-D and more the third-last axis joins them
    plane by plane (``separable_3d``: one plane of scratch, no intermediate volume); the axes before it (4-D
    and more) run one pass each through an intermediate array of the working dtype.
    """
    k = _kernels()
    code = _modes.code(mode)
    spatial = x.shape[1:]
    n = len(spatial)
    bounds = _bounds(np.dtype(out_dtype), acc)
    cur = x
    cval_cur = float(cval)
    for m in range(n - 3):
        f = factors[m]
        if f is None:
            continue
        shape3 = (x.shape[0] * math.prod(spatial[:m]), spatial[m], math.prod(spatial[m + 1:]))
        nxt = np.empty(x.shape, acc)
        k.correlate_axis(cur.reshape(shape3), f.astype(acc), anchors[m], code, cval_cur, nxt.reshape(shape3))
        cval_cur *= float(f.sum())
        cur = nxt
    one = np.ones(1)
    if n >= 2:
        wv, av = (one, 0) if factors[-2] is None else (factors[-2], anchors[-2])
    else:
        wv, av = one, 0
    wh, ah = (one, 0) if factors[-1] is None else (factors[-1], anchors[-1])
    if n >= 3 and factors[-3] is not None:
        wd, ad = factors[-3], anchors[-3]
        D, H, W = spatial[-3:]
        src = cur.reshape(-1, D, H * W)
        out = np.empty(src.shape[:2] + (H, W), out_dtype)
        cval_v = cval_cur * float(wd.sum())
        args = (src, wd.astype(acc), ad, wv.astype(acc), av, wh.astype(acc), ah, code, cval_cur, cval_v,
                cval_v * float(wv.sum()), bounds, out)
        _run(k.separable_3d, args, out.shape[0] * D, out.reshape(-1, H, W), wd.size + wv.size + wh.size)
        return out.reshape(x.shape)
    src = _as_planes(cur)
    out = np.empty(src.shape, out_dtype)
    cval_h = cval_cur * float(wv.sum())
    top = max(255.0, abs(cval_cur) if mode == "constant" else 0.0)
    if cur.dtype == np.uint8 and out.dtype.kind == "u" and acc == np.float64 and top == 255.0:
        # uint8 in, integer out: float32 passes, the float64 result only for pixels near a tie (uint16 values
        # make the bound 257x wider: too many pixels would be recomputed)
        eps = _cached_error_bound(np.asarray(wv, np.float64).tobytes(), np.asarray(wh, np.float64).tobytes(),
                                  top)
        args = (src, wv.astype(np.float32), av, wh.astype(np.float32), ah, code, cval_cur, cval_h,
                _bounds(out.dtype, np.float32), out, wv.astype(np.float64), wh.astype(np.float64), eps)
        _run(k.separable_2d_checked, args, src.shape[0] * src.shape[1], src, wv.size + wh.size)
        return out.reshape(x.shape)
    if cur.dtype.kind == "u" and acc == np.float32 and out.dtype == np.float32:
        # uint8/uint16 into float32: sample pairs summed in integers, converted once
        args = (src, wv.astype(acc), av, wh.astype(acc), ah, code, cval_cur, cval_h, out)
        _run(k.separable_2d_int, args, src.shape[0] * src.shape[1], src, wv.size + wh.size)
        return out.reshape(x.shape)
    args = (src, wv.astype(acc), av, wh.astype(acc), ah, code, cval_cur, cval_h, bounds, out)
    _run(k.separable_2d, args, src.shape[0] * src.shape[1], src, wv.size + wh.size)
    return out.reshape(x.shape)


@functools.lru_cache(maxsize=64)
def _cached_error_bound(wv: bytes, wh: bytes, top: float) -> float:
    """``_float32_error_bound`` of two float64 kernels given as bytes (cached: ~27 us a call)."""
    return _float32_error_bound(np.frombuffer(wv), np.frombuffer(wh), top)


def _float32_error_bound(wv: np.ndarray, wh: np.ndarray, top: float) -> float:
    """A bound on |float32 - float64 result| of ``separable_2d`` for inputs (and cval) of magnitude <= top.

    Each pass sums n products (the horizontal pass: n = c + 1 for a folded symmetric kernel of radius c, else
    its length; the vertical pass, two rows at a time with fused multiply-adds: its length; the same n for the
    float64 kernel, whose folded sums need fewer: a wider bound); with weights rounded to float32 (relative
    error u = 2**-24) a pass errs by at most (gamma_n + u) sum|w| max|in|,
    gamma_n = n u / (1 - n u) (Higham 2002, section 3.1 / lemma 3.4). The horizontal pass adds one rounding
    for the sum of a folded pair and carries the vertical error times sum|wh|. The float64 kernel's own error
    (the same form with u = 2**-53) is added, so a float32 value farther than this from k + 1/2 rounds to
    the float64 kernel's integer.
    """
    def terms(w, extra):
        folded = w.size % 2 == 1 and w.size >= 3 and np.array_equal(w, w[::-1])
        return w.size // 2 + 1 + extra if folded else w.size

    def gamma(n, u):
        return n * u / (1 - n * u)

    sv = float(np.abs(wv).sum())
    sh = float(np.abs(wh).sum())
    total = 0.0
    for u in (2.0**-24, 2.0**-53):
        ev = gamma(wv.size, u) + u
        eh = gamma(terms(wh, 1), u) + u
        total += top * sv * sh * (ev + eh * (1 + ev))
    return 1.0001 * total


def _plane_map(batch, lead, klead, anchors, code) -> np.ndarray:
    """(batch * prod(lead), prod(klead)) source plane of each output plane and kernel plane (-1: outside)."""
    k = _kernels()
    nl = len(lead)
    if nl == 0:
        return np.arange(batch, dtype=np.int64)[:, None]
    src = np.zeros((1,) * (2 * nl), np.int64)
    bad = np.zeros((1,) * (2 * nl), bool)
    for m in range(nl):
        table = np.empty((lead[m], klead[m]), np.int64)
        k.index_map(lead[m], klead[m], anchors[m], code, table)
        shape = [1] * (2 * nl)
        shape[m] = lead[m]
        shape[nl + m] = klead[m]
        table = table.reshape(shape)
        src = src + table * math.prod(lead[m + 1:])
        bad = bad | (table < 0)
    per = math.prod(lead)
    src = np.where(bad, -1, src).reshape(per, math.prod(klead))
    planes = np.where(src[None] < 0, -1, src[None] + (np.arange(batch) * per)[:, None, None])
    return planes.reshape(batch * per, -1).astype(np.int64)


@functools.lru_cache(maxsize=256)
def _direct_taps(data: bytes, shape: tuple, dtype: str, every_tap: bool, acc: str):
    """(rows, columns, weights) of the taps of the 2-D kernel ``data`` (its bytes, ``shape``, ``dtype``): the
    nonzero weights, or every one; int64, int64 and ``acc`` arrays, cached by the kernel's bytes (the
    Laplacian, Sobel and Prewitt kernels come back every call: ~4 µs of a small image's call). The kernels
    only read them."""
    w2 = np.frombuffer(data, dtype=dtype).reshape(shape)
    tap_dr, tap_c = np.nonzero(np.ones(shape, bool) if every_tap else w2)
    return tap_dr.astype(np.int64), tap_c.astype(np.int64), w2[tap_dr, tap_c].astype(acc)


def _run_direct(x, w, anchors, mode, cval, acc, out_dtype, every_tap=False):
    """Direct correlation; the taps are the nonzero weights of ``w``, or every one (``every_tap``: a zero
    weight still multiplies, so a NaN or inf anywhere in the window spreads as through the separable passes)."""
    k = _kernels()
    code = _modes.code(mode)
    anchors = list(anchors)
    if w.ndim == 1:
        w = w[None]
        anchors = [0] + anchors
    spatial = x.shape[1:] if x.ndim > 2 else (1, x.shape[1])
    KH, KW = w.shape[-2:]
    planes = _plane_map(x.shape[0], spatial[:-2], w.shape[:-2], anchors[:-2], code)
    w2 = np.ascontiguousarray(w.reshape(-1, KW))  # rows d * KH + r
    tap_dr, tap_c, tap_w = _direct_taps(w2.tobytes(), w2.shape, w2.dtype.str, bool(every_tap), np.dtype(acc).str)
    src = _as_planes(x)
    out = np.empty((planes.shape[0],) + src.shape[1:], out_dtype)
    args = (src, planes, tap_dr, tap_c, tap_w, KH, anchors[-2], anchors[-1], KW, code, float(cval),
            _bounds(np.dtype(out_dtype), acc), out)
    # one kernel plane of up to 3 x 3: every tap of a row in one loop (the same sums, the same arguments)
    kernel = k.correlate_small if planes.shape[1] == 1 and KH <= 3 and KW <= 3 else k.correlate_direct
    _run(kernel, args, out.shape[0] * out.shape[1], out, tap_w.size)
    return out.reshape(x.shape)


def _run_small_separable(x, wv, wh, mode, cval, out_dtype):
    """The 3 x 3 kernel outer(wv, wh) (anchors 1, 1) over the rows and columns of (B, H, W) float ``x`` into
    ``out_dtype`` (a float dtype, also the working one): ``separable_small``."""
    src = _as_planes(x)
    out = np.empty(src.shape, out_dtype)
    args = (src, np.asarray(wv, out_dtype), np.asarray(wh, out_dtype), _modes.code(mode), float(cval), out)
    _run(_kernels().separable_small, args, out.shape[0] * out.shape[1], out, 6)
    return out.reshape(x.shape)


def _run_fft(x, w, anchors, mode, cval, out_dtype):
    from scipy import fft

    n = x.ndim - 1
    # float64 transforms: a float32 FFT's error is relative to the whole image's energy, not to each pixel
    pad = [(0, 0)] + [(a, s - 1 - a) for a, s in zip(anchors, w.shape)]
    padded = _modes.pad(x.astype(np.float64, copy=False), pad, mode, cval)
    axes = tuple(range(1, n + 1))
    shape = [fft.next_fast_len(p, real=True) for p in padded.shape[1:]]
    workers = parallel._fft_workers(padded.shape[0] * int(np.prod(shape)))
    spec = fft.rfftn(padded, s=shape, axes=axes, workers=workers)
    del padded
    flipped = w[(slice(None, None, -1),) * n]
    spec *= fft.rfftn(flipped[None], s=shape, axes=axes, workers=workers)
    y = fft.irfftn(spec, s=shape, axes=axes, workers=workers)
    window = (slice(None),) + tuple(slice(s - 1, s - 1 + m) for s, m in zip(w.shape, x.shape[1:]))
    return _validate.cast_result(y[window], np.dtype(out_dtype))


def _box_sum_dtype(x: np.ndarray, count: int, mode: str, cval: float, out_dtype) -> np.dtype:
    """The dtype of exact box sums: float32 for unsigned images whose sums stay below 2**23 (where
    ``_mean_store`` rounds exactly) unless float64 is written (the division happens in the sums' dtype), int64
    for other unsigned images, float64 for float images or a fractional ``cval``."""
    if x.dtype.kind != "u" or (mode == "constant" and not (float(cval).is_integer() and abs(cval) < 2**31)):
        return np.dtype(np.float64)
    top = max(float(_int_range(x.dtype)[1]), abs(float(cval)) if mode == "constant" else 0.0) + 1.0
    small = top * count <= 2**23 and np.dtype(out_dtype) != np.float64
    return np.dtype(np.float32) if small else np.dtype(np.int64)


#: windows up to this side run as direct float32 sums for float32 images (error (kv + kh - 2) * 2**-24 of
#: sum |f|, as a float32 separable pass); larger ones keep float64 running sums
_BOX_F32_DIRECT = 8
#: the largest top * count for which ``_rounding_reciprocal`` checks every sum (2**21: ~40 ms, once)
_RECIPROCAL_CHECK_MAX = 1 << 21


def _box_fused(x, sd, acc, out_dtype, kv, kh) -> bool:
    """Whether a 2-D box runs in ``box_2d_fused``: exact float32 sums (unsigned images), or a float32 image with
    a float32 result and a window of at most _BOX_F32_DIRECT per side."""
    if sd == np.float32:
        return True
    return (x.dtype == np.float32 and acc == np.float32 and np.dtype(out_dtype) == np.float32
            and kv <= _BOX_F32_DIRECT and kh <= _BOX_F32_DIRECT)


@functools.lru_cache(maxsize=64)
def _rounding_reciprocal(count: int, top: int):
    """A float32 r such that rint(float32(s) * r) is s / count rounded half to even for every integer s with
    |s| <= top * count, or None (then the kernel divides).

    A product replaces the division of every pixel (Granlund & Montgomery 1994 do the same for integer
    division by an invariant; here the candidates are 1 / count rounded to float32 and its two neighbours). A
    sum at least 1 / (2 count) from a tie is safe by the error bound of two roundings, but a tie k + 1/2
    must come out exactly, so every sum in [0, top * count] is checked (the map is odd: negative sums follow).
    Checked only up to _RECIPROCAL_CHECK_MAX values (uint8 windows of up to 8224 pixels).

    Granlund, T., & Montgomery, P. L. (1994). Division by invariant integers using multiplication. PLDI '94,
    61-72. https://doi.org/10.1145/178243.178249
    """
    if top * count > _RECIPROCAL_CHECK_MAX:
        return None
    s = np.arange(top * count + 1, dtype=np.int64)
    q, r = np.divmod(2 * s + count, 2 * count)  # floor(s / count + 1/2); r == 0 at a tie
    exact = (q - ((r == 0) & (q % 2 == 1))).astype(np.float32)
    sf = s.astype(np.float32)
    r0 = np.float32(1) / np.float32(count)
    for cand in (r0, np.nextafter(r0, np.float32(1)), np.nextafter(r0, np.float32(0))):
        if np.array_equal(np.rint(sf * cand), exact):
            return cand
    return None


@functools.lru_cache(maxsize=256)
def _fused_box_plan(dtype: np.dtype, sizes: tuple, anchors: tuple, mode: str, cval: float, acc: np.dtype,
                    out_dtype: np.dtype):
    """For a 2-D box (sizes of two axes) that runs in one of the fused kernels: (exact, arguments after
    ``src``), exact True for ``box_2d_exact``, "u16" for ``box_2d_exact_u16`` (uint8 to an integer dtype,
    sums below 2**16, no clipping), False for ``box_2d_fused``; None otherwise. Cached: the
    arithmetic on numpy scalars and dtypes behind these arguments cost ~10 us a call (a 512^2 5x5 mean takes
    ~110 us)."""
    count = math.prod(sizes)
    x = np.empty((1, 1, 1), dtype)
    sd = _box_sum_dtype(x, count, mode, cval, out_dtype)
    (kv, kh), (av, ah) = sizes, anchors
    if not _box_fused(x, sd, acc, out_dtype, kv, kh):
        return None
    f32 = np.float32
    scale = f32(1) / f32(count)
    divide = False
    bounds = _bounds(out_dtype, f32)
    top = 0.0
    if bounds.size:
        top = max(float(_int_range(dtype)[1]), abs(float(cval)) if mode == "constant" else 0.0)
        rounding = _rounding_reciprocal(count, int(top))
        divide = rounding is None
        scale = scale if divide else rounding
    code = _modes.code(mode)
    # integer means rounded without clipping where every mean (of values and cval in [0, top]) is in range and
    # the reciprocal is checked
    clip = _box_clip(mode, cval, divide, bounds, top)
    if sd == np.float32 and kh in (3, 5, 7):
        # exact integer sums, short rows: the one-pass kernel
        if (dtype == np.uint8 and bounds.size and not clip and count * 255 <= 65535 and 0 <= cval <= 255
                and float(cval).is_integer()):
            # the same sums in uint16 lanes, the same rounding (box_2d_exact_u16)
            return "u16", (kv, av, kh, ah, code, f32(cval), scale)
        return True, (kv, av, kh, ah, code, f32(cval), f32(cval) * f32(kv), scale, f32(count), divide, bounds,
                      clip)
    return False, (kv, av, kh, ah, code, f32(cval), f32(cval) * f32(kv), scale, f32(count), divide,
                   sd == np.float32, bounds, clip)


def _box_clip(mode: str, cval: float, divide: bool, bounds: np.ndarray, top: float) -> bool:
    """Whether the box kernels must clip their integer means: unless the product by a checked reciprocal
    rounds them (not ``divide``) and every mean of values and ``cval`` in [0, top] lies in ``bounds``."""
    negative = mode == "constant" and cval < 0
    return bool(divide or negative or (bounds.size and not (bounds[0] <= 0 and top <= bounds[1])))


def _run_box(x, sizes, anchors, mode, cval, acc, out_dtype):
    """Box sums / count by running sums (exact for unsigned integer images), plane by plane for 3-D and more
    (``box_3d``); the leading axes of 4-D and more run one pass each through an intermediate of the sums'
    dtype."""
    k = _kernels()
    if x.ndim == 3:
        plan = _fused_box_plan(x.dtype, tuple(sizes), tuple(anchors), mode, float(cval), np.dtype(acc),
                               np.dtype(out_dtype))
        if plan is not None:
            exact, tail = plan
            out = np.empty(x.shape, out_dtype)
            kernel = k.box_2d_exact_u16 if exact == "u16" else k.box_2d_exact if exact else k.box_2d_fused
            _run(kernel, (x, *tail, out), x.shape[0] * x.shape[1], x)
            return out
    code = _modes.code(mode)
    count = math.prod(sizes)
    sd = _box_sum_dtype(x, count, mode, cval, out_dtype)
    proto = np.empty(0, sd)
    cv = sd.type(cval)
    bounds = _bounds(np.dtype(out_dtype), np.float64 if sd == np.int64 else sd)
    spatial = x.shape[1:]
    n = len(spatial)
    cur = x
    for m in range(n - 3):
        if sizes[m] == 1:
            continue
        shape3 = (x.shape[0] * math.prod(spatial[:m]), spatial[m], math.prod(spatial[m + 1:]))
        nxt = np.empty(x.shape, sd)
        k.box_axis(cur.reshape(shape3), sizes[m], anchors[m], code, cv, nxt.reshape(shape3))
        cv = sd.type(cv * sizes[m])
        cur = nxt
    kv, av = (sizes[-2], anchors[-2]) if n >= 2 else (1, 0)
    kh, ah = sizes[-1], anchors[-1]
    if n >= 3 and sizes[-3] > 1:
        D, H, W = spatial[-3:]
        src = cur.reshape(-1, D, H * W)
        out = np.empty(src.shape[:2] + (H, W), out_dtype)
        cv_v = sd.type(cv * sizes[-3])
        args = (src, sizes[-3], anchors[-3], kv, av, kh, ah, code, cv, cv_v, sd.type(cv_v * kv), sd.type(count),
                bounds, out, proto)
        bad = _run(k.box_3d, args, out.shape[0] * D, out.reshape(-1, H, W))
    elif _box_fused(x, sd, acc, out_dtype, kv, kh):
        src = _as_planes(cur)
        out = np.empty(src.shape, out_dtype)
        f32 = np.float32
        scale = f32(1) / f32(count)
        divide = False
        top = 0.0
        if bounds.size:
            top = max(float(_int_range(x.dtype)[1]), abs(float(cval)) if mode == "constant" else 0.0)
            rounding = _rounding_reciprocal(count, int(top))
            divide = rounding is None
            scale = scale if divide else rounding
        bounds = _bounds(np.dtype(out_dtype), f32)
        clip = _box_clip(mode, cval, divide, bounds, top)
        if sd == np.float32 and kh in (3, 5, 7):
            # exact integer sums, short rows: the one-pass kernel
            args = (src, kv, av, kh, ah, code, f32(cval), f32(cval) * f32(kv), scale, f32(count), divide, bounds,
                    clip, out)
            _run(k.box_2d_exact, args, src.shape[0] * src.shape[1], src)
            return out.reshape(x.shape)
        args = (src, kv, av, kh, ah, code, f32(cval), f32(cval) * f32(kv), scale, f32(count), divide,
                sd == np.float32, bounds, clip, out)
        _run(k.box_2d_fused, args, src.shape[0] * src.shape[1], src)
        return out.reshape(x.shape)
    else:
        src = _as_planes(cur)
        out = np.empty(src.shape, out_dtype)
        args = (src, kv, av, kh, ah, code, cv, sd.type(cv * kv), sd.type(count), bounds, out, proto)
        bad = _run(k.box_2d, args, src.shape[0] * src.shape[1], src)
    if bad:
        # a NaN or inf never leaves a running sum; the direct passes confine it to its own windows
        factors = [np.full(s, 1.0 / s) for s in sizes]
        return _run_separable(x, factors, anchors, mode, cval, acc, out_dtype)
    return out.reshape(x.shape)


@functools.lru_cache(maxsize=64)
def _gaussian_weights(sigma: float, truncate: float) -> np.ndarray:
    """Normalised Gaussian weights of radius int(truncate * sigma + 0.5) (cached, read-only: ~9 us a call)."""
    w = _gaussian_weights_uncached(sigma, truncate)
    w.setflags(write=False)
    return w


def _gaussian_weights_uncached(sigma: float, truncate: float) -> np.ndarray:
    radius = int(truncate * sigma + 0.5)
    if radius == 0:
        return np.ones(1)
    x = np.arange(-radius, radius + 1, dtype=np.float64) / sigma
    w = np.exp(-0.5 * x * x)
    return w / w.sum()


def _gaussian_core(x, sigmas, truncate, mode, cval, acc, out_dtype):
    factors = [None if s == 0 else _gaussian_weights(s, truncate) for s in sigmas]
    factors = [None if f is not None and f.size == 1 else f for f in factors]
    if all(f is None for f in factors):
        return _validate.cast_result(x.astype(np.float64 if np.dtype(out_dtype).kind in "ui" else out_dtype),
                                     np.dtype(out_dtype))
    anchors = [0 if f is None else f.size // 2 for f in factors]
    return _separable_any(x, factors, anchors, mode, cval, acc, out_dtype)


# -- public functions ----------------------------------------------------------------------------------------


def _filter(func, image, kernel, flip, mode, cval, origin, channel_axis, dtype):
    mode, cval, dtype = _common(func, mode, cval, dtype)
    x, axis, plan = _prepare(image, func, channel_axis, dtype)
    w = _kernel_array(kernel, func, x.ndim - 1)
    origins = _origins(origin, w.shape, func)
    centres = [s // 2 + o for s, o in zip(w.shape, origins)]
    if flip:
        w = w[(slice(None, None, -1),) * w.ndim]
        anchors = [s - 1 - c for s, c in zip(w.shape, centres)]
    else:
        anchors = centres
    y = _correlate_any(x, np.ascontiguousarray(w), anchors, mode, cval, plan.acc, plan.write)
    return _finish(y, axis, plan)


@fill
def convolve(image, kernel, *, mode="reflect", cval=0.0, origin=0, channel_axis=None, dtype=None):
    """Convolve an image with a kernel: g(i) = sum_k h(k) f(i - k) (the kernel is flipped).

    Parameters
    ----------
    {image}
        Any number of dimensions; uint8, uint16, float32 and float64 run as they are, other numeric dtypes
        are converted (float16 to float32, other integers to float64).
    kernel : ndarray
        The kernel h, with one axis per spatial axis of the image (any sizes, odd or even; finite values).
    {mode}
    {cval}
    origin : int or tuple of int, optional
        Shift of the kernel centre (scipy.ndimage's ``origin``): the element at index ``k // 2 + origin``
        along an axis of size k sits on the output pixel; within [-(k // 2), (k - 1) // 2].
    {channel_axis}
    dtype : numpy dtype, optional
        The output dtype (default: see Returns).

    Returns
    -------
    ndarray
        The convolved image, of the input's shape.
        {dtype_float}

    Raises
    ------
    TypeError
        If the image or the kernel is not a numeric array, or ``dtype`` is not a numeric dtype.
    ValueError
        If the kernel has the wrong number of dimensions or non-finite values, the image is empty, or
        ``mode``, ``cval``, ``origin`` or ``channel_axis`` is invalid.

    Notes
    -----
    With the centre c = k // 2 + origin on each axis, g(i) = sum_s h(s) f(i - (s - c)), for odd and even k
    alike: the same convention as scipy.ndimage.convolve (for k = 2, g(i) = h(0) f(i + 1) + h(1) f(i)).
    Rank-1 kernels run as separable 1-D passes, large kernels through the FFT when faster (module notes).

    References
    ----------
    .. [1] Gonzalez, R. C., & Woods, R. E. (2018). Digital Image Processing (4th ed.), section 3.4
       (spatial correlation and convolution). Pearson.
    .. [2] Oppenheim, A. V., & Schafer, R. W. (2010). Discrete-Time Signal Processing (3rd ed.),
       section 8.7 (linear convolution using the DFT). Pearson. ISBN 978-0-13-198842-2.

    Examples
    --------
    >>> import numpy as np
    >>> from fastdip.filters import convolve
    >>> image = np.zeros((3, 4), dtype=np.uint8)
    >>> image[1, 1] = 1
    >>> convolve(image, np.array([[1, 2, 3], [4, 5, 6]]), mode='constant')
    array([[1., 2., 3., 0.],
           [4., 5., 6., 0.],
           [0., 0., 0., 0.]], dtype=float32)
    """
    return _filter("convolve", image, kernel, True, mode, cval, origin, channel_axis, dtype)


@fill
def correlate(image, kernel, *, mode="reflect", cval=0.0, origin=0, channel_axis=None, dtype=None):
    """Correlate an image with a kernel: g(i) = sum_k h(k) f(i + k) (no flip).

    Parameters
    ----------
    {image}
        Any number of dimensions; uint8, uint16, float32 and float64 run as they are, other numeric dtypes
        are converted (float16 to float32, other integers to float64).
    kernel : ndarray
        The kernel h, with one axis per spatial axis of the image (any sizes, odd or even; finite values).
    {mode}
    {cval}
    origin : int or tuple of int, optional
        Shift of the kernel centre: the element at index ``k // 2 + origin`` sits on the output pixel;
        within [-(k // 2), (k - 1) // 2] (scipy.ndimage's ``origin``).
    {channel_axis}
    dtype : numpy dtype, optional
        The output dtype (default: see Returns).

    Returns
    -------
    ndarray
        The correlated image, of the input's shape.
        {dtype_float}

    Raises
    ------
    TypeError
        If the image or the kernel is not a numeric array, or ``dtype`` is not a numeric dtype.
    ValueError
        If the kernel has the wrong number of dimensions or non-finite values, the image is empty, or
        ``mode``, ``cval``, ``origin`` or ``channel_axis`` is invalid.

    Notes
    -----
    With the centre c = k // 2 + origin, g(i) = sum_s h(s) f(i + s - c) (scipy.ndimage.correlate's
    convention, odd and even k alike). Correlation with h equals convolution with h flipped on every axis
    (for an even side the centre moves by one: see ``convolve``).

    References
    ----------
    .. [1] Gonzalez, R. C., & Woods, R. E. (2018). Digital Image Processing (4th ed.), section 3.4
       (spatial correlation and convolution). Pearson.

    Examples
    --------
    >>> import numpy as np
    >>> from fastdip.filters import correlate
    >>> image = np.zeros((3, 4), dtype=np.uint8)
    >>> image[1, 1] = 1
    >>> correlate(image, np.array([[1, 2, 3], [4, 5, 6]]), mode='constant')
    array([[0., 0., 0., 0.],
           [6., 5., 4., 0.],
           [3., 2., 1., 0.]], dtype=float32)
    """
    return _filter("correlate", image, kernel, False, mode, cval, origin, channel_axis, dtype)


@fill
def separable(image, kernels, *, mode="reflect", cval=0.0, channel_axis=None, dtype=None):
    """Convolve with one 1-D kernel per axis (a separable kernel, the outer product of the 1-D kernels).

    Parameters
    ----------
    {image}
    kernels : sequence of (1-D ndarray or None)
        One kernel per spatial axis, in axis order; None leaves that axis alone.
    {mode}
    {cval}
    {channel_axis}
    dtype : numpy dtype, optional
        The output dtype (default: see Returns).

    Returns
    -------
    ndarray
        ``convolve(image, outer(kernels))`` up to float rounding, of the input's shape.
        {dtype_float}

    Raises
    ------
    TypeError
        If the image or a kernel is not numeric, or ``kernels`` is not a sequence.
    ValueError
        If ``kernels`` does not have one entry per spatial axis, a kernel is not 1-D and finite, or ``mode``,
        ``cval`` or ``channel_axis`` is invalid.

    Notes
    -----
    One 1-D convolution per axis costs sum(k) instead of prod(k) multiplications per pixel; the last two axes
    run fused, row by row. Even kernel sizes use ``convolve``'s centre k // 2.

    References
    ----------
    .. [1] Gonzalez, R. C., & Woods, R. E. (2018). Digital Image Processing (4th ed.), section 3.4
       (separable filter kernels). Pearson.

    Examples
    --------
    >>> import numpy as np
    >>> from fastdip.filters import separable
    >>> image = np.zeros((3, 3))
    >>> image[1, 1] = 4.0
    >>> separable(image, [np.array([1, 2, 1]) / 4, None], mode='constant')
    array([[0., 1., 0.],
           [0., 2., 0.],
           [0., 1., 0.]])
    """
    func = "separable"
    mode, cval, dtype = _common(func, mode, cval, dtype)
    x, axis, plan = _prepare(image, func, channel_axis, dtype)
    n = x.ndim - 1
    if isinstance(kernels, (str, bytes, np.ndarray)) or not hasattr(kernels, "__len__"):
        _validate.fail(func, "kernels", kernels, f"a sequence of {n} 1-D kernels or None", TypeError)
    if len(kernels) != n:
        _validate.fail(func, "kernels", kernels, f"a sequence of {n} 1-D kernels or None (one per spatial axis)")
    factors, anchors = [], []
    for kern in kernels:
        if kern is None:
            factors.append(None)
            anchors.append(0)
            continue
        f = _kernel_array(kern, func, 1, param="kernels[i]")[::-1].copy()
        factors.append(f)
        anchors.append(f.size - 1 - f.size // 2)
    if all(f is None for f in factors):
        return _finish(x.astype(plan.fwrite), axis, plan)
    y = _separable_any(x, factors, anchors, mode, cval, plan.acc, plan.write)
    return _finish(y, axis, plan)


@fill
def mean(image, size=3, *, mode="reflect", cval=0.0, channel_axis=None, dtype=None):
    """Mean (box) filter: the average of each size[0] x size[1] x ... window.

    Parameters
    ----------
    {image}
    size : int or tuple of int, optional
        The window side, or one per spatial axis; odd or even (even windows reach one further back:
        scipy.ndimage.uniform_filter's convention, the element at index k // 2 is on the pixel).
    {mode}
    {cval}
    {channel_axis}
    dtype : numpy dtype, optional
        The output dtype (default: see Returns).

    Returns
    -------
    ndarray
        The local means, of the input's shape.
        {dtype_float}

    Raises
    ------
    TypeError
        If the image is not numeric or ``dtype`` is not a numeric dtype.
    ValueError
        If ``size`` is not a positive int (or one per spatial axis), the image is empty, or ``mode``, ``cval``
        or ``channel_axis`` is invalid.

    Notes
    -----
    Running sums: a column sum updated by one row in and one row out, then a running sum along the row, so the
    cost per pixel does not depend on the size. Sums are exact for unsigned images (float32 below 2**23,
    else int64; one division, or a product by a checked reciprocal, at the end) and float64 for float images
    (float32 direct sums for float32 images and windows of up to 8 per side); a NaN or inf in the input
    switches to direct sums, which confine it to the windows that contain it. For an integer image an integer ``dtype`` gets the exact mean rounded half
    to even (from the exact sums, not from a float result).

    References
    ----------
    .. [1] Gonzalez, R. C., & Woods, R. E. (2018). Digital Image Processing (4th ed.), section 3.5 (box
       filter kernels). Pearson.
    .. [2] Crow, F. C. (1984). Summed-area tables for texture mapping. SIGGRAPH '84, 207-212.
       https://doi.org/10.1145/800031.808600

    Examples
    --------
    >>> import numpy as np
    >>> from fastdip.filters import mean
    >>> image = np.array([[0, 0, 0, 0], [0, 9, 0, 0], [0, 0, 0, 0]], dtype=np.uint8)
    >>> mean(image, 3, mode='constant')
    array([[1., 1., 1., 0.],
           [1., 1., 1., 0.],
           [1., 1., 1., 0.]], dtype=float32)
    """
    func = "mean"
    mode, cval, dtype = _common(func, mode, cval, dtype)
    x, axis, plan = _prepare(image, func, channel_axis, dtype)
    n = x.ndim - 1
    sizes = (size,) * n if type(size) is int and size >= 1 else _validate.sizes(size, func, n)
    anchors = [s // 2 for s in sizes]
    y = _run_box(x, sizes, anchors, mode, cval, plan.acc, plan.write)
    return _finish(y, axis, plan)


@fill
def gaussian(image, sigma, *, truncate=4.0, mode="reflect", cval=0.0, channel_axis=None, dtype=None):
    """Gaussian smoothing with a standard deviation per axis.

    Parameters
    ----------
    {image}
    sigma : float or sequence of float
        Standard deviation in pixels, one for all spatial axes or one per axis; 0 leaves an axis alone.
    truncate : float, optional
        The kernel radius is int(truncate * sigma + 0.5) (scipy.ndimage's rule).
    {mode}
    {cval}
    {channel_axis}
    dtype : numpy dtype, optional
        The output dtype (default: see Returns).

    Returns
    -------
    ndarray
        The smoothed image, of the input's shape.
        {dtype_float}

    Raises
    ------
    TypeError
        If the image is not numeric, ``sigma`` is not a number or a sequence, or ``dtype`` is not numeric.
    ValueError
        If a sigma or ``truncate`` is negative, ``sigma`` has the wrong length, the image is empty, or
        ``mode``, ``cval`` or ``channel_axis`` is invalid.

    Notes
    -----
    G(x) = exp(-x^2 / (2 sigma^2)), sampled on [-r, r] and normalised to sum 1, applied as one 1-D pass per
    axis (the last two fused row by row), in float32 for a float32 result of a float32, uint8 or uint16 image
    and in float64 otherwise (module notes: ``dtype=np.float64`` asks for float64 passes; ``dtype=np.uint8``
    for a uint8 image gives the rounded float64 result through float32 passes). The same
    result as scipy.ndimage.gaussian_filter on the float image (scipy truncates each pass of an integer
    image to the integer dtype; this does not).

    References
    ----------
    .. [1] Gonzalez, R. C., & Woods, R. E. (2018). Digital Image Processing (4th ed.), section 3.5 (lowpass
       Gaussian filter kernels). Pearson.
    .. [2] Lindeberg, T. (1990). Scale-space for discrete signals. IEEE Transactions on Pattern Analysis and
       Machine Intelligence, 12(3), 234-254. https://doi.org/10.1109/34.49051 (the sampled Gaussian kernel)

    Examples
    --------
    >>> import numpy as np
    >>> from fastdip.filters import gaussian
    >>> image = np.zeros((1, 5))
    >>> image[0, 2] = 1.0
    >>> gaussian(image, (0, 1), truncate=1.0).round(3)
    array([[0.   , 0.274, 0.452, 0.274, 0.   ]])
    """
    func = "gaussian"
    mode, cval, dtype = _common(func, mode, cval, dtype)
    x, axis, plan = _prepare(image, func, channel_axis, dtype)
    sigmas = _sigmas(sigma, func, x.ndim - 1)
    truncate = _validate.number(truncate, func, "truncate", low=0)
    y = _gaussian_core(x, sigmas, truncate, mode, cval, plan.acc, plan.write)
    return _finish(y, axis, plan)


@fill
def laplacian(image, *, kind=4, mode="reflect", cval=0.0, channel_axis=None, dtype=None):
    """Laplacian with a positive centre: the course's 3x3 kernels (4- or 8-neighbour).

    Parameters
    ----------
    {image}
        kind=4 works in any number of dimensions; kind=8 needs a 2-D image (after the channel axis).
    kind : {4, 8}, optional
        4: [[0, -1, 0], [-1, 4, -1], [0, -1, 0]] (in n-D: 2n at the centre, -1 at the 2n face neighbours);
        8: [[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]].
    {mode}
    {cval}
    {channel_axis}
    dtype : numpy dtype, optional
        The output dtype (default: see Returns).

    Returns
    -------
    ndarray
        The Laplacian response, of the input's shape.
        {dtype_float}

    Raises
    ------
    TypeError
        If the image is not numeric or ``dtype`` is not numeric.
    ValueError
        If ``kind`` is not 4 or 8, kind=8 is asked for an image that is not 2-D, the image is empty, or
        ``mode``, ``cval`` or ``channel_axis`` is invalid.

    Notes
    -----
    Sign convention: the centre is positive (as in the course), so this is the *negative* of the
    mathematical Laplacian sum d2f/dx_i^2: laplacian(f, kind=4) == -scipy.ndimage.laplace(f). Sharpening is
    then g = f + c * laplacian(f) with c > 0.

    References
    ----------
    .. [1] Gonzalez, R. C., & Woods, R. E. (2018). Digital Image Processing (4th ed.), section 3.6 (using the
       second derivative for image sharpening: the Laplacian). Pearson.

    Examples
    --------
    >>> import numpy as np
    >>> from fastdip.filters import laplacian
    >>> image = np.zeros((3, 3), dtype=np.uint8)
    >>> image[1, 1] = 1
    >>> laplacian(image, mode='constant')
    array([[ 0., -1.,  0.],
           [-1.,  4., -1.],
           [ 0., -1.,  0.]], dtype=float32)
    """
    func = "laplacian"
    mode, cval, dtype = _common(func, mode, cval, dtype)
    _validate.choice(kind, func, "kind", (4, 8))
    x, axis, plan = _prepare(image, func, channel_axis, dtype)
    n = x.ndim - 1
    if kind == 8 and n != 2:
        _validate.fail(func, "kind", kind, f"4 for a {n}-D image (kind=8 is defined for 2-D images)")
    y = _run_direct(x, _laplacian_kernel(kind, n), [1] * n, mode, cval, plan.acc, plan.write)
    return _finish(y, axis, plan)


@functools.lru_cache(maxsize=8)
def _laplacian_kernel(kind: int, n: int) -> np.ndarray:
    """The n-D Laplacian kernel of ``laplacian`` (read-only, cached)."""
    if kind == 8:
        w = -np.ones((3, 3))
        w[1, 1] = 8.0
    else:
        w = np.zeros((3,) * n)
        centre = (1,) * n
        w[centre] = 2.0 * n
        for m in range(n):
            for side in (0, 2):
                w[centre[:m] + (side,) + centre[m + 1:]] = -1.0
    w.setflags(write=False)
    return w


#: the widest integer image whose 2-D Sobel/Prewitt takes the separable 3 x 3 kernel: serial, uint8, the separable
#: kernel against the six-tap direct one: 512² 69 / 102 us, 1024² 215 / 334 us, 2048² 1.70 / 1.39 ms, 4096² 11.3 /
#: 10.7 ms (float images gain at every size: 2048² float32 2.39 / 2.64 ms against the nine taps)
_SMALL_SEPARABLE_MAX_WIDTH = 1024


def _gradient(func, image, axis, smooth, mode, cval, channel_axis, dtype):
    mode, cval, dtype = _common(func, mode, cval, dtype)
    x, ch, plan = _prepare(image, func, channel_axis, dtype)
    n = x.ndim - 1
    axes = range(n) if axis is None else (_spatial_axis(axis, n, func),)
    deriv = np.array([-1.0, 0.0, 1.0])
    result = None
    for ax in axes:
        factors = [deriv if m == ax else smooth for m in range(n)]
        write = plan.write if axis is not None else plan.fwrite
        if n == 2 and np.dtype(write) == np.dtype(plan.acc) and np.dtype(write).kind == "f" and (
                x.dtype.kind == "f" or x.shape[-1] <= _SMALL_SEPARABLE_MAX_WIDTH):
            # a float result: the smoothing along each row once, then the 3-tap pass down the columns, every tap
            # multiplying (NaN spreads over the window as through the nine taps): 512² float32 ~1.7x faster;
            # integer images' sums are exact integers in the working dtype, the same values in any order
            d = _run_small_separable(x, factors[0], factors[1], mode, cval, write)
        elif n == 2:
            # the 3 x 3 kernel directly (its nine taps in one loop a row: 512² float32 ~2.5x faster than the two
            # passes, whose per-row work dominates such short kernels; the same values for integer images; for
            # float images the zero taps kept: NaN spreads over the whole window, as through the passes and
            # scipy.ndimage.sobel; integer images have none, and their six taps take the six-tap loop)
            d = _run_direct(x, np.multiply.outer(*factors), [1, 1], mode, cval, plan.acc, write,
                            every_tap=x.dtype.kind in "fc")
        else:
            d = _run_separable(x, *_fold_trivial(factors, [1] * n), mode, cval, plan.acc, write)
        if axis is not None:
            result = d
        elif result is None:
            result = d if n == 2 else np.square(d, out=d)
        elif n == 2 and d.dtype in (np.float32, np.float64) and result.dtype == d.dtype \
                and result.flags.c_contiguous and d.flags.c_contiguous:
            # the 2-D magnitude in one pass (the roundings of the numpy passes below)
            flat = result.reshape(-1)
            _kernels().magnitude2(flat, d.reshape(-1), flat)
            return _finish(result, ch, plan)
        else:
            if n == 2:
                result = np.square(result, out=result)
            result += np.square(d, out=d)
    if axis is None:
        np.sqrt(result, out=result)
    return _finish(result, ch, plan)


_GRADIENT_DOC = """{name} derivative along one axis, or the gradient magnitude sqrt(sum_a d_a^2) over all axes.

    Parameters
    ----------
    {{image}}
    axis : int or None, optional
        The axis to differentiate (0: rows, the vertical derivative; -1: columns), among the spatial axes;
        None (default) returns the gradient magnitude.
    {{mode}}
    {{cval}}
    {{channel_axis}}
    dtype : numpy dtype, optional
        The output dtype (default: see Returns).

    Returns
    -------
    ndarray
        The derivative (signed) or the magnitude (>= 0), of the input's shape.
        {{dtype_float}}

    Raises
    ------
    TypeError
        If the image is not numeric or ``dtype`` is not numeric.
    ValueError
        If ``axis`` is not a spatial axis, the image is empty, or ``mode``, ``cval`` or ``channel_axis`` is
        invalid.

    Notes
    -----
    d_a = correlation with [-1, 0, 1] along axis a and the smoothing {smooth} along every other axis:
    f(i + 1) - f(i - 1), positive where values increase with the index, as scipy.ndimage.{name_lower}.
    In 2-D the axis-0 kernel is {kernel}.

    References
    ----------
    .. [1] Gonzalez, R. C., & Woods, R. E. (2018). Digital Image Processing (4th ed.), section 3.6 (using
       first-order derivatives for image sharpening: the gradient) and section 10.2. Pearson.
    .. [2] {reference}

    Examples
    --------
    >>> import numpy as np
    >>> from fastdip.filters import {name_lower}
    >>> image = np.repeat(np.array([[0], [0], [1], [1]], dtype=np.uint8), 3, axis=1)
    >>> {name_lower}(image, axis=0, mode='nearest')
    array({example}, dtype=float32)
    """


def _gradient_doc(name, smooth, kernel, reference, example):
    def decorate(func):
        func.__doc__ = _GRADIENT_DOC.format(name=name, name_lower=name.lower(), smooth=smooth, kernel=kernel,
                                            reference=reference, example=example)
        return fill(func)

    return decorate


@_gradient_doc(
    "Sobel", "[1, 2, 1]", "[[-1, -2, -1], [0, 0, 0], [1, 2, 1]]",
    "Sobel, I., & Feldman, G. (1968). A 3x3 isotropic gradient operator for image processing. Talk at the "
    "Stanford Artificial Intelligence Project; see Sobel, I. (2014), https://doi.org/10.13140/RG.2.1.1912.4965",
    "[[0., 0., 0.],\n           [4., 4., 4.],\n           [4., 4., 4.],\n           [0., 0., 0.]]",
)
def sobel(image, axis=None, *, mode="reflect", cval=0.0, channel_axis=None, dtype=None):
    return _gradient("sobel", image, axis, np.array([1.0, 2.0, 1.0]), mode, cval, channel_axis, dtype)


@_gradient_doc(
    "Prewitt", "[1, 1, 1]", "[[-1, -1, -1], [0, 0, 0], [1, 1, 1]]",
    "Prewitt, J. M. S. (1970). Object enhancement and extraction. In Picture Processing and Psychopictorics "
    "(pp. 75-149). Academic Press.",
    "[[0., 0., 0.],\n           [3., 3., 3.],\n           [3., 3., 3.],\n           [0., 0., 0.]]",
)
def prewitt(image, axis=None, *, mode="reflect", cval=0.0, channel_axis=None, dtype=None):
    return _gradient("prewitt", image, axis, np.array([1.0, 1.0, 1.0]), mode, cval, channel_axis, dtype)


@fill
def unsharp_mask(image, sigma=1.0, amount=1.0, *, mode="reflect", cval=0.0, channel_axis=None, dtype=None):
    """Unsharp masking and high-boost filtering: g = f + amount * (f - gaussian(f, sigma)).

    Parameters
    ----------
    {image}
    sigma : float or sequence of float, optional
        The Gaussian's standard deviation (per spatial axis or one for all), as in ``gaussian``.
    amount : float, optional
        The weight k of the mask f - blur: 1 is unsharp masking, > 1 high-boost filtering, 0 returns f.
    {mode}
    {cval}
    {channel_axis}
    dtype : numpy dtype, optional
        The output dtype (default: see Returns); an integer dtype rounds and clips the result.

    Returns
    -------
    ndarray
        The sharpened image, of the input's shape, not clipped.
        {dtype_float}

    Raises
    ------
    TypeError
        If the image is not numeric, ``sigma`` or ``amount`` is not a number, or ``dtype`` is not numeric.
    ValueError
        If a sigma is negative, the image is empty, or ``mode``, ``cval`` or ``channel_axis`` is invalid.

    Notes
    -----
    The blurred image (truncated at 4 sigma) is subtracted from the original to make the mask, which is
    added back k times: g = (1 + k) f - k blur.

    References
    ----------
    .. [1] Gonzalez, R. C., & Woods, R. E. (2018). Digital Image Processing (4th ed.), section 3.6 (unsharp
       masking and highboost filtering). Pearson.

    Examples
    --------
    >>> import numpy as np
    >>> from fastdip.filters import unsharp_mask
    >>> image = np.array([[10, 10, 20, 20]], dtype=np.uint8)
    >>> unsharp_mask(image, sigma=(0, 1), amount=2, dtype=np.uint8)
    array([[ 9,  4, 26, 21]], dtype=uint8)
    """
    func = "unsharp_mask"
    mode, cval, dtype = _common(func, mode, cval, dtype)
    amount = _validate.number(amount, func, "amount")
    x, axis, plan = _prepare(image, func, channel_axis, dtype)
    sigmas = _sigmas(sigma, func, x.ndim - 1)
    work = plan.fwrite
    blur = _gaussian_core(x, sigmas, 4.0, mode, cval, plan.acc, work)
    f = x.astype(work, copy=False)
    np.subtract(f, blur, out=blur)
    blur *= work.type(amount)
    blur += f
    return _finish(blur, axis, plan)
