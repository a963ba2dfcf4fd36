"""Slow, plainly correct references for morphology, labelling and measurement (never imported by fastdip)."""

from __future__ import annotations

from collections import deque
from itertools import product

import numpy as np

_NUMPY_PAD = {"reflect": "symmetric", "mirror": "reflect", "nearest": "edge", "wrap": "wrap"}


def extreme(image, footprint, take_max, mode="nearest", cval=0):
    """min over x + b (take_max False) or max over x - b (True) of the image extended by ``mode``, with the
    footprint's origin at shape // 2: the textbook definitions, one offset at a time."""
    image = np.asarray(image)
    fp = np.asarray(footprint, dtype=bool)
    origin = [s // 2 for s in fp.shape]
    pad = [(s, s) for s in fp.shape]
    if mode == "constant":
        ext = np.pad(image, pad, mode="constant", constant_values=cval)
    else:
        ext = np.pad(image, pad, mode=_NUMPY_PAD[mode])
    out = None
    for idx in zip(*np.nonzero(fp)):
        b = [i - o for i, o in zip(idx, origin)]
        shift = [-v for v in b] if take_max else b
        sl = tuple(slice(p[0] + s, p[0] + s + n) for p, s, n in zip(pad, shift, image.shape))
        v = ext[sl]
        out = v.copy() if out is None else (np.maximum(out, v) if take_max else np.minimum(out, v))
    return out


def label(binary, connectivity):
    """Breadth-first flood fill in raster order of seeds: components numbered by their first pixel."""
    binary = np.asarray(binary, dtype=bool)
    ndim = binary.ndim
    offs = [o for o in product((-1, 0, 1), repeat=ndim) if 0 < sum(1 for v in o if v) <= connectivity]
    out = np.zeros(binary.shape, np.int32)
    n = 0
    for start in zip(*np.nonzero(binary)):
        if out[start]:
            continue
        n += 1
        out[start] = n
        queue = deque([start])
        while queue:
            p = queue.popleft()
            for o in offs:
                q = tuple(a + b for a, b in zip(p, o))
                if all(0 <= c < s for c, s in zip(q, binary.shape)) and binary[q] and not out[q]:
                    out[q] = n
                    queue.append(q)
    return out


def region_moments(labels, value):
    """area, centroid and the central second moments (mu_rr, mu_cc, mu_rc) of one label, by numpy."""
    rr, cc = np.nonzero(labels == value)
    r0, c0 = rr.mean(), cc.mean()
    return rr.size, (r0, c0), (((rr - r0) ** 2).sum(), ((cc - c0) ** 2).sum(), ((rr - r0) * (cc - c0)).sum())
