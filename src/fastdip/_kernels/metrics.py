"""Kernels for fastdip.metrics: SSIM from separable Gaussian local moments, and sums of squared differences.

SSIM kernels compute only the 'valid' output (every window inside the input), one output row at a time: a
vertical pass sums the five weighted moments x, y, x*x, y*y, x*y of ``k`` input rows into five row buffers,
a horizontal pass turns them into local means, variances and the covariance, and the SSIM formula is summed
per output row (``rowsum``) and written to ``smap`` only when ``smap`` has rows. No full-size float image
is made. Accumulation is float64 for every input dtype (the variance E[x^2] - E[x]^2 cancels badly in
float32). Inputs: two C-contiguous arrays of one dtype (uint8, uint16, float32 or float64).
"""

import numpy as np

from ._config import SAFE_FASTMATH, SERIAL, njit


@njit(**SERIAL)
def _vertical_pixels(x, y, w, i, v):
    """v[:, j] = sum_t w[t] * (x, y, x*x, y*y, x*y)[i + t, j] for 2-D x, y."""
    vx = v[0]
    vy = v[1]
    vxx = v[2]
    vyy = v[3]
    vxy = v[4]
    v[:, :] = 0.0
    # t outer, j inner: the j loop vectorises (2.3-4x faster than register sums over t at 2048^2)
    for t in range(w.shape[0]):
        wt = w[t]
        xr = x[i + t]
        yr = y[i + t]
        for j in range(xr.shape[0]):
            a = np.float64(xr[j])
            b = np.float64(yr[j])
            wa = wt * a
            wb = wt * b
            vx[j] += wa
            vy[j] += wb
            vxx[j] += wa * a
            vyy[j] += wb * b
            vxy[j] += wa * b


@njit(**SERIAL)
def _plane_pixels(x, y, w, p, m):
    """m[:, r, c] = sum_t w[t] * (x, y, x*x, y*y, x*y)[p + t, r, c] for 3-D x, y."""
    m[:, :, :] = 0.0
    for t in range(w.shape[0]):
        wt = w[t]
        xp = x[p + t]
        yp = y[p + t]
        for r in range(xp.shape[0]):
            xr = xp[r]
            yr = yp[r]
            mx = m[0, r]
            my = m[1, r]
            mxx = m[2, r]
            myy = m[3, r]
            mxy = m[4, r]
            for c in range(xr.shape[0]):
                a = np.float64(xr[c])
                b = np.float64(yr[c])
                wa = wt * a
                wb = wt * b
                mx[c] += wa
                my[c] += wb
                mxx[c] += wa * a
                myy[c] += wb * b
                mxy[c] += wa * b


@njit(**SERIAL)
def _vertical_moments(m, w, i, v):
    """v[q, j] = sum_t w[t] * m[q, i + t, j]: the vertical pass over moment planes (3-D case)."""
    v[:, :] = 0.0
    for q in range(5):
        vq = v[q]
        for t in range(w.shape[0]):
            wt = w[t]
            mr = m[q, i + t]
            for j in range(mr.shape[0]):
                vq[j] += wt * mr[j]


# error_model='numpy': the denominator is > 0 for c1, c2 > 0, and without the zero checks of the default
# model the formula loop vectorises (about 20% faster at 2048^2); a 0/0 from rounding becomes NaN, which the
# wrapper reports
@njit(**SERIAL, error_model="numpy")
def _horizontal_ssim(v, w, c1, c2, h, smap, row):
    """Horizontal pass of the five vertical sums, then SSIM per output pixel; returns the row's sum."""
    n = h.shape[1]
    h[:, :] = 0.0
    for q in range(5):
        vq = v[q]
        hq = h[q]
        for t in range(w.shape[0]):
            wt = w[t]
            for j in range(n):
                hq[j] += wt * vq[j + t]
    write = smap.shape[0] > 0
    total = 0.0
    for j in range(n):
        mx = h[0, j]
        my = h[1, j]
        mxy = mx * my
        mxx = mx * mx
        myy = my * my
        # population (biased) moments, as Wang et al. 2004
        num = (2.0 * mxy + c1) * (2.0 * (h[4, j] - mxy) + c2)
        den = (mxx + myy + c1) * ((h[2, j] - mxx) + (h[3, j] - myy) + c2)
        s = num / den
        if write:
            smap[row, j] = s
        total += s
    return total


@njit(**SERIAL)
def _ssim_rows_2d(x, y, w, c1, c2, i0, i1, rowsum, smap):
    k = w.shape[0]
    width = x.shape[1]
    v = np.empty((5, width))
    h = np.empty((5, width - k + 1))
    for i in range(i0, i1):
        _vertical_pixels(x, y, w, i, v)
        rowsum[i] = _horizontal_ssim(v, w, c1, c2, h, smap, i)


@njit(**SERIAL)
def _ssim_plane_3d(x, y, w, c1, c2, p, rowsum, smap):
    k = w.shape[0]
    rows = x.shape[1]
    cols = x.shape[2]
    nrows = rows - k + 1
    m = np.empty((5, rows, cols))
    v = np.empty((5, cols))
    h = np.empty((5, cols - k + 1))
    _plane_pixels(x, y, w, p, m)
    for i in range(nrows):
        _vertical_moments(m, w, i, v)
        rowsum[p * nrows + i] = _horizontal_ssim(v, w, c1, c2, h, smap, p * nrows + i)


@njit(**SERIAL)
def ssim_2d(x, y, w, c1, c2, rowsum, smap, i0, i1):
    """SSIM of 2-D ``x``, ``y`` over the valid region, output rows i0..i1 (all: 0, rows - k + 1; bands of
    rows on threads: ``parallel._run_bands``, the same result row by row): per-row sums into ``rowsum``
    (rows - k + 1,), and the map into ``smap`` (rows - k + 1, cols - k + 1) unless ``smap`` has no rows.
    ``w``: the k weights."""
    _ssim_rows_2d(x, y, w, c1, c2, i0, i1, rowsum, smap)


@njit(**SERIAL)
def ssim_3d(x, y, w, c1, c2, rowsum, smap, p0, p1):
    """SSIM of 3-D ``x``, ``y`` over the valid region, output planes p0..p1 (all: 0, planes - k + 1).
    ``rowsum`` is flat, (planes - k + 1) * (rows - k + 1); ``smap`` is the valid map reshaped to 2-D,
    (planes - k + 1) * (rows - k + 1) by (cols - k + 1), or has no rows."""
    for p in range(p0, p1):
        _ssim_plane_3d(x, y, w, c1, c2, p, rowsum, smap)


# SAFE_FASTMATH ('reassoc') lets the sum vectorise: 2048^2 took 0.34 / 0.61 / 1.41 ms for uint8 / float32 /
# float64 against 1.96 / 2.05 / 2.13 ms strict (also with four hand-split partial sums). NaN and inf still
# propagate (no 'nnan'/'ninf'); uint8 terms are integers < 2**16, so their sum is exact in any order.
@njit(**SERIAL, fastmath=set(SAFE_FASTMATH))
def squared_error_sum(x, y):
    """sum((x - y)**2) over C-contiguous ``x`` and ``y`` of one dtype and shape (any number of dimensions:
    read flat), in float64."""
    xf = x.reshape(-1)
    yf = y.reshape(-1)
    total = 0.0
    for j in range(xf.shape[0]):
        d = np.float64(xf[j]) - np.float64(yf[j])
        total += d * d
    return total


@njit(**SERIAL)
def squared_error_sum_u8(x, y):
    """sum((x - y)**2) over C-contiguous uint8 ``x`` and ``y`` of one shape (read flat), exactly in integers:
    blocks of 2**15 values summed in int32 (at most 2**15 * 255**2 < 2**31, whichever lanes LLVM spreads the
    sum over), the blocks' sums in int64. 16 int32 lanes where int64 ones took 8: 2048² 0.42 -> 0.12 ms
    (OpenCV's norm 0.11 ms). The blocks are slices indexed from 0: a loop from a block's start, of unknown
    sign to LLVM, kept numba's negative-index wraparound and loaded one byte at a time (3.4 ms)."""
    xf = x.reshape(-1)
    yf = y.reshape(-1)
    total = 0
    for s in range(0, xf.shape[0], 32768):
        xs = xf[s:s + 32768]
        ys = yf[s:s + 32768]
        part = np.int32(0)
        for j in range(xs.shape[0]):
            d = np.int32(xs[j]) - np.int32(ys[j])
            part = np.int32(part + np.int32(d * d))
        total += part
    return total
