"""Restoration (issue 6) entries of the comparison table: Wiener, CLS and Richardson-Lucy against scikit-image.

Imported only through ``tests/_comparisons.py``, which appends :data:`COMPARISONS` to the one table.
"""

from __future__ import annotations

from functools import partial

import numpy as np

from tests._comparisons import Call, Comparison, Target, Tolerance, _resolve

#: the blur of every entry: a 9x9 Gaussian PSF of sigma 1.5 (odd, so every convention puts its centre alike)
_SIGMA = 1.5
_SIDE = 9
_BALANCE = 0.01


def _gaussian_psf() -> np.ndarray:
    d = np.arange(_SIDE) - _SIDE // 2
    g = np.exp(-0.5 * (d / _SIGMA) ** 2)
    h = np.outer(g, g)
    return h / h.sum()


def _blurred(image):
    """Operands ``(g, psf)``: the image as float32 in [0, 1], blurred circularly by the PSF (numpy's FFT, so
    independent of fastdip) plus seeded Gaussian noise of sigma 0.005."""
    f = image.astype(np.float32) / (255.0 if image.dtype == np.uint8 else 1.0)
    psf = _gaussian_psf()
    padded = np.zeros(f.shape)
    padded[:_SIDE, :_SIDE] = psf
    padded = np.roll(padded, (-(_SIDE // 2), -(_SIDE // 2)), axis=(0, 1))
    g = np.fft.irfft2(np.fft.rfft2(f) * np.fft.rfft2(padded), s=f.shape)
    g += np.random.default_rng(606).normal(0.0, 0.005, f.shape)
    return np.ascontiguousarray(g, dtype=np.float32), psf


def _blurred_nonnegative(image):
    g, psf = _blurred(image)
    return np.maximum(g, 0), psf


def _skimage_wiener(g, psf, *, reg=None):
    return partial(_resolve("skimage.restoration:wiener"), g, psf, _BALANCE, reg=reg, clip=False)


def _cls_image(result):
    return result.image


_LARGE = ("f32 2048×2048", "f32 4096×4096")

COMPARISONS: tuple[Comparison, ...] = (
    Comparison(
        "wiener",
        f"nsr={_BALANCE}, gaussian psf 9x9 sigma 1.5",
        fastdip=Call(lambda g, psf: partial(_resolve("fastdip.restoration:wiener"), g, psf, nsr=_BALANCE),
                     requires="fastdip.restoration:wiener"),
        peers={
            "skimage": Call(lambda g, psf: _skimage_wiener(g, psf, reg=np.ones((1, 1))),
                            requires="skimage.restoration:wiener",
                            note="skimage.restoration.wiener(g, psf, balance, reg=[[1.0]] (an impulse: a transfer "
                            "function of ones), clip=False)"),
        },
        inputs=("camera", "f32"),
        operands=_blurred,
        tolerance=Tolerance(atol=1e-4, rtol=1e-4),
        note="Parametric Wiener filter H*/(|H|^2 + K) G on a circularly blurred, slightly noisy float32 image in "
        "[0, 1]; both in float32 / complex64. Tolerance: float32 rounding of the FFTs.",
        targets=(Target("skimage", 2.0, inputs=_LARGE),),
    ),
    Comparison(
        "cls",
        f"gamma={_BALANCE}, 4-Laplacian, gaussian psf 9x9 sigma 1.5",
        fastdip=Call(lambda g, psf: partial(_resolve("fastdip.restoration:cls"), g, psf, gamma=_BALANCE),
                     result=_cls_image, requires="fastdip.restoration:cls"),
        peers={
            "skimage": Call(_skimage_wiener, requires="skimage.restoration:wiener",
                            note="skimage.restoration.wiener(g, psf, balance, clip=False): its default "
                            "regulariser is the Laplacian's transfer function, so it is CLS with gamma=balance"),
        },
        inputs=("camera", "f32"),
        operands=_blurred,
        tolerance=Tolerance(atol=1e-4, rtol=1e-4),
        note="Constrained least squares H*/(|H|^2 + gamma |P|^2) G with a fixed gamma (no search), P the 4-neighbour "
        "Laplacian; the same data as 'wiener'.",
        targets=(Target("skimage", 2.0, inputs=_LARGE),),
    ),
    Comparison(
        "richardson_lucy",
        "30 iterations, linear boundary, start 0.5, gaussian psf 9x9 sigma 1.5",
        fastdip=Call(lambda g, psf: partial(_resolve("fastdip.restoration:richardson_lucy"), g, psf, num_iter=30,
                                            boundary="linear", initial=0.5),
                     requires="fastdip.restoration:richardson_lucy"),
        peers={
            "skimage": Call(lambda g, psf: partial(_resolve("skimage.restoration:richardson_lucy"), g, psf,
                                                   num_iter=30, clip=False),
                            requires="skimage.restoration:richardson_lucy",
                            note="skimage.restoration.richardson_lucy(g, psf, num_iter=30, clip=False): zero-padded "
                            "'same' convolutions through scipy.signal.convolve, start 0.5, 1e-12 added to the "
                            "denominator (fastdip: ratio 0 where h*f < 1e-12)"),
        },
        inputs=("camera", "f32"),
        operands=_blurred_nonnegative,
        tolerance=Tolerance(atol=1e-4, rtol=1e-4),
        note="30 multiplicative Richardson-Lucy updates of the same start, float32 throughout; the noisy blurred "
        "image clipped at 0 (RL needs g >= 0).",
        targets=(Target("skimage", 2.0, inputs=("f32 1024×1024",)),),
        max_side=1024,
    ),
)

