"""Kernels for fastdip.geometry's lens distortion: the coordinate maps of the Brown–Conrady model.

Model (OpenCV's, fx = fy = f): an output pixel (i, j) has normalised coordinates x = (j - cc)/f,
y = (i - cr)/f, r² = x² + y², and

    x_d = x (1 + k1 r² + k2 r⁴ + k3 r⁶) + 2 p1 x y + p2 (r² + 2 x²)
    y_d = y (1 + k1 r² + k2 r⁴ + k3 r⁶) + p1 (r² + 2 y²) + 2 p2 x y.

Layout. Every kernel writes a C-contiguous float64 ``out`` of shape (2, rows, cols): ``out[0]`` the input row,
``out[1]`` the input column to sample (``geometry.remap``'s coordinates). ``forward_map`` writes the distorted
position (cr + f y_d, cc + f x_d) of each pixel (the map of ``undistort``); ``inverse_map`` the ideal position
that the model sends to the pixel (the map of ``distort``), solved per pixel by Newton's method, NaN where
it fails.

Newton. Start at the distorted point divided by the radial factor at its own radius (replaced by 1 where
that factor is <= 0.5, as OpenCV's ``undistortPoints`` starts); at most ``max_iter + 1`` evaluations of the
model and its Jacobian [[a, b], [b, c]]; a point is done when |x_d(x, y) - x_t| + |y_d(x, y) - y_t| <= ``tol``
with a positive definite Jacobian (a > 0, det > 0, finite), NaN as soon as the Jacobian is not (past the fold
of a strong barrel there is no preimage) or if the evaluations run out. Every point runs exactly this
sequence of IEEE operations whichever loop executes it, so the sweeps, the scalar list, the parallel kernel
and a plain Python loop (tests/_naive_geometry_model.newton_undistort_point) give the same numbers.

Speed (2048² on this 2-core VM, serial). The forward map is a short polynomial per pixel: y is constant along
a row and ``xs`` (cols,) holds the column coordinates, so the inner loop is a few multiply-adds that LLVM
vectorises; it is bound by writing 16 bytes per pixel (~2 ms; threads do not pay, so it has no parallel
twin). The inverse is compute-bound: a per-pixel loop with an early exit was latency-bound (~24 ns/pixel),
so each row instead runs whole-row Newton *sweeps* (``_newton_sweep``: one step for every column, written
branch-free with selects so that LLVM vectorises it, finished and failed columns computed and discarded)
while at least 1/8 of the columns are live, then a scalar loop over the few left (``_newton_list``: near
the fold convergence is slow, and sweeping whole rows for a handful of columns would cost more): ~5
ns/pixel. ``inverse_map`` takes the range of rows it writes: above the wrapper's pixel threshold
(fastdip._kernels._config.PARALLEL_MIN_PIXELS) bands of rows run on fastdip's worker threads
(``parallel._run_bands``; no numba ``prange`` twin, so numba's own thread pool is never started).
The maps stay float64: ``geometry.remap`` samples float64 coordinates (a float32 map would only be converted
back, one more pass), and writing the forward map is ~2 ms of the ~25 ms of a 2048² ``undistort``.

References: D. C. Brown, "Decentering distortion of lenses", Photogrammetric Engineering 32(3), 444-462,
1966; J. Nocedal, S. J. Wright, *Numerical Optimization*, 2nd ed., Springer, 2006, Ch. 11 (Newton's method
for nonlinear equations).
"""

import math

import numpy as np

from ._config import SERIAL, njit


@njit(**SERIAL)
def _forward_row(out, i, xs, y, k1, k2, k3, p1, p2, cr, cc, f):
    """Row ``i`` of the forward map: ``xs`` holds the normalised column coordinates, ``y`` the row's."""
    y2 = y * y
    p1y = 2.0 * p1 * y  # 2 p1 y and 2 p2 y: the tangential cross terms 2 p1 x y, 2 p2 x y are these times x
    p2y = 2.0 * p2 * y
    rows = out[0, i]
    cols = out[1, i]
    for j in range(xs.shape[0]):
        x = xs[j]
        x2 = x * x
        r2 = x2 + y2
        radial = 1.0 + r2 * (k1 + r2 * (k2 + r2 * k3))
        xd = x * radial + p1y * x + p2 * (r2 + 2.0 * x2)
        yd = y * radial + p1 * (r2 + 2.0 * y2) + p2y * x
        rows[j] = yd * f + cr
        cols[j] = xd * f + cc


@njit(**SERIAL)
def forward_map(out, xs, ys, k1, k2, k3, p1, p2, cr, cc, f):
    """The forward (undistorting) map into ``out`` (2, rows, cols); ``xs`` (cols,), ``ys`` (rows,) are the
    normalised coordinates (j - cc)/f and (i - cr)/f."""
    for i in range(ys.shape[0]):
        _forward_row(out, i, xs, ys[i], k1, k2, k3, p1, p2, cr, cc, f)


@njit(**SERIAL, error_model="numpy")
def _newton_sweep(xs, ty, k1, k2, k3, p1, p2, tol, px, py, live, rr, rc):
    """One Newton step for every column of a row at once (branch-free, so LLVM vectorises it): columns with
    ``live[j]`` advance ``(px[j], py[j])``, store the solution into ``rr[j]``, ``rc[j]`` when done, or stop
    (NaN stays) when the Jacobian is not positive definite. Returns the number of columns still live.
    (Dead columns are computed too and discarded: ``error_model="numpy"`` lets their divisions by a zero
    determinant give inf instead of raising.)"""
    nlive = 0
    for j in range(xs.shape[0]):
        x = px[j]
        y = py[j]
        r2 = x * x + y * y
        radial = 1.0 + r2 * (k1 + r2 * (k2 + r2 * k3))
        slope = k1 + r2 * (2.0 * k2 + 3.0 * k3 * r2)  # d radial / d r²
        xy = x * y
        fx = x * radial + 2.0 * p1 * xy + p2 * (r2 + 2.0 * x * x)
        fy = y * radial + p1 * (r2 + 2.0 * y * y) + 2.0 * p2 * xy
        a = radial + 2.0 * x * x * slope + 2.0 * p1 * y + 6.0 * p2 * x
        b = 2.0 * xy * slope + 2.0 * p1 * x + 2.0 * p2 * y
        c = radial + 2.0 * y * y * slope + 6.0 * p1 * y + 2.0 * p2 * x
        ex = fx - xs[j]
        ey = fy - ty
        det = a * c - b * b
        ok = (a > 0.0) & (det > 0.0) & (det < math.inf)  # positive definite and finite
        small = abs(ex) + abs(ey) <= tol
        lv = live[j] != 0
        done = lv & ok & small
        step = lv & ok & ~small
        rr[j] = y if done else rr[j]
        rc[j] = x if done else rc[j]
        nx = x - (c * ex - b * ey) / det
        ny = y - (a * ey - b * ex) / det
        px[j] = nx if step else x
        py[j] = ny if step else y
        s = 1 if step else 0
        live[j] = s
        nlive += s
    return nlive


@njit(**SERIAL)
def _newton_list(xs, ty, k1, k2, k3, p1, p2, tol, px, py, act, n, rr, rc):
    """``_newton_sweep`` for the few columns ``act[:n]`` still live (scalar, with the same arithmetic);
    compacts ``act`` and returns how many remain."""
    m = 0
    for q in range(n):
        j = act[q]
        x = px[j]
        y = py[j]
        r2 = x * x + y * y
        radial = 1.0 + r2 * (k1 + r2 * (k2 + r2 * k3))
        slope = k1 + r2 * (2.0 * k2 + 3.0 * k3 * r2)
        xy = x * y
        fx = x * radial + 2.0 * p1 * xy + p2 * (r2 + 2.0 * x * x)
        fy = y * radial + p1 * (r2 + 2.0 * y * y) + 2.0 * p2 * xy
        a = radial + 2.0 * x * x * slope + 2.0 * p1 * y + 6.0 * p2 * x
        b = 2.0 * xy * slope + 2.0 * p1 * x + 2.0 * p2 * y
        c = radial + 2.0 * y * y * slope + 6.0 * p1 * y + 2.0 * p2 * x
        ex = fx - xs[j]
        ey = fy - ty
        det = a * c - b * b
        if not (a > 0.0 and det > 0.0 and det < math.inf):
            continue
        if abs(ex) + abs(ey) <= tol:
            rr[j] = y
            rc[j] = x
            continue
        px[j] = x - (c * ex - b * ey) / det
        py[j] = y - (a * ey - b * ex) / det
        act[m] = j
        m += 1
    return m


@njit(**SERIAL)
def _inverse_row(out, i, xs, ty, k1, k2, k3, p1, p2, cr, cc, f, max_iter, tol, px, py, live, rr, rc):
    """Row ``i`` of the inverse map: the ideal point of each distorted point (xs[j], ty) by Newton's method
    (module docstring), as pixel coordinates, NaN where it fails. ``px``, ``py``, ``rr``, ``rc`` (cols,)
    float64 and ``live`` (cols,) int64 are scratch. Whole-row vectorised sweeps while at least 1/8 of the
    columns iterate, then a scalar loop over the rest."""
    n = xs.shape[0]
    for j in range(n):
        tx = xs[j]
        rd2 = tx * tx + ty * ty
        start = 1.0 + rd2 * (k1 + rd2 * (k2 + rd2 * k3))
        start = start if start > 0.5 else 1.0  # (NaN -> 1)
        px[j] = tx / start
        py[j] = ty / start
        live[j] = 1
        rr[j] = math.nan
        rc[j] = math.nan
    nlive = n
    it = 0
    while it <= max_iter and nlive > 0 and 8 * nlive >= n:
        nlive = _newton_sweep(xs, ty, k1, k2, k3, p1, p2, tol, px, py, live, rr, rc)
        it += 1
    if nlive > 0 and it <= max_iter:
        m = 0
        for j in range(n):
            if live[j] != 0:
                live[m] = j
                m += 1
        while it <= max_iter and m > 0:
            m = _newton_list(xs, ty, k1, k2, k3, p1, p2, tol, px, py, live, m, rr, rc)
            it += 1
    rows = out[0, i]
    cols = out[1, i]
    for j in range(n):
        rows[j] = cr + f * rr[j]
        cols[j] = cc + f * rc[j]


@njit(**SERIAL)
def inverse_map(out, xs, ys, k1, k2, k3, p1, p2, cr, cc, f, max_iter, tol, r0, r1):
    """The inverse (distorting) map into ``out`` (2, rows, cols) by per-pixel Newton, rows r0..r1 (all: 0, rows;
    bands of rows on fastdip's worker threads: ``parallel._run_bands``); ``xs``, ``ys`` as in ``forward_map``;
    ``max_iter`` Newton steps at most, residual |Δx_d| + |Δy_d| <= ``tol`` to be done."""
    n = xs.shape[0]
    px = np.empty(n)
    py = np.empty(n)
    rr = np.empty(n)
    rc = np.empty(n)
    live = np.empty(n, np.int64)
    for i in range(r0, r1):
        _inverse_row(out, i, xs, ys[i], k1, k2, k3, p1, p2, cr, cc, f, max_iter, tol, px, py, live, rr, rc)
