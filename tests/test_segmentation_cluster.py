"""k-means (against scikit-learn from the same seeding, and plain Lloyd) and mean shift (against a plain
vectorised twin, synthetic flat regions, astronaut)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fastdip import data
from fastdip.segmentation import kmeans, mean_shift
from tests import _naive_segmentation as naive


def _four_regions(rng, noise=8.0, shape=(64, 72)):
    colours = np.array([[200, 40, 40], [40, 180, 60], [50, 60, 200], [220, 220, 90]], np.float64)
    truth = np.zeros(shape, np.int64)
    truth[: shape[0] // 2, shape[1] // 2:] = 1
    truth[shape[0] // 2:, : shape[1] // 2] = 2
    truth[shape[0] // 2:, shape[1] // 2:] = 3
    img = colours[truth] + rng.normal(0, noise, shape + (3,))
    return np.clip(np.rint(img), 0, 255).astype(np.uint8), truth


def _same_partition(a, b):
    """True when label images a and b define the same partition (up to renaming)."""
    pairs = np.unique(np.stack([a.ravel(), b.ravel()]), axis=1)
    return len(np.unique(pairs[0])) == pairs.shape[1] == len(np.unique(pairs[1]))


# -- k-means ---------------------------------------------------------------------------------------------------


def test_kmeans_hand_worked():
    img = np.array([[0, 1, 100], [2, 101, 99]], dtype=np.uint8)
    res = kmeans(img, 2, rng=0)
    assert res.labels.dtype == np.int32 and res.labels.shape == (2, 3)
    np.testing.assert_array_equal(np.sort(res.centers.ravel()), [1.0, 100.0])
    assert _same_partition(res.labels, np.array([[0, 0, 1], [0, 1, 1]]))
    assert res.inertia == pytest.approx(4.0)


def test_kmeans_is_deterministic_with_rng():
    img = data.astronaut()[::8, ::8]
    a = kmeans(img, 5, rng=3, channel_axis=-1)
    b = kmeans(img, 5, rng=np.random.default_rng(3), channel_axis=-1)
    np.testing.assert_array_equal(a.labels, b.labels)
    np.testing.assert_array_equal(a.centers, b.centers)


def test_kmeans_equals_sklearn_from_the_same_seeding():
    from sklearn.cluster import KMeans

    from fastdip.segmentation._cluster import _kmeans_plus_plus

    img = data.astronaut()[::4, ::4]
    x = img.reshape(-1, 3).astype(np.float64)
    ours = kmeans(img, 6, rng=11, channel_axis=-1)
    init = _kmeans_plus_plus(x, 6, np.random.default_rng(11))  # the seeding kmeans drew with rng=11
    theirs = KMeans(6, init=init, n_init=1, max_iter=100, tol=1e-4).fit(x)
    np.testing.assert_allclose(ours.centers, theirs.cluster_centers_, atol=1e-6)
    np.testing.assert_array_equal(ours.labels.ravel(), theirs.labels_)
    assert ours.inertia == pytest.approx(theirs.inertia_, rel=1e-9)


def test_kmeans_well_separated_grey_matches_sklearn_inertia():
    from sklearn.cluster import KMeans

    rng = np.random.default_rng(0)
    img = np.concatenate([rng.normal(m, 3, 400) for m in (20, 90, 160, 230)]).reshape(40, 40)
    ours = kmeans(img, 4, rng=0, n_init=3)
    theirs = KMeans(4, n_init=3, random_state=0).fit(img.reshape(-1, 1))
    assert ours.inertia == pytest.approx(theirs.inertia_, rel=1e-9)
    np.testing.assert_allclose(np.sort(ours.centers.ravel()), np.sort(theirs.cluster_centers_.ravel()), atol=1e-6)


@settings(deadline=None, max_examples=25)  # 60 vectors, numpy Lloyd: ~5 ms an example
@given(seed=st.integers(0, 2**16), k=st.integers(1, 5), channels=st.sampled_from([1, 3]))
def test_kmeans_equals_plain_lloyd(seed, k, channels):
    from fastdip.segmentation._cluster import _kmeans_plus_plus

    rng = np.random.default_rng(seed)
    img = rng.integers(0, 50, (6, 10, channels)).astype(np.float64)
    x = img.reshape(-1, channels)
    res = kmeans(img, k, rng=seed, tol=0.0, max_iter=300, channel_axis=-1)
    init = _kmeans_plus_plus(x, k, np.random.default_rng(seed))
    labels, centers = naive.lloyd(x, init, 300)
    np.testing.assert_allclose(res.centers, centers, atol=1e-9)
    np.testing.assert_array_equal(res.labels.ravel(), labels)
    # the labels are each vector's nearest centre
    d = ((x[:, None, :] - res.centers[None]) ** 2).sum(-1)
    np.testing.assert_allclose(d[np.arange(len(x)), res.labels.ravel()], d.min(axis=1))


def test_kmeans_constant_image_and_errors():
    res = kmeans(np.full((4, 4), 7.0), 2, rng=0)
    assert np.all(res.centers == 7.0) and res.inertia == 0.0
    with pytest.raises(ValueError, match="k"):
        kmeans(np.zeros((2, 2)), 5)
    with pytest.raises(ValueError, match="k"):
        kmeans(np.zeros((2, 2)), 0)
    with pytest.raises(TypeError, match="rng"):
        kmeans(np.zeros((2, 2)), 1, rng="seed")
    with pytest.raises(ValueError, match="finite"):
        kmeans(np.array([[np.nan, 1.0]]), 1)


# -- mean shift ----------------------------------------------------------------------------------------------------


def test_mean_shift_hand_worked():
    img = np.array([[10, 12, 200, 202], [11, 10, 201, 199]], dtype=np.uint8)
    res = mean_shift(img, spatial_radius=2, range_radius=20, min_size=1)
    np.testing.assert_array_equal(res.labels, [[1, 1, 2, 2], [1, 1, 2, 2]])
    assert res.filtered.dtype == np.float32 and res.n_regions == 2


@settings(deadline=None, max_examples=15)  # 9x11 images, per-pixel numpy twin: ~50 ms an example
@given(seed=st.integers(0, 2**16), hs=st.floats(1.0, 4.0), hr=st.floats(5.0, 60.0), colour=st.booleans())
def test_mean_shift_filter_equals_plain_twin(seed, hs, hr, colour):
    rng = np.random.default_rng(seed)
    img = rng.integers(0, 120, (9, 11, 3) if colour else (9, 11)).astype(np.float64)
    res = mean_shift(img, spatial_radius=hs, range_radius=hr, min_size=1, channel_axis=-1 if colour else None)
    values, _ = naive.mean_shift_modes(img, hs, hr, 100, 1e-3)
    np.testing.assert_allclose(res.filtered, values if colour else values[..., 0], atol=1e-9)


def test_mean_shift_recovers_four_flat_regions():
    rng = np.random.default_rng(0)
    img, truth = _four_regions(rng)
    for space, hr in (("rgb", 40.0), ("luv", 25.0)):
        res = mean_shift(img, spatial_radius=5, range_radius=hr, min_size=30, channel_axis=-1, color_space=space)
        assert res.n_regions == 4, space
        assert _same_partition(res.labels, truth), space
        assert res.filtered.shape == img.shape


def test_mean_shift_grey_and_merging():
    rng = np.random.default_rng(1)
    truth = np.zeros((40, 40), np.int64)
    truth[:, 20:] = 1
    img = np.where(truth == 1, 180.0, 60.0) + rng.normal(0, 6, truth.shape)
    res = mean_shift(img, spatial_radius=4, range_radius=25, min_size=20)
    assert res.n_regions == 2 and _same_partition(res.labels, truth)
    unmerged = mean_shift(img, spatial_radius=4, range_radius=25, min_size=1)
    assert unmerged.n_regions >= res.n_regions
    sizes = np.bincount(res.labels.ravel())[1:]
    assert sizes.min() >= 20


def test_mean_shift_astronaut_gives_a_sensible_number_of_regions():
    img = data.astronaut()[::4, ::4]
    res = mean_shift(img, spatial_radius=6, range_radius=7, min_size=40, channel_axis=-1, color_space="luv")
    assert 10 <= res.n_regions <= 150, res.n_regions
    assert np.bincount(res.labels.ravel())[1:].min() >= 40
    assert np.abs(res.filtered - img).mean() < 20  # filtering flattens, it does not change colours wholesale


def test_mean_shift_errors():
    img = np.zeros((5, 5), np.uint8)
    with pytest.raises(ValueError, match="spatial_radius"):
        mean_shift(img, spatial_radius=0, range_radius=1)
    with pytest.raises(ValueError, match="color_space"):
        mean_shift(img, spatial_radius=1, range_radius=1, color_space="luv")
    with pytest.raises(ValueError, match="color_space"):
        mean_shift(img, spatial_radius=1, range_radius=1, color_space="hsv")
    with pytest.raises(ValueError, match="image"):
        mean_shift(np.zeros((3, 3, 3)), spatial_radius=1, range_radius=1)
