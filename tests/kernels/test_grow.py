"""The scanline flood-fill kernel (fastdip/_kernels/grow.py ``flood_2d``) against its plain twin, the
breadth-first ``flood_seed`` of tests/_naive_segmentation.py, compiled and as ``py_func`` on tiny inputs."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import ndimage

from fastdip._kernels import grow as kg
from tests import _naive_segmentation as naive


def _fill(image, lo, hi, eight, seeds, stack_len=16, compiled=True):
    """Run the kernel to completion with a stack of ``stack_len`` entries doubled on request, then write the
    result with ``flood_labels``; (labels, pixels filled, number of enlargements)."""
    kernel = kg.flood_2d if compiled else kg.flood_2d.py_func
    h, w = image.shape
    rng = np.random.default_rng(h * 1000 + w)
    bits = rng.integers(0, 2**63, (h, 2 * (w // 64 + 1)), dtype=np.uint64)  # any content to start with
    built = np.zeros(h, np.uint8)
    stack = np.empty(stack_len, np.int32)
    state = np.zeros(3, np.int64)
    grown = 0
    while kernel(image, image.dtype.type(lo), image.dtype.type(hi), eight, np.asarray(seeds, np.int64), stack,
                 state, bits, built):
        bigger = np.empty(2 * stack.size, np.int32)
        bigger[: state[0]] = stack[: state[0]]
        stack = bigger
        grown += 1
    labels = np.zeros(image.shape, np.int32)
    (kg.flood_labels if compiled else kg.flood_labels.py_func)(bits, built, np.int32(7), labels)
    return labels, int(state[2]), grown


def _components(mask, seeds, eight):
    """The union of the components of ``mask`` holding a seed (scipy.ndimage.label)."""
    lab, _ = ndimage.label(mask, np.ones((3, 3), bool) if eight else None)
    hit = np.unique(lab.reshape(-1)[np.asarray(seeds)])
    return np.isin(lab, hit[hit > 0])


def test_hand_worked_spiral_and_diagonal():
    # a spiral corridor of 0s: the fill must turn back up and down rows many times
    img = np.array([[0, 0, 0, 0, 0, 0],
                    [9, 9, 9, 9, 9, 0],
                    [0, 0, 0, 0, 9, 0],
                    [0, 9, 9, 0, 9, 0],
                    [0, 9, 0, 0, 9, 0],
                    [0, 9, 9, 9, 9, 0],
                    [0, 0, 0, 0, 0, 0]], np.uint8)
    labels, n, _ = _fill(img, 0, 0, False, [0])
    np.testing.assert_array_equal(labels == 7, img == 0)
    assert n == np.count_nonzero(img == 0)
    diag = np.array([[1, 0, 0], [0, 1, 0], [0, 0, 1]], np.uint8)
    np.testing.assert_array_equal(_fill(diag, 1, 1, False, [0])[0], [[7, 0, 0], [0, 0, 0], [0, 0, 0]])
    np.testing.assert_array_equal(_fill(diag, 1, 1, True, [0])[0], 7 * diag)


@pytest.mark.parametrize("compiled", [True, False])
@pytest.mark.parametrize("eight", [False, True])
def test_equals_the_bfs_twin_on_tiny_images(compiled, eight):
    rng = np.random.default_rng(3)
    for _ in range(20 if compiled else 4):
        h, w = rng.integers(1, 9, 2)
        img = rng.integers(1, 7, (h, w)).astype(np.uint8)
        r, c = int(rng.integers(h)), int(rng.integers(w))
        v = int(img[r, c])
        labels, n, _ = _fill(img, v - 1, v + 1, eight, [r * w + c], compiled=compiled)
        expected = naive.flood_seed(img, (r, c), 1, 2 if eight else 1)
        np.testing.assert_array_equal(labels == 7, expected)
        assert n == np.count_nonzero(expected)


@settings(deadline=None, max_examples=60)  # up to 40x40 images, a pure-Python BFS: a few ms an example
@given(seed=st.integers(0, 2**32 - 1), eight=st.booleans(), dtype=st.sampled_from(["uint8", "uint16", "float32",
                                                                                     "float64"]),
       levels=st.integers(2, 12), n_seeds=st.integers(1, 4))
def test_equals_the_components_holding_the_seeds(seed, eight, dtype, levels, n_seeds):
    rng = np.random.default_rng(seed)
    h, w = rng.integers(1, 41, 2)
    img = rng.integers(0, levels, (h, w)).astype(dtype)
    lo, hi = sorted(rng.integers(0, levels, 2))
    mask = (img >= lo) & (img <= hi)
    inside = np.flatnonzero(mask)
    if inside.size == 0:
        return
    seeds = rng.choice(inside, n_seeds)
    # a tiny first stack: the kernel must ask for a larger one and resume where it stopped
    labels, n, _ = _fill(img, lo, hi, eight, seeds, stack_len=16)
    expected = _components(mask, seeds, eight)
    np.testing.assert_array_equal(labels == 7, expected)
    assert n == np.count_nonzero(expected)


def test_small_stack_is_enlarged_and_the_result_unchanged():
    rng = np.random.default_rng(11)
    img = rng.integers(0, 3, (60, 70)).astype(np.uint8)  # a maze: many short spans
    big, n_big, grown_big = _fill(img, 0, 1, True, [35 * 70 + 29], stack_len=1 << 16)
    small, n_small, grown_small = _fill(img, 0, 1, True, [35 * 70 + 29], stack_len=16)
    assert grown_big == 0 and grown_small > 2
    np.testing.assert_array_equal(small, big)
    assert n_small == n_big > 1000


@pytest.mark.parametrize("dtype", ["uint8", "uint16", "float32", "float64"])
def test_row_bits_are_the_test_of_every_column(dtype):
    # one row's words: the test as bits (the vector compare for whole words, a loop for the rest), 0 past the
    # row, the filled words cleared; widths around word boundaries, bounds at the type's extremes
    rng = np.random.default_rng(4)
    info = np.iinfo(dtype) if dtype[0] == "u" else np.finfo(dtype)
    for w in (1, 5, 63, 64, 65, 127, 128, 129, 200):
        img = rng.integers(0, 9, (3, w)).astype(dtype)
        img[0, ::7] = info.max
        img[2, ::5] = info.min
        for lo, hi in ((2, 6), (0, 0), (info.min, 3), (5, info.max), (info.min, info.max), (7, 1)):
            nw = w // 64 + 1
            row = np.full(2 * nw, 12345, np.uint64)
            for y in range(3):
                kg._pass_row(img.reshape(-1), y * w, w, img.dtype.type(lo), img.dtype.type(hi), row, nw)
                expected = np.zeros(64 * nw, bool)
                expected[:w] = (img[y] >= lo) & (img[y] <= hi)
                got = np.unpackbits(row[:nw].view(np.uint8), bitorder="little").astype(bool)
                np.testing.assert_array_equal(got, expected, err_msg=f"{dtype} w={w} {lo}..{hi}")
                assert not row[nw:].any()


def test_float_rows_fail_nan_and_keep_signed_zero_and_infinities():
    img = np.array([[np.nan, -0.0, 0.0, np.inf, -np.inf, 1.5] * 12], np.float32)  # 72 columns: a whole word
    row = np.empty(4, np.uint64)
    kg._pass_row(img.reshape(-1), 0, 72, np.float32(-np.inf), np.float32(0.0), row, 2)
    got = np.unpackbits(row[:2].view(np.uint8), bitorder="little").astype(bool)[:72]
    np.testing.assert_array_equal(got, np.tile([False, True, True, False, True, False], 12))


def test_labels_are_written_from_the_filled_bits_only():
    h, w = 3, 150
    nw = w // 64 + 1
    rng = np.random.default_rng(8)
    bits = rng.integers(0, 2**63, (h, 2 * nw), dtype=np.uint64)
    bits[:, -1] = 0  # the padding word
    bits[:, nw + 2] &= np.uint64((1 << (w - 128)) - 1)  # no filled bits past the row
    built = np.array([1, 0, 1], np.uint8)  # row 1 was never reached: its words are not read
    labels = np.zeros((h, w), np.int32)
    kg.flood_labels(bits, built, np.int32(9), labels)
    filled = np.unpackbits(bits[:, nw:].copy().view(np.uint8), axis=1, bitorder="little")[:, :w].astype(bool)
    filled[1] = False
    np.testing.assert_array_equal(labels, np.where(filled, 9, 0))


def test_runs_ending_on_word_boundaries():
    # passing runs that end exactly at columns 63/64/127/128 and at the row's end (w a multiple of 64): the
    # widening reads across words and stops at the zero padding word
    for w in (64, 128, 192):
        for cut in range(1, w):
            img = np.zeros((2, w), np.uint8)
            img[0, cut] = 9
            img[1, :] = 9 if cut % 3 == 0 else 0
            img[1, cut - 1] = 9
            for seed in (0, w - 1):
                expected = _components(img == 0, [seed], False)
                labels, n, _ = _fill(img, 0, 0, False, [seed])
                np.testing.assert_array_equal(labels == 7, expected, err_msg=f"w={w} cut={cut} seed={seed}")
                assert n == np.count_nonzero(expected)


def test_filled_seed_is_skipped_and_other_pixels_kept():
    img = np.zeros((3, 4), np.uint8)
    img[:, 2] = 5
    labels, n, _ = _fill(img, 0, 0, True, [0, 4, 3])  # seeds 0 and 4 share a component
    np.testing.assert_array_equal(labels, [[7, 7, 0, 7], [7, 7, 0, 7], [7, 7, 0, 7]])
    assert n == 9
    # a seed that fails the test is skipped, the others still fill
    labels, n, _ = _fill(img, 0, 0, True, [2, 3])
    np.testing.assert_array_equal(labels, [[0, 0, 0, 7], [0, 0, 0, 7], [0, 0, 0, 7]])
    assert n == 3
