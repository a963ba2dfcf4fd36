"""Transform matrices in homogeneous (row, col) coordinates, and their conversion from the course's convention.

Convention. A 2-D transform is a 3x3 float64 matrix ``M`` acting on *column* vectors in array index order,
``(row', col', 1)ᵀ = M · (row, col, 1)ᵀ``; a 3-D transform is 4x4 acting on ``(plane, row, col, 1)ᵀ``. Pixel
centres lie at integer coordinates (pixel ``[i, j]`` is the point ``(i, j)``), as in scipy.ndimage, OpenCV and
scikit-image. A matrix maps *input* coordinates to *output* coordinates (the forward transform, as
``warp_affine`` takes it). ``compose(A, B)`` applies A first, then B (it returns ``B @ A``).

The course (Gonzalez & Woods, Table 2.3) writes the same maps as a row vector times a matrix,
``[x', y', 1] = [x, y, 1] · T`` with ``x`` the column, ``y`` the row and the translation in the last row.
:func:`from_row_convention` turns such a ``T`` into ``M`` and :func:`to_row_convention` goes back
(``M = P Tᵀ P`` with ``P`` the swap of the two spatial coordinates). The five course matrices in both forms
(``c`` = cos θ, ``s`` = sin θ)::

    name             course T ([x y 1]·T, x = col)    fastdip M (M·[row col 1]ᵀ)       fastdip call
    identity         [[1, 0, 0],                       [[1, 0, 0],                      identity()
                      [0, 1, 0],                        [0, 1, 0],
                      [0, 0, 1]]                        [0, 0, 1]]
    scaling          [[cx, 0, 0],                      [[cy, 0, 0],                     scaling((cy, cx))
                      [0, cy, 0],                       [0, cx, 0],
                      [0,  0, 1]]                       [0,  0, 1]]
    translation      [[1,  0,  0],                     [[1, 0, ty],                     translation((ty, tx))
                      [0,  1,  0],                      [0, 1, tx],
                      [tx, ty, 1]]                      [0, 0, 1]]
    shear, x += sv·y [[1,  0, 0],                      [[1,  0, 0],                     shear(sv, axis=1)
                      [sv, 1, 0],                       [sv, 1, 0],
                      [0,  0, 1]]                       [0,  0, 1]]
    shear, y += sh·x [[1, sh, 0],                      [[1, sh, 0],                     shear(sh, axis=0)
                      [0,  1, 0],                       [0,  1, 0],
                      [0,  0, 1]]                       [0,  0, 1]]
    rotation         [[c, -s, 0],                      [[c, -s, 0],                     rotation(θ in degrees)
                      [s,  c, 0],                       [s,  c, 0],
                      [0,  0, 1]]                       [0,  0, 1]]

(the course calls the first shear "vertical" and the second "horizontal" because it takes x downwards; here
the shear that moves the column coordinate is ``axis=1``). On screen, with rows growing downwards, a positive
θ turns the image counter-clockwise, as ``cv2.getRotationMatrix2D`` and ``skimage.transform.rotate`` do.
"""

from __future__ import annotations

import numbers

import numpy as np

from .. import _validate

__all__ = ["identity", "scaling", "translation", "shear", "rotation", "image_center", "compose", "invert",
           "from_row_convention", "to_row_convention", "transform_points"]


def _ndim(ndim, func: str) -> int:
    if isinstance(ndim, bool) or not isinstance(ndim, numbers.Integral) or ndim not in (2, 3):
        _validate.fail(func, "ndim", ndim, "2 or 3")
    return int(ndim)


def _vector(value, func: str, param: str, ndim) -> tuple[np.ndarray, int]:
    """A scalar (repeated ``ndim`` times, default 2) or a sequence of 2 or 3 finite reals."""
    if isinstance(value, numbers.Real) and not isinstance(value, bool) or (
        isinstance(value, np.ndarray) and value.ndim == 0
    ):
        n = 2 if ndim is None else _ndim(ndim, func)
        return np.full(n, _validate.number(value, func, param)), n
    try:
        if isinstance(value, (str, bytes)):
            raise TypeError
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        _validate.fail(func, param, value, "a real number or a sequence of 2 or 3 of them", TypeError)
    if arr.ndim != 1 or arr.size not in (2, 3) or (ndim is not None and arr.size != _ndim(ndim, func)):
        n = "2 or 3" if ndim is None else str(ndim)
        _validate.fail(func, param, value, f"a real number or a sequence of {n} of them (one per spatial axis)")
    if not np.isfinite(arr).all():
        _validate.fail(func, param, value, "finite")
    return arr, arr.size


def matrix_array(matrix, func: str, param: str = "matrix", ndim=None) -> np.ndarray:
    """Check a square homogeneous matrix (3x3 or 4x4, or ``ndim + 1`` square) of finite reals; float64 copy."""
    try:
        m = np.array(matrix, dtype=np.float64)
    except (TypeError, ValueError):
        _validate.fail(func, param, matrix, "a 3x3 or 4x4 array of real numbers", TypeError)
    sizes = (3, 4) if ndim is None else (ndim + 1,)
    if m.ndim != 2 or m.shape[0] != m.shape[1] or m.shape[0] not in sizes:
        shape = " or ".join(f"{n}x{n}" for n in sizes)
        what = "" if ndim is None else f" for a {ndim}-D image"
        _validate.fail(func, param, matrix, f"a {shape} homogeneous matrix{what} (a 2x3 affine matrix needs its "
                       "last row [0, 0, 1] appended)")
    if not np.isfinite(m).all():
        _validate.fail(func, param, matrix, "a matrix of finite values")
    return m


def identity(ndim: int = 2) -> np.ndarray:
    """The identity transform.

    Parameters
    ----------
    ndim : {2, 3}
        Spatial dimensions.

    Returns
    -------
    ndarray
        float64 array of shape (ndim + 1, ndim + 1).

    References
    ----------
    R. C. Gonzalez, R. E. Woods, *Digital Image Processing*, 4th ed., Pearson, 2018, Table 2.3.

    Examples
    --------
    >>> print(identity().astype(int))
    [[1 0 0]
     [0 1 0]
     [0 0 1]]
    """
    return np.eye(_ndim(ndim, "identity") + 1)


def scaling(c, *, ndim: int | None = None) -> np.ndarray:
    """Scaling about the origin: ``row' = c_row · row``, ``col' = c_col · col``.

    Parameters
    ----------
    c : float or sequence of float
        One factor for every axis, or one per axis in (row, col) [(plane, row, col)] order.
    ndim : {2, 3}, optional
        Spatial dimensions when ``c`` is a scalar (default 2).

    Returns
    -------
    ndarray
        float64 homogeneous matrix.

    References
    ----------
    R. C. Gonzalez, R. E. Woods, *Digital Image Processing*, 4th ed., Pearson, 2018, Table 2.3.

    Examples
    --------
    >>> print(scaling((2, 3)).astype(int))
    [[2 0 0]
     [0 3 0]
     [0 0 1]]
    """
    v, n = _vector(c, "scaling", "c", ndim)
    m = np.eye(n + 1)
    m[np.arange(n), np.arange(n)] = v
    return m


def translation(t) -> np.ndarray:
    """Translation: ``(row, col) -> (row + t_row, col + t_col)``.

    Parameters
    ----------
    t : sequence of float
        The shift in (row, col) [(plane, row, col)] order.

    Returns
    -------
    ndarray
        float64 homogeneous matrix.

    References
    ----------
    R. C. Gonzalez, R. E. Woods, *Digital Image Processing*, 4th ed., Pearson, 2018, Table 2.3.

    Examples
    --------
    >>> print(translation((1, 2)).astype(int))
    [[1 0 1]
     [0 1 2]
     [0 0 1]]
    """
    if isinstance(t, numbers.Real):
        _validate.fail("translation", "t", t, "a sequence of 2 or 3 shifts in (row, col) order", TypeError)
    v, n = _vector(t, "translation", "t", None)
    m = np.eye(n + 1)
    m[:n, n] = v
    return m


def shear(s, axis: int = 1, *, by: int | None = None, ndim: int = 2) -> np.ndarray:
    """Shear: coordinate ``axis`` is moved by ``s`` times coordinate ``by``; the others are unchanged.

    ``shear(s, axis=1)`` is ``col' = col + s·row`` (columns slide sideways in proportion to the row: the course's
    "vertical shear" ``x' = x + s_v y``); ``shear(s, axis=0)`` is ``row' = row + s·col`` (the course's
    "horizontal shear" ``y' = s_h x + y``).

    Parameters
    ----------
    s : float
        The shear factor.
    axis : int
        The coordinate that changes (0 = row, 1 = col in 2-D; 0, 1, 2 = plane, row, col in 3-D).
    by : int, optional
        The coordinate it changes in proportion to; in 2-D the other axis (the default), required in 3-D.
    ndim : {2, 3}
        Spatial dimensions.

    Returns
    -------
    ndarray
        float64 homogeneous matrix: the identity with ``M[axis, by] = s``.

    References
    ----------
    R. C. Gonzalez, R. E. Woods, *Digital Image Processing*, 4th ed., Pearson, 2018, Table 2.3.

    Examples
    --------
    >>> print(shear(0.5, axis=1))
    [[1.  0.  0. ]
     [0.5 1.  0. ]
     [0.  0.  1. ]]
    """
    func = "shear"
    n = _ndim(ndim, func)
    s = _validate.number(s, func, "s")
    if isinstance(axis, bool) or not isinstance(axis, numbers.Integral) or not 0 <= axis < n:
        _validate.fail(func, "axis", axis, f"an int in [0, {n - 1}]")
    if by is None:
        if n == 3:
            _validate.fail(func, "by", by, "an axis in [0, 2] other than axis (needed in 3-D)")
        by = 1 - axis
    if isinstance(by, bool) or not isinstance(by, numbers.Integral) or not 0 <= by < n or by == axis:
        _validate.fail(func, "by", by, f"an int in [0, {n - 1}] other than axis={axis}")
    m = np.eye(n + 1)
    m[axis, by] = s
    return m


def rotation(theta, center=None, *, axis: int | None = None) -> np.ndarray:
    """Rotation by ``theta`` degrees about ``center``; positive turns counter-clockwise on screen.

    In 2-D, ``row' = c·row - s·col``, ``col' = s·row + c·col`` about the origin (``c = cos θ``, ``s = sin θ``):
    with rows growing downwards, a point right of the centre moves up, as ``cv2.getRotationMatrix2D`` and
    ``skimage.transform.rotate`` turn images. With ``axis`` (3-D), the two other coordinates (in increasing
    axis order) turn in the same way and coordinate ``axis`` is kept.

    Parameters
    ----------
    theta : float
        Angle in degrees.
    center : sequence of float, optional
        The fixed point in (row, col) [(plane, row, col)] order; the origin by default. Use
        :func:`image_center` for the centre of an image.
    axis : {0, 1, 2}, optional
        For a 3-D rotation: the axis rotated about. None gives a 2-D rotation.

    Returns
    -------
    ndarray
        float64 homogeneous matrix ``T(center) · R(θ) · T(-center)``.

    References
    ----------
    R. C. Gonzalez, R. E. Woods, *Digital Image Processing*, 4th ed., Pearson, 2018, Table 2.3.

    Examples
    --------
    >>> m = rotation(90)
    >>> print(np.round(m @ [0, 1, 1], 6) + 0)  # the point right of the origin goes up
    [-1.  0.  1.]
    """
    func = "rotation"
    theta = _validate.number(theta, func, "theta")
    n = 2 if axis is None else 3
    if axis is not None and (isinstance(axis, bool) or not isinstance(axis, numbers.Integral)
                             or not 0 <= axis < 3):
        _validate.fail(func, "axis", axis, "None (2-D) or an int in [0, 2] (3-D)")
    rad = np.deg2rad(theta)
    c, s = np.cos(rad), np.sin(rad)
    # exact values at multiples of 90 degrees
    if theta % 90 == 0:
        c, s = float(np.rint(c)), float(np.rint(s))
    m = np.eye(n + 1)
    a, b = (0, 1) if axis is None else tuple(k for k in range(3) if k != axis)
    m[a, a], m[a, b], m[b, a], m[b, b] = c, -s, s, c
    if center is not None:
        ctr, nc = _vector(center, func, "center", n)
        if isinstance(center, numbers.Real):
            _validate.fail(func, "center", center, f"a sequence of {n} coordinates", TypeError)
        m[:n, n] = ctr - m[:n, :n] @ ctr
    return m


def image_center(shape) -> tuple[float, ...]:
    """The centre of an image of ``shape``: ``((rows - 1) / 2, (cols - 1) / 2)`` (pixel centres at integers).

    Parameters
    ----------
    shape : tuple of int
        The spatial shape (2 or 3 sides; pass ``image.shape[:2]`` for a colour image).

    Returns
    -------
    tuple of float
        The centre in (row, col) [(plane, row, col)] order.

    References
    ----------
    W. Burger, M. J. Burge, *Digital Image Processing*, 2nd ed., Springer, 2016, Sec. 21.1.

    Examples
    --------
    >>> image_center((4, 5))
    (1.5, 2.0)
    """
    try:
        sides = tuple(shape)
    except TypeError:
        _validate.fail("image_center", "shape", shape, "a tuple of 2 or 3 positive ints", TypeError)
    if len(sides) not in (2, 3) or not all(
        isinstance(s, numbers.Integral) and not isinstance(s, bool) and s >= 1 for s in sides
    ):
        _validate.fail("image_center", "shape", shape, "a tuple of 2 or 3 positive ints")
    return tuple((int(s) - 1) / 2.0 for s in sides)


def compose(*matrices) -> np.ndarray:
    """The transform that applies the given ones in order: ``compose(A, B)`` is A first, then B (``B @ A``).

    Parameters
    ----------
    *matrices : ndarray
        One or more homogeneous matrices of the same size (3x3 or 4x4).

    Returns
    -------
    ndarray
        float64 matrix ``M_n @ ... @ M_2 @ M_1``.

    References
    ----------
    R. C. Gonzalez, R. E. Woods, *Digital Image Processing*, 4th ed., Pearson, 2018, Sec. 2.6.

    Examples
    --------
    >>> m = compose(scaling(2), translation((1, 0)))  # scale, then shift
    >>> print(transform_points(m, [[1, 1]]))
    [[3. 2.]]
    """
    if not matrices:
        _validate.fail("compose", "matrices", matrices, "one or more matrices")
    ms = [matrix_array(m, "compose", f"matrices[{k}]") for k, m in enumerate(matrices)]
    size = ms[0].shape[0]
    result = ms[0]
    for k, m in enumerate(ms[1:], 1):
        if m.shape[0] != size:
            _validate.fail("compose", f"matrices[{k}]", m, f"a {size}x{size} matrix like matrices[0]")
        result = m @ result
    return result


def invert(matrix) -> np.ndarray:
    """The inverse transform.

    Parameters
    ----------
    matrix : ndarray
        A 3x3 or 4x4 homogeneous matrix.

    Returns
    -------
    ndarray
        float64 inverse.

    Raises
    ------
    ValueError
        If the matrix is singular (or so ill-conditioned that the inverse is meaningless: condition number
        above 1e12).

    References
    ----------
    R. C. Gonzalez, R. E. Woods, *Digital Image Processing*, 4th ed., Pearson, 2018, Sec. 2.6.

    Examples
    --------
    >>> print(invert(translation((1, 2))).astype(int))
    [[ 1  0 -1]
     [ 0  1 -2]
     [ 0  0  1]]
    """
    m = matrix_array(matrix, "invert")
    return inverse_of(m, "invert", "matrix")


def inverse_of(m: np.ndarray, func: str, param: str) -> np.ndarray:
    """Inverse of a checked matrix; ValueError naming ``param`` when it is singular."""
    cond = np.linalg.cond(m)
    if not np.isfinite(cond) or cond > 1e12:
        _validate.fail(func, param, m, "an invertible matrix (this one is singular)")
    return np.linalg.inv(m)


def _swap(n: int) -> np.ndarray:
    p = np.eye(n + 1)
    p[:n, :n] = np.eye(n)[::-1]
    return p


def from_row_convention(T) -> np.ndarray:
    """Convert the course's ``[x', y', 1] = [x, y, 1] · T`` (x = col, y = row) into fastdip's (row, col) matrix.

    Parameters
    ----------
    T : ndarray
        3x3 (or 4x4 with ``[x, y, z]`` = (col, row, plane)) matrix acting on row vectors, the translation in the
        last row.

    Returns
    -------
    ndarray
        float64 ``M = P Tᵀ P`` acting on column vectors (row, col, 1)ᵀ, ``P`` reversing the spatial order.

    References
    ----------
    R. C. Gonzalez, R. E. Woods, *Digital Image Processing*, 4th ed., Pearson, 2018, Table 2.3 and Eq. (2-45).

    Examples
    --------
    >>> T = [[1, 0, 0], [0, 1, 0], [5, 7, 1]]  # x += 5 (columns), y += 7 (rows)
    >>> print(from_row_convention(T).astype(int))
    [[1 0 7]
     [0 1 5]
     [0 0 1]]
    """
    t = matrix_array(T, "from_row_convention", "T")
    p = _swap(t.shape[0] - 1)
    return p @ t.T @ p


def to_row_convention(M) -> np.ndarray:
    """Convert a fastdip (row, col) matrix into the course's row-vector form ``[x', y', 1] = [x, y, 1] · T``.

    Parameters
    ----------
    M : ndarray
        3x3 or 4x4 homogeneous matrix acting on column vectors (row, col, 1)ᵀ.

    Returns
    -------
    ndarray
        float64 ``T = P Mᵀ P`` (x = col, y = row, translation in the last row).

    References
    ----------
    R. C. Gonzalez, R. E. Woods, *Digital Image Processing*, 4th ed., Pearson, 2018, Table 2.3.

    Examples
    --------
    >>> print(to_row_convention(translation((7, 5))).astype(int))
    [[1 0 0]
     [0 1 0]
     [5 7 1]]
    """
    m = matrix_array(M, "to_row_convention", "M")
    p = _swap(m.shape[0] - 1)
    return p @ m.T @ p


def transform_points(matrix, points) -> np.ndarray:
    """Map points through a homogeneous matrix, with the homogeneous divide (affine maps and homographies).

    Parameters
    ----------
    matrix : ndarray
        3x3 (2-D points) or 4x4 (3-D points) matrix.
    points : array_like
        (n, 2) points in (row, col) order, or (n, 3) in (plane, row, col) order; a single point of shape (2,)
        or (3,) is accepted.

    Returns
    -------
    ndarray
        float64 array of the points' shape: ``(M · [p, 1]ᵀ)[:d] / (M · [p, 1]ᵀ)[d]``; a point whose divisor is 0
        (sent to infinity by a homography) gives inf or nan.

    References
    ----------
    R. Hartley, A. Zisserman, *Multiple View Geometry in Computer Vision*, 2nd ed., Cambridge University
    Press, 2004, Sec. 2.3.

    Examples
    --------
    >>> print(transform_points(rotation(90), [[0, 1], [2, 0]]))
    [[-1.  0.]
     [ 0.  2.]]
    """
    func = "transform_points"
    m = matrix_array(matrix, func)
    d = m.shape[0] - 1
    try:
        p = np.asarray(points, dtype=np.float64)
    except (TypeError, ValueError):
        _validate.fail(func, "points", points, f"an (n, {d}) array of real coordinates", TypeError)
    single = p.ndim == 1
    pts = p[None] if single else p
    if pts.ndim != 2 or pts.shape[1] != d:
        _validate.fail(func, "points", points, f"an (n, {d}) array of coordinates for a {d + 1}x{d + 1} matrix")
    h = pts @ m[:d, :d].T + m[:d, d]
    w = pts @ m[d, :d] + m[d, d]
    with np.errstate(divide="ignore", invalid="ignore"):
        res = h / w[:, None]
    return res[0] if single else res
