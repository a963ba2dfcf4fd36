"""fastdip.learn.cluster and DensityPeaks: hand-worked density peaks, equality with the brute-force O(n²)
reference of tests/_naive_learn.py (ρ, δ, centres, labels, links, halo), recovery of blobs of different
densities and sizes, scale (10⁵ points, the pixels of a 512² image), cluster() against scikit-learn called
directly, and the errors."""

from __future__ import annotations

import time

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from sklearn.metrics import adjusted_rand_score

import fastdip
from fastdip.learn import DensityPeaks, cluster
from fastdip.learn import _density

from tests import _naive_learn as naive

#: four Gaussian blobs (centre, sigma, points): dense and small, wide and large, close enough to touch
BLOBS = [((0.0, 0.0), 1.0, 2000), ((5.0, 0.5), 0.3, 500), ((1.5, 6.0), 1.5, 1500), ((6.0, 5.0), 0.4, 200)]


def _blobs(seed):
    rng = np.random.default_rng(seed)
    x = np.concatenate([rng.normal(c, s, (n, 2)) for c, s, n in BLOBS])
    y = np.repeat(np.arange(len(BLOBS)), [n for *_, n in BLOBS])
    return x, y


def _assert_equal_to_naive(x, **kw):
    dp = DensityPeaks(**kw).fit(x)
    ref = naive.density_peaks(x, **kw)
    assert dp.dc_ == ref["dc"]
    np.testing.assert_array_equal(dp.rho_, ref["rho"])
    np.testing.assert_array_equal(dp.delta_, ref["delta"])
    np.testing.assert_array_equal(dp.centers_, ref["centers"])
    np.testing.assert_array_equal(dp.labels_, ref["labels"])
    np.testing.assert_array_equal(dp.nearest_denser_, ref["parent"])
    np.testing.assert_array_equal(dp.halo_, ref["halo"])
    if kw.get("halo"):
        np.testing.assert_array_equal(dp.border_density_, ref["border"])
    return dp


# -- hand-worked cases -------------------------------------------------------------------------------------------


def test_hand_worked_five_points_on_a_line():
    # dc = 1.5, cutoff: neighbours 0-1, 1-2, 3-4; rho = 1 2 1 1 1; density order 1, 0, 2, 3, 4 (ties by index)
    x = np.array([0.0, 1.0, 2.0, 10.0, 11.0])
    dp = DensityPeaks(1.5, 2, kernel="cutoff").fit(x)
    np.testing.assert_array_equal(dp.rho_, [1, 2, 1, 1, 1])
    np.testing.assert_array_equal(dp.delta_, [1, 10, 1, 8, 1])  # the densest takes its farthest distance
    np.testing.assert_array_equal(dp.nearest_denser_, [1, -1, 1, 2, 3])
    np.testing.assert_array_equal(dp.centers_, [1, 3])  # gamma = 1 20 1 8 1
    np.testing.assert_array_equal(dp.labels_, [0, 0, 0, 1, 1])
    rho, delta = dp.decision_graph()
    assert rho is dp.rho_ and delta is dp.delta_
    assert "DecisionGraph of 5 points" in str(dp.decision_graph())


def test_hand_worked_gaussian_density():
    # points 0, 1, 3 with dc = 1 and truncate 3.5: rho_0 = e^-1 + e^-9, rho_1 = e^-1 + e^-4, rho_2 = e^-4 + e^-9
    x = np.array([[0.0], [1.0], [3.0]])
    dp = DensityPeaks(1.0, kernel="gaussian", truncate=3.5).fit(x)
    e = np.exp
    np.testing.assert_allclose(dp.rho_, [e(-1) + e(-9), e(-1) + e(-4), e(-4) + e(-9)], rtol=0, atol=1e-9)
    assert dp.rho_[0] * 2**32 == int(dp.rho_[0] * 2**32)  # integer units of 2**-32
    np.testing.assert_array_equal(dp.nearest_denser_, [1, -1, 1])
    # the default truncate = 3 keeps d < 3 dc only: the pair at distance 3 drops out
    dp = DensityPeaks(1.0, kernel="gaussian").fit(x)
    np.testing.assert_allclose(dp.rho_, [e(-1), e(-1) + e(-4), e(-4)], rtol=0, atol=1e-9)


def test_halo_is_the_border_region_by_the_papers_rule():
    # two touching 1-D clusters: the border pair (4, 5) is closer than dc
    x = np.array([0.0, 1, 2, 3, 4, 5.5, 6.5, 7.5, 8.5, 9.5, 10.5])
    dp = DensityPeaks(1.6, 2, kernel="cutoff", halo=True).fit(x)
    ref = naive.density_peaks(x, dc=1.6, n_clusters=2, halo=True)
    np.testing.assert_array_equal(dp.labels_, ref["labels"])
    assert dp.halo_.any() and (dp.labels_[dp.halo_] == -1).all()
    assert np.all(dp.rho_[dp.halo_] <= np.max(dp.border_density_))
    assert DensityPeaks(1.6, 2, kernel="cutoff").fit(x).border_density_ is None


def test_copies_link_to_their_first_occurrence_at_distance_zero():
    x = np.array([[0.0, 0.0], [5.0, 5.0], [0.0, 0.0], [0.0, 0.0], [5.0, 5.0], [0.1, 0.0]])
    dp = _assert_equal_to_naive(x, dc=0.5, n_clusters=2)
    np.testing.assert_array_equal(dp.nearest_denser_[[2, 3, 4]], [0, 0, 1])
    np.testing.assert_array_equal(dp.delta_[[2, 3, 4]], 0.0)


@pytest.mark.parametrize("kernel", ["cutoff", "gaussian"])
def test_pathological_inputs(kernel):
    one = DensityPeaks(kernel=kernel).fit(np.array([[3.0, 4.0]]))
    assert one.dc_ == 1.0 and one.labels_.tolist() == [0] and one.delta_.tolist() == [0.0]
    same = DensityPeaks(kernel=kernel, halo=True).fit(np.full((7, 3), 2.5))
    assert same.dc_ == 1.0 and same.labels_.tolist() == [0] * 7 and same.centers_.tolist() == [0]
    _assert_equal_to_naive(np.array([[0.0], [1.0]]), kernel=kernel, n_clusters=2)
    _assert_equal_to_naive(np.array([1.0, 1, 1, 2, 2, 9]), kernel=kernel)  # dc quantile 0: smallest positive


# -- the brute-force reference ----------------------------------------------------------------------------------

_points = st.integers(1, 40).flatmap(lambda n: st.integers(1, 3).flatmap(lambda d: st.one_of(
    hnp.arrays(np.float64, (n, d), elements=st.integers(0, 4).map(float)),  # grids: many ties and copies
    hnp.arrays(np.float64, (n, d), elements=st.floats(-10, 10, width=32)))))


# cost: 2 x 80 examples of at most 40 points, the reference's Python loops ~1 ms each, about 2 s in all
@pytest.mark.parametrize("kernel", ["cutoff", "gaussian"])
@settings(max_examples=80, deadline=None)
@given(x=_points, k=st.integers(1, 4), halo=st.booleans(), fixed_dc=st.booleans())
def test_equals_the_brute_force_reference(kernel, x, k, halo, fixed_dc):
    distinct = len(np.unique(x, axis=0))
    kw = {"kernel": kernel, "halo": halo}
    if fixed_dc:
        kw["dc"] = 1.25
    _assert_equal_to_naive(x, **kw)
    _assert_equal_to_naive(x, n_clusters=min(k, distinct), **kw)


def test_dc_rule_samples_two_thousand_points_with_a_fixed_seed():
    x = np.random.default_rng(5).normal(size=(2500, 2))
    pick = np.sort(np.random.default_rng(0).choice(2500, _density.DC_SAMPLE, replace=False))
    sample = x[pick]
    expected = naive.cutoff_distance(np.sqrt(naive.squared_distances(sample)), 2.0)
    assert _density.cutoff_distance(x, 2.0) == expected
    assert DensityPeaks(n_clusters=1).fit(x).dc_ == expected


def test_threaded_walks_equal_the_serial_ones():
    x, _ = _blobs(3)
    x = np.concatenate([x] * 6) + np.random.default_rng(3).normal(0, 0.01, (6 * len(x), 2))  # 25,200 points
    assert len(x) >= _density.PARALLEL_MIN_POINTS
    fits = {}
    for n in (1, 2):
        with fastdip.threads(n):
            fits[n] = DensityPeaks(0.1, 4, kernel="gaussian", truncate=2.0, halo=True).fit(x)
    for name in ("rho_", "delta_", "labels_", "nearest_denser_", "centers_", "halo_"):
        np.testing.assert_array_equal(getattr(fits[1], name), getattr(fits[2], name))


# -- recovery and scale --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kernel", ["cutoff", "gaussian"])
def test_blobs_of_different_densities_and_sizes(kernel):
    x, y = _blobs(0)
    for n_clusters in (4, None):  # given, and picked on the decision graph
        dp = DensityPeaks(n_clusters=n_clusters, kernel=kernel).fit(x)
        assert len(dp.centers_) == 4
        assert adjusted_rand_score(y, dp.labels_) >= 0.95
    full = adjusted_rand_score(y, dp.labels_)
    halo = DensityPeaks(n_clusters=4, kernel=kernel, halo=True).fit(x)
    core = halo.labels_ >= 0
    assert 0.5 < core.mean() < 1  # the halo takes the blobs' touching fringes: the core is cleaner
    assert adjusted_rand_score(y[core], halo.labels_[core]) > full


def test_hundred_thousand_points_finish():
    x = np.random.default_rng(7).normal(size=(100_000, 2)) * [1.0, 2.0]
    start = time.perf_counter()
    dp = DensityPeaks(n_clusters=3).fit(x)
    seconds = time.perf_counter() - start
    print(f"DensityPeaks on 10^5 2-D points: {seconds:.2f} s")
    assert dp.labels_.shape == (100_000,) and len(dp.centers_) == 3
    assert seconds < 60  # about 1.5 s here; the benchmark reports the time (benchmarks/density_peaks.py)


def test_runs_on_the_pixels_of_a_512_image():
    image = fastdip.data.astronaut()
    labels = cluster(image, "density_peaks", channel_axis=-1, n_clusters=5)
    assert labels.shape == (512, 512) and labels.dtype == np.int32
    assert set(np.unique(labels)) == set(range(5))


# -- cluster() against scikit-learn -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def small_rgb():
    return np.ascontiguousarray(fastdip.data.chelsea()[::8, ::8])  # 38 x 57 x 3


def _x(image):
    return image.reshape(-1, image.shape[-1]).astype(np.float64)


def _first_seen(labels):
    _, first, inverse = np.unique(labels, return_index=True, return_inverse=True)
    rank = np.argsort(np.argsort(first))
    return rank[inverse.reshape(-1)]


def test_kmeans_equals_scikit_learn(small_rgb):
    from sklearn.cluster import KMeans

    got = cluster(small_rgb, "kmeans", channel_axis=-1, n_clusters=4, rng=3)
    want = KMeans(n_clusters=4, n_init=1, max_iter=300, random_state=3).fit(_x(small_rgb)).labels_
    np.testing.assert_array_equal(got.reshape(-1), want)
    assert got.shape == small_rgb.shape[:2] and got.dtype == np.int32


def test_gmm_equals_scikit_learn(small_rgb):
    from sklearn.mixture import GaussianMixture

    got = cluster(small_rgb, "gmm", channel_axis=-1, n_clusters=3, rng=1, covariance_type="diag")
    x = _x(small_rgb)
    want = GaussianMixture(n_components=3, covariance_type="diag", max_iter=300, random_state=1).fit(x).predict(x)
    np.testing.assert_array_equal(got.reshape(-1), want)


def test_dbscan_equals_scikit_learn_on_all_pixels(small_rgb):
    from sklearn.cluster import DBSCAN

    got = cluster(small_rgb, "dbscan", channel_axis=-1, eps=6.0, min_samples=4).reshape(-1)
    model = DBSCAN(eps=6.0, min_samples=4).fit(_x(small_rgb))
    want = model.labels_
    core = np.zeros(want.size, bool)
    core[model.core_sample_indices_] = True
    np.testing.assert_array_equal(got < 0, want < 0)  # the same noise
    np.testing.assert_array_equal(_first_seen(got[core]), _first_seen(want[core]))  # the same clusters of cores
    # a border pixel within eps of two clusters joins either one (here: at most a few such pixels)
    assert adjusted_rand_score(want, got) > 0.99 and np.count_nonzero(_first_seen(got) != _first_seen(want)) <= 3


def test_hierarchical_equals_scikit_learn_with_grid_connectivity(small_rgb):
    from sklearn.cluster import AgglomerativeClustering
    from sklearn.feature_extraction.image import grid_to_graph

    got = cluster(small_rgb, "hierarchical", channel_axis=-1, n_clusters=5, linkage="average")
    model = AgglomerativeClustering(5, connectivity=grid_to_graph(38, 57), linkage="average")
    np.testing.assert_array_equal(got.reshape(-1), model.fit_predict(_x(small_rgb)))
    volume = np.random.default_rng(0).random((5, 6, 7))
    assert cluster(volume, "hierarchical", n_clusters=3).shape == (5, 6, 7)
    line = cluster(np.array([0.0, 0, 0, 5, 5, 5, 9, 9, 9]), "hierarchical", n_clusters=3)
    assert len(set(line[[0, 3, 6]])) == 3 and all(len(set(line[i:i + 3])) == 1 for i in (0, 3, 6))


def test_spatial_weight_appends_scaled_coordinates(small_rgb):
    from sklearn.cluster import KMeans

    grey = small_rgb[..., 1]
    rows, cols = np.indices(grey.shape, dtype=np.float64)
    x = np.stack([grey.astype(np.float64), 0.5 * rows, 0.5 * cols], axis=-1).reshape(-1, 3)
    got = cluster(grey, "kmeans", spatial_weight=0.5, n_clusters=3, rng=0)
    np.testing.assert_array_equal(got.reshape(-1), KMeans(3, n_init=1, random_state=0).fit(x).labels_)
    dp = cluster(grey, "density_peaks", spatial_weight=0.5, n_clusters=3)
    np.testing.assert_array_equal(dp.reshape(-1), DensityPeaks(n_clusters=3).fit(x).labels_)


def test_channel_axis_and_density_peaks_match_the_estimator(small_rgb):
    planar = np.moveaxis(small_rgb, -1, 0)
    a = cluster(small_rgb, "density_peaks", channel_axis=-1, n_clusters=3, kernel="gaussian", halo=True)
    b = cluster(planar, "density_peaks", channel_axis=0, n_clusters=3, kernel="gaussian", halo=True)
    np.testing.assert_array_equal(a, b)
    want = DensityPeaks(n_clusters=3, kernel="gaussian", halo=True).fit(_x(small_rgb)).labels_
    np.testing.assert_array_equal(a.reshape(-1), want)
    assert (a == -1).any()


def test_rng_generators_reproduce(small_rgb):
    one = cluster(small_rgb, "gmm", channel_axis=-1, n_clusters=3, rng=np.random.default_rng(4))
    two = cluster(small_rgb, "gmm", channel_axis=-1, n_clusters=3, rng=np.random.default_rng(4))
    np.testing.assert_array_equal(one, two)


# -- errors --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("call, exc, text", [
    (lambda im: cluster(im, "spectral", n_clusters=2), ValueError, "cluster: method must be one of 'kmeans'"),
    (lambda im: cluster(im, "kmeans"), ValueError, "cluster: n_clusters must be a positive int for method="
                                                   "'kmeans', got None"),
    (lambda im: cluster(im, "gmm", n_clusters=0), ValueError, "cluster: n_clusters must be in [1, inf], got 0"),
    (lambda im: cluster(im, "kmeans", n_clusters=999), ValueError, "at most the number of pixels (12), got 999"),
    (lambda im: cluster(im, "dbscan", n_clusters=2, eps=1.0), ValueError, "n_clusters must be None for method"),
    (lambda im: cluster(im, "dbscan"), ValueError, "cluster: eps must be a positive number for method='dbscan'"),
    (lambda im: cluster(im, "kmeans", n_clusters=2, spatial_weight=-1), ValueError, "spatial_weight must be in"),
    (lambda im: cluster(im, "kmeans", n_clusters=2, rng="x"), TypeError, "cluster: rng must be None, an int"),
    (lambda im: cluster(im, "gmm", n_clusters=2, covariance_type="x"), ValueError, "covariance_type must be one"),
    (lambda im: cluster(im, "hierarchical", n_clusters=2, linkage="x"), ValueError, "linkage must be one of"),
    (lambda im: cluster(im, "density_peaks", kernel="box"), ValueError, "cluster: kernel must be one of"),
    (lambda im: cluster(im, "density_peaks", dc=0), ValueError, "cluster: dc must be in (0, inf], got 0"),
    (lambda im: cluster(im, "density_peaks", halo=1), TypeError, "cluster: halo must be True or False, got 1"),
    (lambda im: cluster(im, "kmeans", n_clusters=2, channel_axis=3), ValueError, "cluster: channel_axis must be"),
    (lambda im: cluster(np.array([[1.0, np.nan]]), "kmeans", n_clusters=1), ValueError, "only finite values"),
    (lambda im: cluster(np.zeros((0, 3)), "kmeans", n_clusters=1), ValueError, "a non-empty array"),
    (lambda im: cluster("a.png", "kmeans", n_clusters=1), TypeError, "image_or_features must be a numpy array"),
    (lambda im: cluster(np.zeros((2,) * 4), "hierarchical", n_clusters=1), ValueError, "at most 3 spatial axes"),
    (lambda im: DensityPeaks(dc=-1.0), ValueError, "DensityPeaks: dc must be in (0, inf], got -1.0"),
    (lambda im: DensityPeaks(kernel="flat"), ValueError, "DensityPeaks: kernel must be one of 'gaussian', 'cutoff'"),
    (lambda im: DensityPeaks(n_clusters=2.5), TypeError, "DensityPeaks: n_clusters must be an integer, got 2.5"),
    (lambda im: DensityPeaks(percent=0), ValueError, "DensityPeaks: percent must be in (0, 100], got 0"),
    (lambda im: DensityPeaks(truncate=0), ValueError, "DensityPeaks: truncate must be in (0, inf], got 0"),
    (lambda im: DensityPeaks(min_delta=-1), ValueError, "DensityPeaks: min_delta must be in [0, inf], got -1"),
    (lambda im: DensityPeaks(n_clusters=5).fit(np.zeros((9, 2))), ValueError,
     "DensityPeaks.fit: n_clusters must be at most the number of distinct points (1), got 5"),
    (lambda im: DensityPeaks().fit(np.zeros((2, 2, 2))), ValueError, "DensityPeaks.fit: X must be a 1-D or 2-D"),
    (lambda im: DensityPeaks().fit([[np.inf]]), ValueError, "DensityPeaks.fit: X must contain only finite"),
    (lambda im: DensityPeaks().decision_graph(), ValueError, "DensityPeaks.decision_graph: the estimator is not"),
])
def test_errors_name_function_parameter_value_and_what_is_allowed(call, exc, text):
    image = np.arange(12, dtype=np.uint8).reshape(3, 4)
    with pytest.raises(exc) as info:
        call(image)
    assert text in str(info.value)
