"""Kernels for fastdip.segmentation's clustering: multi-Otsu's dynamic programme over a histogram, k-means
(assignment and update steps of Lloyd's algorithm), and mean-shift filtering with flat kernels.

Layout. Feature vectors reach these kernels as C-contiguous ``(N, C)`` float64 arrays (N pixels, C channels,
C = 1 for grey images); mean-shift filtering gets the image planar, ``(C, H, W)`` (uint8, uint16 or float64),
and writes channel-last ``(H, W, C)`` float64 modes.
"""

import math

import numpy as np

from ._config import SERIAL, njit


@njit(**SERIAL)
def multi_otsu_dp(prefix_w, prefix_s, table, choice, cuts):
    """Exact multi-level Otsu over n occupied levels by dynamic programming on suffixes.

    ``prefix_w[i]``, ``prefix_s[i]``: count and level sum of levels ``< i`` (length n + 1). ``table[j, a]`` is the
    best sum of S^2/W over the levels a..n-1 split into j + 1 classes, ``choice[j, a]`` the last level of the
    first of those classes (the smallest among exact ties). ``cuts`` (length k - 1) receives the last level
    index of classes 1..k-1 for the whole range. Terms are added right to left: c(a, b) + table[j - 1, b + 1].
    """
    n = prefix_w.shape[0] - 1
    k = table.shape[0]
    for a in range(n):
        w = prefix_w[n] - prefix_w[a]
        s = prefix_s[n] - prefix_s[a]
        table[0, a] = s * s / w
        choice[0, a] = n - 1
    for j in range(1, k):
        # a..n-1 split into j + 1 non-empty classes: a <= n - j - 1
        for a in range(n - j):
            best = -1.0
            arg = a
            wa = prefix_w[a]
            sa = prefix_s[a]
            for b in range(a, n - j):
                w = prefix_w[b + 1] - wa
                s = prefix_s[b + 1] - sa
                v = s * s / w + table[j - 1, b + 1]
                if v > best:
                    best = v
                    arg = b
            table[j, a] = best
            choice[j, a] = arg
    a = 0
    for i in range(k - 1):
        b = choice[k - 1 - i, a]
        cuts[i] = b
        a = b + 1


@njit(**SERIAL)
def kmeans_step(x, centers, labels, sums, counts, inertia, b, blocks):
    """One Lloyd pass over block b of ``blocks`` contiguous blocks of the vectors: label every vector with its
    nearest centre (smallest index on ties) and accumulate the per-cluster sums and counts into ``sums[b]``
    (blocks, k, C) and ``counts[b]`` (blocks, k) (overwritten), the inertia (sum of squared distances to the
    assigned centres) into ``inertia[b]``; the wrapper adds the blocks up. All: b, blocks = 0, 1; the blocks
    on fastdip's worker threads: ``parallel._run_blocks``."""
    n, n_ch = x.shape
    k = centers.shape[0]
    step = (n + blocks - 1) // blocks
    # private sums, copied out at the end: blocks writing their rows of ``sums`` directly shared cache lines
    # (k = 3 grey clusters: 24 bytes a block), which made two threads slower than one
    own_sums = np.zeros((k, n_ch))
    own_counts = np.zeros(k, np.int64)
    acc = 0.0
    # (unsigned: no negative-index wraparound checks, which a range not starting at 0 otherwise keeps: +30 %)
    for i in range(np.uint64(b * step), np.uint64(min(n, (b + 1) * step))):
        best = np.inf
        arg = 0
        for j in range(k):
            d = 0.0
            for c in range(n_ch):
                t = x[i, c] - centers[j, c]
                d += t * t
            if d < best:
                best = d
                arg = j
        labels[i] = arg
        acc += best
        own_counts[arg] += 1
        for c in range(n_ch):
            own_sums[arg, c] += x[i, c]
    sums[b] = own_sums
    counts[b] = own_counts
    inertia[b] = acc


@njit(**SERIAL)
def _shift_c3(f, r, c, hs, hr, max_iter, tol, zero):
    """Mean-shift pixel (r, c) of a planar 3-channel image ``f`` (3, H, W) to its mode with flat kernels;
    return (row, col, v0, v1, v2) of the mode.

    ``zero`` types the value sums: ``np.int64(0)`` for integer images (exact, so the compiler may vectorise
    them in any order and the result is still that of float64 sums), ``0.0`` for float ones (float64 sums
    in raster order). Every window row is scanned over the whole square c0..c1 with the disc, the range
    test and the sums all branch-free (masks): a loop whose trip count does not change from row to row
    (no mispredicted exits, vectorisable) is about three times faster than exact per-row disc spans."""
    _, n_rows, n_cols = f.shape
    hs2 = hs * hs
    hr2 = hr * hr
    ys_r = float(r)
    ys_c = float(c)
    y0 = float(f[0, r, c])
    y1 = float(f[1, r, c])
    y2 = float(f[2, r, c])
    for _ in range(max_iter):
        r0 = max(0, int(math.ceil(ys_r - hs)))
        r1 = min(n_rows - 1, int(math.floor(ys_r + hs)))
        c0 = max(0, int(math.ceil(ys_c - hs)))
        c1 = min(n_cols - 1, int(math.floor(ys_c + hs)))
        count = 0
        sr = 0
        sc = 0
        a0 = zero
        a1 = zero
        a2 = zero
        for i in range(r0, r1 + 1):
            dr = i - ys_r
            dr2 = dr * dr
            p0 = f[0, i]
            p1 = f[1, i]
            p2 = f[2, i]
            n_row = 0
            for k in range(c1 - c0 + 1):
                j = c0 + k
                dc = j - ys_c
                v0 = p0[j]
                v1 = p1[j]
                v2 = p2[j]
                t0 = v0 - y0
                t1 = v1 - y1
                t2 = v2 - y2
                d2 = t0 * t0
                d2 += t1 * t1
                d2 += t2 * t2
                m = np.int64((d2 <= hr2) & (dr2 + dc * dc <= hs2))
                n_row += m
                sc += j * m
                a0 += v0 * m  # float v0 * 0 may be -0.0: adding it changes nothing (finite values)
                a1 += v1 * m
                a2 += v2 * m
            count += n_row
            sr += i * n_row
        if count == 0:
            break
        inv = 1.0 / count
        nr = sr * inv
        nc = sc * inv
        shift = ((nr - ys_r) ** 2 + (nc - ys_c) ** 2) / hs2
        v = a0 * inv
        dv = (v - y0) ** 2
        y0 = v
        v = a1 * inv
        dv += (v - y1) ** 2
        y1 = v
        v = a2 * inv
        dv += (v - y2) ** 2
        y2 = v
        shift += dv / hr2
        ys_r = nr
        ys_c = nc
        if shift < tol * tol:
            break
    return ys_r, ys_c, y0, y1, y2


@njit(**SERIAL)
def _shift_c1(f, r, c, hs, hr, max_iter, tol, zero):
    """:func:`_shift_c3` for one channel (``f`` (1, H, W)); returns (row, col, value) of the mode."""
    _, n_rows, n_cols = f.shape
    hs2 = hs * hs
    hr2 = hr * hr
    ys_r = float(r)
    ys_c = float(c)
    y0 = float(f[0, r, c])
    for _ in range(max_iter):
        r0 = max(0, int(math.ceil(ys_r - hs)))
        r1 = min(n_rows - 1, int(math.floor(ys_r + hs)))
        c0 = max(0, int(math.ceil(ys_c - hs)))
        c1 = min(n_cols - 1, int(math.floor(ys_c + hs)))
        count = 0
        sr = 0
        sc = 0
        a0 = zero
        for i in range(r0, r1 + 1):
            dr = i - ys_r
            dr2 = dr * dr
            p0 = f[0, i]
            n_row = 0
            for k in range(c1 - c0 + 1):
                j = c0 + k
                dc = j - ys_c
                v0 = p0[j]
                t0 = v0 - y0
                d2 = t0 * t0
                m = np.int64((d2 <= hr2) & (dr2 + dc * dc <= hs2))
                n_row += m
                sc += j * m
                a0 += v0 * m
            count += n_row
            sr += i * n_row
        if count == 0:
            break
        inv = 1.0 / count
        nr = sr * inv
        nc = sc * inv
        shift = ((nr - ys_r) ** 2 + (nc - ys_c) ** 2) / hs2
        v = a0 * inv
        dv = (v - y0) ** 2
        y0 = v
        shift += dv / hr2
        ys_r = nr
        ys_c = nc
        if shift < tol * tol:
            break
    return ys_r, ys_c, y0


@njit(**SERIAL)
def _shift_cn(f, r, c, hs, hr, max_iter, tol, yr, acc):
    """:func:`_shift_c3` for any number of channels (``f`` (C, H, W); float64 sums in raster order);
    ``yr`` (C,) leaves holding the mode's value, ``acc`` (C,) float64 is scratch. Returns the mode's
    (row, col)."""
    n_ch, n_rows, n_cols = f.shape
    hs2 = hs * hs
    hr2 = hr * hr
    ys_r = float(r)
    ys_c = float(c)
    for ch in range(n_ch):
        yr[ch] = f[ch, r, c]
    for _ in range(max_iter):
        r0 = max(0, int(math.ceil(ys_r - hs)))
        r1 = min(n_rows - 1, int(math.floor(ys_r + hs)))
        c0 = max(0, int(math.ceil(ys_c - hs)))
        c1 = min(n_cols - 1, int(math.floor(ys_c + hs)))
        count = 0
        sr = 0
        sc = 0
        for ch in range(n_ch):
            acc[ch] = 0.0
        for i in range(r0, r1 + 1):
            dr = i - ys_r
            dr2 = dr * dr
            for j in range(c0, c1 + 1):
                dc = j - ys_c
                if dr2 + dc * dc > hs2:
                    continue
                d2 = 0.0
                for ch in range(n_ch):
                    t = f[ch, i, j] - yr[ch]
                    d2 += t * t
                if d2 > hr2:
                    continue
                count += 1
                sr += i
                sc += j
                for ch in range(n_ch):
                    acc[ch] += f[ch, i, j]
        if count == 0:
            break
        inv = 1.0 / count
        nr = sr * inv
        nc = sc * inv
        shift = ((nr - ys_r) ** 2 + (nc - ys_c) ** 2) / hs2
        dv = 0.0
        for ch in range(n_ch):
            v = acc[ch] * inv
            dv += (v - yr[ch]) ** 2
            yr[ch] = v
        shift += dv / hr2
        ys_r = nr
        ys_c = nc
        if shift < tol * tol:
            break
    return ys_r, ys_c


@njit(**SERIAL)
def _filter_row(f, r, hs, hr, max_iter, tol, zero, yr, acc, out_value, out_pos):
    """Filter row ``r`` of the planar image ``f`` into ``out_value``/``out_pos`` (dispatch on the channel
    count)."""
    n_ch = f.shape[0]
    n_cols = f.shape[2]
    for c in range(n_cols):
        if n_ch == 3:
            pr, pc, v0, v1, v2 = _shift_c3(f, r, c, hs, hr, max_iter, tol, zero)
            out_value[r, c, 0] = v0
            out_value[r, c, 1] = v1
            out_value[r, c, 2] = v2
        elif n_ch == 1:
            pr, pc, v0 = _shift_c1(f, r, c, hs, hr, max_iter, tol, zero)
            out_value[r, c, 0] = v0
        else:
            pr, pc = _shift_cn(f, r, c, hs, hr, max_iter, tol, yr, acc)
            for ch in range(n_ch):
                out_value[r, c, ch] = yr[ch]
        out_pos[r, c, 0] = pr
        out_pos[r, c, 1] = pc


@njit(**SERIAL)
def mean_shift_filter(f, hs, hr, max_iter, tol, zero, out_value, out_pos, b, blocks):
    """Comaniciu-Meer filtering of a planar (C, H, W) image: uint8/uint16 with ``zero = np.int64(0)``
    (integer sums), or float64 with ``zero = 0.0``. Each pixel's mode value goes into ``out_value``
    (H, W, C) float64 and its mode position into ``out_pos`` (H, W, 2). Computes in float64 throughout:
    the same values as from a float64 copy of the image. This call filters rows b, b + blocks, ... (all:
    b, blocks = 0, 1; the blocks on fastdip's worker threads, ``parallel._run_blocks``: interleaved rows
    balance the uneven per-pixel iteration counts)."""
    yr = np.empty(f.shape[0])
    acc = np.empty(f.shape[0])
    for r in range(b, f.shape[1], blocks):
        _filter_row(f, r, hs, hr, max_iter, tol, zero, yr, acc, out_value, out_pos)


@njit(**SERIAL)
def _find(parent, i):
    root = i
    while parent[root] != root:
        root = parent[root]
    while parent[i] != root:
        nxt = parent[i]
        parent[i] = root
        i = nxt
    return root


@njit(**SERIAL)
def mode_components(value, pos, hs, hr, parent, labels):
    """Join 8-neighbours whose modes are closer than ``hs`` in position and ``hr`` in value (union-find), then
    number the groups 1..n in raster order of their first pixel into ``labels`` (H, W) int32; return n.
    ``parent`` (H*W,) int64 is scratch."""
    n_rows, n_cols, n_ch = value.shape
    hs2 = hs * hs
    hr2 = hr * hr
    for i in range(n_rows * n_cols):
        parent[i] = i
    for r in range(n_rows):
        for c in range(n_cols):
            p = r * n_cols + c
            for k in range(4):
                if k == 0:
                    rr, cc = r, c + 1
                elif k == 1:
                    rr, cc = r + 1, c - 1
                elif k == 2:
                    rr, cc = r + 1, c
                else:
                    rr, cc = r + 1, c + 1
                if rr >= n_rows or cc < 0 or cc >= n_cols:
                    continue
                ds = (pos[r, c, 0] - pos[rr, cc, 0]) ** 2 + (pos[r, c, 1] - pos[rr, cc, 1]) ** 2
                if ds >= hs2:
                    continue
                dv = 0.0
                for ch in range(n_ch):
                    t = value[r, c, ch] - value[rr, cc, ch]
                    dv += t * t
                if dv >= hr2:
                    continue
                a = _find(parent, p)
                b = _find(parent, rr * n_cols + cc)
                if a != b:
                    if a < b:
                        parent[b] = a
                    else:
                        parent[a] = b
    n = 0
    flat = labels.reshape(-1)
    for i in range(n_rows * n_cols):
        root = _find(parent, i)
        if root == i:
            n += 1
            flat[i] = n
        else:
            flat[i] = flat[root]
    return n


@njit(**SERIAL)
def kmeans_step_weighted(x, weights, centers, labels, sums, counts):
    """:func:`kmeans_step` for distinct vectors ``x`` with multiplicities ``weights`` (a histogram of grey
    levels): ``counts`` (float64) and ``sums`` are weighted; returns the weighted inertia."""
    n, n_ch = x.shape
    k = centers.shape[0]
    sums[:] = 0.0
    counts[:] = 0.0
    inertia = 0.0
    for i in range(n):
        best = np.inf
        arg = 0
        for j in range(k):
            d = 0.0
            for c in range(n_ch):
                t = x[i, c] - centers[j, c]
                d += t * t
            if d < best:
                best = d
                arg = j
        labels[i] = arg
        w = weights[i]
        inertia += w * best
        counts[arg] += w
        for c in range(n_ch):
            sums[arg, c] += w * x[i, c]
    return inertia


@njit(**SERIAL)
def closest_neighbours(labels, means, small, best_d, best_b):
    """For every region a with ``small[a]``, the 8-adjacent region b != a of least squared distance between
    mean vectors (``means`` (n + 1, C), summed over the channels in order), ties to the smaller label:
    ``best_b[a]`` (int64, -1 where a touches no other region) and ``best_d[a]`` (float64) are filled here.
    Returns the number of small regions that have a neighbour."""
    n_rows, n_cols = labels.shape
    n_ch = means.shape[1]
    best_b[:] = -1
    best_d[:] = np.inf
    for r in range(n_rows):
        for c in range(n_cols):
            a = labels[r, c]
            if not small[a]:
                continue
            for dr in range(-1, 2):
                rr = r + dr
                if rr < 0 or rr >= n_rows:
                    continue
                for dc in range(-1, 2):
                    cc = c + dc
                    if cc < 0 or cc >= n_cols:
                        continue
                    b = labels[rr, cc]
                    if b == a:
                        continue
                    d = 0.0
                    for ch in range(n_ch):
                        t = means[a, ch] - means[b, ch]
                        if ch == 0:
                            d = t * t
                        else:
                            d += t * t
                    if d < best_d[a] or (d == best_d[a] and b < best_b[a]):
                        best_d[a] = d
                        best_b[a] = b
    found = 0
    for a in range(best_b.shape[0]):
        if best_b[a] >= 0:
            found += 1
    return found


@njit(**SERIAL)
def renumber_raster(labels, n, out):
    """Renumber ``labels`` (values 0..n) 1..m in raster order of first appearance into ``out`` (int32);
    return m."""
    rank = np.zeros(n + 1, dtype=np.int64)
    flat = labels.reshape(-1)
    dst = out.reshape(-1)
    m = 0
    for i in range(flat.shape[0]):
        v = flat[i]
        if rank[v] == 0:
            m += 1
            rank[v] = m
        dst[i] = rank[v]
    return m
