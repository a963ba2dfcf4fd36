"""fastdip.learn.features: hand cases, independent references (scipy.ndimage + numpy differences, skimage's
eigenvalue routines and multiscale_basic_features), 3-D and anisotropic spacing, radius and tiles, errors."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from scipy import ndimage as ndi

pytest.importorskip("sklearn")
skfeature = pytest.importorskip("skimage.feature")

from fastdip.learn import feature_names, features, features_radius  # noqa: E402
from fastdip.learn._features import _compute, _make_plan  # noqa: E402


def _texture(shape, seed=0):
    """Smooth structure plus noise in [0, 1]-ish: derivatives well above float32 rounding at every scale."""
    rng = np.random.default_rng(seed)
    grids = np.meshgrid(*[np.arange(s, dtype=np.float64) for s in shape], indexing="ij")
    base = sum(np.sin(g / (3.0 + 2 * i)) for i, g in enumerate(grids)) / len(shape)
    return (0.5 + 0.4 * base + 0.1 * rng.random(shape)).astype(np.float32)


def _close(ours, ref, scale):
    """1e-4 relative, with an absolute floor of 1e-6 of the image range for near-zero derivatives (the
    reference's own float32 inputs are rounded to about 3e-8)."""
    np.testing.assert_allclose(ours, ref, rtol=1e-4, atol=1e-6 * scale)


def _reference(image, sigma, spacing=None, mode="reflect"):
    """Independent per-scale references: scipy's Gaussian in float64, numpy.gradient, skimage eigenvalues."""
    n = image.ndim
    spacing = spacing or (1.0,) * n
    f = image.astype(np.float64)
    g = ndi.gaussian_filter(f, [sigma / h for h in spacing], mode=mode, truncate=4.0)
    d = np.gradient(g, *spacing)
    d = d if isinstance(d, (list, tuple)) else [d]
    pairs = [(a, b) for a in range(n) for b in range(a, n)]
    hess = [np.gradient(d[a], spacing[b], axis=b) for a, b in pairs]
    tensor = [ndi.gaussian_filter(d[a] * d[b], [0.5 * sigma / h for h in spacing], mode=mode, truncate=4.0)
              for a, b in pairs]
    return {
        "gaussian": [g],
        "gradient": [np.sqrt(sum(x * x for x in d))],
        "log": [sum(hess[i] for i, (a, b) in enumerate(pairs) if a == b)],
        "hessian": list(skfeature.hessian_matrix_eigvals(hess)),
        "structure_tensor": list(skfeature.structure_tensor_eigenvalues(tensor)),
    }


# -- hand cases -------------------------------------------------------------------------------------------


def test_step_edge_by_hand():
    image = np.zeros((5, 6), np.float32)
    image[:, 3:] = 2.0
    stack = features(image, sigmas=(0.1,), kinds=("intensity", "gaussian", "gradient", "dog"))
    # sigma 0.1: radius int(0.9) = 0, the Gaussian is the identity; gradient (f[i+1] - f[i-1]) / 2 along rows
    np.testing.assert_array_equal(stack[..., 0], image)
    np.testing.assert_array_equal(stack[..., 1], image)
    np.testing.assert_array_equal(stack[0, :, 2], [0, 0, 1, 1, 0, 0])
    np.testing.assert_array_equal(stack[..., 3], 0)


def test_constant_image_has_zero_derivatives():
    stack = features(np.full((12, 10), 7, np.uint8))
    names = feature_names()
    for i, name in enumerate(names):
        expected = 7.0 if name.split()[0] in ("intensity", "gaussian") else 0.0
        np.testing.assert_allclose(stack[..., i], expected, atol=1e-5, err_msg=name)


def test_names_match_columns_and_defaults():
    stack = features(_texture((20, 22)))
    names = feature_names()
    assert stack.shape == (20, 22, len(names)) and stack.dtype == np.float32
    assert names[0] == "intensity" and "hessian_eig1 σ=1.6" in names and "dog σ=1-0.7" in names
    assert len(names) == 1 + 6 * 8
    assert len(feature_names(sigmas="ilastik")) == 1 + 7 * 8
    assert len(feature_names(ndim=3)) == 1 + 6 * (4 + 3 + 3)


# -- references -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("sigma", [0.7, 1.6, 5.0])
def test_each_kind_equals_independent_computation_2d(sigma):
    image = _texture((48, 40))
    kinds = ("gaussian", "gradient", "log", "hessian", "structure_tensor")
    stack = features(image, sigmas=(sigma,), kinds=kinds)
    ref = _reference(image, sigma)
    columns = [c for kind in kinds for c in ref[kind]]
    assert stack.shape[-1] == len(columns)
    for i, col in enumerate(columns):
        _close(stack[..., i], col, 1.0)


def test_dog_is_difference_of_consecutive_scales():
    image = _texture((30, 30))
    stack = features(image, sigmas=(1.0, 2.5), kinds=("dog",))
    g1 = ndi.gaussian_filter(image.astype(np.float64), 1.0)
    g2 = ndi.gaussian_filter(image.astype(np.float64), 2.5)
    _close(stack[..., 0], g1 - image, 1.0)
    _close(stack[..., 1], g2 - g1, 1.0)


def test_3d_and_anisotropic_spacing_equal_references():
    image = _texture((14, 18, 16), seed=3)
    spacing = (2.0, 1.0, 0.8)
    kinds = ("gaussian", "gradient", "log", "hessian", "structure_tensor")
    stack = features(image, sigmas=(1.6,), kinds=kinds, spacing=spacing)
    ref = _reference(image, 1.6, spacing=spacing)
    columns = [c for kind in kinds for c in ref[kind]]
    assert stack.shape == image.shape + (len(columns),)
    for i, col in enumerate(columns):
        _close(stack[..., i], col, 1.0)


def test_skimage_preset_equals_multiscale_basic_features():
    image = _texture((70, 64))
    ours = features(image, sigmas="skimage")
    ref = skfeature.multiscale_basic_features(image)
    assert ours.shape == ref.shape
    _close(ours, ref, 1.0)


def test_skimage_preset_3d_and_colour():
    volume = _texture((12, 20, 18), seed=1)
    _close(features(volume, sigmas="skimage"), skfeature.multiscale_basic_features(volume), 1.0)
    rgb = np.stack([_texture((24, 30), seed=s) for s in range(3)], axis=-1)
    ours = features(rgb, sigmas="skimage", channel_axis=-1)
    _close(ours, skfeature.multiscale_basic_features(rgb, channel_axis=-1), 1.0)


def test_uint8_keeps_value_scale():
    image = (_texture((32, 32)) * 255).astype(np.uint8)
    ours = features(image, sigmas="skimage")
    ref = skfeature.multiscale_basic_features(image)  # skimage rescales uint8 to [0, 1]
    _close(ours / 255.0, ref, 1.0)


def test_channel_axis_gives_features_per_channel():
    rgb = np.stack([_texture((16, 18), seed=s) for s in range(3)], axis=0)
    kw = dict(sigmas=(1.0,), kinds=("gaussian", "hessian"))
    stack = features(rgb, channel_axis=0, **kw)
    for c in range(3):
        np.testing.assert_array_equal(stack[..., 3 * c:3 * c + 3], features(rgb[c], **kw))
    assert feature_names(channels=3, **kw)[3] == "ch1 gaussian σ=1"


# -- radius and tiles: a tile grown by features_radius gives exactly the whole-image values ----------------


@pytest.mark.parametrize("ndim", [2, 3])
def test_tile_grown_by_radius_equals_whole_image(ndim):
    shape = (57, 49) if ndim == 2 else (19, 23, 21)
    image = _texture(shape, seed=5)
    sigmas = (0.7, 2.0)
    plan = _make_plan("test", ndim, sigmas, None, None)
    whole = features(image, sigmas=sigmas)
    margin = plan.radius()
    assert margin == features_radius(sigmas=sigmas, ndim=ndim)
    tile = (20,) * ndim
    for starts in itertools.product(*(range(0, s, t) for s, t in zip(shape, tile))):
        core = tuple(slice(a, min(a + t, s)) for a, t, s in zip(starts, tile, shape))
        outer = tuple(slice(max(0, c.start - m), min(s, c.stop + m)) for c, m, s in zip(core, margin, shape))
        inner = tuple(slice(c.start - o.start, c.stop - o.start) for c, o in zip(core, outer))
        block = np.ascontiguousarray(image[outer])[None]
        out = np.empty((int(np.prod([c.stop - c.start for c in core])), whole.shape[-1]), np.float32)
        _compute(block, plan, out, inner)
        np.testing.assert_array_equal(out.reshape(whole[core].shape), whole[core])


def test_radius_values():
    assert features_radius(sigmas=(1.0,), kinds=("gaussian",)) == (4, 4)
    assert features_radius(sigmas=(1.0,), kinds=("gradient",)) == (5, 5)
    assert features_radius(sigmas=(1.0,), kinds=("hessian",)) == (6, 6)
    assert features_radius(sigmas=(2.0,), kinds=("structure_tensor",)) == (8 + 1 + 4, 8 + 1 + 4)
    assert features_radius(sigmas=(2.0,), kinds=("gaussian",), ndim=3, spacing=(4, 1, 1)) == (2, 8, 8)


# -- pathologies and errors -------------------------------------------------------------------------------


def test_small_images_and_read_only_input():
    image = _texture((2, 3))
    image.setflags(write=False)
    assert features(image).shape == (2, 3, len(feature_names()))
    assert np.isfinite(features(np.ones((1, 1), np.float32))).all()


@pytest.mark.parametrize("kwargs, exc, words", [
    (dict(sigmas=(1.0, 0.5)), ValueError, "sigmas"),
    (dict(sigmas="weka"), ValueError, "'ilastik', 'skimage'"),
    (dict(sigmas=(0.0,)), ValueError, "positive"),
    (dict(kinds=("gabor",)), ValueError, "kinds"),
    (dict(kinds=("gaussian", "gaussian")), ValueError, "distinct"),
    (dict(spacing=(1.0, -1.0)), ValueError, "spacing"),
    (dict(channel_axis=5), ValueError, "channel_axis"),
])
def test_bad_arguments_name_function_and_parameter(kwargs, exc, words):
    with pytest.raises(exc, match="features: .*" + words.split()[0]):
        features(np.zeros((8, 8)), **kwargs)


def test_bad_images_refused():
    with pytest.raises(ValueError, match="features: image must be a 2-D or 3-D"):
        features(np.zeros(8))
    with pytest.raises(ValueError, match="NaN or inf"):
        features(np.array([[0.0, np.nan], [1.0, 2.0]]))
    with pytest.raises(TypeError, match="features: image"):
        features("image.png")


def test_scales_on_threads_equal_one_thread(monkeypatch):
    # features() shares the scales among threads when the image is large (not for 'dog', which chains them)
    import threading

    import fastdip
    from fastdip.learn import _features

    rng = np.random.default_rng(3)
    grey = rng.random((70, 90)).astype(np.float32)
    rgb = rng.random((40, 50, 3)).astype(np.float32)
    with fastdip.threads(1):
        want = [features(grey, sigmas="skimage"), features(rgb, sigmas=(1.0, 2.0), kinds=("hessian", "gradient"),
                                                            channel_axis=-1)]
    monkeypatch.setattr(_features, "_MIN_THREADED_WORK", 0)
    seen = set()
    real = _features._scale

    def spy(*args, **kwargs):
        seen.add(threading.current_thread().name)
        return real(*args, **kwargs)

    monkeypatch.setattr(_features, "_scale", spy)
    with fastdip.threads(2):
        got = [features(grey, sigmas="skimage"), features(rgb, sigmas=(1.0, 2.0), kinds=("hessian", "gradient"),
                                                           channel_axis=-1)]
    for a, b in zip(got, want):
        np.testing.assert_array_equal(a, b)
    if fastdip.parallel._usable_cores() > 1:
        assert threading.main_thread().name not in seen and len(seen) >= 2
