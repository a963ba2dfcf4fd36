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


def _mean_shift_twin(image, hs, hr, max_iter=100, tol=1e-3):
    """Per-pixel numpy mean shift with the kernel's arithmetic, so the modes can be compared exactly: the
    window is the square of rows/cols ceil(y - hs)..floor(y + hs) cut to the disc, sums run in raster order
    (np.cumsum is sequential), means are sum * (1 / count). (tests/_naive_segmentation.mean_shift_modes
    takes np.mean, which rounds differently in the last bit: a point at distance exactly hs from such a
    mean can then fall on the other side, as hypothesis found for hs = 4 - 1 ulp.)"""
    f = np.asarray(image, dtype=np.float64)
    f = f[..., None] if f.ndim == 2 else f
    h, w, n_ch = f.shape
    rr, cc = np.indices((h, w))
    rows, cols, vals = rr.ravel().astype(np.float64), cc.ravel().astype(np.float64), f.reshape(h * w, n_ch)
    out = np.empty_like(f)
    for i in range(h * w):
        ys_r, ys_c, yr = rows[i], cols[i], vals[i].copy()
        for _ in range(max_iter):
            square = ((rows >= max(0, np.ceil(ys_r - hs))) & (rows <= np.floor(ys_r + hs))
                      & (cols >= max(0, np.ceil(ys_c - hs))) & (cols <= np.floor(ys_c + hs)))
            inside = (square & ((rows - ys_r) ** 2 + (cols - ys_c) ** 2 <= hs * hs)
                      & (np.sum((vals - yr) ** 2, axis=1) <= hr * hr))
            inv = 1.0 / np.count_nonzero(inside)
            nr, nc = rows[inside].sum() * inv, cols[inside].sum() * inv  # integer sums: exact in any order
            new = np.cumsum(vals[inside], axis=0)[-1] * inv
            shift = ((nr - ys_r) ** 2 + (nc - ys_c) ** 2) / (hs * hs) + np.sum((new - yr) ** 2) / (hr * hr)
            ys_r, ys_c, yr = nr, nc, new
            if shift < tol * tol:
                break
        out.reshape(h * w, n_ch)[i] = yr
    return out


@settings(deadline=None, max_examples=15)  # 9x11 images, per-pixel numpy twin: ~50 ms an example
@given(seed=st.integers(0, 2**16), hs=st.floats(1.0, 4.0), hr=st.floats(5.0, 60.0), colour=st.booleans())
def test_mean_shift_filter_equals_plain_twin(seed, hs, hr, colour):
    rng = np.random.default_rng(seed)
    img = rng.integers(0, 120, (9, 11, 3) if colour else (9, 11)).astype(np.float64)
    res = mean_shift(img, spatial_radius=hs, range_radius=hr, min_size=1, channel_axis=-1 if colour else None)
    values = _mean_shift_twin(img, hs, hr)
    np.testing.assert_array_equal(res.filtered, values if colour else values[..., 0])


def test_mean_shift_near_the_plain_mean_twin():
    # the textbook twin (np.mean) on a well-conditioned case: the same modes up to rounding
    rng = np.random.default_rng(3)
    img = rng.integers(0, 120, (9, 11, 3)).astype(np.float64)
    res = mean_shift(img, spatial_radius=2.5, range_radius=30.0, min_size=1, channel_axis=-1)
    values, _ = naive.mean_shift_modes(img, 2.5, 30.0, 100, 1e-3)
    np.testing.assert_allclose(res.filtered, values, atol=1e-9)


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


@settings(deadline=None, max_examples=15)  # 9x11 images, per-pixel numpy twin: ~50 ms an example
@given(seed=st.integers(0, 2**16), hs=st.floats(0.5, 4.0), hr=st.floats(5.0, 60.0),
       kind=st.sampled_from(["u8 grey", "u8 rgb", "u16 rgb", "f32 rgb", "f64 2ch", "f64 4ch"]))
def test_mean_shift_every_kernel_path_equals_plain_twin(seed, hs, hr, kind):
    # uint8/uint16 take the integer-sum kernel, float images the raster-order float64 one, 2 and 4 channels
    # the generic one: all must give the float64 twin's modes exactly (the same float64 arithmetic)
    rng = np.random.default_rng(seed)
    channels = {"grey": None, "rgb": 3, "2ch": 2, "4ch": 4}[kind.split()[1]]
    shape = (9, 11) if channels is None else (9, 11, channels)
    img = rng.integers(0, 120, shape)
    if kind.startswith("u16"):
        img = img * 300
        hr = hr * 300
    img = img.astype({"u8": np.uint8, "u16": np.uint16, "f32": np.float32, "f64": np.float64}[kind.split()[0]])
    if kind.startswith("f"):
        img = img + rng.random(shape).astype(img.dtype)  # not integer-valued
    res = mean_shift(img, spatial_radius=hs, range_radius=hr, min_size=1, channel_axis=None if channels is None else -1)
    values = _mean_shift_twin(img, hs, hr)
    expected = values if channels is not None else values[..., 0]
    np.testing.assert_array_equal(res.filtered, expected.astype(res.filtered.dtype))


def _merge_small_numpy(labels, feat, min_size):
    """The vectorised reference of fastdip's small-region merge: every pair of 8-adjacent labels, a lexsort
    by (small region, squared distance of means, neighbour label), chains followed to their roots."""
    h, w = labels.shape
    while True:
        n = int(labels.max())
        sizes = np.bincount(labels.ravel(), minlength=n + 1)
        small = (sizes < min_size) & (sizes > 0)
        small[0] = False
        if not small.any():
            break
        means = np.stack([np.bincount(labels.ravel(), weights=feat[..., c].ravel(), minlength=n + 1)
                          for c in range(feat.shape[-1])], axis=-1) / np.maximum(sizes, 1)[:, None]
        pairs = [(labels[:, :-1], labels[:, 1:]), (labels[:-1, :], labels[1:, :]),
                 (labels[:-1, :-1], labels[1:, 1:]), (labels[:-1, 1:], labels[1:, :-1])]
        a = np.concatenate([p.ravel() for p, _ in pairs] + [q.ravel() for _, q in pairs])
        b = np.concatenate([q.ravel() for _, q in pairs] + [p.ravel() for p, _ in pairs])
        keep = (a != b) & small[a]
        a, b = a[keep], b[keep]
        if a.size == 0:
            break
        d = np.sum((means[a] - means[b]) ** 2, axis=1)
        order = np.lexsort((b, d, a))
        a, b = a[order], b[order]
        first = np.r_[True, a[1:] != a[:-1]]
        target = np.arange(n + 1)
        target[a[first]] = b[first]
        for _ in range(n):
            nxt = target[target]
            if np.array_equal(nxt, target):
                break
            cyc = nxt == np.arange(n + 1)
            target = np.where(cyc, np.minimum(np.arange(n + 1), target), nxt)
        labels = target[labels]
    _, first_index, inverse = np.unique(labels.ravel(), return_index=True, return_inverse=True)
    rank = np.empty(first_index.size, dtype=np.int64)
    rank[np.argsort(first_index)] = np.arange(1, first_index.size + 1)
    return rank[inverse].reshape(labels.shape).astype(np.int32)


@settings(deadline=None, max_examples=25)
@given(seed=st.integers(0, 2**16), channels=st.integers(1, 3), min_size=st.integers(2, 30),
       integer_means=st.booleans())
def test_merge_small_equals_vectorised_reference(seed, channels, min_size, integer_means):
    from scipy import ndimage as ndi

    from fastdip.segmentation._cluster import _merge_small

    rng = np.random.default_rng(seed)
    h, w = rng.integers(1, 30, 2)
    quantised = rng.integers(0, rng.integers(2, 6), (h, w))
    labels = np.zeros((h, w), np.int64)
    for v in np.unique(quantised):  # 8-connected pieces of each level, numbered in shuffled order
        lab, k = ndi.label(quantised == v, structure=np.ones((3, 3)))
        labels[lab > 0] = lab[lab > 0] + labels.max()
    labels = np.r_[0, rng.permutation(int(labels.max())) + 1][labels].astype(np.int32)
    # integer-valued features make equal distances (ties) common
    feat = rng.integers(0, 4, (h, w, channels)).astype(np.float64) if integer_means else rng.random((h, w, channels))
    np.testing.assert_array_equal(_merge_small(labels, feat, min_size), _merge_small_numpy(labels, feat, min_size))
