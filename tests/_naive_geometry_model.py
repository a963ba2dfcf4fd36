"""Slow, plainly correct references for fastdip.geometry's estimation and lens-distortion code (loops over
points, written straight from the formulas; never imported by fastdip)."""

from __future__ import annotations

import math

import numpy as np


def apply_homography(h, points):
    """Each (row, col) point mapped by the 3x3 matrix ``h`` acting on (row, col, 1), divided by w."""
    out = []
    for r, c in np.asarray(points, float):
        u = h[0][0] * r + h[0][1] * c + h[0][2]
        v = h[1][0] * r + h[1][1] * c + h[1][2]
        w = h[2][0] * r + h[2][1] * c + h[2][2]
        out.append((u / w, v / w))
    return np.array(out)


def polynomial_value(t, order, r, c):
    """[row', col'] of one point under the course's polynomial (terms x, y, x², y², xy, x³, y³, x²y, xy², 1)."""
    x, y = float(r), float(c)
    terms = {1: [x, y, 1.0],
             2: [x, y, x * x, y * y, x * y, 1.0],
             3: [x, y, x * x, y * y, x * y, x ** 3, y ** 3, x * x * y, x * y * y, 1.0]}[order]
    return tuple(sum(term * t[k][j] for k, term in enumerate(terms)) for j in range(2))


def distort_point(row, col, k1=0.0, k2=0.0, k3=0.0, p1=0.0, p2=0.0, *, center, focal):
    """Where the Brown–Conrady model (OpenCV's form) sees the ideal pixel (row, col)."""
    cr, cc = center
    x = (col - cc) / focal
    y = (row - cr) / focal
    r2 = x * x + y * y
    radial = 1 + k1 * r2 + k2 * r2 * r2 + k3 * r2 * r2 * r2
    xd = x * radial + 2 * p1 * x * y + p2 * (r2 + 2 * x * x)
    yd = y * radial + p1 * (r2 + 2 * y * y) + 2 * p2 * x * y
    return cr + focal * yd, cc + focal * xd


def undistort_point(row, col, k1=0.0, k2=0.0, k3=0.0, p1=0.0, p2=0.0, *, center, focal, iterations=200):
    """The ideal pixel seen at (row, col): OpenCV's undistortPoints fixed-point iteration
    x <- (x_d - tangential(x)) / radial(x), many iterations (converges for moderate distortion)."""
    cr, cc = center
    xd = (col - cc) / focal
    yd = (row - cr) / focal
    x, y = xd, yd
    for _ in range(iterations):
        r2 = x * x + y * y
        radial = 1 + k1 * r2 + k2 * r2 * r2 + k3 * r2 * r2 * r2
        dx = 2 * p1 * x * y + p2 * (r2 + 2 * x * x)
        dy = p1 * (r2 + 2 * y * y) + 2 * p2 * x * y
        x = (xd - dx) / radial
        y = (yd - dy) / radial
    return cr + focal * y, cc + focal * x


def default_center_focal(shape):
    rows, cols = shape
    return ((rows - 1) / 2.0, (cols - 1) / 2.0), math.hypot(rows, cols) / 2.0


def newton_undistort_point(row, col, k1=0.0, k2=0.0, k3=0.0, p1=0.0, p2=0.0, *, center, focal, max_iter=30,
                           tol=1e-12):
    """The ideal pixel seen at (row, col) by fastdip's Newton iteration, one point at a time in plain Python:
    start at the distorted point over the radial factor at its radius (1 if that is <= 0.5), at most
    ``max_iter + 1`` evaluations; (nan, nan) when the Jacobian is not positive definite or the steps run out."""
    cr, cc = center
    tx = (col - cc) / focal
    ty = (row - cr) / focal
    rd2 = tx * tx + ty * ty
    start = 1.0 + rd2 * (k1 + rd2 * (k2 + rd2 * k3))
    if not start > 0.5:
        start = 1.0
    x, y = tx / start, ty / start
    for _ in range(max_iter + 1):
        r2 = x * x + y * y
        radial = 1.0 + r2 * (k1 + r2 * (k2 + r2 * k3))
        slope = k1 + r2 * (2.0 * k2 + 3.0 * k3 * r2)  # d radial / d r²
        fx = x * radial + 2.0 * p1 * (x * y) + p2 * (r2 + 2.0 * x * x)
        fy = y * radial + p1 * (r2 + 2.0 * y * y) + 2.0 * p2 * (x * y)
        a = radial + 2.0 * x * x * slope + 2.0 * p1 * y + 6.0 * p2 * x  # d fx/dx
        b = 2.0 * (x * y) * slope + 2.0 * p1 * x + 2.0 * p2 * y  # d fx/dy = d fy/dx
        c = radial + 2.0 * y * y * slope + 6.0 * p1 * y + 2.0 * p2 * x  # d fy/dy
        ex, ey = fx - tx, fy - ty
        det = a * c - b * b
        if not (a > 0 and det > 0 and math.isfinite(det)):
            break
        if abs(ex) + abs(ey) <= tol:
            return cr + focal * y, cc + focal * x
        x, y = x - (c * ex - b * ey) / det, y - (a * ey - b * ex) / det
    return math.nan, math.nan
