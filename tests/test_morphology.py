"""fastdip.morphology: hand cases, scipy / OpenCV / skimage / naive references, properties, pathologies."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
import scipy.ndimage as ndi
import skimage.morphology as skm
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from fastdip import morphology as M
from fastdip import threads as fastdip_threads
from tests import _naive_morphology as naive

MODES = ("reflect", "mirror", "nearest", "wrap", "constant")

# ------------------------------------------------------------------------------------------- hand cases


def test_binary_erosion_by_cross_by_hand():
    image = np.zeros((5, 5), bool)
    image[1:4, 1:4] = True
    expected = np.zeros((5, 5), bool)
    expected[2, 2] = True
    out = M.erode(image, M.cross(1))
    assert out.dtype == bool and np.array_equal(out, expected)


def test_binary_dilation_by_cross_by_hand():
    image = np.zeros((5, 5), bool)
    image[2, 2] = True
    assert np.array_equal(M.dilate(image, M.cross(1)), np.pad(M.cross(1), 1))


def test_asymmetric_footprint_conventions_by_hand():
    # footprint [1 1 0], origin index 1: offsets b in {-1, 0}
    fp = np.array([[1, 1, 0]], bool)
    f = np.array([[0, 0, 0, 9, 0, 0, 0]], np.uint8)
    # dilation: max over x - b = {x + 1, x}
    assert M.dilate(f, fp).tolist() == [[0, 0, 9, 9, 0, 0, 0]]
    # erosion: min over x + b = {x - 1, x}
    g = np.array([[5, 5, 5, 1, 5, 5, 5]], np.uint8)
    assert M.erode(g, fp).tolist() == [[5, 5, 5, 1, 1, 5, 5]]


def test_even_rectangle_origin_by_hand():
    f = np.array([0, 0, 7, 0, 0], np.uint8)
    # size 2: origin index 1, offsets {-1, 0}; dilation reads x and x + 1, erosion x - 1 and x
    assert M.dilate(f, size=2).tolist() == [0, 7, 7, 0, 0]
    assert M.erode(255 - f, size=2).tolist() == [255, 255, 248, 248, 255]


def test_border_modes_by_hand():
    f = np.array([3, 1, 4, 1, 5], np.uint8)
    fp = np.array([1, 1, 1, 1, 1], bool)
    assert M.erode(f, fp, mode="nearest").tolist() == [1, 1, 1, 1, 1]
    assert M.dilate(f, fp, mode="constant", cval=9).tolist() == [9, 9, 5, 9, 9]
    assert M.dilate(f, size=3, mode="wrap").tolist() == [5, 4, 4, 5, 5]
    assert M.erode(f, size=3, mode="constant", cval=0).tolist() == [0, 1, 1, 1, 0]


def test_open_close_gradient_tophat_by_hand():
    f = np.array([[2, 2, 9, 2, 2, 0, 0, 2]], np.uint8)
    assert M.open(f, size=(1, 3)).tolist() == [[2, 2, 2, 2, 2, 0, 0, 0]]
    assert M.close(f, size=(1, 3)).tolist() == [[2, 2, 9, 2, 2, 2, 2, 2]]
    assert M.tophat(f, size=(1, 3)).tolist() == [[0, 0, 7, 0, 0, 0, 0, 2]]
    assert M.blackhat(np.array([[7, 7, 1, 7, 7]], np.uint8), size=(1, 3)).tolist() == [[0, 0, 6, 0, 0]]
    assert M.gradient(np.array([[0, 0, 5, 5, 5]], np.uint8), size=(1, 3)).tolist() == [[0, 5, 5, 0, 0]]


def test_binary_gradient_is_boundary_band():
    image = np.zeros((7, 7), bool)
    image[2:5, 2:5] = True
    g = M.gradient(image, M.cross(1))
    assert g.dtype == bool
    assert np.array_equal(g, M.dilate(image, M.cross(1)) & ~M.erode(image, M.cross(1)))


def test_iterations_equal_repeated_calls():
    rng = np.random.default_rng(0)
    f = rng.integers(0, 256, (30, 40), dtype=np.uint8)
    assert np.array_equal(M.erode(f, M.disk(1), iterations=3), M.erode(M.erode(M.erode(f, M.disk(1)), M.disk(1)),
                                                                         M.disk(1)))
    assert np.array_equal(M.open(f, iterations=2), M.dilate(M.dilate(M.erode(M.erode(f)))))


# ------------------------------------------------------------------------------------------- footprints


@pytest.mark.parametrize("r", [0, 1, 2, 5, 9])
def test_disk_diamond_equal_skimage(r):
    assert np.array_equal(M.disk(r), skm.disk(r).astype(bool))
    assert np.array_equal(M.diamond(r), skm.diamond(r).astype(bool))


@pytest.mark.parametrize("r", [0, 1, 3])
def test_ball_equals_skimage(r):
    assert np.array_equal(M.ball(r), skm.ball(r).astype(bool))


def test_rectangles_and_cross():
    assert np.array_equal(M.square(3), skm.footprint_rectangle((3, 3)).astype(bool))
    assert np.array_equal(M.rectangle(2, 5), skm.footprint_rectangle((2, 5)).astype(bool))
    assert np.array_equal(M.cube(2), skm.footprint_rectangle((2, 2, 2)).astype(bool))
    assert np.array_equal(M.cross(1), ndi.generate_binary_structure(2, 1))
    assert M.cross(3).sum() == 13 and M.disk(0).tolist() == [[True]]


# --------------------------------------------------------------------------------------------- references


def _footprints(rng, ndim):
    yield np.ones((3,) * ndim, bool)
    yield np.ones((5, 2, 4)[-ndim:], bool)
    yield M.disk(3) if ndim == 2 else (M.ball(2) if ndim == 3 else np.ones(7, bool))
    fp = rng.random((3, 5, 4)[-ndim:]) < 0.5
    fp.flat[0] = True
    yield fp


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.int8, np.int16, np.int32, np.float16, np.float32,
                                   np.float64, np.int64])
@pytest.mark.parametrize("shape", [(23,), (37, 41), (9, 11, 13)])
def test_matches_scipy_grey_all_modes(dtype, shape):
    rng = np.random.default_rng(1)
    info = np.iinfo(dtype) if np.dtype(dtype).kind in "iu" else None
    if info is not None:
        image = rng.integers(max(info.min, -1000), min(info.max, 1000), shape).astype(dtype)
    else:
        image = (rng.standard_normal(shape) * 50).astype(dtype)
    ref = image.astype(np.float32) if image.dtype == np.float16 else image  # scipy has no float16
    for fp in _footprints(rng, len(shape)):
        for mode in MODES:
            e = M.erode(image, fp, mode=mode, cval=7)
            d = M.dilate(image, fp, mode=mode, cval=7)
            assert e.dtype == image.dtype and d.dtype == image.dtype
            assert np.array_equal(e, ndi.grey_erosion(ref, footprint=fp, mode=mode, cval=7)), (fp, mode)
            assert np.array_equal(d, ndi.grey_dilation(ref, footprint=fp, mode=mode, cval=7)), (fp, mode)


def test_matches_naive_definitions():
    rng = np.random.default_rng(2)
    image = rng.integers(0, 256, (19, 23), dtype=np.uint8)
    fp = rng.random((4, 5)) < 0.5
    fp[0, 0] = True
    for mode in MODES:
        assert np.array_equal(M.erode(image, fp, mode=mode, cval=3), naive.extreme(image, fp, False, mode, 3))
        assert np.array_equal(M.dilate(image, fp, mode=mode, cval=3), naive.extreme(image, fp, True, mode, 3))


@pytest.mark.parametrize("fp", [np.ones((3, 3), bool), np.ones((15, 15), bool), M.disk(5), M.cross(2)])
def test_matches_opencv_on_camera(camera, fp):
    k = fp.astype(np.uint8)
    assert np.array_equal(M.erode(camera, fp), cv2.erode(camera, k, borderType=cv2.BORDER_REPLICATE))
    # cv2.dilate is max over x + b: the flipped footprint gives the textbook dilation
    assert np.array_equal(M.dilate(camera, fp), cv2.dilate(camera, np.ascontiguousarray(k[::-1, ::-1]),
                                                            borderType=cv2.BORDER_REPLICATE))
    assert np.array_equal(M.open(camera, fp), cv2.morphologyEx(camera, cv2.MORPH_OPEN, k,
                                                               borderType=cv2.BORDER_REPLICATE))


def test_asymmetric_footprint_against_opencv_and_scipy():
    rng = np.random.default_rng(3)
    image = rng.integers(0, 256, (40, 50), dtype=np.uint8)
    fp = np.array([[1, 0, 0], [1, 1, 0], [0, 0, 1]], bool)
    k = fp.astype(np.uint8)
    assert np.array_equal(M.erode(image, fp), cv2.erode(image, k, borderType=cv2.BORDER_REPLICATE))
    assert np.array_equal(M.dilate(image, fp), cv2.dilate(image, np.ascontiguousarray(k[::-1, ::-1]),
                                                          borderType=cv2.BORDER_REPLICATE))
    assert not np.array_equal(M.dilate(image, fp), cv2.dilate(image, k, borderType=cv2.BORDER_REPLICATE))


@pytest.mark.parametrize("fp", [M.disk(2), np.ones((3, 3), bool), np.array([[0, 1, 1], [0, 1, 0], [0, 0, 0]], bool)])
def test_binary_matches_scipy_with_constant_border(fp):
    rng = np.random.default_rng(4)
    image = rng.random((40, 37)) < 0.6
    assert np.array_equal(M.erode(image, fp, mode="constant", cval=0), ndi.binary_erosion(image, fp))
    assert np.array_equal(M.dilate(image, fp, mode="constant", cval=0), ndi.binary_dilation(image, fp))
    assert np.array_equal(M.open(image, fp, mode="constant"), ndi.binary_opening(image, fp))
    assert np.array_equal(M.close(image, fp, mode="constant"), ndi.binary_closing(image, fp))


def test_binary_default_border_ignores_the_outside():
    # 'nearest' with a symmetric convex footprint = outside True for erosion, False for dilation (skimage's
    # binary erosion/dilation borders)
    rng = np.random.default_rng(5)
    image = rng.random((40, 37)) < 0.7
    fp = M.disk(2)
    assert np.array_equal(M.erode(image, fp), ndi.binary_erosion(image, fp, border_value=1))
    assert np.array_equal(M.dilate(image, fp), ndi.binary_dilation(image, fp, border_value=0))
    assert np.array_equal(M.erode(image, fp), skm.erosion(image, fp))


def test_binary_3d_matches_scipy():
    rng = np.random.default_rng(6)
    vol = rng.random((12, 14, 15)) < 0.6
    fp = M.ball(1)
    assert np.array_equal(M.erode(vol, fp, mode="constant"), ndi.binary_erosion(vol, fp))
    assert np.array_equal(M.dilate(vol, M.cube(3), mode="constant"), ndi.binary_dilation(vol, M.cube(3)))


def test_tophat_blackhat_match_scipy():
    rng = np.random.default_rng(7)
    image = rng.integers(0, 200, (30, 33)).astype(np.int16)
    fp = M.disk(2)
    assert np.array_equal(M.tophat(image, fp, mode="reflect"), ndi.white_tophat(image, footprint=fp))
    assert np.array_equal(M.blackhat(image, fp, mode="reflect"), ndi.black_tophat(image, footprint=fp))
    assert np.array_equal(M.gradient(image, fp, mode="reflect"), ndi.morphological_gradient(image, footprint=fp))


_STRIPED_CASES = [  # (dtype, footprint, steps of scipy): every path of _extreme inside a stripe
    (np.uint8, np.ones((3, 3), bool)), (np.float32, M.disk(2)), (bool, M.disk(1)),
    (np.uint16, np.array([[1, 1, 0, 0], [0, 1, 1, 1]], bool)), (np.float64, M.disk(3)),
]


@pytest.mark.parametrize("mode", ["reflect", "mirror", "nearest", "constant", "wrap"])
@pytest.mark.parametrize("parallel", [False, True])
@pytest.mark.parametrize(("dtype", "fp"), _STRIPED_CASES)
def test_several_steps_in_stripes_match_scipy(monkeypatch, mode, parallel, dtype, fp):
    """open / close / top-hats / iterations over a large plane run in stripes of rows (_apply): with the size
    limits lowered, a small image takes that path (stripes of 16 x the rows the steps reach, each computing
    reach rows again above and below) and gives scipy's values in every mode, with the stripes on one thread
    or shared among threads; 'wrap' (not striped) too. A spy checks that the stripes ran."""
    monkeypatch.setattr(M, "_STRIPED_MIN_BYTES", 0)
    monkeypatch.setattr(M, "_STRIPE_BYTES", 1)
    if parallel:
        monkeypatch.setattr(M, "_PARALLEL_MIN_PIXELS", 0)
    calls = []
    real = M._extreme
    monkeypatch.setattr(M, "_extreme", lambda work, *a: calls.append(work.shape[1]) or real(work, *a))
    rng = np.random.default_rng(21)
    image = rng.integers(0, 200, (401, 23))  # at least two stripes for every footprint here
    image = (image > 100) if dtype is bool else image.astype(dtype)
    cval = 0 if dtype is bool else 7
    kw = {"mode": mode, "cval": cval}
    if dtype is bool:
        ref_open = ndi.grey_opening(image.view(np.uint8), footprint=fp, **kw).astype(bool)
        ref_close = ndi.grey_closing(image.view(np.uint8), footprint=fp, **kw).astype(bool)
    else:
        ref_open = ndi.grey_opening(image, footprint=fp, **kw)
        ref_close = ndi.grey_closing(image, footprint=fp, **kw)
    with fastdip_threads(2 if parallel else 1):
        assert np.array_equal(M.open(image, fp, **kw), ref_open)
        opened = list(calls)
        assert np.array_equal(M.close(image, fp, **kw), ref_close)
        twice = M.erode(M.erode(image, fp, **kw), fp, **kw)
        assert np.array_equal(M.erode(image, fp, iterations=2, **kw), twice)
        if dtype is not bool:
            # image - opening, unsigned differences saturating at 0 ('constant' borders can lift the opening)
            want = image - np.minimum(image, ref_open) if image.dtype.kind == "u" else image - ref_open
            assert np.array_equal(M.tophat(image, fp, **kw), want)
    if mode == "wrap":
        assert opened == [image.shape[0]] * 2
    else:
        assert len(opened) > 2 and max(opened) < image.shape[0]


@pytest.mark.parametrize("where", [(0, 0), (40, 36), (17, 5)])
def test_nan_anywhere_is_refused_by_every_path(monkeypatch, where):
    """A NaN in the first, last or a middle row is refused whichever path the footprint takes (rectangles
    short and tall, taps, blocks of runs, the ring, a 3-D footprint, stripes of several steps), naming the
    function; an image with inf (and no NaN) is accepted."""
    image = np.random.default_rng(31).random((41, 37)).astype(np.float32)
    image[3, 3] = np.inf
    bad = image.copy()
    bad[where] = np.nan
    footprints = [np.ones((3, 3), bool), np.ones((15, 3), bool), np.ones((31, 1), bool), M.disk(1), M.disk(3),
                  M.disk(12)]
    for fp in footprints:
        assert np.isfinite(M.erode(image, fp)).sum() >= 0  # accepted (inf is not NaN)
        for func in (M.erode, M.dilate, M.open, M.close, M.tophat, M.gradient):
            with pytest.raises(ValueError, match=f"{func.__name__}.*without NaN"):
                func(bad, fp)
    with pytest.raises(ValueError, match="erode.*without NaN"):
        M.erode(np.stack([image, bad]), M.ball(1))
    monkeypatch.setattr(M, "_STRIPED_MIN_BYTES", 0)
    monkeypatch.setattr(M, "_STRIPE_BYTES", 1)
    tall = np.concatenate([image] * 4)
    tall_bad = tall.copy()
    tall_bad[40 * 3 + where[0], where[1]] = np.nan
    M.open(tall, M.disk(1))
    with pytest.raises(ValueError, match="open.*without NaN"):
        M.open(tall_bad, M.disk(1))


# --------------------------------------------------------------------------------------------- properties

_images = st.integers(0, 2**32 - 1).map(lambda s: np.random.default_rng(s).integers(0, 256, (17, 19), dtype=np.uint8))
_fps = st.integers(0, 2**32 - 1).map(
    lambda s: (lambda fp: (fp.__setitem__((1, 1), True), fp)[1])(np.random.default_rng(s).random((3, 3)) < 0.5))


@settings(deadline=None, max_examples=25)
@given(_images, _fps)
def test_erosion_below_image_below_dilation(image, fp):
    assert np.all(M.erode(image, fp) <= image)
    assert np.all(image <= M.dilate(image, fp))


@settings(deadline=None, max_examples=25)
@given(_images, _fps)
def test_opening_closing_idempotent_and_ordered(image, fp):
    # on a torus ('wrap') erosion and dilation are exact adjoints for any footprint; other borders break the
    # adjunction near the edge for asymmetric footprints
    o = M.open(image, fp, mode="wrap")
    c = M.close(image, fp, mode="wrap")
    assert np.all(o <= image) and np.all(image <= c)
    assert np.array_equal(M.open(o, fp, mode="wrap"), o)
    assert np.array_equal(M.close(c, fp, mode="wrap"), c)


@settings(deadline=None, max_examples=25)
@given(_images, st.sampled_from([M.disk(1), M.disk(2), M.square(3), M.cross(1), M.rectangle(3, 5)]))
def test_opening_closing_properties_default_border(image, fp):
    o = M.open(image, fp)
    c = M.close(image, fp)
    assert np.all(o <= image) and np.all(image <= c)
    assert np.array_equal(M.open(o, fp), o)
    assert np.array_equal(M.close(c, fp), c)


@settings(deadline=None, max_examples=25)
@given(_images, _fps, st.sampled_from(MODES))
def test_duality(image, fp, mode):
    # dilate(f, B) = -erode(-f, reflected B): on uint8, 255 - x is the order-reversing map
    reflected = fp[::-1, ::-1]
    d = M.dilate(image, fp, mode=mode, cval=10)
    e = M.erode(255 - image, reflected, mode=mode, cval=245)
    assert np.array_equal(d, 255 - e)


@settings(deadline=None, max_examples=25)
@given(st.integers(0, 2**32 - 1), st.integers(1, 9), st.integers(1, 9))
def test_rectangle_is_separable(seed, rows, cols):
    image = np.random.default_rng(seed).integers(0, 256, (20, 21), dtype=np.uint8)
    both = M.erode(image, size=(rows, cols))
    assert np.array_equal(both, M.erode(M.erode(image, size=(rows, 1)), size=(1, cols)))
    # a False column on each side keeps the origin but sends the rectangle through the row-run path
    general = M.erode(image, np.pad(np.ones((rows, cols), bool), ((0, 0), (1, 1))))
    assert np.array_equal(both, general)


# ------------------------------------------------------------------------------------------- pathologies


def test_constant_one_pixel_and_large_footprint():
    f = np.full((4, 5), 7, np.uint8)
    assert np.array_equal(M.erode(f, M.disk(6)), f)
    one = np.array([[3.5]], np.float32)
    assert M.dilate(one, size=5).tolist() == [[3.5]]
    assert M.erode(np.array([True]), size=3).tolist() == [True]
    assert M.erode(np.array([True]), size=3, mode="constant").tolist() == [False]


def test_inf_and_input_not_modified():
    f = np.array([[1.0, np.inf, -np.inf, 2.0]])
    f.setflags(write=False)
    assert M.dilate(f, size=(1, 3)).tolist() == [[np.inf, np.inf, np.inf, 2.0]]
    assert M.erode(f, size=(1, 3)).tolist() == [[1.0, -np.inf, -np.inf, -np.inf]]


def test_fortran_order_and_views():
    rng = np.random.default_rng(8)
    f = np.asfortranarray(rng.integers(0, 256, (20, 30), dtype=np.uint8))
    assert np.array_equal(M.erode(f[::2, 1::3], size=3), ndi.grey_erosion(f[::2, 1::3], size=3, mode="nearest"))


def test_errors():
    f = np.zeros((5, 5), np.uint8)
    with pytest.raises(ValueError, match="mode"):
        M.erode(f, mode="edge")
    with pytest.raises(ValueError, match="size"):
        M.erode(f, np.ones((3, 3), bool), size=3)
    with pytest.raises(ValueError, match="footprint"):
        M.erode(f, np.zeros((3, 3), bool))
    with pytest.raises(ValueError, match="footprint"):
        M.erode(f, np.ones((3, 3, 3), bool))
    with pytest.raises(ValueError, match="cval"):
        M.erode(f, mode="constant", cval=300)
    with pytest.raises(ValueError, match="cval"):
        M.erode(f.astype(bool), mode="constant", cval=2)
    with pytest.raises(ValueError, match="NaN"):
        M.dilate(np.array([[np.nan, 1.0]]))
    with pytest.raises(ValueError, match="iterations"):
        M.open(f, iterations=0)
    with pytest.raises(TypeError, match="image"):
        M.erode("image")
    with pytest.raises(ValueError, match="image"):
        M.erode(np.zeros((2, 2, 2, 2)))
    with pytest.raises(TypeError, match="2\\*\\*53"):
        M.erode(np.array([[2**60, 1]], np.int64))
    with pytest.raises(ValueError, match="radius"):
        M.disk(-1)
    with pytest.raises(TypeError, match="radius"):
        M.disk(1.5)
    with pytest.raises(ValueError, match="cols"):
        M.rectangle(2, 0)


@settings(max_examples=30, deadline=None)
@given(st.sampled_from([np.uint8, np.uint16, np.float32]), st.sampled_from([None, (3, 3), (3, 5), (1, 1), (5, 1)]),
       st.sampled_from(list(M._modes.CODES)), st.sampled_from(["erode", "dilate", "open", "close"]),
       st.integers(1, 17), st.integers(1, 17), st.booleans(), st.data())
def test_shortcut_for_plain_calls_equals_the_general_path_and_scipy(dtype, shape, mode, op, h, w, readonly_in, data):
    """_run's shortcut (plain 2-D uint8/uint16/float32, an odd full rectangle or the default, cval 0, one
    iteration) gives what the general path (the same rectangle given as ``size``) and scipy give; the input is
    untouched."""
    import scipy.ndimage as ndi

    if dtype == np.float32:
        elements = st.floats(allow_nan=False, width=32)  # infinities included
    else:
        elements = st.integers(0, int(np.iinfo(dtype).max))
    image = data.draw(arrays(dtype, (h, w), elements=elements))
    if readonly_in:
        image.setflags(write=False)
    before = image.copy()
    fp = None if shape is None else np.ones(shape, bool)
    fast = getattr(M, op)(image, fp, mode=mode)
    general = getattr(M, op)(image, size=(3, 3) if shape is None else shape, mode=mode)
    np.testing.assert_array_equal(fast, general)
    np.testing.assert_array_equal(image, before)
    size = (3, 3) if shape is None else shape
    ref = {"erode": ndi.grey_erosion, "dilate": ndi.grey_dilation, "open": ndi.grey_opening,
           "close": ndi.grey_closing}[op](image, size=size, mode=mode, cval=0)
    if mode != "reflect" or min(h, w) > max(size):  # (scipy's 'reflect' reads outside tiny images)
        np.testing.assert_array_equal(fast, ref)


@pytest.mark.parametrize("op", ["erode", "dilate", "open", "close"])
@pytest.mark.parametrize("where", [(0, 0), (7, 12), (19, 30)])
def test_shortcut_refuses_nan_in_float32(op, where):
    # the float32 shortcut refuses NaN anywhere, as the general path does (rows checked by the kernels, then
    # the exact test); big-endian float32 takes the general path and refuses it too
    image = np.ones((20, 31), np.float32)
    image[where] = np.nan
    for arr in (image, image.astype(">f4"), image[:, ::-1]):
        with pytest.raises(ValueError, match="without NaN"):
            getattr(M, op)(arr, np.ones((3, 3), bool))
