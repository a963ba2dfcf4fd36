"""Kernels for fastdip.segmentation's clustering: multi-Otsu's dynamic programme over a histogram, k-means
(assignment and update steps of Lloyd's algorithm), and mean-shift filtering with flat kernels.

Layout. Feature vectors reach these kernels as C-contiguous ``(N, C)`` float64 arrays (N pixels, C channels,
C = 1 for grey images); mean-shift filtering gets the image planar, ``(C, H, W)`` (uint8, uint16 or float64),
and writes channel-last ``(H, W, C)`` float64 modes.
"""

import math

import numpy as np

from ._config import INLINED, SERIAL, njit


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


@njit(**INLINED)
def _window_c3(f, ys_r, ys_c, y0, y1, y2, hs2, hr2, r0, r1, c0, c1, zero):
    """The sums of one mean-shift window of a planar 3-channel image ``f`` (3, H, W) around the point
    (ys_r, ys_c; y0, y1, y2): the pixels of rows r0..r1, columns c0..c1 with (i - ys_r)² + (j - ys_c)² <= hs2
    and the squared range distance <= hr2 (float64). Returns (count, sum of rows, sum of columns, the three
    value sums), the value sums of ``zero``'s type.

    ``zero`` types the value sums: ``np.int64(0)`` for integer images (exact, so the compiler may vectorise
    them in any order and the result is still that of float64 sums), ``0.0`` for float ones (float64 sums
    in raster order). Every window row is scanned over the whole square c0..c1 with the disc, the range
    test and the sums all branch-free (masks): a loop whose trip count does not change from row to row
    (no mispredicted exits, vectorisable) is about three times faster than exact per-row disc spans."""
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
    return count, sr, sc, a0, a1, a2


@njit(**SERIAL)
def range_thresholds(y0, y1, y2, hr2):
    """(lo, hi) float32 thresholds of ``_window_c3_u8``'s range test for uint8 values around (y0, y1, y2):
    a float32 squared distance <= lo is <= hr2 in float64, one > hi is > hr2; lo == hi where the test is
    exact.

    hr2 >= 3·255²: every pixel is inside, both thresholds infinite. Integer y (every pixel's first step): the
    float32 differences, squares and sums of bytes are exact integers (< 2**24), so d2 <= hr2 is
    d2 <= floor(hr2). Otherwise, with y_k's float32 rounding off by
    e_k = |y_k - float32(y_k)|: a pixel near the boundary has |t_k| <= R = sqrt(hr2) + 1, its float32
    difference is off by at most d_k = e_k + 2**-24 (R + e_k), so the sum of squares by
    sum d_k (2R + d_k); the float32 evaluation (products and sums, fused or not) adds 4·2**-24 (hr2 + 1),
    the float64 one 2**-50 (hr2 + 1). Twice that bound on each side also covers the thresholds' own
    rounding to float32 (the bound is at least 2**-22 hr2, many float32 ulps of hr2). (Rounding-error bounds
    of sums and products: N. J. Higham, *Accuracy and Stability of Numerical Algorithms*, 2nd ed., SIAM, 2002,
    ch. 3.)"""
    if hr2 >= 195075.0:  # 3·255², the largest squared distance of bytes from centres in [0, 255]: all inside
        return np.float32(np.inf), np.float32(np.inf)  # (as float64 says; also keeps hr2 = inf from inf - inf)
    if (y0 == np.floor(y0)) & (y1 == np.floor(y1)) & (y2 == np.floor(y2)):
        t = np.float32(np.floor(hr2))  # (a float floor: math.floor's int64 wrapped for hr2 >= 2**63)
        return t, t
    big_r = math.sqrt(hr2) + 1.0
    bound = (4.0 * 2.0**-24 + 2.0**-50) * (hr2 + 1.0)
    for y in (y0, y1, y2):
        e = abs(y - np.float64(np.float32(y)))
        d = e + 2.0**-24 * (big_r + e)
        bound += d * (2.0 * big_r + d)
    return np.float32(hr2 - 2.0 * bound), np.float32(hr2 + 2.0 * bound)


@njit(**INLINED)
def _range_test(flat, u, plane, f0, f1, f2, lo, hi, inside):
    """One lane of ``_window_c3_u8``: the pixel's three float32 values at ``u`` (planes ``plane`` apart), whether
    it counts (``inside`` the disc and its float32 squared distance at most ``lo``) and whether its test is
    undecided (inside, distance in (lo, hi]); returns (counts, undecided, v0, v1, v2)."""
    v0 = flat[u]
    v1 = flat[u + plane]
    v2 = flat[u + plane + plane]
    t0 = v0 - f0
    t1 = v1 - f1
    t2 = v2 - f2
    d2 = t0 * t0 + t1 * t1 + t2 * t2
    return inside & (d2 <= lo), inside & (d2 > lo) & (d2 <= hi), v0, v1, v2


@njit(**INLINED)
def _window_c3_u8(g, ys_r, ys_c, y0, y1, y2, hs2, hr2, r0, r1, c0, c1):
    """``_window_c3`` of a uint8 image from its float32 copy ``g`` (3, H + 1, W + 16; the row and the 16
    columns past the image are read and masked off), the range test in 16 float32 lanes where float64 took 8.
    The window's rows go two at a time in chunks of exactly 16 columns (a loop of a fixed count: one vector
    step; a loop over a 17-column row ran in the scalar remainder of LLVM's vectorised loop), lanes past c1
    or the second row past r1 masked; the disc test is ``_window_c3``'s own float64 expression (strict flags,
    no fused multiply-add: the same rounding), the range test float32 with the margins of
    ``range_thresholds``. A chunk's counts and column sums (int32) and value sums (int32: exact) are reduced
    to numbers per pair of rows (16-lane arrays added to row after row stalled on their stores, ~60 cycles a
    row; a reduction per row took ~45). Returns ``_window_c3``'s sums and whether a pixel of the disc fell
    between the margins (its float32 test undecided: the caller then sums the window in float64); otherwise
    the sums are ``_window_c3``'s."""
    lo, hi = range_thresholds(y0, y1, y2, hr2)
    f0 = np.float32(y0)
    f1 = np.float32(y1)
    f2 = np.float32(y2)
    none = np.int32(0)
    width = g.shape[2]
    plane = np.uint64(g.shape[1] * width)
    step = np.uint64(width)
    flat = g.reshape(-1)
    unsure = False
    count = 0
    sr = 0
    sc = 0
    a0 = 0
    a1 = 0
    a2 = 0
    spill = c1 > c0 and (c1 - c0) % 16 == 0  # one column past the full chunks (hs 8 on a whole-pixel centre)
    for i in range(r0, r1 + 1, 2):
        dr = i - ys_r
        dr2 = dr * dr
        dr = (i + 1) - ys_r
        dr2b = dr * dr if i + 1 <= r1 else np.inf  # (no second row: its disc test fails)
        first = c0
        last = c1
        if spill:  # rows whose discs leave out an end column need a chunk less (all but the middle row)
            e1 = (c1 - ys_c) * (c1 - ys_c)
            e0 = (c0 - ys_c) * (c0 - ys_c)
            if not (dr2 + e1 <= hs2) and not (dr2b + e1 <= hs2):
                last -= 1
            elif not (dr2 + e0 <= hs2) and not (dr2b + e0 <= hs2):
                first += 1
        for q in range((last - first + 16) // 16):
            base = first + 16 * q
            lim = np.int32(last - base)
            off = np.uint64(i * width + base)
            n = none
            nb = none
            cs = none
            s0 = none
            s1 = none
            s2 = none
            for k in range(16):
                kk = np.int32(k)
                dc = (base + k) - ys_c
                dc2 = dc * dc
                cols = kk <= lim
                u = off + np.uint64(k)
                m, ua, v0, v1, v2 = _range_test(flat, u, plane, f0, f1, f2, lo, hi, cols & (dr2 + dc2 <= hs2))
                mb, ub, w0, w1, w2 = _range_test(flat, u + step, plane, f0, f1, f2, lo, hi,
                                                 cols & (dr2b + dc2 <= hs2))
                unsure |= ua | ub
                n += np.int32(m) + np.int32(mb)
                nb += np.int32(mb)
                cs += (kk if m else none) + (kk if mb else none)
                s0 += (np.int32(v0) if m else none) + (np.int32(w0) if mb else none)
                s1 += (np.int32(v1) if m else none) + (np.int32(w1) if mb else none)
                s2 += (np.int32(v2) if m else none) + (np.int32(w2) if mb else none)
            count += n
            sr += i * np.int64(n) + nb
            sc += base * np.int64(n) + cs
            a0 += np.int64(s0)
            a1 += np.int64(s1)
            a2 += np.int64(s2)
    return count, sr, sc, a0, a1, a2, unsure


@njit(**SERIAL)
def _shift_c3(f, g, r, c, hs, hr, max_iter, tol, zero):
    """Mean-shift pixel (r, c) of a planar 3-channel image ``f`` (3, H, W) to its mode with flat kernels;
    return (row, col, v0, v1, v2) of the mode. Each step's window sums come from ``_window_c3`` (``zero``
    types the value sums, see there), or for a uint8 image with its padded float32 copy ``g`` (3, H + 1,
    W + 16; an empty ``g`` otherwise) from ``_window_c3_u8`` unless its range test was undecided somewhere
    (2 of 17046 windows on camera in colour, hs 8, hr 16): the same sums either way, so the same modes
    (that image: 1.01 -> 0.67 s, one thread). Both window functions are inlined (``INLINED``): as calls,
    the float64 one took 1.6 s there."""
    _, n_rows, n_cols = f.shape
    fast = g.shape[1] == n_rows + 1 and g.shape[2] == n_cols + 16
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
        unsure = True
        if fast:
            count, sr, sc, s0, s1, s2, unsure = _window_c3_u8(g, ys_r, ys_c, y0, y1, y2, hs2, hr2, r0, r1, c0, c1)
            a0 = zero + s0
            a1 = zero + s1
            a2 = zero + s2
        if unsure:
            count, sr, sc, a0, a1, a2 = _window_c3(f, ys_r, ys_c, y0, y1, y2, hs2, hr2, r0, r1, c0, c1, zero)
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
def _filter_row(f, g, r, hs, hr, max_iter, tol, zero, yr, acc, out_value, out_pos):
    """Filter row ``r`` of the planar image ``f`` into ``out_value``/``out_pos`` (dispatch on the channel
    count; ``g``: see ``_shift_c3``)."""
    n_ch = f.shape[0]
    n_cols = f.shape[2]
    for c in range(n_cols):
        if n_ch == 3:
            pr, pc, v0, v1, v2 = _shift_c3(f, g, r, c, hs, hr, max_iter, tol, zero)
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
def mean_shift_filter(f, g, hs, hr, max_iter, tol, zero, out_value, out_pos, b, blocks):
    """Comaniciu-Meer filtering of a planar (C, H, W) image: uint8/uint16 with ``zero = np.int64(0)``
    (integer sums), or float64 with ``zero = 0.0``. Each pixel's mode value goes into ``out_value``
    (H, W, C) float64 and its mode position into ``out_pos`` (H, W, 2). Computes in float64 throughout:
    the same values as from a float64 copy of the image. ``g``: a float32 copy of a 3-channel uint8 ``f``,
    a row and 16 columns larger, for the 16-lane window sums (``_shift_c3``), else an empty (3, 0, 0)
    float32 array. This call filters rows b, b + blocks, ... (all: b, blocks = 0, 1; the blocks on fastdip's
    worker threads, ``parallel._run_blocks``: interleaved rows balance the uneven per-pixel iteration
    counts)."""
    yr = np.empty(f.shape[0])
    acc = np.empty(f.shape[0])
    for r in range(b, f.shape[1], blocks):
        _filter_row(f, g, r, hs, hr, max_iter, tol, zero, yr, acc, out_value, out_pos)


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
