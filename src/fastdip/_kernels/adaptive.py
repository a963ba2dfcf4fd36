"""Adaptive median filter kernels (Gonzalez & Woods, 4th ed., sec. 5.3).

Arguments shared by the kernels:

- ``padded``: the image padded by r = S_max // 2 on every side (the wrapper pads with fastdip's border modes).
- ``offsets``: flat offsets of the S_max window in ``padded``, sorted ring by ring (the 3x3 window first, then
  the ring that makes it 5x5, ...); ``bounds[L + 1]`` = the number of values in the window of level L (side
  3 + 2L), ``bounds[0] = 0``. Level L's window is ``offsets[:bounds[L + 1]]``.
- ``networks`` (pairs (i, j), i < j) and ``net_bounds``: rows net_bounds[L]:net_bounds[L + 1] are a comparator
  network that leaves the min, median and max of level L's window on wires 0, n // 2 and n - 1 (built by the
  wrapper), for the levels decided in batches (0 .. net_bounds.size - 2).

How the work is cut (on a salt-and-pepper image most pixels decide at 3x3, few need more):

- 2-D, 3x3 stage a row at a time, branch-free: each column of three is sorted once (shared by three pixels);
  min = min of the column minima, max = max of the maxima, median = med3(max of minima, med3 of middles, min
  of maxima) (Paeth's 3x3 network). Pixels failing stage A are listed for the next level.
- 3-D, 3x3x3 stage: the 27 shifted copies of a line are the rows of a table; a batch of lines is decided at
  once by the network.
- Larger windows: the pixels that fail a level wait in that level's list; at about 1024 the list is decided as
  a batch: the windows are gathered into the columns of a table, the network runs across the columns (loops
  over a batch vectorise: 6 ns a pixel against 19 ns for batches of 100), and the pixels that fail again move
  to the next list. Past the batched levels a pixel grows alone (``adaptive_pixel``).
- A pixel whose S_max window is constant fails stage A at every size and its output is z: a separable min/max
  of the S_max window (run only where constant 3x3 windows or constant stretches of a line were seen) keeps
  such pixels (flat backgrounds) out of the lists (2048² constant image, S_max 7: 146 ms -> 4 ms).

Parallel calls interleave rows (row i goes to block i % n_blocks, one block per thread, run by
``parallel._run_blocks``), which balances uneven work (flat regions take the slower paths in clusters).

Loops index views that start at the first column they need (``padded[row, c0:][j]``), not ``padded[row, j + c0]``:
numba adds a negative-index check to an index it cannot prove >= 0, and that check kept LLVM from vectorising
(a 5x5 min/max pass over the rows of a 2048² image: 39 ms against 3.4 ms).
"""

import numpy as np

from ._config import SERIAL, njit


@njit(**SERIAL)
def select_kth(buf, n, k):
    """The k-th smallest of buf[:n] (0-based), by Wirth's quickselect; reorders buf[:n]."""
    lo = 0
    hi = n - 1
    while lo < hi:
        x = buf[k]
        i = lo
        j = hi
        while True:
            while buf[i] < x:
                i += 1
            while x < buf[j]:
                j -= 1
            if i <= j:
                t = buf[i]
                buf[i] = buf[j]
                buf[j] = t
                i += 1
                j -= 1
            if i > j:
                break
        if j < k:
            lo = i
        if k < i:
            hi = j
    return buf[k]


@njit(**SERIAL)
def adaptive_pixel(flat, q, offsets, bounds, buf, first_level):
    """The adaptive median output for the pixel at flat index ``q`` of the padded image, growing its window
    ring by ring; stage A is tested from level ``first_level`` on (the smaller windows are known to fail it).
    Stage A is decided on counts: for n values and k = n // 2, z_med > z_min exactly when at most k values equal
    z_min, and z_med < z_max exactly when at most k equal z_max; a median is selected (quickselect) only where
    stage B fails. ``buf`` holds at least bounds[-1] values."""
    z = flat[q]
    lo = flat[q + offsets[0]]
    hi = lo
    n_levels = bounds.size - 1
    start = 0
    n_lo = 0
    n_hi = 0
    k = 0
    for level in range(n_levels):
        stop = bounds[level + 1]
        for j in range(start, stop):
            buf[j] = flat[q + offsets[j]]
        for j in range(start, stop):
            v = buf[j]
            lo = v if v < lo else lo
            hi = v if v > hi else hi
        start = stop
        k = stop // 2
        if level < first_level:
            continue
        if lo == hi:  # a constant window fails stage A: no need to count
            n_lo = stop
            continue
        n_lo = 0
        n_hi = 0
        for j in range(stop):
            n_lo += buf[j] == lo
            n_hi += buf[j] == hi
        if n_lo <= k and n_hi <= k:
            # stage A passed (z_min < z_med < z_max): stage B
            if lo < z and z < hi:
                return z
            return select_kth(buf, stop, k)
    # S_max reached without passing stage A: then z_med equals z_min (more than k values are z_min) or z_max
    return lo if n_lo > k else hi


@njit(**SERIAL)
def sort_columns(table, pairs, n):
    """Apply the comparator network ``pairs`` to each column p < n of ``table`` (its rows are the wires): for
    each pair (i, j) row i gets the min and row j the max, in loops across the columns, which vectorise. They run
    to n rounded up to a multiple of 64 (one AVX-512 vector of bytes), so that no scalar remainder loop runs once
    per comparator; the table must hold that many columns (the extra ones are junk and never read back)."""
    n = (n + 63) // 64 * 64
    for c in range(pairs.shape[0]):
        low = table[pairs[c, 0]]
        high = table[pairs[c, 1]]
        for p in range(n):
            a = low[p]
            b = high[p]
            low[p] = a if a < b else b
            high[p] = b if a < b else a


@njit(**SERIAL)
def decide_batch(flat, level, qs, os, n, skip, offsets, bounds, networks, net_bounds, out_flat, table, todo_q,
                 todo_o, n_todo, buf):
    """Decide ``n`` pixels (flat indices qs in the padded image, os in the output) whose windows of ``level``
    fill the first columns of ``table``: the network brings min, median and max to rows 0, n_values // 2 and
    n_values - 1; stage A, then stage B. Pixels failing stage A get the median at S_max, or z where skip[p] says
    their S_max window is constant, else join the list of the next level (todo_q/todo_o[level + 1],
    n_todo[level + 1]) or, past the batched levels, grow alone."""
    n_values = bounds[level + 1]
    sort_columns(table, networks[net_bounds[level]:net_bounds[level + 1]], n)
    lo = table[0]
    med = table[n_values // 2]
    hi = table[n_values - 1]
    at_max = level == bounds.size - 2
    batched_next = level + 1 < net_bounds.size - 1
    for p in range(n):
        a = lo[p]
        b = med[p]
        c = hi[p]
        if a < b and b < c:
            z = flat[qs[p]]
            out_flat[os[p]] = z if (a < z) & (z < c) else b
        elif at_max:
            out_flat[os[p]] = b  # S_max reached: the median of the largest window
        elif skip[p]:
            out_flat[os[p]] = flat[qs[p]]  # a constant S_max window: z is its median
        elif batched_next:
            m = n_todo[level + 1]
            todo_q[level + 1, m] = qs[p]
            todo_o[level + 1, m] = os[p]
            n_todo[level + 1] = m + 1
        else:
            out_flat[os[p]] = adaptive_pixel(flat, qs[p], offsets, bounds, buf, level + 1)


@njit(**SERIAL)
def run_lists(flat, offsets, bounds, networks, net_bounds, out_flat, table, todo_q, todo_o, n_todo, buf, no_skip,
              least):
    """Decide the lists of levels 1 and up that hold at least ``least`` pixels, in order (a level's failures
    join the next list before that one is looked at), in batches of at most 1024 gathered windows (no_skip:
    1024 zeros)."""
    for level in range(1, net_bounds.size - 1):
        n = n_todo[level]
        if n < least or n == 0:
            continue
        n_values = bounds[level + 1]
        for start in range(0, n, 1024):
            m = min(1024, n - start)
            qs = todo_q[level, start:start + m]
            os = todo_o[level, start:start + m]
            for e in range(n_values):
                off = offsets[e]
                values = table[e]
                for p in range(m):
                    values[p] = flat[qs[p] + off]
            decide_batch(flat, level, qs, os, m, no_skip, offsets, bounds, networks, net_bounds, out_flat, table,
                         todo_q, todo_o, n_todo, buf)
        n_todo[level] = 0


@njit(**SERIAL)
def stage_3x3_row(padded, r, i, orow, lo, mid, hi, bad):
    """The 3x3 stage for row ``i`` (padded by ``r``), branch-free: ``orow`` gets z or z_med (stage B), which is
    final where stage A passes, and also right for S_max = 3 where it fails; ``bad`` (uint8) flags the pixels
    that fail stage A. lo/mid/hi hold width + 2 values. Returns the number of flagged pixels and how many of
    them have a constant 3x3 window."""
    width = orow.size
    above = padded[i + r - 1, r - 1:]
    row = padded[i + r, r - 1:]
    below = padded[i + r + 1, r - 1:]
    # sort every column of three once: lo <= mid <= hi
    for j in range(width + 2):
        p = above[j]
        q = row[j]
        s = below[j]
        t = p if p < q else q
        u = q if p < q else p
        a = t if t < s else s
        v = s if t < s else t
        lo[j] = a
        mid[j] = u if u < v else v
        hi[j] = v if u < v else u
    n_bad = 0
    n_const = 0
    for j in range(width):
        l0 = lo[j]
        l1 = lo[j + 1]
        l2 = lo[j + 2]
        h0 = hi[j]
        h1 = hi[j + 1]
        h2 = hi[j + 2]
        m0 = mid[j]
        m1 = mid[j + 1]
        m2 = mid[j + 2]
        t = l0 if l0 < l1 else l1
        z_min = t if t < l2 else l2
        t = h0 if h0 > h1 else h1
        z_max = t if t > h2 else h2
        t = l0 if l0 > l1 else l1
        a = t if t > l2 else l2  # max of the column minima
        t = h0 if h0 < h1 else h1
        c = t if t < h2 else h2  # min of the column maxima
        # b = med3(m0, m1, m2)
        t = m0 if m0 < m1 else m1
        u = m0 if m0 > m1 else m1
        u = u if u < m2 else m2
        b = t if t > u else u
        # z_med = med3(a, b, c)
        t = a if a < b else b
        u = a if a > b else b
        u = u if u < c else c
        z_med = t if t > u else u
        z = row[j + 1]
        passed = (z_min < z_med) & (z_med < z_max)
        keep = passed & (z_min < z) & (z < z_max)
        orow[j] = z if keep else z_med
        bad[j] = not passed
        n_bad += not passed
        n_const += z_min == z_max
    return n_bad, n_const


@njit(**SERIAL)
def window_extremes(block, r, mn, mx, cmin, cmax):
    """mn[j], mx[j]: min and max of block[:, :, j:j + 2r + 1] (a block of padded lines), separably and
    branch-free; cmin/cmax hold mn.size + 2r values."""
    width = mn.size
    span = width + 2 * r
    src = block[0, 0]
    for c in range(span):
        cmin[c] = src[c]
        cmax[c] = src[c]
    for a in range(block.shape[0]):
        for b in range(block.shape[1]):
            src = block[a, b]
            for c in range(span):
                v = src[c]
                cmin[c] = v if v < cmin[c] else cmin[c]
                cmax[c] = v if v > cmax[c] else cmax[c]
    for j in range(width):
        mn[j] = cmin[j]
        mx[j] = cmax[j]
    for dx in range(1, 2 * r + 1):
        shifted_min = cmin[dx:]
        shifted_max = cmax[dx:]
        for j in range(width):
            v = shifted_min[j]
            mn[j] = v if v < mn[j] else mn[j]
            v = shifted_max[j]
            mx[j] = v if v > mx[j] else mx[j]


@njit(**SERIAL)
def adaptive_2d(padded, r, offsets, bounds, networks, net_bounds, out, first_row, row_step):
    """Rows first_row, first_row + row_step, ... of the adaptive median of a 2-D image padded by r = S_max // 2,
    into ``out`` (the unpadded shape): the 3x3 stage a row at a time, then the lists of the larger windows (see
    the module notes). The serial kernel is the call with (0, 1); parallel calls run blocks (b, n) on fastdip's
    worker threads (``parallel._run_blocks``: nothing more to compile)."""
    height, width = out.shape
    n_lists = net_bounds.size - 1
    # list L holds < 1024 * L + width: < 1024 left from earlier, plus the failures of one pass over list L - 1
    cap = 1024 * n_lists + width + 8
    vals = np.empty((3, width + 2), padded.dtype)
    ext = np.empty((4, width + 2 * r), padded.dtype)
    bad = np.zeros((width + 7) // 8 * 8, np.uint8)
    words = bad.view(np.uint64)
    table = np.empty((bounds[n_lists], 1024 + 64), padded.dtype)
    todo_q = np.empty((n_lists, cap), np.int64)
    todo_o = np.empty((n_lists, cap), np.int64)
    n_todo = np.zeros(n_lists, np.int64)
    buf = np.empty(offsets.size, padded.dtype)
    flat = padded.reshape(-1)
    padded3 = padded.reshape(1, padded.shape[0], padded.shape[1])
    no_skip = np.zeros(1024 + 64, np.uint8)
    out_flat = out.reshape(-1)
    pitch = padded.shape[1]
    for i in range(first_row, height, row_step):
        n_bad, n_const = stage_3x3_row(padded, r, i, out[i], vals[0], vals[1], vals[2], bad[:width])
        if n_bad == 0 or r == 1:
            continue
        if n_const:
            # A constant S_max window fails stage A at every size and its median is z, already written: drop
            # those pixels from the list (flat backgrounds would otherwise grow every window to S_max).
            mn = ext[2, :width]
            mx = ext[3, :width]
            window_extremes(padded3[:, i:i + 2 * r + 1], r, mn, mx, ext[0], ext[1])
            for j in range(width):
                bad[j] = bad[j] & (mn[j] != mx[j])
        base_q = (i + r) * pitch + r
        base_o = i * width
        queue_q = todo_q[1]
        queue_o = todo_o[1]
        n = n_todo[1]
        # list the flagged pixels: skip 8 clear flags at a time, then branch-free within a word (the junk flags
        # past the width stay 0)
        for w in range(words.size):
            if words[w] != 0:
                j0 = 8 * w
                for j in range(j0, j0 + 8):
                    queue_q[n] = base_q + j
                    queue_o[n] = base_o + j
                    n += bad[j]
        n_todo[1] = n
        if n >= 1024:
            run_lists(flat, offsets, bounds, networks, net_bounds, out_flat, table, todo_q, todo_o, n_todo, buf,
                      no_skip, 1024)
    run_lists(flat, offsets, bounds, networks, net_bounds, out_flat, table, todo_q, todo_o, n_todo, buf, no_skip, 1)


@njit(**SERIAL)
def adaptive_3d(padded, r, offsets, bounds, networks, net_bounds, out, first_line, line_step):
    """Lines (plane, row) number first_line, first_line + line_step, ... of the adaptive median of a 3-D image
    padded by r, into ``out`` (the unpadded shape): the 3x3x3 stage for batches of whole lines (their 27 shifted
    copies are the table's rows), then the lists of the larger windows. Serial: (0, 1)."""
    n_planes, n_rows, n_cols = out.shape
    n_lines = n_planes * n_rows
    n_lists = net_bounds.size - 1
    cap = 1024 * n_lists + n_cols + 8
    table = np.empty((bounds[n_lists], 1024 + n_cols + 64), padded.dtype)
    todo_q = np.empty((n_lists, cap), np.int64)  # row 0: the voxels of the lines in the table
    todo_o = np.empty((n_lists, cap), np.int64)
    n_todo = np.zeros(n_lists, np.int64)
    skip = np.zeros(1024 + n_cols, np.uint8)
    no_skip = np.zeros(1024 + 64, np.uint8)
    ext = np.empty((4, n_cols + 2 * r), padded.dtype)
    buf = np.empty(offsets.size, padded.dtype)
    flat = padded.reshape(-1)
    out_flat = out.reshape(-1)
    n = 0
    for line in range(first_line, n_lines, line_step):
        p = line // n_rows
        i = line - p * n_rows
        e = 0
        for dz in range(-1, 2):
            for dy in range(-1, 2):
                for dx in range(-1, 2):
                    src = padded[p + r + dz, i + r + dy, r + dx:]
                    values = table[e, n:]
                    for j in range(n_cols):
                        values[j] = src[j]
                    e += 1
        flags = skip[n:]
        flags[:n_cols] = 0
        if r > 1:
            # Voxels whose S_max window is constant output z (see adaptive_2d). A separable min/max over
            # the (2r + 1)² lines finds them; it runs only where the centre line itself has a constant stretch
            # of 2r + 1 (noisy data seldom has: the full check would cost more than the 3x3x3 stage).
            mn = ext[2, :n_cols]
            mx = ext[3, :n_cols]
            window_extremes(padded[p + r:p + r + 1, i + r:i + r + 1], r, mn, mx, ext[0], ext[1])
            n_const = 0
            for j in range(n_cols):
                n_const += mn[j] == mx[j]
            if n_const:
                window_extremes(padded[p:p + 2 * r + 1, i:i + 2 * r + 1], r, mn, mx, ext[0], ext[1])
                for j in range(n_cols):
                    flags[j] = mn[j] == mx[j]
        base_q = ((p + r) * padded.shape[1] + i + r) * padded.shape[2] + r
        base_o = line * n_cols
        queue_q = todo_q[0, n:]
        queue_o = todo_o[0, n:]
        for j in range(n_cols):
            queue_q[j] = base_q + j
            queue_o[j] = base_o + j
        n += n_cols
        if n >= 1024:
            decide_batch(flat, 0, todo_q[0], todo_o[0], n, skip, offsets, bounds, networks, net_bounds, out_flat,
                         table, todo_q, todo_o, n_todo, buf)
            n = 0
            run_lists(flat, offsets, bounds, networks, net_bounds, out_flat, table, todo_q, todo_o, n_todo, buf,
                      no_skip, 1024)
    if n:
        decide_batch(flat, 0, todo_q[0], todo_o[0], n, skip, offsets, bounds, networks, net_bounds, out_flat, table,
                     todo_q, todo_o, n_todo, buf)
    run_lists(flat, offsets, bounds, networks, net_bounds, out_flat, table, todo_q, todo_o, n_todo, buf, no_skip, 1)
