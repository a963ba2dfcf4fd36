"""The all-finite kernel (fastdip._kernels.finite) and _validate._all_finite against np.isfinite(a).all()."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fastdip import _validate
from fastdip._kernels import finite as kf
from fastdip._kernels._config import readonly

EDGES = {  # finite values as large or as small as they get: x - x must stay 0 and no partial sum may overflow
    np.float32: [np.finfo(np.float32).max, -np.finfo(np.float32).max, 1e-45, -1e-45, 0.0, -0.0],
    np.float64: [np.finfo(np.float64).max, -np.finfo(np.float64).max, 5e-324, -5e-324, 0.0, -0.0],
}


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_kernel_equals_numpy_isfinite(rng, dtype):
    base = np.concatenate([rng.standard_normal(37).astype(dtype) * 1e30, np.array(EDGES[dtype], dtype)])
    assert kf.all_finite(readonly(base)) and kf.all_finite(readonly(base[:0]))
    # many of the largest finite values of both signs: a sum of the values themselves (rather than of x - x)
    # reassociated across lanes would overflow to inf here
    huge = np.tile(np.array(EDGES[dtype][:2], dtype), 500)
    assert kf.all_finite(readonly(huge))
    for bad in (np.nan, -np.nan, np.inf, -np.inf):
        for at in (0, 20, base.size - 1):  # first, middle, last: every lane and the scalar tail
            img = base.copy()
            img[at] = bad
            assert not kf.all_finite(readonly(img)), (bad, at)  # read-only: the wrapper's type
    both = base.copy()
    both[3], both[11] = np.inf, -np.inf  # in different lanes: inf - inf is NaN in each, never a cancellation
    assert not kf.all_finite(readonly(both))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(width=32, allow_nan=True, allow_infinity=True), min_size=0, max_size=300))
def test_kernel_property_float32(values):
    arr = np.array(values, dtype=np.float32)
    assert kf.all_finite(readonly(arr)) == bool(np.isfinite(arr).all())


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.complex64, np.complex128, np.float16])
def test_all_finite_large_small_and_strided_arrays(rng, dtype):
    big = rng.random((300, 301)).astype(dtype)  # above the kernel threshold
    for img in (big, big[:5, :5], big[::2], np.asfortranarray(big)):
        assert _validate._all_finite(img)
        for bad in (np.nan, np.inf):
            poked = img.copy(order="K")
            poked.flat[poked.size // 2] = bad
            assert not _validate._all_finite(poked)
    if np.dtype(dtype).kind == "c":
        only_imag = big.copy()
        only_imag[-1, -1] = complex(1.0, np.inf)
        assert not _validate._all_finite(only_imag)
