"""The bad-input probe: every public function that takes an image, called with a dozen bad or unusual inputs.

Each call either works (the input is acceptable: a 1-D signal to an n-D filter, one pixel, a big-endian array)
or raises TypeError / ValueError (ImageReadError for io) whose message starts with the name of the public
function called — never a raw crash (a numba TypingError, IndexError, ZeroDivisionError, a library's own
error) and never a message naming an internal helper. Big-endian, Fortran-ordered and negative-stride inputs
give results equal to the native C-ordered input. New public functions are covered automatically: the table
of required arguments below only lists parameters by name.
"""

from __future__ import annotations

import importlib
import inspect
import warnings

import numpy as np
import pytest

import fastdip

#: modules probed (cli, report, nn and parallel take no images or are tested on their own)
MODULES = sorted(fastdip._SUBMODULES - {"cli", "report", "nn", "parallel", "data", "io"})

#: the first parameter names that mean "an image" (the probed argument)
IMAGE_PARAMS = {"image", "images", "a", "reference", "labels", "spectrum", "label_sequence", "pyramid"}

_PSF = np.full((3, 3), 1 / 9)


def _required(name, image):
    """A valid value for a required parameter other than the image, by its name."""
    table = {
        "b": image, "alpha": 0.5, "kernel": np.ones((3, 3)) / 9, "sigma": 1.0, "size": 3, "percentile": 50,
        "rank": 4, "kernels": [np.ones(3) / 3, np.ones(3) / 3], "H": None, "coords": None,
        "scale": 0.5, "output_shape": (8, 8), "angle": 10.0, "matrix": np.eye(3), "coeffs": None,
        "gamma": 0.5, "points": [(0, 0), (255, 255)], "t": 100, "lut": np.arange(256, dtype=np.uint8), "k": 2,
        "low": -1.0, "high": 1.0, "amount": 0.1, "psf_size": 3, "psf": _PSF, "thresholds": [100],
        "seeds": [(2, 2)], "q": 50, "min_size": 2, "x": np.arange(3.0), "y": np.arange(3.0),
        "image": _good(image), "reference": _good(image), "spatial_radius": 3, "range_radius": 20,
    }
    return table[name]


def _good(image):
    """A valid partner image for two-image functions: the probed one where it is an array, else a plain one."""
    if isinstance(image, np.ndarray) and image.dtype != object:
        return np.zeros(image.shape, np.uint8) if image.dtype.kind in "cb" else np.zeros_like(image)
    return np.zeros((12, 12), np.uint8)


def _functions():
    found = []
    for m in MODULES:
        module = importlib.import_module(f"fastdip.{m}")
        for name in getattr(module, "__all__", []):
            func = getattr(module, name)
            if not inspect.isfunction(func):
                continue
            params = list(inspect.signature(func).parameters.values())
            if not params or params[0].name not in IMAGE_PARAMS:
                continue
            found.append(pytest.param(m, name, id=f"{m}.{name}"))
    return found


FUNCTIONS = _functions()


def _call(module, name, image):
    func = getattr(importlib.import_module(f"fastdip.{module}"), name)
    params = list(inspect.signature(func).parameters.values())
    args, kwargs = [image], {}
    for p in params[1:]:
        if p.name == "rng":
            kwargs["rng"] = 0  # the same noise for every layout
        elif p.default is not inspect.Parameter.empty:
            continue
        elif p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD):
            args.append(_special(module, name, p.name, image))
        elif p.kind == p.KEYWORD_ONLY:
            kwargs[p.name] = _special(module, name, p.name, image)
    return func(*args, **kwargs)


def _special(module, name, param, image):
    if module == "fourier" and param == "H":
        return np.ones(np.shape(image)[:2]) if np.ndim(image) >= 2 else np.ones(3)
    if module == "geometry" and param == "H":
        return np.array([[1.0, 0.05, 0.0], [0.0, 1.0, 0.0], [0.001, 0.0, 1.0]])
    if module == "geometry" and param == "coords":
        shape = np.shape(image)
        return np.indices(shape[:2] if len(shape) >= 2 else (3, 3), dtype=np.float64)
    if module == "geometry" and param == "coeffs":
        return np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]).T
    if module == "measure" and name == "track":
        return image
    return _required(param, image)


def _bad_inputs():
    rng = np.random.default_rng(0)
    good = rng.integers(0, 256, (12, 12), dtype=np.uint8)
    nan = good.astype(np.float32)
    nan[3, 4] = np.nan
    inf = good.astype(np.float32)
    inf[5, 5] = np.inf
    return {
        "None": None, "string": "camera.png", "empty": np.zeros((0, 0), np.uint8),
        "1-D": good[0].copy(), "5-D": np.zeros((2, 2, 2, 2, 2), np.uint8), "NaN": nan, "inf": inf,
        "complex": good.astype(np.complex64), "object": good.astype(object), "bool": good > 128,
        # big-endian float32: the dtype of the NaN/inf cases, so no extra kernel signatures compile here
        "one pixel": good[:1, :1].copy(), "big-endian": good.astype(">f4"),
    }


BAD = _bad_inputs()

#: calls that are allowed to print warnings (none today)
_ALLOWED_EXCEPTIONS = (TypeError, ValueError)


@pytest.mark.parametrize("case", sorted(BAD))
@pytest.mark.parametrize(("module", "name"), FUNCTIONS)
def test_bad_input_is_accepted_or_refused_by_name(module, name, case):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # NaN propagating through numpy is allowed
        try:
            _call(module, name, BAD[case])
        except _ALLOWED_EXCEPTIONS as exc:
            message = str(exc)
            assert message.startswith(f"{name}:"), (
                f"{module}.{name}({case}) raised {type(exc).__name__} naming another function: {message!r}")
        except Exception as exc:  # a raw crash
            pytest.fail(f"{module}.{name}({case}) crashed with {type(exc).__name__}: {exc}")


def _layouts(image):
    big = image.astype(image.dtype.newbyteorder(">"))
    fortran = np.asfortranarray(image)
    flipped = image[::-1, ::-1].copy()[::-1, ::-1]  # negative strides, same values
    return {"big-endian": big, "fortran": fortran, "negative strides": flipped}


@pytest.mark.parametrize(("module", "name"), FUNCTIONS)
def test_every_layout_gives_the_native_result(module, name):
    if module == "viz":
        pytest.skip("figures: compared by the bad-input probe only")
    image = np.random.default_rng(1).integers(0, 256, (16, 16), dtype=np.uint16).astype(np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        try:
            expected = _call(module, name, image)
        except (TypeError, ValueError):
            image = image.astype(np.uint8)
            try:
                expected = _call(module, name, image)
            except (TypeError, ValueError):
                pytest.skip("the probe's arguments do not suit this function")
        for layout, variant in _layouts(image).items():
            got = _call(module, name, variant)
            _assert_same(got, expected, f"{module}.{name} on a {layout} array")


def _assert_same(got, expected, what):
    if isinstance(expected, np.ndarray):
        np.testing.assert_array_equal(np.asarray(got), expected, err_msg=what)
        assert np.asarray(got).dtype.isnative, what
    elif isinstance(expected, dict):
        assert list(got) == list(expected), what
        for key in expected:
            _assert_same(np.asarray(got[key]), np.asarray(expected[key]), f"{what}: {key}")
    elif isinstance(expected, (tuple, list)) and not hasattr(expected, "_fields"):
        assert len(got) == len(expected), what
        for g, e in zip(got, expected):
            _assert_same(g, e, what)
    elif hasattr(expected, "_fields"):  # NamedTuple results
        for field in expected._fields:
            _assert_same(getattr(got, field), getattr(expected, field), f"{what}: {field}")
    elif hasattr(expected, "__dataclass_fields__"):
        for field in expected.__dataclass_fields__:
            _assert_same(getattr(got, field), getattr(expected, field), f"{what}: {field}")
    elif isinstance(expected, float) and np.isnan(expected):
        assert np.isnan(got), what
    else:
        assert got == expected, what


#: functions documented to return their input itself when nothing needs converting
DOCUMENTED_VIEWS = {"dtype.to_float"}


def _arrays(result):
    if isinstance(result, np.ndarray):
        yield result
    elif isinstance(result, dict):
        for value in result.values():
            yield from _arrays(value)
    elif isinstance(result, (tuple, list)):
        for value in result:
            yield from _arrays(value)
    elif hasattr(result, "__dataclass_fields__"):
        for field in result.__dataclass_fields__:
            yield from _arrays(getattr(result, field))


@pytest.mark.parametrize(("module", "name"), FUNCTIONS)
@pytest.mark.parametrize("dtype", [np.uint8, np.float32, np.float64])
def test_no_output_shares_memory_with_the_input(module, name, dtype):
    """Writing into a result must never change the caller's image (hdr.gaussian_pyramid's level 0 did)."""
    image = np.random.default_rng(2).integers(0, 200, (16, 16)).astype(dtype)
    before = image.copy()
    try:
        result = _call(module, name, image)
    except (TypeError, ValueError):
        pytest.skip("the probe's arguments do not suit this function and dtype")
    np.testing.assert_array_equal(image, before, err_msg=f"{module}.{name} modified its input")
    if f"{module}.{name}" in DOCUMENTED_VIEWS:
        assert "the same array" in getattr(importlib.import_module(f"fastdip.{module}"), name).__doc__
        return
    for array in _arrays(result):
        assert not np.shares_memory(array, image), f"{module}.{name} returned a view of its input"
