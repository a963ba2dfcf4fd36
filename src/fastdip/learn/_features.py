"""Pixel features for classical machine learning: a multi-scale filter bank (ilastik / Trainable Weka style),
2-D and 3-D, one Gaussian per scale shared by every feature of that scale."""

from __future__ import annotations

import concurrent.futures
import dataclasses
import itertools
import math
import numbers

import numpy as np

from .. import _validate, parallel
from .._kernels import load as _kload

__all__ = ["features", "feature_names", "features_radius"]

#: every feature kind, in the order a docstring explains them
KINDS = ("intensity", "gaussian", "gradient", "log", "dog", "hessian", "structure_tensor", "sobel")
DEFAULT_KINDS = ("intensity", "gaussian", "gradient", "log", "dog", "hessian", "structure_tensor")
DEFAULT_SIGMAS = (0.7, 1.0, 1.6, 3.5, 5.0, 10.0)
SIGMA_PRESETS = {
    "ilastik": (0.3, 0.7, 1.0, 1.6, 3.5, 5.0, 10.0),
    # skimage.feature.multiscale_basic_features' defaults: 2**k for k = -1..4 (sigma_min=0.5, sigma_max=16)
    "skimage": (0.5, 1.0, 2.0, 4.0, 8.0, 16.0),
}
SKIMAGE_KINDS = ("gaussian", "sobel", "hessian")
TRUNCATE = 4.0  # Gaussian kernel radius int(4 sigma + 0.5), scipy.ndimage's and skimage's default
OUTER_SCALE = 0.5  # structure tensor: products of the sigma-gradients smoothed at 0.5 sigma (ilastik's rule)
_MAX_FUSED_TAPS = 256  # above this many taps fastdip.filters may pick its FFT path; see _smooth
_PENDING_BYTES = 256 << 20  # planar rows buffered before they are interleaved into a channel-last stack
_MIN_THREADED_WORK = 1 << 20  # pixels x features: two 256² tiles of 49 features take about 0.2 s


@dataclasses.dataclass(frozen=True)
class _Plan:
    """A checked feature set: what ``features`` computes for images of ``ndim`` spatial axes."""

    sigmas: tuple[float, ...]
    kinds: tuple[str, ...]
    spacing: tuple[float, ...]
    ndim: int
    mode: str  # Gaussian border: 'reflect', or 'nearest' for the skimage preset

    def per_channel(self) -> list[str]:
        names = ["intensity"] if "intensity" in self.kinds else []
        prev = 0.0
        n = self.ndim
        for s in self.sigmas:
            tag = f"σ={s:g}"
            for kind in self.kinds:
                if kind in ("gaussian", "gradient", "log", "sobel"):
                    names.append(f"{kind} {tag}")
                elif kind == "dog":
                    names.append(f"dog σ={s:g}-{prev:g}")
                elif kind in ("hessian", "structure_tensor"):
                    names += [f"{kind}_eig{i + 1} {tag}" for i in range(n)]
            prev = s
        return names

    def scale_radius(self, s: float) -> tuple[int, ...]:
        """The margin per axis the features of scale ``s`` need (the Gaussian's radius plus the derivatives'
        reach and, for the structure tensor, the outer Gaussian's radius)."""
        reach = []
        for h in self.spacing:
            r = _kernel_radius(s / h)
            need = 0
            for kind in self.kinds:
                if kind in ("gaussian", "dog"):
                    need = max(need, r)
                elif kind in ("gradient", "sobel"):
                    need = max(need, r + 1)
                elif kind in ("log", "hessian"):
                    need = max(need, r + 2)
                elif kind == "structure_tensor":
                    need = max(need, r + 1 + _kernel_radius(OUTER_SCALE * s / h))
            reach.append(need)
        return tuple(reach)

    def radius(self) -> tuple[int, ...]:
        """The margin per axis a tile needs for its inner pixels to equal the whole-image result exactly."""
        reach = [0] * self.ndim
        for s in self.sigmas:
            reach = [max(a, b) for a, b in zip(reach, self.scale_radius(s))]
        return tuple(reach)

    def to_dict(self) -> dict:
        return {"sigmas": list(self.sigmas), "kinds": list(self.kinds), "spacing": list(self.spacing),
                "ndim": self.ndim, "mode": self.mode}


def _kernel_radius(sigma: float) -> int:
    return int(TRUNCATE * sigma + 0.5)


def _check_sigmas(sigmas, func: str):
    allowed = "'ilastik', 'skimage' or an increasing sequence of positive finite numbers"
    if isinstance(sigmas, str):
        if sigmas not in SIGMA_PRESETS:
            _validate.fail(func, "sigmas", sigmas, allowed)
        return SIGMA_PRESETS[sigmas]
    if isinstance(sigmas, numbers.Real) and not isinstance(sigmas, bool):
        sigmas = (sigmas,)
    try:
        values = tuple(sigmas)
    except TypeError:
        _validate.fail(func, "sigmas", sigmas, allowed, TypeError)
    if not values or not all(isinstance(v, numbers.Real) and not isinstance(v, bool) for v in values):
        _validate.fail(func, "sigmas", sigmas, allowed, TypeError if values else ValueError)
    values = tuple(float(v) for v in values)
    if not all(math.isfinite(v) and v > 0 for v in values) or any(b <= a for a, b in zip(values, values[1:])):
        _validate.fail(func, "sigmas", sigmas, allowed)
    return values


def _check_kinds(kinds, func: str, default):
    if kinds is None:
        return default
    allowed = f"a non-empty sequence of distinct names among {', '.join(repr(k) for k in KINDS)}"
    if isinstance(kinds, str):
        kinds = (kinds,)
    try:
        values = tuple(kinds)
    except TypeError:
        _validate.fail(func, "kinds", kinds, allowed, TypeError)
    if not values or len(set(values)) != len(values) or not all(isinstance(k, str) and k in KINDS
                                                                 for k in values):
        _validate.fail(func, "kinds", kinds, allowed)
    return values


def _check_spacing(spacing, func: str, ndim: int):
    if spacing is None:
        return (1.0,) * ndim
    allowed = f"None or {ndim} positive finite numbers (one per spatial axis)"
    if isinstance(spacing, numbers.Real) and not isinstance(spacing, bool):
        spacing = (spacing,) * ndim
    try:
        values = tuple(float(v) for v in spacing)
    except (TypeError, ValueError):
        _validate.fail(func, "spacing", spacing, allowed, TypeError)
    if len(values) != ndim or not all(math.isfinite(v) and v > 0 for v in values):
        _validate.fail(func, "spacing", spacing, allowed)
    return values


def _make_plan(func: str, ndim: int, sigmas, kinds, spacing) -> _Plan:
    if ndim not in (2, 3):
        _validate.fail(func, "ndim", ndim, "2 or 3 spatial axes")
    skimage = isinstance(sigmas, str) and sigmas == "skimage"
    values = _check_sigmas(sigmas, func)
    kinds = _check_kinds(kinds, func, SKIMAGE_KINDS if skimage else DEFAULT_KINDS)
    return _Plan(values, kinds, _check_spacing(spacing, func, ndim), ndim, "nearest" if skimage else "reflect")


def _prepare(image, func: str, channel_axis):
    """Check the image; return it as a C-contiguous float32 (C, *spatial) array and its channel axis."""
    arr = _validate.image(image, func, finite=True)
    axis = _validate.channel_axis(channel_axis, arr.ndim, func)
    spatial = arr.ndim - (axis is not None)
    if spatial not in (2, 3):
        _validate.fail(func, "image", arr, "a 2-D or 3-D image (plus a channel axis when channel_axis is set)")
    x = arr[None] if axis is None else np.moveaxis(arr, axis, 0)
    x = np.ascontiguousarray(x, dtype=np.float32)
    if not x.flags.writeable:
        x = x.copy()
    return x, axis


# -- the computation ----------------------------------------------------------------------------------------


def _kernels():
    return _kload("features")  # numba is imported on first use only


def _smooth(x: np.ndarray, sigmas, mode: str, batch: bool) -> np.ndarray:
    """Gaussian of float32 ``x`` (a leading batch axis when ``batch``) with one sigma per spatial axis.

    Above 256 taps fastdip.filters.gaussian may take its FFT path, whose rounding depends on the array's
    size; one call per axis then keeps every pixel's value independent of the tile it is computed in."""
    from .. import filters

    axis = 0 if batch else None
    taps = sum(2 * _kernel_radius(s) + 1 for s in sigmas)
    if taps <= _MAX_FUSED_TAPS:
        return filters.gaussian(x, tuple(sigmas), truncate=TRUNCATE, mode=mode, channel_axis=axis)
    for a, s in enumerate(sigmas):
        one = [0.0] * len(sigmas)
        one[a] = s
        x = filters.gaussian(x, tuple(one), truncate=TRUNCATE, mode=mode, channel_axis=axis)
    return x


def _gradient_axis(k, src, h: float, out) -> None:
    """numpy.gradient along axis 1 of an (A, N, B) view, by multiplication when 1/h is exact."""
    mantissa, _ = math.frexp(h)
    with np.errstate(over="ignore", under="ignore"):
        exact = mantissa == 0.5 and np.float32(1.0 / h) * np.float32(h) == 1.0
    if exact:
        k.gradient_axis_pow2(src, np.float32(1.0 / h), out)
    else:
        k.gradient_axis(src, h, out)


def _gradients(g: np.ndarray, spacing) -> np.ndarray:
    """numpy.gradient of ``g`` along every axis (central inside, one-sided at the border), stacked first."""
    k = _kernels()
    n = g.ndim
    d = np.empty((n,) + g.shape, np.float32)
    for a in range(n):
        view = (int(np.prod(g.shape[:a])), g.shape[a], int(np.prod(g.shape[a + 1:])))
        _gradient_axis(k, g.reshape(view), spacing[a], d[a].reshape(view))
    return d


def _hessian(d: np.ndarray, spacing) -> np.ndarray:
    """H_ab = gradient along b of d_a, for a <= b (skimage's order: rr, rc, cc / 00, 01, 02, 11, 12, 22)."""
    k = _kernels()
    n = d.shape[0]
    shape = d.shape[1:]
    pairs = [(a, b) for a in range(n) for b in range(a, n)]
    h = np.empty((len(pairs),) + shape, np.float32)
    for i, (a, b) in enumerate(pairs):
        view = (int(np.prod(shape[:b])), shape[b], int(np.prod(shape[b + 1:])))
        _gradient_axis(k, d[a].reshape(view), spacing[b], h[i].reshape(view))
    return h


class _Writer:
    """Collects the features of one scale planar, each over the inner pixels ``core`` of the array it comes
    from, then ``flush`` computes them: straight into rows of a planar (F, P) stack, or into a planar buffer
    of up to ``_PENDING_BYTES`` that ``close`` (or a full buffer) interleaves into columns of a channel-last
    (P, F) stack. Interleaving once per scale rewrote every cache line of the stack once per scale (0.18 s
    of a 0.75 s skimage-set stack at 1024²); the buffer writes each line once or a few times."""

    def __init__(self, out2d: np.ndarray, planar: bool):
        self.out = out2d
        self.planar = planar
        self.col = 0
        self.rows: list = []
        self.pending = None
        self.n_pending = 0
        if not planar:
            P, F = out2d.shape
            self.capacity = max(1, min(F, _PENDING_BYTES // (4 * max(P, 1))))

    def put(self, arr: np.ndarray, core: tuple) -> None:
        self.rows.append(("put", arr, core))

    def eig(self, entries: np.ndarray, n: int, core: tuple) -> None:
        self.rows.append(("eig", entries, core, n))

    def norm(self, d: np.ndarray, core: tuple) -> None:
        self.rows.append(("norm", d, core))

    def flush(self) -> None:
        k = _kernels()
        count = sum(r[3] if r[0] == "eig" else 1 for r in self.rows)
        if not count:
            return
        if self.planar:
            block = self.out[self.col:self.col + count]
        else:
            if self.n_pending + count > self.capacity:
                self.close()
            rows = max(self.capacity, count)
            if self.pending is None or self.pending.shape[0] < rows:
                self.pending = np.empty((rows, self.out.shape[0]), np.float32)
            block = self.pending[self.n_pending:self.n_pending + count]
        row = 0
        for item in self.rows:
            kind, arr, core = item[:3]
            if kind == "put":
                block[row] = arr[core].reshape(-1)
                row += 1
                continue
            inner = np.ascontiguousarray(arr[(slice(None),) + core]).reshape(arr.shape[0], -1)
            if kind == "norm":
                k.norm_into(inner, block, row)
                row += 1
            else:
                (k.eigvals_2x2 if item[3] == 2 else k.eigvals_3x3)(inner, block, row)
                row += item[3]
        if not self.planar:
            self.n_pending += count
        self.col += count
        self.rows = []

    def close(self) -> None:
        """Interleave the buffered rows into the channel-last stack."""
        if not self.planar and self.n_pending:
            _kernels().interleave(self.pending[:self.n_pending], self.out, self.col - self.n_pending)
            self.n_pending = 0


def _crop(shape, core: tuple, margin) -> tuple[tuple, tuple]:
    """The part of an array of ``shape`` within ``margin`` of ``core`` (clipped), and ``core`` inside it."""
    crop = tuple(slice(max(0, c.start - m), min(n, c.stop + m)) for c, m, n in zip(core, margin, shape))
    inner = tuple(slice(c.start - o.start, c.stop - o.start) for c, o in zip(core, crop))
    return crop, inner


def _scale(channel: np.ndarray, plan: _Plan, s: float, core: tuple, w: _Writer, prev=None):
    """Queue in ``w`` the features of scale ``s`` of one channel for the pixels ``core``, computed on the part
    within the scale's reach (``_Plan.scale_radius``); ``prev`` is (G * f, its core) of the previous scale for
    'dog', recomputed here when None. Returns this scale's (G * f, core) for the next one."""
    shape = channel.shape
    n = plan.ndim
    crop, inner = _crop(shape, core, plan.scale_radius(s))
    f = channel[crop]
    if not f.flags.c_contiguous:
        f = np.ascontiguousarray(f)
    g = _smooth(f, [s / h for h in plan.spacing], plan.mode, batch=False)
    if prev is None and "dog" in plan.kinds:
        i = plan.sigmas.index(s)
        prev = (f, inner) if i == 0 else (_smooth(f, [plan.sigmas[i - 1] / h for h in plan.spacing], plan.mode,
                                                   batch=False), inner)
    pairs = [(a, b) for a in range(n) for b in range(a, n)]
    cache = {}

    def grads():
        if "d" not in cache:
            cache["d"] = _gradients(g, plan.spacing)
        return cache["d"]

    def hessian():
        if "h" not in cache:
            cache["h"] = _hessian(grads(), plan.spacing)
        return cache["h"]

    for kind in plan.kinds:
        if kind == "gaussian":
            w.put(g, inner)
        elif kind == "dog":
            w.put(g[inner] - prev[0][prev[1]], (slice(None),) * n)
        elif kind == "sobel":
            w.put(_sobel_skimage(g), inner)
        elif kind == "gradient":
            w.norm(grads(), inner)
        elif kind == "log":
            hess = hessian()
            w.put(hess[0] + hess[2] if n == 2 else hess[0] + hess[3] + hess[5], inner)
        elif kind == "hessian":
            w.eig(hessian(), n, inner)
        elif kind == "structure_tensor":
            d = grads()
            prod = np.empty((len(pairs),) + f.shape, np.float32)
            for i, (a, b) in enumerate(pairs):
                np.multiply(d[a], d[b], out=prod[i])
            tensor = _smooth(prod, [OUTER_SCALE * s / h for h in plan.spacing], plan.mode, batch=True)
            w.eig(tensor, n, inner)
    w.flush()
    return g, inner


def _full_core(x: np.ndarray, core):
    shape = x.shape[1:]
    if core is None:
        core = tuple(slice(0, n) for n in shape)
    return tuple(slice(*c.indices(n)[:2]) for c, n in zip(core, shape))


def _compute(x: np.ndarray, plan: _Plan, out2d: np.ndarray, core: tuple | None = None, *,
             planar: bool = False) -> None:
    """Write the features of (C, *S) float32 ``x`` for the pixels ``x[c][core]`` into ``out2d``: (P, F)
    channel-last, or (F, P) when ``planar``.

    Each scale works on the part of ``x`` within its own reach of ``core`` (``_Plan.scale_radius``): a tile
    grown by the largest scale's margin computes its small scales on little more than the tile (the values
    are the same: every feature of a core pixel depends only on pixels within that reach)."""
    core = _full_core(x, core)
    w = _Writer(out2d, planar)
    for channel in x:
        if "intensity" in plan.kinds:
            w.put(channel, core)
            w.flush()
        prev = (channel, core)
        for s in plan.sigmas:
            prev = _scale(channel, plan, s, core, w, prev)
    w.close()


def _scale_rows(plan: _Plan) -> int:
    return sum(plan.ndim if kind in ("hessian", "structure_tensor") else 1 for kind in plan.kinds
               if kind != "intensity")


def _compute_threads(x: np.ndarray, plan: _Plan, out2d: np.ndarray, threads: int) -> None:
    """``_compute`` of the whole image with the scales shared among ``threads`` threads (serial kernels in
    each; 'dog' would recompute the previous scale's Gaussian), into a planar (F, P) buffer interleaved once
    at the end: twice the stack's memory, as skimage's multiscale_basic_features (threads over scales too)."""
    core = _full_core(x, None)
    F = out2d.shape[1]
    buf = np.empty((F, out2d.shape[0]), np.float32)
    rows = _scale_rows(plan)
    per_channel = F // x.shape[0]
    jobs = []
    for c in range(x.shape[0]):
        row = c * per_channel
        if "intensity" in plan.kinds:
            buf[row] = x[c].reshape(-1)
            row += 1
        for s in plan.sigmas:
            jobs.append((c, s, row))
            row += rows

    def one(job):
        c, s, row = job
        _scale(x[c], plan, s, core, _Writer(buf[row:row + rows], True))

    with concurrent.futures.ThreadPoolExecutor(threads) as pool:
        for _ in pool.map(one, jobs[::-1]):  # the largest scales first
            pass
    _kernels().interleave(buf, out2d, 0)




def _sobel_skimage(g: np.ndarray) -> np.ndarray:
    """skimage.filters.sobel's magnitude sqrt(sum_a s_a^2 / n), s_a with [1, 0, -1] and [1, 2, 1] / 4."""
    from .. import filters

    n = g.ndim
    mag = filters.sobel(g, mode="reflect")
    mag *= np.float32(1.0 / (4.0 ** (n - 1) * math.sqrt(n)))
    return mag


def _tiles(shape, tile, margin):
    """(core, outer, inner) slices: each core block of at most ``tile``, the block grown by ``margin`` (clipped
    to the image), and the core's place inside the grown block."""
    for starts in itertools.product(*(range(0, s, t) for s, t in zip(shape, tile))):
        core = tuple(slice(a, min(a + t, s)) for a, t, s in zip(starts, tile, shape))
        outer = tuple(slice(max(0, c.start - m), min(s, c.stop + m)) for c, m, s in zip(core, margin, shape))
        inner = tuple(slice(c.start - o.start, c.stop - o.start) for c, o in zip(core, outer))
        yield core, outer, inner


def _tile_features(x: np.ndarray, plan: _Plan, outer: tuple, inner: tuple) -> np.ndarray:
    """The planar (F, P) features of the pixels ``inner`` of the block ``outer`` of (C, *S) ``x``."""
    n = math.prod(s.stop - s.start for s in inner)
    out = np.empty((len(plan.per_channel()) * x.shape[0], n), np.float32)
    _compute(x[(slice(None),) + outer], plan, out, inner, planar=True)
    return out


def _map_tiles(fn, jobs: list, work: int) -> None:
    """``fn(job)`` for every job: on a few threads (each running serial kernels) when ``work`` (pixels x
    features) is large and cores are idle, else one after the other."""
    with parallel._band_threads(work if len(jobs) > 1 else 0, _MIN_THREADED_WORK) as n:
        if n > 1:
            with concurrent.futures.ThreadPoolExecutor(n) as pool:
                for _ in pool.map(fn, jobs):
                    pass
        else:
            for job in jobs:
                fn(job)


# -- public functions ---------------------------------------------------------------------------------------

def features(image, *, sigmas=DEFAULT_SIGMAS, kinds=None, channel_axis=None, spacing=None):
    """A stack of multi-scale pixel features (ilastik / Trainable Weka style) for pixel classification.

    Parameters
    ----------
    image : (M, N[, P]) ndarray
        The input image, 2-D or 3-D (plus a channel axis when ``channel_axis`` is set), finite values; never
        modified.
    sigmas : sequence of float or {'ilastik', 'skimage'}, optional
        The scales, increasing, in the units of ``spacing`` (pixels by default). 'ilastik' is ilastik's set
        (0.3, 0.7, 1.0, 1.6, 3.5, 5.0, 10.0); 'skimage' is skimage.feature.multiscale_basic_features' default
        set (sigmas 0.5, 1, 2, 4, 8, 16; kinds 'gaussian', 'sobel', 'hessian'; Gaussian border 'nearest'),
        which reproduces that function's columns.
    kinds : sequence of str, optional
        Which features, in this order for every scale (default: all but 'sobel'; for sigmas='skimage',
        skimage's three). 'intensity' (the image itself, once), 'gaussian' (G_s * f), 'gradient' (gradient
        magnitude of G_s * f), 'log' (its Laplacian, the trace of the Hessian), 'dog' (G_s * f minus the
        previous scale's G * f, or minus f at the first scale), 'hessian' (eigenvalues of the Hessian of
        G_s * f, largest first), 'structure_tensor' (eigenvalues of G_{s/2} * (grad grad^T) of G_s * f),
        'sobel' (skimage's Sobel magnitude of G_s * f).
    channel_axis : int or None, optional
        The axis that holds colour channels: the features of every channel, channel after channel.
    spacing : float or sequence of float, optional
        The pixel size along each spatial axis (anisotropic volumes): sigma along axis a is sigma / spacing[a]
        pixels, and derivatives are per unit of spacing. Default 1 on every axis.

    Returns
    -------
    (M, N[, P], F) ndarray of float32
        The features, last axis in ``feature_names`` order, in the image's value scale (nothing rescaled).

    Raises
    ------
    TypeError
        If the image is not numeric or an argument has the wrong type.
    ValueError
        If the image is not 2-D/3-D or holds NaN/inf, or ``sigmas``, ``kinds``, ``spacing`` or
        ``channel_axis`` is invalid.

    Notes
    -----
    Per scale s one Gaussian g = G_s * f (radius int(4 s + 0.5), border 'reflect') feeds every kind.
    Derivatives are numpy.gradient's differences of g (central, one-sided at the border), the Hessian the
    differences of those (skimage's ``hessian_matrix(..., use_gaussian_derivatives=False)``); eigenvalues are
    computed in float64 per pixel (closed forms for 2x2, Smith's trigonometric method for 3x3). Every feature
    reaches at most ``features_radius`` pixels, which is what makes tiled prediction exact.

    References
    ----------
    .. [1] Sommer, C., Straehle, C., Koethe, U., & Hamprecht, F. A. (2011). ilastik: Interactive learning
       and segmentation toolkit. IEEE ISBI, 230-233. https://doi.org/10.1109/ISBI.2011.5872394
    .. [2] Arganda-Carreras, I. et al. (2017). Trainable Weka Segmentation: a machine learning tool for
       microscopy pixel classification. Bioinformatics, 33(15), 2424-2426.
       https://doi.org/10.1093/bioinformatics/btx180
    .. [3] Smith, O. K. (1961). Eigenvalues of a symmetric 3 x 3 matrix. Communications of the ACM, 4(4),
       168. https://doi.org/10.1145/355578.366316

    Examples
    --------
    >>> import numpy as np
    >>> from fastdip.learn import features, feature_names
    >>> image = np.zeros((6, 6), np.float32)
    >>> image[:, 3:] = 1.0
    >>> stack = features(image, sigmas=(1.0,), kinds=("intensity", "gaussian", "gradient"))
    >>> stack.shape, stack.dtype
    ((6, 6, 3), dtype('float32'))
    >>> feature_names(sigmas=(1.0,), kinds=("intensity", "gaussian", "gradient"))
    ['intensity', 'gaussian σ=1', 'gradient σ=1']
    >>> stack[0, :, 1].round(2)
    array([0.  , 0.06, 0.3 , 0.7 , 0.94, 1.  ], dtype=float32)
    """
    func = "features"
    x, _ = _prepare(image, func, channel_axis)
    plan = _make_plan(func, x.ndim - 1, sigmas, kinds, spacing)
    n_feat = len(plan.per_channel()) * x.shape[0]
    out = np.empty(x.shape[1:] + (n_feat,), np.float32)
    # scales on threads unless 'dog' chains them (each thread would recompute the previous scale's Gaussian:
    # the default set took 10.4 s threaded against 6.8 s in turn at 2048², the skimage set 3.7 s against 5.0 s)
    chained = "dog" in plan.kinds
    with parallel._band_threads(0 if chained or len(plan.sigmas) < 2 else x.size * n_feat,
                                  _MIN_THREADED_WORK) as n:
        if n > 1:
            _compute_threads(x, plan, out.reshape(-1, n_feat), n)
        else:
            _compute(x, plan, out.reshape(-1, n_feat))
    return out


def feature_names(*, sigmas=DEFAULT_SIGMAS, kinds=None, channels=None, ndim=2, spacing=None):
    """The names of ``features``' columns, in order (e.g. ``'hessian_eig1 σ=1.6'``).

    Parameters
    ----------
    sigmas, kinds, spacing
        As for ``features``.
    channels : int or None, optional
        The number of colour channels (``features`` with a ``channel_axis``): names then start with
        ``'ch0 '``, ``'ch1 '``, ...; None for a grey-level image.
    ndim : {2, 3}, optional
        The image's number of spatial axes (the Hessian and structure tensor have ``ndim`` eigenvalues).

    Returns
    -------
    list of str
        One name per feature: kind, then ``σ=`` and the scale ('dog σ=1.6-1' is G_1.6 - G_1).

    Raises
    ------
    ValueError
        If an argument is invalid (as for ``features``), or ``ndim`` is not 2 or 3.

    References
    ----------
    .. [1] Sommer, C., Straehle, C., Koethe, U., & Hamprecht, F. A. (2011). ilastik: Interactive learning
       and segmentation toolkit. IEEE ISBI, 230-233. https://doi.org/10.1109/ISBI.2011.5872394

    Examples
    --------
    >>> from fastdip.learn import feature_names
    >>> feature_names(sigmas=(1.0, 2.0), kinds=("dog", "hessian"))
    ['dog σ=1-0', 'hessian_eig1 σ=1', 'hessian_eig2 σ=1', 'dog σ=2-1', 'hessian_eig1 σ=2', 'hessian_eig2 σ=2']
    >>> len(feature_names(sigmas="skimage"))
    24
    """
    func = "feature_names"
    plan = _make_plan(func, _validate.number(ndim, func, "ndim", integer=True), sigmas, kinds, spacing)
    names = plan.per_channel()
    if channels is None:
        return names
    channels = _validate.positive_int(channels, func, "channels")
    return [f"ch{c} {name}" for c in range(channels) for name in names]


def features_radius(*, sigmas=DEFAULT_SIGMAS, kinds=None, ndim=2, spacing=None):
    """How far each feature reaches: the margin a tile needs so that its inner pixels get exactly the
    whole-image features.

    Parameters
    ----------
    sigmas, kinds, spacing
        As for ``features``.
    ndim : {2, 3}, optional
        The image's number of spatial axes.

    Returns
    -------
    tuple of int
        The reach in pixels along each spatial axis: the Gaussian radius int(4 s / spacing + 0.5) of the
        largest scale, plus 1 for first derivatives, 2 for second derivatives, and the outer Gaussian's radius
        for the structure tensor.

    Raises
    ------
    ValueError
        If an argument is invalid (as for ``features``), or ``ndim`` is not 2 or 3.

    Notes
    -----
    A pixel's feature depends only on the image within this distance (and, near the image border, on the
    border rule, which a tile touching that border applies identically).

    References
    ----------
    .. [1] Sommer, C., Straehle, C., Koethe, U., & Hamprecht, F. A. (2011). ilastik: Interactive learning
       and segmentation toolkit. IEEE ISBI, 230-233. https://doi.org/10.1109/ISBI.2011.5872394

    Examples
    --------
    >>> from fastdip.learn import features_radius
    >>> features_radius(sigmas=(1.0, 2.0), kinds=("gaussian",))
    (8, 8)
    >>> features_radius()  # sigma 10 structure tensor: 40 + 1 + 20
    (61, 61)
    >>> features_radius(sigmas=(1.0,), kinds=("hessian",), ndim=3, spacing=(2.0, 1.0, 1.0))
    (4, 6, 6)
    """
    func = "features_radius"
    plan = _make_plan(func, _validate.number(ndim, func, "ndim", integer=True), sigmas, kinds, spacing)
    return plan.radius()
