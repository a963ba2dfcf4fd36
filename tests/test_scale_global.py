"""fastdip.scale._global (two-pass global steps) and fastdip.scale._geometric (chunked warps and resizes):
chunked == in-memory with chunks that force many borders; exact order statistics against numpy's sort and
percentile; Otsu against skimage; multi-Otsu's dynamic programme against the in-memory function; warps against
the in-memory warp and scipy.ndimage.map_coordinates."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

da = pytest.importorskip("dask.array")

from scipy import ndimage as ndi  # noqa: E402

from fastdip import geometry, segmentation  # noqa: E402
from fastdip.pipeline import get  # noqa: E402
from fastdip.scale import _geometric, _global  # noqa: E402

CHUNKS = (37, 53)


@pytest.fixture(autouse=True)
def _one_thread_scheduler():
    """Dask's synchronous scheduler: the same graphs, without thread start-up on a busy test machine (the
    threaded and distributed schedulers are exercised in test_scale_label.py and test_scale.py)."""
    import dask

    with dask.config.set(scheduler="synchronous"):
        yield
RNG = np.random.default_rng(20261206)
U8 = RNG.integers(0, 256, (200, 300)).astype(np.uint8)
F32 = ndi.gaussian_filter(RNG.random((200, 300)), 3).astype(np.float32)
F64 = RNG.gamma(2.0, 1.0, (200, 300))


def _run(handlers, name, image, params, chunks=CHUNKS):
    op = get(name)
    expected = op.func(image, **params)
    got = handlers[name](da.from_array(image, chunks=chunks), dict(params), op).compute()
    return expected, got


def _same(expected, got):
    assert got.dtype == expected.dtype and got.shape == expected.shape
    np.testing.assert_array_equal(got, expected)


# -- two-pass global steps: bit-identical -----------------------------------------------------------------------


@pytest.mark.parametrize("image,params", [
    (U8, {}), (U8, {"definition": "opencv"}), (F32, {}), (F64, {"bins": 17}),
])
def test_equalize_equals_in_memory(image, params):
    _same(*_run(_global.HANDLERS, "histogram.equalize", image, params))


@pytest.mark.parametrize("image,params", [
    (U8, {}), (U8, {"percentiles": [2, 98]}), (F32, {"percentiles": [0.5, 99.3], "out_range": [10, 200]}),
    (F64, {}), ((U8.astype(np.int16) - 128), {"percentiles": [1, 99]}),
])
def test_contrast_stretch_equals_in_memory(image, params):
    _same(*_run(_global.HANDLERS, "intensity.contrast_stretch", image, params))


@pytest.mark.parametrize("image,params", [(U8, {}), (F32, {"out_range": [-1, 1]}), (F64, {"dtype": "uint16"})])
def test_rescale_intensity_equals_in_memory(image, params):
    _same(*_run(_global.HANDLERS, "dtype.rescale_intensity", image, params))


@pytest.mark.parametrize("image,params", [
    (U8, {"threshold": "otsu"}), (F32, {"threshold": "otsu", "bins": 64}),
    (U8, {"threshold": "multi_otsu", "classes": 4}), (F32, {"threshold": "multi_otsu", "dark": True}),
    (F64, {"threshold": "percentile", "q": 37.3}), ((U8.astype(np.uint16) * 200), {"threshold": "mean"}),
    (U8, {"threshold": 100, "dark": True}),
])
def test_binarize_equals_in_memory(image, params):
    _same(*_run(_global.HANDLERS, "segmentation.binarize", image, params))


def test_otsu_against_skimage_on_a_bimodal_image():
    from skimage.filters import threshold_otsu

    image = np.where(RNG.random((120, 90)) < 0.3, RNG.normal(60, 10, (120, 90)),
                     RNG.normal(170, 15, (120, 90))).clip(0, 255).astype(np.uint8)
    _, got = _run(_global.HANDLERS, "segmentation.binarize", image, {"threshold": "otsu"}, (17, 23))
    np.testing.assert_array_equal(got, image > threshold_otsu(image))


def test_otsu_exact_tie_goes_to_the_smallest_level():
    # two equal spikes: every threshold between them is a tie in exact arithmetic
    counts = np.array([5, 0, 0, 5], dtype=np.int64)
    values = np.arange(4, dtype=np.float64)
    keep = counts > 0
    assert _global._otsu(counts[keep], values[keep], True) == 0.0
    image = np.repeat(np.array([0, 3], dtype=np.uint8), 5)
    assert segmentation.otsu(image) == 0.0


@settings(max_examples=25, deadline=None)
@given(st.lists(st.integers(1, 400), min_size=3, max_size=40), st.integers(2, 5))
def test_multi_otsu_programme_equals_in_memory(counts, classes):
    counts = np.array(counts, dtype=np.int64)
    values = np.cumsum(np.arange(1, counts.size + 1)).astype(np.float64)  # uneven level spacing
    if counts.size < classes:
        with pytest.raises(ValueError, match="classes"):
            _global._multi_otsu(counts, values, classes)
        return
    image = np.repeat(values.astype(np.uint16), counts)
    np.testing.assert_array_equal(_global._multi_otsu(counts, values, classes),
                                  segmentation.multi_otsu(image, classes=classes))


# -- exact order statistics (hypothesis: random values and chunkings) --------------------------------------------


_FLOATS = st.sampled_from([np.float32, np.float64, np.int16, np.uint8])


@settings(max_examples=20, deadline=None)
@given(st.integers(0, 2**32 - 1), _FLOATS, st.integers(8, 60), st.integers(2, 120))
def test_order_statistics_equal_the_sorted_values(seed, dtype, chunk, n):
    rng = np.random.default_rng(seed)
    if np.dtype(dtype).kind == "f":
        x = rng.normal(0, 3, n).astype(dtype)
        x[rng.random(n) < 0.1] = np.nan
        x[rng.random(n) < 0.05] = -np.inf
        x[rng.random(n) < 0.1] = -0.0
    else:
        info = np.iinfo(dtype)
        x = rng.integers(info.min, int(info.max) + 1, n).astype(dtype)
    finite = np.sort(x[np.isfinite(x)]) if x.dtype.kind == "f" else np.sort(x)
    if finite.size == 0:
        return
    ranks = sorted({0, finite.size - 1, int(rng.integers(0, finite.size))})
    values, total = _global.order_statistics(da.from_array(x, chunks=chunk), ranks)
    assert total == finite.size
    assert [float(v) for v in values] == [float(finite[r]) for r in ranks]


@settings(max_examples=10, deadline=None)
@given(st.integers(0, 2**32 - 1), st.floats(0, 100), st.integers(20, 120), st.booleans())
def test_percentile_equals_numpy(seed, q, chunk, weak):
    rng = np.random.default_rng(seed)
    x = rng.normal(0, 1, 150).astype(np.float32 if seed % 2 else np.float64)
    expected = np.percentile(x, q) if weak else np.percentile(x, (q,))[0]
    got = _global._numpy_percentile(da.from_array(x, chunks=chunk), q, "test", weak=weak)
    assert got == float(expected)


# -- refusals and errors ---------------------------------------------------------------------------------------


def test_equalize_per_channel_equals_in_memory():
    rgb = RNG.integers(0, 256, (3, 40, 50)).astype(np.uint8)
    rgb[1] //= 4  # channels with different histograms
    _same(*_run(_global.HANDLERS, "histogram.equalize", rgb, {"channel_axis": 0}, (2, 13, 17)))
    _same(*_run(_global.HANDLERS, "histogram.equalize", np.moveaxis(rgb, 0, -1).astype(np.float32) / 255,
                {"channel_axis": -1, "bins": 32}, (13, 17, 3)))


def test_float_mean_and_luminance_equalize_are_left_to_memory():
    with pytest.raises(NotImplementedError, match="mean"):
        _run(_global.HANDLERS, "segmentation.binarize", F32, {"threshold": "mean"})
    rgb = RNG.integers(0, 256, (20, 30, 3)).astype(np.uint8)
    with pytest.raises(NotImplementedError, match="luminance"):
        _run(_global.HANDLERS, "histogram.equalize", rgb, {"channel_axis": -1, "colour": "luminance"}, (7, 9, 3))


def test_bad_inputs_raise_the_in_memory_errors():
    bad = F32.copy()
    bad[5, 7] = np.nan
    op = get("segmentation.binarize")
    with pytest.raises(ValueError, match="finite|NaN"):
        _global.HANDLERS["segmentation.binarize"](da.from_array(bad, chunks=CHUNKS), {"threshold": "otsu"}, op)
    with pytest.raises(ValueError, match="q"):
        _global.HANDLERS["segmentation.binarize"](da.from_array(U8, chunks=CHUNKS), {"threshold": "percentile"}, op)
    with pytest.raises(ValueError, match="finite|NaN"):
        _global.HANDLERS["histogram.equalize"](da.from_array(bad, chunks=CHUNKS), {}, get("histogram.equalize"))


# -- geometric: each output chunk from its own input region ------------------------------------------------------

SMALL_U8 = RNG.integers(0, 256, (40, 60)).astype(np.uint8)
SMALL_F32 = RNG.random((40, 60)).astype(np.float32)
AFFINE = geometry.compose(geometry.rotation(23, (20, 30)), geometry.scaling((1.2, 0.9)),
                          geometry.translation((5, -7)))
GEO_CHUNKS = (13, 17)


def _close(expected, got, rtol=1e-5):
    assert got.dtype == expected.dtype and got.shape == expected.shape
    if expected.dtype.kind == "f":
        np.testing.assert_allclose(got, expected, rtol=rtol, atol=rtol)
    else:
        np.testing.assert_array_equal(got, expected)


@pytest.mark.parametrize("interpolation,mode", [
    ("nearest", "constant"), ("nearest", "mirror"), ("bilinear", "wrap"), ("bilinear", "nearest"),
    ("bicubic", "reflect"), ("lanczos", "wrap"), ("lanczos", "constant"),
])
def test_warp_affine_equals_in_memory(interpolation, mode):
    params = {"matrix": AFFINE.tolist(), "interpolation": interpolation, "mode": mode, "cval": 3}
    _close(*_run(_geometric.HANDLERS, "geometry.warp_affine", SMALL_U8, params, GEO_CHUNKS))


def test_warp_nearest_against_scipy_map_coordinates():
    m = geometry.compose(geometry.rotation(90, (19.5, 19.5)), geometry.translation((0, 3)))
    _, got = _run(_geometric.HANDLERS, "geometry.warp_affine", SMALL_U8[:40, :40],
                  {"matrix": m.tolist(), "interpolation": "nearest", "mode": "wrap"}, GEO_CHUNKS)
    rows, cols = np.indices((40, 40), dtype=np.float64)
    inv = np.linalg.inv(m)
    src = np.einsum("ij,jrc->irc", inv, np.stack([rows, cols, np.ones_like(rows)]))
    expected = ndi.map_coordinates(SMALL_U8[:40, :40], src[:2], order=0, mode="grid-wrap")
    np.testing.assert_array_equal(got, expected)


@pytest.mark.parametrize("name,image,params", [
    ("geometry.rotate", SMALL_F32, {"angle": -17, "reshape": True, "interpolation": "bicubic", "mode": "reflect"}),
    ("geometry.rotate", SMALL_U8, {"angle": 90, "interpolation": "nearest", "center": [20, 30]}),
    ("geometry.rotate", RNG.random((20, 30, 3)).astype(np.float32), {"angle": 12, "channel_axis": -1}),
    ("geometry.warp_affine", SMALL_F32, {"matrix": AFFINE.tolist(), "output_shape": [35, 75]}),
    ("geometry.warp_perspective", SMALL_F32, {"H": [[1.0, 0.05, 3], [0.02, 0.95, -4], [1e-3, 2e-3, 1.0]]}),
    ("geometry.warp_perspective", SMALL_U8, {"H": [[1.0, 0.05, 3], [0.02, 0.95, -4], [1e-3, 2e-3, 1.0]],
                                             "interpolation": "nearest", "mode": "wrap"}),
    ("geometry.resize", SMALL_U8, {"output_shape": [23, 170], "interpolation": "nearest"}),
    ("geometry.resize", SMALL_U8, {"output_shape": [23, 170], "interpolation": "lanczos", "mode": "wrap"}),
    ("geometry.resize", SMALL_F32, {"output_shape": [131, 31], "interpolation": "area"}),
    ("geometry.resize", SMALL_F32, {"output_shape": [131, 31], "interpolation": "bicubic", "mode": "constant",
                                    "cval": 0.5, "antialias": False}),
    ("geometry.rescale", RNG.random((10, 20, 24)).astype(np.float32), {"scale": [1.5, 0.5, 0.8]}),
    ("geometry.rescale", RNG.random((20, 30, 3)).astype(np.float32), {"scale": 0.6, "channel_axis": -1}),
])
def test_geometric_steps_equal_in_memory(name, image, params):
    if image.ndim == 2:
        chunks = GEO_CHUNKS
    else:
        chunks = GEO_CHUNKS + (3,) if image.shape[-1] == 3 else (5, 9, 11)
    _close(*_run(_geometric.HANDLERS, name, image, params, chunks))


def test_warp_3d_equals_in_memory():
    vol = RNG.random((10, 14, 18)).astype(np.float32)
    m = np.eye(4)
    m[:3, :3] = [[1, 0.1, 0], [0, 0.9, 0.1], [0.05, 0, 1.1]]
    m[:3, 3] = [1, -2, 3]
    _close(*_run(_geometric.HANDLERS, "geometry.warp_affine", vol, {"matrix": m.tolist(), "mode": "reflect"},
                 (5, 7, 9)))


def test_integer_interpolating_warps_are_left_to_memory():
    with pytest.raises(NotImplementedError, match="integer"):
        _run(_geometric.HANDLERS, "geometry.rotate", SMALL_U8, {"angle": 10, "dtype": "uint8"}, GEO_CHUNKS)
    with pytest.raises(NotImplementedError, match="horizon"):
        _run(_geometric.HANDLERS, "geometry.warp_perspective", SMALL_F32,
             {"H": [[1, 0, 0], [0, 1, 0], [0.05, 0, 1]]}, GEO_CHUNKS)


@settings(max_examples=5, deadline=None)
@given(st.integers(6, 30), st.integers(6, 30), st.floats(-180, 180))
def test_rotation_any_chunking(rows, cols, angle):
    params = {"angle": angle, "interpolation": "bilinear", "mode": "reflect"}
    _close(*_run(_geometric.HANDLERS, "geometry.rotate", SMALL_F32[:30, :30], params, (rows, cols)))
