"""The all-finite bit kernels (fastdip._kernels.finite) and _validate._all_finite against np.isfinite(a).all()."""

from __future__ import annotations

import numpy as np
import pytest

from fastdip import _validate
from fastdip._kernels import finite as kf
from fastdip._kernels._config import readonly

EDGES = {  # finite values whose exponent field is as large or as small as it gets: must stay finite
    np.float32: [np.finfo(np.float32).max, -np.finfo(np.float32).max, 1e-45, -1e-45, 0.0, -0.0],
    np.float64: [np.finfo(np.float64).max, -np.finfo(np.float64).max, 5e-324, -5e-324, 0.0, -0.0],
}


@pytest.mark.parametrize("dtype, kernel, word", [(np.float32, kf.all_finite_32, np.uint32),
                                                 (np.float64, kf.all_finite_64, np.uint64)])
def test_bit_kernels_equal_numpy_isfinite(rng, dtype, kernel, word):
    base = np.concatenate([rng.standard_normal(37).astype(dtype) * 1e30, np.array(EDGES[dtype], dtype)])
    assert kernel(readonly(base.view(word))) and kernel(readonly(base[:0].view(word)))
    for bad in (np.nan, -np.nan, np.inf, -np.inf):
        for at in (0, 20, base.size - 1):  # first, middle, last: every lane and the scalar tail
            img = base.copy()
            img[at] = bad
            assert not kernel(readonly(img.view(word))), (bad, at)  # read-only: the wrapper's type


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
