"""fastdip.scale._label (connected components across chunks) and fastdip.scale._measure (streamed region
properties, counts, histogram statistics): equal to the in-memory functions and to scipy / skimage on images
whose objects cross many chunk borders; random chunkings by hypothesis; one run on a distributed LocalCluster."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

da = pytest.importorskip("dask.array")

from fastdip import segmentation  # noqa: E402
from fastdip.pipeline import Table, get  # noqa: E402
from fastdip.scale import _label, _measure  # noqa: E402
from tests._dask import LOOPBACK_HTTP

CHUNKS = (37, 53)
RNG = np.random.default_rng(1206)


def _blobs(shape, sigma, level, rng=RNG):
    """A binary image of smooth random blobs (objects of many sizes, many crossing chunk borders)."""
    from scipy import ndimage as ndi

    return ndi.gaussian_filter(rng.random(shape), sigma) > level


MASK = _blobs((200, 300), 2.0, 0.5)
SPECKLE = RNG.random((200, 300)) > 0.55  # thousands of small objects, diagonal contacts everywhere
VOLUME = _blobs((24, 30, 36), 1.2, 0.5)


@pytest.fixture(autouse=True)
def _synchronous():
    """The synchronous scheduler (the same graphs without thread start-up on a busy test machine); the
    distributed test below sets its own client."""
    import dask

    with dask.config.set(scheduler="synchronous"):
        yield


def _chunked(name, image, params, chunks=CHUNKS, handlers=None):
    op = get(name)
    handlers = handlers or (_measure.HANDLERS if name.startswith(("measure", "histogram")) else _label.HANDLERS)
    result = handlers[name](da.from_array(image, chunks=chunks), dict(params), op)
    return result if isinstance(result, Table) else result.compute()


def _crossings(labels, chunks):
    """How many objects span more than one chunk (the test images must have many)."""
    n = 0
    edges = [np.arange(c, s, c) for c, s in zip(chunks, labels.shape)]
    for axis, cuts in enumerate(edges):
        for c in cuts:
            a = np.take(labels, c - 1, axis=axis)
            b = np.take(labels, c, axis=axis)
            n += np.unique(a[(a > 0) & (a == b)]).size
    return n


# -- label ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("image", [MASK, SPECKLE], ids=["blobs", "speckle"])
@pytest.mark.parametrize("connectivity", [1, 2])
def test_label_2d_equals_in_memory_and_scipy(image, connectivity):
    from scipy import ndimage as ndi

    expected = segmentation.label(image, connectivity=connectivity)
    assert _crossings(expected, CHUNKS) > 10
    got = _chunked("segmentation.label", image, {"connectivity": connectivity})
    assert got.dtype == np.int32
    np.testing.assert_array_equal(got, expected)  # the same numbering, not only the same partition
    structure = ndi.generate_binary_structure(2, connectivity)
    np.testing.assert_array_equal(got, ndi.label(image, structure)[0])


@pytest.mark.parametrize("connectivity", [1, 2, 3])
def test_label_3d_equals_scipy(connectivity):
    from scipy import ndimage as ndi

    got = _chunked("segmentation.label", VOLUME, {"connectivity": connectivity}, (7, 9, 11))
    expected = ndi.label(VOLUME, ndi.generate_binary_structure(3, connectivity))[0]
    assert _crossings(expected, (7, 9, 11)) > 3
    np.testing.assert_array_equal(got, expected)


def test_label_one_pixel_wide_diagonal_crosses_a_chunk_corner():
    image = np.eye(12, dtype=bool) | np.eye(12, dtype=bool)[::-1]
    eight = _chunked("segmentation.label", image, {}, (5, 5))
    four = _chunked("segmentation.label", image, {"connectivity": 1}, (5, 5))
    assert eight.max() == 1  # joined through the chunk corners diagonally
    assert four.max() == 21  # 24 pixels: 20 alone, the 2 x 2 block where the diagonals cross is one object
    np.testing.assert_array_equal(four, segmentation.label(image, connectivity=1))


@settings(max_examples=10, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(4, 40), st.integers(4, 40), st.integers(1, 2))
def test_label_any_chunking(seed, rows, cols, connectivity):
    image = np.random.default_rng(seed).random((40, 50)) > 0.5
    got = _chunked("segmentation.label", image, {"connectivity": connectivity}, (rows, cols))
    np.testing.assert_array_equal(got, segmentation.label(image, connectivity=connectivity))


@pytest.mark.parametrize("name,params", [
    ("segmentation.remove_small_objects", {"min_size": 25}),
    ("segmentation.remove_small_objects", {"min_size": 4, "connectivity": 1}),
    ("segmentation.clear_border", {}),
    ("segmentation.clear_border", {"buffer": 7, "connectivity": 1}),
    ("segmentation.fill_holes", {}),
    ("segmentation.fill_holes", {"connectivity": 2}),
])
def test_component_steps_equal_in_memory(name, params):
    op = get(name)
    expected = op.func(SPECKLE if "remove" in name else MASK, **params)
    got = _chunked(name, SPECKLE if "remove" in name else MASK, params)
    assert got.dtype == expected.dtype
    np.testing.assert_array_equal(got, expected)


def test_fill_holes_3d_against_scipy():
    from scipy import ndimage as ndi

    got = _chunked("segmentation.fill_holes", VOLUME, {}, (7, 9, 11))
    np.testing.assert_array_equal(got, ndi.binary_fill_holes(VOLUME))


def test_label_image_inputs_are_left_to_memory():
    with pytest.raises(NotImplementedError):
        _chunked("segmentation.clear_border", segmentation.label(MASK), {})


def test_label_errors_are_the_in_memory_ones():
    with pytest.raises(ValueError, match="connectivity"):
        _chunked("segmentation.label", MASK, {"connectivity": 3})


# -- measure ---------------------------------------------------------------------------------------------------


LABELS = segmentation.label(MASK)
INTENSITY_U8 = RNG.integers(0, 256, MASK.shape).astype(np.uint8)
INTENSITY_F = RNG.random(MASK.shape)


@pytest.mark.parametrize("params", [{}, {"intensity": INTENSITY_U8}, {"intensity": INTENSITY_F},
                                    {"spacing": [0.5, 2.0]}, {"intensity": INTENSITY_U8, "spacing": 0.7}],
                         ids=["plain", "uint8", "float", "anisotropic", "spacing"])
def test_regionprops_2d_equals_in_memory(params):
    expected = Table.from_result(get("measure.regionprops").func(LABELS, **params))
    chunked = dict(params)
    if "intensity" in chunked:
        chunked["intensity"] = da.from_array(chunked["intensity"], chunks=(41, 29))  # other chunks than the labels
    got = _chunked("measure.regionprops", LABELS, chunked)
    assert got.columns == expected.columns and len(got) == len(expected) > 30
    float_intensity = params.get("intensity") is INTENSITY_F
    for column in got.columns:
        if not (column == "mean_intensity" and float_intensity):  # float sums in another order: a few ulps
            np.testing.assert_array_equal(got.data[column], expected.data[column], err_msg=column)  # NaN == NaN
        else:
            np.testing.assert_allclose(got.data[column], expected.data[column], rtol=1e-12)


def test_regionprops_against_skimage():
    from skimage.measure import regionprops as sk_regionprops

    got = _chunked("measure.regionprops", LABELS, {"intensity": INTENSITY_U8})
    regions = sk_regionprops(LABELS, intensity_image=INTENSITY_U8.astype(float))
    assert got.data["label"] == [r.label for r in regions]
    assert got.data["area"] == [float(r.area) for r in regions]
    np.testing.assert_allclose(got.data["centroid_0"], [r.centroid[0] for r in regions], rtol=1e-12)
    np.testing.assert_allclose(got.data["centroid_1"], [r.centroid[1] for r in regions], rtol=1e-12)
    assert got.data["bbox_2"] == [r.bbox[2] for r in regions]
    np.testing.assert_allclose(got.data["mean_intensity"], [r.intensity_mean for r in regions], rtol=1e-12)
    np.testing.assert_allclose(got.data["perimeter"], [r.perimeter for r in regions], rtol=1e-12)
    np.testing.assert_allclose(got.data["solidity"], [r.solidity for r in regions], rtol=1e-9)


def test_regionprops_3d_equals_in_memory():
    labels = segmentation.label(VOLUME)
    intensity = RNG.integers(0, 1000, VOLUME.shape).astype(np.uint16)
    expected = Table.from_result(get("measure.regionprops").func(labels, intensity))
    got = _chunked("measure.regionprops", labels, {"intensity": intensity}, (7, 9, 11))
    assert got == expected


@settings(max_examples=4, deadline=None)
@given(st.integers(7, 60), st.integers(7, 80))
def test_regionprops_any_chunking(rows, cols):
    labels = LABELS[:60, :80]
    expected = Table.from_result(get("measure.regionprops").func(labels))
    assert _chunked("measure.regionprops", labels, {}, (rows, cols)) == expected


@pytest.mark.parametrize("chunks", [(59, 7), (7, 79), (1, 80), (30, 1)])
def test_regionprops_with_chunks_thinner_than_the_halo(chunks):
    # a last chunk of one row or column (60 = 59 + 1): dask's overlap would rechunk it on its own
    labels = LABELS[:60, :80]
    expected = Table.from_result(get("measure.regionprops").func(labels))
    assert _chunked("measure.regionprops", labels, {}, chunks) == expected


def test_regionprops_of_objects_spanning_every_chunk_and_disconnected_labels():
    # a thick ring through every chunk, one label split into two far-apart pieces, single pixels on chunk
    # corners: perimeter and solidity of crossing objects come from the streamed codes and row extents
    rows, cols = np.indices((60, 80))
    radius = np.hypot(rows - 30, cols - 40)
    labels = np.where((radius > 18) & (radius < 26), 3, 0).astype(np.int32)
    labels[1:6, 1:9] = 7
    labels[52:58, 70:79] = 7
    labels[12, 16] = 9
    labels[13, 17] = 9
    expected = Table.from_result(get("measure.regionprops").func(labels, INTENSITY_U8[:60, :80]))
    got = _chunked("measure.regionprops", labels, {"intensity": INTENSITY_U8[:60, :80]}, (13, 17))
    for column in got.columns:
        np.testing.assert_array_equal(got.data[column], expected.data[column], err_msg=column)


def test_regionprops_of_an_empty_label_image():
    empty = np.zeros((30, 40), np.int32)
    expected = Table.from_result(get("measure.regionprops").func(empty))
    assert _chunked("measure.regionprops", empty, {}, (7, 9)) == expected


def test_count_and_stats_equal_in_memory():
    sparse = np.where(LABELS % 3 == 0, 0, LABELS * 1000)  # gaps and large label values
    assert _chunked("measure.count", sparse, {}) == Table.from_result(get("measure.count").func(sparse))
    for image in (INTENSITY_U8, (INTENSITY_U8.astype(np.uint16) * 257)):
        expected = Table.from_result(get("histogram.stats").func(image))
        assert _chunked("histogram.stats", image, {}) == expected
    with pytest.raises(NotImplementedError):
        _chunked("histogram.stats", INTENSITY_F, {})


def test_measure_errors():
    with pytest.raises(ValueError, match="negative"):
        _chunked("measure.regionprops", LABELS.astype(np.int64) - 1, {})
    with pytest.raises(ValueError, match="shape"):
        _chunked("measure.regionprops", LABELS, {"intensity": INTENSITY_F[:10]})


# -- on a distributed cluster ----------------------------------------------------------------------------------


@pytest.fixture
def client():
    distributed = pytest.importorskip("distributed")
    # in-process worker: the inproc transport opens no socket (host="127.0.0.1" is refused with
    # processes=False: an inproc address is not a host); the scheduler's HTTP server goes on the loopback
    cluster = distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None,
                                       scheduler_kwargs=LOOPBACK_HTTP)
    c = distributed.Client(cluster, set_as_default=False)
    try:
        yield c
    finally:
        c.close()
        cluster.close()


def test_label_and_regionprops_on_a_local_cluster(client):
    import dask

    with dask.config.set(scheduler=client.get):
        image = da.from_array(MASK[:100, :150], chunks=CHUNKS)
        labels = _label.HANDLERS["segmentation.label"](image, {}, get("segmentation.label"))
        table = _measure.HANDLERS["measure.regionprops"](labels, {}, get("measure.regionprops"))
        got = labels.compute()
    expected = segmentation.label(MASK[:100, :150])
    np.testing.assert_array_equal(got, expected)
    assert table == Table.from_result(get("measure.regionprops").func(expected))
