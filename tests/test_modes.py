"""The one border vocabulary: fastdip mode names pad exactly as scipy.ndimage extends, hand-worked for each mode."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.ndimage as ndi

from fastdip import _modes

HAND = {
    "reflect": [2, 1, 0, 0, 1, 2, 3, 3, 2, 1],
    "mirror": [3, 2, 1, 0, 1, 2, 3, 2, 1, 0],
    "nearest": [0, 0, 0, 0, 1, 2, 3, 3, 3, 3],
    "wrap": [1, 2, 3, 0, 1, 2, 3, 0, 1, 2],
    "constant": [9, 9, 9, 0, 1, 2, 3, 9, 9, 9],
}


@pytest.mark.parametrize("mode", _modes.MODES)
def test_pad_hand_worked(mode):
    assert _modes.pad(np.arange(4), 3, mode, cval=9).tolist() == HAND[mode]


@pytest.mark.parametrize("mode", _modes.MODES)
def test_pad_matches_scipy_extension_even_past_one_period(mode):
    a = np.arange(5.0)
    padded = _modes.pad(a, 7, mode, cval=-1.0)
    for shift in range(-7, 8):
        weights = np.zeros(15)
        weights[7 + shift] = 1
        np.testing.assert_array_equal(ndi.correlate1d(a, weights, mode=mode, cval=-1.0), padded[7 + shift: 12 + shift])


def test_check_names_the_allowed_modes():
    with pytest.raises(ValueError, match="'reflect', 'mirror', 'nearest', 'wrap', 'constant'"):
        _modes.check("symmetric", "median")
