"""Kernels for connected-component labelling (fastdip.segmentation.label) and per-label sums
(fastdip.measure).

He, L., Chao, Y., & Suzuki, K. (2008). A run-based two-scan labeling algorithm. IEEE Transactions on Image
Processing, 17(5), 749-756. https://doi.org/10.1109/TIP.2008.919369

Labelling is the classic two-pass algorithm with a union-find forest (Rosenfeld & Pfaltz 1966; Wu, Otoo &
Suzuki 2005). Pass 1 scans in raster order; a foreground pixel takes the provisional label of an earlier
neighbour (a new one if it has none) and records equivalences by union, always linking the larger root under
the smaller, so ``parent[i] <= i``. Pass 2 numbers the roots in increasing order (a component's root is the
label made at its first pixel in raster order, so final labels follow the raster order of first pixels, as in
scipy.ndimage.label) and rewrites the image through that table.

* ``label_runs_2d``: 2-D (and 1-D as one row), 4- or 8-connectivity, run-based (He, Chao & Suzuki 2008):
  union-find over the runs of foreground of each row, which are far fewer than pixels; used by
  fastdip.segmentation.label in 2-D.
* ``label_2d_8``: 2-D, 8-connectivity, pixel-based, with Wu et al.'s decision tree: when the pixel above is
  set it alone decides (its other earlier neighbours are already merged with it), so most pixels need no
  union. Kept as a second implementation (kernel tests).
* ``label_2d_4``: 2-D, 4-connectivity; no union when the pixel above-left joins above and left already.
* ``label_3d``: any (P, H, W) array and connectivity, unpadded, the result array as the only label
  scratch (provisional labels written in raster order and read back as earlier neighbours, renumbered in
  place): the memory of the output alone; with full connectivity the neighbour one step back on the first
  axis decides alone when set (as in 2-D); used in 3-D.
* ``label_flat``: ``label_3d`` on a padded copy with a padded int32 scratch (flat offsets, no bounds
  checks; about 5 bytes a voxel more). Kept as a second implementation (kernel tests).

Except for ``label_runs_2d``, images arrive zero-padded (a zero row / plane before, a zero column on each side) as C-contiguous uint8
(0 / 1), so no neighbour needs a bounds check; provisional labels are int32 in a padded scratch array and
pass 2 writes the final labels to the unpadded result.
"""

import numpy as np

from ._config import SERIAL, njit


@njit(**SERIAL)
def _find(parent, x):
    root = x
    while parent[root] != root:
        root = parent[root]
    while parent[x] != root:  # path compression
        nxt = parent[x]
        parent[x] = root
        x = nxt
    return root


@njit(**SERIAL)
def _union(parent, a, b):
    """Merge the trees of a and b; the smaller root becomes the root; returns it."""
    ra = _find(parent, a)
    rb = _find(parent, b)
    if ra < rb:
        parent[rb] = ra
        return ra
    if rb < ra:
        parent[ra] = rb
        return rb
    return ra


@njit(**SERIAL)
def _number_roots(parent, n):
    """Final labels in place: roots (parent[i] == i) numbered 1, 2, ... in increasing order, every other
    provisional label 1..n-1 given its root's number (parent[i] < i, so that number is already final).
    Returns the count."""
    count = 0
    for i in range(1, n):
        pi = parent[i]
        if pi == i:
            count += 1
            parent[i] = count
        else:
            parent[i] = parent[pi]
    return count


@njit(**SERIAL)
def _resolve(parent, n, work, out, pad_z, pad_y, pad_x):
    """Pass 2: number the roots 1, 2, ... in increasing order and write the final labels of the padded
    provisional labels ``work`` into ``out`` (P, H, W); returns the count."""
    lut = np.empty(n, np.int32)
    lut[0] = 0
    count = 0
    for i in range(1, n):
        p = parent[i]
        if p == i:
            count += 1
            lut[i] = count
        else:
            lut[i] = lut[p]  # p < i, so lut[p] is already the final label of i's root
    pp, hh, ww = out.shape
    for z in range(pp):
        for y in range(hh):
            src = work[z + pad_z, y + pad_y, pad_x:]
            dst = out[z, y]
            for x in range(ww):
                dst[x] = lut[src[x]]
    return count


@njit(**SERIAL)
def label_2d_8(image, work, parent, out):
    """8-connected labels of a 2-D image. ``image`` (uint8, 0/1) and ``work`` (int32 zeros) are padded:
    (H + 1, W + 2), one zero row on top and one zero column on each side, so neighbours need no bounds
    checks; ``parent`` is scratch of at least the number of provisional labels + 1; the final labels go to
    ``out`` (1, H, W). Returns the number of components."""
    hp, wp = image.shape
    nxt = 1
    parent[0] = 0
    for y in range(1, hp):
        img_up = image[y - 1]
        img = image[y]
        lab_up = work[y - 1]
        lab_row = work[y]
        for x in range(1, wp - 1):
            if img[x] == 0:
                continue
            if img_up[x]:
                lab = lab_up[x]
            elif img_up[x + 1]:
                lab = lab_up[x + 1]
                if img_up[x - 1]:
                    if lab_up[x - 1] != lab:
                        lab = _union(parent, lab, lab_up[x - 1])
                elif img[x - 1]:
                    if lab_row[x - 1] != lab:
                        lab = _union(parent, lab, lab_row[x - 1])
            elif img_up[x - 1]:
                lab = lab_up[x - 1]
            elif img[x - 1]:
                lab = lab_row[x - 1]
            else:
                lab = nxt
                parent[nxt] = nxt
                nxt += 1
            lab_row[x] = lab
    return _resolve(parent, nxt, work.reshape(1, hp, wp), out, 0, 1, 1)


@njit(**SERIAL)
def label_2d_4(image, work, parent, out):
    """4-connected labels of a 2-D image, padded as for ``label_2d_8``. When the pixels above, to the left and
    above-left are all set, above and left are already joined through above-left: no union."""
    hp, wp = image.shape
    nxt = 1
    parent[0] = 0
    for y in range(1, hp):
        img_up = image[y - 1]
        img = image[y]
        lab_up = work[y - 1]
        lab_row = work[y]
        for x in range(1, wp - 1):
            if img[x] == 0:
                continue
            if img_up[x]:
                lab = lab_up[x]
                if img[x - 1] and not img_up[x - 1] and lab_row[x - 1] != lab:
                    lab = _union(parent, lab, lab_row[x - 1])
            elif img[x - 1]:
                lab = lab_row[x - 1]
            else:
                lab = nxt
                parent[nxt] = nxt
                nxt += 1
            lab_row[x] = lab
    return _resolve(parent, nxt, work.reshape(1, hp, wp), out, 0, 1, 1)


@njit(**SERIAL)
def label_flat(image, offsets, dominant, work, parent, out):
    """Labels of a padded (P + 1, H + 2, W + 2) uint8 image (one zero plane in front, one zero row and column
    on each side) whose earlier neighbours are at the flat ``offsets`` (negative); ``work`` int32 zeros of
    the same shape; final labels into ``out`` (P, H, W). With ``dominant``, offsets[0] is adjacent to all the
    other earlier neighbours (full connectivity: the pixel one step back on the first axis), so when it is
    set its label alone decides. Returns the number of components."""
    pp, hp, wp = image.shape
    flat = image.reshape(-1)
    lab_flat = work.reshape(-1)
    n = offsets.size
    nxt = 1
    parent[0] = 0
    for z in range(1, pp):
        for y in range(1, hp - 1):
            base = (z * hp + y) * wp
            for x in range(1, wp - 1):
                i = base + x
                if flat[i] == 0:
                    continue
                if dominant and flat[i + offsets[0]]:
                    lab_flat[i] = lab_flat[i + offsets[0]]
                    continue
                lab = 0
                for k in range(n):
                    other = lab_flat[i + offsets[k]]
                    if other and other != lab:
                        lab = other if lab == 0 else _union(parent, lab, other)
                if lab == 0:
                    lab = nxt
                    parent[nxt] = nxt
                    nxt += 1
                lab_flat[i] = lab
    return _resolve(parent, nxt, work, out, 1, 1, 1)


@njit(**SERIAL)
def label_3d(image, steps, dominant, parent, out):
    """Labels of an unpadded (P, H, W) uint8 image (0 / 1, C-contiguous) into ``out`` (P, H, W) int32, which
    is also the only label scratch: pass 1 writes every voxel's provisional label (0 for background) in
    raster order, so the earlier neighbours' labels are read back from ``out``; pass 2 renumbers ``out`` in
    place. ``steps`` (K, 3) int64 holds the earlier neighbours' (dz, dy, dx); with ``dominant``, steps[0] =
    (-1, 0, 0) is adjacent to all the others (full connectivity) and decides alone when set. ``parent``
    (int32) needs room for the provisional labels + 1 (at most P * H * ((W + 1) // 2) + 1); only the part
    used is written. Returns the number of components. Voxels off the border of the volume test their
    neighbours' bounds; the others do not."""
    pp, hh, ww = image.shape
    img = image.reshape(-1)
    lab = out.reshape(-1)
    n_steps = steps.shape[0]
    flat = np.empty(n_steps, np.int64)
    for k in range(n_steps):
        flat[k] = (steps[k, 0] * hh + steps[k, 1]) * ww + steps[k, 2]
    nxt = 1
    parent[0] = 0
    for z in range(pp):
        for y in range(hh):
            base = (z * hh + y) * ww
            edge_row = z == 0 or y == 0 or y == hh - 1
            for x in range(ww):
                i = base + x
                if img[i] == 0:
                    lab[i] = 0
                    continue
                inside = not edge_row and 0 < x < ww - 1
                if dominant and z > 0 and lab[i + flat[0]] != 0:
                    lab[i] = lab[i + flat[0]]
                    continue
                cur = 0
                for k in range(n_steps):
                    if not inside:
                        zz = z + steps[k, 0]
                        yy = y + steps[k, 1]
                        xx = x + steps[k, 2]
                        if zz < 0 or yy < 0 or yy >= hh or xx < 0 or xx >= ww:
                            continue
                    other = lab[i + flat[k]]
                    if other != 0 and other != cur:
                        cur = other if cur == 0 else _union(parent, cur, other)
                if cur == 0:
                    cur = nxt
                    parent[nxt] = nxt
                    nxt += 1
                lab[i] = cur
    count = _number_roots(parent, nxt)
    for i in range(lab.shape[0]):
        lab[i] = parent[lab[i]]
    return count


# ------------------------------------------------------------------------------- run-based 2-D labelling


@njit(**SERIAL)
def label_runs_2d(image, eight, edges, row_runs, run_label, parent, out):
    """Run-based two-scan labelling of a 2-D image (He, Chao & Suzuki 2008). ``image`` (H, W) uint8, 0 / 1
    (1 = foreground), C-contiguous; ``eight`` True for 8-, False for 4-connectivity; scratch (int32, contents
    ignored): ``edges`` 2 * R + 2, ``run_label`` and ``parent`` R + 1, ``row_runs`` H + 1, with
    R = H * ((W + 1) // 2) + 1 (at least the number of runs); labels into ``out`` (H, W) int32 (every pixel
    written). Returns the number of components.

    Scan 1, per row: a branch-free pass records the columns where the pixel value changes (alternately run
    starts and exclusive ends) in ``edges``; then each run takes the provisional label of the first run of
    the row above that touches it (overlap, or within one column for 8-connectivity; a new label if none)
    and unites it with the labels of the other touching runs (union-find, the smaller root wins, so
    ``parent[i] <= i``). Provisional labels are made in raster order of the runs' first pixels, so numbering
    the roots in increasing order gives scipy.ndimage.label's numbering. Scan 2 writes each row branch-free:
    a running count of run starts indexes the runs' final labels, times the pixel value."""
    h, w = image.shape
    slack = 1 if eight else 0
    n = 0  # runs so far
    nl = 1  # next provisional label
    parent[0] = 0
    prev_first = 0
    for y in range(h):
        row = image[y]
        row_runs[y] = n
        base = 2 * n
        m = 0
        prev = 0
        for x in range(w):
            v = np.intp(row[x])
            edges[base + m] = x  # kept only where the value changes (m grows)
            m += v ^ prev
            prev = v
        if prev:
            edges[base + m] = w
            m += 1
        p = prev_first  # first run of the row above that may still touch this or a later run of this row
        p_end = n
        prev_first = n
        for j in range(m // 2):
            s = edges[base + 2 * j]
            e = edges[base + 2 * j + 1]
            # a run above [ps, pe) touches [s, e) iff pe + slack > s and ps < e + slack
            while p < p_end and edges[2 * p + 1] + slack <= s:
                p += 1
            if p < p_end and edges[2 * p] < e + slack:
                lab = run_label[p]
                q = p + 1
                while q < p_end and edges[2 * q] < e + slack:
                    other = run_label[q]
                    if other != lab:
                        lab = _union(parent, lab, other)
                    q += 1
            else:
                lab = nl
                parent[nl] = nl
                nl += 1
            run_label[n] = lab
            n += 1
    row_runs[h] = n
    count = _number_roots(parent, nl)
    for i in range(n - 1, -1, -1):  # run i's final label at run_label[i + 1]; index 0 is the background
        run_label[i + 1] = parent[run_label[i]]
    run_label[0] = 0
    for y in range(h):
        dst = out[y]
        row = image[y]
        c = np.uintp(row_runs[y])  # + the starts seen so far in this row: index of the current run + 1
        prev = np.uintp(0)
        for x in range(w):
            v = np.uintp(row[x])
            c += v & (np.uintp(1) - prev)
            prev = v
            dst[x] = run_label[c] * np.int32(v)
    return count


# ------------------------------------------------------------------------------------- per-label statistics


@njit(**SERIAL)
def moments_2d(labels, n, acc, bbox):
    """One pass over a 2-D int32 label image: acc[l] = (count, sum r, sum c, sum r², sum c², sum r c) for labels
    1..n (as float64), bbox[l] = (min r, min c, max r + 1, max c + 1). Coordinates are taken relative to each
    label's first pixel to keep the second moments exact-ish (the shifts are added back by the caller)."""
    h, w = labels.shape
    for y in range(h):
        for x in range(w):
            lab = labels[y, x]
            if lab <= 0 or lab > n:
                continue
            if acc[lab, 0] == 0:
                bbox[lab, 0] = y
                bbox[lab, 1] = x
                bbox[lab, 2] = y + 1
                bbox[lab, 3] = x + 1
                acc[lab, 6] = y
                acc[lab, 7] = x
            else:
                if x < bbox[lab, 1]:
                    bbox[lab, 1] = x
                if y + 1 > bbox[lab, 2]:
                    bbox[lab, 2] = y + 1
                if x + 1 > bbox[lab, 3]:
                    bbox[lab, 3] = x + 1
            r = y - acc[lab, 6]
            c = x - acc[lab, 7]
            acc[lab, 0] += 1.0
            acc[lab, 1] += r
            acc[lab, 2] += c
            acc[lab, 3] += r * r
            acc[lab, 4] += c * c
            acc[lab, 5] += r * c


@njit(**SERIAL)
def moments_3d(labels, n, acc, bbox):
    """One pass over a (P, H, W) int32 label image: acc[l] = (count, sum z, sum r, sum c) and
    bbox[l] = (min z, min r, min c, max z + 1, max r + 1, max c + 1)."""
    p, h, w = labels.shape
    for z in range(p):
        for y in range(h):
            for x in range(w):
                lab = labels[z, y, x]
                if lab <= 0 or lab > n:
                    continue
                if acc[lab, 0] == 0:
                    bbox[lab, 0] = z
                    bbox[lab, 1] = y
                    bbox[lab, 2] = x
                    bbox[lab, 3] = z + 1
                    bbox[lab, 4] = y + 1
                    bbox[lab, 5] = x + 1
                else:
                    if y < bbox[lab, 1]:
                        bbox[lab, 1] = y
                    if x < bbox[lab, 2]:
                        bbox[lab, 2] = x
                    if z + 1 > bbox[lab, 3]:
                        bbox[lab, 3] = z + 1
                    if y + 1 > bbox[lab, 4]:
                        bbox[lab, 4] = y + 1
                    if x + 1 > bbox[lab, 5]:
                        bbox[lab, 5] = x + 1
                acc[lab, 0] += 1.0
                acc[lab, 1] += z
                acc[lab, 2] += y
                acc[lab, 3] += x


@njit(**SERIAL)
def intensity_stats(labels, values, n, acc):
    """acc[l] = (sum, min, max) of values (float64, flat) over the flat int32 labels l in 1..n; the caller
    fills acc[:, 1] with +inf and acc[:, 2] with -inf."""
    for i in range(labels.size):
        lab = labels[i]
        if lab <= 0 or lab > n:
            continue
        v = values[i]
        acc[lab, 0] += v
        if v < acc[lab, 1]:
            acc[lab, 1] = v
        if v > acc[lab, 2]:
            acc[lab, 2] = v


@njit(**SERIAL)
def perimeter_2d(labels, n, weights, out):
    """skimage's 4-neighbourhood perimeter per label: a pixel is a border pixel if a 4-neighbour (or the
    outside) has another label; each border pixel gets the code 1 + 2 * (border 4-neighbours of its label) +
    10 * (border diagonal neighbours of its label) and adds weights[code] to out[label]."""
    h, w = labels.shape
    border = np.zeros((h + 2, w + 2), np.uint8)
    for y in range(h):
        for x in range(w):
            lab = labels[y, x]
            if lab <= 0 or lab > n:
                continue
            if (y == 0 or x == 0 or y == h - 1 or x == w - 1 or labels[y - 1, x] != lab
                    or labels[y + 1, x] != lab or labels[y, x - 1] != lab or labels[y, x + 1] != lab):
                border[y + 1, x + 1] = 1
    for y in range(h):
        for x in range(w):
            if not border[y + 1, x + 1]:
                continue
            lab = labels[y, x]
            code = 1
            for dy in range(-1, 2):
                for dx in range(-1, 2):
                    if dy == 0 and dx == 0:
                        continue
                    yy = y + dy
                    xx = x + dx
                    if border[yy + 1, xx + 1] and labels[yy, xx] == lab:
                        code += 2 if (dy == 0 or dx == 0) else 10
            out[lab] += weights[code]


@njit(**SERIAL)
def _cross(o_r, o_c, a_r, a_c, b_r, b_c):
    return (a_r - o_r) * (b_c - o_c) - (a_c - o_c) * (b_r - o_r)


@njit(**SERIAL)
def convex_counts(labels, n, bbox, starts, out):
    """out[l] = the number of pixel centres in or on the convex hull of label l's pixels widened by half-pixel
    diamonds (skimage's convex_image), for labels 1..n with bbox[l] = (r0, c0, r1, c1) and starts[l] the
    offset of label l's rows in a scratch table (starts[n + 1] = total rows).

    Only the leftmost and rightmost pixel of each row can give hull vertices; their six diamond points are
    sorted (row, col) and Andrew's monotone chain builds the hull; each pixel row then crosses the convex
    polygon in one interval whose integer columns are counted."""
    h, w = labels.shape
    total = starts[n + 1]
    left = np.full(total, w, np.int64)
    right = np.full(total, -1, np.int64)
    for y in range(h):
        for x in range(w):
            lab = labels[y, x]
            if lab <= 0 or lab > n:
                continue
            j = starts[lab] + y - bbox[lab, 0]
            if x < left[j]:
                left[j] = x
            if x > right[j]:
                right[j] = x
    for lab in range(1, n + 1):
        r0 = bbox[lab, 0]
        rows = bbox[lab, 2] - r0
        if rows <= 0:
            continue
        pr = np.empty(6 * rows)
        pc = np.empty(6 * rows)
        m = 0
        for j in range(rows):
            xl = left[starts[lab] + j]
            xr = right[starts[lab] + j]
            if xr < 0:
                continue
            y = r0 + j
            for (dr, dc, x) in ((-0.5, 0.0, xl), (-0.5, 0.0, xr), (0.0, -0.5, xl), (0.0, 0.5, xr),
                                (0.5, 0.0, xl), (0.5, 0.0, xr)):
                pr[m] = y + dr
                pc[m] = x + dc
                m += 1
        key = np.empty(m)
        for i in range(m):
            key[i] = pr[i] * (2.0 * w + 8.0) + pc[i]
        order = np.argsort(key)
        sr = np.empty(m)
        sc = np.empty(m)
        for i in range(m):
            sr[i] = pr[order[i]]
            sc[i] = pc[order[i]]
        hull_r = np.empty(2 * m + 1)
        hull_c = np.empty(2 * m + 1)
        k = 0
        for i in range(m):  # lower hull
            while k >= 2 and _cross(hull_r[k - 2], hull_c[k - 2], hull_r[k - 1], hull_c[k - 1], sr[i], sc[i]) <= 0:
                k -= 1
            hull_r[k] = sr[i]
            hull_c[k] = sc[i]
            k += 1
        low = k + 1
        for i in range(m - 2, -1, -1):  # upper hull
            while k >= low and _cross(hull_r[k - 2], hull_c[k - 2], hull_r[k - 1], hull_c[k - 1], sr[i], sc[i]) <= 0:
                k -= 1
            hull_r[k] = sr[i]
            hull_c[k] = sc[i]
            k += 1
        nv = k - 1  # the last point repeats the first
        count = 0
        for j in range(rows):
            y = float(r0 + j)
            lo = np.inf
            hi = -np.inf
            for e in range(nv):
                ar = hull_r[e]
                ac = hull_c[e]
                br = hull_r[e + 1]
                bc = hull_c[e + 1]
                if (ar <= y <= br) or (br <= y <= ar):
                    if ar == br:
                        lo = min(lo, ac, bc)
                        hi = max(hi, ac, bc)
                    else:
                        c = ac + (y - ar) * (bc - ac) / (br - ar)
                        lo = min(lo, c)
                        hi = max(hi, c)
            if hi >= lo:
                first = np.ceil(lo - 1e-9)
                last = np.floor(hi + 1e-9)
                if last >= first:
                    count += int(last - first) + 1
        out[lab] = count
