"""The float32 log1p kernel (fastdip._kernels.lut) against a plainly correct reference: float64 log1p rounded
once to float32, on every block-tail length, special values, and a Hypothesis sweep of all float32 values."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from fastdip._kernels import lut as kl
from fastdip._kernels._config import readonly

SPECIAL = np.array(
    [0.0, -0.0, 1e-45, 1e-38, 1e-30, 2.0**-30, 2.0**-29, 2.0**-28, 1e-8, 1e-3, 0.5, 1.0, 2.0, 255.0, 65535.0,
     1e30, 3.4028235e38, np.inf, np.nan, -1e-8, -0.5, -0.999999, -1.0, -2.0, -np.inf],
    dtype=np.float32,
)


def _reference(image: np.ndarray, scale: float = 1.0) -> np.ndarray:
    # log1p in float64, one rounding to float32, then the float32 product: the kernel's definition
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.log1p(image.astype(np.float64)).astype(np.float32) * np.float32(scale)


def _signs(image: np.ndarray) -> bool:
    """The kernel's flag: some input has its sign bit set (negatives, -0.0, negative-signed NaNs)."""
    return bool(np.signbit(image).any())


def _same(actual, expected):
    assert actual.dtype == expected.dtype == np.float32
    np.testing.assert_array_equal(actual, expected)
    numbers = ~np.isnan(expected)
    assert np.array_equal(np.signbit(actual[numbers]), np.signbit(expected[numbers]))  # -0.0 stays -0.0


def _in_slices(image, scale, out, parts):
    """The kernel on ``parts`` slices, flags or-ed: the wrapper's call on several threads."""
    n = image.size
    bits = image.view(np.int32)
    return any(kl.log1p_f32(image[p * n // parts:(p + 1) * n // parts], bits[p * n // parts:(p + 1) * n // parts],
                            scale, out[p * n // parts:(p + 1) * n // parts]) for p in range(parts))


def _runs(image, scale):
    """(name, out, flag) for the kernel, its py_func and the kernel on 3 slices (on a read-only view, as the
    wrapper passes it: one compiled signature)."""
    image = readonly(image)
    bits = image.view(np.int32)
    for name, call in (
        ("serial", lambda o: kl.log1p_f32(image, bits, np.float32(scale), o)),
        ("py_func", lambda o: kl.log1p_f32.py_func(image, bits, np.float32(scale), o)),
        ("slices", lambda o: _in_slices(image, np.float32(scale), o, 3)),
    ):
        out = np.empty_like(image)
        yield name, out, call(out)


@pytest.mark.parametrize("n", [0, 1, 3, 4, 5, 1023, 1024, 1025, 3000])
def test_log1p_every_block_tail_length(rng, n):
    image = (rng.random(n) * 300).astype(np.float32)
    for name, out, flag in _runs(image, 1.0):
        _same(out, _reference(image))
        assert not flag, name


def test_log1p_special_values_and_sign_flag():
    for name, out, flag in _runs(SPECIAL, 1.0):
        _same(out, _reference(SPECIAL))
        assert bool(flag) == _signs(SPECIAL), name
    positive = SPECIAL[~np.signbit(SPECIAL)]
    for name, out, flag in _runs(positive, 1.0):
        _same(out, _reference(positive))
        assert not flag, name


def test_log1p_scale_applied_after_rounding(rng):
    image = (rng.random(2000) * 1000).astype(np.float32)
    for _, out, _ in _runs(image, 2.5):
        _same(out, _reference(image, 2.5))


def test_bit_cast_helpers_compiled_and_plain_agree():
    # the compiled bit casts (LLVM bitcasts) against their plain numpy definitions, both ways
    from numba import njit

    values = np.array([0.0, -0.0, 1.0, -2.5, 2.0**-1074, 1.7976931348623157e308, np.inf, -np.inf, np.nan])
    bits = values.view(np.int64)
    to_bits = njit(lambda x: kl._f64_bits(x))
    from_bits = njit(lambda b: kl._f64_from_bits(b))
    for value, expected in zip(values, bits):
        assert to_bits(value) == kl._f64_bits(value) == expected
        compiled = np.array([from_bits(expected)]).view(np.int64)[0]
        assert compiled == np.array([kl._f64_from_bits(expected)]).view(np.int64)[0] == expected


def test_log1p_dense_sweep_is_correctly_rounded(rng):
    # 2**20 values spread over every binade in [2**-40, 2**40], plus 1 + tiny steps near the 2**-29 switch
    image = np.exp2(rng.uniform(-40, 40, 1 << 20)).astype(np.float32)
    image[:1000] = np.float32(2.0**-29) * (1 + np.arange(-500, 500, dtype=np.float32) * np.float32(2.0**-12))
    out = np.empty_like(image)
    kl.log1p_f32(image, image.view(np.int32), np.float32(1.0), out)
    _same(out, _reference(image))


# Each example is a few microseconds once compiled; 200 examples cost well under a second.
@settings(max_examples=200, deadline=None)
@given(arrays(np.float32, st.integers(0, 40), elements=st.floats(width=32, allow_nan=True, allow_infinity=True)))
def test_log1p_any_float32_equals_the_reference(image):
    out = np.empty_like(image)
    flag = kl.log1p_f32(image, image.view(np.int32), np.float32(1.0), out)
    _same(out, _reference(image))
    assert bool(flag) == _signs(image)


@pytest.mark.parametrize("n", [0, 1, 7, 8, 9, 33])
def test_sqrt_f32_equals_numpy_and_flags_sign_bits(rng, n):
    # naive twin: np.sqrt (IEEE, correctly rounded); the flag is "some input has its sign bit set"
    image = (rng.random(n) * 100).astype(np.float32)
    for flagged, poke in ((False, None), (True, -0.0), (True, -3.0), (True, -np.float32(np.nan))):
        if poke is not None:
            if n == 0:
                continue
            image = image.copy()
            image[n // 2] = poke
        out = np.empty_like(image)
        with np.errstate(invalid="ignore"):
            expected = np.sqrt(image)
        assert bool(kl.sqrt_f32(image, image.view(np.int32), out)) is flagged
        np.testing.assert_array_equal(out, expected)
        assert np.array_equal(np.signbit(out), np.signbit(expected))
