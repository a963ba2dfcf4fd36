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


def _fill(image, lo, hi, eight, seeds, stack_len=16, compiled=True, pause=0):
    """Run the kernel to completion with a stack of ``stack_len`` entries doubled on request, resumed at once
    after a pause (every ``pause`` more pixels filled when > 0); (labels, pixels filled, number of
    enlargements), or with ``pause`` (labels, pixels filled, the fill counts at the pauses)."""
    kernel = kg.flood_2d if compiled else kg.flood_2d.py_func
    labels = np.zeros(image.shape, np.int32)
    stack = np.empty(stack_len, np.int32)
    state = np.zeros(3, np.int64)
    grown = 0
    pauses = []
    while status := kernel(image, image.dtype.type(lo), image.dtype.type(hi), eight, np.asarray(seeds, np.int64),
                           7, stack, state, labels, pause * (len(pauses) + 1) if pause else 0):
        if status == 2:
            pauses.append(int(state[2]))
            continue
        bigger = np.empty(2 * stack.size, np.int32)
        bigger[: state[0]] = stack[: state[0]]
        stack = bigger
        grown += 1
    return labels, int(state[2]), (pauses if pause else grown)


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
    big, n_big, grown_big = _fill(img, 0, 1, True, [35 * 70 + 30], stack_len=1 << 16)
    small, n_small, grown_small = _fill(img, 0, 1, True, [35 * 70 + 30], stack_len=16)
    assert grown_big == 0 and grown_small > 2
    np.testing.assert_array_equal(small, big)
    assert n_small == n_big > 1000


def test_pause_returns_when_enough_is_filled_and_resumes_to_the_same_result():
    rng = np.random.default_rng(5)
    img = rng.integers(0, 3, (50, 40)).astype(np.uint8)
    whole, n, _ = _fill(img, 0, 1, True, [25 * 40 + 20], stack_len=1 << 12)
    paused, n_paused, pauses = _fill(img, 0, 1, True, [25 * 40 + 20], stack_len=16, pause=100)
    np.testing.assert_array_equal(paused, whole)
    assert n_paused == n > 1000
    # a pause at every mark of 100 pixels reached (checked before each span, so a span can overshoot one)
    assert len(pauses) == n // 100
    assert all(p >= 100 * (i + 1) for i, p in enumerate(pauses)) and pauses == sorted(pauses)


def test_filled_seed_is_skipped_and_other_pixels_kept():
    img = np.zeros((3, 4), np.uint8)
    img[:, 2] = 5
    labels, n, _ = _fill(img, 0, 0, True, [0, 4, 3])  # seeds 0 and 4 share a component
    np.testing.assert_array_equal(labels, [[7, 7, 0, 7], [7, 7, 0, 7], [7, 7, 0, 7]])
    assert n == 9
