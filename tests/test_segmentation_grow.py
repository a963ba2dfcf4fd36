"""Region growing: hand cases, a plain BFS twin, skimage's flood, synthetic regions with noise (Dice), 3-D, colour."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fastdip.segmentation import region_growing
from tests import _naive_segmentation as naive


def _dice(a, b):
    return 2.0 * np.count_nonzero(a & b) / (np.count_nonzero(a) + np.count_nonzero(b))


def _pieces(shape, rng, noise, channels=None):
    """A piecewise-constant image (a disc, a bar, the background) plus Gaussian noise, and its true labels."""
    rr, cc = np.indices(shape[:2])
    truth = np.zeros(shape[:2], np.int32)
    truth[(rr - shape[0] * 0.35) ** 2 + (cc - shape[1] * 0.35) ** 2 < (shape[0] * 0.2) ** 2] = 1
    truth[int(shape[0] * 0.7): int(shape[0] * 0.85), int(shape[1] * 0.1): int(shape[1] * 0.9)] = 2
    if channels is None:
        levels = np.array([60.0, 140.0, 210.0])
        img = levels[truth] + rng.normal(0, noise, truth.shape)
    else:
        levels = np.array([[40.0, 60, 200], [180, 60, 60], [60, 190, 70]])
        img = levels[truth] + rng.normal(0, noise, truth.shape + (3,))
    return np.clip(img, 0, 255).astype(np.uint8), truth


# -- (a) hand-worked --------------------------------------------------------------------------------------------


def test_two_seeds_hand_worked():
    img = np.array([[10, 11, 50], [12, 10, 52], [49, 51, 50]], dtype=np.uint8)
    expected = np.array([[1, 1, 2], [1, 1, 2], [2, 2, 2]], np.int32)
    out = region_growing(img, [(0, 0), (2, 2)], threshold=5)
    assert out.dtype == np.int32
    np.testing.assert_array_equal(out, expected)


def test_running_mean_is_updated_per_pixel():
    # 0, 4, 8 in a row with threshold 5: 4 joins (|0-4| < 5), the mean becomes 2, then |2-8| = 6 rejects 8;
    # a fixed seed value with tolerance 5 also stops at 4, but the 'mean' criterion would take 8 if it
    # came after a 6 (mean of 0, 4, 6 is 3.33, |3.33 - 8| = 4.67 < 5).
    row = np.array([[0, 4, 8]], np.uint8)
    np.testing.assert_array_equal(region_growing(row, (0, 0), 5), [[1, 1, 0]])
    row2 = np.array([[0, 4, 6, 8]], np.uint8)
    np.testing.assert_array_equal(region_growing(row2, (0, 0), 5), [[1, 1, 1, 1]])
    np.testing.assert_array_equal(region_growing(row2, (0, 0), 5, criterion="seed"), [[1, 1, 0, 0]])


def test_threshold_strict_for_mean_inclusive_for_seed():
    row = np.array([[0, 5]], np.uint8)
    np.testing.assert_array_equal(region_growing(row, (0, 0), 5), [[1, 0]])
    np.testing.assert_array_equal(region_growing(row, (0, 0), 5, criterion="seed"), [[1, 1]])


def test_connectivity_1_vs_2():
    img = np.array([[0, 9], [9, 0]], np.uint8)
    np.testing.assert_array_equal(region_growing(img, (0, 0), 1, connectivity=1), [[1, 0], [0, 0]])
    np.testing.assert_array_equal(region_growing(img, (0, 0), 1, connectivity=2), [[1, 0], [0, 1]])


def test_first_seed_wins_a_shared_pixel():
    img = np.zeros((1, 5), np.uint8)
    out = region_growing(img, [(0, 0), (0, 4)], 1)
    np.testing.assert_array_equal(out, [[1, 1, 1, 2, 2]])  # breadth first: pixel 2 is reached by region 1 first
    out = region_growing(img, [(0, 0), (0, 0)], 1)
    assert set(np.unique(out)) == {1}


def test_mask_seeds_and_max_size():
    img = np.zeros((4, 4), np.uint8)
    mask = np.zeros((4, 4), np.int32)
    mask[0, 0] = 3
    out = region_growing(img, mask, 1, max_size=5)
    assert np.count_nonzero(out == 3) == 5 and set(np.unique(out)) == {0, 3}
    out = region_growing(img, mask.astype(bool), 1)
    assert np.all(out == 1)


def test_single_pixel_and_constant_images():
    np.testing.assert_array_equal(region_growing(np.array([[7]], np.uint8), (0, 0), 0.5), [[1]])
    assert np.all(region_growing(np.full((5, 6), 3.0), (2, 2), 0.1) == 1)


# -- (b) references ----------------------------------------------------------------------------------------------


@settings(deadline=None, max_examples=25)  # 12x13 images, pure-Python BFS: a few ms an example
@given(seed=st.integers(0, 2**16), threshold=st.floats(1, 60), connectivity=st.integers(1, 2),
       colour=st.booleans())
def test_mean_criterion_equals_plain_bfs(seed, threshold, connectivity, colour):
    rng = np.random.default_rng(seed)
    shape = (12, 13, 3) if colour else (12, 13)
    img = rng.integers(0, 100, shape).astype(np.uint8)
    point = (int(rng.integers(12)), int(rng.integers(13)))
    ours = region_growing(img, point, threshold, connectivity=connectivity,
                          channel_axis=-1 if colour else None)
    expected = naive.region_grow_mean(img, point, threshold, connectivity)
    np.testing.assert_array_equal(ours == 1, expected)


@pytest.mark.parametrize("connectivity", [1, 2])
@pytest.mark.parametrize("tolerance", [0, 5, 20, 60])
def test_seed_criterion_equals_skimage_flood_on_camera(camera, connectivity, tolerance):
    from skimage.segmentation import flood

    for point in [(100, 100), (400, 300), (0, 511)]:
        ours = region_growing(camera, point, tolerance, criterion="seed", connectivity=connectivity) == 1
        theirs = flood(camera, point, tolerance=tolerance, connectivity=connectivity)
        np.testing.assert_array_equal(ours, theirs)


def test_seed_criterion_equals_flood_in_3d_float():
    from skimage.segmentation import flood

    rng = np.random.default_rng(5)
    vol = rng.random((20, 22, 24))
    for connectivity in (1, 3):
        ours = region_growing(vol, (10, 11, 12), 0.3, criterion="seed", connectivity=connectivity) == 1
        np.testing.assert_array_equal(ours, flood(vol, (10, 11, 12), tolerance=0.3, connectivity=connectivity))
        np.testing.assert_array_equal(ours, naive.flood_seed(vol, (10, 11, 12), 0.3, connectivity))


@pytest.mark.parametrize("criterion,threshold", [("mean", 40.0), ("seed", 45.0), ("confidence", None)])
def test_grey_regions_with_noise_are_recovered(criterion, threshold):
    rng = np.random.default_rng(1)
    img, truth = _pieces((128, 120), rng, noise=8.0)
    seeds = [(45, 42), (100, 60), (5, 110)]
    out = region_growing(img, seeds, threshold, criterion=criterion, connectivity=2)
    for i in (1, 2):
        assert _dice(out == i, truth == i) >= 0.98
    assert _dice(out == 3, truth == 0) >= 0.98


def test_colour_regions_with_noise_are_recovered():
    rng = np.random.default_rng(2)
    img, truth = _pieces((100, 110), rng, noise=10.0, channels=3)
    out = region_growing(img, [(35, 38), (78, 55), (5, 100)], 60.0, channel_axis=-1)
    for i, t in ((1, 1), (2, 2), (3, 0)):
        assert _dice(out == i, truth == t) >= 0.98
    # channels first gives the same
    moved = region_growing(np.moveaxis(img, -1, 0), [(35, 38), (78, 55), (5, 100)], 60.0, channel_axis=0)
    np.testing.assert_array_equal(moved, out)


def test_3d_ball_is_recovered():
    rng = np.random.default_rng(3)
    zz, yy, xx = np.indices((30, 32, 34))
    ball = (zz - 15) ** 2 + (yy - 16) ** 2 + (xx - 17) ** 2 < 10**2
    vol = np.where(ball, 150.0, 50.0) + rng.normal(0, 8, ball.shape)
    out = region_growing(vol, (15, 16, 17), 40.0, connectivity=1)
    assert _dice(out == 1, ball) >= 0.98


def test_confidence_grows_at_least_the_seed_box_interval():
    rng = np.random.default_rng(4)
    img, truth = _pieces((80, 80), rng, noise=6.0)
    zero = region_growing(img, (28, 28), None, criterion="confidence", num_iter=0)
    more = region_growing(img, (28, 28), None, criterion="confidence", num_iter=4)
    assert zero[28, 28] == 1 and more[28, 28] == 1
    assert _dice(more == 1, truth == 1) >= 0.98


# -- errors -------------------------------------------------------------------------------------------------------


def test_errors_name_the_parameter():
    img = np.zeros((5, 5), np.uint8)
    with pytest.raises(ValueError, match="criterion"):
        region_growing(img, (0, 0), 1, criterion="median")
    with pytest.raises(ValueError, match="connectivity"):
        region_growing(img, (0, 0), 1, connectivity=3)
    with pytest.raises(ValueError, match="seeds"):
        region_growing(img, (5, 0), 1)
    with pytest.raises(ValueError, match="seeds"):
        region_growing(img, [(0, 0, 0)], 1)
    with pytest.raises(TypeError, match="threshold"):
        region_growing(img, (0, 0))
    with pytest.raises(ValueError, match="threshold"):
        region_growing(img, (0, 0), -1)
    with pytest.raises(ValueError, match="threshold"):
        region_growing(img, (0, 0), 3, criterion="confidence")
    with pytest.raises(ValueError, match="image"):
        region_growing(np.zeros(5), (0,), 1)
    with pytest.raises(ValueError, match="finite"):
        region_growing(np.array([[0.0, np.nan]]), (0, 0), 1)


def test_flood_wrapper_fast_paths_keep_every_check():
    # plain ints/floats and one-point tuples skip the generic validators; anything else still goes through them
    img = np.array([[10, 11, 50, 12], [12, 10, 52, 11], [49, 51, 50, 10]], np.uint8)
    expected = region_growing(img, (0, 0), 5, criterion="seed", connectivity=2)
    np.testing.assert_array_equal(expected, [[1, 1, 0, 0], [1, 1, 0, 0], [0, 0, 0, 0]])  # the 50s wall off col 3
    for args, kw in [(((np.int64(0), 0), np.float32(5)), {"connectivity": np.int8(2)}),
                     (([(0, 0)], 5.0), {"connectivity": 2, "k": np.float64(1)}),
                     (((0, 0), 5), {"connectivity": 2, "num_iter": np.int64(3)})]:
        np.testing.assert_array_equal(region_growing(img, *args, criterion="seed", **kw), expected)
    with pytest.raises(ValueError, match="finite"):
        region_growing(np.array([[0.0, np.inf]]), (0, 0), 1, criterion="seed")
    with pytest.raises(ValueError, match="threshold"):
        region_growing(img, (0, 0), float("inf"), criterion="seed")
    with pytest.raises(TypeError, match="threshold"):
        region_growing(img, (0, 0), True, criterion="seed")
    with pytest.raises(ValueError, match="connectivity"):
        region_growing(img, (0, 0), 5, criterion="seed", connectivity=3)
    with pytest.raises(TypeError, match="connectivity"):
        region_growing(img, (0, 0), 5, criterion="seed", connectivity=2.0)
    with pytest.raises(ValueError, match="seeds"):
        region_growing(img, (3, 0), 5, criterion="seed")
    with pytest.raises(ValueError, match="k"):
        region_growing(img, (0, 0), 5, criterion="seed", k=-1.0)


# -- the 2-D path (unpadded, packed queue, uint8 tables) against the padded N-D path ------------------------------


def _both_paths(img, points, threshold, colour, **kw):
    """region_growing on a 2-D image and on the same image as a one-plane volume (the padded N-D kernel)."""
    axis = -1 if colour else None
    flat = region_growing(img, points, threshold, channel_axis=axis, **kw)
    vol = region_growing(img[None], [(0,) + tuple(p) for p in points], threshold, channel_axis=axis, **kw)[0]
    return flat, vol


@settings(deadline=None, max_examples=40)
@given(seed=st.integers(0, 2**16), kind=st.sampled_from(["u8", "u16", "f32", "f64", "i16", "u8 rgb", "f64 rgb"]),
       criterion=st.sampled_from(["mean", "seed", "confidence"]), connectivity=st.integers(1, 2),
       n_seeds=st.integers(1, 4), max_size=st.sampled_from([None, 1, 7, 60]))
def test_2d_path_equals_padded_nd_path(seed, kind, criterion, connectivity, n_seeds, max_size):
    rng = np.random.default_rng(seed)
    colour = kind.endswith("rgb")
    shape = (14, 17, 3) if colour else (14, 17)
    img = rng.integers(0, 60, shape).astype(kind.split()[0].replace("u8", "uint8").replace("u16", "uint16")
                                             .replace("f32", "float32").replace("f64", "float64")
                                             .replace("i16", "int16"))
    if kind.startswith("f"):
        img = img + rng.random(shape).astype(img.dtype)
    points = [(int(rng.integers(14)), int(rng.integers(17))) for _ in range(n_seeds)]
    threshold = None if criterion == "confidence" else float(rng.uniform(2, 40))
    flat, vol = _both_paths(img, points, threshold, colour, criterion=criterion, connectivity=connectivity,
                            max_size=max_size, k=float(rng.uniform(0.5, 3)), num_iter=int(rng.integers(0, 3)))
    np.testing.assert_array_equal(flat, vol)


@pytest.mark.parametrize("criterion", ["mean", "seed", "confidence"])
@pytest.mark.parametrize("dtype", [np.uint8, np.float32])
def test_2d_queue_compacts_and_grows(monkeypatch, criterion, dtype):
    # a 16-entry first queue must be compacted and doubled many times and still give the same regions
    from fastdip.segmentation import _grow

    rng = np.random.default_rng(6)
    img = (rng.integers(0, 6, (60, 70)) + 100).astype(dtype)
    points = [(30, 35), (0, 0), (59, 69)]
    threshold = None if criterion == "confidence" else 4.5
    expected = region_growing(img, points, threshold, criterion=criterion, connectivity=2)
    monkeypatch.setattr(_grow, "_QUEUE_START", 16)
    small = region_growing(img, points, threshold, criterion=criterion, connectivity=2)
    np.testing.assert_array_equal(small, expected)
    np.testing.assert_array_equal(small, _both_paths(img, points, threshold, False, criterion=criterion,
                                                     connectivity=2)[1])
    assert np.count_nonzero(small) > 1000  # the regions are large enough to need the growth


@pytest.mark.parametrize("dtype", [np.uint8, np.float32])
def test_3d_queue_compacts_and_grows_and_uint8_table_equals_flood(monkeypatch, dtype):
    from skimage.segmentation import flood

    from fastdip.segmentation import _grow

    rng = np.random.default_rng(8)
    vol = (rng.integers(0, 6, (24, 26, 28)) + 100).astype(dtype)
    seed = (12, 13, 14)
    expected = region_growing(vol, seed, 4.5, criterion="seed", connectivity=3)
    np.testing.assert_array_equal(expected == 1, flood(vol, seed, tolerance=4.5, connectivity=3))
    monkeypatch.setattr(_grow, "_QUEUE_START", 16)
    for criterion, threshold in (("seed", 4.5), ("mean", 4.5), ("confidence", None)):
        small = region_growing(vol, [seed, (0, 0, 0)], threshold, criterion=criterion, connectivity=2)
        monkeypatch.setattr(_grow, "_QUEUE_START", 4096)
        big = region_growing(vol, [seed, (0, 0, 0)], threshold, criterion=criterion, connectivity=2)
        monkeypatch.setattr(_grow, "_QUEUE_START", 16)
        np.testing.assert_array_equal(small, big)
    assert np.count_nonzero(expected) > 1000


# -- the scanline flood fill (criterion='seed', one grey region, no max_size) -------------------------------------


def _flood_case(rng, dtype, shape, ties=True):
    """A random grey image of ``dtype`` with few levels (large, winding regions), a seed and a tolerance;
    float images on a 0.1 grid with ``ties`` (differences equal to the tolerance up to rounding)."""
    img = rng.integers(0, 9, shape).astype(dtype)
    if np.dtype(dtype).kind == "f":
        frac = rng.random(shape)
        img = img + (np.round(frac, 1) if ties else frac).astype(dtype)
    point = tuple(int(rng.integers(n)) for n in shape)
    # integers for integer images: skimage.flood truncates a fractional tolerance to the image dtype
    tolerance = float(rng.integers(0, 4)) if np.dtype(dtype).kind in "ui" else float(np.round(rng.uniform(0, 3), 1))
    return img, point, tolerance


@settings(deadline=None, max_examples=60)  # up to 48x48 images; skimage's flood and fastdip: ~1 ms an example
@given(seed=st.integers(0, 2**32 - 1), connectivity=st.integers(1, 2),
       dtype=st.sampled_from(["uint8", "uint16", "int16", "float32", "float64"]))
def test_flood_fill_equals_skimage_flood(seed, connectivity, dtype):
    from skimage.segmentation import flood

    # no ties: skimage compares with seed -/+ tolerance in the image's dtype, fastdip |I - I(seed)| in float64
    rng = np.random.default_rng(seed)
    img, point, tolerance = _flood_case(rng, dtype, tuple(int(n) for n in rng.integers(1, 49, 2)), ties=False)
    ours = region_growing(img, point, tolerance, criterion="seed", connectivity=connectivity)
    assert ours.dtype == np.int32 and set(np.unique(ours)) <= {0, 1}
    np.testing.assert_array_equal(ours == 1, flood(img, point, tolerance=tolerance, connectivity=connectivity))


@settings(deadline=None, max_examples=30)  # 20x23 images, three region_growing calls: ~2 ms an example
@given(seed=st.integers(0, 2**32 - 1), connectivity=st.integers(1, 2),
       dtype=st.sampled_from(["uint8", "uint16", "float32", "float64"]))
def test_flood_fill_equals_breadth_first_paths(seed, connectivity, dtype):
    # the scanline fill (2-D) against the breadth-first queue (the same image as a one-plane volume) and the
    # plain twin; a seed mask of one region (several pixels) takes the same path
    rng = np.random.default_rng(seed)
    img, point, tolerance = _flood_case(rng, dtype, (20, 23))
    ours = region_growing(img, point, tolerance, criterion="seed", connectivity=connectivity)
    vol = region_growing(img[None], (0,) + point, tolerance, criterion="seed", connectivity=connectivity)[0]
    np.testing.assert_array_equal(ours, vol)
    np.testing.assert_array_equal(ours == 1, naive.flood_seed(img, point, tolerance, connectivity))
    mask = np.zeros(img.shape, bool)
    mask[point] = True
    mask[rng.integers(20), rng.integers(23)] = True
    ours = region_growing(img, mask, tolerance, criterion="seed", connectivity=connectivity)
    vol = region_growing(img[None], mask[None], tolerance, criterion="seed", connectivity=connectivity)[0]
    np.testing.assert_array_equal(ours, vol)


@pytest.mark.parametrize("connectivity", [1, 2])
def test_flood_fill_equals_opencv_floodfill_fixed_range(camera, connectivity):
    # cv2.floodFill with FLOODFILL_FIXED_RANGE | FLOODFILL_MASK_ONLY: seed - lo <= I <= seed + up on uint8, the
    # same inclusive rule as |I - I(seed)| <= t for an integer t; the mask is (h + 2, w + 2), 1 inside
    cv2 = pytest.importorskip("cv2")
    flags = (4 if connectivity == 1 else 8) | cv2.FLOODFILL_FIXED_RANGE | cv2.FLOODFILL_MASK_ONLY | (1 << 8)
    rng = np.random.default_rng(8)
    noisy = rng.integers(0, 4, (150, 170)).astype(np.uint8)  # a maze of short spans
    for img, point, tol in [(camera, (256, 256), 20), (camera, (100, 400), 7), (camera, (480, 30), 0),
                            (noisy, (75, 85), 1), (noisy, (0, 0), 2)]:
        mask = np.zeros((img.shape[0] + 2, img.shape[1] + 2), np.uint8)
        cv2.floodFill(img.copy(), mask, point[::-1], 0, tol, tol, flags)  # MASK_ONLY: the image is untouched
        ours = region_growing(img, point, tol, criterion="seed", connectivity=connectivity)
        np.testing.assert_array_equal(ours == 1, mask[1:-1, 1:-1] == 1)


def test_flood_fill_seed_failing_its_own_region_mean_keeps_the_breadth_first_rule():
    # two seed pixels 0 and 10: the reference is their mean 5; with tolerance 2 neither passes, but seeds are
    # always in the region and pass it on to their neighbours (here the 5s next to the 0)
    img = np.array([[0, 5, 9, 10]], np.uint8)
    mask = np.array([[1, 0, 0, 1]], bool)
    np.testing.assert_array_equal(region_growing(img, mask, 2, criterion="seed"), [[1, 1, 0, 1]])


def test_flood_fill_thresholds_at_float_ties():
    # float64: 0.3 - 0.1 = 0.19999999999999998 and 0.5 - 0.3 = 0.2 are both <= 0.2; float32 values widened
    # exactly: 0.30000001192 - 0.10000000149 = 0.20000001043 > 0.2 but 0.5 - 0.30000001192 < 0.2
    row = np.array([[0.1, 0.3, 0.5, 0.6]])
    np.testing.assert_array_equal(region_growing(row, (0, 1), 0.2, criterion="seed"), [[1, 1, 1, 0]])
    np.testing.assert_array_equal(region_growing(row.astype(np.float32), (0, 1), 0.2, criterion="seed"),
                                  [[0, 1, 1, 0]])


@pytest.mark.parametrize("dtype", ["uint8", "uint16", "float32", "float64"])
def test_accepted_interval_is_exact_at_both_ends(dtype):
    from fastdip.segmentation import _grow

    rng = np.random.default_rng(4)
    dt = np.dtype(dtype)
    for _ in range(50):
        v = dt.type(rng.integers(0, 200) + (rng.random() if dt.kind == "f" else 0))
        ref, tol = float(v), float(rng.choice([0.0, 0.1, 1.0, 2.5, 1e-7, 30.0]))
        lo, hi = _grow._accepted_interval(ref, tol, v, dt)
        assert lo.dtype == dt and hi.dtype == dt
        assert abs(ref - float(lo)) <= tol and abs(ref - float(hi)) <= tol
        if dt.kind == "f":
            below, above = np.nextafter(lo, dt.type(-np.inf)), np.nextafter(hi, dt.type(np.inf))
        else:
            below, above = int(lo) - 1, int(hi) + 1
        if below >= (np.finfo(dt).min if dt.kind == "f" else 0):
            assert abs(ref - float(below)) > tol
        if above <= (np.finfo(dt).max if dt.kind == "f" else np.iinfo(dt).max):
            assert abs(ref - float(above)) > tol


def test_accepted_interval_of_unsigned_images_equals_brute_force():
    from fastdip.segmentation import _grow

    rng = np.random.default_rng(9)
    levels = np.arange(256.0)
    refs = np.concatenate([np.arange(256.0), rng.uniform(0, 255, 60), [0.5, 254.5, 1e-9, 255 - 1e-9]])
    for ref in refs:
        v = int(np.clip(np.rint(ref), 0, 255))
        for tol in (0.0, 0.3, 0.5, 1.0, 2.5, 20.0, 254.0, 1e6, 1e300):
            ok = np.flatnonzero(np.abs(ref - levels) <= tol)
            if ok.size == 0 or not abs(ref - v) <= tol:
                continue
            lo, hi = _grow._accepted_interval(float(ref), tol, np.uint8(v), np.dtype(np.uint8))
            assert (int(lo), int(hi)) == (ok[0], ok[-1]), (ref, tol)
    lo, hi = _grow._accepted_interval(40000.0, 7.5, np.uint16(40000), np.dtype(np.uint16))
    assert (int(lo), int(hi)) == (39993, 40007) and lo.dtype == np.uint16
    # the cache is keyed on the dtype too: the same numbers for uint8, uint16 and float32 give each its own ends
    ends = [_grow._accepted_interval(250.0, 20.0, dt.type(250), dt) for dt in map(np.dtype, ("u1", "u2", "f4"))]
    assert [(type(lo), int(lo), int(hi)) for lo, hi in ends] == [
        (np.uint8, 230, 255), (np.uint16, 230, 270), (np.float32, 230, 270)]


def test_flood_fill_small_stack_and_large_lazy_result(monkeypatch):
    from skimage.segmentation import flood

    from fastdip.segmentation import _grow

    rng = np.random.default_rng(12)
    img = rng.integers(0, 3, (80, 90)).astype(np.uint8)
    expected = region_growing(img, (40, 45), 1, criterion="seed", connectivity=2)
    monkeypatch.setattr(_grow, "_STACK_START", 4)
    np.testing.assert_array_equal(region_growing(img, (40, 45), 1, criterion="seed", connectivity=2), expected)
    monkeypatch.setattr(_grow, "_LAZY_ZEROS_BYTES", 1)  # the result on fresh zero pages
    lazy = region_growing(img, (40, 45), 1, criterion="seed", connectivity=2)
    np.testing.assert_array_equal(lazy, expected)
    assert lazy.flags.writeable and lazy.flags.c_contiguous
    monkeypatch.setattr(_grow, "_HUGE_AFTER", 50)  # a pause after 50 pixels for huge pages, then on
    huge = region_growing(img, (40, 45), 1, criterion="seed", connectivity=2)
    np.testing.assert_array_equal(huge, expected)
    huge[0, 0] = 5  # writable private memory
    np.testing.assert_array_equal(expected == 1, flood(img, (40, 45), tolerance=1, connectivity=2))
    assert np.count_nonzero(expected) > 1000
