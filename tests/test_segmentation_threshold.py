"""Global thresholds: Otsu and multi-Otsu against exhaustive search, skimage and OpenCV; apply_thresholds."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from fastdip import data
from fastdip.segmentation import apply_thresholds, multi_otsu, otsu, threshold_mean, threshold_percentile
from tests import _naive_segmentation as naive


def _grey(name):
    im = getattr(data, name)()
    if im.ndim == 3 and im.shape[-1] == 3 and name != "brain_mri":
        # ITU-R 601 luma, rounded: any grey version will do, it only has to be the same for both libraries
        im = np.rint(im @ np.array([0.299, 0.587, 0.114])).astype(np.uint8)
    return im


GREY_2D = [n for n in data.names() if n != "brain_mri"]


# -- (a) hand-worked cases -----------------------------------------------------------------------------------


def test_otsu_two_levels_splits_between_them():
    img = np.array([[3, 3, 3], [9, 9, 9]], dtype=np.uint8)
    assert otsu(img) == 3.0


def test_otsu_hand_worked_three_levels():
    # levels 0 (x2), 1 (x1), 10 (x1): t=0 -> 2*2*(0-5.5)^2 = 121; t=1 -> 3*1*(1/3-10)^2 = 280.3: t = 1
    assert otsu(np.array([0, 0, 1, 10], dtype=np.uint8)) == 1.0


def test_constant_image_returns_its_value():
    assert otsu(np.full((4, 5), 7, np.uint8)) == 7.0
    assert otsu(np.full((3,), 0.25)) == 0.25


def test_multi_otsu_hand_worked():
    img = np.array([0, 1, 2, 50, 51, 52, 200, 201, 202], dtype=np.uint8)
    np.testing.assert_array_equal(multi_otsu(img, classes=3), [2, 52])
    # exactly as many levels as classes: each level its own class
    np.testing.assert_array_equal(multi_otsu(np.array([5, 9, 20], np.uint8), classes=3), [5, 9])


def test_apply_thresholds_counts_thresholds_strictly_below():
    img = np.array([[0, 5, 6], [10, 11, 255]], dtype=np.uint8)
    expected = np.array([[0, 0, 1], [1, 2, 2]], dtype=np.uint8)
    np.testing.assert_array_equal(apply_thresholds(img, [5, 10]), expected)
    np.testing.assert_array_equal(apply_thresholds(img.astype(np.float32), [5, 10]), expected)
    assert apply_thresholds(img, 5).dtype == np.uint8


def test_mean_and_percentile():
    img = np.arange(11, dtype=np.uint8)
    assert threshold_mean(img) == 5.0
    assert threshold_percentile(img, 90) == 9.0
    assert threshold_percentile(img, 0) == 0.0


# -- (b) references --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", GREY_2D)
def test_otsu_equals_skimage_and_opencv_on_bundled_images(name):
    cv2 = pytest.importorskip("cv2")
    from skimage.filters import threshold_otsu

    im = _grey(name)
    t = otsu(im)
    assert t == float(threshold_otsu(im))
    t_cv, _ = cv2.threshold(im, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    assert t == t_cv  # cv2: dst = 255 where src > t, the same convention


def test_otsu_on_brain_mri_int16_volume_equals_skimage():
    from skimage.filters import threshold_otsu

    vol = data.brain_mri()
    assert otsu(vol) == float(threshold_otsu(vol))


def test_otsu_float_image_equals_skimage_bin_centres():
    from skimage.filters import threshold_otsu

    rng = np.random.default_rng(3)
    img = np.concatenate([rng.normal(0.2, 0.05, 500), rng.normal(0.7, 0.1, 700)]).astype(np.float32)
    assert otsu(img, bins=64) == pytest.approx(float(threshold_otsu(img, nbins=64)), abs=1e-6)


# skimage computes multi-Otsu with a float32 histogram and float32 lookup tables; on astronaut's luma it then
# returns a partition whose float64 between-class variance is lower than ours (objective values below).
SKIMAGE_FLOAT32_CASES = {
    ("astronaut", 3): ((71, 158), (72, 158)),
    ("astronaut", 4): ((37, 101, 167), (38, 102, 167)),
}


# skimage's classes=5 search takes 2-3 s an image (its O(L^4) loop), hence slow
@pytest.mark.parametrize("classes", [2, 3, 4, pytest.param(5, marks=pytest.mark.slow)])
@pytest.mark.parametrize("name", GREY_2D)
def test_multi_otsu_equals_skimage_except_float32_cases(name, classes):
    from skimage.filters import threshold_multiotsu

    im = _grey(name)
    ours = multi_otsu(im, classes=classes)
    theirs = threshold_multiotsu(im, classes=classes).astype(np.float64)
    if (name, classes) in SKIMAGE_FLOAT32_CASES:
        expected_ours, expected_theirs = SKIMAGE_FLOAT32_CASES[name, classes]
        np.testing.assert_array_equal(ours, expected_ours)
        np.testing.assert_array_equal(theirs, expected_theirs)
        # ours is the better partition by the criterion itself (e.g. astronaut, 3 classes: 5121.5866 vs 5121.5570)
        assert naive.between_class_variance(im, ours) > naive.between_class_variance(im, theirs)
    else:
        np.testing.assert_array_equal(ours, theirs)


def test_multi_otsu_classes_2_is_otsu_on_camera(camera):
    np.testing.assert_array_equal(multi_otsu(camera, classes=2), [otsu(camera)])


def test_multi_otsu_on_camera_is_a_local_maximum(camera):
    t = multi_otsu(camera, classes=4)
    best = naive.between_class_variance(camera, t)
    for i in range(3):
        for step in (-1, 1):
            moved = t.copy()
            moved[i] += step
            assert naive.between_class_variance(camera, moved) <= best + 1e-9


# -- (c) properties --------------------------------------------------------------------------------------------


@settings(deadline=None, max_examples=40)  # brute force over <= 12 levels: ~10 ms an example
@given(
    counts=st.lists(st.integers(0, 50), min_size=3, max_size=12),
    classes=st.integers(2, 4),
    seed=st.integers(0, 2**16),
)
def test_multi_otsu_equals_exhaustive_search(counts, classes, seed):
    rng = np.random.default_rng(seed)
    levels = np.sort(rng.choice(256, size=len(counts), replace=False)).astype(np.uint8)
    occupied = [(v, c) for v, c in zip(levels, counts) if c > 0]
    if len(occupied) < classes:
        return
    img = np.repeat(levels, counts)
    rng.shuffle(img)
    values = np.array([v for v, _ in occupied], np.float64)
    weights = np.array([c for _, c in occupied], np.int64)
    ours = multi_otsu(img, classes=classes)
    objectives = naive.multi_otsu_objectives(weights, values, classes)
    best = max(objectives.values())
    cuts = tuple(int(np.searchsorted(values, t)) for t in ours)
    assert objectives[cuts] == best  # the float64 optimum of the exhaustive search, exactly
    first = min(c for c, v in objectives.items() if v == best)
    assert cuts == first  # ties: the lexicographically first
    if len(occupied) >= 2 and classes == 2:
        assert ours[0] == naive.otsu_exact(values, weights)


@settings(deadline=None, max_examples=30)
@given(counts=st.lists(st.integers(0, 1000), min_size=2, max_size=40), seed=st.integers(0, 2**16))
def test_otsu_is_the_exact_maximiser(counts, seed):
    rng = np.random.default_rng(seed)
    levels = np.sort(rng.choice(256, size=len(counts), replace=False)).astype(np.uint8)
    img = np.repeat(levels, counts)
    if np.count_nonzero(counts) < 2:
        return
    expected = naive.otsu_exact([v for v, c in zip(levels, counts) if c], [c for c in counts if c])
    assert otsu(img) == expected


@settings(deadline=None, max_examples=25)
@given(seed=st.integers(0, 2**16), classes=st.integers(2, 5))
def test_apply_thresholds_classes_are_ordered_and_complete(seed, classes):
    rng = np.random.default_rng(seed)
    img = rng.integers(0, 256, (17, 19)).astype(np.uint8)
    t = multi_otsu(img, classes=classes)
    lab = apply_thresholds(img, t)
    assert set(np.unique(lab)) == set(range(classes))
    for j in range(classes - 1):
        assert img[lab == j].max() <= t[j] < img[lab == j + 1].min()


# -- errors ------------------------------------------------------------------------------------------------------


def test_errors_name_the_parameter():
    img = np.arange(10, dtype=np.uint8)
    with pytest.raises(ValueError, match="classes"):
        multi_otsu(img, classes=1)
    with pytest.raises(ValueError, match="at least classes=4"):
        multi_otsu(np.array([1, 2, 3], np.uint8), classes=4)
    with pytest.raises(ValueError, match="bins"):
        otsu(img, bins=1)
    with pytest.raises(ValueError, match="finite"):
        otsu(np.array([0.0, np.nan, 1.0]))
    with pytest.raises(ValueError, match="thresholds"):
        apply_thresholds(img, [5, 2])
    with pytest.raises(ValueError, match="q"):
        threshold_percentile(img, 101)
    with pytest.raises(TypeError, match="image"):
        otsu("camera")


def test_multi_otsu_float_image_equals_skimage_bin_centres():
    from skimage.filters import threshold_multiotsu

    rng = np.random.default_rng(4)
    img = np.concatenate([rng.normal(m, 0.04, 400) for m in (0.1, 0.4, 0.8)]).astype(np.float64)
    np.testing.assert_allclose(multi_otsu(img, classes=3, bins=64), threshold_multiotsu(img, classes=3, nbins=64),
                               rtol=0, atol=1e-12)


def test_multi_otsu_int16_volume_is_the_exact_optimum_near_its_thresholds():
    vol = data.brain_mri()
    t = multi_otsu(vol, classes=3)
    best = naive.between_class_variance(vol, t)
    levels = np.unique(vol)
    for i in range(2):
        j = int(np.searchsorted(levels, t[i]))
        for step in (-1, 1):
            moved = t.copy()
            moved[i] = levels[j + step]
            assert naive.between_class_variance(vol, moved) <= best


# ------------------------------------------------------------------------------------------------- binarize


def test_binarize_equals_skimage_thresholds(camera):
    from skimage import filters as skf

    from fastdip.segmentation import binarize

    np.testing.assert_array_equal(binarize(camera), camera > skf.threshold_otsu(camera))
    top = skf.threshold_multiotsu(camera, classes=4)[-1]
    np.testing.assert_array_equal(binarize(camera, "multi_otsu", classes=4), camera > top)
    np.testing.assert_array_equal(binarize(camera, "mean"), camera > camera.mean())
    np.testing.assert_array_equal(binarize(camera, "percentile", q=90), camera > np.percentile(camera, 90))
    np.testing.assert_array_equal(binarize(camera, 100.5, dark=True), camera <= 100.5)


@settings(max_examples=30, deadline=None)  # ~0.3 s
@given(hnp.arrays(np.uint8, hnp.array_shapes(min_dims=1, max_dims=3, max_side=12)), st.booleans())
def test_binarize_splits_at_its_threshold(image, dark):
    from fastdip.segmentation import binarize, otsu

    mask = binarize(image, dark=dark)
    t = otsu(image)
    assert mask.dtype == bool and mask.shape == image.shape
    np.testing.assert_array_equal(mask, image <= t if dark else image > t)
    np.testing.assert_array_equal(binarize(image, dark=not dark), ~mask)


@pytest.mark.parametrize(("kwargs", "exc", "message"), [
    ({"threshold": "triangle"}, ValueError, "binarize: threshold must be one of"),
    ({"threshold": "percentile"}, ValueError, "binarize: q must be"),
    ({"threshold": "otsu", "q": 5}, ValueError, "binarize: q must be"),
    ({"threshold": float("nan")}, ValueError, "binarize: threshold must be a finite number"),
    ({"threshold": "multi_otsu", "classes": 9}, ValueError, "binarize: classes must be in"),
    ({"dark": "yes"}, TypeError, "binarize: dark must be True or False"),
])
def test_binarize_errors(kwargs, exc, message):
    from fastdip.segmentation import binarize

    with pytest.raises(exc, match=message):
        binarize(np.arange(16, dtype=np.uint8).reshape(4, 4), **kwargs)


def test_binarize_refuses_nan():
    from fastdip.segmentation import binarize

    with pytest.raises(ValueError, match="binarize: image must contain only finite values"):
        binarize(np.array([[0.0, np.nan], [1.0, 2.0]]))
