"""Kernel for fastdip.segmentation.region_growing: breadth-first growth of several regions from one shared
first-in first-out queue.

Layout. The wrapper pads the image by one pixel on every spatial side and flattens it: ``feat`` holds the
C-contiguous float64 feature vectors ``(N, C)`` of the padded grid in raster order (C channels, C = 1 for
grey images), ``labels`` (int32, length N) is -1 on the padding, the region (1..R) on the seed pixels and 0
elsewhere, so a neighbour is ``p + step`` with no bounds test (the padding is never 0). ``steps`` holds the
flat neighbour steps in the order they are tried; ``queue`` (int64, any length from 2 * len(steps) + the
number of seeds up) comes in with the seed pixels in order, ``state`` (int64) = [head, tail] of its live part;
a kernel returns 1 when the queue must be enlarged (the caller copies the live part into a larger one and
calls again), 0 when growth is over. 2-D images take ``grow_2d``/``grow_2d_lut`` (unpadded, packed
``row << 16 | col`` queue of int32); grey uint8 images with rules 1 and 2 take the ``*_lut`` kernels.
One grey 2-D region with rule 1 and no size limit is a flood fill: ``flood_2d``, a scanline fill with a
stack of spans.

Rules (``rule``): 0 "mean": accept x when ||mean_R - f(x)|| < threshold, mean_R updated after every
accepted pixel (``sums``/``counts`` come in holding the seeds' sums and counts and leave holding the
region's); 1 "fixed reference": accept when ||ref_R - f(x)|| <= threshold; 2 "interval": accept when
lo_R[c] <= f(x)[c] <= hi_R[c] for every channel. A region with ``max_size`` pixels stops growing
(``max_size`` <= 0: no limit).
"""

import math

import numpy as np

from ._config import SERIAL, njit


@njit(**SERIAL)
def _compact(queue, head, tail):
    """Move the live part ``queue[head:tail]`` to the front; return its length (the new tail)."""
    for t in range(tail - head):
        queue[t] = queue[head + t]
    return tail - head


@njit(**SERIAL)
def grow(feat, steps, labels, queue, state, sums, counts, ref, lo, hi, rule, threshold, max_size):
    """Grow every region from the queue. ``state`` (int64) holds the live part ``[head, tail]`` of the queue
    (the seeds at first); a full queue is compacted when at least half of it is consumed, else the kernel
    saves ``state`` and returns 1 for the caller to enlarge the queue and call again; 0 when growth is
    over. Any queue length >= 2 * len(steps) and the number of seeds works."""
    n_channels = feat.shape[1]
    n_steps = steps.shape[0]
    head = state[0]
    tail = state[1]
    cap = queue.shape[0]
    while head < tail:
        if tail + n_steps > cap:
            if head >= cap // 2:
                tail = _compact(queue, head, tail)
                head = 0
            if tail + n_steps > cap:
                state[0] = head
                state[1] = tail
                return 1
        p = queue[head]
        head += 1
        region = labels[p]
        if max_size > 0 and counts[region] >= max_size:
            continue
        for o in range(n_steps):
            q = p + steps[o]
            if labels[q] != 0:
                continue
            if max_size > 0 and counts[region] >= max_size:
                break
            accept = True
            if rule == 0:
                if n_channels == 1:
                    accept = abs(sums[region, 0] / counts[region] - feat[q, 0]) < threshold
                else:
                    d2 = 0.0
                    for c in range(n_channels):
                        diff = sums[region, c] / counts[region] - feat[q, c]
                        d2 += diff * diff
                    accept = math.sqrt(d2) < threshold
            elif rule == 1:
                if n_channels == 1:
                    accept = abs(ref[region, 0] - feat[q, 0]) <= threshold
                else:
                    d2 = 0.0
                    for c in range(n_channels):
                        diff = ref[region, c] - feat[q, c]
                        d2 += diff * diff
                    accept = math.sqrt(d2) <= threshold
            else:
                for c in range(n_channels):
                    v = feat[q, c]
                    if v < lo[region, c] or v > hi[region, c]:
                        accept = False
                        break
            if accept:
                labels[q] = region
                for c in range(n_channels):
                    sums[region, c] += feat[q, c]
                counts[region] += 1
                queue[tail] = q
                tail += 1
    state[0] = head
    state[1] = tail
    return 0


@njit(**SERIAL)
def grow_lut(image, steps, labels, queue, state, counts, lut, max_size):
    """:func:`grow` for a padded, flattened grey uint8 image (length N) whose test is a table: a neighbour of
    value v joins region R when ``lut[R, v]`` is nonzero (``lut`` (R + 1, 256) uint8: rules 1 and 2
    tabulated by the caller with the kernel's float64 arithmetic). The same order, queue and return."""
    n_steps = steps.shape[0]
    limited = max_size > 0
    head = state[0]
    tail = state[1]
    cap = queue.shape[0]
    while head < tail:
        if tail + n_steps > cap:
            if head >= cap // 2:
                tail = _compact(queue, head, tail)
                head = 0
            if tail + n_steps > cap:
                state[0] = head
                state[1] = tail
                return 1
        p = queue[head]
        head += 1
        region = labels[p]
        if limited and counts[region] >= max_size:
            continue
        for o in range(n_steps):
            q = p + steps[o]
            if labels[q] != 0:
                continue
            if limited and counts[region] >= max_size:
                break
            if lut[region, image[q]] != 0:
                labels[q] = region
                counts[region] += 1
                queue[tail] = q
                tail += 1
    state[0] = head
    state[1] = tail
    return 0


@njit(**SERIAL)
def _packed_steps(d_row, d_col, n_cols, offset, packed):
    """Fill ``offset`` (flat steps in an (H, n_cols) array) and ``packed`` (steps of ``row << 16 | col``)."""
    for o in range(d_row.shape[0]):
        offset[o] = d_row[o] * n_cols + d_col[o]
        packed[o] = d_row[o] * 65536 + d_col[o]


@njit(**SERIAL)
def grow_2d(image, d_row, d_col, labels, queue, state, sums, counts, ref, lo, hi, rule, threshold, max_size):
    """:func:`grow` on an unpadded 2-D image, in the same breadth-first order (so the same regions).

    ``image`` (H, W, C), H and W < 32768, is read in its own type (uint8, uint16, float32, float64; compared
    in float64); ``labels`` (H, W) int32 is the result itself (0, or 1..R on the seeds). ``queue`` (int32, any
    length >= 2 * 8 and the seeds) holds ``row << 16 | col`` and ``state`` (int64) the live part's
    ``[head, tail]`` (the seeds at first); a small queue is compacted as it fills, and the kernel returns 1
    (state saved) when it must be enlarged and called again, 0 when growth is over. Nothing is padded or
    copied: only pixels on the image border test their neighbours' bounds. ``d_row``/``d_col`` are the
    neighbour steps in the order they are tried; ``sums`` is only kept up to date for rule 0.
    """
    n_rows, n_cols, n_channels = image.shape
    flat = labels.reshape(-1)
    feat = image.reshape(-1, n_channels)
    n_steps = d_row.shape[0]
    offset = np.empty(n_steps, dtype=np.int64)
    packed = np.empty(n_steps, dtype=np.int64)
    _packed_steps(d_row, d_col, n_cols, offset, packed)
    # rule 0: each region's mean, recomputed (sums / counts, the same division) only when the region grows
    means = np.zeros(sums.shape)
    for reg in range(sums.shape[0]):
        if counts[reg] > 0:
            for ch in range(n_channels):
                means[reg, ch] = sums[reg, ch] / counts[reg]
    limited = max_size > 0
    head = state[0]
    tail = state[1]
    cap = queue.shape[0]
    while head < tail:
        if tail + n_steps > cap:  # full: compact when at least half is consumed, else hand back to enlarge
            if head >= cap // 2:
                tail = _compact(queue, head, tail)
                head = 0
            if tail + n_steps > cap:
                state[0] = head
                state[1] = tail
                return 1
        v = queue[head]
        head += 1
        r = v >> 16
        c = v & 0xFFFF
        p = r * n_cols + c
        region = flat[p]
        if limited and counts[region] >= max_size:
            continue
        inside = 0 < r < n_rows - 1 and 0 < c < n_cols - 1
        for o in range(n_steps):
            if not inside:
                rr = r + d_row[o]
                cc = c + d_col[o]
                if rr < 0 or rr >= n_rows or cc < 0 or cc >= n_cols:
                    continue
            q = p + offset[o]
            if flat[q] != 0:
                continue
            if limited and counts[region] >= max_size:
                break
            accept = True
            if rule == 0:
                if n_channels == 1:
                    accept = abs(means[region, 0] - feat[q, 0]) < threshold
                else:
                    d2 = 0.0
                    for ch in range(n_channels):
                        diff = means[region, ch] - feat[q, ch]
                        d2 += diff * diff
                    accept = math.sqrt(d2) < threshold
            elif rule == 1:
                if n_channels == 1:
                    accept = abs(ref[region, 0] - feat[q, 0]) <= threshold
                else:
                    d2 = 0.0
                    for ch in range(n_channels):
                        diff = ref[region, ch] - feat[q, ch]
                        d2 += diff * diff
                    accept = math.sqrt(d2) <= threshold
            else:
                for ch in range(n_channels):
                    x = feat[q, ch]
                    if x < lo[region, ch] or x > hi[region, ch]:
                        accept = False
                        break
            if accept:
                flat[q] = region
                counts[region] += 1
                if rule == 0:
                    for ch in range(n_channels):
                        sums[region, ch] += feat[q, ch]
                        means[region, ch] = sums[region, ch] / counts[region]
                queue[tail] = v + packed[o]
                tail += 1
    state[0] = head
    state[1] = tail
    return 0


@njit(**SERIAL)
def grow_2d_lut(image, d_row, d_col, labels, queue, state, counts, lut, max_size):
    """:func:`grow_2d` for a grey uint8 image (H, W) whose test is a table: a neighbour of value v joins
    region R when ``lut[R, v]`` is nonzero (``lut`` (R + 1, 256) uint8: rules 1 and 2 tabulated by the
    caller with the kernel's own float64 arithmetic). The same order and queue layout as :func:`grow_2d`."""
    n_rows, n_cols = image.shape
    img = image.reshape(-1)
    flat = labels.reshape(-1)
    n_steps = d_row.shape[0]
    offset = np.empty(n_steps, dtype=np.int64)
    packed = np.empty(n_steps, dtype=np.int64)
    _packed_steps(d_row, d_col, n_cols, offset, packed)
    limited = max_size > 0
    head = state[0]
    tail = state[1]
    cap = queue.shape[0]
    while head < tail:
        if tail + n_steps > cap:  # full: compact when at least half is consumed, else hand back to enlarge
            if head >= cap // 2:
                tail = _compact(queue, head, tail)
                head = 0
            if tail + n_steps > cap:
                state[0] = head
                state[1] = tail
                return 1
        v = queue[head]
        head += 1
        r = v >> 16
        c = v & 0xFFFF
        p = r * n_cols + c
        region = flat[p]
        if limited and counts[region] >= max_size:
            continue
        inside = 0 < r < n_rows - 1 and 0 < c < n_cols - 1
        for o in range(n_steps):
            if not inside:
                rr = r + d_row[o]
                cc = c + d_col[o]
                if rr < 0 or rr >= n_rows or cc < 0 or cc >= n_cols:
                    continue
            q = p + offset[o]
            if flat[q] != 0:
                continue
            if limited and counts[region] >= max_size:
                break
            if lut[region, img[q]] != 0:
                flat[q] = region
                counts[region] += 1
                queue[tail] = v + packed[o]
                tail += 1
    state[0] = head
    state[1] = tail
    return 0


# ------------------------------------------------------------------------------------ scanline flood fill


@njit(**SERIAL)
def flood_2d(image, lo, hi, eight, seeds, value, stack, state, labels, pause):
    """Scanline flood fill (A. R. Smith, "Tint fill", SIGGRAPH 1979, DOI 10.1145/800249.807456; P. S. Heckbert,
    "A seed fill algorithm", Graphics Gems, 1990): write ``value`` into ``labels`` (H, W) int32, all 0 at
    the first call, on every pixel connected to a seed through pixels with ``lo <= image <= hi``.

    ``image`` (H, W) is uint8, uint16, float32 or float64 with ``lo``/``hi`` of its type; ``eight`` selects
    8- (else 4-) connectivity; ``seeds`` (int64) are flat indices of pixels that pass the test. ``stack``
    (int32, length >= 16) holds span entries; ``state`` (int64) = [stack top, next seed, pixels filled], all
    0 at first. Returns 1 when ``stack`` is too short for the next entry (the caller copies ``stack[:top]``
    into one twice as long and calls again), 2 when ``pause`` > 0 and at least ``pause`` pixels are filled
    (the caller may change how ``labels``' memory is backed, then calls again with ``pause`` = 0), 0 when
    the fill is complete. Every return saves ``state``, so a call resumes where the last one stopped.

    A stack entry ``(y, a, b, dy)`` asks for row y to be scanned over columns [a, b] (clipped to the image)
    and says that row y - dy is filled over [a + e, b - e] (e = 1 for 8-, 0 for 4-connectivity), a maximal
    span, so nothing in [a + e - 1, b - e + 1] of that row can still be filled. Each fillable pixel found
    in row y is widened to a maximal span [l, r] and filled; row y + dy is then asked for [l - e, r + e], and
    row y - dy only for the parts of [l - e, r + e] outside [a + e - 1, b - e + 1] (where a span leaks round
    a corner), so the row a span came from is not scanned again. A seed's span is filled first and asks for
    both neighbouring rows. Every filled span is maximal when filled, so a pixel next to one that passes the
    test is filled too: widening a span tests only the image, never ``labels``.
    """
    h, w = image.shape
    img = image.reshape(-1)
    lab = labels.reshape(-1)
    e = 1 if eight else 0
    cap = stack.shape[0]
    top = state[0]
    k = state[1]
    filled = state[2]
    while True:
        if pause > 0 and filled >= pause:
            state[0] = top
            state[1] = k
            state[2] = filled
            return 2
        if top == 0:  # the next seed not filled yet
            while k < seeds.shape[0] and lab[seeds[k]] != 0:
                k += 1
            if k == seeds.shape[0]:
                break
            p = seeds[k]
            k += 1
            y = p // w
            base = y * w
            q = p
            while q > base and (lo <= img[q - 1]) & (img[q - 1] <= hi):
                q -= 1
            left = q - base
            q = p
            while q < base + w and (lo <= img[q]) & (img[q] <= hi):
                q += 1
            right = q - base - 1
            for i in range(base + left, base + right + 1):
                lab[i] = value
            filled += right - left + 1
            for dy in (1, -1):
                if 0 <= y + dy < h:
                    stack[top] = y + dy
                    stack[top + 1] = left - e
                    stack[top + 2] = right + e
                    stack[top + 3] = dy
                    top += 4
            continue
        y = np.intp(stack[top - 4])
        a = np.intp(stack[top - 3])
        b = np.intp(stack[top - 2])
        dy = np.intp(stack[top - 1])
        x = max(a, 0)
        end = min(b, w - 1)
        if top - 4 + 12 * ((end - x) // 2 + 1) > cap:  # room for 3 entries per span the scan can find
            break
        top -= 4
        base = y * w
        known_lo = a + e - 1
        known_hi = b - e + 1
        ahead = 0 <= y + dy < h
        behind = 0 <= y - dy < h
        while x <= end:
            p = base + x
            # bitwise tests: one branch per pixel (noisy images mispredict short-circuit chains)
            if (lab[p] != 0) | (img[p] < lo) | (img[p] > hi):
                x += 1
                continue
            q = p
            if x == a or x == 0:  # only the first span can reach left of the scanned range
                while q > base and (lo <= img[q - 1]) & (img[q - 1] <= hi):
                    q -= 1
                    lab[q] = value
            left = q - base
            q = p
            while q < base + w and (lo <= img[q]) & (img[q] <= hi):
                lab[q] = value
                q += 1
            right = q - base - 1
            filled += right - left + 1
            s = left - e
            t = right + e
            if ahead:
                stack[top] = y + dy
                stack[top + 1] = s
                stack[top + 2] = t
                stack[top + 3] = dy
                top += 4
            if behind:
                if s < known_lo:
                    stack[top] = y - dy
                    stack[top + 1] = s
                    stack[top + 2] = min(known_lo - 1, t)
                    stack[top + 3] = -dy
                    top += 4
                if t > known_hi:
                    stack[top] = y - dy
                    stack[top + 1] = max(known_hi + 1, s)
                    stack[top + 2] = t
                    stack[top + 3] = -dy
                    top += 4
            x = right + 2
    state[0] = top
    state[1] = k
    state[2] = filled
    return 1 if top != 0 else 0
