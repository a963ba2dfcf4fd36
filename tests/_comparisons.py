"""The one comparison table: fastdip's call next to every peer's equivalent call.

STYLE.md principle 13: the reference tests (``tests/test_comparisons.py``) and the benchmark runner
(``python -m benchmarks``) both read :data:`COMPARISONS`, so a speed ratio and a correctness check
always compare the same computation, with the same parameter translations, on the same inputs.

Each :class:`Comparison` names one operation and holds:

- ``fastdip``: a :class:`Call` for fastdip's function (``None`` for a reference-only entry such as
  ``copy``, the memory-bandwidth yardstick);
- ``peers``: one :class:`Call` per peer implementation, keyed ``"library"`` or ``"library:variant"``
  (``None`` where the library has no equivalent, recorded rather than left out);
- ``inputs``: the input kinds it applies to (``"camera"``, ``"u8"``, ``"f32"``, see :func:`make_input`);
- ``operands``: how one input image becomes the call's operands (a reference image, a noisy copy, ...);
- ``tolerance``: how far an agreeing peer may be from fastdip;
- ``targets``: the speed goals the benchmark runner checks and prints.

A :class:`Call` is split like an asv benchmark: ``setup(*operands)`` runs untimed (imports, format
conversion such as ``PIL.Image.fromarray``, lookup tables) and returns a zero-argument callable, the timed
body; ``result`` turns what the body returns into a numpy value for comparison (untimed). A peer that
disagrees by design has ``agrees=False`` and a ``note``; its ``tolerance`` then records the measured size of
the disagreement, which the tests check so that the note stays true.

Peers are imported lazily, when a call is set up, so importing this table is cheap and a missing peer
only removes its own rows (:meth:`Call.available`).
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache, partial
from typing import Any

import numpy as np

__all__ = [
    "COMPARISONS",
    "INPUT_KINDS",
    "FIXED_KINDS",
    "KIND_DTYPES",
    "Call",
    "Comparison",
    "Target",
    "Tolerance",
    "by_name",
    "camera",
    "image_like",
    "input_label",
    "make_input",
]

U8 = ("uint8",)

#: Module each peer key (the part before ``:``) needs; fastdip calls name their function instead.
LIBRARY_MODULES = {
    "numpy": "numpy",
    "scipy": "scipy.ndimage",
    "skimage": "skimage",
    "opencv": "cv2",
    "pillow": "PIL",
}


# --------------------------------------------------------------------------------------------------
# Table vocabulary
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Tolerance:
    """Largest allowed difference between two results: ``|a - b| <= atol + rtol * |b|`` element-wise.

    Parameters
    ----------
    atol : float
        Absolute tolerance, in the output's value scale (grey levels for uint8 results).
    rtol : float
        Relative tolerance, applied to the magnitude of the expected value.
    """

    atol: float = 0.0
    rtol: float = 0.0

    def excess(self, actual, expected) -> float:
        """Return how far ``actual`` is outside the tolerance around ``expected`` (<= 0 when inside).

        Parameters
        ----------
        actual, expected : array_like
            Results of the same shape (scalars allowed).

        Returns
        -------
        float
            ``max(|a - b| - atol - rtol * |b|)`` over all elements; ``-inf`` for empty arrays.

        Raises
        ------
        ValueError
            If the shapes differ.
        """
        a = np.asarray(actual, dtype=np.float64)
        b = np.asarray(expected, dtype=np.float64)
        if a.shape != b.shape:
            raise ValueError(f"Tolerance.excess: shapes differ, got {a.shape} and {b.shape}")
        if a.size == 0:
            return float("-inf")
        return float(np.max(np.abs(a - b) - self.atol - self.rtol * np.abs(b)))

    def __str__(self) -> str:
        if self.atol == 0 and self.rtol == 0:
            return "exact"
        parts = [f"atol={self.atol:g}"] if self.atol else []
        return ", ".join(parts + ([f"rtol={self.rtol:g}"] if self.rtol else []))


EXACT = Tolerance()


def _as_is(value):
    return value


@dataclass(frozen=True)
class Call:
    """One library's way to compute an operation.

    Parameters
    ----------
    setup : callable
        ``setup(*operands) -> body``: untimed preparation (imports, conversions, tables) returning a
        zero-argument callable whose call is what gets timed.
    result : callable, optional
        Converts the body's return value to a numpy value comparable with fastdip's result (untimed).
    requires : str, optional
        ``"module"`` or ``"module:attribute"`` that must be importable for the call to run; by default the
        module of the peer's library (:data:`LIBRARY_MODULES`).
    dtypes : tuple of str, optional
        Input dtypes the call supports (all when ``None``).
    agrees : bool
        False for a peer that computes a different definition on purpose (explained in ``note``).
    tolerance : Tolerance, optional
        Overrides the comparison's tolerance for this call; for a disagreeing peer, the measured bound of
        the disagreement.
    note : str
        Why the call differs, or how the parameters were translated.
    """

    setup: Callable[..., Callable[[], Any]]
    result: Callable[[Any], Any] = _as_is
    requires: str | None = None
    dtypes: tuple[str, ...] | None = None
    agrees: bool = True
    tolerance: Tolerance | None = None
    note: str = ""

    def available(self, library: str = "") -> bool:
        """Return whether the call's module (and attribute) can be imported here.

        Parameters
        ----------
        library : str
            The peer key, used when ``requires`` is not set.
        """
        target = self.requires or LIBRARY_MODULES[library.partition(":")[0]]
        module, _, attribute = target.partition(":")
        try:
            if importlib.util.find_spec(module) is None:
                return False
        except ModuleNotFoundError:
            return False
        if not attribute:
            return True
        try:
            return hasattr(importlib.import_module(module), attribute)
        except ImportError:
            return False

    def supports(self, dtype) -> bool:
        """Return whether the call accepts inputs of ``dtype``."""
        return self.dtypes is None or np.dtype(dtype).name in self.dtypes

    def bind(self, *operands) -> Callable[[], Any]:
        """Run the untimed setup and return the timed zero-argument body."""
        return self.setup(*operands)

    def __call__(self, *operands):
        """Set up, run once and convert the result: the value the tests compare."""
        return self.result(self.bind(*operands)())


@dataclass(frozen=True)
class Target:
    """A speed goal from the issue, evaluated and printed by the benchmark runner.

    Parameters
    ----------
    reference : str
        ``"copy"``: fastdip's time divided by a numpy copy of the same array must be at most ``factor``.
        Otherwise a peer key: that peer's time divided by fastdip's must be at least ``factor``.
    factor : float
        The bound described above.
    inputs : tuple of str, optional
        Input labels (:func:`input_label`) the goal is about; all inputs when ``None``.
    """

    reference: str
    factor: float
    inputs: tuple[str, ...] | None = None

    def applies_to(self, label: str) -> bool:
        """Return whether the goal is about the input called ``label``."""
        return self.inputs is None or label in self.inputs

    def ratio(self, fastdip_time: float, reference_time: float) -> float:
        """Return the ratio the goal bounds (fastdip/copy, or peer/fastdip)."""
        if self.reference == "copy":
            return fastdip_time / reference_time
        return reference_time / fastdip_time

    def met(self, ratio: float) -> bool:
        """Return whether ``ratio`` (from :meth:`ratio`) meets the goal."""
        return ratio <= self.factor if self.reference == "copy" else ratio >= self.factor

    def __str__(self) -> str:
        if self.reference == "copy":
            return f"<= {self.factor:g}x numpy copy"
        return f">= {self.factor:g}x faster than {self.reference}"


def _single(image):
    return (image,)


@dataclass(frozen=True)
class Comparison:
    """One operation: fastdip's call, every peer's equivalent, inputs, tolerance and speed goals.

    Parameters
    ----------
    name : str
        Operation name (what ``--filter`` matches, with ``params_label``).
    params_label : str
        The parameters, as shown in tables (``"gamma=0.5"``).
    fastdip : Call or None
        fastdip's call; ``None`` for a reference-only entry.
    peers : mapping of str to Call or None
        Peer calls keyed ``"library"`` or ``"library:variant"``; ``None`` records "no equivalent".
    inputs : tuple of str
        Input kinds, see :func:`make_input`.
    operands : callable
        ``operands(image) -> tuple`` building the call's operands from one input image.
    tolerance : Tolerance
        Allowed difference between fastdip and an agreeing peer.
    note : str
        What the entry compares and any caveat.
    targets : tuple of Target
        Speed goals.
    max_side : int, optional
        Largest image side to benchmark (slow peers).
    """

    name: str
    params_label: str
    fastdip: Call | None
    peers: Mapping[str, Call | None]
    inputs: tuple[str, ...]
    operands: Callable[[np.ndarray], tuple] = _single
    tolerance: Tolerance = EXACT
    note: str = ""
    targets: tuple[Target, ...] = ()
    max_side: int | None = None

    @property
    def label(self) -> str:
        """``name`` and ``params_label`` joined, as printed in tables."""
        return f"{self.name} {self.params_label}".strip()

    def tolerance_for(self, peer: str) -> Tolerance:
        """Return the tolerance that applies between fastdip and ``peer``."""
        call = self.peers[peer]
        return call.tolerance if call is not None and call.tolerance is not None else self.tolerance


# --------------------------------------------------------------------------------------------------
# Inputs shared by tests and benchmarks
# --------------------------------------------------------------------------------------------------


def camera() -> np.ndarray:
    """Return the 512x512 uint8 'camera' test image (scikit-image's copy, else fastdip's bundled one)."""
    try:
        from skimage import data
    except ImportError:
        from fastdip import data
    return np.ascontiguousarray(data.camera())


def image_like(shape, dtype, seed: int) -> np.ndarray:
    """Return a seeded random image with image-like statistics.

    Smoothed Gaussian noise (sigma 2 px) plus a little white noise, min-max scaled to the full range: the
    histogram is a broad bump over the whole range, so histogram operations are not degenerate, and
    neighbouring pixels are correlated as in photographs.

    Parameters
    ----------
    shape : tuple of int
        Output shape.
    dtype : {'uint8', 'float32'}
        uint8 in [0, 255] or float32 in [0, 1].
    seed : int
        Seed for ``numpy.random.default_rng``.

    Returns
    -------
    ndarray
        C-contiguous array of ``shape`` and ``dtype``.
    """
    from scipy import ndimage

    rng = np.random.default_rng(seed)
    noise = rng.standard_normal(shape, dtype=np.float32)
    field = ndimage.gaussian_filter(noise, 2.0)
    field += 0.05 * rng.standard_normal(shape, dtype=np.float32)
    field -= field.min()
    field /= field.max()
    if np.dtype(dtype) == np.uint8:
        return np.rint(field * 255).astype(np.uint8)
    return field.astype(dtype)


#: Input kinds: camera is always 512x512 uint8, "vol" a 192³ uint8 volume (unless a 3-D shape is given);
#: the random 2-D kinds take their size from the caller.
INPUT_KINDS = ("camera", "u8", "f32", "vol")
#: dtype of each input kind.
KIND_DTYPES = {"camera": "uint8", "u8": "uint8", "f32": "float32", "vol": "uint8"}
#: Kinds whose size does not follow the benchmark's --sizes.
FIXED_KINDS = ("camera", "vol")
VOLUME_SHAPE = (192, 192, 192)


def make_input(kind: str, shape=(512, 512), seed: int = 0) -> np.ndarray:
    """Return the input of ``kind``: ``"camera"``, or a seeded :func:`image_like` image (``"u8"``, ``"f32"``).

    Parameters
    ----------
    kind : {'camera', 'u8', 'f32'}
        Input kind.
    shape : tuple of int
        Shape of the random kinds (ignored for camera).
    seed : int
        Seed of the random kinds.
    """
    if kind == "camera":
        return camera()
    if kind == "vol":
        return image_like(tuple(shape) if len(shape) == 3 else VOLUME_SHAPE, "uint8", seed)
    if kind not in KIND_DTYPES:
        raise ValueError(f"make_input: kind must be one of {INPUT_KINDS}, got {kind!r}")
    return image_like(shape, KIND_DTYPES[kind], seed)


def input_label(kind: str, image: np.ndarray) -> str:
    """Return the label of an input as used in tables and :class:`Target` (``"u8 4096×4096"``)."""
    short = {"uint8": "u8", "float32": "f32"}.get(image.dtype.name, image.dtype.name)
    size = "×".join(str(n) for n in image.shape)
    if kind in ("camera", "vol"):
        return f"{kind} {short} {size}"
    return f"{short} {size}"


def _data_range(image: np.ndarray) -> float:
    return 255.0 if image.dtype == np.uint8 else 1.0


def _with_distorted(image):
    """Operands ``(reference, distorted, data_range)`` for full-reference metrics.

    The distorted image is the input plus seeded Gaussian noise (4 % of the range) and a 3 % gain loss,
    clipped to the range, in the input's dtype.
    """
    data_range = _data_range(image)
    rng = np.random.default_rng(1234)
    noisy = 0.97 * image + rng.normal(0.0, 0.04 * data_range, image.shape)
    noisy = np.clip(noisy, 0, data_range)
    noisy = np.rint(noisy).astype(image.dtype) if image.dtype == np.uint8 else noisy.astype(image.dtype)
    return image, noisy, data_range


def _with_match_reference(image):
    """Operands ``(image, reference)`` for histogram matching: a squared smooth field, so skewed dark."""
    field = image_like(image.shape, np.float32, seed=4321) ** 2
    return image, np.rint(field * 255).astype(np.uint8)


# --------------------------------------------------------------------------------------------------
# Lazy access to libraries and a few composed peer implementations
# --------------------------------------------------------------------------------------------------


@cache
def _lib(name: str):
    return importlib.import_module(name)


def _resolve(path: str):
    module, _, attribute = path.partition(":")
    return getattr(_lib(module), attribute)


def _pil(image):
    return _lib("PIL.Image").fromarray(image)


def _fastdip(path: str, **kwargs) -> Call:
    """A Call to fastdip function ``path`` (``"fastdip.module:function"``) on all operands."""
    return Call(lambda *operands: partial(_resolve(path), *operands, **kwargs), requires=path)


def _fastdip_metric(path: str) -> Call:
    """A Call to a fastdip full-reference metric with the explicit ``data_range`` operand."""
    return Call(
        lambda ref, im, data_range: partial(_resolve(path), ref, im, data_range=data_range),
        result=float,
        requires=path,
    )


@cache
def _gamma_lut(gamma: float) -> np.ndarray:
    """uint8 table of s = round(255 * (r / 255) ** gamma): fastdip's gamma for c = 1."""
    lut = np.rint(255.0 * (np.arange(256) / 255.0) ** gamma)
    return np.clip(lut, 0, 255).astype(np.uint8)


def _copyto(out, image):
    np.copyto(out, image)
    return out


def _numpy_negative(image):
    if image.dtype == np.uint8:
        return partial(np.invert, image)
    return partial(np.subtract, image.dtype.type(1), image)


def _opencv_negative(image):
    cv2 = _lib("cv2")
    if image.dtype == np.uint8:
        return partial(cv2.bitwise_not, image)
    return partial(cv2.subtract, 1.0, image)


def _opencv_gamma(image, gamma):
    cv2 = _lib("cv2")
    if image.dtype == np.uint8:
        return partial(cv2.LUT, image, _gamma_lut(gamma))
    return partial(cv2.pow, image, gamma)


def _numpy_lut_gamma(image, gamma):
    if image.dtype == np.uint8:
        return partial(_gamma_lut(gamma).__getitem__, image)
    return partial(np.power, image, np.float32(gamma))


def _opencv_log1p(image):
    cv2 = _lib("cv2")
    return partial(lambda im: cv2.log(cv2.add(im, 1.0)), image)


def _torch_log1p(image):
    torch = _lib("torch")
    return partial(torch.log1p, _lib("torch").from_numpy(np.ascontiguousarray(image)))


def _opencv_histogram(image):
    return partial(_lib("cv2").calcHist, [image], [0], None, [256], [0, 256])


def _equalize_gonzalez_numpy(image):
    """s_k = round(255 * cdf(k)), cdf the cumulative histogram over all pixels (Gonzalez & Woods 3.3-8)."""
    cdf = np.cumsum(np.bincount(image.ravel(), minlength=256))
    lut = np.floor(255.0 * cdf / cdf[-1] + 0.5).astype(np.uint8)
    return lut[image]


def _equalize_opencv_numpy(image):
    """OpenCV's equalizeHist: the cdf restarted at the first used level, scaled in float32, rounded."""
    hist = np.bincount(image.ravel(), minlength=256)
    first = int(np.flatnonzero(hist)[0])
    total = image.size
    if hist[first] == total:
        return np.full_like(image, first)
    scale = np.float32(255.0 / (total - hist[first]))
    lut = np.rint((np.cumsum(hist) - hist[first]).astype(np.float32) * scale)
    lut[:first] = 0
    return np.clip(lut, 0, 255).astype(np.uint8)[image]


def _match_numpy(image, reference):
    """Histogram specification z = G^-1(T(r)) (Gonzalez & Woods 3-17..3-20), composed from numpy.

    The smallest reference level z with G(z) >= T(r), decided in exact integer arithmetic:
    cumref(z) * N_image >= cumimage(r) * N_reference.
    """
    image_cum = np.cumsum(np.bincount(image.ravel(), minlength=256))
    reference_cum = np.cumsum(np.bincount(reference.ravel(), minlength=256))
    lut = np.searchsorted(reference_cum * image.size, image_cum * reference.size, side="left")
    return np.minimum(lut, 255).astype(np.uint8)[image]


def _psnr_numpy(reference, image, data_range):
    diff = reference.astype(np.float64) - image
    return 10.0 * np.log10(data_range**2 / np.mean(diff * diff))


def _ssim_scipy(reference, image, data_range):
    """Mean SSIM (Wang et al. 2004) composed from scipy.ndimage: Gaussian sigma 1.5 truncated at 3.5
    sigma, population covariances, K1 = 0.01, K2 = 0.03, borders of 5 px (the window radius) dropped."""
    ndimage = _lib("scipy.ndimage")
    x = reference.astype(np.float64)
    y = image.astype(np.float64)
    blur = partial(ndimage.gaussian_filter, sigma=1.5, truncate=3.5, mode="reflect")
    mx, my = blur(x), blur(y)
    vx = blur(x * x) - mx * mx
    vy = blur(y * y) - my * my
    cxy = blur(x * y) - mx * my
    c1 = (0.01 * data_range) ** 2
    c2 = (0.03 * data_range) ** 2
    s = ((2 * mx * my + c1) * (2 * cxy + c2)) / ((mx * mx + my * my + c1) * (vx + vy + c2))
    return float(s[5:-5, 5:-5].mean())


# --------------------------------------------------------------------------------------------------
# The table
# --------------------------------------------------------------------------------------------------

_LUT_TARGET = (Target("copy", 1.5),)

COMPARISONS: tuple[Comparison, ...] = (
    Comparison(
        "copy",
        "",
        fastdip=None,
        peers={
            "numpy": Call(lambda im: partial(np.copy, im)),
            "numpy:copyto": Call(lambda im: partial(_copyto, np.empty_like(im), im)),
        },
        inputs=("camera", "u8", "f32"),
        note="Memory-bandwidth yardstick: read and write every byte once. LUT and histogram goals are "
        "stated as a multiple of the numpy copy of the same array.",
    ),
    Comparison(
        "negative",
        "",
        fastdip=_fastdip("fastdip.intensity:negative"),
        peers={
            "numpy": Call(_numpy_negative, note="np.invert (uint8), np.subtract(1, r) (float)"),
            "opencv": Call(_opencv_negative, note="cv2.bitwise_not (uint8), cv2.subtract(1.0, r) (float)"),
            "skimage": Call(lambda im: partial(_lib("skimage.util").invert, im)),
            "pillow": Call(
                lambda im: partial(_lib("PIL.ImageOps").invert, _pil(im)), result=np.asarray, dtypes=U8
            ),
        },
        inputs=("camera", "u8", "f32"),
        note="s = L - 1 - r for integers, 1 - r for floats.",
        targets=_LUT_TARGET,
    ),
    Comparison(
        "gamma",
        "gamma=0.5",
        fastdip=Call(
            lambda im: partial(_resolve("fastdip.intensity:gamma"), im, 0.5),
            requires="fastdip.intensity:gamma",
        ),
        peers={
            "opencv": Call(
                lambda im: _opencv_gamma(im, 0.5),
                note="cv2.LUT with the table round(255 (r/255)^0.5) (uint8); cv2.pow (float)",
            ),
            "skimage": Call(lambda im: partial(_lib("skimage.exposure").adjust_gamma, im, 0.5)),
            "pillow": Call(
                lambda im: partial(_pil(im).point, _gamma_lut(0.5).tolist()), result=np.asarray, dtypes=U8
            ),
            "numpy:take": Call(lambda im: partial(np.take, _gamma_lut(0.5), im), dtypes=U8),
            "numpy": Call(
                lambda im: _numpy_lut_gamma(im, 0.5), note="lut[image] (uint8); np.power (float)"
            ),
        },
        inputs=("camera", "u8", "f32"),
        note="s = (L-1) (r/(L-1))^gamma rounded (integers, a 256-entry LUT), r^gamma (floats).",
        targets=_LUT_TARGET,
    ),
    Comparison(
        "log_transform",
        "c=1",
        fastdip=Call(
            lambda im: partial(_resolve("fastdip.intensity:log_transform"), im, 1.0),
            requires="fastdip.intensity:log_transform",
        ),
        peers={
            "numpy": Call(lambda im: partial(np.log1p, im), tolerance=Tolerance(rtol=2.4e-7),
                          note="np.log1p (float32: glibc log1pf, up to 0.84 ulp off, or on CPUs with AVX-512 "
                          "numpy's own vector loop, up to 2 ulp off: 0.33351788 -> 0.28782052 against the correctly "
                          "rounded 0.28782046; fastdip rounds a float64 log1p once)"),
            "opencv": Call(_opencv_log1p, agrees=False, tolerance=Tolerance(atol=1.2e-7, rtol=2.4e-7),
                           note="cv2.log(cv2.add(r, 1.0)): the float32 sum 1 + r rounds away up to 6e-8 before "
                           "the log, so small r lose their relative precision; bound measured on [0, 1] data"),
            "torch": Call(_torch_log1p, result=lambda t: t.numpy(), requires="torch", tolerance=Tolerance(rtol=2.4e-7),
                          note="torch.log1p on a tensor made in setup (vectorised float32, within 2 ulp)"),
        },
        inputs=("f32",),
        tolerance=Tolerance(rtol=1.2e-7),
        note="s = c log(1 + r) with c = 1 on float32 images (integers take a 256-entry LUT, as gamma).",
    ),
    Comparison(
        "histogram",
        "256 bins",
        fastdip=Call(
            lambda im: partial(_resolve("fastdip.histogram:histogram"), im),
            result=lambda h: np.asarray(h.counts),
            requires="fastdip.histogram:histogram",
        ),
        peers={
            "opencv": Call(_opencv_histogram, result=lambda h: h.ravel(), note="cv2.calcHist, float32 counts"),
            "numpy:bincount": Call(lambda im: partial(np.bincount, im.ravel(), minlength=256)),
            "numpy:histogram": Call(
                lambda im: partial(np.histogram, im, bins=256, range=(0, 256)), result=lambda h: h[0]
            ),
            "skimage": Call(
                lambda im: partial(_lib("skimage.exposure").histogram, im, 256, source_range="dtype"),
                result=lambda h: h[0],
                note="source_range='dtype' (the default 'image' starts at the image minimum)",
            ),
            "pillow": Call(lambda im: _pil(im).histogram, result=np.asarray),
        },
        inputs=("camera", "u8"),
        note="One bin per grey level (uint8: 256 bins, edges 0..256).",
        targets=_LUT_TARGET,
    ),
    Comparison(
        "equalize",
        "definition='gonzalez'",
        fastdip=_fastdip("fastdip.histogram:equalize", definition="gonzalez"),
        peers={
            "numpy": Call(lambda im: partial(_equalize_gonzalez_numpy, im), note="round(255 cdf) via a LUT"),
            "skimage": Call(
                lambda im: partial(_lib("skimage.exposure").equalize_hist, im, 256),
                result=lambda out: 255.0 * out,
                tolerance=Tolerance(atol=0.5 + 1e-6),
                note="returns the unrounded cdf in [0, 1] (float64), compared here scaled by 255",
            ),
            "opencv": Call(
                lambda im: partial(_lib("cv2").equalizeHist, im),
                agrees=False,
                tolerance=Tolerance(atol=1),
                note="OpenCV's definition (see definition='opencv'): 1 level off on the test images, more "
                "when the darkest used level holds many pixels",
            ),
            "pillow": Call(
                lambda im: partial(_lib("PIL.ImageOps").equalize, _pil(im)),
                result=np.asarray,
                agrees=False,
                tolerance=Tolerance(atol=5),
                note="Pillow's own definition (cdf of the bins below each level, last used bin left out): "
                "up to 5 levels off",
            ),
        },
        inputs=("camera", "u8"),
        note="Gonzalez & Woods (3.3-8): s_k = round((L-1) cdf(k)), the default definition.",
        targets=(Target("opencv", 1.0, inputs=("u8 4096×4096",)),),
    ),
    Comparison(
        "equalize",
        "definition='opencv'",
        fastdip=_fastdip("fastdip.histogram:equalize", definition="opencv"),
        peers={
            "opencv": Call(lambda im: partial(_lib("cv2").equalizeHist, im)),
            "numpy": Call(lambda im: partial(_equalize_opencv_numpy, im), note="OpenCV's formula via a LUT"),
            "skimage": Call(
                lambda im: partial(_lib("skimage.exposure").equalize_hist, im, 256),
                result=lambda out: 255.0 * out,
                agrees=False,
                tolerance=Tolerance(atol=1.8),
                note="cdf not restarted at the first used level: up to 1.8 levels from OpenCV",
            ),
            "pillow": Call(
                lambda im: partial(_lib("PIL.ImageOps").equalize, _pil(im)),
                result=np.asarray,
                agrees=False,
                tolerance=Tolerance(atol=5),
                note="Pillow's own definition: up to 5 levels from OpenCV",
            ),
        },
        inputs=("camera", "u8"),
        note="cv2.equalizeHist's definition: cdf restarted at the first used level, scaled to 255.",
        targets=(Target("opencv", 1.0, inputs=("u8 4096×4096",)),),
    ),
    Comparison(
        "match",
        "ref=field²",
        fastdip=_fastdip("fastdip.histogram:match"),
        peers={
            "numpy": Call(
                lambda im, ref: partial(_match_numpy, im, ref),
                note="G^-1(T(r)) by np.searchsorted on integer cumulative counts, via a LUT",
            ),
            "skimage": Call(
                lambda im, ref: partial(_lib("skimage.exposure").match_histograms, im, ref),
                agrees=False,
                tolerance=Tolerance(atol=2),
                note="interpolates linearly between the reference's used levels (unrounded float64 for "
                "uint8 input) instead of taking the smallest level z with G(z) >= T(r): up to 2 levels off",
            ),
        },
        inputs=("camera", "u8"),
        operands=_with_match_reference,
        note="Histogram specification z = G^-1(T(r)) onto a squared smooth field (a dark-skewed histogram).",
    ),
    Comparison(
        "psnr",
        "noisy input",
        fastdip=_fastdip_metric("fastdip.metrics:psnr"),
        peers={
            "skimage": Call(
                lambda ref, im, dr: partial(
                    _lib("skimage.metrics").peak_signal_noise_ratio, ref, im, data_range=dr
                ),
                result=float,
            ),
            "opencv": Call(lambda ref, im, dr: partial(_lib("cv2").PSNR, ref, im, dr), result=float),
            "numpy": Call(lambda ref, im, dr: partial(_psnr_numpy, ref, im, dr), result=float),
        },
        inputs=("camera", "u8", "f32"),
        operands=_with_distorted,
        tolerance=Tolerance(rtol=1e-6),
        note="10 log10(R^2 / MSE) with R = 255 (uint8) or 1 (float) passed explicitly.",
    ),
    Comparison(
        "ssim",
        "gaussian σ=1.5",
        fastdip=_fastdip_metric("fastdip.metrics:ssim"),
        peers={
            "skimage": Call(
                lambda ref, im, dr: partial(
                    _lib("skimage.metrics").structural_similarity,
                    ref,
                    im,
                    gaussian_weights=True,
                    sigma=1.5,
                    use_sample_covariance=False,
                    data_range=dr,
                ),
                result=float,
                note="gaussian_weights=True, sigma=1.5, use_sample_covariance=False",
            ),
            "scipy": Call(
                lambda ref, im, dr: partial(_ssim_scipy, ref, im, dr),
                result=float,
                note="composed from ndimage.gaussian_filter, as Wang et al. 2004",
            ),
            "opencv": None,
        },
        inputs=("camera", "u8", "f32"),
        operands=_with_distorted,
        tolerance=Tolerance(atol=1e-5),
        note="Mean SSIM, Gaussian window sigma 1.5, K1 = 0.01, K2 = 0.03 (Wang et al. 2004); "
        "OpenCV has SSIM only in opencv-contrib (quality module).",
        targets=(Target("skimage", 2.0),),
    ),
)


# --------------------------------------------------------------------------------------------------
# Filters (issue 3): peers' parameter translations
# --------------------------------------------------------------------------------------------------

#: fastdip/scipy 'reflect' (d c b a | a b c d) is OpenCV's BORDER_REFLECT; 'nearest' is BORDER_REPLICATE.
_CV_REFLECT = 2  # cv2.BORDER_REFLECT
_F32 = ("float32",)


def _as_float32(image):
    return image.astype(np.float32) if image.dtype != np.float32 else image


def _scipy_float(name: str, *args, **kwargs) -> Call:
    """A scipy.ndimage filter run on the float32 image: scipy's own uint8 path truncates each pass."""
    return Call(lambda im: partial(getattr(_lib("scipy.ndimage"), name), _as_float32(im), *args, **kwargs),
                note="on the float32 image (scipy truncates uint8 results)")


def _opencv_gaussian(image, sigma):
    radius = int(4.0 * sigma + 0.5)
    cv2 = _lib("cv2")
    return partial(cv2.GaussianBlur, _as_float32(image), (2 * radius + 1, 2 * radius + 1), sigma,
                   borderType=_CV_REFLECT)


@cache
def _kernel_7x7() -> np.ndarray:
    """A seeded, non-separable 7x7 kernel (rank 7)."""
    return np.random.default_rng(77).standard_normal((7, 7)).astype(np.float32)


def _kernel_3x3() -> np.ndarray:
    """A seeded, non-separable 3x3 kernel (rank 3)."""
    return np.random.default_rng(33).standard_normal((3, 3)).astype(np.float32)


def _opencv_convolve(image):
    # filter2D correlates: flip the kernel for a true convolution (odd size: the anchor stays centred)
    kernel = np.ascontiguousarray(_kernel_7x7()[::-1, ::-1])
    return partial(_lib("cv2").filter2D, _as_float32(image), -1, kernel, borderType=_CV_REFLECT)


def _with_salt_pepper(image):
    """Operands ``(noisy,)``: exactly 35 % of the pixels set to 0 or 255 (half each, seeded)."""
    rng = np.random.default_rng(35)
    noisy = image.copy()
    flat = noisy.reshape(-1)
    chosen = rng.choice(flat.size, int(round(0.35 * flat.size)), replace=False)
    flat[chosen[: chosen.size // 2]] = 255
    flat[chosen[chosen.size // 2:]] = 0
    return (noisy,)


def _mean_entry(size: int, targets=()) -> Comparison:
    return Comparison(
        "mean",
        f"{size}x{size}",
        fastdip=_fastdip("fastdip.filters:mean", size=size),
        peers={
            "scipy": _scipy_float("uniform_filter", size, mode="reflect"),
            "opencv": Call(lambda im: partial(_lib("cv2").blur, _as_float32(im), (size, size),
                                              borderType=_CV_REFLECT), note="cv2.blur on float32"),
            "dask_image": None,
        },
        inputs=("camera", "u8", "f32"),
        tolerance=Tolerance(atol=2e-3, rtol=1e-5),
        note="Box filter, 'reflect' border; float32 output in the input scale. Tolerance: float32 running "
        "sums against the peers' direct sums.",
        targets=targets,
    )


def _gaussian_entry(sigma: float) -> Comparison:
    return Comparison(
        "gaussian",
        f"σ={sigma:g}",
        fastdip=_fastdip("fastdip.filters:gaussian", sigma=sigma),
        peers={
            "scipy": _scipy_float("gaussian_filter", sigma, mode="reflect", truncate=4.0),
            "opencv": Call(lambda im: _opencv_gaussian(im, sigma),
                           note="ksize 2*int(4 sigma + 0.5) + 1, BORDER_REFLECT, float32"),
        },
        inputs=("u8", "f32"),
        tolerance=Tolerance(atol=2e-3, rtol=1e-5),
        note="Separable Gaussian truncated at 4 sigma, 'reflect' border, float32 output.",
        targets=(Target("opencv", 1 / 1.3, inputs=("f32 4096×4096",)),
                 Target("scipy", 1.0, inputs=("f32 4096×4096",))),
    )


def _uint8_output_entry(name: str, params: str, fastdip: Call, opencv: Call, note: str) -> Comparison:
    """A linear filter of a uint8 image written as uint8 by both libraries (the same bytes out)."""
    return Comparison(
        name,
        f"{params} dtype=uint8",
        fastdip=fastdip,
        peers={"opencv": opencv},
        inputs=("camera", "u8"),
        note=note,
    )


def _mean_uint8_entry(size: int) -> Comparison:
    return _uint8_output_entry(
        "mean", f"{size}x{size}", _fastdip("fastdip.filters:mean", size=size, dtype=np.uint8),
        Call(lambda im: partial(_lib("cv2").blur, im, (size, size), borderType=_CV_REFLECT), agrees=False,
             tolerance=Tolerance(atol=1.0),
             note="cv2.blur on uint8 rounds a fixed-point product; fastdip rounds the exact mean half to even"),
        "Box filter of a uint8 image to uint8, 'reflect' border: the exact window mean rounded half to even.")


def _gaussian_uint8_entry(sigma: float) -> Comparison:
    radius = int(4.0 * sigma + 0.5)
    return _uint8_output_entry(
        "gaussian", f"σ={sigma:g}", _fastdip("fastdip.filters:gaussian", sigma=sigma, dtype=np.uint8),
        Call(lambda im: partial(_lib("cv2").GaussianBlur, im, (2 * radius + 1, 2 * radius + 1), sigma,
                                borderType=_CV_REFLECT), agrees=False, tolerance=Tolerance(atol=1.0),
             note="cv2.GaussianBlur on uint8 uses 8-bit fixed-point weights (its bit-exact mode)"),
        "Gaussian of a uint8 image to uint8, 'reflect' border: fastdip gives the rounded float64 result.")


def _median_entry(size: int, targets=(), max_side=None) -> Comparison:
    return Comparison(
        "median",
        f"{size}x{size}",
        fastdip=_fastdip("fastdip.filters:median", size=size, mode="nearest"),
        peers={
            "opencv": Call(lambda im: partial(_lib("cv2").medianBlur, im, size), dtypes=U8,
                           note="cv2.medianBlur replicates the border: fastdip mode='nearest'"),
            "scipy": Call(lambda im: partial(_lib("scipy.ndimage").median_filter, im, size, mode="nearest")),
        },
        inputs=("camera", "u8"),
        note="Exact median of the size x size window, 'nearest' border, uint8 kept.",
        targets=targets,
        max_side=max_side,
    )


_FILTER_COMPARISONS: tuple[Comparison, ...] = (
    _mean_entry(5),
    _mean_entry(25, targets=(Target("opencv", 1 / 1.3, inputs=("f32 4096×4096",)),)),
    _mean_uint8_entry(5),
    _mean_uint8_entry(25),
    _gaussian_entry(2.0),
    _gaussian_entry(8.0),
    _gaussian_uint8_entry(2.0),
    Comparison(
        "convolve",
        "7x7 non-separable",
        fastdip=Call(lambda im: partial(_resolve("fastdip.filters:convolve"), im, _kernel_7x7()),
                     requires="fastdip.filters:convolve"),
        peers={
            "scipy": Call(lambda im: partial(_lib("scipy.ndimage").convolve, _as_float32(im), _kernel_7x7(),
                                             mode="reflect"), note="on the float32 image"),
            "opencv": Call(_opencv_convolve, note="cv2.filter2D with the flipped kernel, BORDER_REFLECT"),
        },
        inputs=("f32",),
        tolerance=Tolerance(atol=1e-4, rtol=1e-5),
        note="True convolution with a seeded random 7x7 kernel (not separable), 'reflect' border.",
        targets=(Target("opencv", 1 / 1.5, inputs=("f32 4096×4096",)),),
    ),
    Comparison(
        "correlate",
        "3x3 non-separable",
        fastdip=Call(lambda im: partial(_resolve("fastdip.filters:correlate"), im, _kernel_3x3()),
                     requires="fastdip.filters:correlate"),
        peers={
            "scipy": Call(lambda im: partial(_lib("scipy.ndimage").correlate, _as_float32(im), _kernel_3x3(),
                                             mode="reflect"), note="on the float32 image"),
            "opencv": Call(lambda im: partial(_lib("cv2").filter2D, _as_float32(im), -1, _kernel_3x3(),
                                              borderType=_CV_REFLECT), note="cv2.filter2D, BORDER_REFLECT"),
        },
        inputs=("u8", "f32"),
        tolerance=Tolerance(atol=1e-3, rtol=1e-5),
        note="Correlation with a seeded random 3x3 kernel (not separable), 'reflect' border, float32 output "
        "(uint8 images: float64 sums, OpenCV's and scipy's on the float32 image).",
    ),
    Comparison(
        "laplacian",
        "4-neighbour",
        fastdip=_fastdip("fastdip.filters:laplacian"),
        peers={
            "scipy": Call(lambda im: partial(_lib("scipy.ndimage").laplace, _as_float32(im), mode="reflect"),
                          result=np.negative, note="ndimage.laplace on the float32 image (negative centre)"),
            "opencv": Call(lambda im: partial(_lib("cv2").Laplacian, _as_float32(im), -1, ksize=1,
                                              borderType=_CV_REFLECT),
                           result=np.negative, note="cv2.Laplacian(ksize=1): [[0, 1, 0], [1, -4, 1], [0, 1, 0]], "
                           "BORDER_REFLECT (negated: fastdip's centre is positive)"),
        },
        inputs=("u8", "f32"),
        tolerance=Tolerance(atol=1e-3, rtol=1e-5),
        note="The 4-neighbour Laplacian, 'reflect' border, float32 output.",
    ),
    Comparison(
        "sobel",
        "axis 0",
        fastdip=Call(lambda im: partial(_resolve("fastdip.filters:sobel"), im, 0), requires="fastdip.filters:sobel"),
        peers={
            "scipy": Call(lambda im: partial(_lib("scipy.ndimage").sobel, _as_float32(im), axis=0, mode="reflect"),
                          note="ndimage.sobel on the float32 image"),
            "opencv": Call(lambda im: partial(_lib("cv2").Sobel, _as_float32(im), -1, 0, 1, ksize=3,
                                              borderType=_CV_REFLECT),
                           note="cv2.Sobel(dx=0, dy=1, ksize=3), BORDER_REFLECT"),
        },
        inputs=("u8", "f32"),
        tolerance=Tolerance(atol=1e-3, rtol=1e-5),
        note="The vertical Sobel derivative [[-1, -2, -1], [0, 0, 0], [1, 2, 1]], 'reflect' border, float32 "
        "output.",
    ),
    _median_entry(3, targets=(Target("opencv", 1.0, inputs=("u8 4096×4096",)),)),
    _median_entry(5, targets=(Target("opencv", 1.0, inputs=("u8 4096×4096",)),)),
    _median_entry(15, targets=(Target("opencv", 1 / 1.5, inputs=("u8 4096×4096",)),
                               Target("scipy", 10.0, inputs=("u8 4096×4096",)))),
    Comparison(
        "median",
        "3x3x3",
        fastdip=_fastdip("fastdip.filters:median", size=3),
        peers={"scipy": Call(lambda im: partial(_lib("scipy.ndimage").median_filter, im, 3, mode="reflect"))},
        inputs=("vol",),
        note="Exact 3-D median, 'reflect' border.",
        targets=(Target("scipy", 5.0),),
    ),
    Comparison(
        "adaptive_median",
        "S_max=7, s&p 0.35",
        fastdip=_fastdip("fastdip.filters:adaptive_median", max_size=7),
        peers={
            "scipy": Call(
                lambda im: partial(_lib("scipy.ndimage").median_filter, im, 7, mode="reflect"),
                agrees=False,
                tolerance=Tolerance(atol=255),
                note="median 7x7: a different filter, the speed yardstick of the issue (no peer has the "
                "adaptive median)",
            ),
        },
        inputs=("camera", "u8"),
        operands=_with_salt_pepper,
        note="Gonzalez & Woods adaptive median on 35 % salt-and-pepper noise.",
        targets=(Target("scipy", 1.0, inputs=("u8 2048×2048",)),),
    ),
)

COMPARISONS = COMPARISONS + _FILTER_COMPARISONS


def by_name(label: str) -> Comparison:
    """Return the comparison whose :attr:`Comparison.label` (or bare name, if unique) is ``label``."""
    found = [c for c in COMPARISONS if label in (c.label, c.name)]
    if len(found) != 1:
        raise KeyError(f"by_name: {label!r} matches {len(found)} comparisons")
    return found[0]


# --------------------------------------------------------------------------------------------------
# Fourier (issue 4): the DFT round trip and filtering by a transfer function
# --------------------------------------------------------------------------------------------------


def _fastdip_dft2_roundtrip(image):
    fourier = _lib("fastdip.fourier")
    return fourier.idft2(fourier.dft2(image))


def _peer_workers() -> int:
    """scipy.fft's ``workers`` for the peers: every core, or 1 when the run is single-threaded
    (``python -m benchmarks --threads 1`` sets OMP_NUM_THREADS=1), as fastdip then is."""
    import os

    return 1 if os.environ.get("OMP_NUM_THREADS") == "1" else -1


def _numpy_fft2_roundtrip(image):
    return np.fft.ifft2(np.fft.fft2(image)).real


def _scipy_fft2_roundtrip(image):
    fft = _lib("scipy.fft")
    return fft.ifft2(fft.fft2(image, workers=_peer_workers()), workers=_peer_workers()).real


def _torch_fft2_roundtrip(tensor):
    torch = _lib("torch")
    return torch.fft.ifft2(torch.fft.fft2(tensor)).real


def _fastdip_rdft2_roundtrip(image):
    fourier = _lib("fastdip.fourier")
    return fourier.irdft2(fourier.rdft2(image), image.shape)


def _numpy_rfft2_roundtrip(image):
    return np.fft.irfft2(np.fft.rfft2(image), s=image.shape)


def _scipy_rfft2_roundtrip(image):
    fft = _lib("scipy.fft")
    return fft.irfft2(fft.rfft2(image, workers=_peer_workers()), s=image.shape, workers=_peer_workers())


def _torch_rfft2_roundtrip(tensor):
    torch = _lib("torch")
    return torch.fft.irfft2(torch.fft.rfft2(tensor), s=tuple(tensor.shape))


def _torch_tensor(image):
    return _lib("torch").from_numpy(np.ascontiguousarray(image))


def _apply_cutoff(shape) -> float:
    return max(1.0, min(shape) / 16.0)


def _gaussian_lowpass(shape) -> np.ndarray:
    """The centred Gaussian low-pass H of ``shape``, D0 = min(shape)/16 (fastdip.fourier.lowpass)."""
    return _lib("fastdip.fourier").lowpass(shape, _apply_cutoff(shape), kind="gaussian")


def _fastdip_apply(image):
    return partial(_resolve("fastdip.fourier:apply"), image, _gaussian_lowpass(image.shape))


def _scipy_rfft_filter(image, h_half):
    fft = _lib("scipy.fft")
    spectrum = fft.rfft2(image, workers=_peer_workers())
    spectrum *= h_half  # in place: no third complex array
    return fft.irfft2(spectrum, s=image.shape, workers=_peer_workers())


def _scipy_apply(image):
    """The bare real FFT pair irfft2(rfft2(x) * H_half): H uncentred (ifftshift) and cut to the rfft half-grid
    in float32 in the untimed setup."""
    fft = _lib("scipy.fft")
    h = fft.ifftshift(_gaussian_lowpass(image.shape))
    h_half = np.ascontiguousarray(h[:, : image.shape[1] // 2 + 1], dtype=image.dtype)
    return partial(_scipy_rfft_filter, image, h_half)


_FFT_SIZES = ("f32 2048×2048", "f32 4096×4096")

_FOURIER_COMPARISONS: tuple[Comparison, ...] = (
    Comparison(
        "dft2_roundtrip",
        "",
        fastdip=Call(lambda im: partial(_fastdip_dft2_roundtrip, im), requires="fastdip.fourier:idft2"),
        peers={
            "numpy": Call(lambda im: partial(_numpy_fft2_roundtrip, im),
                          note="np.fft.ifft2(np.fft.fft2(x)).real"),
            "scipy": Call(lambda im: partial(_scipy_fft2_roundtrip, im), requires="scipy.fft",
                          note="scipy.fft.ifft2(scipy.fft.fft2(x, workers=W), workers=W).real with W = -1 (1 under --threads 1)"),
            "torch": Call(lambda im: partial(_torch_fft2_roundtrip, _torch_tensor(im)),
                          result=lambda t: t.numpy(), requires="torch", agrees=False,
                          tolerance=Tolerance(atol=1.0),
                          note="torch.fft.ifft2(torch.fft.fft2(t)).real on a tensor made in setup: torch 2.13 "
                          "CPU's complex64 ifft2 on 2 threads returned the input divided by MN twice (all ~0, "
                          "off by up to 1.0 on [0, 1] data) on f32 2048x2048 here, while 257x263 and "
                          "4096x4096 agreed to 5e-7 (PEER-BASELINE.md); bound: the whole [0, 1] range"),
        },
        inputs=("f32",),
        tolerance=Tolerance(atol=2e-6, rtol=1e-5),
        note="Forward DFT then inverse (1/MN) of a float32 image, complex64 in between, real part back. "
        "Tolerance: float32 rounding of two transforms.",
        targets=(Target("scipy", 1.0, inputs=_FFT_SIZES), Target("scipy", 0.8, inputs=("f32 512×512",))),
    ),
    Comparison(
        "rdft2_roundtrip",
        "",
        fastdip=Call(lambda im: partial(_fastdip_rdft2_roundtrip, im), requires="fastdip.fourier:irdft2"),
        peers={
            "numpy": Call(lambda im: partial(_numpy_rfft2_roundtrip, im),
                          note="np.fft.irfft2(np.fft.rfft2(x), s=x.shape)"),
            "scipy": Call(lambda im: partial(_scipy_rfft2_roundtrip, im), requires="scipy.fft",
                          note="scipy.fft.irfft2(scipy.fft.rfft2(x, workers=W), s=x.shape, workers=W) with W = -1 (1 under --threads 1)"),
            "torch": Call(lambda im: partial(_torch_rfft2_roundtrip, _torch_tensor(im)),
                          result=lambda t: t.numpy(), requires="torch",
                          note="torch.fft.irfft2(torch.fft.rfft2(t), s=t.shape) on a tensor made in setup"),
        },
        inputs=("f32",),
        tolerance=Tolerance(atol=2e-6, rtol=1e-5),
        note="Half-spectrum forward DFT then inverse (1/MN) of a float32 image, complex64 in between. "
        "Tolerance: float32 rounding of two transforms.",
        targets=(Target("scipy", 1.0, inputs=_FFT_SIZES), Target("scipy", 0.8, inputs=("f32 512×512",))),
    ),
    Comparison(
        "fourier_apply",
        "gaussian low-pass D0=min(M,N)/16",
        fastdip=Call(_fastdip_apply, requires="fastdip.fourier:apply"),
        peers={
            "scipy": Call(_scipy_apply, requires="scipy.fft",
                          note="bare real FFT pair: scipy.fft.irfft2(rfft2(x, workers=W) * H_half, workers=W), the product "
                          "in place, H_half prepared in setup"),
        },
        inputs=("f32",),
        tolerance=Tolerance(atol=2e-6, rtol=1e-5),
        note="g = real(IDFT[H · DFT[f]]) without padding, H a centred Gaussian low-pass of the image's shape "
        "built in the untimed setup; the yardstick is a bare forward + inverse real FFT with the product.",
        targets=(Target("scipy", 1 / 1.3),),
    ),
)

COMPARISONS = COMPARISONS + _FOURIER_COMPARISONS


# --------------------------------------------------------------------------------------------------
# Topic tables (issues 5-8): each ``tests/_comparisons_<topic>.py`` builds its entries from the vocabulary
# above and defines ``COMPARISONS``; they are appended here, in this order. Import them only through this
# module (they import it back).
# --------------------------------------------------------------------------------------------------

_TOPICS = ("geometry", "restoration", "morphology", "segmentation")
for _topic in _TOPICS:
    if importlib.util.find_spec(f"tests._comparisons_{_topic}") is not None:
        COMPARISONS = COMPARISONS + importlib.import_module(f"tests._comparisons_{_topic}").COMPARISONS
