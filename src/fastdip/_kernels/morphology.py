"""Kernels for fastdip.morphology: flat erosion (running minimum) and dilation (running maximum).

Layout. Images reach these kernels as C-contiguous ``(P, H, W)`` stacks (a 2-D image is one plane, a 1-D
image one row) of uint8, uint16, float32 or float64. Borders enter only through index tables built by the
wrapper: ``table[j]`` is the image index that extended position ``j`` reads, or -1 for ``cval``.

* ``rect_2d``: a rectangle on every plane, in chunks of 8-32 output rows (about 64 KB of scratch rows) so
  that intermediates stay in cache. Every step is a "pass" (``_pass``): dst row = the extreme of k shifted
  reads of source rows, k = 3, 5, 7 or 9, one vectorised loop per row with the operands unrolled (the
  extreme is idempotent, so a smaller k repeats its last offset, and overlapping windows are harmless).
  Vertical: the fh extended rows (ty) in one pass for fh <= 9 (odd fh, a chunk inside the image: two output
  rows a step sharing their fh - 1 common rows, ``_vpairs``: 512^2 uint8 5x5 37 -> 29 us, 7x7 47 -> 35 us
  on Zen 4, OpenCV 35 and 40 us); for fh <= 25 (and a chunk of at least fh
  rows) first the extremes of five consecutive rows, then five overlapping ones of those; else van Herk /
  Gil-Werman (suffix extremes of a block of rows and prefix extremes of the next one, three operations per
  pixel whatever the height). The vertical extreme goes into a row buffer at ``left``, its
  border entries are filled from the table tx, then the horizontal window: one pass for fw <= 9, else
  windows of 1, 5, 25, ... (one five-operand pass each) and a last five-operand pass. So 3x3 to 9x9 is two
  passes per row.
* ``vanherk_outer``: running extremes along the middle axis of an ``(A, B, C)`` array (van Herk on whole
  rows of C values), for the plane axis of boxes.
* ``runs_ring_2d``: any other flat 2-D footprint, decomposed into its row runs (row offset, first column,
  length). For each output row the horizontal running extremes of every distinct run length of one new
  input row (doubling, all lengths in one sweep; ``_row_runs``) go into a ring of fh rows, then the output
  row is the extreme over the footprint's runs of those rows (one vector min/max per run and pixel). A disk
  of radius 5 is 11 runs of 4 lengths. ``runs_chunks_2d``: the same in blocks of output rows whose input
  rows lie back to back in one buffer (each doubling, run length and footprint run one call over the block:
  a kernel call costs ~0.25 us a row otherwise, which dwarfs 512 columns of uint8 work), chosen by the
  wrapper when a block fits its scratch budget. ``taps_chunks_2d``: small 2-D footprints (up to the wrapper's
  ``_TAPS_MAX`` elements: a 3x3 cross, a disk of radius 2) read tap by tap from a block's extended rows, nine
  reads a pass, without intermediate runs (as OpenCV's direct filter); for them the runs' doublings cost more
  loads and stores than the taps. ``runs_rows`` + ``gather_lines`` do the same for 3-D
  footprints in two passes, the first keeping every row's runs (lengths x the image).

Speed. Inner loops run over uint64 indices in ``while`` loops so that numba drops its negative-index checks
and LLVM vectorises them, and they address flat arrays by offsets: a slice (a new array view) per row costs
about 10-20 ns in reference counting. A call from one kernel to another is not inlined and costs tens of ns
(arrays travel as exploded structs), so the rectangle path calls ``_pass`` once per chunk of rows, not per
row. An in-place update whose destination is also a source operand at another offset is not vectorised
(LLVM's overlap check fails), hence separate scratch rows; and one at the same offset, dst = min(dst, b), LLVM
turns into a masked store for floats (vmaskmovps: microcoded on AMD Zen 3, 0.48 against 0.07 ns a value), so
running extremes alternate between two rows. The extreme over a footprint's runs (or taps) takes up to nine
of them a pass (``_combine``: a first pass of nine, then the result so far and eight more), not two: on a
Zen 4 machine, serial, 512^2 uint8 disk r=5 136 -> 113 us, 2048^2 float32 in the ring 8.3 -> 7.6 ms, r=7
10.2 -> 8.6 ms (OpenCV 194 us, 10.9 and 19.2 ms). 2048^2 float32, disk of radius 5, serial (Zen 3):
48 ms with the two-pass runs (67 MB of them) and in-place extremes, 10.4 ms with the ring and 3-operand
passes (OpenCV 13.9 ms); uint8 5 -> 2.5-3.4 ms (OpenCV 3.4-3.6 ms). Measured on this 2-core machine (median,
other work running): camera 512^2 uint8 3x3 21 us, 5x5 26-30 us, 15x15 57 us (OpenCV 19, 23, 47 us; the
previous one-pass-per-window-doubling version 97 us for 3x3); 2048^2 uint8 serial 3x3 0.23 ms, 15x15
0.55 ms (OpenCV 0.54, 1.0 ms). ``rect_2d``, ``runs_ring_2d``, ``runs_chunks_2d``, ``taps_chunks_2d``,
``runs_rows`` and ``gather_lines`` take the range of rows they write; above PARALLEL_MIN_PIXELS the wrapper
runs bands of rows (each with its own scratch rows) on fastdip's worker threads (``parallel._run_bands``):
2048^2 float32 5x5 2.4 ms serial, 1.2 ms on 2 quiet cores, and no second compile (a numba ``prange`` twin of
``rect_2d`` compiled the whole tree again, ~9 s per dtype).
"""

import numpy as np

from ._config import SERIAL, njit


@njit(**SERIAL)
def _ext(dst, d, a, ia, b, ib, n, take_max):
    """dst[d + i] = max(a[ia + i], b[ib + i]) (or the minimum) for i < n."""
    one = np.uint64(1)
    end = np.uint64(n)
    d = np.uint64(d)
    ia = np.uint64(ia)
    ib = np.uint64(ib)
    i = np.uint64(0)
    if take_max:
        while i < end:
            dst[d + i] = max(a[ia + i], b[ib + i])
            i += one
    else:
        while i < end:
            dst[d + i] = min(a[ia + i], b[ib + i])
            i += one


@njit(**SERIAL)
def _ext_scalar(dst, d, v, n, take_max):
    """dst[d + i] = max(dst[d + i], v) (or the minimum) for i < n."""
    one = np.uint64(1)
    end = np.uint64(n)
    d = np.uint64(d)
    i = np.uint64(0)
    if take_max:
        while i < end:
            dst[d + i] = max(dst[d + i], v)
            i += one
    else:
        while i < end:
            dst[d + i] = min(dst[d + i], v)
            i += one


@njit(**SERIAL)
def _copy(dst, d, src, s, n):
    """dst[d + i] = src[s + i] for i < n."""
    one = np.uint64(1)
    end = np.uint64(n)
    d = np.uint64(d)
    s = np.uint64(s)
    i = np.uint64(0)
    while i < end:
        dst[d + i] = src[s + i]
        i += one


@njit(**SERIAL)
def _extend(e, flat, start, w, table, left, cval):
    """e[j] = the extended row j of the row flat[start:start + w]: a copy inside, the table elsewhere."""
    _copy(e, left, flat, start, w)
    for j in range(left):
        c = table[j]
        e[j] = cval if c < 0 else flat[start + c]
    for j in range(left + w, table.size):
        c = table[j]
        e[j] = cval if c < 0 else flat[start + c]


@njit(**SERIAL)
def _load(dst, flat, start, j, const, w):
    """dst[:w] = the extended row j (its flat start), or the constant row when j < 0."""
    if j < 0:
        _copy(dst, 0, const, 0, w)
    else:
        _copy(dst, 0, flat, start, w)


@njit(**SERIAL)
def _ext_row(dst, d, a, ia, flat, start, j, const, w, take_max):
    """dst[d:d + w] = extreme(a[ia:ia + w], the extended row j or the constant row)."""
    if j < 0:
        _ext(dst, d, a, ia, const, 0, w, take_max)
    else:
        _ext(dst, d, a, ia, flat, start, w, take_max)


@njit(**SERIAL)
def _pass3(dst, d0, stride, s, offsets, rows, n, take_max):
    """_pass with 3 operands."""
    one = np.uint64(1)
    end = np.uint64(n)
    for r in range(rows):
        d = np.uint64(d0 + r * stride)
        o0 = np.uint64(offsets[r, 0])
        o1 = np.uint64(offsets[r, 1])
        o2 = np.uint64(offsets[r, 2])
        x = np.uint64(0)
        if take_max:
            while x < end:
                dst[d + x] = max(max(s[o0 + x], s[o1 + x]), s[o2 + x])
                x += one
        else:
            while x < end:
                dst[d + x] = min(min(s[o0 + x], s[o1 + x]), s[o2 + x])
                x += one


@njit(**SERIAL)
def _pass5(dst, d0, stride, s, offsets, rows, n, take_max):
    """_pass with 5 operands."""
    one = np.uint64(1)
    end = np.uint64(n)
    for r in range(rows):
        d = np.uint64(d0 + r * stride)
        o0 = np.uint64(offsets[r, 0])
        o1 = np.uint64(offsets[r, 1])
        o2 = np.uint64(offsets[r, 2])
        o3 = np.uint64(offsets[r, 3])
        o4 = np.uint64(offsets[r, 4])
        x = np.uint64(0)
        if take_max:
            while x < end:
                dst[d + x] = max(max(max(s[o0 + x], s[o1 + x]), max(s[o2 + x], s[o3 + x])), s[o4 + x])
                x += one
        else:
            while x < end:
                dst[d + x] = min(min(min(s[o0 + x], s[o1 + x]), min(s[o2 + x], s[o3 + x])), s[o4 + x])
                x += one


@njit(**SERIAL)
def _pass7(dst, d0, stride, s, offsets, rows, n, take_max):
    """_pass with 7 operands."""
    one = np.uint64(1)
    end = np.uint64(n)
    for r in range(rows):
        d = np.uint64(d0 + r * stride)
        o0 = np.uint64(offsets[r, 0])
        o1 = np.uint64(offsets[r, 1])
        o2 = np.uint64(offsets[r, 2])
        o3 = np.uint64(offsets[r, 3])
        o4 = np.uint64(offsets[r, 4])
        o5 = np.uint64(offsets[r, 5])
        o6 = np.uint64(offsets[r, 6])
        x = np.uint64(0)
        if take_max:
            while x < end:
                lo = max(max(s[o0 + x], s[o1 + x]), max(s[o2 + x], s[o3 + x]))
                dst[d + x] = max(lo, max(max(s[o4 + x], s[o5 + x]), s[o6 + x]))
                x += one
        else:
            while x < end:
                lo = min(min(s[o0 + x], s[o1 + x]), min(s[o2 + x], s[o3 + x]))
                dst[d + x] = min(lo, min(min(s[o4 + x], s[o5 + x]), s[o6 + x]))
                x += one


@njit(**SERIAL)
def _pass9(dst, d0, stride, s, offsets, rows, n, take_max):
    """_pass with 9 operands."""
    one = np.uint64(1)
    end = np.uint64(n)
    for r in range(rows):
        d = np.uint64(d0 + r * stride)
        o0 = np.uint64(offsets[r, 0])
        o1 = np.uint64(offsets[r, 1])
        o2 = np.uint64(offsets[r, 2])
        o3 = np.uint64(offsets[r, 3])
        o4 = np.uint64(offsets[r, 4])
        o5 = np.uint64(offsets[r, 5])
        o6 = np.uint64(offsets[r, 6])
        o7 = np.uint64(offsets[r, 7])
        o8 = np.uint64(offsets[r, 8])
        x = np.uint64(0)
        if take_max:
            while x < end:
                lo = max(max(s[o0 + x], s[o1 + x]), max(s[o2 + x], s[o3 + x]))
                dst[d + x] = max(lo, max(max(max(s[o4 + x], s[o5 + x]), max(s[o6 + x], s[o7 + x])), s[o8 + x]))
                x += one
        else:
            while x < end:
                lo = min(min(s[o0 + x], s[o1 + x]), min(s[o2 + x], s[o3 + x]))
                dst[d + x] = min(lo, min(min(min(s[o4 + x], s[o5 + x]), min(s[o6 + x], s[o7 + x])), s[o8 + x]))
                x += one


@njit(**SERIAL, fastmath={"reassoc"})
def _vpair3(dst, d0, stride, s, rowoffs, rows, n, take_max, zero):
    """_vpairs for windows of 3 rows."""
    one = np.uint64(1)
    end = np.uint64(n)
    acc = zero
    for r in range(0, rows - 1, 2):
        d = np.uint64(d0 + r * stride)
        d1 = np.uint64(d0 + (r + 1) * stride)
        o0 = np.uint64(rowoffs[r + 0])
        o1 = np.uint64(rowoffs[r + 1])
        o2 = np.uint64(rowoffs[r + 2])
        o3 = np.uint64(rowoffs[r + 3])
        x = np.uint64(0)
        if take_max:
            while x < end:
                m0 = s[o1 + x]
                m1 = s[o2 + x]
                acc += (m0 - m0) + (m1 - m1)
                c = max(s[o1 + x], s[o2 + x])
                dst[d + x] = max(c, s[o0 + x])
                dst[d1 + x] = max(c, s[o3 + x])
                x += one
        else:
            while x < end:
                m0 = s[o1 + x]
                m1 = s[o2 + x]
                acc += (m0 - m0) + (m1 - m1)
                c = min(s[o1 + x], s[o2 + x])
                dst[d + x] = min(c, s[o0 + x])
                dst[d1 + x] = min(c, s[o3 + x])
                x += one
    return acc


@njit(**SERIAL, fastmath={"reassoc"})
def _vpair5(dst, d0, stride, s, rowoffs, rows, n, take_max, zero):
    """_vpairs for windows of 5 rows."""
    one = np.uint64(1)
    end = np.uint64(n)
    acc = zero
    for r in range(0, rows - 1, 2):
        d = np.uint64(d0 + r * stride)
        d1 = np.uint64(d0 + (r + 1) * stride)
        o0 = np.uint64(rowoffs[r + 0])
        o1 = np.uint64(rowoffs[r + 1])
        o2 = np.uint64(rowoffs[r + 2])
        o3 = np.uint64(rowoffs[r + 3])
        o4 = np.uint64(rowoffs[r + 4])
        o5 = np.uint64(rowoffs[r + 5])
        x = np.uint64(0)
        if take_max:
            while x < end:
                m0 = s[o2 + x]
                m1 = s[o3 + x]
                acc += (m0 - m0) + (m1 - m1)
                c = max(max(s[o1 + x], s[o2 + x]), max(s[o3 + x], s[o4 + x]))
                dst[d + x] = max(c, s[o0 + x])
                dst[d1 + x] = max(c, s[o5 + x])
                x += one
        else:
            while x < end:
                m0 = s[o2 + x]
                m1 = s[o3 + x]
                acc += (m0 - m0) + (m1 - m1)
                c = min(min(s[o1 + x], s[o2 + x]), min(s[o3 + x], s[o4 + x]))
                dst[d + x] = min(c, s[o0 + x])
                dst[d1 + x] = min(c, s[o5 + x])
                x += one
    return acc


@njit(**SERIAL, fastmath={"reassoc"})
def _vpair7(dst, d0, stride, s, rowoffs, rows, n, take_max, zero):
    """_vpairs for windows of 7 rows."""
    one = np.uint64(1)
    end = np.uint64(n)
    acc = zero
    for r in range(0, rows - 1, 2):
        d = np.uint64(d0 + r * stride)
        d1 = np.uint64(d0 + (r + 1) * stride)
        o0 = np.uint64(rowoffs[r + 0])
        o1 = np.uint64(rowoffs[r + 1])
        o2 = np.uint64(rowoffs[r + 2])
        o3 = np.uint64(rowoffs[r + 3])
        o4 = np.uint64(rowoffs[r + 4])
        o5 = np.uint64(rowoffs[r + 5])
        o6 = np.uint64(rowoffs[r + 6])
        o7 = np.uint64(rowoffs[r + 7])
        x = np.uint64(0)
        if take_max:
            while x < end:
                m0 = s[o3 + x]
                m1 = s[o4 + x]
                acc += (m0 - m0) + (m1 - m1)
                c = max(max(max(s[o1 + x], s[o2 + x]), max(s[o3 + x], s[o4 + x])), max(s[o5 + x], s[o6 + x]))
                dst[d + x] = max(c, s[o0 + x])
                dst[d1 + x] = max(c, s[o7 + x])
                x += one
        else:
            while x < end:
                m0 = s[o3 + x]
                m1 = s[o4 + x]
                acc += (m0 - m0) + (m1 - m1)
                c = min(min(min(s[o1 + x], s[o2 + x]), min(s[o3 + x], s[o4 + x])), min(s[o5 + x], s[o6 + x]))
                dst[d + x] = min(c, s[o0 + x])
                dst[d1 + x] = min(c, s[o7 + x])
                x += one
    return acc


@njit(**SERIAL, fastmath={"reassoc"})
def _vpair9(dst, d0, stride, s, rowoffs, rows, n, take_max, zero):
    """_vpairs for windows of 9 rows."""
    one = np.uint64(1)
    end = np.uint64(n)
    acc = zero
    for r in range(0, rows - 1, 2):
        d = np.uint64(d0 + r * stride)
        d1 = np.uint64(d0 + (r + 1) * stride)
        o0 = np.uint64(rowoffs[r + 0])
        o1 = np.uint64(rowoffs[r + 1])
        o2 = np.uint64(rowoffs[r + 2])
        o3 = np.uint64(rowoffs[r + 3])
        o4 = np.uint64(rowoffs[r + 4])
        o5 = np.uint64(rowoffs[r + 5])
        o6 = np.uint64(rowoffs[r + 6])
        o7 = np.uint64(rowoffs[r + 7])
        o8 = np.uint64(rowoffs[r + 8])
        o9 = np.uint64(rowoffs[r + 9])
        x = np.uint64(0)
        if take_max:
            while x < end:
                m0 = s[o4 + x]
                m1 = s[o5 + x]
                acc += (m0 - m0) + (m1 - m1)
                lo = max(max(s[o1 + x], s[o2 + x]), max(s[o3 + x], s[o4 + x]))
                c = max(lo, max(max(s[o5 + x], s[o6 + x]), max(s[o7 + x], s[o8 + x])))
                dst[d + x] = max(c, s[o0 + x])
                dst[d1 + x] = max(c, s[o9 + x])
                x += one
        else:
            while x < end:
                m0 = s[o4 + x]
                m1 = s[o5 + x]
                acc += (m0 - m0) + (m1 - m1)
                lo = min(min(s[o1 + x], s[o2 + x]), min(s[o3 + x], s[o4 + x]))
                c = min(lo, min(min(s[o5 + x], s[o6 + x]), min(s[o7 + x], s[o8 + x])))
                dst[d + x] = min(c, s[o0 + x])
                dst[d1 + x] = min(c, s[o9 + x])
                x += one
    return acc


@njit(**SERIAL)
def _vpairs(dst, d0, stride, s, rowoffs, rows, n, k, take_max, zero):
    """dst[d0 + r * stride + x] = extreme over t < k of s[rowoffs[r + t] + x] for even r < rows - 1, and the
    row after each (k odd, <= 9; rowoffs holds the starts of rows + k - 1 source rows): ``_pass``'s values
    over windows of k consecutive rows, two output rows at a time, the k - 1 rows both windows share read
    once (k + 1 loads for two rows instead of 2 k: OpenCV's column filter shares them the same way). An odd
    last row is left to the caller. Returns the sum of x - x over the two windows' centre rows (the rows
    rowoffs[r + k // 2] and the next: for the rectangle's vertical pass, the image rows of the output rows
    themselves), from ``zero`` (a 0 of the working type): 0 when they are all finite, else NaN (see
    ``_nonfinite``). The centre values are loaded before the stores (after them, a possible alias of dst
    and s made LLVM load them again) and the sum costs nothing measurable (512^2 float32 3x3: 66-70 us
    either way), so the wrapper's refusal of NaN needs no pass of its own for rectangles."""
    if k == 3:
        return _vpair3(dst, d0, stride, s, rowoffs, rows, n, take_max, zero)
    if k == 5:
        return _vpair5(dst, d0, stride, s, rowoffs, rows, n, take_max, zero)
    if k == 7:
        return _vpair7(dst, d0, stride, s, rowoffs, rows, n, take_max, zero)
    return _vpair9(dst, d0, stride, s, rowoffs, rows, n, take_max, zero)


@njit(**SERIAL)
def _pass(dst, d0, stride, s, offsets, rows, n, k, take_max):
    """dst[d0 + r * stride + x] = extreme over t < k of s[offsets[r, t] + x], for r < rows and x < n, in one
    vectorised loop per row of 3, 5, 7 or 9 operands (k <= 9; offsets[r, k:] are set to offsets[r, k - 1]:
    the extreme is idempotent). dst is not s. A whole chunk of rows per call: a call costs tens of ns."""
    for r in range(rows):
        for t in range(k, 9):
            offsets[r, t] = offsets[r, k - 1]
    if k <= 3:
        _pass3(dst, d0, stride, s, offsets, rows, n, take_max)
    elif k <= 5:
        _pass5(dst, d0, stride, s, offsets, rows, n, take_max)
    elif k <= 7:
        _pass7(dst, d0, stride, s, offsets, rows, n, take_max)
    else:
        _pass9(dst, d0, stride, s, offsets, rows, n, take_max)


@njit(**SERIAL)
def _hchunk(e, f, offsets, n, rows, left, w, tx, cval, length, take_max, dst, d0):
    """dst[d0 + r * w + x] = extreme of e[r * n + x .. r * n + x + length - 1] for r < rows, x < w: the
    rows of e (n = w + length - 1 entries each) hold the vertical extremes at [left, left + w); their border
    entries are filled from the table tx first. f is scratch like e. One pass for length <= 9; else windows
    of 1, 5, 25, ... (m -> 5m: one five-operand pass) while 5m < length, then the window of ``length``
    (m < length <= 5m) as five overlapping windows of m at offsets t * (length - m) // 4."""
    for r in range(rows):
        b = r * n
        for j in range(left):
            c = tx[j]
            e[b + j] = cval if c < 0 else e[b + left + c]
        for j in range(left + w, n):
            c = tx[j]
            e[b + j] = cval if c < 0 else e[b + left + c]
    if length <= 9:
        for r in range(rows):
            for t in range(length):
                offsets[r, t] = r * n + t
        _pass(dst, d0, w, e, offsets, rows, w, length, take_max)
        return
    m = 1
    cur_is_e = True
    while 5 * m < length:
        for r in range(rows):
            for t in range(5):
                offsets[r, t] = r * n + t * m
        if cur_is_e:
            _pass(f, 0, n, e, offsets, rows, n - 4 * m, 5, take_max)
        else:
            _pass(e, 0, n, f, offsets, rows, n - 4 * m, 5, take_max)
        cur_is_e = not cur_is_e
        m *= 5
    q = length - m
    for r in range(rows):
        for t in range(5):
            offsets[r, t] = r * n + t * q // 4
    if cur_is_e:
        _pass(dst, d0, w, e, offsets, rows, w, 5, take_max)
    else:
        _pass(dst, d0, w, f, offsets, rows, w, 5, take_max)


@njit(**SERIAL, fastmath={"reassoc"})
def _nonfinite(flat, start, n, zero):
    """The sum of x - x over flat[start:start + n], from ``zero`` (a 0 of the kernel's working type): exactly 0
    when every value is finite, NaN when one is NaN or +-inf (as fastdip._kernels.finite: only "reassoc",
    which lets the sum vectorise and keeps x - x; for integers always 0). Unsigned indices: with a signed
    ``range`` from an unknown start numba's negative-index check kept the loop scalar (512^2 float32: 124
    against 13 us)."""
    acc = zero
    one = np.uint64(1)
    i = np.uint64(start)
    end = np.uint64(start + n)
    while i < end:
        acc += flat[i] - flat[i]
        i += one
    return acc


@njit(**SERIAL)
def _rect_band(flat, res, base, h, w, tx, left, ty, cval, fh, fw, take_max, r0, r1):
    """Output rows r0 <= i < r1 of the plane starting at flat[base] (see rect_2d), in chunks of rows (returns 0
    when the image rows r0 <= i < r1 are all finite, else NaN: from the paired windows' centre rows, else
    ``_nonfinite`` over each chunk's rows after its vertical pass):
    the vertical extremes of a chunk into the rows of e (at [left, left + w)), then _hchunk. Vertical: one
    pass of up to nine rows for fh <= 9 (a row outside, ty = -1 in 'constant' mode, reads a row inside the
    window and cval is folded in afterwards), else van Herk blocks (they start at r0: any start is valid
    since they index the extended rows only through ty)."""
    # rows per chunk: enough to spread a call's cost (tens of ns), few enough for the scratch to stay in cache
    chunk = max(8, min(32, 65536 // (tx.size * flat.itemsize)))
    n = tx.size
    e = np.empty(chunk * n, flat.dtype)
    f = np.empty(chunk * n, flat.dtype)
    offsets = np.empty((chunk, 9), np.int64)
    outside = np.zeros(chunk, np.bool_)
    rowoffs = np.empty(chunk + 25, np.int64)  # the starts of a chunk's source rows (pairs of windows)
    zero = cval - cval
    bad = zero  # the sum of x - x over the image rows r0..r1: 0, or NaN for NaN or +-inf
    if fh <= 9:
        for c0 in range(r0, r1, chunk):
            rows = min(chunk, r1 - c0)
            inside = fh % 2 == 1 and fh >= 3 and rows >= 2
            for t in range(rows + fh - 1):
                j = ty[c0 + t]
                inside = inside and j >= 0
                rowoffs[t] = base + j * w
            if inside:
                # every row of the chunk's windows lies in the image: windows in pairs sharing fh - 1 rows
                bad += _vpairs(e, left, n, flat, rowoffs, rows, w, fh, take_max, zero)
                if rows % 2:
                    for t in range(fh):
                        offsets[0, t] = rowoffs[rows - 1 + t]
                    _pass(e, (rows - 1) * n + left, n, flat, offsets, 1, w, fh, take_max)
                    bad += _nonfinite(flat, base + (c0 + rows - 1) * w, w, zero)
                _hchunk(e, f, offsets, n, rows, left, w, tx, cval, fw, take_max, res, base + c0 * w)
                continue
            for r in range(rows):
                i = c0 + r
                valid = 0
                outside[r] = False
                for t in range(fh):
                    j = ty[i + t]
                    if j < 0:
                        outside[r] = True
                    else:
                        valid = j
                for t in range(fh):
                    j = ty[i + t]
                    offsets[r, t] = base + (j if j >= 0 else valid) * w
            _pass(e, left, n, flat, offsets, rows, w, fh, take_max)
            bad += _nonfinite(flat, base + c0 * w, rows * w, zero)
            for r in range(rows):
                if outside[r]:
                    _ext_scalar(e, r * n + left, cval, w, take_max)
            _hchunk(e, f, offsets, n, rows, left, w, tx, cval, fw, take_max, res, base + c0 * w)
        return bad
    if fh <= 25 and chunk >= fh:  # else the five-row extremes would be recomputed too often
        # g row r: the extreme of the five extended rows c0 + r .. c0 + r + 4; an output row is then the
        # extreme of five overlapping g rows at offsets t * (fh - 5) // 4 (gaps <= 5 since fh - 5 <= 20)
        g = np.empty((chunk + fh) * w, flat.dtype)
        goff = np.empty((chunk + fh, 9), np.int64)
        gout = np.zeros(chunk + fh, np.int64)
        const = np.full(w, cval, flat.dtype)
        q = fh - 5
        for c0 in range(r0, r1, chunk):
            rows = min(chunk, r1 - c0)
            grows = rows + q
            inside = grows >= 2
            for t in range(grows + 4):
                j = ty[c0 + t]
                inside = inside and j >= 0
                rowoffs[t] = base + j * w
            if inside:  # (the rows of five in pairs, as the short windows above)
                _vpairs(g, 0, w, flat, rowoffs, grows, w, 5, take_max, zero)
                if grows % 2:
                    for t in range(5):
                        offsets[0, t] = rowoffs[grows - 1 + t]
                    _pass(g, (grows - 1) * w, w, flat, offsets, 1, w, 5, take_max)
            for r in range(grows if not inside else 0):
                valid = -1
                gout[r] = 0
                for t in range(5):
                    j = ty[c0 + r + t]
                    if j < 0:
                        gout[r] += 1
                    else:
                        valid = j
                for t in range(5):
                    j = ty[c0 + r + t]
                    goff[r, t] = base + (j if j >= 0 else max(valid, 0)) * w
            if not inside:
                _pass(g, 0, w, flat, goff, grows, w, 5, take_max)
            for r in range(grows if not inside else 0):
                if gout[r] == 5:
                    _copy(g, r * w, const, 0, w)
                elif gout[r] > 0:
                    _ext_scalar(g, r * w, cval, w, take_max)
            for r in range(rows):
                for t in range(5):
                    offsets[r, t] = (r + t * q // 4) * w
            _pass(e, left, n, g, offsets, rows, w, 5, take_max)
            bad += _nonfinite(flat, base + c0 * w, rows * w, zero)
            _hchunk(e, f, offsets, n, rows, left, w, tx, cval, fw, take_max, res, base + c0 * w)
        return bad
    const = np.full(w, cval, flat.dtype)
    suffix = np.empty(fh * w, flat.dtype)
    prefix = np.empty(w, flat.dtype)
    other = np.empty(w, flat.dtype)  # (the running prefix alternates between two rows: see the module docstring)
    for b0 in range(r0, r1, fh):
        nt = min(fh, r1 - b0)
        j = ty[b0 + fh - 1]
        if j < 0:
            _copy(suffix, (fh - 1) * w, const, 0, w)
        else:
            _copy(suffix, (fh - 1) * w, flat, base + j * w, w)
        for t in range(fh - 2, -1, -1):
            j = ty[b0 + t]
            _ext_row(suffix, t * w, suffix, (t + 1) * w, flat, base + j * w, j, const, w, take_max)
        for t in range(nt):
            i = b0 + t
            r = (i - r0) % chunk
            if t == 0:
                _copy(e, r * n + left, suffix, 0, w)
            else:
                j = ty[b0 + fh + t - 1]
                if t == 1:
                    _load(prefix, flat, base + j * w, j, const, w)
                else:
                    _ext_row(other, 0, prefix, 0, flat, base + j * w, j, const, w, take_max)
                    prefix, other = other, prefix
                _ext(e, r * n + left, suffix, t * w, prefix, 0, w, take_max)
            if r == chunk - 1 or i == r1 - 1:
                _hchunk(e, f, offsets, n, r + 1, left, w, tx, cval, fw, take_max, res, base + (i - r) * w)
        bad += _nonfinite(flat, base + b0 * w, nt * w, zero)
    return bad


@njit(**SERIAL)
def rect_2d(src, tx, left, ty, cval, fh, fw, take_max, out, q0, q1):
    """Extreme over an fh x fw rectangle of every plane of src/out (P, H, W): per output row, the vertical
    extreme of the fh extended rows (ty), then the horizontal running extreme (tx, ``left`` columns before
    the image) into out; the rows q0 <= q < q1 of the P * H rows (all: 0, P * H; bands of them on threads:
    ``parallel._run_bands``, the same values). See the module docstring. Returns 0 when the rows q0 <= q < q1
    of src are all finite, else NaN (the wrapper's refusal of NaN then tests exactly)."""
    p, h, w = src.shape
    flat = src.reshape(-1)
    res = out.reshape(-1)
    bad = cval - cval
    for z in range(q0 // h, min(p, (q1 + h - 1) // h)):
        r0 = max(q0 - z * h, 0)
        r1 = min(q1 - z * h, h)
        if r1 > r0:
            bad += _rect_band(flat, res, z * h * w, h, w, tx, left, ty, cval, fh, fw, take_max, r0, r1)
    return bad


@njit(**SERIAL)
def vanherk_outer(src, table, cval, k, take_max, out):
    """Running extreme of k along axis 1 of src/out (A, B, C): out[a, i] = extreme of the extended rows
    X[i .. i + k - 1], X[j] = src[a, table[j]] (``cval`` rows where table[j] < 0), table of B + k - 1
    entries; direct for k <= 3, else van Herk / Gil-Werman blocks: out[b0 + t] = extreme(suffix[t],
    prefix[t - 1])."""
    na, nb, nc = src.shape
    flat = src.reshape(-1)
    res = out.reshape(-1)
    const = np.full(nc, cval, src.dtype)
    suffix = np.empty(max(k, 1) * nc, src.dtype)
    prefix = np.empty(nc, src.dtype)
    other = np.empty(nc, src.dtype)  # (running extremes alternate between two rows: see the module docstring)
    for a in range(na):
        base = a * nb * nc
        if k <= 3:
            for i in range(nb):
                j = table[i]
                _load(prefix, flat, base + j * nc, j, const, nc)
                for t in range(1, k):
                    j = table[i + t]
                    _ext_row(other, 0, prefix, 0, flat, base + j * nc, j, const, nc, take_max)
                    prefix, other = other, prefix
                _copy(res, base + i * nc, prefix, 0, nc)
            continue
        for b0 in range(0, nb, k):
            nt = min(k, nb - b0)
            j = table[b0 + k - 1]
            if j < 0:
                _copy(suffix, (k - 1) * nc, const, 0, nc)
            else:
                _copy(suffix, (k - 1) * nc, flat, base + j * nc, nc)
            for t in range(k - 2, -1, -1):
                j = table[b0 + t]
                _ext_row(suffix, t * nc, suffix, (t + 1) * nc, flat, base + j * nc, j, const, nc, take_max)
            _copy(res, base + b0 * nc, suffix, 0, nc)
            for t in range(1, nt):
                j = table[b0 + k + t - 1]
                if t == 1:
                    _load(prefix, flat, base + j * nc, j, const, nc)
                else:
                    _ext_row(other, 0, prefix, 0, flat, base + j * nc, j, const, nc, take_max)
                    prefix, other = other, prefix
                _ext(res, base + (b0 + t) * nc, suffix, t * nc, prefix, 0, nc, take_max)


@njit(**SERIAL)
def _row_runs(flat, start, w, table, left, cval, lengths, take_max, width, e, f, res, d0, stride):
    """The running extremes of the extended row flat[start:start + w] (``_extend``) for every window length in
    ``lengths`` (ascending, distinct), length li into res[d0 + li * stride + j] for j < min(width, n - L + 1):
    windows of 2, 4, 8, ... by doubling in the scratch rows e and f, each length from the largest power of two
    in it and one shifted extreme (van Herk 1992's idea of reusing partial extremes, in its doubling form)."""
    n = table.size
    _extend(e, flat, start, w, table, left, cval)
    m = 1
    cur_is_e = True
    for li in range(lengths.size):
        length = lengths[li]
        while 2 * m <= length:
            if cur_is_e:
                _ext(f, 0, e, 0, e, m, n - m, take_max)
            else:
                _ext(e, 0, f, 0, f, m, n - m, take_max)
            cur_is_e = not cur_is_e
            m *= 2
        count = min(width, n - length + 1)
        d = d0 + li * stride
        if cur_is_e:
            _ext(res, d, e, 0, e, length - m, count, take_max)
        else:
            _ext(res, d, f, 0, f, length - m, count, take_max)


@njit(**SERIAL)
def _finish_row(res, d, src, offs, m, outside, cval, w, ta, tb, offsets, take_max):
    """One output row: the extreme of the m runs at ``offs`` in ``src`` (``_combine``, nine a pass), and of
    ``cval`` if some run lies outside the image ('constant'). ``offsets``: (1, 9) scratch."""
    if m == 0:
        for x in range(w):
            res[d + x] = cval
        return
    _combine(res, d, w, src, offs[:m], 1, 0, ta, tb, offsets, take_max)
    if outside:
        _ext_scalar(res, d, cval, w, take_max)


@njit(**SERIAL)
def _ring_row(flat, base, w, tx, left, ty, cval, lengths, take_max, e, f, ring, inside, ex, fh, n):
    """The runs of extended row ``ex`` of the plane at ``base`` into ring slot ex % fh (``inside`` False for a
    row outside the image, 'constant': its runs are the constant)."""
    slot = ex % fh
    yy = ty[ex]
    if yy < 0:
        inside[slot] = False
        return
    inside[slot] = True
    _row_runs(flat, base + yy * w, w, tx, left, cval, lengths, take_max, n, e, f, ring, slot * n, fh * n)


@njit(**SERIAL)
def runs_ring_2d(src, tx, left, ty, cval, lengths, take_max, line_y, line_x, line_l, fh, out, q0, q1):
    """out[p, y, x] = extreme over a 2-D footprint given as row runs (run i: footprint row line_y[i], first
    column line_x[i], length lengths[line_l[i]]) of the (P, H, W) src extended by the tables tx (columns) and
    ty (rows; -1: ``cval``): the output rows q0 <= q < q1 (q = p * H + y; all: 0, P * H).

    The runs of the fh input rows an output row reads stay in a ring (slot = extended row % fh): each output
    row computes the runs of one new input row, then takes the extreme of its footprint's runs, so the
    scratch is fh rows of runs (the two-pass ``runs_rows`` + ``gather_lines`` keeps them for every row of the
    image: 2048^2 float32 with a disk of radius 5, 4 lengths, 67 MB). The same extremes in the same order:
    the same values."""
    p_count, h, w = src.shape
    n = tx.size
    flat = src.reshape(-1)
    res = out.reshape(-1)
    ring = np.empty(lengths.size * fh * n, src.dtype)
    inside = np.zeros(fh, np.bool_)
    e = np.empty(n, src.dtype)
    f = np.empty(n, src.dtype)
    ta = np.empty(w, src.dtype)
    tb = np.empty(w, src.dtype)
    stride = fh * n
    lines = line_y.size
    offs = np.empty(lines, np.int64)
    offsets = np.empty((1, 9), np.int64)
    q = q0
    while q < q1:
        p = q // h
        y0 = q - p * h
        y1 = min(h, y0 + q1 - q)
        base = p * h * w
        for ex in range(y0, y0 + fh - 1):
            _ring_row(flat, base, w, tx, left, ty, cval, lengths, take_max, e, f, ring, inside, ex, fh, n)
        for y in range(y0, y1):
            _ring_row(flat, base, w, tx, left, ty, cval, lengths, take_max, e, f, ring, inside, y + fh - 1, fh,
                      n)
            d = base + y * w
            m = 0
            for i in range(lines):
                slot = (y + line_y[i]) % fh
                if inside[slot]:
                    offs[m] = line_l[i] * stride + slot * n + line_x[i]
                    m += 1
            _finish_row(res, d, ring, offs, m, m < lines, cval, w, ta, tb, offsets, take_max)
        q += y1 - y0


@njit(**SERIAL)
def _extend_rows(ext, flat, base, w, tx, left, ty, y0, rows, cval):
    """Rows k < rows of ext (n = tx.size values each) = the extended image rows ty[y0 + k] of the plane at
    ``base`` (columns through tx); a row outside the image (ty = -1, 'constant') is all ``cval``, so every run
    over it is ``cval`` too."""
    n = tx.size
    for k in range(rows):
        e0 = k * n
        yy = ty[y0 + k]
        if yy < 0:
            for j in range(n):
                ext[e0 + j] = cval
            continue
        one = np.uint64(1)
        d = np.uint64(e0 + left)
        s = np.uint64(base + yy * w)
        i = np.uint64(0)
        end = np.uint64(w)
        while i < end:  # (the copy inline: a call per row is what this kernel avoids)
            ext[d + i] = flat[s + i]
            i += one
        for j in range(left):
            c = tx[j]
            ext[e0 + j] = cval if c < 0 else flat[base + yy * w + c]
        for j in range(left + w, n):
            c = tx[j]
            ext[e0 + j] = cval if c < 0 else flat[base + yy * w + c]


@njit(**SERIAL)
def runs_chunks_2d(src, tx, left, ty, cval, lengths, take_max, line_y, line_x, line_l, fh, chunk, out, q0, q1):
    """``runs_ring_2d``'s result in blocks of ``chunk`` output rows, for short footprints: the chunk + fh - 1
    extended input rows a block reads lie one after another in one buffer, so each doubling and each run
    length is one pass over the whole block (values near a row's end mix in the next row, but no run ever
    reads them: a run of length L at first column dx reads up to dx + w - 1 + L - 1 <= n - 1), and each run of
    the footprint one call over the block's rows. A short row's work is then not dwarfed by the fixed cost of
    a kernel call (~0.25 us a row with 11 calls: 512^2 uint8 disk r=2 ~0.7 ns a pixel in the ring, 0.28 at
    4096 columns). The fh - 1 rows above a block are computed again for it."""
    p_count, h, w = src.shape
    n = tx.size
    flat = src.reshape(-1)
    res = out.reshape(-1)
    nl = lengths.size
    rows_max = chunk + fh - 1
    size = rows_max * n
    e = np.empty(size, src.dtype)
    f = np.empty(size, src.dtype)
    runs = np.empty(nl * size, src.dtype)
    ta = np.empty(chunk * w, src.dtype)
    tb = np.empty(chunk * w, src.dtype)
    offsets = np.empty((chunk, 9), np.int64)
    line_base = line_l * size + line_y * n + line_x  # each footprint run's first read in the buffer of runs
    q = q0
    while q < q1:
        p = q // h
        y_start = q - p * h
        y_end = min(h, y_start + q1 - q)
        base = p * h * w
        for y0 in range(y_start, y_end, chunk):
            rows = min(chunk, y_end - y0)
            k_rows = rows + fh - 1
            total = k_rows * n
            _extend_rows(e, flat, base, w, tx, left, ty, y0, k_rows, cval)
            m = 1
            cur_is_e = True
            for li in range(nl):
                length = lengths[li]
                while 2 * m <= length:
                    if cur_is_e:
                        _ext(f, 0, e, 0, e, m, total - m, take_max)
                    else:
                        _ext(e, 0, f, 0, f, m, total - m, take_max)
                    cur_is_e = not cur_is_e
                    m *= 2
                shift = length - m
                if cur_is_e:
                    _ext(runs, li * size, e, 0, e, shift, total - shift, take_max)
                else:
                    _ext(runs, li * size, f, 0, f, shift, total - shift, take_max)
            _combine(res, base + y0 * w, w, runs, line_base, rows, n, ta, tb, offsets, take_max)
        q += y_end - y_start


@njit(**SERIAL)
def _pass_after(dst, d0, dstride, prev, p0, pstride, s, offsets, rows, n, take_max):
    """dst row r = the extreme of prev row r and of the 8 reads s[offsets[r, t] + x], t < 8, for r < rows
    (``_pass`` with a ninth operand from another array: the running result of the taps before)."""
    one = np.uint64(1)
    end = np.uint64(n)
    for r in range(rows):
        d = np.uint64(d0 + r * dstride)
        pp = np.uint64(p0 + r * pstride)
        o0 = np.uint64(offsets[r, 0])
        o1 = np.uint64(offsets[r, 1])
        o2 = np.uint64(offsets[r, 2])
        o3 = np.uint64(offsets[r, 3])
        o4 = np.uint64(offsets[r, 4])
        o5 = np.uint64(offsets[r, 5])
        o6 = np.uint64(offsets[r, 6])
        o7 = np.uint64(offsets[r, 7])
        x = np.uint64(0)
        if take_max:
            while x < end:
                lo = max(max(s[o0 + x], s[o1 + x]), max(s[o2 + x], s[o3 + x]))
                hi = max(max(s[o4 + x], s[o5 + x]), max(s[o6 + x], s[o7 + x]))
                dst[d + x] = max(prev[pp + x], max(lo, hi))
                x += one
        else:
            while x < end:
                lo = min(min(s[o0 + x], s[o1 + x]), min(s[o2 + x], s[o3 + x]))
                hi = min(min(s[o4 + x], s[o5 + x]), min(s[o6 + x], s[o7 + x]))
                dst[d + x] = min(prev[pp + x], min(lo, hi))
                x += one


@njit(**SERIAL)
def _pass_after4(dst, d0, dstride, prev, p0, pstride, s, offsets, rows, n, take_max):
    """``_pass_after`` with 4 reads (offsets[r, :4]) besides prev row r."""
    one = np.uint64(1)
    end = np.uint64(n)
    for r in range(rows):
        d = np.uint64(d0 + r * dstride)
        pp = np.uint64(p0 + r * pstride)
        o0 = np.uint64(offsets[r, 0])
        o1 = np.uint64(offsets[r, 1])
        o2 = np.uint64(offsets[r, 2])
        o3 = np.uint64(offsets[r, 3])
        x = np.uint64(0)
        if take_max:
            while x < end:
                dst[d + x] = max(prev[pp + x], max(max(s[o0 + x], s[o1 + x]), max(s[o2 + x], s[o3 + x])))
                x += one
        else:
            while x < end:
                dst[d + x] = min(prev[pp + x], min(min(s[o0 + x], s[o1 + x]), min(s[o2 + x], s[o3 + x])))
                x += one


@njit(**SERIAL)
def _combine(res, d0, w, s, tap_base, rows, n, ta, tb, offsets, take_max):
    """res[d0 + r w + x] = the extreme over t of s[tap_base[t] + r n + x], for r < rows, x < w: passes of up
    to nine reads a value, one call over the rows each; the first takes nine taps, every further one the
    result so far (rows of ta / tb, alternately) and eight more, or four when at most four are left
    (``_pass_after``, ``_pass_after4``; fewer taps than a pass reads repeat the last one: the extreme is
    idempotent), the last writes res. ceil((T - 1) / 8) passes for T taps. ``offsets``: (rows, 9) scratch."""
    taps = tap_base.size
    k = min(taps, 9)
    for r in range(rows):
        for t in range(k):
            offsets[r, t] = r * n + tap_base[t]
    if k == taps:
        _pass(res, d0, w, s, offsets, rows, w, k, take_max)
        return
    _pass(ta, 0, w, s, offsets, rows, w, k, take_max)
    cur_is_a = True
    t0 = k
    while t0 < taps:
        m = min(8, taps - t0)
        width = 4 if m <= 4 else 8
        for r in range(rows):
            for t in range(width):
                offsets[r, t] = r * n + tap_base[t0 + min(t, m - 1)]
        t0 += m
        prev = ta if cur_is_a else tb
        dst = res if t0 >= taps else (tb if cur_is_a else ta)
        dd = d0 if t0 >= taps else 0
        if width == 4:
            _pass_after4(dst, dd, w, prev, 0, w, s, offsets, rows, w, take_max)
        else:
            _pass_after(dst, dd, w, prev, 0, w, s, offsets, rows, w, take_max)
        cur_is_a = not cur_is_a


@njit(**SERIAL)
def taps_chunks_2d(src, tx, left, ty, cval, take_max, tap_y, tap_x, fh, chunk, out, q0, q1):
    """The extreme over a small 2-D footprint read tap by tap, in blocks of ``chunk`` output rows: the
    block's chunk + fh - 1 extended input rows back to back in one buffer (as ``runs_chunks_2d``), then the
    footprint's T taps (row tap_y[t], extended column tap_x[t]) in passes of up to nine reads a value, one
    call over the block's rows each: the first takes nine taps, every further one the result so far and
    eight more (``_pass_after``), the last writes ``out``. ceil((T - 1) / 8) passes in all, with no
    intermediate rows for the runs: for footprints of a few taps (a 3x3 cross: 5, a disk of radius 2: 21)
    this is fewer loads and stores than the runs' doublings (OpenCV's direct filter computes the same
    extreme of shifted rows, van Herk 1992 for the long ones)."""
    p_count, h, w = src.shape
    n = tx.size
    flat = src.reshape(-1)
    res = out.reshape(-1)
    taps = tap_y.size
    e = np.empty((chunk + fh - 1) * n, src.dtype)
    ta = np.empty(chunk * w, src.dtype)
    tb = np.empty(chunk * w, src.dtype)
    offsets = np.empty((chunk, 9), np.int64)
    tap_base = tap_y * n + tap_x
    q = q0
    while q < q1:
        p = q // h
        y_start = q - p * h
        y_end = min(h, y_start + q1 - q)
        base = p * h * w
        for y0 in range(y_start, y_end, chunk):
            rows = min(chunk, y_end - y0)
            _extend_rows(e, flat, base, w, tx, left, ty, y0, rows + fh - 1, cval)
            _combine(res, base + y0 * w, w, e, tap_base, rows, n, ta, tb, offsets, take_max)
        q += y_end - y_start


@njit(**SERIAL)
def _runs_band(flat, res, rows, w, table, left, cval, lengths, take_max, width, r0, r1):
    """Rows r0 <= r < r1 of runs_rows."""
    n = table.size
    e = np.empty(n, flat.dtype)
    f = np.empty(n, flat.dtype)
    for r in range(r0, r1):
        _row_runs(flat, r * w, w, table, left, cval, lengths, take_max, width, e, f, res, r * width, rows * width)


@njit(**SERIAL)
def runs_rows(src, table, left, cval, lengths, take_max, out, r0, r1):
    """Running extremes along the last axis of src (R, w) for each window length in ``lengths`` (ascending,
    distinct): out[l, r, j] = extreme of E[j .. j + L - 1] for j < min(out.shape[2], n - L + 1), where E is
    row r extended to n = table.size positions (E[j] = src[r, j - left] inside, table elsewhere); the rows
    r0 <= r < r1 (all: 0, R)."""
    rows, w = src.shape
    _runs_band(src.reshape(-1), out.reshape(-1), rows, w, table, left, cval, lengths, take_max, out.shape[2],
               r0, r1)


@njit(**SERIAL)
def _gather_band(runs, rows, width, res, h, w, tz, ty, cval, line_z, line_y, line_x, line_l, take_max, q0, q1):
    """Output rows q0 <= q < q1 (q = z * h + y) of gather_lines."""
    n = line_z.size
    offs = np.empty(n, np.int64)
    ta = np.empty(w, res.dtype)
    tb = np.empty(w, res.dtype)
    offsets = np.empty((1, 9), np.int64)
    for q in range(q0, q1):
        z = q // h
        y = q - z * h
        m = 0
        for i in range(n):
            zz = tz[z + line_z[i]]
            yy = ty[y + line_y[i]]
            if zz >= 0 and yy >= 0:
                offs[m] = (line_l[i] * rows + zz * h + yy) * width + line_x[i]
                m += 1
        _finish_row(res, q * w, runs, offs, m, m < n, cval, w, ta, tb, offsets, take_max)


@njit(**SERIAL)
def gather_lines(h_runs, tz, ty, cval, line_z, line_y, line_x, line_l, take_max, out, q0, q1):
    """out[z, y, x] = extreme over the footprint's runs i of h_runs[line_l[i], row, x + line_x[i]], row the
    image row (tz[z + line_z[i]], ty[y + line_y[i]]) (``cval`` where a table gives -1); h_runs is
    (n_lengths, P * H, width) from ``runs_rows``, out is (P, H, W); the output rows q = z * H + y in
    [q0, q1) (all: 0, P * H)."""
    p, h, w = out.shape
    _, rows, width = h_runs.shape
    _gather_band(h_runs.reshape(-1), rows, width, out.reshape(-1), h, w, tz, ty, cval, line_z, line_y, line_x,
                 line_l, take_max, q0, q1)
