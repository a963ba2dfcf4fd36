"""Kernels for fastdip.learn's pixel features: finite differences and eigenvalues of symmetric 2x2 / 3x3
matrices (Hessians, structure tensors), one pixel at a time.

Layout. ``gradient_axis`` works on a C-contiguous float32 array viewed as ``(A, N, B)``, differentiating along
the middle axis (any axis of an n-D array is one such view). The eigenvalue kernels read the ``m`` distinct
entries of the symmetric matrices as a ``(m, P)`` float32 array (2-D: rr, rc, cc; 3-D: 00, 01, 02, 11, 12, 22)
and write the eigenvalues, largest first, into rows ``row``, ``row + 1``, ... of a ``(k, P)`` float32 block: the
features of one scale are made planar, then ``interleave`` copies the block into the channel-last ``(P, F)``
stack (writing one feature column at a time into the stack touched every cache line F times: 0.11 s per
column at 2048²). Eigenvalues are computed in float64 and rounded once.
"""

import math

import numpy as np

from ._config import SERIAL, njit


@njit(**SERIAL)
def gradient_axis(src, h, out):
    """numpy.gradient along axis 1 of (A, N, B) ``src`` with spacing ``h``: (f[i+1] - f[i-1]) / 2h inside,
    (f[1] - f[0]) / h and (f[N-1] - f[N-2]) / h at the ends; 0 when N == 1."""
    A, N, B = src.shape
    two_h = 2.0 * h
    if N == 1:
        out[:] = 0.0
        return
    if B == 1:  # the last axis: walk each line contiguously
        for a in range(A):
            s = src[a, :, 0]
            o = out[a, :, 0]
            o[0] = (s[1] - s[0]) / h
            for i in range(1, N - 1):
                o[i] = (s[i + 1] - s[i - 1]) / two_h
            o[N - 1] = (s[N - 1] - s[N - 2]) / h
        return
    for a in range(A):
        for b in range(B):
            out[a, 0, b] = (src[a, 1, b] - src[a, 0, b]) / h
        for i in range(1, N - 1):
            for b in range(B):
                out[a, i, b] = (src[a, i + 1, b] - src[a, i - 1, b]) / two_h
        for b in range(B):
            out[a, N - 1, b] = (src[a, N - 1, b] - src[a, N - 2, b]) / h


@njit(**SERIAL)
def gradient_axis_pow2(src, inv_h, out):
    """``gradient_axis`` for a spacing h that is a power of two: multiplying by the float32 ``inv_h`` = 1/h
    (and inv_h / 2) is exact, so it rounds like numpy's division while staying in float32 lanes (the float64
    division took 0.19 s of a 0.75 s skimage-set feature stack at 1024²)."""
    A, N, B = src.shape
    if N == 1:
        out[:] = 0.0
        return
    half = inv_h * np.float32(0.5)
    if B == 1:  # the last axis: walk each line contiguously
        for a in range(A):
            s = src[a, :, 0]
            o = out[a, :, 0]
            o[0] = (s[1] - s[0]) * inv_h
            for i in range(1, N - 1):
                o[i] = (s[i + 1] - s[i - 1]) * half
            o[N - 1] = (s[N - 1] - s[N - 2]) * inv_h
        return
    for a in range(A):
        for b in range(B):
            out[a, 0, b] = (src[a, 1, b] - src[a, 0, b]) * inv_h
        for i in range(1, N - 1):
            for b in range(B):
                out[a, i, b] = (src[a, i + 1, b] - src[a, i - 1, b]) * half
        for b in range(B):
            out[a, N - 1, b] = (src[a, N - 1, b] - src[a, N - 2, b]) * inv_h


@njit(**SERIAL)
def eigvals_2x2(m, out, row):
    """Eigenvalues of [[rr, rc], [rc, cc]] per pixel: (rr + cc) / 2 +- sqrt(((rr - cc) / 2)^2 + rc^2)."""
    P = m.shape[1]
    for p in range(P):
        a = float(m[0, p])
        b = float(m[1, p])
        c = float(m[2, p])
        t = 0.5 * (a + c)
        h = 0.5 * (a - c)
        d = math.sqrt(h * h + b * b)
        out[row, p] = t + d
        out[row + 1, p] = t - d


@njit(**SERIAL)
def _eig3(a, b, c, d, e, f):
    """Eigenvalues (descending) of [[a, b, c], [b, d, e], [c, e, f]] by the trigonometric method (Smith 1961),
    in float64; the off-diagonal-free case is sorted directly."""
    p1 = b * b + c * c + e * e
    if p1 == 0.0:
        x, y, z = a, d, f
        if x < y:
            x, y = y, x
        if y < z:
            y, z = z, y
        if x < y:
            x, y = y, x
        return x, y, z
    q = (a + d + f) / 3.0
    a0 = a - q
    d0 = d - q
    f0 = f - q
    p2 = a0 * a0 + d0 * d0 + f0 * f0 + 2.0 * p1
    p = math.sqrt(p2 / 6.0)
    # det(B) / 2 with B = (A - qI) / p
    det = a0 * (d0 * f0 - e * e) - b * (b * f0 - e * c) + c * (b * e - d0 * c)
    r = det / (2.0 * p * p * p)
    if r <= -1.0:
        phi = math.pi / 3.0
    elif r >= 1.0:
        phi = 0.0
    else:
        phi = math.acos(r) / 3.0
    e1 = q + 2.0 * p * math.cos(phi)
    e3 = q + 2.0 * p * math.cos(phi + 2.0 * math.pi / 3.0)
    e2 = 3.0 * q - e1 - e3
    return e1, e2, e3


@njit(**SERIAL)
def eigvals_3x3(m, out, row):
    """Eigenvalues of the symmetric 3x3 matrices (00, 01, 02, 11, 12, 22) per pixel, largest first."""
    P = m.shape[1]
    for p in range(P):
        e1, e2, e3 = _eig3(float(m[0, p]), float(m[1, p]), float(m[2, p]), float(m[3, p]), float(m[4, p]),
                           float(m[5, p]))
        out[row, p] = e1
        out[row + 1, p] = e2
        out[row + 2, p] = e3


@njit(**SERIAL)
def norm_into(d, out, row):
    """sqrt(sum_a d[a, p]^2) per pixel into column ``col`` (gradient magnitude), in float64."""
    n, P = d.shape
    for p in range(P):
        s = 0.0
        for a in range(n):
            v = float(d[a, p])
            s += v * v
        out[row, p] = math.sqrt(s)


@njit(**SERIAL)
def interleave(block, out, col):
    """Copy the rows of a (k, P) ``block`` into columns col..col+k-1 of the (P, F) feature stack ``out``, 64
    pixels at a time (each of the k rows read as a short contiguous run, the 64 output rows held in L1)."""
    k, P = block.shape
    for p0 in range(0, P, 64):
        p1 = min(p0 + 64, P)
        for j in range(k):
            for p in range(p0, p1):
                out[p, col + j] = block[j, p]
