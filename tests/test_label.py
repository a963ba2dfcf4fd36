"""fastdip.segmentation label family: label, relabel_sequential, remove_small_objects, fill_holes,
clear_border. Hand cases, scipy / OpenCV / skimage / naive references, properties, pathologies."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
import scipy.ndimage as ndi
import skimage.morphology as skm
import skimage.segmentation as sks
from hypothesis import given, settings
from hypothesis import strategies as st

from fastdip.segmentation import clear_border, fill_holes, label, relabel_sequential, remove_small_objects
from tests import _naive_morphology as naive


def _canonical(labels):
    """Renumber labels in raster order of first pixel (for peers whose numbering differs)."""
    flat = labels.reshape(-1)
    values, first = np.unique(flat, return_index=True)
    keep = values != 0
    order = np.argsort(first[keep])
    lut = np.zeros(int(values.max()) + 1, np.int64)
    lut[values[keep][order]] = np.arange(1, order.size + 1)
    return lut[labels]


# ------------------------------------------------------------------------------------------- hand cases


def test_label_by_hand_8_and_4():
    image = np.array([[1, 1, 0, 0, 1],
                      [0, 0, 1, 0, 1],
                      [1, 0, 0, 1, 1]])
    # 8-connected: the diagonal steps join the top-left pair to the right-hand object
    assert label(image).tolist() == [[1, 1, 0, 0, 1],
                                     [0, 0, 1, 0, 1],
                                     [2, 0, 0, 1, 1]]
    assert label(image, connectivity=1).tolist() == [[1, 1, 0, 0, 2],
                                                     [0, 0, 3, 0, 2],
                                                     [4, 0, 0, 2, 2]]
    assert label(image).dtype == np.int32


def test_label_u_shape_merges_late():
    # two arms that meet only at the bottom: the union-find must merge them (lowest label wins)
    image = np.array([[1, 0, 1],
                      [1, 0, 1],
                      [1, 1, 1]], bool)
    assert np.array_equal(label(image), image.astype(np.int32))


def test_label_3d_by_hand():
    vol = np.zeros((2, 2, 2), bool)
    vol[0, 0, 0] = vol[1, 1, 1] = True
    assert label(vol).max() == 1
    assert label(vol, connectivity=2).max() == 2
    assert label(vol, connectivity=1).max() == 2


def test_relabel_remove_fill_clear_by_hand():
    assert relabel_sequential(np.array([[0, 7, 7], [3, 0, 12]])).tolist() == [[0, 2, 2], [1, 0, 3]]
    assert relabel_sequential(np.array([5, 9], np.uint16)).tolist() == [1, 2]
    image = np.array([[1, 1, 0, 1], [1, 1, 0, 0]], bool)
    assert remove_small_objects(image, 2).tolist() == [[1, 1, 0, 0], [1, 1, 0, 0]]
    assert remove_small_objects(np.array([[2, 2, 0, 5]]), 2).tolist() == [[2, 2, 0, 0]]
    ring = np.array([[1, 1, 1, 0], [1, 0, 1, 0], [1, 1, 1, 0]], bool)
    assert fill_holes(ring).all(axis=0).tolist() == [True, True, True, False]
    lab = np.array([[1, 0, 0, 0], [0, 0, 2, 0], [0, 0, 0, 0], [3, 3, 0, 0]])
    assert clear_border(lab).tolist() == [[0, 0, 0, 0], [0, 0, 2, 0], [0, 0, 0, 0], [0, 0, 0, 0]]
    assert clear_border(lab, buffer=1).max() == 0


def test_fill_holes_connectivity_of_background():
    # a diagonal gap: 4-connected background sees a hole, 8-connected background leaks out
    image = np.array([[0, 1, 1, 1],
                      [1, 0, 0, 1],
                      [1, 0, 0, 1],
                      [1, 1, 1, 1]], bool)
    assert fill_holes(image).sum() == 15
    assert fill_holes(image, connectivity=2).sum() == 11


# --------------------------------------------------------------------------------------------- references


@pytest.mark.parametrize("shape", [(50,), (37, 41), (9, 11, 13), (3, 1, 7), (1, 1)])
@pytest.mark.parametrize("p", [0.2, 0.5, 0.75])
def test_label_equals_scipy_all_connectivities(shape, p):
    rng = np.random.default_rng(1)
    image = rng.random(shape) < p
    for conn in range(1, len(shape) + 1):
        ref, n = ndi.label(image, ndi.generate_binary_structure(len(shape), conn))
        out = label(image, connectivity=conn)
        assert np.array_equal(out, ref), conn
        assert out.max() == n


def test_label_equals_naive_flood_fill():
    rng = np.random.default_rng(2)
    vol = rng.random((6, 7, 8)) < 0.5
    for conn in (1, 2, 3):
        assert np.array_equal(label(vol, connectivity=conn), naive.label(vol, conn))


@pytest.mark.parametrize("conn", [1, 2])
def test_label_matches_opencv_up_to_numbering(camera, conn):
    image = camera > 100
    _, ref = cv2.connectedComponents(image.view(np.uint8), connectivity=4 if conn == 1 else 8)
    assert np.array_equal(label(image, connectivity=conn), _canonical(ref))


def test_label_matches_skimage(camera):
    from skimage.measure import label as sk_label

    image = camera < 80
    assert np.array_equal(label(image), sk_label(image, connectivity=2))


def test_remove_small_objects_matches_skimage():
    rng = np.random.default_rng(3)
    image = ndi.gaussian_filter(rng.random((120, 130)), 2) > 0.52
    for size in (1, 5, 30):
        ref = skm.remove_small_objects(image, max_size=size - 1, connectivity=2) if size > 1 else image
        assert np.array_equal(remove_small_objects(image, size), ref)


def test_fill_holes_matches_scipy():
    rng = np.random.default_rng(4)
    image = rng.random((60, 70)) < 0.6
    assert np.array_equal(fill_holes(image), ndi.binary_fill_holes(image))
    vol = rng.random((10, 12, 14)) < 0.7
    assert np.array_equal(fill_holes(vol), ndi.binary_fill_holes(vol))
    assert np.array_equal(fill_holes(vol, connectivity=3), ndi.binary_fill_holes(vol, np.ones((3, 3, 3))))


def test_clear_border_matches_skimage():
    rng = np.random.default_rng(5)
    lab = label(ndi.gaussian_filter(rng.random((80, 90)), 2) > 0.52)
    for buffer in (0, 3):
        assert np.array_equal(clear_border(lab, buffer=buffer), sks.clear_border(lab, buffer_size=buffer))
        assert np.array_equal(clear_border(lab > 0, buffer=buffer), sks.clear_border(lab, buffer_size=buffer) > 0)


# --------------------------------------------------------------------------------------------- properties


@settings(deadline=None, max_examples=25)
@given(st.integers(0, 2**32 - 1), st.sampled_from([(40, 45), (7, 9, 11)]), st.floats(0.1, 0.9))
def test_label_property_equals_scipy(seed, shape, p):
    image = np.random.default_rng(seed).random(shape) < p
    for conn in range(1, len(shape) + 1):
        assert np.array_equal(label(image, connectivity=conn),
                              ndi.label(image, ndi.generate_binary_structure(len(shape), conn))[0])


@settings(deadline=None, max_examples=25)
@given(st.integers(0, 2**32 - 1), st.floats(0.1, 0.9))
def test_label_partitions_foreground(seed, p):
    image = np.random.default_rng(seed).random((30, 31)) < p
    lab = label(image)
    assert np.array_equal(lab > 0, image)
    n = lab.max()
    assert np.array_equal(np.unique(lab[lab > 0]), np.arange(1, n + 1))
    # fewer components with more connectivity
    assert label(image, connectivity=1).max() >= n
    # filling holes, removing objects: monotone
    assert np.all(fill_holes(image) >= image)
    assert np.all(remove_small_objects(image, 3) <= image)


# ------------------------------------------------------------------------------------------- pathologies


def test_empty_full_and_one_pixel():
    assert label(np.zeros((4, 5), bool)).max() == 0
    assert np.array_equal(label(np.ones((4, 5), bool)), np.ones((4, 5), np.int32))
    assert label(np.array([[7]])).tolist() == [[1]]
    assert label(np.array([0.0, 0.5, 0, 2.0])).tolist() == [0, 1, 0, 2]
    assert remove_small_objects(np.zeros((3, 3), bool), 5).sum() == 0
    assert fill_holes(np.zeros((3, 3), bool)).sum() == 0


def test_inputs_not_modified():
    image = np.array([[1, 0, 1], [0, 1, 0]], bool)
    image.setflags(write=False)
    label(image)
    fill_holes(image)
    clear_border(image)
    remove_small_objects(image, 2)


def test_errors():
    with pytest.raises(ValueError, match="connectivity"):
        label(np.ones((3, 3)), connectivity=3)
    with pytest.raises(ValueError, match="connectivity"):
        label(np.ones((3, 3)), connectivity=0)
    with pytest.raises(TypeError, match="connectivity"):
        label(np.ones((3, 3)), connectivity=1.5)
    with pytest.raises(ValueError, match="NaN"):
        label(np.array([[np.nan, 1.0]]))
    with pytest.raises(ValueError, match="image"):
        label(np.ones((2, 2, 2, 2)))
    with pytest.raises(TypeError, match="labels"):
        relabel_sequential(np.ones((2, 2)))
    with pytest.raises(ValueError, match="negative"):
        remove_small_objects(np.array([[-1, 2]]), 2)
    with pytest.raises(ValueError, match="min_size"):
        remove_small_objects(np.ones((2, 2), bool), -1)
    with pytest.raises(TypeError, match="image"):
        clear_border(np.ones((2, 2), np.float32))
    with pytest.raises(ValueError, match="buffer"):
        clear_border(np.ones((2, 2), bool), buffer=-1)


# ------------------------------------------------------------------------------- run-based 2-D path (issue 7)


def _scipy_label(image, conn):
    return ndi.label(image, ndi.generate_binary_structure(image.ndim, conn))[0]


@pytest.mark.parametrize("p", [0.02, 0.3, 0.5, 0.7, 0.98])
@pytest.mark.parametrize("shape", [(64, 70), (1, 97), (97, 1), (3, 256), (255, 3)])
def test_label_runs_equal_scipy_densities(shape, p):
    rng = np.random.default_rng(11)
    image = rng.random(shape) < p
    for conn in (1, 2):
        assert np.array_equal(label(image, connectivity=conn), _scipy_label(image, conn)), conn


def test_label_runs_blobby_and_odd_inputs():
    rng = np.random.default_rng(12)
    field = ndi.gaussian_filter(rng.random((181, 203)), 2)
    image = field > np.median(field)
    for conn in (1, 2):
        ref = _scipy_label(image, conn)
        assert np.array_equal(label(image, connectivity=conn), ref)
        # non-bool inputs: uint8 with values > 1, float, a non-contiguous view
        assert np.array_equal(label((image * 200).astype(np.uint8), connectivity=conn), ref)
        assert np.array_equal(label(np.where(image, -0.5, 0.0), connectivity=conn), ref)
        big = np.zeros((362, 406), bool)
        big[::2, ::2] = image
        assert np.array_equal(label(big[::2, ::2], connectivity=conn), ref)
        assert np.array_equal(label(image.T, connectivity=conn), _scipy_label(image.T, conn))


def test_label_runs_checkerboard_and_stripes():
    board = (np.indices((9, 10)).sum(axis=0) % 2 == 0)
    assert label(board, connectivity=2).max() == 1
    four = label(board, connectivity=1)
    assert four.max() == board.sum()
    assert np.array_equal(four[board], np.arange(1, board.sum() + 1))  # raster order of first pixel
    # runs that touch only diagonally, end to start
    image = np.array([[1, 1, 0, 0, 0],
                      [0, 0, 1, 1, 0],
                      [1, 0, 0, 0, 1]], bool)
    assert label(image).tolist() == [[1, 1, 0, 0, 0], [0, 0, 1, 1, 0], [2, 0, 0, 0, 1]]
    assert label(image, connectivity=1).tolist() == [[1, 1, 0, 0, 0], [0, 0, 2, 2, 0], [3, 0, 0, 0, 4]]
    # a comb: many runs of one row joined through one long run below, merged late
    comb = np.zeros((4, 11), bool)
    comb[:3, ::2] = True
    comb[3] = True
    assert np.array_equal(label(comb, connectivity=1), comb.astype(np.int32))
    stripes = np.zeros((6, 5), bool)
    stripes[::2] = True
    assert label(stripes).tolist() == [[1] * 5, [0] * 5, [2] * 5, [0] * 5, [3] * 5, [0] * 5]


def test_label_runs_all_ones_zeros_rows_columns():
    for shape in [(1, 1), (1, 8), (8, 1), (5, 7)]:
        assert np.array_equal(label(np.ones(shape, bool)), np.ones(shape, np.int32))
        out = label(np.zeros(shape, bool))
        assert out.dtype == np.int32 and out.shape == shape and not out.any()
    assert label(np.array([[1, 0, 1, 1, 0, 1]])).tolist() == [[1, 0, 2, 2, 0, 3]]
    assert label(np.array([[1], [0], [1], [1]])).tolist() == [[1], [0], [2], [2]]
    assert label(np.array([1, 1, 0, 1], np.uint16)).tolist() == [1, 1, 0, 2]


@settings(deadline=None, max_examples=25)
@given(st.integers(0, 2**32 - 1), st.integers(1, 40), st.integers(1, 40), st.floats(0.0, 1.0),
       st.sampled_from([1, 2]))
def test_label_runs_property_equals_scipy(seed, h, w, p, conn):
    image = np.random.default_rng(seed).random((h, w)) < p
    assert np.array_equal(label(image, connectivity=conn), _scipy_label(image, conn))


# ------------------------------------------------------------------- 3-D: the result as the only label scratch


@settings(deadline=None, max_examples=30)  # volumes up to 9x10x11: scipy and fastdip, ~1 ms an example
@given(st.integers(0, 2**32 - 1), st.tuples(st.integers(1, 9), st.integers(1, 10), st.integers(1, 11)),
       st.floats(0.0, 1.0), st.sampled_from(["bool", "uint8", "float32"]))
def test_label_3d_in_place_equals_scipy_any_shape_and_dtype(seed, shape, p, dtype):
    # one-voxel-thick axes put every voxel on the border (each neighbour bounds-checked)
    rng = np.random.default_rng(seed)
    image = ((rng.random(shape) < p) * rng.integers(1, 5, shape)).astype(dtype)
    for conn in (1, 2, 3):
        ours = label(image, connectivity=conn)
        assert ours.dtype == np.int32
        assert np.array_equal(ours, ndi.label(image != 0, ndi.generate_binary_structure(3, conn))[0])


@pytest.mark.parametrize("compiled", [True, False])
@pytest.mark.parametrize("conn", [1, 2, 3])
def test_label_3d_kernel_equals_padded_kernel(compiled, conn):
    from fastdip._kernels import label as kl
    from fastdip.segmentation._label import _offsets, _steps

    rng = np.random.default_rng(conn)
    fg = (rng.random((4, 5, 6)) < 0.5).astype(np.uint8)
    padded = np.zeros((5, 7, 8), np.uint8)
    padded[1:, 1:-1, 1:-1] = fg
    expected = np.zeros(fg.shape, np.int32)
    n_flat = kl.label_flat(padded, _offsets(3, conn, padded.shape), conn == 3, np.zeros(padded.shape, np.int32),
                           np.zeros(4 * 5 * 3 + 2, np.int32), expected)
    out = np.full(fg.shape, -5, np.int32)  # every voxel is written
    kernel = kl.label_3d if compiled else kl.label_3d.py_func
    assert kernel(fg, _steps(conn), conn == 3, np.zeros(4 * 5 * 3 + 2, np.int32), out) == n_flat
    assert np.array_equal(out, expected) and np.array_equal(out, naive.label(fg.astype(bool), conn))


def test_label_3d_input_is_not_modified_and_no_copy_of_bool():
    rng = np.random.default_rng(2)
    vol = rng.random((6, 7, 8)) < 0.4
    before = vol.copy()
    label(vol)
    assert np.array_equal(vol, before)
    vol_u8 = vol.astype(np.uint8) * 3
    label(vol_u8)
    assert np.array_equal(vol_u8, before.astype(np.uint8) * 3)
