"""Kernels for fastdip.geometry's warps: backward mapping with nearest, bilinear, bicubic and Lanczos-3 taps.

Layout. Images reach these kernels channel-last and C-contiguous: ``(H, W, C)`` in 2-D and ``(P, H, W, C)``
in 3-D (a grey image has C = 1). Every output pixel ``q`` samples the input at a point ``p`` (row, col)
[(plane, row, col)] given by the wrapper: an affine map ``p = A q + b`` (``m`` holds the inverse of the user's
forward matrix, its last row dropped), a homography ``p = (H q)[:n] / (H q)[n]`` (a divisor <= 0 samples
nothing: cval), or a coordinate array (``remap``). The tap weights are computed once per pixel and applied to
every channel.

Interpolation codes: 0 nearest (index ``floor(x + 0.5)``, so a half-way point goes up, as scipy.ndimage's
order 0), 1 (bi/tri)linear, 2 bicubic (Keys' cubic convolution with a = -0.5, 4 taps), 3 Lanczos-3 (6 taps of
sinc(x) sinc(x/3), normalised to sum 1). Borders: a tap outside the image reads the extension of the samples by
``mode`` (``source_index``, mode codes of fastdip._modes), cval for 'constant' (scipy's 'grid-constant').

Output. ``out`` may have another dtype than ``src``; with ``is_int`` every value is rounded half to even and
clipped to ``[lo, hi]`` as it is written (the uint8 result costs no second pass).

Speed. For affine maps the coordinates are linear along an output row: the span of columns whose taps all lie
inside the image is computed per row (``_span``, exact by checking its ends with the same arithmetic as the
loop), and that span runs without bounds or border checks; only the ends of the row take the general path.
The output is written in tiles (``AFFINE_TILE``, 128 x 512 pixels): a rotated image is read along slanted
lines, and without tiles every pixel of a long row touches another page of the input; rows of 512 columns
amortise the per-row set-up of a tile (its span, coordinates and scratch slices) over four times the pixels
of the 128 columns used before (serial rotation by 35 degrees, this machine: float32 2048^2 17.4 -> 10.3 ms,
4096^2 101 -> 61 ms; uint8 2048^2 8.9 -> 7.4 ms, 4096^2 46 -> 36 ms; 512^2 unchanged). Per-pixel work
never calls a function with array arguments (such calls were not inlined and cost 25-90 ns each here); the
samplers work on whole lines of coordinates (``_line2``, ``_line3``). Coordinates beyond 1e9 in magnitude,
and NaN, sample nothing (cval).
Threads. Each kernel takes the range of output rows (points for ``remap2``) it writes: the wrappers call it once
over all of them, or run bands of them on fastdip's worker threads (``parallel._run_bands``), so a parallel
call compiles nothing beyond the serial kernel (a numba ``prange`` twin compiled the whole sampler again:
about 9 s per signature on this machine). Single-channel
bilinear interiors (affine and ``remap2``) gather the four taps into small arrays first, then form the sums in
a separate loop LLVM vectorises (2048^2 float32 rotation: 13 ms serial before, 7.4 ms after). In ``affine2``
the two taps of a row come in one load from ``pair_view(src)`` (uint8, uint16, float32: the image read as
overlapping pairs of neighbours), the offsets are unsigned 32-bit (no negative-index wraparound) and the column
index comes from a float64 array (AVX2 has no vector int64 -> double conversion): 2048^2 float32 rotation,
serial kernel, 20 -> 15 ms; uint8 -> float32 19.1 -> 15.2 ms. Since then the float interior (variant 1)
below 2^31 samples takes its offsets and fractions from 32.32 fixed-point coordinates in 32-bit lanes, as the
integer one does, instead of float64 lanes (see ``affine2``).
"""

import math
import sys

import numpy as np
from ._config import SERIAL, njit
from .convolve import source_index


@njit(**SERIAL)
def ksize(order):
    """Number of taps per axis of interpolation ``order`` (0, 1, 2, 3 -> 1, 2, 4, 6)."""
    if order == 0:
        return 1
    if order == 1:
        return 2
    if order == 2:
        return 4
    return 6


@njit(**SERIAL)
def _lanczos3(d):
    if d == 0.0:
        return 1.0
    if d >= 3.0 or d <= -3.0 or d == np.floor(d):
        return 0.0
    x = math.pi * d
    return 3.0 * math.sin(x) * math.sin(x / 3.0) / (x * x)


@njit(**SERIAL)
def taps(x, order, w):
    """Fill ``w[:ksize(order)]`` with the weights of the taps at x's neighbours; return the first tap's index.

    Keys (a = -0.5): w(d) = (a+2)|d|^3 - (a+3)|d|^2 + 1 for |d| <= 1, a|d|^3 - 5a|d|^2 + 8a|d| - 4a for
    1 < |d| < 2. Lanczos-3: sinc(d) sinc(d/3) for |d| < 3, normalised to sum 1.
    """
    if order == 0:
        w[0] = 1.0
        return int(np.floor(x + 0.5))
    f = np.floor(x)
    t = x - f
    if order == 1:
        w[0] = 1.0 - t
        w[1] = t
        return int(f)
    if order == 2:
        a = -0.5
        d = 1.0 + t
        w[0] = ((a * d - 5.0 * a) * d + 8.0 * a) * d - 4.0 * a
        w[1] = ((a + 2.0) * t - (a + 3.0)) * t * t + 1.0
        u = 1.0 - t
        w[2] = ((a + 2.0) * u - (a + 3.0)) * u * u + 1.0
        w[3] = 1.0 - w[0] - w[1] - w[2]
        return int(f) - 1
    s = 0.0
    for k in range(6):
        w[k] = _lanczos3(t + 2.0 - k)
        s += w[k]
    for k in range(6):
        w[k] /= s
    return int(f) - 2


@njit(**SERIAL)
def _clip(v, is_int, lo, hi):
    if is_int:
        return min(max(np.rint(v), lo), hi)
    return v


@njit(**SERIAL)
def _line2(src, rr, cc, j0, j1, order, mode, cval, is_int, lo, hi, out, q0, wr, wc):
    """out[q0 + j, :] = src (H, W, C) interpolated at (rr[j], cc[j]) for j in [j0, j1), any position."""
    H = src.shape[0]
    W = src.shape[1]
    C = src.shape[2]
    k = ksize(order)
    cv = _clip(cval, is_int, lo, hi)
    for j in range(j0, j1):
        r = np.float64(rr[j])  # (float32 coordinates of ``remap2``: exactly the float64 values)
        c = np.float64(cc[j])
        q = q0 + j
        if not (-1e9 < r < 1e9 and -1e9 < c < 1e9):
            for ch in range(C):
                out[q, ch] = cv
            continue
        if order == 0:
            sa = source_index(int(np.floor(r + 0.5)), H, mode)
            sb = source_index(int(np.floor(c + 0.5)), W, mode)
            for ch in range(C):
                if sa < 0 or sb < 0:
                    out[q, ch] = cv
                else:
                    out[q, ch] = _clip(float(src[sa, sb, ch]), is_int, lo, hi)
        elif order == 1:
            fr = np.floor(r)
            fc = np.floor(c)
            tr = r - fr
            tc = c - fc
            ir = int(fr)
            ic = int(fc)
            if ir >= 0 and ir + 1 < H and ic >= 0 and ic + 1 < W:
                r0 = ir
                r1 = ir + 1
                c0 = ic
                c1 = ic + 1
            else:
                r0 = source_index(ir, H, mode)
                r1 = source_index(ir + 1, H, mode)
                c0 = source_index(ic, W, mode)
                c1 = source_index(ic + 1, W, mode)
            for ch in range(C):
                p00 = cval if r0 < 0 or c0 < 0 else float(src[r0, c0, ch])
                p01 = cval if r0 < 0 or c1 < 0 else float(src[r0, c1, ch])
                p10 = cval if r1 < 0 or c0 < 0 else float(src[r1, c0, ch])
                p11 = cval if r1 < 0 or c1 < 0 else float(src[r1, c1, ch])
                top = p00 + tc * (p01 - p00)
                bot = p10 + tc * (p11 - p10)
                out[q, ch] = _clip(top + tr * (bot - top), is_int, lo, hi)
        else:
            ir = taps(r, order, wr)
            ic = taps(c, order, wc)
            inside = ir >= 0 and ir + k <= H and ic >= 0 and ic + k <= W
            for ch in range(C):
                v = 0.0
                for a in range(k):
                    sa = ir + a if inside else source_index(ir + a, H, mode)
                    for b in range(k):
                        sb = ic + b if inside else source_index(ic + b, W, mode)
                        x = cval if sa < 0 or sb < 0 else float(src[sa, sb, ch])
                        v += wr[a] * wc[b] * x
                out[q, ch] = _clip(v, is_int, lo, hi)


@njit(**SERIAL)
def _line3(src, zz, rr, cc, j0, j1, order, mode, cval, is_int, lo, hi, out, q0, wz, wr, wc):
    """out[q0 + j, :] = src (P, H, W, C) interpolated at (zz[j], rr[j], cc[j]), any position, any order."""
    P = src.shape[0]
    H = src.shape[1]
    W = src.shape[2]
    C = src.shape[3]
    k = ksize(order)
    cv = _clip(cval, is_int, lo, hi)
    for j in range(j0, j1):
        z = zz[j]
        r = rr[j]
        c = cc[j]
        q = q0 + j
        if not (-1e9 < z < 1e9 and -1e9 < r < 1e9 and -1e9 < c < 1e9):
            for ch in range(C):
                out[q, ch] = cv
            continue
        iz = taps(z, order, wz)
        ir = taps(r, order, wr)
        ic = taps(c, order, wc)
        for ch in range(C):
            v = 0.0
            for e in range(k):
                se = source_index(iz + e, P, mode)
                for a in range(k):
                    sa = source_index(ir + a, H, mode)
                    for b in range(k):
                        sb = source_index(ic + b, W, mode)
                        x = cval if se < 0 or sa < 0 or sb < 0 else float(src[se, sa, sb, ch])
                        v += wz[e] * wr[a] * wc[b] * x
            out[q, ch] = _clip(v, is_int, lo, hi)


@njit(**SERIAL)
def _inside(x, lo, hi):
    return lo <= x < hi


@njit(**SERIAL)
def _limits(order, n):
    """[lo, hi): coordinates whose taps all lie in [0, n) on the fast path of ``order`` (0, 1 or 2: bicubic's
    floor(x) - 1 .. floor(x) + 2); for the code 9, coordinates whose order-0/1 taps may touch [0, n) (outside
    it, 'constant' gives cval alone)."""
    if order == 0:
        return -0.5, n - 0.5
    if order == 9:
        return -1.0, n + 0.0
    if order == 2:
        return 1.0, n - 2.0
    return 0.0, n - 1.0


@njit(**SERIAL)
def _span1(b, d, lo, hi, n):
    """Candidate [j0, j1) within [0, n) where lo <= b + d*j < hi (refined by the caller)."""
    if d == 0.0:
        if lo <= b < hi:
            return 0, n
        return 0, 0
    x0 = (lo - b) / d
    x1 = (hi - b) / d
    if d < 0.0:
        x0, x1 = x1, x0
    x0 = min(max(x0 - 1.0, 0.0), float(n))
    x1 = min(max(x1 + 1.0, 0.0), float(n))
    return int(x0), int(math.ceil(x1))


@njit(**SERIAL)
def _span(bases, steps, shape, order, c0, c1):
    """The columns j in [c0, c1) where every coordinate ``bases[a] + steps[a] * j`` is on the fast path."""
    j0 = c0
    j1 = c1
    for a in range(bases.shape[0]):
        lo, hi = _limits(order, shape[a])
        s0, s1 = _span1(bases[a], steps[a], lo, hi, c1)
        j0 = max(j0, s0)
        j1 = min(j1, s1)
    # refine both ends with exactly the loop's arithmetic (each coordinate is monotonic in j)
    while j0 < j1:
        ok = True
        for a in range(bases.shape[0]):
            lo, hi = _limits(order, shape[a])
            if not _inside(bases[a] + steps[a] * j0, lo, hi):
                ok = False
        if ok:
            break
        j0 += 1
    while j1 > j0:
        ok = True
        for a in range(bases.shape[0]):
            lo, hi = _limits(order, shape[a])
            if not _inside(bases[a] + steps[a] * (j1 - 1), lo, hi):
                ok = False
        if ok:
            break
        j1 -= 1
    return j0, j1


# -- 2-D affine ---------------------------------------------------------------------------------------------


@njit(**SERIAL)
def _fix(x):
    """``floor(x * 2^32)``: a coordinate (or step) in 32.32 fixed point."""
    return np.int64(math.floor(x * 4294967296.0))


@njit(**SERIAL)
def _fix_inside(rfix, cfix, drfix, dcfix, j, rlim, clim):
    """Whether column ``j`` (from the anchor (rfix, cfix)) has all four bilinear taps inside, by the
    fixed-point coordinates (0 <= r < H - 1 and 0 <= c < W - 1)."""
    r = rfix + drfix * j
    c = cfix + dcfix * j
    return 0 <= r < rlim and 0 <= c < clim


@njit(**SERIAL)
def _weights14(rlo, clo):
    """The bilinear weights of the fixed-point interior from the low words (the fractions, in units of 2^-32)
    of a row and a column coordinate: (a, b, d) with w11 = a, w10 = b - a, w01 = d - a, w00 = 2^14 - b - d + a.
    The fractions rounded to 16 bits, the weights to 14 (16384: all on the next sample, which is inside); the
    product from the 16-bit ones, kept within [b + d - 2^14, min(b, d)] so that no weight is negative and the
    sum cannot leave the dtype's range. In uint32 lanes: b16 * d16 reaches 2^32 (and wraps to 0) only for
    b16 = d16 = 2^16, where the bound b + d - 2^14 = 2^14 is the value anyway."""
    b16 = np.uint32(np.uint32(np.uint32(rlo >> np.uint32(15)) + np.uint32(1)) >> np.uint32(1))
    d16 = np.uint32(np.uint32(np.uint32(clo >> np.uint32(15)) + np.uint32(1)) >> np.uint32(1))
    b = np.int32(np.uint32(b16 + np.uint32(2)) >> np.uint32(2))
    d = np.int32(np.uint32(d16 + np.uint32(2)) >> np.uint32(2))
    a = max(np.int32(np.uint32(np.uint32(b16 * d16) + np.uint32(131072)) >> np.uint32(18)),
            np.int32(b + d - np.int32(16384)))
    return a, b, d


@njit(**SERIAL)
def _fix_inside_at(rfix, cfix, drfix, dcfix, k, rlim, clim, full_r, full_c):
    """``_fix_inside`` from the per-call step tables when there are some (else the exact multiples)."""
    if full_r.size:
        r = rfix + full_r[k]
        c = cfix + full_c[k]
        return 0 <= r < rlim and 0 <= c < clim
    return _fix_inside(rfix, cfix, drfix, dcfix, k, rlim, clim)


@njit(**SERIAL)
def _keys(t):
    """The four Keys weights (a = -0.5) of a fraction t, by ``taps``' formulas (the same values)."""
    a = -0.5
    d = 1.0 + t
    w0 = ((a * d - 5.0 * a) * d + 8.0 * a) * d - 4.0 * a
    w1 = ((a + 2.0) * t - (a + 3.0)) * t * t + 1.0
    u = 1.0 - t
    w2 = ((a + 2.0) * u - (a + 3.0)) * u * u + 1.0
    return w0, w1, w2, 1.0 - w0 - w1 - w2


@njit(**SERIAL)
def _cubic_points(sflat, W, rs, cs, is_int, lo, hi, dst, off, w, g):
    """dst[j] = the flat one-channel image ``sflat`` (rows of ``W``) interpolated bicubically (Keys, a = -0.5)
    at (rs[j], cs[j]), every tap inside (the caller's span; offsets below 2^32), in three loops: offsets and the
    weights of ``taps`` (its formulas, ``_keys``: vectorised, 8 float64 lanes), the 16 samples (scalar loads
    into ``g``, the source's dtype), and the sums v = sum over a, b of (wr[a] wc[b]) x[a, b] from 0.0 in
    ``_line2``'s order (vectorised: each lane keeps its own sequence), so ``_line2``'s values bit for bit. The
    loops are written out tap by tap (nested tap loops kept them scalar: 26 ns a point). ``_line2`` alone took
    ~40 ns a pixel (one 16-long dependent chain of float64 adds each). Scratch: ``off`` (uint32), ``w`` (9, n)
    float64 (the last row: the sums), ``g`` (16, n)."""
    n = rs.shape[0]
    W32 = np.uint32(W)
    w0, w1, w2, w3, w4, w5, w6, w7 = w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7]
    for j in range(n):
        r = rs[j]
        c = cs[j]
        fr = np.floor(r)
        fc = np.floor(c)
        off[j] = np.uint32(np.uint32(np.int32(fr) - 1) * W32 + np.uint32(np.int32(fc) - 1))
        a0, a1, a2, a3 = _keys(r - fr)
        b0, b1, b2, b3 = _keys(c - fc)
        w0[j] = a0
        w1[j] = a1
        w2[j] = a2
        w3[j] = a3
        w4[j] = b0
        w5[j] = b1
        w6[j] = b2
        w7[j] = b3
    for ra in range(4):
        for cb in range(4):
            gg = g[4 * ra + cb]
            shift = np.uint32(ra) * W32 + np.uint32(cb)
            for j in range(n):
                gg[j] = sflat[off[j] + shift]
    g0, g1, g2, g3, g4, g5, g6, g7 = g[0], g[1], g[2], g[3], g[4], g[5], g[6], g[7]
    g8, g9, g10, g11, g12, g13, g14, g15 = g[8], g[9], g[10], g[11], g[12], g[13], g[14], g[15]
    acc = w[8]
    for j in range(n):
        a0 = w0[j]
        a1 = w1[j]
        a2 = w2[j]
        a3 = w3[j]
        b0 = w4[j]
        b1 = w5[j]
        b2 = w6[j]
        b3 = w7[j]
        v = 0.0
        v += a0 * b0 * float(g0[j])
        v += a0 * b1 * float(g1[j])
        v += a0 * b2 * float(g2[j])
        v += a0 * b3 * float(g3[j])
        v += a1 * b0 * float(g4[j])
        v += a1 * b1 * float(g5[j])
        v += a1 * b2 * float(g6[j])
        v += a1 * b3 * float(g7[j])
        v += a2 * b0 * float(g8[j])
        v += a2 * b1 * float(g9[j])
        v += a2 * b2 * float(g10[j])
        v += a2 * b3 * float(g11[j])
        v += a3 * b0 * float(g12[j])
        v += a3 * b1 * float(g13[j])
        v += a3 * b2 * float(g14[j])
        v += a3 * b3 * float(g15[j])
        acc[j] = v
    if is_int:
        for j in range(n):
            dst[j] = min(max(np.rint(acc[j]), lo), hi)
    else:
        for j in range(n):
            dst[j] = acc[j]


#: ``affine2``'s output tile (rows, columns), passed by the wrapper (kernels read no globals)
AFFINE_TILE = (128, 512)


def pair_view(src: np.ndarray) -> np.ndarray:
    """``affine2``'s ``pairs`` argument: a uint8/uint16/float32 image (C-contiguous) read as overlapping pairs of
    neighbouring samples, element o = the bits of sample o | those of sample o + 1 << bits (a read-only view of
    uint16/uint32/uint64 with a stride of one sample, little-endian); other dtypes get an empty uint16 array of
    the same numba type (not used)."""
    flat = src.reshape(-1)
    pair = {1: np.uint16, 2: np.uint32, 4: np.uint64}.get(src.dtype.itemsize)
    if ((src.dtype.kind == "u" and src.dtype.itemsize <= 2) or src.dtype == np.float32) and sys.byteorder == "little" \
            and flat.size >= 2:
        view = np.ndarray((flat.size - 1,), dtype=pair, buffer=flat, strides=(src.dtype.itemsize,))
    else:
        view = np.ndarray((0,), dtype=np.uint16, buffer=np.zeros(3, np.uint8), offset=1, strides=(1,))
    view.flags.writeable = False
    return view


@njit(**SERIAL)
def affine2(src, pairs, m, order, mode, cval, is_int, lo, hi, out, variant, tile_rows, tile_cols, i0, i1):
    """out[i, j] = src interpolated at m @ (i, j, 1) (``m`` 2x3, output -> input) for the output rows i0..i1
    of ``out`` (Ho, Wo, C) (all: 0, Ho; bands of rows in parallel: ``parallel._run_bands``), in tiles of
    ``tile_rows`` x ``tile_cols`` (``AFFINE_TILE``; the values do not depend on them); ``pairs`` is
    ``pair_view(src)``; ``variant`` of the bilinear interior: 0 float64, 1 float32, 2 fixed point (integer
    image into its own dtype).

    The interior span of every row of a band of ``tile_rows`` rows is found once (``_span``); each tile then runs its
    part of the span in two phases, offsets and weights first (a loop LLVM vectorises), then the gathers.
    Fixed point (uint8/uint16 into the same dtype), as OpenCV's warpAffine does it: the coordinates in 32.32
    fixed point (int64) stepped by exact integer increments along the row (the span's ends checked with those
    very coordinates), the fractions rounded to 16 bits, the four weights in units of 2^-14 (none negative)
    with an exact sum of 2^14, ``(sum w f + 2^13) >> 14``. uint8: it differs from the exactly rounded value
    by 1 at about 3e-3 of the pixels (ties, and values within ~0.03 of a half); uint16: by up to ~6 levels
    (the 2^-14 weights on a 16-bit scale, as with float coordinates before). Per tile row: offsets and
    weights in 32-bit lanes (the 32.32 coordinates split in high and low words, the steps 0..Wo-1 split once
    per call: int64 lanes, which AVX2 cannot multiply or shift arithmetically, took 1.4 ns a pixel), then the
    gathers, then the sums. One channel: both samples of a row come in one load from ``pairs``
    (``pair_view``), two loads a pixel instead of four; the offsets without a multiplication (the high words'
    steps as image offsets) and one sums loop per sample size (literal shifts: vectorised). 2048^2 uint8, 35
    degrees, serial: 17.0 -> 9.3-10.4 ms (OpenCV 10.4-10.8 ms); 4096^2: 74 -> ~48 ms (OpenCV 63 ms).

    Float32 arithmetic (variant 1) below 2^31 samples: the same 32-bit-lane offsets from 32.32 fixed-point
    coordinates, anchored at the row's span start (where the span's ends are re-checked with them), but the
    steps from k * step in float64 floored to 2^-32 per column k (not k times the floored step, which drifts by
    up to k 2^-32 pixel): each coordinate within 2^-31 pixel of its float64 value, so the float32 fractions
    ``float32(low word) 2^-32`` are as accurate as ``float32(x - floor(x))`` from float64 lanes (they differ in
    the last bit at ~0.3 % of pixels, 2 ulp at most on a 0..255 image). Half the lanes' width (16 int32 lanes
    for 8 float64 ones): 512^2 float32 rotation, serial kernel, 488 -> 443 us, all interior 461 -> 406 us,
    2048^2 9.99 -> 9.42 ms.
    """
    W = src.shape[1]
    C = src.shape[2]
    Wo = out.shape[1]
    flat = out.reshape(out.shape[0] * Wo, C)
    sflat = src.reshape(src.size)
    row = W * C
    wr = np.empty(6)
    wc = np.empty(6)
    rr = np.empty(Wo)
    cc = np.empty(Wo)
    bases = np.empty(2)
    steps = np.empty(2)
    shape = np.empty(2)
    shape[0] = src.shape[0]
    shape[1] = W
    dr = m[0, 1]
    dc = m[1, 1]
    steps[0] = dr
    steps[1] = dc
    span0 = np.empty(tile_rows, np.int64)
    span1 = np.empty(tile_rows, np.int64)
    origin = np.zeros(tile_rows, np.int64)
    fix_r = np.zeros(tile_rows, np.int64)
    fix_c = np.zeros(tile_rows, np.int64)
    outer0 = np.zeros(tile_rows, np.int64)
    outer1 = np.full(tile_rows, Wo)
    cv = _clip(cval, is_int, lo, hi)
    off = np.empty(tile_cols, np.int64)
    w00 = np.empty(tile_cols, np.int32)
    w01 = np.empty(tile_cols, np.int32)
    w10 = np.empty(tile_cols, np.int32)
    w11 = np.empty(tile_cols, np.int32)
    wyf = np.empty(tile_cols, np.float32)
    wxf = np.empty(tile_cols, np.float32)
    wyd = np.empty(tile_cols)
    wxd = np.empty(tile_cols)
    s00 = np.empty(tile_cols, src.dtype)
    s01 = np.empty(tile_cols, src.dtype)
    s10 = np.empty(tile_cols, src.dtype)
    s11 = np.empty(tile_cols, src.dtype)
    flo = np.float32(lo)
    fhi = np.float32(hi)
    # fixed point (variant 2): coordinates in units of 2^-32 pixel, int64, stepped by exact integer increments
    drfix = _fix(dr)
    dcfix = _fix(dc)
    rlim = (src.shape[0] - 1) << 32
    clim = (W - 1) << 32
    uoff = np.empty(tile_cols, np.uint64)
    # bicubic interiors (one channel): offsets, the 4 + 4 weights, the 16 gathered samples of a tile row
    cub_n = tile_cols if order == 2 else 0
    cub_off = np.empty(cub_n, np.uint32)
    cub_w = np.empty((9, cub_n))
    cub_g = np.empty((16, cub_n), src.dtype)
    # offsets in 32 bits while every one fits (src below 2^31 values): the conversions and products of the
    # coordinate loops then vectorise (int64 ones do not on AVX2: 512^2 float32 rotation 2.0 -> 1.1 ms,
    # uint8 ~10 %); copied into the 64-bit offsets the gathers read
    small = src.size < 2147483647
    off32 = np.empty(tile_cols, np.int32)
    W32 = np.int32(W)
    C32 = np.int32(C)
    # variant 2, one channel: pairs of neighbours (``pairs[o]`` = sample o, and o + 1 in the high half) and
    # the column steps 0..Wo-1 split in 32-bit words, once per call
    paired = small and C == 1 and src.itemsize <= 2 and pairs.size == src.size - 1
    # variant 1, one float32 channel: the same pairs (64 bits: two float32), gathered into uint64 scratch
    # read back as float32 pairs (element 2j the left sample, 2j + 1 its neighbour; little-endian)
    paired_f = (small and C == 1 and not is_int and src.itemsize == 4 and pairs.size == src.size - 1
                and pairs.itemsize == 8)
    qt = np.empty(tile_cols, np.uint64)
    qb = np.empty(tile_cols, np.uint64)
    qtf = qt.view(np.float32)
    qbf = qb.view(np.float32)
    gt = np.empty(tile_cols, np.uint32)
    gb = np.empty(tile_cols, np.uint32)
    byte = src.itemsize == 1
    urow32 = np.uint32(row)
    uch32 = np.uint32(C)
    colf = np.arange(0.0, Wo)  # column indices, exact
    fixed = small and order == 1 and (variant == 2 or variant == 1)
    steps_r = Wo if fixed else 0
    full_r = np.empty(steps_r, np.int64)
    full_c = np.empty(steps_r, np.int64)
    hi_r = np.empty(steps_r, np.int32)
    lo_r = np.empty(steps_r, np.uint32)
    hi_c = np.empty(steps_r, np.int32)
    lo_c = np.empty(steps_r, np.uint32)
    for k in range(steps_r):
        # the high words as offsets into the image (samples; int32 arithmetic wraps consistently, and every
        # offset the interior uses fits): no multiplication in the loop below (numba widens an int32 product
        # to 64 bits, and LLVM kept the whole offset computation in 64-bit lanes)
        if variant == 2:
            sr = drfix * k
            sc = dcfix * k
        else:
            sr = _fix(dr * k)
            sc = _fix(dc * k)
        full_r[k] = sr
        full_c[k] = sc
        hi_r[k] = np.int32((sr >> 32) * row)
        lo_r[k] = np.uint32(sr & 0xFFFFFFFF)
        hi_c[k] = np.int32((sc >> 32) * C)
        lo_c[k] = np.uint32(sc & 0xFFFFFFFF)
    row32 = np.int32(row)
    oflat = out.reshape(out.size)
    cv_buf = np.empty(1, out.dtype)
    cv_buf[0] = cv
    cv_out = cv_buf[0]
    uch = np.uint64(C)
    urow = np.uint64(row)
    urow1 = np.uint64(row + C)
    for t0 in range(i0, i1, tile_rows):
        t1 = min(t0 + tile_rows, i1)
        for i in range(t0, t1):
            s0 = 0
            s1 = 0
            if order <= 2:
                bases[0] = m[0, 0] * i + m[0, 2]
                bases[1] = m[1, 0] * i + m[1, 2]
                s0, s1 = _span(bases, steps, shape, order, 0, Wo)
                if mode == 4 and order <= 1:
                    u0, u1 = _span(bases, steps, shape, 9, 0, Wo)
                    if u1 <= u0:
                        u0 = 0
                        u1 = 0
                    if s1 <= s0:
                        s0 = u0
                        s1 = u0
                    outer0[i - t0] = u0
                    outer1[i - t0] = u1
            if (variant == 2 or fixed) and order == 1:
                # the fixed-point coordinates decide the taps: keep the ends whose taps are inside by them too
                # anchored at the float span's start, where the coordinates are inside the image (no
                # overflow of 2^32 x a far-away row start); column j is anchor + step * (j - origin)
                origin[i - t0] = s0
                rfix = _fix(bases[0] + dr * s0) if s0 < s1 else 0
                cfix = _fix(bases[1] + dc * s0) if s0 < s1 else 0
                fix_r[i - t0] = rfix
                fix_c[i - t0] = cfix
                while s0 < s1 and not _fix_inside_at(rfix, cfix, drfix, dcfix, s0 - origin[i - t0], rlim, clim,
                                                     full_r, full_c):
                    s0 += 1
                while s1 > s0 and not _fix_inside_at(rfix, cfix, drfix, dcfix, s1 - 1 - origin[i - t0], rlim,
                                                     clim, full_r, full_c):
                    s1 -= 1
            span0[i - t0] = s0
            span1[i - t0] = max(s0, s1)
        for c0 in range(0, Wo, tile_cols):
            c1 = min(c0 + tile_cols, Wo)
            for i in range(t0, t1):
                rb = m[0, 0] * i + m[0, 2]
                cb = m[1, 0] * i + m[1, 2]
                q0 = i * Wo
                j0 = min(max(span0[i - t0], c0), c1)
                j1 = max(min(span1[i - t0], c1), j0)
                if j0 > c0 or j1 < c1:
                    # [c0, u0) and [u1, c1): cval alone ('constant'); [u0, j0) and [j1, u1): general sampler
                    u0 = min(max(outer0[i - t0], c0), j0)
                    u1 = max(min(outer1[i - t0], c1), j1)
                    # (a fill of the output's dtype over contiguous values: a vectorised store)
                    for x in range((q0 + c0) * C, (q0 + u0) * C):
                        oflat[x] = cv_out
                    for x in range((q0 + u1) * C, (q0 + c1) * C):
                        oflat[x] = cv_out
                    for j in range(u0, j0):
                        rr[j] = rb + dr * j
                        cc[j] = cb + dc * j
                    for j in range(j1, u1):
                        rr[j] = rb + dr * j
                        cc[j] = cb + dc * j
                    if j0 > u0:
                        _line2(src, rr, cc, u0, j0, order, mode, cval, is_int, lo, hi, flat, q0, wr, wc)
                    if u1 > j1:
                        _line2(src, rr, cc, j1, u1, order, mode, cval, is_int, lo, hi, flat, q0, wr, wc)
                n = j1 - j0
                if n <= 0:
                    continue
                if order == 2:
                    # bicubic: the taps' offsets and weights, the 16 samples, then the sums, each in its own loop
                    # (``_cubic_points``; _line2's values)
                    for j in range(j0, j1):
                        rr[j] = rb + dr * j
                        cc[j] = cb + dc * j
                    if C == 1 and small:
                        _cubic_points(sflat, W, rr[j0:j1], cc[j0:j1], is_int, lo, hi, oflat[q0 + j0:q0 + j1], cub_off,
                                      cub_w, cub_g)
                    else:
                        _line2(src, rr, cc, j0, j1, order, mode, cval, is_int, lo, hi, flat, q0, wr, wc)
                elif order == 0:
                    if small:
                        # offsets first (float64 lanes, the same sums), then the copies: 1024^2 uint8 rotation,
                        # serial, 4.2 -> ~1.3 ms (the fused loop indexed src in 3-D, a scalar loop)
                        cols = colf[j0:j1]
                        for j in range(n):
                            ir = np.int32(rb + dr * cols[j] + 0.5)  # (truncation: >= 0 on the interior)
                            ic = np.int32(cb + dc * cols[j] + 0.5)
                            off32[j] = np.int32(np.int32(np.int32(ir * W32) + ic) * C32)
                        if C == 1:
                            # the samples gathered in the source's dtype, then converted in a loop LLVM
                            # vectorises (rounding and clipping only for an integer output)
                            for j in range(n):
                                s00[j] = sflat[np.uint32(off32[j])]
                            dst = oflat[q0 + j0:q0 + j1]
                            if is_int:
                                for j in range(n):
                                    dst[j] = min(max(np.rint(np.float64(s00[j])), lo), hi)
                            else:
                                for j in range(n):
                                    dst[j] = s00[j]
                        else:
                            for j in range(n):
                                o = np.uint32(off32[j])
                                for ch in range(C):
                                    flat[q0 + j0 + j, ch] = _clip(float(sflat[o + np.uint32(ch)]), is_int, lo, hi)
                    else:
                        for j in range(j0, j1):
                            ir = int(rb + dr * j + 0.5)
                            ic = int(cb + dc * j + 0.5)
                            for ch in range(C):
                                flat[q0 + j, ch] = _clip(float(src[ir, ic, ch]), is_int, lo, hi)
                elif variant == 2:
                    k0 = j0 - origin[i - t0]  # column j0 + j is k0 + j steps from the row's anchor
                    if small:
                        # 32-bit lanes: the anchor and the steps split in high (int32) and low (uint32) words,
                        # the carry from the low words' sum (the same 32.32 values as the int64 loop below)
                        rb_fix = fix_r[i - t0]
                        cb_fix = fix_c[i - t0]
                        RL = np.uint32(rb_fix & 0xFFFFFFFF)
                        CL = np.uint32(cb_fix & 0xFFFFFFFF)
                        base = np.int32(((rb_fix >> 32) * W + (cb_fix >> 32)) * C)
                        hr = hi_r[k0:k0 + n]
                        lr = lo_r[k0:k0 + n]
                        hc = hi_c[k0:k0 + n]
                        lc = lo_c[k0:k0 + n]
                        for j in range(n):
                            rlo = np.uint32(RL + lr[j])
                            clo = np.uint32(CL + lc[j])
                            # offset = (row * W + col) * C, the carries of the low words adding a row or a sample
                            off32[j] = np.int32(np.int32(base + hr[j]) + np.int32(hc[j] + (row32 if rlo < RL else 0))
                                                + (C32 if clo < CL else 0))
                            a, b, d = _weights14(rlo, clo)
                            w11[j] = a
                            w10[j] = b - a
                            w01[j] = d - a
                            w00[j] = np.int32(16384 - b - d + a)
                    else:
                        rfix = fix_r[i - t0] + drfix * k0
                        cfix = fix_c[i - t0] + dcfix * k0
                        for j in range(n):
                            rx = rfix + drfix * j
                            cx = cfix + dcfix * j
                            uoff[j] = np.uint64(((rx >> 32) * W + (cx >> 32)) * C)
                            a, b, d = _weights14(np.uint32(rx & 0xFFFFFFFF), np.uint32(cx & 0xFFFFFFFF))
                            w11[j] = a
                            w10[j] = b - a
                            w01[j] = d - a
                            w00[j] = np.int32(16384 - b - d + a)
                    if paired:
                        # both samples of a row in one load from ``pairs`` (the image read as pairs of
                        # neighbours, a view with a stride of one sample), then the sums in 32-bit lanes
                        for j in range(n):
                            po = np.uint32(off32[j])
                            gt[j] = pairs[po]
                            gb[j] = pairs[po + urow32]
                        dst = oflat[q0 + j0:q0 + j1]
                        # (one loop per sample size, literal shifts and masks: numba reads ``itemsize`` from the
                        # array at run time, and a shift by a variable kept this loop scalar)
                        if byte:
                            for j in range(n):
                                gtop = gt[j]
                                gbot = gb[j]
                                vsum = np.int32(np.int32(np.int32(w00[j] * np.int32(gtop & np.uint32(255)))
                                                         + np.int32(w01[j] * np.int32(gtop >> np.uint32(8))))
                                                + np.int32(np.int32(w10[j] * np.int32(gbot & np.uint32(255)))
                                                           + np.int32(w11[j] * np.int32(gbot >> np.uint32(8)))))
                                dst[j] = np.int32(vsum + np.int32(8192)) >> np.int32(14)
                        else:
                            for j in range(n):
                                gtop = gt[j]
                                gbot = gb[j]
                                vsum = np.int32(np.int32(np.int32(w00[j] * np.int32(gtop & np.uint32(65535)))
                                                         + np.int32(w01[j] * np.int32(gtop >> np.uint32(16))))
                                                + np.int32(np.int32(w10[j] * np.int32(gbot & np.uint32(65535)))
                                                           + np.int32(w11[j] * np.int32(gbot >> np.uint32(16)))))
                                dst[j] = np.int32(vsum + np.int32(8192)) >> np.int32(14)
                    else:
                        if small:
                            for j in range(n):
                                uoff[j] = np.uint64(off32[j])
                        for j in range(n):
                            uo = uoff[j]
                            for ch in range(C):
                                uq = uo + np.uint64(ch)
                                v = (w00[j] * np.int32(sflat[uq]) + w01[j] * np.int32(sflat[uq + uch])
                                     + w10[j] * np.int32(sflat[uq + urow]) + w11[j] * np.int32(sflat[uq + urow1]))
                                flat[q0 + j0 + j, ch] = (v + 8192) >> 14
                elif variant == 1:
                    cols = colf[j0:j1]  # (j0 + j as a float64 from memory: AVX2 has no int64 -> double)
                    # offsets unsigned (no negative-index wraparound in the gathers), in 32 bits while the
                    # image allows; every product cast back to 32 bits (numba widens them to 64, and 64-bit
                    # lanes halve the vector width)
                    if small:
                        # (the offsets as variant 2 makes them; a shared routine filling offsets and low words,
                        # the weights in a second loop, was 5-7 % slower for both variants)
                        k0 = j0 - origin[i - t0]
                        rb_fix = fix_r[i - t0]
                        cb_fix = fix_c[i - t0]
                        RL = np.uint32(rb_fix & 0xFFFFFFFF)
                        CL = np.uint32(cb_fix & 0xFFFFFFFF)
                        base = np.int32(((rb_fix >> 32) * W + (cb_fix >> 32)) * C)
                        hr = hi_r[k0:k0 + n]
                        lr = lo_r[k0:k0 + n]
                        hc = hi_c[k0:k0 + n]
                        lc = lo_c[k0:k0 + n]
                        for j in range(n):
                            rlo = np.uint32(RL + lr[j])
                            clo = np.uint32(CL + lc[j])
                            off32[j] = np.int32(np.int32(base + hr[j]) + np.int32(hc[j] + (row32 if rlo < RL else 0))
                                                + (C32 if clo < CL else 0))
                            wyf[j] = np.float32(rlo) * np.float32(2.3283064365386963e-10)
                            wxf[j] = np.float32(clo) * np.float32(2.3283064365386963e-10)
                    else:
                        for j in range(n):
                            r = rb + dr * cols[j]
                            c = cb + dc * cols[j]
                            ir = int(r)
                            ic = int(c)
                            uoff[j] = np.uint64((ir * W + ic) * C)
                            wyf[j] = np.float32(r - ir)
                            wxf[j] = np.float32(c - ic)
                    if paired_f:
                        # both samples of a row in one 64-bit load (``pairs``), then the sums
                        for j in range(n):
                            po = np.uint32(off32[j])
                            qt[j] = pairs[po]
                            qb[j] = pairs[po + urow32]
                        dst = oflat[q0 + j0:q0 + j1]
                        for j in range(n):
                            p00 = np.float32(qtf[2 * j])
                            p01 = np.float32(qtf[2 * j + 1])
                            p10 = np.float32(qbf[2 * j])
                            p11 = np.float32(qbf[2 * j + 1])
                            fc = wxf[j]
                            top = p00 + fc * (p01 - p00)
                            bot = p10 + fc * (p11 - p10)
                            dst[j] = top + wyf[j] * (bot - top)
                        continue
                    if paired and not is_int:
                        # uint8/uint16 into floats: the pairs of the fixed-point path, unpacked in the sums
                        for j in range(n):
                            po = np.uint32(off32[j])
                            gt[j] = pairs[po]
                            gb[j] = pairs[po + urow32]
                        dst = oflat[q0 + j0:q0 + j1]
                        if byte:  # (one loop per sample size: literal shifts, as above)
                            for j in range(n):
                                gtop = gt[j]
                                gbot = gb[j]
                                p00 = np.float32(gtop & np.uint32(255))
                                p01 = np.float32(gtop >> np.uint32(8))
                                p10 = np.float32(gbot & np.uint32(255))
                                p11 = np.float32(gbot >> np.uint32(8))
                                fc = wxf[j]
                                top = p00 + fc * (p01 - p00)
                                bot = p10 + fc * (p11 - p10)
                                dst[j] = top + wyf[j] * (bot - top)
                        else:
                            for j in range(n):
                                gtop = gt[j]
                                gbot = gb[j]
                                p00 = np.float32(gtop & np.uint32(65535))
                                p01 = np.float32(gtop >> np.uint32(16))
                                p10 = np.float32(gbot & np.uint32(65535))
                                p11 = np.float32(gbot >> np.uint32(16))
                                fc = wxf[j]
                                top = p00 + fc * (p01 - p00)
                                bot = p10 + fc * (p11 - p10)
                                dst[j] = top + wyf[j] * (bot - top)
                        continue
                    if C == 1 and not is_int:
                        # gathers first (into the source's dtype), then the sums in a loop LLVM vectorises, on
                        # slices (an index with an offset kept LLVM from vectorising)
                        if small:
                            for j in range(n):
                                po = np.uint32(off32[j])
                                s00[j] = sflat[po]
                                s01[j] = sflat[po + uch32]
                                s10[j] = sflat[po + urow32]
                                s11[j] = sflat[po + urow32 + uch32]
                        else:
                            for j in range(n):
                                uo = uoff[j]
                                s00[j] = sflat[uo]
                                s01[j] = sflat[uo + uch]
                                s10[j] = sflat[uo + urow]
                                s11[j] = sflat[uo + urow1]
                        dst = oflat[q0 + j0:q0 + j1]
                        for j in range(n):
                            p00 = np.float32(s00[j])
                            p01 = np.float32(s01[j])
                            p10 = np.float32(s10[j])
                            p11 = np.float32(s11[j])
                            fc = wxf[j]
                            top = p00 + fc * (p01 - p00)
                            bot = p10 + fc * (p11 - p10)
                            dst[j] = top + wyf[j] * (bot - top)
                        continue
                    if small:
                        for j in range(n):
                            uoff[j] = np.uint64(off32[j])
                    for j in range(n):
                        uo = uoff[j]
                        fc = wxf[j]
                        fr = wyf[j]
                        for ch in range(C):
                            uq = uo + np.uint64(ch)
                            p00 = np.float32(sflat[uq])
                            p01 = np.float32(sflat[uq + uch])
                            p10 = np.float32(sflat[uq + urow])
                            p11 = np.float32(sflat[uq + urow1])
                            top = p00 + fc * (p01 - p00)
                            bot = p10 + fc * (p11 - p10)
                            v = top + fr * (bot - top)
                            if is_int:
                                v = min(max(np.rint(v), flo), fhi)
                            flat[q0 + j0 + j, ch] = v
                elif C == 1 and not is_int:
                    # float64: offsets and fractions, gathers, sums (as variant 1, the same values as below)
                    cols = colf[j0:j1]
                    for j in range(n):
                        r = rb + dr * cols[j]
                        c = cb + dc * cols[j]
                        ir = int(r)
                        ic = int(c)
                        off[j] = ir * W + ic
                        wyd[j] = r - ir
                        wxd[j] = c - ic
                    for j in range(n):
                        o = off[j]
                        s00[j] = sflat[o]
                        s01[j] = sflat[o + 1]
                        s10[j] = sflat[o + row]
                        s11[j] = sflat[o + row + 1]
                    dst = oflat[q0 + j0:q0 + j1]
                    for j in range(n):
                        # float(): the source's precision, as the loop below (float32 for float32 -> float64)
                        p00 = float(s00[j])
                        p01 = float(s01[j])
                        p10 = float(s10[j])
                        p11 = float(s11[j])
                        fc = wxd[j]
                        top = p00 + fc * (p01 - p00)
                        bot = p10 + fc * (p11 - p10)
                        dst[j] = top + wyd[j] * (bot - top)
                else:
                    for j in range(j0, j1):
                        r = rb + dr * j
                        c = cb + dc * j
                        ir = int(r)
                        ic = int(c)
                        fr = r - ir
                        fc = c - ic
                        for ch in range(C):
                            p00 = float(src[ir, ic, ch])
                            p01 = float(src[ir, ic + 1, ch])
                            p10 = float(src[ir + 1, ic, ch])
                            p11 = float(src[ir + 1, ic + 1, ch])
                            top = p00 + fc * (p01 - p00)
                            bot = p10 + fc * (p11 - p10)
                            flat[q0 + j, ch] = _clip(top + fr * (bot - top), is_int, lo, hi)


# -- 2-D homography and coordinate maps ---------------------------------------------------------------------


@njit(**SERIAL)
def _away(r, c, H, W):
    """Whether all four bilinear taps of (r, c) are outside an H x W image (NaN: False)."""
    return (r < -1.0) | (r >= H) | (c < -1.0) | (c >= W)


@njit(**SERIAL)
def _inside_cubic(r, c, H, W):
    """Whether all 16 bicubic taps of (r, c) are inside an H x W image (``_remap2_cubic``'s test; NaN: False)."""
    return (r >= 1.0) & (r < H - 2.0) & (c >= 1.0) & (c < W - 2.0)


@njit(**SERIAL)
def _inside_taps(r, c, rlim, clim):
    """Whether all four bilinear taps of (r, c) are inside (``_remap2_points``' test; NaN: False)."""
    return (r >= 0.0) & (r < rlim) & (c >= 0.0) & (c < clim)


@njit(**SERIAL, error_model="numpy")
def perspective2(src, h, order, mode, cval, is_int, lo, hi, out, i0, i1):
    """out[i, j] = src at (h @ q)[:2] / (h @ q)[2], q = (i, j, 1), for the output rows i0..i1; cval where the
    divisor is <= 0. Each row's coordinates are made in one loop, then sampled as ``remap2`` samples points
    (bilinear: chunks whose taps are all inside gathered and summed in vectorised loops, ``_line2``'s values;
    other orders: ``_line2``). error_model="numpy": the divisions happen only where the divisor is > 0, and the
    Python model's zero-division check kept the coordinate loop scalar (1024^2: 3.9 -> 1.9 ms). 1024^2 float32,
    bilinear, a mild homography (63 % of the points inside), serial: 23 -> ~6 ms."""
    C = src.shape[2]
    Wo = out.shape[1]
    flat = out.reshape(out.shape[0] * Wo, C)
    wr = np.empty(6)
    wc = np.empty(6)
    rr = np.empty(Wo)
    cc = np.empty(Wo)
    chunk = 256
    off = np.empty(chunk, np.int64)
    tr = np.empty(chunk)
    tc = np.empty(chunk)
    g = np.empty((4, chunk), src.dtype)
    colf = np.arange(0.0, Wo)  # (the column as a float64 from memory: AVX2 has no int64 -> double)
    H = src.shape[0]
    W = src.shape[1]
    rlim = H - 1.0
    clim = W - 1.0
    cv_buf = np.empty(1, out.dtype)
    cv_buf[0] = _clip(cval, is_int, lo, hi)
    cv_out = cv_buf[0]
    # bicubic, one channel: remap2's chunks (``_remap2_cubic``)
    cubic = order == 2 and C == 1 and src.size < 4294967295
    cn = chunk if cubic else 0
    crs = np.empty(cn)
    ccs = np.empty(cn)
    coff = np.empty(cn, np.uint32)
    cw = np.empty((9, cn))
    cg = np.empty((16, cn), src.dtype)
    for i in range(i0, i1):
        a0 = h[0, 0] * i  # (the products of row i once; the sums in the order of h @ q, as before)
        a1 = h[1, 0] * i
        a2 = h[2, 0] * i
        for j in range(Wo):
            x = colf[j]
            w = a2 + h[2, 1] * x + h[2, 2]
            ok = w > 0.0
            rr[j] = (a0 + h[0, 1] * x + h[0, 2]) / w if ok else np.nan
            cc[j] = (a1 + h[1, 1] * x + h[1, 2]) / w if ok else np.nan
        dst = flat[i * Wo:(i + 1) * Wo]
        vflat = dst.reshape(Wo * C)
        if order == 2 and cubic:
            # the run of points whose 16 taps are all inside, found from both ends as for bilinear below
            first = 0
            last = Wo
            while first < last and not _inside_cubic(rr[first], cc[first], H, W):
                first += 1
            while last > first and not _inside_cubic(rr[last - 1], cc[last - 1], H, W):
                last -= 1
            _line2(src, rr, cc, 0, first, order, mode, cval, is_int, lo, hi, dst, 0, wr, wc)
            _remap2_cubic(src, rr, cc, mode, cval, is_int, lo, hi, dst, first, last, wr, wc, crs, ccs, coff, cw, cg)
            _line2(src, rr, cc, last, Wo, order, mode, cval, is_int, lo, hi, dst, 0, wr, wc)
            continue
        if order != 1:
            _line2(src, rr, cc, 0, Wo, order, mode, cval, is_int, lo, hi, dst, 0, wr, wc)
            continue
        # A projective map is monotonic along a row, so the points with all four taps inside form one run: found
        # by scans from both ends (which stop at it; the loop above stays a plain vectorised one), sampled in
        # chunks (a point outside within it is still caught by the chunk test), the rest by ``_line2``, so a
        # chunk holding one outside point no longer sends its other 255 there. With 'constant', the ends whose
        # four taps are all outside (r < -1 or r >= H, or the same for c: every tap reads cval, so the value is
        # cval exactly) are filled with cval first. NaN coordinates (a divisor <= 0) pass neither test.
        outer0 = 0
        outer1 = Wo
        if mode == 4:
            while outer0 < Wo and _away(rr[outer0], cc[outer0], H, W):
                outer0 += 1
            while outer1 > outer0 and _away(rr[outer1 - 1], cc[outer1 - 1], H, W):
                outer1 -= 1
        first = outer0
        last = outer1
        while first < last and not _inside_taps(rr[first], cc[first], rlim, clim):
            first += 1
        while last > first and not _inside_taps(rr[last - 1], cc[last - 1], rlim, clim):
            last -= 1
        for q in range(outer0 * C):  # (the output's dtype over contiguous values: a vectorised store)
            vflat[q] = cv_out
        for q in range(outer1 * C, Wo * C):
            vflat[q] = cv_out
        _line2(src, rr, cc, outer0, first, order, mode, cval, is_int, lo, hi, dst, 0, wr, wc)
        _remap2_points(src, rr, cc, order, mode, cval, is_int, lo, hi, dst, first, last, wr, wc, off, tr, tc, g)
        _line2(src, rr, cc, last, outer1, order, mode, cval, is_int, lo, hi, dst, 0, wr, wc)


@njit(**SERIAL)
def remap2(src, rows, cols, order, mode, cval, is_int, lo, hi, out, q0, q1):
    """out[q] = src interpolated at (rows[q], cols[q]) for the points q0..q1; ``out`` is (N, C), rows/cols (N,),
    float64 or float32 (read as float64: the same result as float64 coordinates of the same values). Bilinear
    runs in chunks of 256 points: one loop checks that every point's four taps are inside (0 <= r < H - 1 and
    0 <= c < W - 1, what ``_line2`` tests on the floors; NaN fails) while it computes the offsets and fractions;
    such a chunk then runs without border checks, the four gathers first, then the sums (a loop LLVM
    vectorises), with ``_line2``'s arithmetic (the same values); any other chunk goes to ``_line2``. The chunks
    are slices: ``rows[s0 + j]`` kept LLVM from vectorising (negative-index handling; 5x slower here). 2048^2
    uint8, ripple map, serial: 18 ms before, 12 ms. Bicubic, one channel: chunks whose 16 taps are all inside
    go to ``_cubic_points`` (``_remap2_cubic``; the same values), the others to ``_line2``."""
    chunk = 256
    if order == 2 and src.shape[2] == 1 and src.size < 4294967295:
        _remap2_cubic(src, rows, cols, mode, cval, is_int, lo, hi, out, q0, q1, np.empty(6), np.empty(6),
                      np.empty(chunk), np.empty(chunk), np.empty(chunk, np.uint32), np.empty((9, chunk)),
                      np.empty((16, chunk), src.dtype))
        return
    _remap2_points(src, rows, cols, order, mode, cval, is_int, lo, hi, out, q0, q1, np.empty(6), np.empty(6),
                   np.empty(chunk, np.int64), np.empty(chunk), np.empty(chunk), np.empty((4, chunk), src.dtype))


@njit(**SERIAL)
def _remap2_cubic(src, rows, cols, mode, cval, is_int, lo, hi, out, q0, q1, wr, wc, rs, cs, off, w, g):
    """``remap2``'s bicubic points q0..q1 of a one-channel ``src`` (below 2^32 samples), in chunks of
    ``rs.shape[0]``: the coordinates read as float64 (as ``_line2`` reads them) while one loop checks that every
    point's 16 taps are inside (1 <= r < H - 2 and 1 <= c < W - 2; NaN fails); such a chunk goes to
    ``_cubic_points`` (``_line2``'s values), any other to ``_line2``. Scratch: ``wr``, ``wc`` (6), ``rs``, ``cs``
    (chunk, float64), ``off``, ``w``, ``g`` (``_cubic_points``')."""
    H = src.shape[0]
    W = src.shape[1]
    sflat = src.reshape(src.size)
    oflat = out.reshape(out.size)
    rlim = H - 2.0
    clim = W - 2.0
    chunk = rs.shape[0]
    for s0 in range(q0, q1, chunk):
        s1 = min(s0 + chunk, q1)
        n = s1 - s0
        rr = rows[s0:s1]
        cc = cols[s0:s1]
        inside = True
        for j in range(n):
            r = np.float64(rr[j])
            c = np.float64(cc[j])
            inside = inside & (r >= 1.0) & (r < rlim) & (c >= 1.0) & (c < clim)
            rs[j] = r
            cs[j] = c
        if inside:
            _cubic_points(sflat, W, rs[:n], cs[:n], is_int, lo, hi, oflat[s0:s1], off, w, g)
        else:
            _line2(src, rows, cols, s0, s1, 2, mode, cval, is_int, lo, hi, out, 0, wr, wc)


@njit(**SERIAL)
def _remap2_points(src, rows, cols, order, mode, cval, is_int, lo, hi, out, q0, q1, wr, wc, off, tr, tc, g):
    """The body of ``remap2`` with its scratch given (``wr``, ``wc``: 6 weights; ``off``, ``tr``, ``tc``: a chunk
    of offsets and fractions; ``g`` (4, chunk) the gathered taps), for callers that run it many times."""
    if order != 1 or src.itemsize == 8:
        # (a float64 image: 19.4 ms against 17 ms for _line2 alone at 2048^2, serial; uint8/float32: 12-13 ms
        # against 18 ms)
        _line2(src, rows, cols, q0, q1, order, mode, cval, is_int, lo, hi, out, 0, wr, wc)
        return
    H = src.shape[0]
    W = src.shape[1]
    C = src.shape[2]
    sflat = src.reshape(src.size)
    oflat = out.reshape(out.size)
    rlim = H - 1.0
    clim = W - 1.0
    row = W * C
    chunk = off.shape[0]
    g00 = g[0]
    g01 = g[1]
    g10 = g[2]
    g11 = g[3]
    for s0 in range(q0, q1, chunk):
        s1 = min(s0 + chunk, q1)
        n = s1 - s0
        rs = rows[s0:s1]
        cs = cols[s0:s1]
        inside = True
        for j in range(n):
            r = np.float64(rs[j])
            c = np.float64(cs[j])
            inside = inside & (r >= 0.0) & (r < rlim) & (c >= 0.0) & (c < clim)
            # clamped (NaN -> 0) so that the conversions below are defined; a chunk with any point outside
            # goes to _line2 and these values are not used
            r = r if r >= 0.0 else 0.0
            r = r if r <= rlim else rlim
            c = c if c >= 0.0 else 0.0
            c = c if c <= clim else clim
            fr = np.floor(r)
            fc = np.floor(c)
            tr[j] = r - fr
            tc[j] = c - fc
            off[j] = (np.int64(fr) * W + np.int64(fc)) * C
        if not inside:
            _line2(src, rows, cols, s0, s1, 1, mode, cval, is_int, lo, hi, out, 0, wr, wc)
            continue
        if C == 1:
            dst = oflat[s0:s1]  # 1-D: a unit stride LLVM can see
            for j in range(n):
                o = off[j]
                g00[j] = sflat[o]
                g01[j] = sflat[o + 1]
                g10[j] = sflat[o + row]
                g11[j] = sflat[o + row + 1]
            for j in range(n):
                p00 = np.float64(g00[j])
                p01 = np.float64(g01[j])
                p10 = np.float64(g10[j])
                p11 = np.float64(g11[j])
                top = p00 + tc[j] * (p01 - p00)
                bot = p10 + tc[j] * (p11 - p10)
                v = top + tr[j] * (bot - top)
                if is_int:
                    # rounded and clipped as _clip does, in this vectorised loop too (uint8 undistort, serial,
                    # against the per-channel loop below: 512^2 2.9 -> 1.4 ms, 2048^2 58 -> 34 ms)
                    v = min(max(np.rint(v), lo), hi)
                dst[j] = v
        else:
            dst = out[s0:s1]
            for j in range(n):
                o = off[j]
                fr = tr[j]
                fc = tc[j]
                for ch in range(C):
                    p00 = np.float64(sflat[o + ch])
                    p01 = np.float64(sflat[o + C + ch])
                    p10 = np.float64(sflat[o + row + ch])
                    p11 = np.float64(sflat[o + row + C + ch])
                    top = p00 + fc * (p01 - p00)
                    bot = p10 + fc * (p11 - p10)
                    dst[j, ch] = _clip(top + fr * (bot - top), is_int, lo, hi)


@njit(**SERIAL)
def remap3(src, planes, rows, cols, order, mode, cval, is_int, lo, hi, out):
    """The 3-D ``remap2``: out[q] = src at (planes[q], rows[q], cols[q])."""
    wz = np.empty(6)
    wr = np.empty(6)
    wc = np.empty(6)
    _line3(src, planes, rows, cols, 0, rows.shape[0], order, mode, cval, is_int, lo, hi, out, 0, wz, wr, wc)


# -- 3-D affine ---------------------------------------------------------------------------------------------


@njit(**SERIAL)
def affine3(src, m, order, mode, cval, is_int, lo, hi, out, q0, q1):
    """out[p, i, j] = src interpolated at m @ (p, i, j, 1) (``m`` 3x4, output -> input) for the rows q0..q1 of
    the flattened (Po * Ho) rows of ``out`` (Po, Ho, Wo, C)."""
    C = src.shape[3]
    Ho = out.shape[1]
    Wo = out.shape[2]
    flat = out.reshape(out.shape[0] * Ho * Wo, C)
    wz = np.empty(6)
    wr = np.empty(6)
    wc = np.empty(6)
    zz = np.empty(Wo)
    rr = np.empty(Wo)
    cc = np.empty(Wo)
    bases = np.empty(3)
    steps = np.empty(3)
    shape = np.empty(3)
    for a in range(3):
        shape[a] = src.shape[a]
        steps[a] = m[a, 2]
    for q in range(q0, q1):
        p = q // Ho
        i = q - p * Ho
        for a in range(3):
            bases[a] = m[a, 0] * p + m[a, 1] * i + m[a, 3]
        o0 = q * Wo
        j0 = 0
        j1 = 0
        if order <= 1:
            j0, j1 = _span(bases, steps, shape, order, 0, Wo)
            if j1 <= j0:
                j0 = 0
                j1 = 0
        for j in range(Wo):
            zz[j] = bases[0] + steps[0] * j
            rr[j] = bases[1] + steps[1] * j
            cc[j] = bases[2] + steps[2] * j
        _line3(src, zz, rr, cc, 0, j0, order, mode, cval, is_int, lo, hi, flat, o0, wz, wr, wc)
        _line3(src, zz, rr, cc, j1, Wo, order, mode, cval, is_int, lo, hi, flat, o0, wz, wr, wc)
        for j in range(j0, j1):
            z = zz[j]
            r = rr[j]
            c = cc[j]
            if order == 0:
                iz = int(z + 0.5)
                ir = int(r + 0.5)
                ic = int(c + 0.5)
                for ch in range(C):
                    flat[o0 + j, ch] = _clip(float(src[iz, ir, ic, ch]), is_int, lo, hi)
                continue
            iz = int(z)
            ir = int(r)
            ic = int(c)
            fz = z - iz
            fr = r - ir
            fc = c - ic
            for ch in range(C):
                p00 = float(src[iz, ir, ic, ch])
                p01 = float(src[iz, ir, ic + 1, ch])
                p10 = float(src[iz, ir + 1, ic, ch])
                p11 = float(src[iz, ir + 1, ic + 1, ch])
                top = p00 + fc * (p01 - p00)
                bot = p10 + fc * (p11 - p10)
                v0 = top + fr * (bot - top)
                p00 = float(src[iz + 1, ir, ic, ch])
                p01 = float(src[iz + 1, ir, ic + 1, ch])
                p10 = float(src[iz + 1, ir + 1, ic, ch])
                p11 = float(src[iz + 1, ir + 1, ic + 1, ch])
                top = p00 + fc * (p01 - p00)
                bot = p10 + fc * (p11 - p10)
                v1 = top + fr * (bot - top)
                flat[o0 + j, ch] = _clip(v0 + fz * (v1 - v0), is_int, lo, hi)
