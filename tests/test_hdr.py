"""Exposure fusion and pyramids: hand cases, OpenCV's pyrDown/pyrUp and MergeMertens, properties."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fastdip import data, hdr


def _exposures(image, gains=(0.25, 1.0, 4.0)):
    """uint8 exposures of a [0, 1] radiance image through the camera response clip(g x)^(1/2.2)."""
    x = image / 255.0
    return [np.rint(255 * np.clip(g * x, 0, 1) ** (1 / 2.2)).astype(np.uint8) for g in gains]


def test_pyramid_shapes_and_constant_levels():
    pyr = hdr.gaussian_pyramid(np.full((9, 6), 3, np.uint8))
    assert [p.shape for p in pyr] == [(9, 6), (5, 3), (3, 2)]
    assert all(p.dtype == np.float32 for p in pyr)
    for p in pyr:
        np.testing.assert_allclose(p, 3.0, atol=1e-6)
    lap = hdr.laplacian_pyramid(np.full((8, 8), 2.0), 3)
    np.testing.assert_allclose(lap[0], 0.0, atol=1e-12)
    np.testing.assert_allclose(lap[-1], 2.0, atol=1e-12)


def test_one_level_pyramid_is_the_image():
    img = np.arange(12.0).reshape(3, 4)
    np.testing.assert_array_equal(hdr.laplacian_pyramid(img, 1)[0], img)
    np.testing.assert_array_equal(hdr.collapse([img]), img)


def test_pyramids_equal_opencv_pyrdown_pyrup(camera):
    cv2 = pytest.importorskip("cv2")
    img = camera[:101, :77].astype(np.float32)
    ours = hdr.gaussian_pyramid(img, 5)
    theirs = [img]
    for _ in range(4):
        theirs.append(cv2.pyrDown(theirs[-1]))
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a, b, atol=1e-3)  # float32 rounding on a 0..255 scale
    lap = hdr.laplacian_pyramid(img, 5)
    for i in range(4):
        up = cv2.pyrUp(theirs[i + 1], dstsize=theirs[i].shape[::-1])
        np.testing.assert_allclose(lap[i], theirs[i] - up, atol=1e-3)


@settings(deadline=None, max_examples=20)
@given(rows=st.integers(1, 40), cols=st.integers(1, 40), seed=st.integers(0, 2**16), colour=st.booleans())
def test_collapse_inverts_laplacian_pyramid(rows, cols, seed, colour):
    rng = np.random.default_rng(seed)
    img = rng.random((rows, cols, 3) if colour else (rows, cols))
    axis = -1 if colour else None
    pyr = hdr.laplacian_pyramid(img, channel_axis=axis)
    np.testing.assert_allclose(hdr.collapse(pyr, channel_axis=axis), img, atol=1e-12)


def test_equal_weights_give_the_mean():
    rng = np.random.default_rng(0)
    ims = [rng.random((20, 24, 3)) for _ in range(3)]
    fused = hdr.exposure_fusion(ims, contrast=0, saturation=0, exposedness=0, channel_axis=-1)
    assert fused.dtype == np.float32 and fused.shape == (20, 24, 3)
    np.testing.assert_allclose(fused, np.mean(ims, axis=0), atol=1e-6)


def test_well_exposed_image_dominates():
    dark = np.full((16, 16), 0.05)
    good = np.full((16, 16), 0.5)
    fused = hdr.exposure_fusion([dark, good], contrast=0)
    w_dark = np.exp(-(0.45**2) / 0.08)
    expected = (0.05 * w_dark + 0.5) / (w_dark + 1)
    np.testing.assert_allclose(fused, expected, atol=1e-6)


@pytest.mark.parametrize("weights,mean_tol,max_tol", [
    ((0, 0, 1), 1e-6, 1e-6), ((1, 0, 0), 1e-5, 0.02), ((1, 1, 1), 2e-3, 0.2)])
def test_close_to_opencv_merge_mertens(weights, mean_tol, max_tol):
    cv2 = pytest.importorskip("cv2")
    ims = _exposures(data.astronaut()[::2, ::2])
    ours = hdr.exposure_fusion(ims, contrast=weights[0], saturation=weights[1], exposedness=weights[2],
                               channel_axis=-1)
    theirs = cv2.createMergeMertens(*weights).process(ims)
    diff = np.abs(ours - theirs)
    assert diff.mean() <= mean_tol and diff.max() <= max_tol, (diff.mean(), diff.max())


def test_grey_close_to_opencv(camera):
    cv2 = pytest.importorskip("cv2")
    ims = _exposures(camera[::2, ::2])
    diff = np.abs(hdr.exposure_fusion(ims) - cv2.createMergeMertens(1, 1, 1).process(ims))
    assert diff.mean() <= 5e-4 and diff.max() <= 0.05, (diff.mean(), diff.max())


def test_fusion_recovers_detail_lost_in_each_exposure(camera):
    ims = _exposures(camera[::2, ::2])
    fused = hdr.exposure_fusion(ims)
    # neither under- nor over-exposed: fewer clipped pixels than the bright exposure, brighter than the dark one
    assert np.mean(fused > 0.98) < np.mean(ims[2] == 255)
    assert fused.mean() > ims[0].mean() / 255.0
    assert -0.1 < fused.min() and fused.max() < 1.1


def test_channels_first_equals_channels_last():
    ims = _exposures(data.astronaut()[::4, ::4])
    last = hdr.exposure_fusion(ims, channel_axis=-1)
    first = hdr.exposure_fusion([np.moveaxis(i, -1, 0) for i in ims], channel_axis=0)
    np.testing.assert_allclose(np.moveaxis(first, 0, -1), last, atol=1e-6)


def test_errors_name_the_parameter():
    img = np.zeros((8, 8))
    with pytest.raises(TypeError, match="images"):
        hdr.exposure_fusion([img])
    with pytest.raises(ValueError, match="images\\[1\\]"):
        hdr.exposure_fusion([img, np.zeros((8, 9))])
    with pytest.raises(ValueError, match="sigma"):
        hdr.exposure_fusion([img, img], sigma=0)
    with pytest.raises(ValueError, match="contrast"):
        hdr.exposure_fusion([img, img], contrast=-1)
    with pytest.raises(ValueError, match="levels"):
        hdr.gaussian_pyramid(img, 5)
    with pytest.raises(ValueError, match="pyramid"):
        hdr.collapse([np.zeros((8, 8)), np.zeros((3, 3))])
    with pytest.raises(ValueError, match="image"):
        hdr.gaussian_pyramid(np.zeros((4, 4, 4)))


@settings(deadline=None, max_examples=40)
@given(rows=st.integers(1, 40), cols=st.integers(1, 40), seed=st.integers(0, 2**16), colour=st.booleans(),
       crop=st.tuples(st.booleans(), st.booleans()))
def test_reduce_and_expand_equal_their_definitions(rows, cols, seed, colour, crop):
    # pyrDown: the 5-tap binomial over the whole image ('mirror' = scipy's 'mirror'), then every other sample;
    # pyrUp: zeros inserted to twice the size, filtered with 4x the kernel, cropped. fastdip computes only the
    # kept samples from their live taps (geometry's table passes): the same values up to float64 rounding.
    from scipy import ndimage

    rng = np.random.default_rng(seed)
    img = rng.random((rows, cols, 3) if colour else (rows, cols))
    k = np.array([1.0, 4.0, 6.0, 4.0, 1.0]) / 16.0

    def smooth(x, w):
        return ndimage.correlate1d(ndimage.correlate1d(x, w, axis=0, mode="mirror"), w, axis=1, mode="mirror")

    np.testing.assert_allclose(hdr._reduce(img, colour), smooth(img, k)[::2, ::2], rtol=0, atol=1e-14)
    shape = (max(1, 2 * rows - crop[0]), max(1, 2 * cols - crop[1]))
    up = np.zeros((2 * rows, 2 * cols) + img.shape[2:])
    up[::2, ::2] = img
    np.testing.assert_allclose(hdr._expand(img, shape, colour), smooth(up, 2 * k)[: shape[0], : shape[1]],
                               rtol=0, atol=1e-14)
