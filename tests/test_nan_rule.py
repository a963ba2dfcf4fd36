"""The project-wide NaN rule (README, "NaN and inf"), checked on every public function that takes an image.

1. Pointwise operations and local linear ones (arithmetic, point transforms, noise, linear filters,
   interpolating warps and resizing) propagate NaN and inf: a NaN reaches only the outputs whose window or
   interpolation footprint covers it.
2. histogram.histogram and histogram.stats leave NaN pixels out (documented, as ImageJ and numpy do).
3. Everything else raises ValueError naming the function for NaN: order statistics, morphology, equalisation and
   matching, thresholds, segmentation and labelling, FFT-based transforms and filters, restoration, pyramids and
   fusion, metrics, conversions to integer dtypes.

   ±inf is an ordinary, ordered value where only order matters (order statistics, morphology, labelling
   and hole filling of non-zero pixels, and the explicit clipping of ``dtype.to_uint8``/``to_uint16``); the
   others refuse it too.

No function may silently turn one NaN into an image of NaN.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from .test_bad_inputs import FUNCTIONS, _call

#: family 1: NaN propagates locally
PROPAGATE = {
    "arithmetic", "intensity.negative", "intensity.log_transform", "intensity.gamma",
    "intensity.contrast_stretch", "intensity.piecewise_linear", "noise.gaussian", "noise.uniform",
    "noise.speckle", "noise.salt_and_pepper", "dtype.rescale_intensity", "filters.convolve",
    "filters.correlate", "filters.gaussian", "filters.laplacian", "filters.mean", "filters.prewitt",
    "filters.separable", "filters.sobel", "filters.unsharp_mask", "geometry.distort", "geometry.remap",
    "geometry.rescale", "geometry.resize", "geometry.rotate", "geometry.undistort", "geometry.warp_affine",
    "geometry.warp_polynomial", "geometry.warp_perspective", "fourier.shift", "fourier.ishift",
    "fourier.magnitude", "fourier.phase", "fourier.power",
}
#: family 2: NaN pixels are left out
IGNORE = {"histogram.histogram", "histogram.stats"}
#: functions of family 3 for which inf is an ordered value like any other (only NaN is refused)
INF_OK = {"filters.adaptive_median", "filters.maximum", "filters.median", "filters.minimum",
          "filters.percentile", "filters.rank", "morphology", "segmentation.fill_holes", "segmentation.label",
          "dtype.to_float", "dtype.to_uint8", "dtype.to_uint16"}
#: functions that take no float image at all (a float image is refused for its dtype, not for the NaN)
NOT_FLOAT = {"intensity.apply_lut", "intensity.bit_plane", "measure.regionprops", "measure.count",
             "measure.track", "segmentation.relabel_sequential", "segmentation.clear_border",
             "segmentation.remove_small_objects", "metrics.dice", "metrics.iou", "viz.plot_histogram", "viz.show_image", "viz.show_images",
             "hdr.exposure_fusion", "hdr.collapse"}


def _family(module, name):
    qual = f"{module}.{name}"
    if qual in PROPAGATE or module in PROPAGATE:
        return "propagate"
    if qual in IGNORE:
        return "ignore"
    if qual in NOT_FLOAT:
        return "other"
    return "raise"


def _float_arrays(result):
    found = []

    def walk(o):
        if isinstance(o, np.ndarray) and o.dtype.kind in "fc":
            found.append(o)
        elif isinstance(o, (tuple, list)):
            for x in o:
                walk(x)
        elif hasattr(o, "_fields"):
            for f in o._fields:
                walk(getattr(o, f))
        elif hasattr(o, "__dataclass_fields__"):
            for f in o.__dataclass_fields__:
                walk(getattr(o, f))

    walk(result)
    return found


@pytest.mark.parametrize("bad", [np.nan, np.inf])
@pytest.mark.parametrize(("module", "name"), FUNCTIONS)
def test_nan_rule(module, name, bad):
    image = np.random.default_rng(0).integers(0, 256, (24, 24)).astype(np.float32)
    image[7, 9] = bad
    family = _family(module, name)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        if family == "raise" and bad == np.inf and (f"{module}.{name}" in INF_OK or module in INF_OK):
            _call(module, name, image)
            return
        if family == "raise":
            with pytest.raises(ValueError, match=f"^{name}: "):
                _call(module, name, image)
            return
        try:
            result = _call(module, name, image)
        except (TypeError, ValueError) as exc:
            assert family == "other", f"{module}.{name} refused a {bad} although its family propagates: {exc}"
            assert str(exc).startswith(f"{name}:")
            return
    outputs = _float_arrays(result)
    nonfinite = sum(int(np.count_nonzero(~np.isfinite(a))) for a in outputs)
    total = sum(a.size for a in outputs)
    if family == "ignore":
        assert nonfinite == 0 if bad != np.inf else True
    elif family == "propagate" and total:
        assert nonfinite < total / 2, f"{module}.{name}: one {bad} spread to {nonfinite} of {total} outputs"
