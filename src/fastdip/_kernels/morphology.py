"""Kernels for fastdip.morphology: flat erosion (running minimum) and dilation (running maximum).

Layout. Images reach these kernels as C-contiguous ``(P, H, W)`` stacks (a 2-D image is one plane, a 1-D
image one row) of uint8, uint16, float32 or float64. Borders enter only through index tables built by the
wrapper: ``table[j]`` is the image index that extended position ``j`` reads, or -1 for ``cval``.

* ``rect_2d``: a rectangle on every plane, fused row by row so that intermediates stay in cache: the
  vertical extreme of the rectangle's rows (two direct vector operations for heights up to 3, else van Herk /
  Gil-Werman: suffix extremes of a block of rows and prefix extremes of the next one, three operations per
  pixel whatever the height), then the horizontal running extreme of that row by doubling (windows of 1, 2,
  4, ... combined; a window of length L is two overlapping windows of the largest power of two m <= L:
  log2(L) + 1 vector passes) straight into the output.
* ``vanherk_outer``: running extremes along the middle axis of an ``(A, B, C)`` array (van Herk on whole
  rows of C values), for the plane axis of boxes.
* ``runs_rows`` + ``gather_lines``: any other flat footprint, decomposed into its row runs (plane offset,
  row offset, first column, length). ``runs_rows`` computes the horizontal running extreme of every distinct
  run length (doubling, all lengths in one sweep); ``gather_lines`` takes, for each output row, the extreme
  over the runs of shifted rows of those results (one vector min/max per run and pixel). A disk of radius 5
  is 11 runs of 4 lengths.

Speed. Inner loops run over uint64 indices in ``while`` loops so that numba drops its negative-index checks
and LLVM vectorises them, and they address flat arrays by offsets: a slice (a new array view) per row costs
about 10-20 ns in reference counting, which was half the time of a 512 x 512 erosion. An in-place update
whose destination is also a source operand is not vectorised (LLVM's overlap check fails), hence
``_ext_into``. ``rect_2d``, ``runs_rows`` and ``gather_lines`` have parallel twins that split the rows into
bands (each band with its own scratch rows), used above PARALLEL_MIN_PIXELS. Measured on 2048^2 uint8 (this
2-core machine, quiet): 3x3 0.5 ms serial, 0.25 ms parallel (OpenCV's erode 0.4-0.6 ms); 15x15 0.55 / 0.28 ms;
disk r=5 3 / 1.1 ms (OpenCV 1.9-3.8 ms). With the cores busy with other work, a parallel call sometimes
waited a scheduler tick (8 ms).
"""

import numpy as np
from numba import njit, prange

from ._config import PARALLEL, SERIAL


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
def _ext_into(dst, d, b, ib, n, take_max):
    """dst[d + i] = max(dst[d + i], b[ib + i]) (or the minimum) for i < n."""
    one = np.uint64(1)
    end = np.uint64(n)
    d = np.uint64(d)
    ib = np.uint64(ib)
    i = np.uint64(0)
    if take_max:
        while i < end:
            dst[d + i] = max(dst[d + i], b[ib + i])
            i += one
    else:
        while i < end:
            dst[d + i] = min(dst[d + i], b[ib + i])
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
def _row_extreme(v, e, f, tx, left, cval, length, take_max, dst, d):
    """dst[d + x] = extreme of the extended row v over columns x .. x + length - 1 (x < v.size); e and f are
    scratch rows of tx.size."""
    w = v.size
    n = tx.size
    _extend(e, v, 0, w, tx, left, cval)
    m = 1
    cur_is_e = True
    while 2 * m <= length:
        if cur_is_e:
            _ext(f, 0, e, 0, e, m, n - m, take_max)
        else:
            _ext(e, 0, f, 0, f, m, n - m, take_max)
        cur_is_e = not cur_is_e
        m *= 2
    if cur_is_e:
        _ext(dst, d, e, 0, e, length - m, w, take_max)
    else:
        _ext(dst, d, f, 0, f, length - m, w, take_max)


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
def _ext_row_into(dst, d, flat, start, j, const, w, take_max):
    if j < 0:
        _ext_into(dst, d, const, 0, w, take_max)
    else:
        _ext_into(dst, d, flat, start, w, take_max)


@njit(**SERIAL)
def _rect_band(flat, res, base, h, w, tx, left, ty, cval, fh, fw, take_max, r0, r1):
    """Output rows r0 <= i < r1 of the plane starting at flat[base] (see rect_2d); van Herk blocks start at
    r0 (any start is valid: the blocks only index the extended rows through ty)."""
    n = tx.size
    const = np.full(w, cval, flat.dtype)
    e = np.empty(n, flat.dtype)
    f = np.empty(n, flat.dtype)
    v = np.empty(w, flat.dtype)
    if fh <= 3:
        for i in range(r0, r1):
            j = ty[i]
            _load(v, flat, base + j * w, j, const, w)
            for t in range(1, fh):
                j = ty[i + t]
                _ext_row_into(v, 0, flat, base + j * w, j, const, w, take_max)
            _row_extreme(v, e, f, tx, left, cval, fw, take_max, res, base + i * w)
        return
    suffix = np.empty(fh * w, flat.dtype)
    prefix = np.empty(w, flat.dtype)
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
        _copy(v, 0, suffix, 0, w)
        _row_extreme(v, e, f, tx, left, cval, fw, take_max, res, base + b0 * w)
        for t in range(1, nt):
            j = ty[b0 + fh + t - 1]
            if t == 1:
                _load(prefix, flat, base + j * w, j, const, w)
            else:
                _ext_row_into(prefix, 0, flat, base + j * w, j, const, w, take_max)
            _ext(v, 0, suffix, t * w, prefix, 0, w, take_max)
            _row_extreme(v, e, f, tx, left, cval, fw, take_max, res, base + (b0 + t) * w)


@njit(**SERIAL)
def rect_2d(src, tx, left, ty, cval, fh, fw, take_max, out):
    """Extreme over an fh x fw rectangle of every plane of src/out (P, H, W): per output row, the vertical
    extreme of the fh extended rows (ty), then the horizontal running extreme (tx, ``left`` columns before
    the image) into out. See the module docstring."""
    p, h, w = src.shape
    flat = src.reshape(-1)
    res = out.reshape(-1)
    for z in range(p):
        _rect_band(flat, res, z * h * w, h, w, tx, left, ty, cval, fh, fw, take_max, 0, h)


@njit(**PARALLEL)
def rect_2d_parallel(src, tx, left, ty, cval, fh, fw, take_max, out, n_bands):
    """rect_2d with the rows of each plane split into ``n_bands`` bands run in parallel."""
    p, h, w = src.shape
    flat = src.reshape(-1)
    res = out.reshape(-1)
    for q in prange(p * n_bands):
        z = q // n_bands
        b = q - z * n_bands
        _rect_band(flat, res, z * h * w, h, w, tx, left, ty, cval, fh, fw, take_max, h * b // n_bands,
                   h * (b + 1) // n_bands)


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
    for a in range(na):
        base = a * nb * nc
        if k <= 3:
            for i in range(nb):
                j = table[i]
                _load(prefix, flat, base + j * nc, j, const, nc)
                for t in range(1, k):
                    j = table[i + t]
                    _ext_row_into(prefix, 0, flat, base + j * nc, j, const, nc, take_max)
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
                    _ext_row_into(prefix, 0, flat, base + j * nc, j, const, nc, take_max)
                _ext(res, base + (b0 + t) * nc, suffix, t * nc, prefix, 0, nc, take_max)


@njit(**SERIAL)
def _runs_band(flat, res, rows, w, table, left, cval, lengths, take_max, width, r0, r1):
    """Rows r0 <= r < r1 of runs_rows."""
    n = table.size
    e = np.empty(n, flat.dtype)
    f = np.empty(n, flat.dtype)
    for r in range(r0, r1):
        _extend(e, flat, r * w, w, table, left, cval)
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
            d = (li * rows + r) * width
            if cur_is_e:
                _ext(res, d, e, 0, e, length - m, count, take_max)
            else:
                _ext(res, d, f, 0, f, length - m, count, take_max)


@njit(**SERIAL)
def runs_rows(src, table, left, cval, lengths, take_max, out):
    """Running extremes along the last axis of src (R, w) for each window length in ``lengths`` (ascending,
    distinct): out[l, r, j] = extreme of E[j .. j + L - 1] for j < min(out.shape[2], n - L + 1), where E is
    row r extended to n = table.size positions (E[j] = src[r, j - left] inside, table elsewhere)."""
    rows, w = src.shape
    _runs_band(src.reshape(-1), out.reshape(-1), rows, w, table, left, cval, lengths, take_max, out.shape[2],
               0, rows)


@njit(**PARALLEL)
def runs_rows_parallel(src, table, left, cval, lengths, take_max, out, n_bands):
    """runs_rows over ``n_bands`` bands of rows in parallel."""
    rows, w = src.shape
    flat = src.reshape(-1)
    res = out.reshape(-1)
    for b in prange(n_bands):
        _runs_band(flat, res, rows, w, table, left, cval, lengths, take_max, out.shape[2], rows * b // n_bands,
                   rows * (b + 1) // n_bands)


@njit(**SERIAL)
def _gather_band(runs, rows, width, res, h, w, tz, ty, cval, line_z, line_y, line_x, line_l, take_max, q0, q1):
    """Output rows q0 <= q < q1 (q = z * h + y) of gather_lines."""
    n = line_z.size
    for q in range(q0, q1):
        z = q // h
        y = q - z * h
        d = q * w
        first = True
        outside = False
        for i in range(n):
            zz = tz[z + line_z[i]]
            yy = ty[y + line_y[i]]
            if zz < 0 or yy < 0:
                outside = True
                continue
            s = (line_l[i] * rows + zz * h + yy) * width + line_x[i]
            if first:
                _copy(res, d, runs, s, w)
                first = False
            else:
                _ext_into(res, d, runs, s, w, take_max)
        if outside:
            if first:
                for x in range(w):
                    res[d + x] = cval
            else:
                _ext_scalar(res, d, cval, w, take_max)


@njit(**SERIAL)
def gather_lines(h_runs, tz, ty, cval, line_z, line_y, line_x, line_l, take_max, out):
    """out[z, y, x] = extreme over the footprint's runs i of h_runs[line_l[i], row, x + line_x[i]], row the
    image row (tz[z + line_z[i]], ty[y + line_y[i]]) (``cval`` where a table gives -1); h_runs is
    (n_lengths, P * H, width) from ``runs_rows``, out is (P, H, W)."""
    p, h, w = out.shape
    _, rows, width = h_runs.shape
    _gather_band(h_runs.reshape(-1), rows, width, out.reshape(-1), h, w, tz, ty, cval, line_z, line_y, line_x,
                 line_l, take_max, 0, p * h)


@njit(**PARALLEL)
def gather_lines_parallel(h_runs, tz, ty, cval, line_z, line_y, line_x, line_l, take_max, out, n_bands):
    """gather_lines over ``n_bands`` bands of output rows in parallel."""
    p, h, w = out.shape
    _, rows, width = h_runs.shape
    runs = h_runs.reshape(-1)
    res = out.reshape(-1)
    total = p * h
    for b in prange(n_bands):
        _gather_band(runs, rows, width, res, h, w, tz, ty, cval, line_z, line_y, line_x, line_l, take_max,
                     total * b // n_bands, total * (b + 1) // n_bands)
