"""Kernels for fastdip.filters' linear filters: correlation (separable and direct) and running-sum box sums.

Layout. Every image reaches these kernels as a C-contiguous stack of planes ``(P, H, W)`` (a 2-D image is one
plane; the leading axes of an n-D image and colour channels are flattened into planes by the wrapper), or, for
the passes along a leading axis, as ``(O, N, I)`` with the filtered axis in the middle. Weights are correlation
weights: ``out[i] = sum_t w[t] * f[i + t - a]`` with ``a`` the anchor (the wrapper flips for convolution).

Borders follow scipy.ndimage (``source_index``: mode codes of fastdip._modes). ``cval`` enters a pass as the
value of the *input of that pass* outside the image, which the wrapper scales by the sum of the weights of
the earlier passes, so a chain of passes equals the n-D correlation of the image extended by ``cval``.

Precision. The working ("accumulator") dtype is the dtype of the weights: the wrapper passes float32 weights
only for float32 images that ask for a float32-sized result (error below n_taps * 2**-24 * sum|w f|, about
1e-6 of the data range here), float64 otherwise. The output array may be float32, float64, uint8 or uint16:
``_store`` rounds half to even and clips for an integer output (``bounds`` = [lo, hi]; empty for floats), so
no float copy of the result is needed. Box sums are exact for unsigned images: float32 while they stay below
2**23 (uint8 windows of up to 32768 pixels: twice the lanes of int64), int64 above; float64 otherwise.
``_mean_store`` divides, or for an integer output rounds the rational sum / count exactly. ``box_2d_fused``
keeps float32 sums only (exact integer sums, or direct sums of float32 images over short windows) and writes
each row in one pass per chunk of columns (``_box_store``). ``box_2d_exact_u16``: uint8 windows whose sums
stay below 2**16, the same sums in uint16 lanes (sixteen per vector) and the same float32 rounding.

uint8 to integer outputs (``separable_2d_checked``): float32 passes, and the float64 kernel's value, recomputed
by ``_pixel_value`` with the same operations, for the pixels within the wrapper's error bound of a tie (the
bound holds for any order of the float32 sums, so their grouping is chosen for speed; ``_pixel_value_inside``
for the pixels away from the borders).

Memory. 3-D images run plane by plane (``separable_3d``, ``box_3d``): the pass along the first axis (or the
running sum over planes) fills one plane of scratch per thread, then the fused 2-D pass writes the output
plane; no intermediate volume.

Speed (4096^2 float32, this 2-core machine). Inner loops are "axpy" passes over one output row (or one chunk
of it) that LLVM vectorises; loops index views from 0 so that numba's negative-index wraparound does not
block the vectoriser (index arithmetic on a raw ``j0 + j`` was 3-7x slower). The direct 2-D correlation keeps
a doubled ring of KH + 1 padded rows and computes two output rows per pass (``correlate_direct``): each tap
offset is one number into the ring, and a ring row read once feeds both rows' taps (7x7: 28 loads a pixel
instead of 49; 4096^2 serial 46 -> 36 ms on Zen 4, where one row per pass with eight taps a pass had been
the fastest single-row grouping). Rows pair by their parity within the plane, so bands of any length give
the serial result bit for bit.
Calls. A helper that receives array views costs a reference-count update per view (atomic) and no
vectorised loop crosses the call: the per-row and per-chunk helpers with several views are ``INLINED``
(the folded pair passes, the box row sums and store). Float rows are summed as they are: ``0.0 + x`` (the
promotion of an integer sample) is an add LLVM must keep (it turns -0.0 into 0.0); integer rows are converted
once into float32 rows instead (the ring of ``_int_pair``), and the box sums add ``-0.0``, which LLVM drops.
Symmetric 1-D kernels are folded (two taps per multiplication). Box sums keep four independent running sums
per row (windows of up to 5 columns are summed directly). Every public kernel takes the range [q0, q1) of the
rows (planes, in 3-D) it writes: the wrappers call it once over all of them, or above their pixel threshold
(fastdip._kernels._config.PARALLEL_MIN_PIXELS) run bands of rows on fastdip's worker threads
(``parallel._run_bands``; a numba ``prange`` twin compiled the whole kernel again per signature). A band
restarts the running sums: the same result for exact sums, float64 box sums differ by their rounding (~1e-16).
"""

import numpy as np
from numba.extending import overload

from ._config import INLINED, SERIAL, njit

#: columns per chunk of the accumulator row: 1024 float64 (8 KiB) plus the rows being read stay in L1
CHUNK = 1024
#: columns per chunk of the direct correlation (its KH input rows of the chunk and the accumulator stay in L1)
DIRECT_CHUNK = 1024


@njit(**SERIAL)
def source_index(x, n, mode):
    """The index in [0, n) that position ``x`` of a line of ``n`` samples reads, or -1 outside ('constant').

    Mode codes (fastdip._modes.CODES): 0 reflect (d c b a | a b c d), 1 mirror (d c b | a b c d), 2 nearest,
    3 wrap, 4 constant. Extensions longer than the line repeat (period 2n for reflect, 2n - 2 for mirror).
    """
    if 0 <= x < n:
        return x
    if mode == 4:
        return -1
    if mode == 2:
        return 0 if x < 0 else n - 1
    if mode == 3:
        return x % n
    if mode == 0:
        period = 2 * n
        x = x % period
        return x if x < n else period - 1 - x
    if n == 1:
        return 0
    period = 2 * n - 2
    x = x % period
    return x if x < n else period - x


@njit(**SERIAL)
def index_map(n, k, a, mode, out):
    """out[i, t] = source_index(i + t - a, n, mode) for an (n, k) table (the wrapper's plane maps)."""
    for i in range(n):
        for t in range(k):
            out[i, t] = source_index(i + t - a, n, mode)


@njit(**SERIAL)
def _fill_line(src, dst, left, mode, cval):
    """dst[left:left + n] = src (converted to dst's dtype); dst's other elements extend it by ``mode``."""
    n = src.shape[0]
    mid = dst[left:left + n]
    for j in range(n):
        mid[j] = src[j]
    for p in range(left):
        s = source_index(p - left, n, mode)
        dst[p] = cval if s < 0 else mid[s]
    for p in range(left + n, dst.shape[0]):
        s = source_index(p - left, n, mode)
        dst[p] = cval if s < 0 else mid[s]


@njit(**INLINED)
def _extend_line(line, left, n, mode, cval):
    """Fill line[:left] and line[left + n:] from line[left:left + n] by ``mode`` (in place). Inlined into its
    callers (numba IR inlining), as ``_u16_sums_round``: called once per output row, a call between kernels
    cost ~8 us of a 62 us 512^2 uint8 5x5 mean (54.6 us inlined; compile time unchanged: _config.INLINED)."""
    for p in range(left):
        s = source_index(p - left, n, mode)
        line[p] = cval if s < 0 else line[left + s]
    for p in range(left + n, line.shape[0]):
        s = source_index(p - left, n, mode)
        line[p] = cval if s < 0 else line[left + s]


@njit(**SERIAL)
def _symmetric(w):
    """True for an odd-length kernel with w[c - d] == w[c + d] (Gaussian, box, [1, 2, 1]): folded passes."""
    k = w.shape[0]
    if k % 2 == 0 or k < 3:
        return False
    for t in range(k // 2):
        if w[t] != w[k - 1 - t]:
            return False
    return True


@njit(**SERIAL)
def _store(a, o, bounds):
    """o[j] = a[j]. For an integer ``o`` (``bounds`` = [lo, hi], else empty) the value is rounded half to even
    and clipped to [lo, hi] first: the kernel writes the requested integer dtype with no float copy."""
    n = o.shape[0]
    if bounds.shape[0] == 0:
        for j in range(n):
            o[j] = a[j]
    else:
        lo = bounds[0]
        hi = bounds[1]
        for j in range(n):
            v = np.rint(a[j])
            v = lo if v < lo else v
            v = hi if v > hi else v
            o[j] = v


@njit(**SERIAL)
def _line_taps(line, w, acc, out, bounds):
    """out[j] = sum_t w[t] * line[j + t] for j < out.size, through the accumulator chunk ``acc`` (``_store``).

    Symmetric kernels are folded, w[c + d] * (x[j + c - d] + x[j + c + d]): half the multiplications and
    accumulator updates (sigma 2 Gaussian at 4096^2: 25-30% less time for the whole filter)."""
    n = out.shape[0]
    k = w.shape[0]
    c = k // 2
    folded = _symmetric(w)
    for j0 in range(0, n, acc.shape[0]):
        m = min(acc.shape[0], n - j0)
        a = acc[:m]
        for j in range(m):
            a[j] = 0.0
        if folded:
            wt = w[c]
            x0 = line[j0 + c:j0 + c + m]
            for j in range(m):
                a[j] += wt * x0[j]
            for d in range(1, c + 1):
                wt = w[c + d]
                x0 = line[j0 + c - d:j0 + c - d + m]
                x1 = line[j0 + c + d:j0 + c + d + m]
                for j in range(m):
                    a[j] += wt * (x0[j] + x1[j])
        else:
            for t in range(k):
                wt = w[t]
                x0 = line[j0 + t:j0 + t + m]
                for j in range(m):
                    a[j] += wt * x0[j]
        _store(a, out[j0:j0 + m], bounds)


@njit(**SERIAL)
def _add_row(dst, rows, s, wt, cval):
    """dst += wt * rows[s] (cval where s < 0)."""
    if s < 0:
        c = wt * cval
        for j in range(dst.shape[0]):
            dst[j] += c
    else:
        row = rows[s]
        for j in range(dst.shape[0]):
            dst[j] += wt * row[j]


@njit(**SERIAL)
def _vertical_taps(plane, w, i, a, mode, cval, dst):
    """dst[j] = sum_t w[t] * plane[source_index(i + t - a), j] (cval outside), folded for symmetric w."""
    H = plane.shape[0]
    k = w.shape[0]
    for j in range(dst.shape[0]):
        dst[j] = 0.0
    if _symmetric(w):
        c = k // 2
        _add_row(dst, plane, source_index(i + c - a, H, mode), w[c], cval)
        for d in range(1, c + 1):
            s0 = source_index(i + c - d - a, H, mode)
            s1 = source_index(i + c + d - a, H, mode)
            wt = w[c + d]
            if s0 >= 0 and s1 >= 0:
                r0 = plane[s0]
                r1 = plane[s1]
                for j in range(dst.shape[0]):
                    dst[j] += wt * (r0[j] + r1[j])
            else:
                _add_row(dst, plane, s0, wt, cval)
                _add_row(dst, plane, s1, wt, cval)
    else:
        for t in range(k):
            _add_row(dst, plane, source_index(i + t - a, H, mode), w[t], cval)


# -- separable correlation: vertical pass into a padded row, then the horizontal pass -----------------------


@njit(**INLINED)
def _horizontal(line, ah, W, mode, cval_h, wh, fh, acc, row, bounds):
    """The horizontal pass of one row: ``line`` (vertical sums at [ah, ah + W)) extended by ``mode``, then
    correlated with ``wh`` into ``row``: four folded pairs per sweep (``_folded_line``) where ``fh`` says the
    kernel is symmetric and ``row`` takes the sums as they are, else ``_line_taps`` (``bounds``: ``_store``).
    Inlined (_config.INLINED): called once per output row."""
    _extend_line(line, ah, W, mode, cval_h)
    if fh:
        _folded_line(line, wh, row)
    else:
        _line_taps(line, wh, acc, row, bounds)


@njit(**SERIAL)
def _separable_plane(plane, wv, av, wh, ah, mode, cval_v, cval_h, bounds, out, i0, i1, line, acc):
    """Rows i0..i1 of one output plane (H, W) of the 2-D separable correlation of ``plane`` (float64 weights,
    integer outputs, the planes of ``separable_3d``): one folded pair per vertical pass, in the order
    ``_pixel_value`` repeats (the reference of ``separable_2d_checked``); a float32 output row with a symmetric
    ``wh`` four pairs per sweep (``_folded_line``)."""
    W = plane.shape[1]
    mid = line[ah:ah + W]
    fh = wv.itemsize == 4 and _symmetric(wh) and bounds.shape[0] == 0 and out.itemsize == 4
    for i in range(i0, i1):
        _vertical_taps(plane, wv, i, av, mode, cval_v, mid)
        _horizontal(line, ah, W, mode, cval_h, wh, fh, acc, out[i], bounds)


@njit(**SERIAL)
def _separable_rows(src, wv, av, wh, ah, mode, cval_v, cval_h, bounds, out, q0, q1, line, acc):
    """Rows q0..q1 of the flattened (P*H) output rows of ``separable_2d``."""
    H = src.shape[1]
    q = q0
    while q < q1:
        p = q // H
        i0 = q - p * H
        i1 = min(H, i0 + q1 - q)
        _separable_plane(src[p], wv, av, wh, ah, mode, cval_v, cval_h, bounds, out[p], i0, i1, line, acc)
        q += i1 - i0


@njit(**SERIAL)
def separable_2d(src, wv, av, wh, ah, mode, cval_v, cval_h, bounds, out, q0, q1):
    """out[p] = correlation of src[p] with wv along rows (axis 1) and wh along columns (axis 2).

    ``cval_v`` is the value outside the image for the vertical pass (``cval``), ``cval_h`` for the horizontal
    pass (``cval * sum(wv)``). Works in the dtype of ``wv``; ``out`` may be an integer array (``_store``).
    """
    if wv.itemsize == 4 and bounds.shape[0] == 0 and out.itemsize == 4:
        # float32 weights into float32: two rows per vertical pass (``_pairs_2d``), every row's taps in one
        # order wherever it lies; float64 keeps the order ``_pixel_value`` repeats
        _pairs_2d(src, wv, av, wh, ah, mode, cval_v, cval_h, out, q0, q1)
        return
    W = src.shape[2]
    line = np.empty(W + wh.shape[0] - 1, wv.dtype)
    acc = np.empty(min(CHUNK, W), wv.dtype)
    _separable_rows(src, wv, av, wh, ah, mode, cval_v, cval_h, bounds, out, q0, q1, line, acc)


# -- integer images to integer outputs: float32 passes, float64 near ties ------------------------------------


@njit(**SERIAL)
def _column_value(plane, w, ridx, folded, cval, col):
    """One element of ``_vertical_taps``' result, dst[col], by the same operations in the same order (so the
    same float64 value, bit for bit); ridx[t] = source_index(i + t - a) are the rows it reads."""
    k = w.shape[0]
    dst = 0.0
    if folded:
        c = k // 2
        s = ridx[c]
        dst += w[c] * cval if s < 0 else w[c] * plane[s, col]
        for d in range(1, c + 1):
            s0 = ridx[c - d]
            s1 = ridx[c + d]
            wt = w[c + d]
            if s0 >= 0 and s1 >= 0:
                dst += wt * (plane[s0, col] + plane[s1, col])
            else:
                dst += wt * cval if s0 < 0 else wt * plane[s0, col]
                dst += wt * cval if s1 < 0 else wt * plane[s1, col]
    else:
        for t in range(k):
            s = ridx[t]
            dst += w[t] * cval if s < 0 else w[t] * plane[s, col]
    return dst


@njit(**SERIAL)
def _line_value(plane, wv, ridx, fv, mode, cval_v, cval_h, x):
    """Element ``x`` (relative to the row start, may be outside) of the extended row of vertical sums."""
    s = source_index(x, plane.shape[1], mode)
    if s < 0:
        return cval_h
    return _column_value(plane, wv, ridx, fv, cval_v, s)


@njit(**SERIAL)
def _pixel_value(plane, wv, ridx, fv, wh, fh, ah, mode, cval_v, cval_h, j):
    """Output column j of one row of ``_separable_plane`` in float64 by the same operations in the same order
    (for float64 ``wv``, ``wh``; ``fv``, ``fh``: ``_symmetric`` of each): ``_line_taps``' sum over the
    extended row of ``_vertical_taps``' column sums."""
    k = wh.shape[0]
    a = 0.0
    if fh:
        c = k // 2
        a += wh[c] * _line_value(plane, wv, ridx, fv, mode, cval_v, cval_h, j + c - ah)
        for d in range(1, c + 1):
            x0 = _line_value(plane, wv, ridx, fv, mode, cval_v, cval_h, j + c - d - ah)
            x1 = _line_value(plane, wv, ridx, fv, mode, cval_v, cval_h, j + c + d - ah)
            a += wh[c + d] * (x0 + x1)
    else:
        for t in range(k):
            a += wh[t] * _line_value(plane, wv, ridx, fv, mode, cval_v, cval_h, j + t - ah)
    return a


@njit(**SERIAL)
def _pixel_value_inside(plane, wv, ridx, wh, x0, cols):
    """``_pixel_value`` (same operations in the same order, so the same float64 value) for symmetric ``wv``,
    ``wh`` whose rows ``ridx`` (all >= 0) and columns x0 .. x0 + wh.size - 1 lie inside ``plane``: no border
    look-ups (``source_index`` per tap), the column sums as one loop over the columns (``cols``: scratch of
    wh.size float64). ~0.1 against ~0.9 us a pixel for a sigma 2 Gaussian."""
    k = wh.shape[0]
    c = wv.shape[0] // 2
    rc = plane[ridx[c]]
    wc = wv[c]
    for x in range(k):
        cols[x] = 0.0 + wc * rc[x0 + x]
    for d in range(1, c + 1):
        r0 = plane[ridx[c - d]]
        r1 = plane[ridx[c + d]]
        wt = wv[c + d]
        for x in range(k):
            cols[x] += wt * (r0[x0 + x] + r1[x0 + x])
    h = k // 2
    a = 0.0 + wh[h] * cols[h]
    for d in range(1, h + 1):
        a += wh[h + d] * (cols[h - d] + cols[h + d])
    return a


@njit(**SERIAL)
def _vertical_taps_float(plane, w, i, a, mode, cval, dst):
    """``_vertical_taps`` for an integer ``plane`` and float32 ``w``: each sample is converted to the working
    dtype before the pair is added (uint8 + uint8 is an int64 in numba, and int64 -> float32 has no AVX2
    instruction: 0.26 against 0.12 ns per element, measured)."""
    H = plane.shape[0]
    k = w.shape[0]
    z = w[0] - w[0]
    for j in range(dst.shape[0]):
        dst[j] = z
    if _symmetric(w):
        c = k // 2
        _add_row(dst, plane, source_index(i + c - a, H, mode), w[c], cval)
        for d in range(1, c + 1):
            s0 = source_index(i + c - d - a, H, mode)
            s1 = source_index(i + c + d - a, H, mode)
            wt = w[c + d]
            if s0 >= 0 and s1 >= 0:
                r0 = plane[s0]
                r1 = plane[s1]
                for j in range(dst.shape[0]):
                    dst[j] += wt * ((z + r0[j]) + r1[j])
            else:
                _add_row(dst, plane, s0, wt, cval)
                _add_row(dst, plane, s1, wt, cval)
    else:
        for t in range(k):
            _add_row(dst, plane, source_index(i + t - a, H, mode), w[t], cval)


@njit(**INLINED)
def _centre_pass(dst, wc, xc, w0, a0, b0, w1, a1, b1, w2, a2, b2, w3, a3, b3, cnt):
    """dst[j] = wc * xc[j] + the first ``cnt`` (0-4) of wt * (a[j] + b[j]): the centre tap and up to four folded
    pairs of a symmetric kernel in one pass. The rows are float (a ring of converted rows, a padded line):
    no ``0 + x`` promotion, which LLVM cannot drop (0.0 + -0.0 is +0.0) and which cost an add per load."""
    m = dst.shape[0]
    if cnt == 4:
        for j in range(m):
            dst[j] = ((wc * xc[j] + w0 * (a0[j] + b0[j])) + w1 * (a1[j] + b1[j])) + (
                w2 * (a2[j] + b2[j]) + w3 * (a3[j] + b3[j]))
    elif cnt == 3:
        for j in range(m):
            dst[j] = (wc * xc[j] + w0 * (a0[j] + b0[j])) + (w1 * (a1[j] + b1[j]) + w2 * (a2[j] + b2[j]))
    elif cnt == 2:
        for j in range(m):
            dst[j] = (wc * xc[j] + w0 * (a0[j] + b0[j])) + w1 * (a1[j] + b1[j])
    elif cnt == 1:
        for j in range(m):
            dst[j] = wc * xc[j] + w0 * (a0[j] + b0[j])
    else:
        for j in range(m):
            dst[j] = wc * xc[j]


@njit(**INLINED)
def _pairs_pass(dst, w0, a0, b0, w1, a1, b1, w2, a2, b2, w3, a3, b3, cnt):
    """dst[j] += the first ``cnt`` (1-4) of wt * (a[j] + b[j]) (float rows, as ``_centre_pass``): four folded
    pairs per load and store of the accumulator (against one: 9 passes over it for a sigma 2 Gaussian)."""
    m = dst.shape[0]
    if cnt == 4:
        for j in range(m):
            dst[j] += (w0 * (a0[j] + b0[j]) + w1 * (a1[j] + b1[j])) + (w2 * (a2[j] + b2[j]) + w3 * (a3[j] + b3[j]))
    elif cnt == 3:
        for j in range(m):
            dst[j] += (w0 * (a0[j] + b0[j]) + w1 * (a1[j] + b1[j])) + w2 * (a2[j] + b2[j])
    elif cnt == 2:
        for j in range(m):
            dst[j] += w0 * (a0[j] + b0[j]) + w1 * (a1[j] + b1[j])
    else:
        for j in range(m):
            dst[j] += w0 * (a0[j] + b0[j])


@njit(**SERIAL)
def _folded_line(line, w, out):
    """out[j] = sum_t w[t] * line[j + t] for a symmetric ``w`` (odd length 2c + 1; ``line`` has out.size + 2c
    items): the centre and four folded pairs, then four pairs per pass over a chunk of CHUNK columns (one
    load and store of the accumulator per four pairs: sigma 2 (c = 8) takes two passes, 0.68 ns per pixel at
    2048 columns, against 0.87 for the centre and three pairs first (three passes) and 1.0 for
    ``_line_taps``). The order of the sum is free here: ``separable_2d_checked``'s error bound holds for any."""
    n = out.shape[0]
    c = w.shape[0] // 2
    for j0 in range(0, n, CHUNK):
        m = min(CHUNK, n - j0)
        o = out[j0:j0 + m]
        x = line[j0 + c:j0 + c + m]
        e0, e1, e2, e3 = min(1, c), min(2, c), min(3, c), min(4, c)
        _centre_pass(o, w[c], x, w[c + e0], line[j0 + c - e0:j0 + c - e0 + m], line[j0 + c + e0:j0 + c + e0 + m],
                     w[c + e1], line[j0 + c - e1:j0 + c - e1 + m], line[j0 + c + e1:j0 + c + e1 + m],
                     w[c + e2], line[j0 + c - e2:j0 + c - e2 + m], line[j0 + c + e2:j0 + c + e2 + m], w[c + e3],
                     line[j0 + c - e3:j0 + c - e3 + m], line[j0 + c + e3:j0 + c + e3 + m], e3)
        for d in range(5, c + 1, 4):
            cnt = min(4, c + 1 - d)
            e0, e1, e2, e3 = d, min(d + 1, c), min(d + 2, c), min(d + 3, c)
            _pairs_pass(o, w[c + e0], line[j0 + c - e0:j0 + c - e0 + m], line[j0 + c + e0:j0 + c + e0 + m],
                        w[c + e1], line[j0 + c - e1:j0 + c - e1 + m], line[j0 + c + e1:j0 + c + e1 + m],
                        w[c + e2], line[j0 + c - e2:j0 + c - e2 + m], line[j0 + c + e2:j0 + c + e2 + m],
                        w[c + e3], line[j0 + c - e3:j0 + c - e3 + m], line[j0 + c + e3:j0 + c + e3 + m], cnt)


@njit(**SERIAL)
def _int_pair(src, p, e, wv, av, wh, ah, fh, mode, cval_v, cval_h, ring, lists, cur, line0, line1, acc, row0, row1,
              first, second, fresh):
    """Output rows e and e + 1 of plane p (float32, into ``row0``, ``row1``) of the 2-D separable correlation
    of an integer ``src`` (uint8/uint16) with float32 ``wv``, ``wh``: the vertical pass two rows at a time,
    then the horizontal pass of each row wanted (``first``, ``second``; four folded pairs per sweep,
    ``_folded_line``, for a symmetric ``wh``: ``fh``).

    Input row position e + t - av (t = 0..k, k = len(wv)) sits converted to float32 in ring row
    (e + t) % (k + 1) (``cval`` rows outside), so each input row is converted once, and the taps both output
    rows read come in one load for both (``_run_taps``; ``lists``: ``_pair_lists`` of the vertical kernel,
    whose offsets are the pair's ring rows t, made ring offsets per pair in ``cur``). ``fresh`` refills every
    row (a range's or a plane's first pair), else rows e + k - 1 - av and e + k - av enter. 2048^2 uint8,
    sigma 2: the vertical pass 0.92 -> 0.57 ns per pixel against one row of four folded pairs a pass.
    """
    H = src.shape[1]
    W = src.shape[2]
    k = wv.shape[0]
    R = k + 1
    rows, wa, wb, starts, runs = lists
    for t in range(0 if fresh else k - 1, k + 1):
        s = source_index(e + t - av, H, mode)
        dst = ring[(e + t) % R]
        if s < 0:
            dst[:] = cval_v
        else:
            _fill_line(src[p, s], dst, 0, mode, cval_v)
    for t in range(rows.shape[0]):
        cur[t] = ((e + rows[t]) % R) * W
    flat = ring.reshape(-1)
    mid0 = line0[ah:ah + W]
    mid1 = line1[ah:ah + W]
    for j0 in range(0, W, DIRECT_CHUNK):
        m = min(DIRECT_CHUNK, W - j0)
        a = mid0[j0:j0 + m]
        c = mid1[j0:j0 + m]
        _run_taps(a, c, flat, j0, cur, wa, wb, starts, runs, m)
    if first:
        _horizontal(line0, ah, W, mode, cval_h, wh, fh, acc, row0, acc[:0])
    if second:
        _horizontal(line1, ah, W, mode, cval_h, wh, fh, acc, row1, acc[:0])


@njit(**SERIAL)
def _vertical_lists(wv):
    """``_pair_lists`` of a vertical kernel ``wv`` (one column, rows t = 0..k-1): the offsets are the pair's
    ring rows 0..k."""
    k = wv.shape[0]
    return _pair_lists(np.arange(k), np.zeros(k, np.int64), wv, k, 1, 1, 1)


@njit(**SERIAL)
def _offset_scratch(lists):
    """The per-pair ring offsets of ``_int_pair`` (one per tap entry)."""
    return np.empty(lists[0].shape[0], np.int64)


@njit(**SERIAL)
def _pairs_2d(src, wv, av, wh, ah, mode, cval_v, cval_h, out, q0, q1):
    """Rows q0..q1 (flattened P*H) of the 2-D separable correlation into a float32 ``out``, two rows per
    vertical pass (``_int_pair``). Rows pair by their parity within the plane, and a row whose partner lies
    outside the range is computed as part of its pair: the same values for any bands."""
    H = src.shape[1]
    W = src.shape[2]
    k = wv.shape[0]
    line0 = np.empty(W + wh.shape[0] - 1, wv.dtype)
    line1 = np.empty(W + wh.shape[0] - 1, wv.dtype)
    acc = np.empty(min(CHUNK, W), wv.dtype)
    spare = np.empty(W, out.dtype)
    ring = np.empty((k + 1, W), wv.dtype)
    lists = _vertical_lists(wv)
    cur = _offset_scratch(lists)
    fh = _symmetric(wh)
    q = q0
    while q < q1:
        p = q // H
        i0 = q - p * H
        i1 = min(H, i0 + q1 - q)
        e = i0 - (i0 & 1)
        while e < i1:
            first = e >= i0
            second = e + 1 < i1
            _int_pair(src, p, e, wv, av, wh, ah, fh, mode, cval_v, cval_h, ring, lists, cur, line0, line1, acc,
                      out[p, e] if first else spare, out[p, e + 1] if second else spare, first, second,
                      e == i0 - (i0 & 1))
            e += 2
        q += i1 - i0


@njit(**SERIAL)
def separable_2d_int(src, wv, av, wh, ah, mode, cval_v, cval_h, out, q0, q1):
    """``separable_2d`` of a uint8/uint16 image into a float32 ``out`` with float32 weights, two rows per pass
    (``_pairs_2d``: each input row converted once into a ring of float32 rows, the vertical taps of both rows
    from one load)."""
    _pairs_2d(src, wv, av, wh, ah, mode, cval_v, cval_h, out, q0, q1)


@njit(**SERIAL)
def _check_row(src, p, i, row, o, wv64, av, wh64, ah, fv, fh, mode, cval_v, cval_h, lo, hi, clip, e32, k32, ridx,
               cols):
    """Output row i of plane p of ``separable_2d_checked``: the float32 ``row`` rounded into ``o``, and the
    pixels within the error bound of a tie recomputed in float64 (``_pixel_value``; ``_pixel_value_inside``
    where the window is inside)."""
    H = src.shape[1]
    W = src.shape[2]
    plane = src[p]
    half = np.float32(0.5)
    inside = fv
    for t in range(ridx.shape[0]):
        ridx[t] = source_index(i + t - av, H, mode)
        inside = inside and ridx[t] >= 0
    for j0 in range(0, W, 128):  # chunks of 128: the store and a vectorised "any near a tie" (a boolean
        x = row[j0:min(W, j0 + 128)]  # or; an int64 count took 1.7x as long), a scalar look only where
        oc = o[j0:min(W, j0 + 128)]  # it found one
        near = False
        if clip:
            for j in range(x.shape[0]):
                v = x[j]
                near |= abs(v - np.floor(v) - half) <= e32
                r = np.rint(v)
                r = lo if r < lo else r
                oc[j] = hi if r > hi else r
        else:
            for j in range(x.shape[0]):
                v = x[j]
                near |= abs(v - np.floor(v) - half) <= k32 * (v + e32)
                oc[j] = np.int32(np.rint(v))  # fptosi: a float -> uint8 store costs more
        if not near:
            continue
        for j in range(x.shape[0]):
            v = x[j]
            if abs(v - np.floor(v) - half) <= (e32 if clip else k32 * (v + e32)):
                x0 = j0 + j - ah
                if inside and fh and x0 >= 0 and x0 + wh64.shape[0] <= W:
                    r = np.rint(_pixel_value_inside(plane, wv64, ridx, wh64, x0, cols))
                else:
                    r = np.rint(_pixel_value(plane, wv64, ridx, fv, wh64, fh, ah, mode, cval_v, cval_h, j0 + j))
                r = lo if r < lo else r
                o[j0 + j] = hi if r > hi else r


@njit(**SERIAL)
def _checked_rows(src, wv, av, wh, ah, mode, cval_v, cval_h, bounds, out, q0, q1, line0, line1, acc, row0, row1,
                  wv64, wh64, eps):
    """Rows q0..q1 of ``separable_2d_checked``, two rows per pass (``_int_pair``), each checked on its own
    (``_check_row``)."""
    H = src.shape[1]
    W = src.shape[2]
    k = wv.shape[0]
    lo = bounds[0]
    hi = bounds[1]
    fv = _symmetric(wv64)
    fh = _symmetric(wh64)
    ridx = np.empty(wv64.shape[0], np.int64)
    cols = np.empty(wh64.shape[0])
    ring = np.empty((k + 1, W), wv.dtype)
    lists = _vertical_lists(wv)
    cur = _offset_scratch(lists)
    # no clipping (25-40 % of the store) where every result is a convex combination of bytes and a cval in
    # range: non-negative weights of sums whose product is at most 1 (+ float slack, still rounding into range)
    convex = src.itemsize == 1 and lo <= 0 and hi >= 255 and 0 <= cval_v <= 255
    for t in range(wv64.shape[0]):
        convex = convex and wv64[t] >= 0
    for t in range(wh64.shape[0]):
        convex = convex and wh64[t] >= 0
    clip = not (convex and wv64.sum() * wh64.sum() <= 1.000001)
    # ``eps`` bounds the error for any pixel (255 sum|wv| sum|wh| times a factor k); a convex pixel's error is
    # at most k times its exact value (the same bound with the pixel's own sums), so k (v + eps) is its own
    # bound: half as many float64 recomputations on mid-grey data. float32 throughout (a float64 comparison
    # in the loop halves its lanes), rounded up by 0.1 %.
    e32 = np.float32(eps * 1.001)
    k32 = np.float32(0.0)
    if not clip:
        k32 = np.float32(1.001 * eps / (255.0 * wv64.sum() * wh64.sum()))
    q = q0
    while q < q1:
        p = q // H
        i0 = q - p * H
        i1 = min(H, i0 + q1 - q)
        e = i0 - (i0 & 1)
        while e < i1:
            first = e >= i0
            second = e + 1 < i1
            _int_pair(src, p, e, wv, av, wh, ah, fh, mode, cval_v, cval_h, ring, lists, cur, line0, line1, acc,
                      row0, row1, first, second, e == i0 - (i0 & 1))
            if first:
                _check_row(src, p, e, row0, out[p, e], wv64, av, wh64, ah, fv, fh, mode, cval_v, cval_h, lo, hi,
                           clip, e32, k32, ridx, cols)
            if second:
                _check_row(src, p, e + 1, row1, out[p, e + 1], wv64, av, wh64, ah, fv, fh, mode, cval_v, cval_h,
                           lo, hi, clip, e32, k32, ridx, cols)
            e += 2
        q += i1 - i0


@njit(**SERIAL)
def separable_2d_checked(src, wv, av, wh, ah, mode, cval_v, cval_h, bounds, out, wv64, wh64, eps, q0, q1):
    """``separable_2d`` of an integer image into an integer ``out`` (bounds = [lo, hi]) in float32 (``wv``,
    ``wh``; twice the lanes of float64), equal to the float64 kernel's rounded result (``wv64``, ``wh64``).

    ``eps`` bounds |float32 result - float64 result|; a pixel whose float32 value lies within ``eps`` of a
    tie (k + 1/2) is recomputed in float64 by ``_pixel_value`` (the float64 kernel's own operations, so its
    rounding is the float64 kernel's), every other pixel rounds to the same integer either way.
    """
    W = src.shape[2]
    line0 = np.empty(W + wh.shape[0] - 1, wv.dtype)
    line1 = np.empty(W + wh.shape[0] - 1, wv.dtype)
    acc = np.empty(min(CHUNK, W), wv.dtype)
    row0 = np.empty(W, wv.dtype)
    row1 = np.empty(W, wv.dtype)
    _checked_rows(src, wv, av, wh, ah, mode, cval_v, cval_h, bounds, out, q0, q1, line0, line1, acc, row0, row1,
                  wv64, wh64, eps)


@njit(**SERIAL)
def _separable_planes(src, wd, ad, wv, av, wh, ah, mode, cval_d, cval_v, cval_h, bounds, out, q0, q1, plane,
                      line, acc):
    """Output planes q0..q1 (flattened O*D) of ``separable_3d``: the depth pass of one plane into the scratch
    ``plane`` (H*W, working dtype), then the fused 2-D pass of that plane."""
    D = src.shape[1]
    H = out.shape[2]
    W = out.shape[3]
    scratch = plane.reshape((H, W))
    for q in range(q0, q1):
        o = q // D
        i = q - o * D
        if src.itemsize <= 2 and wd.itemsize == 4:  # uint8/uint16 in float32: each sample converted before
            # the pair is added (int64 pair sums, which AVX2 cannot convert: 96x256^2 sigma 2, 34-40 -> 26-28 ms)
            _vertical_taps_float(src[o], wd, i, ad, mode, cval_d, plane)
        else:
            _vertical_taps(src[o], wd, i, ad, mode, cval_d, plane)
        _separable_plane(scratch, wv, av, wh, ah, mode, cval_v, cval_h, bounds, out[o, i], 0, H, line, acc)


@njit(**SERIAL)
def separable_3d(src, wd, ad, wv, av, wh, ah, mode, cval_d, cval_v, cval_h, bounds, out, q0, q1):
    """out[o] = 3-D correlation of the volume src[o] with wd (axis 1), wv (axis 2) and wh (axis 3).

    ``src`` is (O, D, H*W) (the planes flattened), ``out`` is (O, D, H, W). Each output plane is made from
    a depth pass into one plane of scratch in the working dtype (the dtype of ``wd``) and the fused 2-D pass
    of ``separable_2d``, so no intermediate volume is allocated. ``cval_d``, ``cval_v``, ``cval_h``: the
    values outside for the three passes (cval, cval * sum(wd), cval * sum(wd) * sum(wv)).
    """
    H = out.shape[2]
    W = out.shape[3]
    plane = np.empty(H * W, wd.dtype)
    line = np.empty(W + wh.shape[0] - 1, wd.dtype)
    acc = np.empty(min(CHUNK, W), wd.dtype)
    _separable_planes(src, wd, ad, wv, av, wh, ah, mode, cval_d, cval_v, cval_h, bounds, out, q0, q1, plane,
                      line, acc)


@njit(**SERIAL)
def correlate_axis(src, w, a, mode, cval, out):
    """out[o, i, :] = sum_t w[t] * src[o, source_index(i + t - a), :]: a pass along the middle axis of
    (O, N, I) arrays, vectorised along the last axis; ``out`` has the dtype of ``w``."""
    for o in range(src.shape[0]):
        for i in range(src.shape[1]):
            _vertical_taps(src[o], w, i, a, mode, cval, out[o, i])


# -- direct (non-separable) correlation, two output rows per pass -----------------------------------------


@njit(**SERIAL)
def _ring_fill(src, sp, s, ring, d, slot, R, aw, mode, cval):
    """Padded input row s of source plane sp (-1 or s < 0: all ``cval``) into ring slot ``slot`` of kernel plane
    d and into its twin ``slot + R`` (the doubled ring of R rows keeps the rows a pass reads consecutive)."""
    line = ring[d, slot]
    if sp < 0 or s < 0:
        line[:] = cval
    else:
        _fill_line(src[sp, s], line, aw, mode, cval)
    twin = ring[d, slot + R]
    for j in range(line.shape[0]):
        twin[j] = line[j]


@njit(**SERIAL, fastmath={"contract"})
def _list_into(a, flat, b, off, w, m):
    """a[j] += sum_t w[t] * flat[b + off[t] + j] for j < m, taps in groups of four, two and one (one load and
    store of the accumulator per group), added one after the other (fused multiply-adds)."""
    n = off.shape[0]
    t = 0
    while t + 4 <= n:
        x0 = flat[b + off[t]:b + off[t] + m]
        x1 = flat[b + off[t + 1]:b + off[t + 1] + m]
        x2 = flat[b + off[t + 2]:b + off[t + 2] + m]
        x3 = flat[b + off[t + 3]:b + off[t + 3] + m]
        w0 = w[t]
        w1 = w[t + 1]
        w2 = w[t + 2]
        w3 = w[t + 3]
        for j in range(m):
            a[j] = (((a[j] + w0 * x0[j]) + w1 * x1[j]) + w2 * x2[j]) + w3 * x3[j]
        t += 4
    if t + 2 <= n:
        x0 = flat[b + off[t]:b + off[t] + m]
        x1 = flat[b + off[t + 1]:b + off[t + 1] + m]
        w0 = w[t]
        w1 = w[t + 1]
        for j in range(m):
            a[j] = (a[j] + w0 * x0[j]) + w1 * x1[j]
        t += 2
    if t < n:
        x0 = flat[b + off[t]:b + off[t] + m]
        w0 = w[t]
        for j in range(m):
            a[j] += w0 * x0[j]


@njit(**SERIAL, fastmath={"contract"})
def _both_into(a, c, flat, b, off, wa, wc, m):
    """The taps two output rows share: each input element read once feeds both accumulators (a with weights
    wa, c with wc), in groups of four, two and one, added one after the other (fused multiply-adds: the same
    sequence of roundings as ``_list_into`` for the same taps)."""
    n = off.shape[0]
    t = 0
    while t + 4 <= n:
        x0 = flat[b + off[t]:b + off[t] + m]
        x1 = flat[b + off[t + 1]:b + off[t + 1] + m]
        x2 = flat[b + off[t + 2]:b + off[t + 2] + m]
        x3 = flat[b + off[t + 3]:b + off[t + 3] + m]
        a0 = wa[t]
        a1 = wa[t + 1]
        a2 = wa[t + 2]
        a3 = wa[t + 3]
        c0 = wc[t]
        c1 = wc[t + 1]
        c2 = wc[t + 2]
        c3 = wc[t + 3]
        for j in range(m):
            v0 = x0[j]
            v1 = x1[j]
            v2 = x2[j]
            v3 = x3[j]
            a[j] = (((a[j] + a0 * v0) + a1 * v1) + a2 * v2) + a3 * v3
            c[j] = (((c[j] + c0 * v0) + c1 * v1) + c2 * v2) + c3 * v3
        t += 4
    if t + 2 <= n:
        x0 = flat[b + off[t]:b + off[t] + m]
        x1 = flat[b + off[t + 1]:b + off[t + 1] + m]
        a0 = wa[t]
        a1 = wa[t + 1]
        c0 = wc[t]
        c1 = wc[t + 1]
        for j in range(m):
            v0 = x0[j]
            v1 = x1[j]
            a[j] = (a[j] + a0 * v0) + a1 * v1
            c[j] = (c[j] + c0 * v0) + c1 * v1
        t += 2
    if t < n:
        x0 = flat[b + off[t]:b + off[t] + m]
        a0 = wa[t]
        c0 = wc[t]
        for j in range(m):
            v0 = x0[j]
            a[j] += a0 * v0
            c[j] += c0 * v0


@njit(**SERIAL)
def _pair_rows(src, planes, off, wa, wb, starts, runs, KH, ah, aw, mode, cval, bounds, out, q0, q1, ring, acc0,
               acc1):
    """Rows q0..q1 of the flattened output rows of ``correlate_direct``, two rows (e, e + 1), e even within its
    plane, per pass over KH + 1 input rows.

    ``ring[d, slot]`` (``2 R`` slots per kernel plane d, R = KH + 1) holds input row e + r - ah of source plane
    planes[p, d] in slot (e + r) % R and its twin (e + r) % R + R, so a pair reads the consecutive slots
    e % R .. e % R + KH. A row the range holds without its partner is computed as part of its pair and the
    partner is dropped: every output row sums its taps in the same order wherever the bands split, so a
    threaded run equals a serial one bit for bit.
    """
    H = src.shape[1]
    W = src.shape[2]
    KD = planes.shape[1]
    R = KH + 1
    Wp = ring.shape[2]
    flat = ring.reshape(-1)
    C = acc0.shape[0]
    q = q0
    while q < q1:
        p = q // H
        i0 = q - p * H
        i1 = min(H, i0 + q1 - q)
        e = i0 - (i0 & 1)
        for d in range(KD):
            for r in range(KH - 1):
                _ring_fill(src, planes[p, d], source_index(e + r - ah, H, mode), ring, d, (e + r) % R, R, aw,
                           mode, cval)
        while e < i1:
            for d in range(KD):
                for r in range(KH - 1, KH + 1):
                    _ring_fill(src, planes[p, d], source_index(e + r - ah, H, mode), ring, d, (e + r) % R, R,
                               aw, mode, cval)
            base = (e % R) * Wp
            first = e >= i0
            second = e + 1 < i1
            for j0 in range(0, W, C):
                m = min(C, W - j0)
                a = acc0[:m]
                c = acc1[:m]
                _run_taps(a, c, flat, base + j0, off, wa, wb, starts, runs, m)
                if first:
                    _store(a, out[p, e, j0:j0 + m], bounds)
                if second:
                    _store(c, out[p, e + 1, j0:j0 + m], bounds)
            e += 2
        q += i1 - i0


@njit(**SERIAL)
def _pair_lists(tap_dr, tap_c, tap_w, KH, KD, KW, Wp):
    """The taps of ``_pair_rows`` in ring order: (offsets, first-row weights, second-row weights, run starts,
    run kinds). Tap (kernel plane d, row r, column c) of the first row of a pair reads ring offset
    (d * 2 (KH + 1) + r) * Wp + c, the second row's one ring row (Wp) further on. Each ring position read by
    either row is one entry, in ring order, so each row meets its own taps in kernel order (plane, row,
    column); consecutive entries of one kind form a run: kind 0 both rows read it (one load feeds two
    multiply-adds), 1 only the first, 2 only the second (the weight of the other row is 0 and unused).
    Membership, not the weight, decides the kind: a weight that rounds to 0 in the working dtype still
    multiplies (0 * inf is NaN wherever it falls). Runs start at ``starts[k]`` and end at ``starts[k + 1]``.
    """
    R = KH + 1
    w0 = np.zeros((KD, R, KW), tap_w.dtype)
    w1 = np.zeros((KD, R, KW), tap_w.dtype)
    in0 = np.zeros((KD, R, KW), np.bool_)
    in1 = np.zeros((KD, R, KW), np.bool_)
    for t in range(tap_w.shape[0]):
        d = tap_dr[t] // KH
        r = tap_dr[t] - d * KH
        c = tap_c[t]
        w0[d, r, c] = tap_w[t]
        in0[d, r, c] = True
        w1[d, r + 1, c] = tap_w[t]
        in1[d, r + 1, c] = True
    n = 0
    for d in range(KD):
        for r in range(R):
            for c in range(KW):
                n += in0[d, r, c] or in1[d, r, c]
    off = np.empty(n, np.int64)
    wa = np.empty(n, tap_w.dtype)
    wb = np.empty(n, tap_w.dtype)
    kinds = np.empty(n, np.int64)
    n = 0
    for d in range(KD):
        for r in range(R):
            for c in range(KW):
                if in0[d, r, c] or in1[d, r, c]:
                    off[n] = (d * 2 * R + r) * Wp + c
                    wa[n] = w0[d, r, c]
                    wb[n] = w1[d, r, c]
                    kinds[n] = 0 if in0[d, r, c] and in1[d, r, c] else (1 if in0[d, r, c] else 2)
                    n += 1
    nruns = 0
    for t in range(n):
        nruns += t == 0 or kinds[t] != kinds[t - 1]
    starts = np.empty(nruns + 1, np.int64)
    runs = np.empty(nruns, np.int64)
    k = 0
    for t in range(n):
        if t == 0 or kinds[t] != kinds[t - 1]:
            starts[k] = t
            runs[k] = kinds[t]
            k += 1
    starts[nruns] = n
    return off, wa, wb, starts, runs


@njit(**SERIAL)
def _run_taps(a, c, flat, b, off, wa, wb, starts, runs, m):
    """a[j] and c[j] (zeroed here) = the sums of their taps over a chunk of m columns, run by run in ring
    order (``_pair_lists``): each row adds its taps one after the other in kernel order, whether it is the
    first or the second row of its pair, so a row's value does not depend on where the pairs fall (a crop, a
    band, a chunk of a larger image give the same bits)."""
    for j in range(m):
        a[j] = 0
        c[j] = 0
    for k in range(runs.shape[0]):
        t0 = starts[k]
        t1 = starts[k + 1]
        if runs[k] == 0:
            _both_into(a, c, flat, b, off[t0:t1], wa[t0:t1], wb[t0:t1], m)
        elif runs[k] == 1:
            _list_into(a, flat, b, off[t0:t1], wa[t0:t1], m)
        else:
            _list_into(c, flat, b, off[t0:t1], wb[t0:t1], m)


@njit(**SERIAL)
def correlate_direct(src, planes, tap_dr, tap_c, tap_w, KH, ah, aw, KW, mode, cval, bounds, out, q0, q1):
    """Direct correlation of a plane stack with an n-D kernel given as its nonzero taps, two output rows per
    pass: an input row read once feeds both rows' taps (7x7 float32: 28 loads of the input per output pixel
    instead of 49; single-threaded 4096^2 46 -> 36 ms, 2048^2 11.3 -> 8.6 ms against one row per pass, this
    machine). Fused multiply-adds (fastmath "contract" in the tap helpers) round each tap's product and sum
    once.

    src (S, H, W) input planes; out (P, H, W); planes (P, KD): the source plane each output plane reads for
    kernel plane d (-1: outside, all ``cval``). Tap t sits at kernel plane and row ``tap_dr[t] = d * KH + r``
    and column ``tap_c[t]``, with weight ``tap_w[t]`` (the working dtype). Anchors: ``ah`` (rows), ``aw``
    (columns). ``out`` may be an integer array (``bounds``: see ``_store``).
    """
    W = src.shape[2]
    Wp = W + KW - 1
    off, wa, wb, starts, runs = _pair_lists(tap_dr, tap_c, tap_w, KH, planes.shape[1], KW, Wp)
    ring = np.empty((planes.shape[1], 2 * (KH + 1), Wp), tap_w.dtype)
    acc0 = np.empty(min(DIRECT_CHUNK, W), tap_w.dtype)
    acc1 = np.empty(min(DIRECT_CHUNK, W), tap_w.dtype)
    _pair_rows(src, planes, off, wa, wb, starts, runs, KH, ah, aw, mode, cval, bounds, out, q0, q1, ring, acc0,
               acc1)


# -- box sums (running sums) -------------------------------------------------------------------------------


@njit(**SERIAL)
def _mean_store(sums, count, o, bounds):
    """o[j] = sums[j] / count, in the dtype of the sums (float32 sums give float32 arithmetic).

    A float ``o`` gets sums * (1 / count): multiplying, not dividing, is 3x faster here (a division per pixel
    bound the loop); for exact sums it is within 1 ulp of the quotient. An integer ``o`` (``bounds`` = [lo,
    hi]) gets rint(sums / count) clipped to [lo, hi], which is the exact rounding (half to even) of the
    rational mean when the sums are exact integers below 2**(p - 1) (p = 24 for float32, 53 for float64 and
    int64 sums): a quotient at a tie q + 1/2 is representable, so the division returns it exactly; any other
    quotient is at least 1 / (2 count) from a tie while the division errs by at most 2**-p |sums| / count <
    1 / (2 count) (Goldberg 1991, section 1.2, for the correctly rounded division).
    """
    n = o.shape[0]
    if bounds.shape[0] == 0:
        inv = (count / count) / count
        for j in range(n):
            o[j] = sums[j] * inv
        return
    lo = bounds[0]
    hi = bounds[1]
    for j in range(n):
        q = np.rint(sums[j] / count)
        q = lo if q < lo else q
        q = hi if q > hi else q
        o[j] = q


@njit(**SERIAL)
def _running_line(line, k, sums):
    """sums[j] = sum(line[j:j + k]), by running sums in four interleaved segments (four independent add chains
    instead of one: the loop is bound by add latency otherwise). ``line`` has sums.size + k items."""
    n = sums.shape[0]
    L = n // 4
    s0 = line[0] - line[0]
    s1 = s0
    s2 = s0
    s3 = s0
    for t in range(k):
        s0 += line[t]
        s1 += line[L + t]
        s2 += line[2 * L + t]
        s3 += line[3 * L + t]
    a0 = line[:L + k]
    a1 = line[L:2 * L + k]
    a2 = line[2 * L:3 * L + k]
    a3 = line[3 * L:4 * L + k]
    o0 = sums[:L]
    o1 = sums[L:2 * L]
    o2 = sums[2 * L:3 * L]
    o3 = sums[3 * L:4 * L]
    for j in range(L):
        o0[j] = s0
        o1[j] = s1
        o2[j] = s2
        o3[j] = s3
        s0 += a0[j + k] - a0[j]
        s1 += a1[j + k] - a1[j]
        s2 += a2[j + k] - a2[j]
        s3 += a3[j + k] - a3[j]
    for j in range(4 * L, n):
        sums[j] = s3
        s3 += line[j + k] - line[j]


@njit(**SERIAL)
def _summed_line(line, k, sums):
    """sums[j] = sum(line[j:j + k]), summing k shifted views (vectorised; for short windows)."""
    n = sums.shape[0]
    for j in range(n):
        sums[j] = line[j]
    for t in range(1, k):
        x = line[t:t + n]
        for j in range(n):
            sums[j] += x[j]


@njit(**SERIAL)
def _box_plane(plane, kv, av, kh, ah, mode, cval_v, cval_h, count, bounds, out, i0, i1, colsum, line, tmp):
    """Rows i0..i1 of the box mean of one plane (H, W): a running column sum of kv rows updated by one row in
    and one row out, then a horizontal sum of kh of its (extended) values. Returns 1 if the column sums met a
    NaN or inf (the output is then unreliable), else 0: such a value never leaves a running sum (NaN - NaN
    and inf - inf are NaN), so the column sums are checked once, at the end."""
    H = plane.shape[0]
    W = plane.shape[1]
    mid = line[ah:ah + W]
    for j in range(W):
        colsum[j] = 0
    for t in range(kv):
        s = source_index(i0 + t - av, H, mode)
        if s < 0:
            for j in range(W):
                colsum[j] += cval_v
        else:
            row = plane[s]
            for j in range(W):
                colsum[j] += row[j]
    for i in range(i0, i1):
        if i > i0:
            s_in = source_index(i + kv - 1 - av, H, mode)
            s_out = source_index(i - 1 - av, H, mode)
            if s_in >= 0 and s_out >= 0:
                r_in = plane[s_in]
                r_out = plane[s_out]
                for j in range(W):
                    colsum[j] = (colsum[j] + r_in[j]) - r_out[j]
            elif s_in >= 0:
                r_in = plane[s_in]
                for j in range(W):
                    colsum[j] = (colsum[j] + r_in[j]) - cval_v
            elif s_out >= 0:
                r_out = plane[s_out]
                for j in range(W):
                    colsum[j] = (colsum[j] + cval_v) - r_out[j]
        for j in range(W):
            mid[j] = colsum[j]
        _extend_line(line[:W + kh - 1], ah, W, mode, cval_h)
        # short windows: k vectorised adds beat the scalar running sums (serial, 2048^2, float32 / uint8:
        # 3x3 2.6 / 1.5 ms against 3.0 / 2.5 ms; even at k = 5 for float32, at 7 for uint8)
        if kh <= 5:
            _summed_line(line, kh, tmp)
        else:
            _running_line(line, kh, tmp)
        _mean_store(tmp, count, out[i], bounds)
    for j in range(W):
        if colsum[j] - colsum[j] != 0:
            return 1
    return 0


@njit(**SERIAL)
def _box_rows(src, kv, av, kh, ah, mode, cval_v, cval_h, count, bounds, out, q0, q1, colsum, line, tmp):
    """Rows q0..q1 of the flattened output rows of ``box_2d``; returns the number of planes (or parts of
    planes) whose sums met a NaN or inf."""
    H = src.shape[1]
    bad = 0
    q = q0
    while q < q1:
        p = q // H
        i0 = q - p * H
        i1 = min(H, i0 + q1 - q)
        bad += _box_plane(src[p], kv, av, kh, ah, mode, cval_v, cval_h, count, bounds, out[p], i0, i1, colsum,
                          line, tmp)
        q += i1 - i0
    return bad


@njit(**SERIAL)
def box_2d(src, kv, av, kh, ah, mode, cval_v, cval_h, count, bounds, out, proto, q0, q1):
    """out[p, i, j] = (sum of the kv x kh window of src[p] anchored at (av, ah)) / count.

    Sums are kept in the dtype of ``proto`` (an empty array): float32 for uint8/uint16 images whose sums stay
    below 2**23 (exact, and twice as many lanes as int64), int64 for other unsigned images (exact), float64
    otherwise; ``cval_v`` (the value outside for the column sums), ``cval_h`` (for the row sums of column
    sums, ``cval_v * kv``) and ``count`` come in that dtype. ``out`` may be an integer array (``bounds``: the
    exact rounding of ``_mean_store``). Returns the number of planes (or blocks of rows) whose sums met a NaN
    or inf.
    """
    W = src.shape[2]
    colsum = np.empty(W, proto.dtype)
    line = np.zeros(W + kh, proto.dtype)
    tmp = np.empty(W, proto.dtype)
    return _box_rows(src, kv, av, kh, ah, mode, cval_v, cval_h, count, bounds, out, q0, q1, colsum, line, tmp)


# -- box sums in one fused pass per row: exact integer sums of any size, short float32 windows ---------------


@njit(**INLINED)
def _group_sum(a, x0, x1, x2, x3, cnt, first):
    """a[j] = (or += when not ``first``) the sum of the first ``cnt`` (1-4) of x0[j], x1[j], x2[j], x3[j]:
    four rows or shifted views per pass over ``a`` (one load and store of the accumulator for four adds)."""
    m = a.shape[0]
    # the sums are float32 (uint8 + uint8 would be an int64: see _vertical_taps_float); -0.0, not 0.0: LLVM
    # drops x + -0.0 (x's own value for every x), while x + 0.0 turns -0.0 into 0.0 and costs an add per load
    z = np.float32(-0.0)
    if first:
        if cnt == 4:
            for j in range(m):
                a[j] = ((z + x0[j]) + x1[j]) + ((z + x2[j]) + x3[j])
        elif cnt == 3:
            for j in range(m):
                a[j] = ((z + x0[j]) + x1[j]) + x2[j]
        elif cnt == 2:
            for j in range(m):
                a[j] = (z + x0[j]) + x1[j]
        else:
            for j in range(m):
                a[j] = z + x0[j]
    else:
        if cnt == 4:
            for j in range(m):
                a[j] += ((z + x0[j]) + x1[j]) + ((z + x2[j]) + x3[j])
        elif cnt == 3:
            for j in range(m):
                a[j] += ((z + x0[j]) + x1[j]) + x2[j]
        elif cnt == 2:
            for j in range(m):
                a[j] += (z + x0[j]) + x1[j]
        else:
            for j in range(m):
                a[j] += x0[j]


@njit(**SERIAL)
def _column_sums(plane, i, a, k, mode, cval, ridx, dst):
    """dst[j] = sum_{t<k} plane[source_index(i + t - a), j], the rows outside ('constant') adding ``cval``
    each, once at the end; the rows in the image are added four per pass (``_group_sum``)."""
    H = plane.shape[0]
    n_in = 0
    for t in range(k):
        s = source_index(i + t - a, H, mode)
        if s >= 0:
            ridx[n_in] = s
            n_in += 1
    if n_in == 0:
        for j in range(dst.shape[0]):
            dst[j] = 0
    for g in range(0, n_in, 4):
        cnt = min(4, n_in - g)
        x0 = plane[ridx[g]]
        x1 = plane[ridx[g + 1]] if cnt > 1 else x0
        x2 = plane[ridx[g + 2]] if cnt > 2 else x0
        x3 = plane[ridx[g + 3]] if cnt > 3 else x0
        _group_sum(dst, x0, x1, x2, x3, cnt, g == 0)
    if n_in < k:
        c = cval * (k - n_in)
        for j in range(dst.shape[0]):
            dst[j] += c


@njit(**SERIAL)
def _shifted_sums(x, k, a):
    """a[j] = sum(x[j:j + k - 1]) for j < a.size, four shifted views per pass (short windows); returns the
    view x[k - 1:k - 1 + a.size] of the last term, which ``_box_store`` adds as it writes."""
    m = a.shape[0]
    if k == 1:
        for j in range(m):
            a[j] = 0
    for g in range(0, k - 1, 4):
        cnt = min(4, k - 1 - g)
        x0 = x[g:g + m]
        x1 = x[g + 1:g + 1 + m] if cnt > 1 else x0
        x2 = x[g + 2:g + 2 + m] if cnt > 2 else x0
        x3 = x[g + 3:g + 3 + m] if cnt > 3 else x0
        _group_sum(a, x0, x1, x2, x3, cnt, g == 0)
    return x[k - 1:k - 1 + m]


@njit(**SERIAL)
def _pair_sums(src, p, dst):
    """dst[j] = src[j] + src[j + p] for j < dst.size (a view, not src[j + p]: see the module notes)."""
    s1 = src[p:p + dst.shape[0]]
    for j in range(dst.shape[0]):
        dst[j] = src[j] + s1[j]


@njit(**SERIAL)
def _doubling_sums(x, k, a, b0, b1):
    """a[j] + v[j] = sum(x[j:j + k]) for j < a.size (``x`` has a.size + k - 1 items), for sums that are exact
    in any order (integers below 2**24 in float32); returns v, the view of the last block, which
    ``_box_store`` adds as it writes.

    Sums of p = 2, 4, 8, ... neighbours are built by doubling, c_2p[j] = c_p[j] + c_p[j + p], in the ping-pong
    buffers b0, b1, and the block of each set bit of k is added at its offset: floor(log2 k) + popcount(k) - 1
    vectorised passes instead of k - 1 (k = 25: 6 against 24) or a serial running sum along the row (the
    block decomposition of van Herk 1992 / Gil & Werman 1993 for sliding-window operators, applied to sums).
    """
    m = a.shape[0]
    top = 1
    while 2 * top <= k:
        top *= 2
    if top == k:
        for j in range(m):
            a[j] = 0
    first = True
    off = 0
    if k & 1 and top > 1:
        v = x[0:m]
        for j in range(m):
            a[j] = v[j]
        first = False
        off = 1
    if top == 1:
        return x[0:m]
    _pair_sums(x, 1, b0[:m + k - 2])
    cur = b0
    p = 2
    flip = 0
    while p < top:
        if k & p:
            v = cur[off:off + m]
            if first:
                for j in range(m):
                    a[j] = v[j]
            else:
                for j in range(m):
                    a[j] += v[j]
            first = False
            off += p
        nxt = b1 if flip == 0 else b0
        _pair_sums(cur, p, nxt[:m + k - 2 * p])
        cur = nxt
        flip ^= 1
        p *= 2
    return cur[off:off + m]


@njit(**SERIAL)
def _factor(k):
    """The largest divisor f <= 8 of k with f * f <= k (1 if none): ``_block_sums``' block length."""
    f = 1
    d = 2
    while d <= 8 and d * d <= k:
        if k % d == 0:
            f = d
        d += 1
    return f


@njit(**INLINED)
def _window_sums(x, f, s):
    """s[j] = x[j] + ... + x[j + f - 1] for j < s.size, 2 <= f <= 8, in one pass (the sums of ``_block_sums``;
    exact where they are used: integers below 2**24 in float32)."""
    n = s.shape[0]
    x0 = x[0:n]
    x1 = x[1:1 + n]
    x2 = x[min(2, f - 1):min(2, f - 1) + n]
    x3 = x[min(3, f - 1):min(3, f - 1) + n]
    x4 = x[min(4, f - 1):min(4, f - 1) + n]
    x5 = x[min(5, f - 1):min(5, f - 1) + n]
    x6 = x[min(6, f - 1):min(6, f - 1) + n]
    x7 = x[min(7, f - 1):min(7, f - 1) + n]
    if f == 2:
        for j in range(n):
            s[j] = x0[j] + x1[j]
    elif f == 3:
        for j in range(n):
            s[j] = (x0[j] + x1[j]) + x2[j]
    elif f == 4:
        for j in range(n):
            s[j] = (x0[j] + x1[j]) + (x2[j] + x3[j])
    elif f == 5:
        for j in range(n):
            s[j] = ((x0[j] + x1[j]) + (x2[j] + x3[j])) + x4[j]
    elif f == 6:
        for j in range(n):
            s[j] = ((x0[j] + x1[j]) + (x2[j] + x3[j])) + (x4[j] + x5[j])
    elif f == 7:
        for j in range(n):
            s[j] = ((x0[j] + x1[j]) + (x2[j] + x3[j])) + ((x4[j] + x5[j]) + x6[j])
    else:
        for j in range(n):
            s[j] = ((x0[j] + x1[j]) + (x2[j] + x3[j])) + ((x4[j] + x5[j]) + (x6[j] + x7[j]))


@njit(**INLINED)
def _block_sums(x, k, f, a, s):
    """``_doubling_sums`` for k = f * b (2 <= f <= 8 a divisor of k, ``_factor``): the sums of f neighbours
    s[j] = x[j] + ... + x[j + f - 1] in one pass, then a[j] = s[j] + s[j + f] + ... + s[j + (b - 2) f] (four a
    pass); returns the view s[(b - 1) f:] of the last block, which ``_box_store`` adds as it writes (the
    two-level decomposition of a box into blocks). k = 25 (5 x 5): two passes before the store against the
    doubling's six (a 512-column row: ~145 against ~240 ns). Exact where the sums are (integers below 2**24
    in float32), as the doubling."""
    m = a.shape[0]
    b = k // f
    _window_sums(x, f, s[:m + (b - 1) * f])
    for g in range(0, b - 1, 4):
        cnt = min(4, b - 1 - g)
        x0 = s[g * f:g * f + m]
        x1 = s[(g + 1) * f:(g + 1) * f + m] if cnt > 1 else x0
        x2 = s[(g + 2) * f:(g + 2) * f + m] if cnt > 2 else x0
        x3 = s[(g + 3) * f:(g + 3) * f + m] if cnt > 3 else x0
        _group_sum(a, x0, x1, x2, x3, cnt, g == 0)
    return s[(b - 1) * f:(b - 1) * f + m]


@njit(**INLINED)
def _box_store(a, v, o, scale, count, divide, bounds, clip):
    """o[j] = (a[j] + v[j]) * scale for a float ``o`` (scale = 1 / count rounded to the sums' dtype:
    ``_mean_store``'s product). An integer ``o`` (``bounds`` = [lo, hi]) gets rint(s / count) if ``divide``,
    else rint(s * scale) with a ``scale`` the wrapper has checked to give the same integer for every possible
    sum s (fastdip.filters._linear._rounding_reciprocal), clipped to [lo, hi] unless ``clip`` is False (every
    mean in range: the wrapper's promise; a 512-column row of uint8 means ~58 -> ~29 ns). Inlined into its
    caller (_config.INLINED): a call with its three array views cost ~10 % of a 512^2 25x25 mean."""
    m = a.shape[0]
    if bounds.shape[0] == 0:
        for j in range(m):
            o[j] = (a[j] + v[j]) * scale
        return
    lo = bounds[0]
    hi = bounds[1]
    if not clip:
        for j in range(m):
            o[j] = np.rint((a[j] + v[j]) * scale)
    elif divide:
        for j in range(m):
            q = np.rint((a[j] + v[j]) / count)
            q = lo if q < lo else q
            q = hi if q > hi else q
            o[j] = q
    else:
        for j in range(m):
            q = np.rint((a[j] + v[j]) * scale)
            q = lo if q < lo else q
            q = hi if q > hi else q
            o[j] = q


@njit(**SERIAL)
def _clip_rint(q, lo, hi):
    q = np.rint(q)
    q = lo if q < lo else q
    return hi if q > hi else q


@njit(**SERIAL)
def _odd_sums_store(x, kh, o, scale, count, divide, bounds, clip):
    """``_shifted_sums`` and ``_box_store`` of a whole row in one pass, for kh = 3, 5 or 7: the same sums in
    the same order (so the same values), without the accumulator's store and reload (5x5 uint8 serial at
    512^2: 140 against 260 us). ``clip`` False: an integer ``o`` takes rint(s * scale) unclipped (the
    caller guarantees every mean is in range and ``scale`` a checked reciprocal; ~15 % faster)."""
    m = o.shape[0]
    x0 = x[0:m]
    x1 = x[1:1 + m]
    x2 = x[2:2 + m]
    x3 = x[min(3, kh - 1):min(3, kh - 1) + m]
    x4 = x[min(4, kh - 1):min(4, kh - 1) + m]
    x5 = x[min(5, kh - 1):min(5, kh - 1) + m]
    x6 = x[min(6, kh - 1):min(6, kh - 1) + m]
    if bounds.shape[0] == 0:
        if kh == 3:
            for j in range(m):
                o[j] = ((x0[j] + x1[j]) + x2[j]) * scale
        elif kh == 5:
            for j in range(m):
                o[j] = (((x0[j] + x1[j]) + (x2[j] + x3[j])) + x4[j]) * scale
        else:
            for j in range(m):
                o[j] = ((((x0[j] + x1[j]) + (x2[j] + x3[j])) + (x4[j] + x5[j])) + x6[j]) * scale
        return
    lo = bounds[0]
    hi = bounds[1]
    if not clip:
        # every mean is in range (the wrapper's promise): rounding only, and the division by a checked reciprocal
        if kh == 3:
            for j in range(m):
                o[j] = np.rint(((x0[j] + x1[j]) + x2[j]) * scale)
        elif kh == 5:
            for j in range(m):
                o[j] = np.rint((((x0[j] + x1[j]) + (x2[j] + x3[j])) + x4[j]) * scale)
        else:
            for j in range(m):
                o[j] = np.rint(((((x0[j] + x1[j]) + (x2[j] + x3[j])) + (x4[j] + x5[j])) + x6[j]) * scale)
    elif divide:
        if kh == 3:
            for j in range(m):
                o[j] = _clip_rint(((x0[j] + x1[j]) + x2[j]) / count, lo, hi)
        elif kh == 5:
            for j in range(m):
                o[j] = _clip_rint((((x0[j] + x1[j]) + (x2[j] + x3[j])) + x4[j]) / count, lo, hi)
        else:
            for j in range(m):
                o[j] = _clip_rint(((((x0[j] + x1[j]) + (x2[j] + x3[j])) + (x4[j] + x5[j])) + x6[j]) / count, lo,
                                  hi)
    elif kh == 3:
        for j in range(m):
            o[j] = _clip_rint(((x0[j] + x1[j]) + x2[j]) * scale, lo, hi)
    elif kh == 5:
        for j in range(m):
            o[j] = _clip_rint((((x0[j] + x1[j]) + (x2[j] + x3[j])) + x4[j]) * scale, lo, hi)
    else:
        for j in range(m):
            o[j] = _clip_rint(((((x0[j] + x1[j]) + (x2[j] + x3[j])) + (x4[j] + x5[j])) + x6[j]) * scale, lo, hi)


@njit(**SERIAL)
def _box_fused_rows(src, kv, av, kh, ah, mode, cval_v, cval_h, scale, count, divide, running, bounds, clip, out,
                    q0, q1, line, acc, b0, b1, ridx):
    """Rows q0..q1 of the flattened output rows of ``box_2d_fused``."""
    H = src.shape[1]
    W = src.shape[2]
    mid = line[ah:ah + W]
    f = _factor(kh)
    q = q0
    while q < q1:
        p = q // H
        i0 = q - p * H
        i1 = min(H, i0 + q1 - q)
        plane = src[p]
        for i in range(i0, i1):
            if not running or i == i0:
                _column_sums(plane, i, av, kv, mode, cval_v, ridx, mid)
            else:
                s_in = source_index(i + kv - 1 - av, H, mode)
                s_out = source_index(i - 1 - av, H, mode)
                if s_in >= 0 and s_out >= 0:
                    r_in = plane[s_in]
                    r_out = plane[s_out]
                    for j in range(W):
                        mid[j] = (mid[j] + r_in[j]) - r_out[j]
                elif s_in >= 0:
                    r_in = plane[s_in]
                    for j in range(W):
                        mid[j] = (mid[j] + r_in[j]) - cval_v
                elif s_out >= 0:
                    r_out = plane[s_out]
                    for j in range(W):
                        mid[j] = (mid[j] + cval_v) - r_out[j]
            _extend_line(line, ah, W, mode, cval_h)
            o = out[p, i]
            if kh == 3 or kh == 5 or kh == 7:
                _odd_sums_store(line, kh, o, scale, count, divide, bounds, clip)
                continue
            for j0 in range(0, W, acc.shape[0]):
                m = min(acc.shape[0], W - j0)
                a = acc[:m]
                x = line[j0:j0 + m + kh - 1]
                # k - 1 adds (four per pass) against blocks (two passes) or floor(log2 k) + popcount(k) - 1
                # passes of doubling: direct up to 8
                if kh <= 8 or not running:
                    v = _shifted_sums(x, kh, a)
                elif f > 1:
                    v = _block_sums(x, kh, f, a, b0)
                else:
                    v = _doubling_sums(x, kh, a, b0, b1)
                _box_store(a, v, o[j0:j0 + m], scale, count, divide, bounds, clip)
        q += i1 - i0


@njit(**SERIAL)
def box_2d_fused(src, kv, av, kh, ah, mode, cval_v, cval_h, scale, count, divide, running, bounds, clip, out, q0,
                 q1):
    """out[p, i, j] = (sum of the kv x kh window of src[p] anchored at (av, ah)) / count, row by row: the kv
    row sums (``running``: updated by one row in and one out, exact for integer images; else summed directly,
    for float images and short windows: no NaN ever leaves its windows), then the kh sums along the row and
    the store in one pass per chunk of columns.

    Sums are kept in the dtype of ``scale`` (float32: exact for integer images while |sums| < 2**24, and for
    float32 images within (kv + kh - 2) * 2**-24 of sum |f|); ``cval_v`` and ``cval_h`` (= cval * kv) are the
    values outside for the two sums. ``out`` may be float (sums * scale) or integer (``_box_store``; ``clip``
    False: the wrapper guarantees every mean in range, as for ``box_2d_exact``). Every row is written; nothing
    is reported (compare ``box_2d``). Row sums of kh > 8 columns: blocks (``_block_sums``) where kh has a
    divisor from 2 to 8, else doubling (``_doubling_sums``).
    """
    W = src.shape[2]
    line = np.zeros(W + kh - 1, np.float32)
    acc = np.empty(min(CHUNK, W), np.float32)
    b0 = np.empty(min(CHUNK, W) + kh, np.float32)
    b1 = np.empty(min(CHUNK, W) + kh, np.float32)
    ridx = np.empty(kv, np.int64)
    _box_fused_rows(src, kv, av, kh, ah, mode, cval_v, cval_h, scale, count, divide, running, bounds, clip, out, q0,
                    q1, line, acc, b0, b1, ridx)


@njit(**INLINED)
def _u16_sums_round(x, kh, o, scale):
    """o[j] = rint(float32(x[j] + ... + x[j + kh - 1]) * scale) for kh = 3, 5 or 7: the sums in uint16 (sixteen
    lanes; the caller keeps every sum below 2**16, so the wrapped additions are exact), each converted to
    float32 (exactly) and rounded as ``_odd_sums_store`` rounds without clipping, so the same integers."""
    m = o.shape[0]
    x0 = x[0:m]
    x1 = x[1:1 + m]
    x2 = x[2:2 + m]
    x3 = x[min(3, kh - 1):min(3, kh - 1) + m]
    x4 = x[min(4, kh - 1):min(4, kh - 1) + m]
    x5 = x[min(5, kh - 1):min(5, kh - 1) + m]
    x6 = x[min(6, kh - 1):min(6, kh - 1) + m]
    if kh == 3:
        for j in range(m):
            s = np.uint16(np.uint16(x0[j] + x1[j]) + x2[j])
            o[j] = np.int32(np.rint(np.float32(np.int32(s)) * scale))
    elif kh == 5:
        for j in range(m):
            s = np.uint16(np.uint16(np.uint16(x0[j] + x1[j]) + np.uint16(x2[j] + x3[j])) + x4[j])
            o[j] = np.int32(np.rint(np.float32(np.int32(s)) * scale))
    else:
        for j in range(m):
            s = np.uint16(np.uint16(np.uint16(np.uint16(x0[j] + x1[j]) + np.uint16(x2[j] + x3[j])) +
                                    np.uint16(x4[j] + x5[j])) + x6[j])
            o[j] = np.int32(np.rint(np.float32(np.int32(s)) * scale))


@njit(**SERIAL)
def _exact_rows_u16(src, kv, av, kh, ah, mode, cval, scale, out, q0, q1):
    """Rows q0..q1 of the flattened output rows of ``box_2d_exact_u16``."""
    H = src.shape[1]
    W = src.shape[2]
    line = np.zeros(W + kh - 1, np.uint16)
    mid = line[ah:ah + W]
    cv = np.uint16(cval)
    q = q0
    while q < q1:
        p = q // H
        i0 = q - p * H
        i1 = min(H, i0 + q1 - q)
        plane = src[p]
        oplane = out[p]
        for j in range(W):
            mid[j] = 0
        for t in range(kv):
            s = source_index(i0 + t - av, H, mode)
            if s < 0:
                for j in range(W):
                    mid[j] = np.uint16(mid[j] + cv)
            else:
                r = plane[s]
                for j in range(W):
                    mid[j] = np.uint16(mid[j] + r[j])
        for i in range(i0, i1):
            if i > i0:
                s_in = source_index(i + kv - 1 - av, H, mode)
                s_out = source_index(i - 1 - av, H, mode)
                if s_in >= 0 and s_out >= 0:
                    r_in = plane[s_in]
                    r_out = plane[s_out]
                    for j in range(W):
                        mid[j] = np.uint16(np.uint16(mid[j] + r_in[j]) - r_out[j])
                elif s_in >= 0:
                    r_in = plane[s_in]
                    for j in range(W):
                        mid[j] = np.uint16(np.uint16(mid[j] + r_in[j]) - cv)
                elif s_out >= 0:
                    r_out = plane[s_out]
                    for j in range(W):
                        mid[j] = np.uint16(np.uint16(mid[j] + cv) - r_out[j])
            _extend_line(line, ah, W, mode, cv * np.uint16(kv))
            _u16_sums_round(line, kh, oplane[i], scale)
        q += i1 - i0


@njit(**SERIAL)
def box_2d_exact_u16(src, kv, av, kh, ah, mode, cval, scale, out, q0, q1):
    """``box_2d_exact`` of a uint8 image into an integer ``out`` without clipping (``clip`` False there: every
    mean in range, ``scale`` a checked reciprocal), for windows whose sums stay below 2**16 (kv kh 255 <=
    65535; ``cval`` an integer in [0, 255]): the same exact integer sums, in uint16 lanes (sixteen per
    vector, no float conversion per addition), and the same rounding, so the same integers (5x5 at 512^2,
    serial: ~92 against ~113 us, interleaved). The wrapper checks the conditions."""
    _exact_rows_u16(src, kv, av, kh, ah, mode, cval, scale, out, q0, q1)


@njit(**SERIAL)
def _exact_rows(src, kv, av, kh, ah, mode, cval_v, cval_h, scale, count, divide, bounds, clip, out, q0, q1):
    """Rows q0..q1 of the flattened output rows of ``box_2d_exact`` (the scratch row allocated here: as an
    argument it cost 10-15 %, aliasing checks that LLVM cannot drop)."""
    H = src.shape[1]
    W = src.shape[2]
    line = np.zeros(W + kh - 1, np.float32)
    ridx = np.empty(kv, np.int64)
    mid = line[ah:ah + W]
    q = q0
    while q < q1:
        p = q // H
        i0 = q - p * H
        i1 = min(H, i0 + q1 - q)
        plane = src[p]
        oplane = out[p]
        _column_sums(plane, i0, av, kv, mode, cval_v, ridx, mid)
        for i in range(i0, i1):
            if i > i0:
                s_in = source_index(i + kv - 1 - av, H, mode)
                s_out = source_index(i - 1 - av, H, mode)
                if s_in >= 0 and s_out >= 0:
                    r_in = plane[s_in]
                    r_out = plane[s_out]
                    for j in range(W):
                        mid[j] = (mid[j] + r_in[j]) - r_out[j]
                elif s_in >= 0:
                    r_in = plane[s_in]
                    for j in range(W):
                        mid[j] = (mid[j] + r_in[j]) - cval_v
                elif s_out >= 0:
                    r_out = plane[s_out]
                    for j in range(W):
                        mid[j] = (mid[j] + cval_v) - r_out[j]
            _extend_line(line, ah, W, mode, cval_h)
            _odd_sums_store(line, kh, oplane[i], scale, count, divide, bounds, clip)
        q += i1 - i0


@njit(**SERIAL)
def box_2d_exact(src, kv, av, kh, ah, mode, cval_v, cval_h, scale, count, divide, bounds, clip, out, q0, q1):
    """``box_2d_fused`` with ``running`` for kh = 3, 5 or 7 (the same values): integer images whose float32
    sums are exact, with one running column sum per row and the kh sums and the store in one pass over the
    row (``_odd_sums_store``; ``clip`` as there). A loop of its own: inside ``box_2d_fused`` the same loops ran
    1.5x slower (5x5 uint8 to uint8 at 512^2, serial: 95-105 against 180 us, measured interleaved)."""
    _exact_rows(src, kv, av, kh, ah, mode, cval_v, cval_h, scale, count, divide, bounds, clip, out, q0, q1)


@njit(**SERIAL)
def _box_planes(src, kd, ad, kv, av, kh, ah, mode, cval_d, cval_v, cval_h, count, bounds, out, q0, q1, dsum,
                colsum, line, tmp):
    """Output planes q0..q1 (flattened O*D) of ``box_3d``: a running sum over kd planes (one plane in, one
    out), then the 2-D box of that plane of sums."""
    D = src.shape[1]
    H = out.shape[2]
    W = out.shape[3]
    n = H * W
    plane = dsum.reshape((H, W))
    bad = 0
    q = q0
    while q < q1:
        o = q // D
        i0 = q - o * D
        i1 = min(D, i0 + q1 - q)
        vol = src[o]
        for j in range(n):
            dsum[j] = 0
        for t in range(kd):
            s = source_index(i0 + t - ad, D, mode)
            if s < 0:
                for j in range(n):
                    dsum[j] += cval_d
            else:
                row = vol[s]
                for j in range(n):
                    dsum[j] += row[j]
        for i in range(i0, i1):
            if i > i0:
                s_in = source_index(i + kd - 1 - ad, D, mode)
                s_out = source_index(i - 1 - ad, D, mode)
                if s_in >= 0 and s_out >= 0:
                    r_in = vol[s_in]
                    r_out = vol[s_out]
                    for j in range(n):
                        dsum[j] = (dsum[j] + r_in[j]) - r_out[j]
                elif s_in >= 0:
                    r_in = vol[s_in]
                    for j in range(n):
                        dsum[j] = (dsum[j] + r_in[j]) - cval_d
                elif s_out >= 0:
                    r_out = vol[s_out]
                    for j in range(n):
                        dsum[j] = (dsum[j] + cval_d) - r_out[j]
            bad += _box_plane(plane, kv, av, kh, ah, mode, cval_v, cval_h, count, bounds, out[o, i], 0, H, colsum,
                              line, tmp)
        q += i1 - i0
    return bad


@njit(**SERIAL)
def box_3d(src, kd, ad, kv, av, kh, ah, mode, cval_d, cval_v, cval_h, count, bounds, out, proto, q0, q1):
    """out[o, i] = (sum of the kd x kv x kh window of the volume src[o]) / count, plane by plane.

    ``src`` is (O, D, H*W) (planes flattened), ``out`` (O, D, H, W). A running sum over kd planes lives in
    one plane of scratch (the dtype of ``proto``, as ``box_2d``), so no intermediate volume is allocated;
    ``cval_d``, ``cval_v``, ``cval_h``: the values outside for the three sums (cval, cval kd, cval kd kv).
    Returns the number of planes (or blocks of planes) whose sums met a NaN or inf.
    """
    H = out.shape[2]
    W = out.shape[3]
    dsum = np.empty(H * W, proto.dtype)
    colsum = np.empty(W, proto.dtype)
    line = np.zeros(W + kh, proto.dtype)
    tmp = np.empty(W, proto.dtype)
    return _box_planes(src, kd, ad, kv, av, kh, ah, mode, cval_d, cval_v, cval_h, count, bounds, out, q0, q1,
                       dsum, colsum, line, tmp)


@njit(**SERIAL)
def box_axis(src, k, a, mode, cval, out):
    """out[o, i, :] = sum_{t<k} src[o, source_index(i + t - a), :] (no division): a running-sum pass along the
    middle axis of (O, N, I) arrays, vectorised along the last axis; ``out`` is int64 or float64."""
    O, N, I = src.shape
    for o in range(O):
        s = out[o, 0]
        for j in range(I):
            s[j] = 0
        for t in range(k):
            r = source_index(t - a, N, mode)
            if r < 0:
                for j in range(I):
                    s[j] += cval
            else:
                row = src[o, r]
                for j in range(I):
                    s[j] += row[j]
        for i in range(1, N):
            prev = out[o, i - 1]
            dst = out[o, i]
            r_in = source_index(i + k - 1 - a, N, mode)
            r_out = source_index(i - 1 - a, N, mode)
            for j in range(I):
                dst[j] = prev[j]
            if r_in >= 0:
                row = src[o, r_in]
                for j in range(I):
                    dst[j] += row[j]
            else:
                for j in range(I):
                    dst[j] += cval
            if r_out >= 0:
                row = src[o, r_out]
                for j in range(I):
                    dst[j] -= row[j]
            else:
                for j in range(I):
                    dst[j] -= cval


# -- gradient magnitude --------------------------------------------------------------------------------------


@njit(**SERIAL)
def magnitude2(a, b, out):
    """out = sqrt(a² + b²) over flat arrays of one float dtype (``out`` may be ``a``): each square, their sum
    and the root rounded once in that dtype, as numpy's square, add and sqrt passes round them (no fused
    multiply-add), in one pass instead of four (1024² float32: ~1.1 -> ~0.3 ms here)."""
    for i in range(out.shape[0]):
        x = a[i]
        y = b[i]
        out[i] = np.sqrt(x * x + y * y)


# -- direct correlation with kernels of up to 3 x 3 ---------------------------------------------------------


def _same_dtype(a, b):
    """Whether arrays ``a`` and ``b`` have one dtype (compiled: a constant of the two array types)."""
    return a.dtype == b.dtype


@overload(_same_dtype)
def _same_dtype_compiled(a, b):
    same = a.dtype == b.dtype
    return lambda a, b: same


def _straight_row(whole, xd, ws, w, zero, n, base, rows, ends, aw, KW, cv, dst):
    """``_direct_row`` where the planes have the weights' dtype (the only rows ``correlate_small`` reads
    straight); compiled for other planes, nothing (their kernels then compile no straight-row code: ~2-3 s less
    per signature)."""
    _direct_row(whole, xd, ws, w, zero, n, base, rows, ends, aw, KW, cv, dst)


@overload(_straight_row)
def _straight_row_compiled(whole, xd, ws, w, zero, n, base, rows, ends, aw, KW, cv, dst):
    if whole.dtype != w.dtype:
        return lambda whole, xd, ws, w, zero, n, base, rows, ends, aw, KW, cv, dst: None
    return lambda whole, xd, ws, w, zero, n, base, rows, ends, aw, KW, cv, dst: _direct_row(
        whole, xd, ws, w, zero, n, base, rows, ends, aw, KW, cv, dst)


@njit(**INLINED)
def _round_clip(acc, lo, hi, o):
    """o[j] = acc[j] rounded half to even and clipped to [lo, hi] (an integer output row)."""
    for j in range(o.shape[0]):
        v = np.rint(acc[j])
        v = lo if v < lo else v
        v = hi if v > hi else v
        o[j] = v


@njit(**SERIAL, fastmath={"contract"})
def _direct_row(whole, xd, ws, w, zero, n, base, rows, ends, aw, KW, cv, dst):
    """One output row of ``correlate_small`` whose taps all read rows of the plane: the interior columns
    aw .. W - KW + aw through the tap loop straight from the input (``whole`` the flat planes, ``xd`` each tap's
    first value in it), the KW - 1 end columns one by one with the same multiply-adds from ``zero`` in tap order,
    the columns they read ``ends`` (end column, tap; -1: ``cv``, cval in the planes' dtype), the plane's first
    row ``base`` in ``whole`` (the planes' dtype is the weights'). A called function, not inlined: inlined, its
    loops slowed the ring rows of narrow images (512² float32 3 x 3, serial kernel: 112-115 -> 136-140 us)."""
    W = dst.shape[0]
    j1 = W - KW + 1 + aw
    if n <= 5:
        _five_taps(whole, xd, ws, zero, dst[aw:j1])
    elif n == 6:
        _six_taps(whole, xd, ws, zero, dst[aw:j1])
    else:
        _nine_taps(whole, xd, ws, zero, dst[aw:j1])
    for e in range(KW - 1):  # aw columns on the left, KW - 1 - aw on the right
        v = zero
        for t in range(n):
            c = ends[e, t]
            v = v + w[t] * (cv if c < 0 else whole[(base + rows[t]) * W + c])
        dst[e if e < aw else W - KW + 1 + e] = v


@njit(**SERIAL, fastmath={"contract"})
def correlate_small(src, planes, tap_dr, tap_c, tap_w, KH, ah, aw, KW, mode, cval, bounds, out, q0, q1):
    """``correlate_direct`` for one kernel plane of at most 3 x 3 (``tap_dr`` the kernel rows): each output
    row in one loop over its columns with every tap's multiply-add in registers, five or six taps
    for kernels of up to five (the 4-neighbour Laplacian: 512² float32 ~130 -> ~110 us) or six (Sobel and
    Prewitt of an integer image: 512² uint8 ~135 -> ~115 us), nine otherwise (those past the
    kernel's read a row of zeros with weight -0.0: ``v + (-0.0) * 0`` is ``v`` exactly, -0.0 and NaN
    included), the taps in kernel order, fused multiply-adds from 0 (fastmath "contract"): the sums of
    ``correlate_direct`` bit for bit. Its pairs of rows, runs of taps and accumulator passes cost ~0.75 ns a
    pixel for a 3 x 3 kernel (512^2 float32 Laplacian, serial, ~200 us; OpenCV ~80): a pass per group of
    taps, a ring twin copy per row and a dozen calls with views per pair of rows.

    The arguments are ``correlate_direct``'s (``KH`` <= 3 and ``KW`` <= 3, one kernel plane: ``planes`` (P, 1)).
    Padded input rows (``_fill_line``, ``aw`` columns on the left) sit in a ring of three slots by their
    position in the plane (the rows outside read by ``mode``), so each is filled once per band of rows; on
    wide float planes the rows whose taps all fall inside the plane are read straight from it instead
    (``_direct_row``: the same sums).
    """
    H = src.shape[1]
    W = src.shape[2]
    Wp = W + KW - 1
    n = tap_w.shape[0]
    ring = np.zeros((4, Wp), tap_w.dtype)  # slot 3: the row of zeros
    flat = ring.reshape(-1)
    held = np.full(3, np.iinfo(np.int64).min, np.int64)
    slot = np.zeros(9, np.int64)
    col = np.zeros(9, np.int64)
    w = np.zeros(9, tap_w.dtype)
    for t in range(9):
        if t < n:
            col[t] = tap_c[t]
            w[t] = tap_w[t]
        else:
            slot[t] = 3
            w[t] = -0.0
    ws = (w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7], w[8])
    acc = np.empty(W, tap_w.dtype)  # (integer outputs: the sums, then rounded)
    zero = ring[3, 0]
    is_int = bounds.shape[0] > 0
    lo = bounds[0] if is_int else zero
    hi = bounds[1] if is_int else zero
    # rows of float planes read straight from the planes (``_direct_row``) where three padded rows exceed 16 KiB
    # (half of L1; below, the copy into the ring is as fast or faster: float32 3 x 3, serial kernel, 512 x 512
    # 113-123 us through the ring, 135-142 straight; 1024 columns alike; 512 x 1536 303-328 -> 271-288 us,
    # 2048² 2.5-2.7 -> 2.1-2.2 ms, 4096 columns ~20 % faster), for 5, 6 or 9 taps (fewer read the ring's zero
    # row); integer samples stay converted once into the ring (straight, each tap converts: uint8 into float64
    # 1.4-1.9x slower)
    direct_ok = (_same_dtype(src, tap_w) and 3 * Wp * tap_w.itemsize > 16384 and W >= KW
                 and (n == 5 or n == 6 or n == 9))
    whole = src.reshape(-1)
    rows = np.zeros(9, np.int64)
    conv = np.empty(1, tap_w.dtype)
    conv[0] = cval
    cv = conv[0]
    ends = np.empty((max(KW - 1, 1), 9), np.int64)  # the column each tap reads for the end columns of a row
    for e in range(KW - 1):
        for t in range(n):
            ends[e, t] = source_index((e if e < aw else W - KW + 1 + e) + col[t] - aw, W, mode)
    plane_of_held = -1
    p = q0 // H
    i = q0 - p * H - 1
    for q in range(q0, q1):
        # (the row and plane stepped, the ring slot from one modulo a row: a division or modulo per tap and
        # row cost ~60 ns a row, a third of a 512² 3x3 filter's time)
        i += 1
        if i == H:
            i = 0
            p += 1
        sp = planes[p, 0]
        if p != plane_of_held:
            held[:] = np.iinfo(np.int64).min
            plane_of_held = p
        o = out[p, i]
        # rows whose taps all read rows of the plane: the interior columns straight from the input (no copy into
        # the ring), the end columns one by one
        direct = direct_ok and sp >= 0
        if direct:
            for t in range(n):
                r = source_index(i + tap_dr[t] - ah, H, mode)
                direct = direct and r >= 0
                rows[t] = r
        if direct:
            base = sp * H
            xd = (np.uint64((base + rows[0]) * W + col[0]), np.uint64((base + rows[1]) * W + col[1]),
                  np.uint64((base + rows[2]) * W + col[2]), np.uint64((base + rows[3]) * W + col[3]),
                  np.uint64((base + rows[4]) * W + col[4]), np.uint64((base + rows[5]) * W + col[5]),
                  np.uint64((base + rows[6]) * W + col[6]), np.uint64((base + rows[7]) * W + col[7]),
                  np.uint64((base + rows[8]) * W + col[8]))
            if is_int:
                _straight_row(whole, xd, ws, w, zero, n, base, rows, ends, aw, KW, cv, acc)
                _round_clip(acc, lo, hi, o)
            else:
                _straight_row(whole, xd, ws, w, zero, n, base, rows, ends, aw, KW, cv, o)
            continue
        first = (i - ah) % 3
        for t in range(n):
            pos = i + tap_dr[t] - ah
            s = first + tap_dr[t]
            s = s - 3 if s >= 3 else s
            if held[s] != pos:
                r = source_index(pos, H, mode)
                if sp < 0 or r < 0:
                    ring[s, :] = cval
                else:
                    _fill_line(src[sp, r], ring[s], aw, mode, cval)
                held[s] = pos
            slot[t] = s
        # each tap's first value in the flat ring, unsigned (indices LLVM knows are not negative: no wraparound
        # code in the vector loops; nine array views a row, each a reference count, had cost ~40 ns a row)
        xs = (np.uint64(slot[0] * Wp + col[0]), np.uint64(slot[1] * Wp + col[1]), np.uint64(slot[2] * Wp + col[2]),
              np.uint64(slot[3] * Wp + col[3]), np.uint64(slot[4] * Wp + col[4]), np.uint64(slot[5] * Wp + col[5]),
              np.uint64(slot[6] * Wp + col[6]), np.uint64(slot[7] * Wp + col[7]), np.uint64(slot[8] * Wp + col[8]))
        # (the loops of fixed counts keep every sum in registers; a padded tap costs a load and a multiply-add)
        if not is_int:
            if n <= 5:
                _five_taps(flat, xs, ws, zero, o)
            elif n == 6:
                _six_taps(flat, xs, ws, zero, o)
            else:
                _nine_taps(flat, xs, ws, zero, o)
        else:
            if n <= 5:
                _five_taps(flat, xs, ws, zero, acc)
            elif n == 6:
                _six_taps(flat, xs, ws, zero, acc)
            else:
                _nine_taps(flat, xs, ws, zero, acc)
            _round_clip(acc, lo, hi, o)


@njit(**SERIAL, fastmath={"contract"})
def separable_small(src, wv, wh, mode, cval, out, q0, q1):
    """out[p, i, j] = sum_r wv[r] h[p, i + r - 1, j] with h[p, s, j] = sum_c wh[c] x[p, s, j + c - 1] (the
    rows and columns outside read by ``mode``): a 3 x 3 kernel that is the outer product of ``wv`` (rows) and
    ``wh`` (columns), for float planes into float ``out`` of the working dtype (``wv``/``wh``'s), rows
    q0..q1 of the flattened (P * H) output rows. Every tap multiplies, zero weights too, so a NaN or inf in
    the 3 x 3 window spreads to the pixel as through the direct nine taps (Sobel's and Prewitt's derivative
    has a zero middle tap). Each input row is smoothed once into a ring of three lines (reused by three
    output rows), then each output row is three multiply-adds a pixel: 512² float32 Sobel, serial, 125 ->
    ~73 us against the nine taps (OpenCV ~74 us); the values differ from the nine-tap sums by float rounding
    (the products summed in another order). (Gonzalez & Woods, *Digital Image Processing*, 4th ed., 2018,
    sec. 3.6: separable kernels; sec. 10.2: the Sobel and Prewitt operators.)"""
    H = src.shape[1]
    W = src.shape[2]
    line = np.empty(W + 2, out.dtype)
    ring = np.empty((3, W), out.dtype)
    held = np.full(3, np.iinfo(np.int64).min, np.int64)
    a0 = wh[0]
    a1 = wh[1]
    a2 = wh[2]
    b0 = wv[0]
    b1 = wv[1]
    b2 = wv[2]
    plane_of_held = -1
    p = q0 // H
    i = q0 - p * H - 1
    for q in range(q0, q1):
        i += 1  # (stepped: no division or modulo per row, as correlate_small)
        if i == H:
            i = 0
            p += 1
        if p != plane_of_held:
            held[:] = np.iinfo(np.int64).min
            plane_of_held = p
        s0 = (i + 2) % 3  # the slot of row i - 1; rows i and i + 1 follow
        s1 = s0 + 1 if s0 < 2 else 0
        s2 = s1 + 1 if s1 < 2 else 0
        for d in range(3):
            pos = i + d - 1
            s = s0 if d == 0 else (s1 if d == 1 else s2)
            if held[s] != pos:
                r = source_index(pos, H, mode)
                h = ring[s]
                if r < 0 or W < 3:
                    if r < 0:
                        line[:] = cval
                    else:
                        _fill_line(src[p, r], line, 1, mode, cval)
                    for j in range(W):
                        h[j] = (a0 * line[j] + a1 * line[j + 1]) + a2 * line[j + 2]
                else:
                    # the interior straight from the row (a product with a weight converts each value to the
                    # working dtype, as the padded line holds it), the end columns through the line's first
                    # three values: a copy of every row into a line had cost a pass and, at 2048 columns, 8 KB
                    # of L1 (2048² uint8 Sobel 1.9 -> 1.3 ms)
                    row = src[p, r]
                    left = source_index(-1, W, mode)
                    line[0] = cval if left < 0 else row[left]
                    line[1] = row[0]
                    line[2] = row[1]
                    h[0] = (a0 * line[0] + a1 * line[1]) + a2 * line[2]
                    for j in range(1, W - 1):
                        h[j] = (a0 * row[j - 1] + a1 * row[j]) + a2 * row[j + 1]
                    right = source_index(W, W, mode)
                    line[0] = row[W - 2]
                    line[1] = row[W - 1]
                    line[2] = cval if right < 0 else row[right]
                    h[W - 1] = (a0 * line[0] + a1 * line[1]) + a2 * line[2]
                held[s] = pos
        h0 = ring[s0]
        h1 = ring[s1]
        h2 = ring[s2]
        o = out[p, i]
        for j in range(W):
            o[j] = (b0 * h0[j] + b1 * h1[j]) + b2 * h2[j]


@njit(**INLINED)
def _five_taps(flat, xs, ws, zero, dst):
    """``_nine_taps`` for the first five taps (the others are the no-op ones)."""
    x0, x1, x2, x3, x4 = xs[0], xs[1], xs[2], xs[3], xs[4]
    w0, w1, w2, w3, w4 = ws[0], ws[1], ws[2], ws[3], ws[4]
    for j in range(dst.shape[0]):
        u = np.uint64(j)
        v = zero + w0 * flat[x0 + u]
        v = v + w1 * flat[x1 + u]
        v = v + w2 * flat[x2 + u]
        v = v + w3 * flat[x3 + u]
        v = v + w4 * flat[x4 + u]
        dst[j] = v


@njit(**INLINED)
def _six_taps(flat, xs, ws, zero, dst):
    """``_nine_taps`` for the first six taps (the others are the no-op ones)."""
    x0, x1, x2, x3, x4, x5 = xs[0], xs[1], xs[2], xs[3], xs[4], xs[5]
    w0, w1, w2, w3, w4, w5 = ws[0], ws[1], ws[2], ws[3], ws[4], ws[5]
    for j in range(dst.shape[0]):
        u = np.uint64(j)
        v = zero + w0 * flat[x0 + u]
        v = v + w1 * flat[x1 + u]
        v = v + w2 * flat[x2 + u]
        v = v + w3 * flat[x3 + u]
        v = v + w4 * flat[x4 + u]
        v = v + w5 * flat[x5 + u]
        dst[j] = v


@njit(**INLINED)
def _nine_taps(flat, xs, ws, zero, dst):
    """dst[j] = the multiply-adds of the nine taps ``ws[t] * flat[xs[t] + j]`` from ``zero``, in order (``xs``
    the taps' unsigned offsets in the flat ring; inlined into ``correlate_small``: its fastmath "contract" makes
    each one fused)."""
    x0, x1, x2, x3, x4, x5, x6, x7, x8 = xs
    w0, w1, w2, w3, w4, w5, w6, w7, w8 = ws
    for j in range(dst.shape[0]):
        u = np.uint64(j)
        v = zero + w0 * flat[x0 + u]
        v = v + w1 * flat[x1 + u]
        v = v + w2 * flat[x2 + u]
        v = v + w3 * flat[x3 + u]
        v = v + w4 * flat[x4 + u]
        v = v + w5 * flat[x5 + u]
        v = v + w6 * flat[x6 + u]
        v = v + w7 * flat[x7 + u]
        v = v + w8 * flat[x8 + u]
        dst[j] = v
