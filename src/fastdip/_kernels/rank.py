"""Rank, minimum and maximum kernels for any footprint: selection networks on row chunks, gather-and-select,
and separable running minimum/maximum passes for rectangles.

Like _kernels/median.py, kernels see the border only through index tables (extended index -> image index,
-1 for ``cval``), and vectorised loops index with uint64 in ``while`` loops (with signed indices numba keeps
its negative-index checks in the loop and LLVM does not vectorise it).

* ``rank_network``: any footprint of up to ~1000 elements and any rank. Row i of an (n, chunk) buffer holds
  footprint element i for ``chunk`` neighbouring outputs; a Batcher odd-even merge sorting network, pruned
  (by the wrapper) to the comparators the wanted output position depends on, runs as vector min/max over
  whole buffer rows; buffer row k is the answer. Branch-free, so ties and data order cost nothing.
* ``rank_select``: every output gathers its footprint's values and selects the k-th with Hoare's FIND
  (quickselect, median-of-three pivot, insertion sort below 16 elements); k = 0 and k = n - 1 are a plain
  minimum / maximum. For the largest footprints.
* ``extreme_rows``: running min/max along the contiguous axis by doubling (windows of 1, 2, 4, ... combined,
  then two overlapping windows of the largest power of two cover the size): log2(size) + 1 vectorised passes
  over an extended copy of the row.
* ``extreme_outer``: running min/max along an outer axis by van Herk / Gil-Werman (blocks of ``size``
  rows; suffix extremes within the block, prefix extremes into the next one; three operations per pixel
  whatever the size), on whole rows at a time, so every operation is a vector min/max over contiguous memory.
"""

import numpy as np

from ._config import SERIAL, njit

# ----------------------------------------------------------------------------------------- gather and select


@njit(**SERIAL)
def _select(a, n, k):
    """The k-th smallest (0-based) of a[:n], partially reordering a (Hoare's FIND)."""
    lo = 0
    hi = n - 1
    while hi - lo > 16:
        mid = (lo + hi) >> 1
        if a[mid] < a[lo]:
            a[mid], a[lo] = a[lo], a[mid]
        if a[hi] < a[lo]:
            a[hi], a[lo] = a[lo], a[hi]
        if a[hi] < a[mid]:
            a[hi], a[mid] = a[mid], a[hi]
        pivot = a[mid]
        i = lo
        j = hi
        while i <= j:
            while a[i] < pivot:
                i += 1
            while pivot < a[j]:
                j -= 1
            if i <= j:
                a[i], a[j] = a[j], a[i]
                i += 1
                j -= 1
        if k <= j:
            hi = j
        elif k >= i:
            lo = i
        else:
            return a[k]
    for i in range(lo + 1, hi + 1):
        v = a[i]
        j = i - 1
        while j >= lo and a[j] > v:
            a[j + 1] = a[j]
            j -= 1
        a[j + 1] = v
    return a[k]


@njit(**SERIAL)
def rank_select(image, tz, ty, tx, cval, line_z, line_y, all_l, all_x, k, out, q0, q1):
    """The k-th smallest value under a footprint at every voxel of rows q0 <= q < q1 (row q = plane q // h,
    row q % h) of a (p, h, w) array; the footprint is its lines (line_z, line_y) and its elements as
    (line, column offset) pairs (all_l, all_x)."""
    p, h, w = image.shape
    flat = image.reshape(-1)
    n = all_l.size
    buf = np.empty(n, image.dtype)
    base = np.empty(line_z.size, np.int64)
    for q in range(q0, q1):
        z = q // h
        y = q - z * h
        for i in range(line_z.size):
            zz = tz[z + line_z[i]]
            yy = ty[y + line_y[i]]
            base[i] = -1 if (zz < 0 or yy < 0) else (zz * h + yy) * w
        for x in range(w):
            for i in range(n):
                b = base[all_l[i]]
                c = tx[x + all_x[i]]
                buf[i] = cval if (b < 0 or c < 0) else flat[b + c]
            if k == 0:
                v = buf[0]
                for i in range(1, n):
                    v = min(v, buf[i])
            elif k == n - 1:
                v = buf[0]
                for i in range(1, n):
                    v = max(v, buf[i])
            else:
                v = _select(buf, n, k)
            out[z, y, x] = v


# ---------------------------------------------------------------------- selection networks, any footprint


@njit(**SERIAL)
def _load_row(reg, i, flat, b, tx, cval, x0, dx, rx, w, nc):
    """reg[i, c] = the value at extended column x0 + c + dx of the row starting at flat[b] (cval outside), for
    c < nc: a plain copy where the table is the identity, the table elsewhere."""
    ri = np.uint64(i)
    if b < 0:
        for c in range(nc):
            reg[ri, c] = cval
        return
    lo = min(max(rx - x0 - dx, 0), nc)  # columns c in [lo, hi) read image column x0 + c + dx - rx
    hi = max(min(rx + w - x0 - dx, nc), lo)
    for c in range(lo):
        col = tx[x0 + c + dx]
        reg[ri, c] = cval if col < 0 else flat[b + col]
    one = np.uint64(1)
    src = np.uint64(b + x0 + dx - rx)
    c = np.uint64(lo)
    end = np.uint64(hi)
    while c < end:
        reg[ri, c] = flat[src + c]
        c += one
    for c in range(hi, nc):
        col = tx[x0 + c + dx]
        reg[ri, c] = cval if col < 0 else flat[b + col]


@njit(**SERIAL)
def _run_network(reg, kind, op_a, op_b, nc):
    """Apply compare-exchange operations to the first nc columns of the rows of reg: kind 0 sorts the pair
    (a, b), 1 keeps only the minimum (in a), 2 only the maximum (in b)."""
    one = np.uint64(1)
    end = np.uint64(nc)
    for t in range(kind.size):
        a = np.uint64(op_a[t])
        b = np.uint64(op_b[t])
        c = np.uint64(0)
        if kind[t] == 0:
            while c < end:
                x = reg[a, c]
                y = reg[b, c]
                reg[a, c] = min(x, y)
                reg[b, c] = max(x, y)
                c += one
        elif kind[t] == 1:
            while c < end:
                reg[a, c] = min(reg[a, c], reg[b, c])
                c += one
        else:
            while c < end:
                reg[b, c] = max(reg[a, c], reg[b, c])
                c += one


@njit(**SERIAL)
def rank_network(image, tz, ty, tx, cval, line_z, line_y, all_l, all_x, kind, op_a, op_b, k, chunk, out, q0, q1):
    """The k-th smallest value under a footprint at every voxel of rows q0 <= q < q1 of a (p, h, w) array,
    through a selection network applied to whole row chunks: row i of a (n, chunk) buffer holds footprint
    element i for ``chunk`` neighbouring outputs, the network's compare-exchanges (kind, op_a, op_b: a
    Batcher sorting network pruned to the outputs position k depends on) are vector min/max over those rows,
    and row k is the result. tx maps extended column e to e - rx inside the image (rx = (len(tx) - w) // 2)."""
    p, h, w = image.shape
    flat = image.reshape(-1)
    n = all_l.size
    rx = (tx.size - w) // 2
    base = np.empty(line_z.size, np.int64)
    reg = np.empty((n, min(chunk, w)), image.dtype)
    for q in range(q0, q1):
        z = q // h
        y = q - z * h
        for i in range(line_z.size):
            zz = tz[z + line_z[i]]
            yy = ty[y + line_y[i]]
            base[i] = -1 if (zz < 0 or yy < 0) else (zz * h + yy) * w
        for x0 in range(0, w, chunk):
            nc = min(chunk, w - x0)
            for i in range(n):
                _load_row(reg, i, flat, base[all_l[i]], tx, cval, x0, all_x[i], rx, w, nc)
            _run_network(reg, kind, op_a, op_b, nc)
            o = out[z, y]
            for c in range(nc):
                o[x0 + c] = reg[k, c]


# ------------------------------------------------------------------------------ separable minimum / maximum


@njit(**SERIAL)
def _combine(dst, a, b, n, take_max):
    """dst[i] = max(a[i], b[i]) (or min) for i < n. uint64 indices in a while loop: numba's negative-index
    checks would otherwise stay in the loop and stop LLVM from vectorising it."""
    one = np.uint64(1)
    end = np.uint64(n)
    i = np.uint64(0)
    if take_max:
        while i < end:
            dst[i] = max(a[i], b[i])
            i += one
    else:
        while i < end:
            dst[i] = min(a[i], b[i])
            i += one


@njit(**SERIAL)
def _copy(dst, src, n):
    """dst[i] = src[i] for i < n (a vectorised loop; numba's slice assignment copies element by element)."""
    one = np.uint64(1)
    end = np.uint64(n)
    i = np.uint64(0)
    while i < end:
        dst[i] = src[i]
        i += one


@njit(**SERIAL)
def extreme_rows(src, table, cval, size, take_max, out):
    """Running minimum (take_max False) or maximum of ``size`` along the last axis of the 2-D arrays src/out;
    ``table`` has n + size - 1 entries and maps extended column c to c - size // 2 inside the image."""
    a, n = src.shape
    r = size // 2
    ne = n + size - 1
    cur = np.empty(ne, src.dtype)
    nxt = np.empty(ne, src.dtype)
    for i in range(a):
        row = src[i]
        _copy(cur[r:], row, n)
        for c in range(r):
            x = table[c]
            cur[c] = cval if x < 0 else row[x]
        for c in range(r + n, ne):
            x = table[c]
            cur[c] = cval if x < 0 else row[x]
        width = 1
        length = ne
        while 2 * width <= size:
            length -= width
            _combine(nxt, cur, cur[width:], length, take_max)
            cur, nxt = nxt, cur
            width *= 2
        _combine(out[i], cur, cur[size - width:], n, take_max)


@njit(**SERIAL)
def _ext_row(src, i, table, k, const):
    j = table[k]
    if j < 0:
        return const
    return src[i, j]


@njit(**SERIAL)
def extreme_outer(src, table, cval, size, take_max, out):
    """Running minimum or maximum of ``size`` along axis 1 of the 3-D arrays src/out (a, n, b), van Herk /
    Gil-Werman on whole rows of b values (in chunks of 4096 so the block buffer stays in cache)."""
    a, n, b = src.shape
    const = np.full(b, cval, src.dtype)
    chunk = min(b, 4096)
    suffix = np.empty((size, chunk), src.dtype)
    run = np.empty(chunk, src.dtype)
    run2 = np.empty(chunk, src.dtype)
    for i in range(a):
        for b0 in range(0, b, chunk):
            nb = min(b, b0 + chunk) - b0
            for start in range(0, n, size):
                # suffix extremes of extended rows start .. start + size - 1
                row = _ext_row(src, i, table, start + size - 1, const)
                _copy(suffix[size - 1], row[b0:], nb)
                for t in range(size - 2, -1, -1):
                    row = _ext_row(src, i, table, start + t, const)
                    _combine(suffix[t], row[b0:], suffix[t + 1], nb, take_max)
                _copy(out[i, start, b0:], suffix[0], nb)
                # output start + t: suffix[t] and the running extreme of the next block's first t rows
                for t in range(1, min(size, n - start)):
                    row = _ext_row(src, i, table, start + size + t - 1, const)
                    if t == 1:
                        _copy(run, row[b0:], nb)
                    else:
                        _combine(run2, run, row[b0:], nb, take_max)
                        run, run2 = run2, run
                    _combine(out[i, start + t, b0:], suffix[t], run, nb, take_max)
