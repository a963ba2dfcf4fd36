"""Transforms estimated from point correspondences: affine (least squares), homography (normalised DLT) and
polynomial warps (least squares on the course's polynomial terms), with the polynomial warp itself.

Points are ``(n, 2)`` arrays of (row, col) coordinates (``(n, 3)`` (plane, row, col) for a 3-D affine). Every
estimate is a least-squares fit when more points than the minimum are given, and every fit first checks that
the points can determine the transform: a rank test whose tolerance is relative to the spread of the points,
so that collinear (or coplanar in 3-D) points are refused with a ValueError instead of giving a meaningless
matrix.
"""

from __future__ import annotations

import numpy as np

from .. import _validate
from .._docs import fill

__all__ = ["estimate_affine", "estimate_homography", "estimate_polynomial", "warp_polynomial",
           "polynomial_terms"]

#: singular values below this fraction of the largest (of normalised points or design rows) mean "degenerate"
_RANK_RTOL = 1e-9
#: polynomial orders and their exponents (p, q) of x^p y^q in the course's order, the constant last
_TERMS = {
    1: ((1, 0), (0, 1), (0, 0)),
    2: ((1, 0), (0, 1), (2, 0), (0, 2), (1, 1), (0, 0)),
    3: ((1, 0), (0, 1), (2, 0), (0, 2), (1, 1), (3, 0), (0, 3), (2, 1), (1, 2), (0, 0)),
}


# -- argument handling ---------------------------------------------------------------------------------------


def _points(points, func: str, param: str, dims=(2,)) -> np.ndarray:
    """Check an (n, d) array of finite coordinates and return it as float64."""
    if isinstance(points, (str, bytes)) or points is None:
        _validate.fail(func, param, points, "an (n, 2) array of (row, col) points", TypeError)
    try:
        arr = np.asarray(points, dtype=np.float64)
    except (TypeError, ValueError):
        _validate.fail(func, param, points, "an (n, 2) array of (row, col) points", TypeError)
    if arr.ndim != 2 or arr.shape[1] not in dims:
        wanted = " or ".join(f"(n, {d})" for d in dims)
        _validate.fail(func, param, arr, f"a {wanted} array of point coordinates")
    if not np.isfinite(arr).all():
        bad = int(arr.size - np.count_nonzero(np.isfinite(arr)))
        raise ValueError(f"{func}: {param} must contain only finite values, got {bad} NaN or inf value(s)")
    return arr


def _pairs(src, dst, func: str, minimum: int, dims=(2,), what: str = "") -> tuple[np.ndarray, np.ndarray]:
    s = _points(src, func, "src", dims)
    d = _points(dst, func, "dst", dims)
    if s.shape != d.shape:
        _validate.fail(func, "dst", d, f"an array of the same shape as src {s.shape} (one point per src point)")
    if len(s) < minimum:
        _validate.fail(func, "src", s, f"at least {minimum} points{what}")
    return s, d


def _normaliser(points: np.ndarray) -> np.ndarray:
    """Hartley's normalising similarity: centroid to the origin, mean distance to it sqrt(d)."""
    d = points.shape[1]
    centroid = points.mean(axis=0)
    spread = np.sqrt(((points - centroid) ** 2).sum(axis=1)).mean()
    scale = np.sqrt(d) / spread if spread > 0 else 1.0
    t = np.eye(d + 1)
    t[:d, :d] *= scale
    t[:d, d] = -scale * centroid
    return t


def _check_spread(points: np.ndarray, func: str, param: str, rank: int, what: str) -> None:
    """Refuse points whose centred coordinates have rank < ``rank`` (relative to their spread)."""
    centred = points - points.mean(axis=0)
    s = np.linalg.svd(centred, compute_uv=False)
    if s.size < rank or s[0] == 0 or s[rank - 1] <= _RANK_RTOL * s[0]:
        _validate.fail(func, param, points, what)


# -- affine ----------------------------------------------------------------------------------------------------


def estimate_affine(src, dst) -> np.ndarray:
    """The affine matrix M that maps the points ``src`` onto ``dst`` (least squares): dst ≈ M · (src, 1).

    Parameters
    ----------
    src : (n, 2) or (n, 3) array_like
        Points (row, col) (or (plane, row, col)) before the transform: at least 3 points not all on one line
        in 2-D (4 not all on one plane in 3-D).
    dst : array_like of the same shape
        Where each ``src`` point goes.

    Returns
    -------
    (3, 3) or (4, 4) ndarray of float64
        The matrix in fastdip's column convention acting on (row, col, 1): ``M @ [r, c, 1] = [r', c', 1]``
        (last row ``[0, 0, 1]``); the exact transform for the minimal number of points, the least-squares fit
        (minimum Σ ||M·src_i - dst_i||²) for more. Use ``geometry.to_row_convention`` for the course's
        row-vector form.

    Raises
    ------
    ValueError
        Shapes that differ or are not (n, 2)/(n, 3), NaN or inf, too few points, or degenerate (collinear /
        coplanar) ``src`` points (rank below 1e-9 relative to their spread).

    Notes
    -----
    Each output coordinate is a linear least-squares problem in the affine parameters, [src | 1] · a = dst_k,
    solved with ``numpy.linalg.lstsq`` (SVD) on Hartley-normalised coordinates for conditioning.

    References
    ----------
    R. Hartley, A. Zisserman, *Multiple View Geometry in Computer Vision*, 2nd ed., Cambridge University Press,
    2004, sec. 4.1 and 4.4 (affine estimation, normalisation). DOI: 10.1017/CBO9780511811685.

    Examples
    --------
    >>> from fastdip import geometry
    >>> src = [[0, 0], [0, 10], [10, 0], [10, 10]]
    >>> dst = [[5, 2], [5, 32], [25, 2], [25, 32]]    # row * 2 + 5, col * 3 + 2
    >>> print(np.round(geometry.estimate_affine(src, dst), 9) + 0.0)
    [[2. 0. 5.]
     [0. 3. 2.]
     [0. 0. 1.]]
    """
    func = "estimate_affine"
    dim = _points(src, func, "src", (2, 3)).shape[1]
    s, d = _pairs(src, dst, func, dim + 1, (2, 3), f" in {dim}-D (affine has {dim * (dim + 1)} unknowns)")
    _check_spread(s, func, "src", dim,
                  "points not all on one line" if dim == 2 else "points not all on one plane")
    ts, td = _normaliser(s), _normaliser(d)
    sn = s @ ts[:dim, :dim].T + ts[:dim, dim]
    dn = d @ td[:dim, :dim].T + td[:dim, dim]
    design = np.hstack([sn, np.ones((len(sn), 1))])
    params, *_ = np.linalg.lstsq(design, dn, rcond=None)
    m = np.eye(dim + 1)
    m[:dim, :] = params.T
    m = np.linalg.solve(td, m @ ts)
    m[dim, :] = 0.0
    m[dim, dim] = 1.0
    return m


# -- homography ------------------------------------------------------------------------------------------------


def estimate_homography(src, dst) -> np.ndarray:
    """The homography H that maps the points ``src`` onto ``dst``: (dst, 1) ∝ H · (src, 1) (normalised DLT).

    Parameters
    ----------
    src : (n, 2) array_like
        Points (row, col) on the first plane: at least 4, no three of the minimal four on one line.
    dst : (n, 2) array_like
        Where each ``src`` point goes.

    Returns
    -------
    (3, 3) ndarray of float64
        H acting on (row, col, 1) column vectors, scaled so that ``H[2, 2] == 1`` (for the rare H whose
        ``H[2, 2]`` is 0, i.e. the origin maps to infinity, H is returned with unit Frobenius norm instead).
        Exact for 4 points; for more, the minimiser of the algebraic error of the normalised DLT (not the
        reprojection error: with noisy points it is close to, not equal to, OpenCV's refined result).

    Raises
    ------
    ValueError
        Shapes that differ or are not (n, 2), NaN or inf, fewer than 4 points, or points that do not fix a
        homography (all on one line, or a DLT system of rank below 8 relative to 1e-9).

    Notes
    -----
    Hartley's normalisation (each point set moved to its centroid and scaled to mean distance √2) makes the
    DLT well conditioned. Each pair gives two rows of A h = 0 (h = H's 9 entries); h is the right singular
    vector of A for the smallest singular value, and H = T_dst⁻¹ Ĥ T_src. OpenCV's ``cv2.findHomography``
    works in (x, y) = (col, row): its matrix is P H P with P swapping the first two coordinates.

    References
    ----------
    R. I. Hartley, "In defense of the eight-point algorithm", IEEE Trans. PAMI 19(6), 580-593, 1997.
    DOI: 10.1109/34.601246. R. Hartley, A. Zisserman, *Multiple View Geometry in Computer Vision*, 2nd ed.,
    2004, Algorithm 4.2. DOI: 10.1017/CBO9780511811685.

    Examples
    --------
    >>> from fastdip import geometry
    >>> src = [[0, 0], [0, 10], [10, 0], [10, 10]]
    >>> dst = [[0, 0], [0, 10], [10, 2], [10, 8]]      # a square seen as a trapezoid
    >>> h = geometry.estimate_homography(src, dst)
    >>> print(np.round(geometry.transform_points(h, src), 6) + 0.0)
    [[ 0.  0.]
     [ 0. 10.]
     [10.  2.]
     [10.  8.]]
    """
    func = "estimate_homography"
    s, d = _pairs(src, dst, func, 4, (2,), " (a homography has 8 unknowns)")
    _check_spread(s, func, "src", 2, "points not all on one line")
    _check_spread(d, func, "dst", 2, "points not all on one line")
    ts, td = _normaliser(s), _normaliser(d)
    sn = s @ ts[:2, :2].T + ts[:2, 2]
    dn = d @ td[:2, :2].T + td[:2, 2]
    n = len(sn)
    a = np.zeros((2 * n, 9))
    x, y = sn[:, 0], sn[:, 1]
    u, v = dn[:, 0], dn[:, 1]
    # u = (h0 x + h1 y + h2) / (h6 x + h7 y + h8), v = (h3 x + h4 y + h5) / (...)
    a[0::2, 0], a[0::2, 1], a[0::2, 2] = x, y, 1.0
    a[0::2, 6], a[0::2, 7], a[0::2, 8] = -u * x, -u * y, -u
    a[1::2, 3], a[1::2, 4], a[1::2, 5] = x, y, 1.0
    a[1::2, 6], a[1::2, 7], a[1::2, 8] = -v * x, -v * y, -v
    _, sv, vt = np.linalg.svd(a, full_matrices=True)
    if sv.size < 8 or sv[7] <= _RANK_RTOL * sv[0]:
        _validate.fail(func, "src", s, "points that fix a homography (no three of four on one line; the DLT "
                       "system has rank < 8)")
    hn = vt[-1].reshape(3, 3)
    hs = np.linalg.svd(hn, compute_uv=False)
    if hs[2] <= _RANK_RTOL * hs[0]:  # e.g. three collinear src points sent to three non-collinear ones
        _validate.fail(func, "src", s, "points that fix a non-singular homography (collinear points must map "
                       "to collinear points; no three of four on one line)")
    h = np.linalg.solve(td, hn @ ts)
    if abs(h[2, 2]) > 1e-12 * np.linalg.norm(h):
        return h / h[2, 2]
    h = h / np.linalg.norm(h)
    return h if h[np.unravel_index(np.argmax(np.abs(h)), h.shape)] > 0 else -h


# -- polynomial ------------------------------------------------------------------------------------------------


def _order(order, func: str) -> int:
    if isinstance(order, bool) or not isinstance(order, (int, np.integer)) or int(order) not in _TERMS:
        _validate.fail(func, "order", order, "1, 2 or 3")
    return int(order)


def polynomial_terms(points, order=2) -> np.ndarray:
    """The design rows of the polynomial warp: one row of terms [x, y, x², y², xy, ..., 1] per point.

    Parameters
    ----------
    points : (n, 2) array_like
        Points (row, col); here ``x`` is the row and ``y`` the column coordinate, so that T's two columns are
        (row', col') (unlike ``to_row_convention``, whose x is the column: a polynomial map is not a matrix
        on (x, y, 1), and keeping the points' own order avoids a swap).
    order : {1, 2, 3}, optional
        The degree of the polynomial.

    Returns
    -------
    (n, m) ndarray of float64
        The terms, in this order (m = 3, 6 or 10):

        - order 1: x, y, 1
        - order 2: x, y, x², y², xy, 1
        - order 3: x, y, x², y², xy, x³, y³, x²y, xy², 1

    Raises
    ------
    ValueError
        ``points`` not (n, 2) or not finite, ``order`` not 1, 2 or 3.

    Notes
    -----
    With the coefficient matrix T of ``estimate_polynomial`` ((m, 2)), the mapped points are
    ``polynomial_terms(points, order) @ T`` = [x', y'] per row: the course's row-vector form.

    References
    ----------
    R. C. Gonzalez, R. E. Woods, *Digital Image Processing*, 4th ed., Pearson, 2018, sec. 2.6 (image
    registration with tie points). A. Goshtasby, "Image registration by local approximation methods", Image and
    Vision Computing 6(4), 1988. DOI: 10.1016/0262-8856(88)90012-9.

    Examples
    --------
    >>> from fastdip import geometry
    >>> print(geometry.polynomial_terms([[2, 3]], order=2))
    [[2. 3. 4. 9. 6. 1.]]
    """
    func = "polynomial_terms"
    pts = _points(points, func, "points")
    order = _order(order, func)
    x, y = pts[:, 0], pts[:, 1]
    return np.stack([x ** p * y ** q for p, q in _TERMS[order]], axis=1)


def estimate_polynomial(src, dst, order=2) -> np.ndarray:
    """The polynomial warp mapping ``src`` onto ``dst`` by least squares: [x', y'] = terms(x, y) · T.

    Parameters
    ----------
    src : (n, 2) array_like
        Points (row, col) the polynomial is evaluated at (x = row, y = col).
    dst : (n, 2) array_like
        Where each ``src`` point goes.
    order : {1, 2, 3}, optional
        The degree: at least 3, 6 or 10 points (for order 1, 2, 3) in general position are needed.

    Returns
    -------
    (m, 2) ndarray of float64
        T, one row per term in ``polynomial_terms``' order (x, y, x², y², xy, [x³, y³, x²y, xy²,] 1) and one
        column per output coordinate (row', col'): ``polynomial_terms(src, order) @ T ≈ dst``.

    Raises
    ------
    ValueError
        Shapes that differ or are not (n, 2), NaN or inf, fewer than m points, or points that do not fix the
        polynomial (the design matrix has rank < m, relative to 1e-9 after scaling its columns).

    Notes
    -----
    To *warp an image* onto a reference, estimate the backward map, from the reference (output) points to the
    image (input) points: ``T = estimate_polynomial(reference_points, image_points)`` and then
    ``warp_polynomial(image, T)``; each output pixel then reads the input where T sends it (no inversion of a
    polynomial is needed). The fit is ``numpy.linalg.lstsq`` on design columns scaled to unit norm.

    References
    ----------
    R. C. Gonzalez, R. E. Woods, *Digital Image Processing*, 4th ed., Pearson, 2018, sec. 2.6 (image
    registration). A. Goshtasby, "Image registration by local approximation methods", Image and Vision
    Computing 6(4), 1988. DOI: 10.1016/0262-8856(88)90012-9.

    Examples
    --------
    >>> from fastdip import geometry
    >>> src = np.array([[r, c] for r in range(4) for c in range(4)], float)
    >>> dst = np.stack([src[:, 0] + 0.1 * src[:, 1] ** 2, 2 * src[:, 1]], axis=1)
    >>> t = geometry.estimate_polynomial(src, dst, order=2)
    >>> print(np.round(t, 9) + 0.0)          # rows: x, y, x², y², xy, 1 (x = row, y = col)
    [[1.  0. ]
     [0.  2. ]
     [0.  0. ]
     [0.1 0. ]
     [0.  0. ]
     [0.  0. ]]
    """
    func = "estimate_polynomial"
    order = _order(order, func)
    m = len(_TERMS[order])
    s, d = _pairs(src, dst, func, m, (2,), f" (order {order} has {m} terms)")
    design = polynomial_terms(s, order)
    norms = np.linalg.norm(design, axis=0)
    norms[norms == 0] = 1.0
    scaled = design / norms
    sv = np.linalg.svd(scaled, compute_uv=False)
    if sv[-1] <= _RANK_RTOL * sv[0]:
        _validate.fail(func, "src", s, f"points that fix an order-{order} polynomial (design matrix of rank "
                       f"< {m}: e.g. all on one line or conic)")
    coeffs, *_ = np.linalg.lstsq(scaled, d, rcond=None)
    return coeffs / norms[:, None]


@fill
def warp_polynomial(image, coeffs, *, output_shape=None, interpolation="bilinear", mode="constant", cval=0.0,
                    channel_axis=None, dtype=None) -> np.ndarray:
    """Warp an image with a backward polynomial map: output pixel (r, c) reads the input at terms(r, c) · T.

    Parameters
    ----------
    {image}
        2-D, plus a channel axis when ``channel_axis`` is given.
    coeffs : (m, 2) array_like
        T from ``estimate_polynomial(output_points, input_points, order)`` (m = 3, 6 or 10 gives the order):
        it maps *output* (row, col) to *input* (row, col).
    output_shape : tuple of 2 ints, optional
        (rows, cols) of the result; the input's by default.
    interpolation : {'nearest', 'bilinear', 'bicubic', 'lanczos'}, optional
        How the input is sampled between pixels (``geometry.remap``'s choices).
    {mode}
    {cval}
    {channel_axis}
    dtype : numpy dtype, optional
        The output dtype (see Returns).

    Returns
    -------
    ndarray
        As ``geometry.remap``: the input dtype for 'nearest'; otherwise
        {dtype_float}

    Raises
    ------
    ValueError
        ``coeffs`` not of shape (3, 2), (6, 2) or (10, 2) or not finite, bad ``output_shape``, and the errors
        of ``geometry.remap``.

    Notes
    -----
    The coordinate grid is built term by term (one array per output coordinate, never the (pixels, m) design
    matrix), then ``geometry.remap`` samples the image.

    References
    ----------
    R. C. Gonzalez, R. E. Woods, *Digital Image Processing*, 4th ed., Pearson, 2018, sec. 2.6 (spatial
    transformation by tie points, backward mapping). G. Wolberg, *Digital Image Warping*,
    IEEE Computer Society Press, 1990, ch. 3.

    Examples
    --------
    >>> from fastdip import geometry
    >>> image = np.arange(16, dtype=np.uint8).reshape(4, 4)
    >>> t = np.array([[1, 0], [0, 1], [0, 0], [0, 0], [0, 0], [0, 1]], float)  # input = output + (0, 1)
    >>> print(geometry.warp_polynomial(image, t, interpolation='nearest'))
    [[ 1  2  3  0]
     [ 5  6  7  0]
     [ 9 10 11  0]
     [13 14 15  0]]
    """
    func = "warp_polynomial"
    arr = _validate.image(image, func)
    try:
        t = np.asarray(coeffs, dtype=np.float64)
    except (TypeError, ValueError):
        _validate.fail(func, "coeffs", coeffs, "an (m, 2) array of real coefficients", TypeError)
    orders = {len(terms): k for k, terms in _TERMS.items()}
    if t.ndim != 2 or t.shape[1] != 2 or t.shape[0] not in orders:
        _validate.fail(func, "coeffs", t, "an array of shape (3, 2), (6, 2) or (10, 2) (order 1, 2 or 3)")
    if not np.isfinite(t).all():
        _validate.fail(func, "coeffs", t, "an array of finite values")
    axis = _validate.channel_axis(channel_axis, arr.ndim, func)
    spatial = arr.shape if axis is None else arr.shape[:axis] + arr.shape[axis + 1:]
    if len(spatial) != 2:
        _validate.fail(func, "image", arr, "a 2-D image (plus an optional channel axis)")
    if output_shape is None:
        shape = tuple(spatial)
    else:
        shape = _validate.sizes(output_shape, func, 2, param="output_shape")
    coords = _polynomial_grid(t, shape)
    from . import remap

    return remap(arr, coords, interpolation=interpolation, mode=mode, cval=cval, channel_axis=channel_axis,
                 dtype=dtype)


def _polynomial_grid(t: np.ndarray, shape) -> np.ndarray:
    """(2, rows, cols) input coordinates terms(r, c) · T of every output pixel."""
    order = {len(terms): k for k, terms in _TERMS.items()}[t.shape[0]]
    x = np.arange(shape[0], dtype=np.float64)[:, None]
    y = np.arange(shape[1], dtype=np.float64)[None, :]
    coords = np.zeros((2,) + tuple(shape))
    for (p, q), row in zip(_TERMS[order], t):
        term = (x ** p) * (y ** q)
        coords[0] += row[0] * term
        coords[1] += row[1] * term
    return coords
