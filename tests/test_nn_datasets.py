"""fastdip.nn data sets and preprocessing: the digits split (sizes, stratified, disjoint, seeded), the
synthetic cells (exact masks, touching cells, uneven background, noise, seeded), standardize fitted on train
only, local contrast normalisation against a scipy reference."""

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from scipy import ndimage

pytest.importorskip("sklearn")

from fastdip.nn import datasets, preprocess  # noqa: E402

# --- digits ------------------------------------------------------------------------------------------


def test_digits_split_sizes_ranges_and_dtypes():
    parts = datasets.digits(seed=0)
    sizes = [len(y) for _, y in parts]
    assert sum(sizes) == 1797 and sizes == [1078, 360, 359]
    for x, y in parts:
        assert x.dtype == np.float32 and x.shape[1:] == (1, 8, 8) and y.dtype == np.int64
        assert 0.0 <= x.min() and x.max() <= 1.0


def test_digits_parts_are_disjoint_stratified_and_seeded():
    from sklearn.datasets import load_digits

    parts = datasets.digits(seed=1)
    bunch = load_digits()

    def rows(images, labels):
        return sorted(np.round(im * 16).astype(np.uint8).tobytes() + bytes([int(t)]) for im, t in zip(images, labels))

    # the three parts together are the data set, each sample exactly once (a partition)
    together = [r for x, y in parts for r in rows(x[:, 0], y)]
    assert sorted(together) == rows(bunch.images / 16.0, bunch.target)
    counts = [np.bincount(y, minlength=10) / len(y) for _, y in parts]
    reference = np.bincount(load_digits().target, minlength=10) / 1797
    for c in counts:
        np.testing.assert_allclose(c, reference, atol=0.01)
    again = datasets.digits(seed=1)
    other = datasets.digits(seed=2)
    np.testing.assert_array_equal(again.train[0], parts.train[0])
    assert not np.array_equal(other.train[1], parts.train[1])


def test_digits_custom_split_and_errors():
    parts = datasets.digits(split=(0.8, 0.0, 0.2))
    assert len(parts.val[1]) == 0 and len(parts.train[1]) + len(parts.test[1]) == 1797
    for bad in [(0.5, 0.5), (0.5, 0.3, 0.3), (-0.1, 0.6, 0.5), (0, 0.5, 0.5)]:
        with pytest.raises(ValueError, match="split"):
            datasets.digits(split=bad)
    with pytest.raises(TypeError, match="split"):
        datasets.digits(split=None)


# --- synthetic cells ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def cells():
    return datasets.synthetic_cells(6, (96, 80), seed=3)


def test_cells_shapes_dtypes_and_seeding(cells):
    assert cells.images.shape == cells.masks.shape == cells.labels.shape == (6, 96, 80)
    assert cells.images.dtype == np.float32 and cells.masks.dtype == bool and cells.labels.dtype == np.int32
    np.testing.assert_array_equal(cells.masks, cells.labels > 0)
    again = datasets.synthetic_cells(6, (96, 80), seed=3)
    np.testing.assert_array_equal(again.images, cells.images)
    assert not np.array_equal(datasets.synthetic_cells(6, (96, 80), seed=4).masks, cells.masks)


def test_cells_masks_are_ellipses_that_are_bright_in_the_image(cells):
    for image, labels in zip(cells.images, cells.labels):
        inside, outside = image[labels > 0].mean(), image[labels == 0].mean()
        assert inside > outside + 0.3
        for lab in range(1, labels.max() + 1):
            region = labels == lab
            if region.sum() < 30:
                continue
            filled = ndimage.binary_fill_holes(region)
            assert filled.sum() - region.sum() <= 3  # convex-ish: no holes


def test_some_cells_touch(cells):
    touching = 0
    for labels in cells.labels:
        grown = ndimage.grey_dilation(labels, size=3)
        touching += np.count_nonzero((labels > 0) & (grown != labels) & (grown > 0))
    assert touching > 0


def test_background_is_uneven_and_noise_is_there(cells):
    image, mask = cells.images[0], cells.masks[0]
    bg = np.where(~ndimage.binary_dilation(mask, iterations=4), image, np.nan)
    smooth = ndimage.uniform_filter(np.nan_to_num(bg, nan=np.nanmean(bg)), 15)
    assert np.ptp(smooth[20:-20, 20:-20]) > 0.01  # a gradient / low-frequency field
    noise = np.nanstd(bg - smooth)
    assert noise > 0.01  # Poisson + Gaussian noise


def test_noise_free_cells_are_smooth():
    clean = datasets.synthetic_cells(1, (64, 64), seed=0, noise=0, photons=1e9, blur=0)
    noisy = datasets.synthetic_cells(1, (64, 64), seed=0)
    lap = lambda im: np.abs(ndimage.laplace(im.astype(np.float64))).mean()  # noqa: E731
    assert lap(clean.images[0]) < 0.5 * lap(noisy.images[0])


def test_cells_errors():
    with pytest.raises(ValueError, match="n"):
        datasets.synthetic_cells(0)
    with pytest.raises(ValueError, match="shape"):
        datasets.synthetic_cells(1, (4, 4))
    with pytest.raises(ValueError, match="radius"):
        datasets.synthetic_cells(1, radius=(5, 2))
    with pytest.raises(ValueError, match="photons"):
        datasets.synthetic_cells(1, photons=0)


# --- preprocessing -----------------------------------------------------------------------------------


def test_standardize_fits_on_train_only():
    rng = np.random.default_rng(0)
    train = rng.normal(5.0, 2.0, (200, 3))
    test = rng.normal(5.0, 2.0, (50, 3))
    s = preprocess.standardize(train)
    z = s.apply(train)
    assert z.dtype == np.float64 and s.apply(train.astype(np.float32)).dtype == np.float32
    assert abs(float(z.mean())) < 1e-5 and float(z.std()) == pytest.approx(1.0, abs=1e-5)
    np.testing.assert_allclose(s(test), (test - train.mean()) / train.std(), rtol=1e-5, atol=1e-5)
    per = preprocess.standardize(train, axis=0)
    assert per.mean.shape == (3,)
    np.testing.assert_allclose(per.apply(train).mean(0), 0, atol=1e-6)
    np.testing.assert_allclose(per.invert(per.apply(train.astype(np.float64))), train, atol=1e-12)


def test_standardize_constant_feature_is_centred_not_nan():
    s = preprocess.standardize(np.ones((4, 2)), axis=0)
    assert np.isfinite(s.apply(np.ones((4, 2)))).all()


def test_standardize_errors():
    with pytest.raises(ValueError, match="finite"):
        preprocess.standardize(np.array([1.0, np.nan]))
    with pytest.raises(ValueError, match="train"):
        preprocess.standardize(np.array([]))


def test_local_contrast_normalize_matches_scipy_reference():
    rng = np.random.default_rng(1)
    image = rng.random((40, 50)) * np.linspace(1, 10, 50)  # contrast grows to the right
    sigma, eps = 3.0, 0.01
    mean = ndimage.gaussian_filter(image, sigma, mode="reflect")
    centred = image - mean
    ref = centred / (np.sqrt(ndimage.gaussian_filter(centred**2, sigma, mode="reflect")) + eps)
    out = preprocess.local_contrast_normalize(image, sigma, eps=eps)
    assert out.dtype == np.float64
    np.testing.assert_allclose(out, ref, atol=1e-9)
    left, right = out[:, 5:15].std(), out[:, -15:-5].std()
    assert right == pytest.approx(left, rel=0.2)  # equalised contrast


@settings(deadline=None, max_examples=10)
@given(scale=st.floats(0.5, 100), offset=st.floats(-50, 50))
def test_local_contrast_normalize_is_affine_invariant(scale, offset):
    image = np.random.default_rng(2).random((24, 24))
    a = preprocess.local_contrast_normalize(image, 2.0, eps=0)
    b = preprocess.local_contrast_normalize(image * scale + offset, 2.0, eps=0)
    np.testing.assert_allclose(a, b, atol=1e-6)


def test_local_contrast_normalize_errors_and_dtype():
    assert preprocess.local_contrast_normalize(np.zeros((5, 5), np.uint8), 1.0).dtype == np.float32
    with pytest.raises(ValueError, match="sigma"):
        preprocess.local_contrast_normalize(np.zeros((5, 5)), 0)
    with pytest.raises(ValueError, match="image"):
        preprocess.local_contrast_normalize(np.zeros(5), 1.0)
