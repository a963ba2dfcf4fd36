"""fastdip.filters linear filters: hand-worked cases, scipy.ndimage / OpenCV / naive references, properties and
pathologies.

Tolerances (absolute, relative to the scale s = max|f| * sum|w| of a result): float64 images 1e-12 s; float32
images 2e-6 s (float32 accumulation, n_taps * 2**-24 at worst); uint8/uint16 images are compared with scipy on
the float64 image (scipy truncates each pass to the integer dtype) to 1e-6 s (one float32 rounding).
"""

from __future__ import annotations

import cv2
import numpy as np
import pytest
import scipy.ndimage as ndi
from hypothesis import given, settings
from hypothesis import strategies as st

from fastdip import filters as F
from fastdip.filters import _linear
from tests import _naive_linear as naive

MODES = naive.MODES
DTYPES = [np.uint8, np.uint16, np.float32, np.float64]
RTOL = {np.dtype(np.uint8): 1e-6, np.dtype(np.uint16): 1e-6, np.dtype(np.float32): 2e-6,
        np.dtype(np.float64): 1e-12}
CV2_BORDERS = {"reflect": cv2.BORDER_REFLECT, "mirror": cv2.BORDER_REFLECT_101, "nearest": cv2.BORDER_REPLICATE,
               "constant": cv2.BORDER_CONSTANT}


def _image(rng, shape, dtype):
    if np.dtype(dtype).kind == "u":
        return rng.integers(0, np.iinfo(dtype).max, shape, endpoint=True).astype(dtype)
    return (rng.random(shape) * 100 - 20).astype(dtype)


def _close(got, expected, image, weight_sum_abs, dtype=None):
    dtype = np.dtype(dtype or image.dtype)
    scale = max(1.0, float(np.abs(image).max()) * weight_sum_abs)
    np.testing.assert_allclose(got, expected, rtol=0, atol=RTOL[dtype] * scale)


def _out_dtype(dtype):
    return np.float64 if np.dtype(dtype) == np.float64 else np.float32


# -- (a) hand-worked cases ---------------------------------------------------------------------------------------


def test_delta_kernel_is_identity():
    image = np.arange(12, dtype=np.uint8).reshape(3, 4)
    delta = np.zeros((3, 3))
    delta[1, 1] = 1
    np.testing.assert_array_equal(F.convolve(image, delta), image.astype(np.float32))
    np.testing.assert_array_equal(F.correlate(image, delta), image.astype(np.float32))


def test_convolve_and_correlate_3x3_by_hand_constant():
    f = np.array([[1, 2, 3], [4, 5, 6], [7, 8, 9]], dtype=np.float64)
    h = np.array([[0, 1, 0], [0, 0, 0], [0, 0, 0]], dtype=np.float64)
    # convolution: g(i, j) = sum h(k, l) f(i - k + 1, j - l + 1); h(0, 1) = 1 -> g(i, j) = f(i + 1, j)
    np.testing.assert_array_equal(F.convolve(f, h, mode="constant"), [[4, 5, 6], [7, 8, 9], [0, 0, 0]])
    # correlation: g(i, j) = f(i - 1, j)
    np.testing.assert_array_equal(F.correlate(f, h, mode="constant"), [[0, 0, 0], [1, 2, 3], [4, 5, 6]])
    box = np.ones((3, 3))
    np.testing.assert_array_equal(F.convolve(f, box, mode="constant", cval=1),
                                  [[17, 24, 21], [30, 45, 36], [29, 42, 33]])


def test_even_kernel_centre_convention():
    f = np.array([0.0, 0.0, 1.0, 0.0, 0.0])
    # centre at index k // 2 = 1: convolve g(i) = h0 f(i + 1) + h1 f(i); correlate g(i) = h0 f(i - 1) + h1 f(i)
    np.testing.assert_array_equal(F.convolve(f, np.array([10.0, 1.0])), [0, 10, 1, 0, 0])
    np.testing.assert_array_equal(F.correlate(f, np.array([10.0, 1.0])), [0, 0, 1, 10, 0])
    np.testing.assert_array_equal(F.correlate(f, np.array([10.0, 1.0]), origin=-1), [0, 1, 10, 0, 0])


@pytest.mark.parametrize("mode, expected", [
    ("reflect", [3, 2, 1, 1, 2, 3, 3, 2]),  # 3 2 1 | 1 2 3 | 3 2 1
    ("mirror", [2, 3, 2, 1, 2, 3, 2, 1]),  # 3 2 | 1 2 3 | 2 1
    ("nearest", [1, 1, 1, 1, 2, 3, 3, 3]),
    ("wrap", [1, 2, 3, 1, 2, 3, 1, 2]),
    ("constant", [9, 9, 9, 1, 2, 3, 9, 9]),
])
def test_every_mode_by_hand(mode, expected):
    # a delta at the far end of a 7-tap kernel reads f(i - 3) .. f(i + 3): the extended line, 3 samples each side
    f = np.array([1.0, 2.0, 3.0])
    line = []
    for t in range(7):
        k = np.zeros(7)
        k[t] = 1.0
        line.append(F.correlate(f, k, mode=mode, cval=9.0))
    extended = [line[0][0], line[1][0], line[2][0], f[0], f[1], f[2], line[4][2], line[5][2]]
    np.testing.assert_array_equal(extended, expected)


def test_mean_by_hand():
    image = np.zeros((3, 4), np.uint8)
    image[1, 1] = 9
    np.testing.assert_array_equal(F.mean(image, 3, mode="constant"),
                                  [[1, 1, 1, 0], [1, 1, 1, 0], [1, 1, 1, 0]])
    np.testing.assert_array_equal(F.mean(np.array([1.0, 2.0, 3.0, 4.0]), 2, mode="nearest"), [1, 1.5, 2.5, 3.5])


def test_laplacian_kernels_by_hand():
    delta = np.zeros((5, 5), np.uint8)
    delta[2, 2] = 1
    np.testing.assert_array_equal(F.laplacian(delta)[1:4, 1:4], [[0, -1, 0], [-1, 4, -1], [0, -1, 0]])
    np.testing.assert_array_equal(F.laplacian(delta, kind=8)[1:4, 1:4], [[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]])
    cube = np.zeros((3, 3, 3))
    cube[1, 1, 1] = 1
    lap = F.laplacian(cube, mode="constant")
    assert lap[1, 1, 1] == 6 and lap[0, 1, 1] == -1 and lap[0, 0, 1] == 0 and lap.sum() == 0


def test_sobel_and_prewitt_on_a_step():
    step = np.repeat(np.array([[0], [0], [1], [1]], np.uint8), 3, axis=1)
    np.testing.assert_array_equal(F.sobel(step, 0, mode="nearest")[:, 1], [0, 4, 4, 0])
    np.testing.assert_array_equal(F.prewitt(step, 0, mode="nearest")[:, 1], [0, 3, 3, 0])
    np.testing.assert_array_equal(F.sobel(step, 1, mode="nearest"), 0)
    np.testing.assert_array_equal(F.sobel(step, mode="nearest"), F.sobel(step, 0, mode="nearest"))


def test_unsharp_mask_by_hand():
    f = np.array([[10.0, 10.0, 20.0, 20.0]])
    blur = F.gaussian(f, (0, 1))
    np.testing.assert_allclose(F.unsharp_mask(f, (0, 1), amount=2), 3 * f - 2 * blur, rtol=1e-12)
    np.testing.assert_array_equal(F.unsharp_mask(f, 1.0, amount=0), f)


def test_separable_by_hand():
    f = np.zeros((3, 3))
    f[1, 1] = 4
    got = F.separable(f, [np.array([1.0, 2.0, 1.0]) / 4, np.array([0.0, 1.0])], mode="constant")
    # convolution with [0, 1] along columns (centre index 1): g(j) = 0 f(j + 1) + 1 f(j): the column axis unchanged
    np.testing.assert_array_equal(got, [[0, 1, 0], [0, 2, 0], [0, 1, 0]])


# -- (b) references: scipy.ndimage -------------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("shape", [(3, 3), (4, 5), (2, 6)], ids=["odd", "even", "mixed"])
def test_convolve_correlate_2d_vs_scipy(rng, dtype, mode, shape):
    image = _image(rng, (17, 23), dtype)
    kernel = rng.random(shape) - 0.4
    ref = image.astype(np.float64)
    for ours, theirs in ((F.convolve, ndi.convolve), (F.correlate, ndi.correlate)):
        got = ours(image, kernel, mode=mode, cval=2.5)
        assert got.dtype == _out_dtype(dtype)
        _close(got, theirs(ref, kernel, mode=mode, cval=2.5), image, np.abs(kernel).sum())


@pytest.mark.parametrize("dtype", [np.uint8, np.float32, np.float64])
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("shape", [(3, 3, 3), (2, 3, 4)], ids=["odd", "even"])
def test_convolve_3d_vs_scipy(rng, dtype, mode, shape):
    image = _image(rng, (6, 7, 8), dtype)
    kernel = rng.random(shape) - 0.4
    got = F.convolve(image, kernel, mode=mode, cval=-1.0)
    _close(got, ndi.convolve(image.astype(np.float64), kernel, mode=mode, cval=-1.0), image, np.abs(kernel).sum())
    sep = np.einsum("i,j,k->ijk", *(rng.random(s) for s in shape))  # rank 1: the separable path
    got = F.correlate(image, sep, mode=mode, cval=-1.0, origin=(0, -1, 0))
    expected = ndi.correlate(image.astype(np.float64), sep, mode=mode, cval=-1.0, origin=(0, -1, 0))
    _close(got, expected, image, sep.sum())


@pytest.mark.parametrize("mode", MODES)
def test_origin_vs_scipy(rng, mode):
    image = rng.random((9, 10))
    kernel = rng.random((4, 5))
    for origin in [(-2, 2), (1, -2), (0, 1)]:
        np.testing.assert_allclose(F.convolve(image, kernel, mode=mode, origin=origin),
                                   ndi.convolve(image, kernel, mode=mode, origin=origin), rtol=1e-12)
        np.testing.assert_allclose(F.correlate(image, kernel, mode=mode, origin=origin),
                                   ndi.correlate(image, kernel, mode=mode, origin=origin), rtol=1e-12)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("size", [1, 3, 4, (5, 2), (25, 25)])
def test_mean_2d_vs_scipy(rng, dtype, mode, size):
    image = _image(rng, (19, 30), dtype)
    got = F.mean(image, size, mode=mode, cval=3)
    assert got.dtype == _out_dtype(dtype)
    _close(got, ndi.uniform_filter(image.astype(np.float64), size, mode=mode, cval=3), image, 1.0)


@pytest.mark.parametrize("dtype", [np.uint16, np.float32])
@pytest.mark.parametrize("mode", MODES)
def test_mean_3d_vs_scipy(rng, dtype, mode):
    image = _image(rng, (5, 8, 9), dtype)
    for size in [3, (2, 3, 4), (1, 5, 1), (7, 1, 2)]:
        expected = ndi.uniform_filter(image.astype(np.float64), size, mode=mode, cval=3)
        _close(F.mean(image, size, mode=mode, cval=3), expected, image, 1.0)


def test_mean_integer_image_with_a_fractional_cval(rng):
    image = rng.integers(0, 256, (6, 7)).astype(np.uint8)
    expected = ndi.uniform_filter(image.astype(np.float64), 3, mode="constant", cval=0.5)
    _close(F.mean(image, 3, mode="constant", cval=0.5), expected, image, 1.0)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("mode", MODES)
def test_gaussian_2d_vs_scipy(rng, dtype, mode):
    image = _image(rng, (31, 27), dtype)
    ref = image.astype(np.float64)
    for sigma in [0.5, 2.0, (1.0, 3.0), (0, 1.5)]:
        got = F.gaussian(image, sigma, mode=mode, cval=7)
        _close(got, ndi.gaussian_filter(ref, sigma, mode=mode, cval=7), image, 1.0)
    got = F.gaussian(image, 1.2, truncate=2.0, mode=mode)
    _close(got, ndi.gaussian_filter(ref, 1.2, truncate=2.0, mode=mode), image, 1.0)


def test_gaussian_float32_relative_accuracy_vs_scipy(camera):
    image = camera.astype(np.float32) / 255
    for sigma in (2.0, 8.0):
        got = F.gaussian(image, sigma)
        expected = ndi.gaussian_filter(image.astype(np.float64), sigma)
        assert np.abs(got - expected).max() <= 1e-6 * np.abs(expected).max()


@pytest.mark.parametrize("mode", MODES)
def test_gaussian_3d_vs_scipy(rng, mode):
    image = _image(rng, (7, 9, 10), np.float64)
    for sigma in [1.0, (0.7, 0, 2.0), (2.0, 1.0, 0)]:
        np.testing.assert_allclose(F.gaussian(image, sigma, mode=mode),
                                   ndi.gaussian_filter(image, sigma, mode=mode), rtol=0, atol=1e-12 * 100)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("mode", MODES)
def test_sobel_prewitt_vs_scipy(rng, dtype, mode):
    image = _image(rng, (13, 16), dtype)
    ref = image.astype(np.float64)
    for ours, theirs, weight in ((F.sobel, ndi.sobel, 8.0), (F.prewitt, ndi.prewitt, 6.0)):
        for axis in (0, 1, -1):
            _close(ours(image, axis, mode=mode), theirs(ref, axis, mode=mode), image, weight)
        magnitude = np.hypot(theirs(ref, 0, mode=mode), theirs(ref, 1, mode=mode))
        _close(ours(image, mode=mode), magnitude, image, weight)


def test_sobel_3d_and_constant_cval_meaning(rng):
    image = rng.random((5, 6, 7))
    for axis in range(3):
        np.testing.assert_allclose(F.sobel(image, axis), ndi.sobel(image, axis), atol=1e-12)
    magnitude = np.sqrt(sum(ndi.prewitt(image, a) ** 2 for a in range(3)))
    np.testing.assert_allclose(F.prewitt(image), magnitude, atol=1e-12)
    # cval != 0: the image extended by cval, then the 2-D kernel (scipy.ndimage.correlate's meaning)
    k2 = np.outer([-1, 0, 1], [1, 2, 1])
    flat = image[0]
    np.testing.assert_allclose(F.sobel(flat, 0, mode="constant", cval=3.0),
                               ndi.correlate(flat, k2, mode="constant", cval=3.0), atol=1e-12)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("mode", MODES)
def test_laplacian_vs_scipy(rng, dtype, mode):
    image = _image(rng, (12, 15), dtype)
    ref = image.astype(np.float64)
    _close(F.laplacian(image, mode=mode, cval=1.0), -ndi.laplace(ref, mode=mode, cval=1.0), image, 8.0)
    k8 = -np.ones((3, 3))
    k8[1, 1] = 8
    _close(F.laplacian(image, kind=8, mode=mode, cval=1.0), ndi.correlate(ref, k8, mode=mode, cval=1.0), image, 16.0)
    cube = _image(rng, (5, 6, 7), dtype)
    _close(F.laplacian(cube, mode=mode), -ndi.laplace(cube.astype(np.float64), mode=mode), cube, 12.0)


def test_against_naive_convolution(rng):
    image = rng.random((6, 7))
    kernel = rng.random((3, 4))
    for mode in MODES:
        np.testing.assert_allclose(F.convolve(image, kernel, mode=mode, cval=0.5, origin=(1, -1)),
                                   naive.convolve(image, kernel, mode, 0.5, (1, -1)), rtol=1e-12)


# -- (b) references: OpenCV ------------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", list(CV2_BORDERS))
@pytest.mark.parametrize("shape", [(5, 5), (4, 4), (3, 6)])
def test_correlate_vs_cv2_filter2d(rng, mode, shape):
    image = rng.random((40, 50)).astype(np.float32)
    kernel = (rng.random(shape) - 0.5).astype(np.float32)
    expected = cv2.filter2D(image, -1, kernel, borderType=CV2_BORDERS[mode])
    np.testing.assert_allclose(F.correlate(image, kernel, mode=mode), expected, atol=2e-6 * np.abs(kernel).sum())


@pytest.mark.parametrize("mode", list(CV2_BORDERS))
def test_gaussian_and_mean_vs_cv2(rng, mode):
    image = rng.random((60, 70)).astype(np.float32)
    for sigma in (1.0, 2.0, 3.5):
        ksize = 2 * int(4 * sigma + 0.5) + 1
        expected = cv2.GaussianBlur(image, (ksize, ksize), sigma, borderType=CV2_BORDERS[mode])
        np.testing.assert_allclose(F.gaussian(image, sigma, mode=mode), expected, atol=2e-6)
    for size in (3, 4, (7, 2)):
        ksize = (size, size) if np.isscalar(size) else size[::-1]  # cv2 takes (width, height)
        expected = cv2.blur(image, ksize, borderType=CV2_BORDERS[mode])
        np.testing.assert_allclose(F.mean(image, size, mode=mode), expected, atol=2e-6)


def test_dtype_uint8_is_the_rounded_result(rng):
    image = rng.integers(0, 256, (30, 40), dtype=np.uint8)
    got = F.gaussian(image, 2.0, dtype=np.uint8)
    assert got.dtype == np.uint8
    expected = np.rint(ndi.gaussian_filter(image.astype(np.float64), 2.0))
    np.testing.assert_array_equal(got, expected)  # written from the float64 sums, no float32 rounding


def _rounded_mean(image, size, mode="reflect", cval=0):
    """The exact mean of each window rounded half to even, from exact int64 sums (divmod by the count)."""
    sums = ndi.correlate(image.astype(np.int64), np.ones(size, np.int64), mode=mode, cval=cval)
    count = int(np.prod(size))
    q, r = np.divmod(sums, count)
    return q + ((2 * r > count) | ((2 * r == count) & (q % 2 == 1)))


@pytest.mark.parametrize("size", [(2, 2), (4, 1), (3, 4), (5, 5), (25, 25)])
@pytest.mark.parametrize("mode", MODES)
def test_mean_uint8_output_is_the_exactly_rounded_mean(rng, size, mode):
    image = rng.integers(0, 256, (37, 41), dtype=np.uint8)
    image[:8, :8] = np.arange(8, dtype=np.uint8)[:, None] * 2 + 1  # odd and even sums: ties for even counts
    got = F.mean(image, size, mode=mode, cval=3, dtype=np.uint8)
    assert got.dtype == np.uint8
    np.testing.assert_array_equal(got, np.clip(_rounded_mean(image, size, mode, 3), 0, 255))
    wide = image.astype(np.uint16) * 257
    np.testing.assert_array_equal(F.mean(wide, size, mode=mode, cval=3, dtype=np.uint16),
                                  np.clip(_rounded_mean(wide, size, mode, 3), 0, 65535))



def test_rounding_reciprocal_is_exact_for_every_sum():
    # every window count up to 15 x 15 and a few large ones, every sum a uint8 window can reach: the product
    # by the reciprocal (float32, as the kernel computes it) is the quotient rounded half to even, checked
    # here by exact integer arithmetic independent of the function's own check
    found = 0
    for count in list(range(1, 226)) + [256, 289, 441, 625, 1024, 4096, 8224]:
        r = _linear._rounding_reciprocal(count, 255)
        if r is None:
            continue
        found += 1
        assert r.dtype == np.float32
        s = np.arange(255 * count + 1)
        q, rem = np.divmod(s, count)
        exact = q + ((2 * rem > count) | ((2 * rem == count) & (q % 2 == 1)))
        np.testing.assert_array_equal(np.rint(s.astype(np.float32) * r), exact, err_msg=f"count {count}")
        np.testing.assert_array_equal(np.rint(-s.astype(np.float32) * r), -exact, err_msg=f"count {count}")
    assert found >= 200  # the division is the exception, not the rule
    assert _linear._rounding_reciprocal(8225, 255) is None  # beyond the checked range: divide

def test_mean_uint8_ties_round_half_to_even():
    image = np.array([[0, 1, 2, 3, 4, 5]], np.uint8)
    # windows [i - 1, i] (size 2, 'nearest'): means 0, 0.5, 1.5, 2.5, 3.5, 4.5
    np.testing.assert_array_equal(F.mean(image, (1, 2), mode="nearest", dtype=np.uint8), [[0, 0, 2, 2, 4, 4]])
    np.testing.assert_array_equal(F.mean(image, (1, 2), mode="nearest"), [[0, 0.5, 1.5, 2.5, 3.5, 4.5]])


@pytest.mark.parametrize("mode", MODES)
def test_gaussian_uint8_output_is_the_rounded_float64_result(rng, mode):
    image = rng.integers(0, 256, (60, 70), dtype=np.uint8)
    for sigma in (0.8, 2.0, (1.0, 3.0)):
        got = F.gaussian(image, sigma, mode=mode, cval=9, dtype=np.uint8)
        ref = ndi.gaussian_filter(image.astype(np.float64), sigma, mode=mode, cval=9)
        far = np.abs(ref - np.floor(ref) - 0.5) > 1e-9  # ties within 1e-9 may round either way
        np.testing.assert_array_equal(got[far], np.rint(ref[far]))
        assert np.abs(got.astype(float) - ref).max() <= 0.5 + 1e-9


# 40 cases, a few ms each once compiled
@settings(max_examples=40, deadline=None)
@given(shape=st.tuples(st.integers(1, 40), st.integers(1, 70)), sigma=st.floats(0.3, 4),
       sigma2=st.floats(0, 4), mode=st.sampled_from(MODES), cval=st.integers(0, 255),
       seed=st.integers(0, 2**32 - 1))
def test_uint8_gaussian_to_uint8_is_the_rounded_float64_result(shape, sigma, sigma2, mode, cval, seed):
    # float32 passes with the float64 result for pixels near a tie: always the rounded float64 result
    rng = np.random.default_rng(seed)
    image = rng.integers(0, 256, shape, dtype=np.uint8)
    got = F.gaussian(image, (sigma, sigma2), mode=mode, cval=cval, dtype=np.uint8)
    f64 = F.gaussian(image, (sigma, sigma2), mode=mode, cval=cval, dtype=np.float64)
    np.testing.assert_array_equal(got, np.clip(np.rint(f64), 0, 255))
    ref = ndi.gaussian_filter(image.astype(np.float64), (sigma, sigma2), mode=mode, cval=cval)
    assert np.abs(got - ref).max() <= 0.5 + 1e-9


def test_float32_error_bound_holds(rng):
    image = rng.integers(0, 256, (200, 300), dtype=np.uint8)
    for sigma in (0.7, 2.0, 5.0):
        w = _linear._gaussian_weights(sigma, 4.0)
        eps = _linear._float32_error_bound(w, w, 255.0)
        f32 = F.gaussian(image.astype(np.float32), sigma)  # float32 passes, as the checked path's
        f64 = F.gaussian(image, sigma, dtype=np.float64)
        assert np.abs(f32 - f64).max() <= eps
        assert eps < 2e-3  # few enough pixels near a tie to recompute


# -- precision: wide integers and float64 requests ----------------------------------------------------------------

# (function, scipy reference on the float64 image, sum |w| of its kernel); the kernel of each pair is the same
_WIDE_CASES = [
    (lambda f, **kw: F.mean(f, 3, **kw), lambda r: ndi.uniform_filter(r, 3), 1.0),
    (lambda f, **kw: F.mean(f, (2, 5), **kw), lambda r: ndi.uniform_filter(r, (2, 5)), 1.0),
    (lambda f, **kw: F.gaussian(f, 1.5, **kw), lambda r: ndi.gaussian_filter(r, 1.5), 1.0),
    (lambda f, **kw: F.correlate(f, np.arange(12.0).reshape(3, 4) / 66, **kw),
     lambda r: ndi.correlate(r, np.arange(12.0).reshape(3, 4) / 66), 1.0),
    (lambda f, **kw: F.convolve(f, np.outer([1.0, 2, 1], [1.0, 3, 1]) / 20, **kw),
     lambda r: ndi.convolve(r, np.outer([1.0, 2, 1], [1.0, 3, 1]) / 20), 1.0),
    (lambda f, **kw: F.separable(f, [np.ones(3) / 3, np.array([0.25, 0.75])], **kw),
     lambda r: ndi.convolve(r, np.outer(np.ones(3) / 3, [0.25, 0.75])), 1.0),
    (lambda f, **kw: F.laplacian(f, **kw), lambda r: -ndi.laplace(r), 8.0),
    (lambda f, **kw: F.sobel(f, 0, **kw), lambda r: ndi.sobel(r, 0), 8.0),
    (lambda f, **kw: F.prewitt(f, 1, **kw), lambda r: ndi.prewitt(r, 1), 6.0),
    (lambda f, **kw: F.unsharp_mask(f, 1.0, 0.5, **kw), lambda r: 1.5 * r - 0.5 * ndi.gaussian_filter(r, 1.0),
     2.0),
]


def test_issue_17_cases_keep_every_bit():
    # these went through a float32 buffer: 16777216 and 2**40
    assert F.mean(np.full((3, 3), 2**24 + 1, np.int32), 3, dtype=np.int32)[1, 1] == 2**24 + 1
    assert ndi.uniform_filter(np.full((3, 3), 2**24 + 1, np.int32), 3)[1, 1] == 2**24 + 1
    assert F.mean(np.full((3, 3), 2**40 + 1, np.int64), 3, dtype=np.int64)[1, 1] == 2**40 + 1
    assert F.mean(np.full((3, 3), 2**40 + 1, np.int64), 3, dtype=np.float64)[1, 1] == 2**40 + 1
    assert F.gaussian(np.full((5, 5), 2**40 + 1, np.int64), 1.0, dtype=np.int64)[2, 2] == 2**40 + 1
    assert F.mean(np.full((3, 3), 2**24 + 1, np.uint32), 3, dtype=np.uint32)[1, 1] == 2**24 + 1


@pytest.mark.parametrize("case", range(len(_WIDE_CASES)))
@pytest.mark.parametrize("dtype, top", [(np.int32, 2**31 - 1), (np.int64, 2**40), (np.uint32, 2**32 - 1)])
def test_wide_integer_images_are_computed_in_float64(rng, case, dtype, top):
    ours, theirs, weight = _WIDE_CASES[case]
    image = rng.integers(top // 2, top, (9, 10), endpoint=True).astype(dtype)
    ref = theirs(image.astype(np.float64))
    atol = 1e-14 * top * weight  # float64: a few ulps of the scale (float32 would be ~6e-8 of it)
    got = ours(image, dtype=np.float64)
    assert got.dtype == np.float64
    np.testing.assert_allclose(got, ref, rtol=0, atol=atol)
    out = np.dtype(np.int64)
    got = ours(image, dtype=out)
    assert got.dtype == out
    assert np.abs(got - ref).max() <= 0.5 + atol


@pytest.mark.parametrize("case", range(len(_WIDE_CASES)))
@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.float32])
def test_float64_requests_are_computed_in_float64(rng, case, dtype):
    ours, theirs, weight = _WIDE_CASES[case]
    image = _image(rng, (11, 12), dtype)
    got = ours(image, dtype=np.float64)
    assert got.dtype == np.float64
    np.testing.assert_allclose(got, theirs(image.astype(np.float64)), rtol=0,
                               atol=1e-13 * max(1.0, float(np.abs(image).max())) * weight)


# 40 cases each, under 10 ms per case once compiled
_WIDE_DTYPES = st.sampled_from([np.int32, np.int64, np.uint32, np.uint8, np.float32])
_small_shapes = st.tuples(st.integers(1, 12), st.integers(1, 12))


@settings(max_examples=40, deadline=None)
@given(shape=_small_shapes,
       size=st.tuples(st.integers(1, 6), st.integers(1, 6)), mode=st.sampled_from(MODES), dtype=_WIDE_DTYPES,
       seed=st.integers(0, 2**32 - 1))
def test_mean_in_float64_matches_uniform_filter(shape, size, mode, dtype, seed):
    rng = np.random.default_rng(seed)
    image = _wide_image(rng, shape, dtype)
    ref = ndi.uniform_filter(image.astype(np.float64), size, mode=mode, cval=5)
    scale = max(1.0, float(np.abs(image).max()))
    np.testing.assert_allclose(F.mean(image, size, mode=mode, cval=5, dtype=np.float64), ref, rtol=0,
                               atol=1e-14 * scale)
    if np.dtype(dtype).kind in "ui":  # integer images: the exactly rounded mean for integer outputs
        exact = _rounded_mean(image, size, mode, 5)
        np.testing.assert_array_equal(F.mean(image, size, mode=mode, cval=5, dtype=np.int64), exact)


@settings(max_examples=40, deadline=None)
@given(shape=_small_shapes, sigma=st.floats(0, 3), mode=st.sampled_from(MODES), dtype=_WIDE_DTYPES,
       seed=st.integers(0, 2**32 - 1))
def test_gaussian_in_float64_matches_gaussian_filter(shape, sigma, mode, dtype, seed):
    rng = np.random.default_rng(seed)
    image = _wide_image(rng, shape, dtype)
    ref = ndi.gaussian_filter(image.astype(np.float64), sigma, mode=mode, cval=5)
    scale = max(1.0, float(np.abs(image).max()))
    np.testing.assert_allclose(F.gaussian(image, sigma, mode=mode, cval=5, dtype=np.float64), ref, rtol=0,
                               atol=1e-14 * scale)
    got = F.gaussian(image, sigma, mode=mode, cval=5, dtype=np.int64)
    assert np.abs(got - ref).max() <= 0.5 + 1e-14 * scale


@settings(max_examples=40, deadline=None)
@given(shape=_small_shapes, kshape=st.tuples(st.integers(1, 5), st.integers(1, 5)), mode=st.sampled_from(MODES),
       dtype=_WIDE_DTYPES, seed=st.integers(0, 2**32 - 1))
def test_correlate_in_float64_matches_scipy(shape, kshape, mode, dtype, seed):
    rng = np.random.default_rng(seed)
    image = _wide_image(rng, shape, dtype)
    kernel = rng.random(kshape) - 0.3
    ref = ndi.correlate(image.astype(np.float64), kernel, mode=mode, cval=5)
    scale = max(1.0, float(np.abs(image).max())) * np.abs(kernel).sum()
    np.testing.assert_allclose(F.correlate(image, kernel, mode=mode, cval=5, dtype=np.float64), ref, rtol=0,
                               atol=1e-14 * scale)
    got = F.correlate(image, kernel, mode=mode, cval=5, dtype=np.int64)
    assert np.abs(got - ref).max() <= 0.5 + 1e-14 * scale


def _wide_image(rng, shape, dtype):
    """Random values over most of a wide dtype's range (2**40 for int64), or a narrow one's full range."""
    dt = np.dtype(dtype)
    if dt.kind == "f":
        return (rng.random(shape) * 2e6 - 1e6).astype(dt)
    top = min(np.iinfo(dt).max, 2**40)
    low = max(np.iinfo(dt).min, -top)
    return rng.integers(low, top, shape, endpoint=True).astype(dt)


# -- (c) properties ----------------------------------------------------------------------------------------------

_small = st.tuples(st.integers(1, 9), st.integers(1, 9))


# 40 cases each, a few ms per case once compiled
@settings(max_examples=40, deadline=None)
@given(shape=_small, kshape=_small, mode=st.sampled_from(MODES), seed=st.integers(0, 2**32 - 1))
def test_convolution_with_a_delta_is_identity(shape, kshape, mode, seed):
    rng = np.random.default_rng(seed)
    image = rng.random(shape)
    delta = np.zeros(kshape)
    delta[kshape[0] // 2, kshape[1] // 2] = 1.0
    np.testing.assert_array_equal(F.convolve(image, delta, mode=mode), image)


@settings(max_examples=40, deadline=None)
@given(shape=_small, kshape=_small, mode=st.sampled_from(MODES), a=st.floats(-3, 3), b=st.floats(-3, 3),
       seed=st.integers(0, 2**32 - 1))
def test_linearity(shape, kshape, mode, a, b, seed):
    rng = np.random.default_rng(seed)
    f, g = rng.random(shape), rng.random(shape)
    kernel = rng.random(kshape) - 0.5
    lhs = F.convolve(a * f + b * g, kernel, mode=mode)  # cval = 0 keeps the extension linear
    rhs = a * F.convolve(f, kernel, mode=mode) + b * F.convolve(g, kernel, mode=mode)
    np.testing.assert_allclose(lhs, rhs, atol=1e-12 * kernel.size * 6)


@settings(max_examples=40, deadline=None)
@given(shape=_small, kshape=_small, shift=_small, seed=st.integers(0, 2**32 - 1))
def test_commutes_with_translation_in_wrap_mode(shape, kshape, shift, seed):
    rng = np.random.default_rng(seed)
    image = rng.random(shape)
    kernel = rng.random(kshape)
    lhs = F.convolve(np.roll(image, shift, axis=(0, 1)), kernel, mode="wrap")
    rhs = np.roll(F.convolve(image, kernel, mode="wrap"), shift, axis=(0, 1))
    np.testing.assert_allclose(lhs, rhs, atol=1e-12 * kernel.size)


@settings(max_examples=40, deadline=None)
@given(shape=_small, size=_small, mode=st.sampled_from(MODES), integer=st.booleans(),
       seed=st.integers(0, 2**32 - 1))
def test_mean_is_convolution_with_the_box(shape, size, mode, integer, seed):
    rng = np.random.default_rng(seed)
    image = rng.integers(0, 256, shape).astype(np.uint8) if integer else rng.random(shape)
    box = np.ones(size) / np.prod(size)
    np.testing.assert_allclose(F.mean(image, size, mode=mode, cval=2),
                               F.correlate(image, box, mode=mode, cval=2), rtol=2e-6)


@settings(max_examples=30, deadline=None)
@given(shape=_small, value=st.floats(-1e3, 1e3), sigma=st.floats(0, 5), mode=st.sampled_from(MODES[:4]))
def test_gaussian_preserves_a_constant_image(shape, value, sigma, mode):
    image = np.full(shape, value)
    np.testing.assert_allclose(F.gaussian(image, sigma, mode=mode), value, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(F.mean(image, 5, mode=mode), value, rtol=1e-12, atol=1e-12)


@settings(max_examples=40, deadline=None)
@given(shape=_small, ka=st.integers(1, 8), kb=st.integers(1, 8), mode=st.sampled_from(MODES),
       seed=st.integers(0, 2**32 - 1))
def test_separable_detection_matches_the_direct_path(shape, ka, kb, mode, seed):
    rng = np.random.default_rng(seed)
    image = rng.random(shape)
    kernel = np.outer(rng.random(ka) - 0.5, rng.random(kb) - 0.5)
    assert _linear._rank1(kernel) is not None
    x = image[None]
    direct = _linear._run_direct(x, kernel, [ka // 2, kb // 2], mode, 1.5, np.dtype(np.float64),
                                 np.dtype(np.float64))[0]
    np.testing.assert_allclose(F.correlate(image, kernel, mode=mode, cval=1.5), direct, rtol=1e-10, atol=1e-12)


# -- the FFT path and the choice of path -------------------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
def test_fft_path_equals_scipy(rng, mode):
    image = rng.random((20, 17)).astype(np.float32)
    kernel = rng.random((9, 8)) - 0.5
    got = _linear._run_fft(image[None].astype(np.float64), kernel, [4, 4], mode, 0.5, np.dtype(np.float64))[0]
    np.testing.assert_allclose(got, ndi.correlate(image.astype(np.float64), kernel, mode=mode, cval=0.5),
                               atol=1e-12 * 40)
    cube = rng.random((6, 7, 8))
    k3 = rng.random((3, 4, 5))
    got = _linear._run_fft(cube[None], k3, [1, 2, 2], mode, 0.5, np.dtype(np.float64))[0]
    np.testing.assert_allclose(got, ndi.correlate(cube, k3, mode=mode, cval=0.5), atol=1e-12 * 60)


def test_large_kernels_take_the_fft_and_agree(rng):
    image = rng.random((300, 300)).astype(np.float32)
    kernel = rng.random((41, 41))
    x = image[None]
    assert _linear._use_fft(x, kernel.shape, kernel.size, _linear._NS_DIRECT_TAP)
    assert not _linear._use_fft(x, (7, 7), 49, _linear._NS_DIRECT_TAP)
    got = F.correlate(image, kernel, mode="mirror")
    expected = ndi.correlate(image.astype(np.float64), kernel, mode="mirror")
    _close(got, expected, image, kernel.sum(), np.float32)
    bad = image.copy()
    bad[0, 0] = np.nan
    assert not _linear._use_fft(bad[None], kernel.shape, kernel.size, _linear._NS_DIRECT_TAP)
    got = F.correlate(bad, kernel, mode="constant")
    assert np.isnan(got[:21, :21]).all() and np.isfinite(got[25:, 25:]).all()


def test_fft_cost_counts_the_workers_of_the_transform(monkeypatch):
    # the FFT's cost model divides by the speed-up of the workers _run_fft will ask scipy for
    asked = []
    monkeypatch.setattr(_linear.parallel, "_fft_workers", lambda values: asked.append(values) or 1)
    one = _linear._fft_cost(1, (1000, 1000), (41, 41))
    monkeypatch.setattr(_linear.parallel, "_fft_workers", lambda values: asked.append(values) or 2)
    two = _linear._fft_cost(1, (1000, 1000), (41, 41))
    assert two == pytest.approx(one / _linear._FFT_SPEEDUP_2)
    from scipy import fft
    assert asked[0] == fft.next_fast_len(1040, real=True) ** 2  # the padded transform's values


def test_forced_fft_route_for_separable_and_direct_kernels(rng, monkeypatch):
    monkeypatch.setattr(_linear, "_NS_FFT", 1e-9)  # the FFT wins every comparison
    calls = []
    run_fft = _linear._run_fft
    monkeypatch.setattr(_linear, "_run_fft", lambda *args: calls.append(1) or run_fft(*args))
    image = rng.random((30, 26))
    big = rng.random((9, 9)) - 0.5
    np.testing.assert_allclose(F.convolve(image, big, mode="wrap"), ndi.convolve(image, big, mode="wrap"),
                               atol=1e-12 * 40)
    sigma = (0, 40.0)  # 321 taps on one axis, none on the other
    np.testing.assert_allclose(F.gaussian(image, sigma, mode="mirror"),
                               ndi.gaussian_filter(image, sigma, mode="mirror"), atol=1e-12)
    cube = rng.random((5, 6, 7)).astype(np.float32)
    np.testing.assert_allclose(F.gaussian(cube, (30.0, 0, 30.0), mode="nearest"),
                               ndi.gaussian_filter(cube.astype(np.float64), (30.0, 0, 30.0), mode="nearest"),
                               atol=2e-6)
    assert len(calls) == 3


def test_rank1_detection():
    assert _linear._rank1(np.outer([1.0, 2.0, 1.0], [-1.0, 0.0, 1.0])) is not None
    assert _linear._rank1(np.array([[0, -1, 0], [-1, 4, -1], [0, -1, 0]], float)) is None
    factors = _linear._rank1(np.einsum("i,j,k->ijk", [1.0, 2.0], [3.0, -1.0, 1.0], [0.5, 0.5]))
    np.testing.assert_allclose(np.einsum("i,j,k->ijk", *factors),
                               np.einsum("i,j,k->ijk", [1.0, 2.0], [3.0, -1.0, 1.0], [0.5, 0.5]))
    assert _linear._rank1(np.zeros((3, 3))) is None


def test_rank1_cache_hands_out_copies_and_keys_on_the_values():
    w = np.outer([1.0, 2.0, 1.0], [-1.0, 0.0, 1.0])
    first = _linear._rank1(w)
    first[0][:] = 99.0  # a caller modifying its factors must not change the next answer
    again = _linear._rank1(w)
    np.testing.assert_array_equal(np.outer(*again), w)
    np.testing.assert_array_equal(np.outer(*again), np.outer(*_linear._rank1_factors(w)))
    w2 = w.copy()
    w2[0, 0] = 0.5  # same shape, other values: not separable, not the cached answer
    assert _linear._rank1(w2) is None
    for n in range(_linear._RANK1_CACHE_MAX + 2):  # the cache is bounded
        _linear._rank1(np.outer([1.0, float(n)], [1.0, 2.0]))
    assert len(_linear._RANK1_CACHE) <= _linear._RANK1_CACHE_MAX


def test_parallel_twins_agree_with_serial(rng, monkeypatch):
    image = rng.random((40, 50))
    kernel = rng.random((5, 4))
    serial = [F.gaussian(image, 2.0), F.mean(image, 7), F.correlate(image, kernel)]
    monkeypatch.setattr(_linear, "PARALLEL_MIN_PIXELS", 1)
    parallel = [F.gaussian(image, 2.0), F.mean(image, 7), F.correlate(image, kernel)]
    np.testing.assert_array_equal(serial[0], parallel[0])
    np.testing.assert_array_equal(serial[2], parallel[2])
    # float running sums restart in each block: the same up to their rounding
    np.testing.assert_allclose(serial[1], parallel[1], rtol=1e-14)


# -- colour, dtypes and pathologies ----------------------------------------------------------------------------


def test_channel_axis_filters_each_channel(astronaut):
    image = astronaut[100:160, 200:280]
    kernel = np.arange(9.0).reshape(3, 3)
    for func, args in ((F.convolve, (kernel,)), (F.gaussian, (1.5,)), (F.mean, (4,)), (F.sobel, ()),
                       (F.laplacian, ()), (F.unsharp_mask, (1.0, 1.5))):
        got = func(image, *args, channel_axis=-1)
        assert got.shape == image.shape and got.flags.c_contiguous
        for c in range(3):
            np.testing.assert_array_equal(got[..., c], func(image[..., c], *args))
    planar = np.moveaxis(image, -1, 0)
    np.testing.assert_array_equal(F.gaussian(planar, 1.5, channel_axis=0), np.moveaxis(
        F.gaussian(image, 1.5, channel_axis=2), -1, 0))


def test_constant_image_and_one_pixel():
    flat = np.full((6, 5), 7, np.uint8)
    # a float32 result runs float32 passes (as for float32 images): the constant within a float32 rounding or
    # two; float64 passes (dtype=np.float64) and the rounded uint8 result keep it exactly
    np.testing.assert_allclose(F.gaussian(flat, 3.0), 7, rtol=3e-7)
    np.testing.assert_array_equal(F.gaussian(flat, 3.0, dtype=np.float64), 7)
    np.testing.assert_array_equal(F.gaussian(flat, 3.0, dtype=np.uint8), 7)
    np.testing.assert_array_equal(F.mean(flat, 4), 7)
    np.testing.assert_array_equal(F.sobel(flat), 0)
    np.testing.assert_array_equal(F.laplacian(flat, kind=8), 0)
    one = np.array([[5.0]])
    assert F.convolve(one, np.ones((3, 3)))[0, 0] == 45.0
    assert F.mean(one, 10)[0, 0] == 5.0
    assert F.gaussian(one, 2.0)[0, 0] == pytest.approx(5.0)
    assert F.convolve(one, np.ones((3, 3)), mode="constant")[0, 0] == 5.0


def test_window_larger_than_the_image(rng):
    image = rng.random((4, 5))
    for mode in MODES:
        np.testing.assert_allclose(F.mean(image, (11, 30), mode=mode),
                                   ndi.uniform_filter(image, (11, 30), mode=mode), rtol=1e-12)
        kernel = rng.random((9, 12))
        np.testing.assert_allclose(F.convolve(image, kernel, mode=mode), ndi.convolve(image, kernel, mode=mode),
                                   rtol=1e-12)


def test_nan_stays_in_its_windows():
    image = np.zeros((9, 9), np.float32)
    image[4, 4] = np.nan
    for got in (F.mean(image, 3), F.gaussian(image, 1.0, truncate=1.0), F.convolve(image, np.ones((3, 3))),
                F.sobel(image, 0), F.laplacian(image)):
        assert np.isnan(got[4, 4]) and np.isfinite(got[0]).all() and np.isfinite(got[:, 0]).all()
    assert np.count_nonzero(np.isnan(F.mean(image, 3))) == 9
    inf = np.zeros((9, 9))
    inf[4, 4] = np.inf
    assert np.count_nonzero(~np.isfinite(F.mean(inf, 3))) == 9


def test_other_dtypes_are_converted(rng):
    image = rng.integers(-100, 100, (8, 9)).astype(np.int16)
    got = F.convolve(image, np.ones((2, 3)))
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, ndi.convolve(image.astype(float), np.ones((2, 3))), rtol=1e-6)
    half = image.astype(np.float16)
    assert F.gaussian(half, 1.0).dtype == np.float32
    assert F.mean(image.astype(np.int64), 3).dtype == np.float32


def test_input_is_not_modified_and_read_only_input_works(rng):
    image = rng.random((10, 11)).astype(np.float32)
    keep = image.copy()
    image.setflags(write=False)
    for func, args in ((F.convolve, (np.ones((3, 3)),)), (F.mean, (3,)), (F.gaussian, (1.0,)),
                       (F.unsharp_mask, ()), (F.sobel, ()), (F.separable, ([np.ones(2), None],))):
        func(image, *args)
    np.testing.assert_array_equal(image, keep)


def test_dtype_argument(rng):
    image = rng.random((8, 8)) * 300 - 20
    got = F.mean(image, 3, dtype=np.uint8)
    assert got.dtype == np.uint8
    np.testing.assert_array_equal(got, np.clip(np.rint(F.mean(image, 3)), 0, 255))
    assert F.sobel(image, dtype=np.float32).dtype == np.float32


@pytest.mark.parametrize("call, exc, words", [
    (lambda: F.convolve(np.zeros((0, 3)), np.ones((3, 3))), ValueError, "non-empty"),
    (lambda: F.convolve(np.zeros((3, 3)), np.ones(3)), ValueError, "kernel must be a 2-D"),
    (lambda: F.convolve(np.zeros((3, 3)), np.full((3, 3), np.nan)), ValueError, "finite"),
    (lambda: F.convolve(np.zeros((3, 3)), "abc"), TypeError, "kernel"),
    (lambda: F.convolve(np.zeros((3, 3)), np.ones((3, 3)), origin=2), ValueError, "origin"),
    (lambda: F.convolve(np.zeros((3, 3)), np.ones((3, 3)), origin=(0, 0, 0)), ValueError, "origin"),
    (lambda: F.correlate(np.zeros((3, 3)), np.ones((3, 3)), mode="symmetric"), ValueError, "mode"),
    (lambda: F.correlate(np.zeros((3, 3), bool), np.ones((3, 3))), TypeError, "bool"),
    (lambda: F.correlate(np.zeros((3, 3)), np.ones((3, 3)), cval=np.nan), ValueError, "cval"),
    (lambda: F.correlate(np.zeros((3, 3)), np.ones((3, 3)), dtype="U3"), TypeError, "dtype"),
    (lambda: F.mean(np.zeros((3, 3)), 0), ValueError, "size"),
    (lambda: F.mean(np.zeros((3, 3)), (3, 3, 3)), ValueError, "size"),
    (lambda: F.mean(np.zeros((3, 3)), 3, channel_axis=2), ValueError, "channel_axis"),
    (lambda: F.gaussian(np.zeros((3, 3)), -1.0), ValueError, "sigma"),
    (lambda: F.gaussian(np.zeros((3, 3)), (1.0, 2.0, 3.0)), ValueError, "sigma"),
    (lambda: F.gaussian(np.zeros((3, 3)), "2"), TypeError, "sigma"),
    (lambda: F.gaussian(np.zeros((3, 3)), 1.0, truncate=-1), ValueError, "truncate"),
    (lambda: F.laplacian(np.zeros((3, 3)), kind=6), ValueError, "kind"),
    (lambda: F.laplacian(np.zeros((3, 3, 3)), kind=8), ValueError, "kind"),
    (lambda: F.sobel(np.zeros((3, 3)), axis=2), ValueError, "axis"),
    (lambda: F.sobel(np.zeros((3, 3, 3)), axis=2, channel_axis=-1), ValueError, "axis"),
    (lambda: F.separable(np.zeros((3, 3)), [np.ones(3)]), ValueError, "kernels"),
    (lambda: F.separable(np.zeros((3, 3)), np.ones(3)), TypeError, "kernels"),
    (lambda: F.separable(np.zeros((3, 3)), [np.ones((2, 2)), None]), ValueError, "kernels[i]"),
    (lambda: F.unsharp_mask(np.zeros((3, 3)), amount="x"), TypeError, "amount"),
    (lambda: F.mean(np.zeros(3), 3, channel_axis=0), ValueError, "spatial axis"),
])
def test_errors_name_the_function_and_parameter(call, exc, words):
    with pytest.raises(exc, match=None) as info:
        call()
    assert words in str(info.value)
    assert str(info.value).split(":")[0] in {"convolve", "correlate", "mean", "gaussian", "laplacian", "sobel",
                                             "separable", "unsharp_mask"}


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.uint8, np.int16])
def test_gradient_magnitude_is_the_root_of_the_summed_squares(rng, dtype):
    # the 2-D magnitude comes from one fused pass (convolve.magnitude2): the roundings of numpy's square, add
    # and sqrt passes over the two derivatives, bit for bit; 3-D keeps the numpy passes
    x = (rng.random((41, 57)) * 200 - (60 if dtype == np.int16 else 0)).astype(dtype)
    for func in (F.sobel, F.prewitt):
        got = func(x)
        dx = func(x, axis=0).astype(got.dtype)
        dy = func(x, axis=1).astype(got.dtype)
        assert np.array_equal(got, np.sqrt(np.square(dx) + np.square(dy)))
        rgb = np.stack([x, x[::-1], x[:, ::-1]], axis=-1)
        colour = func(rgb, channel_axis=-1)
        assert np.array_equal(colour[..., 0], got) and np.array_equal(colour[..., 1], func(x[::-1]))
    vol = rng.random((6, 7, 8)).astype(np.float32)
    parts = [F.sobel(vol, axis=a) for a in range(3)]
    assert np.array_equal(F.sobel(vol), np.sqrt(np.square(parts[0]) + np.square(parts[1]) + np.square(parts[2])))
