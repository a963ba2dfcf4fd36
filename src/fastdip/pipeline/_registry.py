"""The operation registry: every public image -> image and image -> table operation under its dotted name.

Each entry knows its function, its parameter schema (derived from the signature and docstring, see
``_schema``), its kind — ``pointwise`` (each output pixel from the same input pixel), ``neighbourhood``
(from a window: ``halo(params, ndim)`` gives the per-axis context radius), ``global`` (needs the whole
image: histogram equalisation, Otsu, FFT filters, labelling) or ``geometric`` (the output grid differs) —
whether it returns an image or a table, the dimensionalities and dtypes it accepts and what dtype it returns.
The CLI, :mod:`fastdip.scale` and the web playground all read this one table.
"""

from __future__ import annotations

import functools
import importlib
import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ._schema import Param, derive

KINDS = ("pointwise", "neighbourhood", "global", "geometric", "measure")

#: course topics, in course order, for listings
TOPICS = {
    "intensity": "point transforms", "dtype": "the image model", "histogram": "histograms",
    "filters": "neighbourhood operations", "noise": "noise models", "fourier": "the Fourier domain",
    "geometry": "geometric transforms", "restoration": "image restoration", "segmentation": "segmentation",
    "morphology": "morphology", "measure": "counting and measuring",
}


@dataclass(frozen=True)
class Op:
    """One registered operation (see the module docstring)."""

    name: str
    kind: str
    params: tuple[Param, ...]
    halo_rule: Callable | None
    ndims: tuple[int, ...] | None
    dtypes: str
    returns: str
    output: str  # "image" or "table"
    field: str | None  # the attribute of a structured result that is the image (kmeans -> labels)
    random: bool
    summary: str

    @property
    def func(self) -> Callable:
        """The public function (imported on first use)."""
        module, _, attr = self.name.rpartition(".")
        return getattr(importlib.import_module(f"fastdip.{module}"), attr)

    @property
    def topic(self) -> str:
        return TOPICS.get(self.name.partition(".")[0], self.name.partition(".")[0])

    def param(self, name: str) -> Param | None:
        return next((p for p in self.params if p.name == name), None)

    def halo(self, params: dict, ndim: int) -> tuple[int, ...] | None:
        """Per-axis context radius for an ``ndim``-D input with these parameters (defaults filled in); None
        for an operation that needs the whole image (global and geometric ones)."""
        if self.kind == "pointwise":
            return (0,) * ndim
        if self.kind != "neighbourhood":
            return None
        full = {p.name: p.default for p in self.params}
        full.update({k: v.build() if hasattr(v, "build") else v for k, v in params.items()})
        radius = self.halo_rule(full, _spatial_ndim(full, ndim))
        radius = tuple(int(r) for r in radius)
        axis = full.get("channel_axis")
        if axis is None:
            return radius
        axis = axis % ndim
        return radius[:axis] + (0,) + radius[axis:]

    def to_dict(self) -> dict:
        """The entry as plain data (JSON-serialisable)."""
        return {"name": self.name, "topic": self.topic, "kind": self.kind, "output": self.output,
                "summary": self.summary, "ndims": None if self.ndims is None else list(self.ndims),
                "dtypes": self.dtypes, "returns": self.returns, "random": self.random,
                "params": [p.to_dict() for p in self.params]}


def _spatial_ndim(params: dict, ndim: int) -> int:
    return ndim - (params.get("channel_axis") is not None)


def _per_axis(value, ndim: int) -> tuple:
    if isinstance(value, (list, tuple, np.ndarray)):
        values = tuple(np.ravel(value))
        return values if len(values) == ndim else (max(values),) * ndim
    return (value,) * ndim


def _window(params, ndim, key="size"):
    fp = params.get("footprint")
    if fp is not None:
        return tuple(n // 2 for n in np.shape(fp))[-ndim:] if np.ndim(fp) == ndim else (max(np.shape(fp)) // 2,) * ndim
    return tuple(int(s) // 2 for s in _per_axis(params.get(key) or 3, ndim))


def _gaussian(params, ndim):
    truncate = params.get("truncate") or 4.0
    return tuple(math.ceil(truncate * float(s)) for s in _per_axis(params["sigma"], ndim))


def _kernel(params, ndim):
    k = np.asarray(params["kernel"])
    shape = k.shape if k.ndim == ndim else (k.size,) * ndim
    origin = _per_axis(params.get("origin") or 0, ndim)
    return tuple(n // 2 + abs(int(o)) for n, o in zip(shape, origin))


def _morph(steps):
    def rule(params, ndim):
        # the origin sits at n // 2 (scipy's rule, even sides too): n // 2 on one side, n - 1 - n // 2 on the other
        base = _window({"footprint": params.get("footprint"), "size": params.get("size")}, ndim)
        it = int(params.get("iterations") or 1)
        return tuple(r * it * steps for r in base)
    return rule


def _const(r):
    return lambda params, ndim: (r,) * ndim


_HALOS = {
    "filters.median": _window, "filters.minimum": _window, "filters.maximum": _window,
    "filters.percentile": _window, "filters.rank": _window, "filters.mean": _window,
    "filters.adaptive_median": lambda p, n: _window(p, n, "max_size"),
    "filters.gaussian": _gaussian, "filters.unsharp_mask": lambda p, n: _gaussian({**p, "truncate": 4.0}, n),
    "filters.laplacian": _const(1), "filters.sobel": _const(1), "filters.prewitt": _const(1),
    "filters.convolve": _kernel, "filters.correlate": _kernel,
    "filters.separable": lambda p, n: tuple(len(k) // 2 for k in p["kernels"])[-n:],
    "morphology.erode": _morph(1), "morphology.dilate": _morph(1), "morphology.gradient": _morph(1),
    "morphology.open": _morph(2), "morphology.close": _morph(2), "morphology.tophat": _morph(2),
    "morphology.blackhat": _morph(2),
}

_POSITIVE = {"minimum": 0.0, "exclusive_minimum": True}
_AT_LEAST_1 = {"minimum": 1}
_NON_NEGATIVE = {"minimum": 0.0}
_PROB = {"minimum": 0.0, "maximum": 1.0}
_ODD = {"minimum": 1, "odd": True}

#: name -> (kind, overrides of the derived schema, ndims, dtypes, output, field)
_TABLE = {
    # point transforms
    "intensity.negative": ("pointwise", {}, None, "numeric"),
    "intensity.log_transform": ("pointwise", {"c": _POSITIVE}, None, "numeric"),
    "intensity.gamma": ("pointwise", {"gamma": _POSITIVE, "c": _POSITIVE}, None, "numeric"),
    "intensity.contrast_stretch": ("global", {"in_range": {"type": "numbers"}, "out_range": {"type": "numbers"},
                                              "percentiles": {"type": "numbers", "minimum": 0, "maximum": 100}},
                                   None, "numeric"),
    "intensity.piecewise_linear": ("pointwise", {"points": {"type": "array"}}, None, "numeric"),
    "intensity.threshold": ("pointwise", {"t": {"type": "number"}}, None, "numeric"),
    "intensity.apply_lut": ("pointwise", {"lut": {"type": "array"}}, None, "uint8, uint16"),
    "intensity.bit_plane": ("pointwise", {"k": {"type": "int", "minimum": 0, "maximum": 15}}, None, "uint8, uint16"),
    "dtype.to_float": ("pointwise", {"dtype": {"type": "choice", "choices": ("float32", "float64")}}, None,
                       "bool, unsigned integer, float"),
    "dtype.to_uint8": ("pointwise", {}, None, "bool, unsigned integer, float in [0, 1]"),
    "dtype.to_uint16": ("pointwise", {}, None, "bool, unsigned integer, float in [0, 1]"),
    "dtype.rescale_intensity": ("global", {"in_range": {"type": "any"}, "out_range": {"type": "any"},
                                           "dtype": {"type": "string"}}, None, "numeric"),
    # histograms
    "histogram.equalize": ("global", {"bins": _AT_LEAST_1}, None, "numeric"),
    "histogram.stats": ("measure", {"bins": _AT_LEAST_1}, None, "numeric"),
    # neighbourhood
    "filters.median": ("neighbourhood", {"size": _ODD, "footprint": {"type": "mask"}}, (1, 2, 3), "numeric"),
    "filters.minimum": ("neighbourhood", {"size": _ODD, "footprint": {"type": "mask"}}, (1, 2, 3), "numeric"),
    "filters.maximum": ("neighbourhood", {"size": _ODD, "footprint": {"type": "mask"}}, (1, 2, 3), "numeric"),
    "filters.percentile": ("neighbourhood", {"size": _ODD, "percentile": {"minimum": 0, "maximum": 100},
                                             "footprint": {"type": "mask"}},
                           (1, 2, 3), "numeric"),
    "filters.rank": ("neighbourhood", {"size": _ODD, "rank": {"type": "int"}, "footprint": {"type": "mask"}},
                     (1, 2, 3), "numeric"),
    "filters.adaptive_median": ("neighbourhood", {"max_size": {"minimum": 3, "odd": True}}, (2, 3), "numeric"),
    "filters.mean": ("neighbourhood", {"size": _AT_LEAST_1, "dtype": {"type": "string"}}, None, "numeric"),
    "filters.gaussian": ("neighbourhood", {"sigma": {"type": "numbers", "minimum": 0.0},
                                           "truncate": _POSITIVE, "dtype": {"type": "string"}}, None, "numeric"),
    "filters.convolve": ("neighbourhood", {"kernel": {"type": "array"}, "dtype": {"type": "string"}}, None,
                         "numeric"),
    "filters.correlate": ("neighbourhood", {"kernel": {"type": "array"}, "dtype": {"type": "string"}}, None,
                          "numeric"),
    "filters.separable": ("neighbourhood", {"kernels": {"type": "any"}, "dtype": {"type": "string"}}, None,
                          "numeric"),
    "filters.laplacian": ("neighbourhood", {"dtype": {"type": "string"}}, None, "numeric"),
    "filters.sobel": ("neighbourhood", {"axis": {"type": "int"}, "dtype": {"type": "string"}}, None, "numeric"),
    "filters.prewitt": ("neighbourhood", {"axis": {"type": "int"}, "dtype": {"type": "string"}}, None, "numeric"),
    "filters.unsharp_mask": ("neighbourhood", {"sigma": _POSITIVE, "dtype": {"type": "string"}}, None, "numeric"),
    # noise (pointwise, random: give rng for reproducible pipelines)
    "noise.gaussian": ("pointwise", {"sigma": _NON_NEGATIVE, "rng": {"type": "int"}}, None, "numeric"),
    "noise.uniform": ("pointwise", {"rng": {"type": "int"}}, None, "numeric"),
    "noise.speckle": ("pointwise", {"sigma": _NON_NEGATIVE, "rng": {"type": "int"}}, None, "numeric"),
    "noise.poisson": ("global", {"peak": _POSITIVE, "rng": {"type": "int"}}, None, "numeric"),
    "noise.salt_and_pepper": ("pointwise", {"amount": _PROB, "salt_vs_pepper": _PROB, "rng": {"type": "int"}},
                              None, "numeric"),
    # Fourier
    "fourier.optimum_notch": ("global", {"centres": {"type": "array"}, "H_np": None, "window": {"type": "ints"}},
                              (2,), "numeric", "image", "estimate"),
    # geometry
    "geometry.resize": ("geometric", {"output_shape": {"type": "ints", "minimum": 1}}, None, "numeric"),
    "geometry.rescale": ("geometric", {"scale": {"type": "numbers", "minimum": 0.0, "exclusive_minimum": True}},
                         None, "numeric"),
    "geometry.rotate": ("geometric", {"center": {"type": "numbers"}}, (2,), "numeric"),
    "geometry.warp_affine": ("geometric", {"matrix": {"type": "array"}, "output_shape": {"type": "ints"}},
                             (2, 3), "numeric"),
    "geometry.warp_perspective": ("geometric", {"H": {"type": "array"}, "output_shape": {"type": "ints"}}, (2,),
                                  "numeric"),
    "geometry.warp_polynomial": ("geometric", {"coeffs": {"type": "array"}, "output_shape": {"type": "ints"}},
                                 (2,), "numeric"),
    "geometry.distort": ("geometric", {"model": None, "center": {"type": "numbers"}}, (2,), "numeric"),
    "geometry.undistort": ("geometric", {"model": None, "center": {"type": "numbers"}}, (2,), "numeric"),
    # restoration (global: FFT-based)
    "restoration.blur": ("global", {"psf": {"type": "array"}}, None, "numeric"),
    "restoration.wiener": ("global", {"psf": {"type": "array"}, "noise_power": {"type": "any"},
                                      "signal_power": {"type": "any"}}, None, "numeric"),
    "restoration.cls": ("global", {"psf": {"type": "array"}}, None, "numeric", "image", "image"),
    "restoration.inverse_filter": ("global", {"psf": {"type": "array"}}, None, "numeric"),
    "restoration.richardson_lucy": ("global", {"psf": {"type": "array"}, "initial": None}, None, "numeric"),
    "restoration.edgetaper": ("global", {"psf": {"type": "array"}}, None, "numeric"),
    "restoration.blind_deconvolution": ("global", {"psf_size": {"type": "ints"}, "initial_psf": {"type": "array"}},
                                        None, "numeric", "image", "image"),
    # segmentation
    "segmentation.binarize": ("global", {"threshold": {"type": "choice", "number_ok": True,
                                                       "choices": ("otsu", "multi_otsu", "mean", "percentile")}},
                              None, "numeric"),
    "segmentation.apply_thresholds": ("pointwise", {"thresholds": {"type": "numbers"}}, None, "numeric"),
    "segmentation.label": ("global", {}, None, "bool, numeric (non-zero is foreground)"),
    "segmentation.fill_holes": ("global", {}, None, "bool, numeric (non-zero is foreground)"),
    "segmentation.clear_border": ("global", {}, None, "bool, integer labels"),
    "segmentation.remove_small_objects": ("global", {"min_size": _AT_LEAST_1}, None, "bool, integer labels"),
    "segmentation.relabel_sequential": ("global", {}, None, "integer labels"),
    "segmentation.region_growing": ("global", {"seeds": {"type": "any"}, "threshold": {"type": "number"}},
                                    None, "numeric"),
    "segmentation.kmeans": ("global", {"k": {"type": "int", "minimum": 1}, "rng": {"type": "int"}}, None,
                            "numeric", "image", "labels"),
    "segmentation.mean_shift": ("global", {"spatial_radius": _POSITIVE, "range_radius": _POSITIVE}, (2,),
                                "numeric", "image", "labels"),
    # morphology
    **{f"morphology.{n}": ("neighbourhood", {"footprint": {"type": "mask"}, "size": {"type": "ints",
                                                                                         "minimum": 1}},
                           (1, 2, 3), "bool, numeric")
       for n in ("erode", "dilate", "open", "close", "gradient", "tophat", "blackhat")},
    # measurement (image -> table)
    "measure.regionprops": ("measure", {"intensity": {"type": "image"}, "spacing": {"type": "numbers"}}, None,
                            "integer labels"),
    "measure.count": ("measure", {}, None, "integer labels"),
}

#: public functions that take an image but are not pipeline steps, with the reason (checked by the tests)
EXCLUDED = {
    "arithmetic.add": "needs a second image", "arithmetic.subtract": "needs a second image",
    "arithmetic.multiply": "needs a second image", "arithmetic.divide": "needs a second image",
    "arithmetic.blend": "needs a second image", "arithmetic.average": "takes a list of images",
    "histogram.histogram": "returns counts and edges (histogram.stats is the table step)",
    "histogram.match": "needs a reference image",
    "segmentation.otsu": "returns a number: use segmentation.binarize",
    "segmentation.multi_otsu": "returns numbers: use segmentation.binarize or apply_thresholds",
    "segmentation.threshold_mean": "returns a number: use segmentation.binarize",
    "segmentation.threshold_percentile": "returns a number: use segmentation.binarize",
    "fourier.dft2": "returns a complex spectrum", "fourier.dftn": "returns a complex spectrum",
    "fourier.rdft2": "returns a complex spectrum", "fourier.rdftn": "returns a complex spectrum",
    "fourier.idft2": "takes a spectrum", "fourier.idftn": "takes a spectrum", "fourier.irdft2": "takes a spectrum",
    "fourier.irdftn": "takes a spectrum", "fourier.shift": "takes a spectrum", "fourier.ishift": "takes a spectrum",
    "fourier.magnitude": "takes a spectrum", "fourier.phase": "takes a spectrum", "fourier.power": "takes a spectrum",
    "fourier.swap_phase": "needs a second image", "fourier.apply": "needs a transfer function of the image's shape",
    "fourier.find_peaks": "returns peak coordinates",
    "geometry.remap": "needs a coordinate array of the output's shape",
    "hdr.exposure_fusion": "takes a list of images", "hdr.gaussian_pyramid": "returns a list of images",
    "hdr.laplacian_pyramid": "returns a list of images", "hdr.collapse": "takes a pyramid",
    "measure.track": "takes a sequence of label images", "metrics.mse": "compares two images",
    "metrics.psnr": "compares two images", "metrics.ssim": "compares two images",
    "metrics.ssim_map": "compares two images", "metrics.dice": "compares two masks",
    "metrics.iou": "compares two masks", "noise.estimate_sigma": "returns a number",
    "learn.features": "returns a feature stack with an extra axis (used through learn.PixelClassifier)",
    "viz.plot_histogram": "draws a figure", "viz.show_image": "draws a figure", "viz.show_images": "draws a figure",
}


def _summary(func) -> str:
    return (func.__doc__ or "").strip().splitlines()[0].strip() if func.__doc__ else ""


def _returns(func) -> str:
    lines = (func.__doc__ or "").splitlines()
    for i, line in enumerate(lines):
        if line.strip() == "Returns" and i + 3 < len(lines):
            head = lines[i + 2].strip()
            body = lines[i + 3].strip()
            return f"{head}: {body}" if body else head
    return ""


@functools.cache
def registry() -> dict[str, Op]:
    """``{name: Op}`` for every registered operation (built once, on first use)."""
    ops = {}
    for name, spec in _TABLE.items():
        kind, overrides, ndims, dtypes = spec[:4]
        output = spec[4] if len(spec) > 4 else ("table" if kind == "measure" else "image")
        field = spec[5] if len(spec) > 5 else None
        module, _, attr = name.rpartition(".")
        func = getattr(importlib.import_module(f"fastdip.{module}"), attr)
        params = derive(func, overrides)
        ops[name] = Op(name=name, kind=kind, params=params, halo_rule=_HALOS.get(name), ndims=ndims,
                       dtypes=dtypes, returns=_returns(func), output="table" if kind == "measure" else output,
                       field=field, random=any(p.name == "rng" for p in params), summary=_summary(func))
    return ops


def get(name: str) -> Op:
    """The registered operation ``name`` (e.g. ``'filters.median'``).

    Parameters
    ----------
    name : str
        A dotted operation name as listed by ``fastdip ops`` or :func:`registry`.

    Returns
    -------
    Op
        Its function, parameter schema, kind (pointwise, neighbourhood, global, geometric, measure), halo rule,
        accepted dimensionalities and dtypes.

    Raises
    ------
    KeyError
        With the close matches, if there is no such operation.

    References
    ----------
    A. E. Carpenter et al., CellProfiler, Genome Biology 7, R100, 2006 (modules described by their settings).

    Examples
    --------
    >>> from fastdip.pipeline import get
    >>> op = get("filters.median")
    >>> op.kind, op.halo({"size": 5}, 2)
    ('neighbourhood', (2, 2))
    """
    ops = registry()
    if name in ops:
        return ops[name]
    import difflib

    close = difflib.get_close_matches(name, list(ops), n=3)
    hint = f"; did you mean {', '.join(close)}?" if close else "; `fastdip ops` lists them"
    if name in EXCLUDED:
        hint = f" ({EXCLUDED[name]})"
    raise KeyError(f"no operation named {name!r}{hint}")
