"""Kernel for fastdip.segmentation.region_growing: breadth-first growth of several regions from one shared
first-in first-out queue.

Layout. The wrapper pads the image by one pixel on every spatial side and flattens it: ``feat`` holds the
C-contiguous float64 feature vectors ``(N, C)`` of the padded grid in raster order (C channels, C = 1 for
grey images), ``labels`` (int32, length N) is -1 on the padding, the region (1..R) on the seed pixels and 0
elsewhere, so a neighbour is ``p + step`` with no bounds test (the padding is never 0). ``steps`` holds the
flat neighbour steps in the order they are tried; ``queue`` (int64, length >= N) comes in with the seed
pixels in order in its first ``n_seeds`` entries. Both are the wrapper's scratch/result buffers.

Rules (``rule``): 0 "mean": accept x when ||mean_R - f(x)|| < threshold, mean_R updated after every
accepted pixel (``sums``/``counts`` come in holding the seeds' sums and counts and leave holding the
region's); 1 "fixed reference": accept when ||ref_R - f(x)|| <= threshold; 2 "interval": accept when
lo_R[c] <= f(x)[c] <= hi_R[c] for every channel. A region with ``max_size`` pixels stops growing
(``max_size`` <= 0: no limit).
"""

import math

from numba import njit

from ._config import SERIAL


@njit(**SERIAL)
def grow(feat, steps, labels, queue, n_seeds, sums, counts, ref, lo, hi, rule, threshold, max_size):
    """Grow every region from the queue; return the number of pixels labelled (seeds included)."""
    n_channels = feat.shape[1]
    n_steps = steps.shape[0]
    head = 0
    tail = n_seeds
    while head < tail:
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
    return tail
