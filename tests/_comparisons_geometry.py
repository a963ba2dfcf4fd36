"""Geometry (issue 5, part 1): warps and resize next to OpenCV, scipy.ndimage, Pillow and scikit-image.

Parameter translations. fastdip matrices act on (row, col, 1) column vectors and map input to output
coordinates. ``cv2.warpAffine`` takes the forward 2x3 matrix in (x, y) = (col, row) order:
``to_row_convention(M)[:, :2].T``. ``scipy.ndimage.affine_transform`` takes the inverse (output -> input)
matrix in (row, col) order: ``inv(M)``. All three put pixel centres at integer coordinates. fastdip's
'constant' interpolates against cval at the border: scipy's 'grid-constant', OpenCV's BORDER_CONSTANT.
Imported only through ``tests._comparisons``.
"""

from __future__ import annotations

from functools import partial

import numpy as np

from tests._comparisons import Call, Comparison, Target, Tolerance, _lib, _resolve

_BIG = ("u8 4096×4096", "f32 4096×4096")


def _rotation35(shape):
    g = _lib("fastdip.geometry")
    return g.rotation(35.0, g.image_center(shape))


def _fastdip_rotate35(image):
    return partial(_resolve("fastdip.geometry:warp_affine"), image, _rotation35(image.shape), dtype=image.dtype)


def _opencv_rotate35(image):
    cv2 = _lib("cv2")
    a = np.ascontiguousarray(_lib("fastdip.geometry").to_row_convention(_rotation35(image.shape))[:, :2].T)
    return partial(cv2.warpAffine, image, a, image.shape[::-1], flags=cv2.INTER_LINEAR,
                   borderMode=cv2.BORDER_CONSTANT, borderValue=0)


def _scipy_rotate35(image):
    inverse = np.linalg.inv(_rotation35(image.shape))
    return partial(_lib("scipy.ndimage").affine_transform, image, inverse, order=1, mode="grid-constant",
                   prefilter=False)


def _half(image):
    return (max(1, image.shape[0] // 2), max(1, image.shape[1] // 2))


def _fastdip_resize(image, shape_of, **kwargs):
    return partial(_resolve("fastdip.geometry:resize"), image, shape_of(image), dtype=image.dtype, **kwargs)


def _opencv_resize(image, shape_of, flag):
    cv2 = _lib("cv2")
    return partial(cv2.resize, image, shape_of(image)[::-1], interpolation=getattr(cv2, flag))


def _pillow_resize(image, shape_of):
    pil = _lib("PIL.Image")
    return partial(pil.fromarray(image).resize, shape_of(image)[::-1], pil.BILINEAR)


def _skimage_resize(image, shape_of):
    transform = _lib("skimage.transform")
    return partial(transform.resize, image, shape_of(image), order=1, anti_aliasing=True, preserve_range=True,
                   mode="reflect")


def _rgb(image):
    """Operands (rgb,): an interleaved (rows, cols, 3) uint8 colour image, the grey input and two shifted copies
    of it as the other channels (a different, image-like picture in each channel)."""
    return (np.ascontiguousarray(np.stack([image, np.roll(image, 7, axis=1), np.roll(image, 5, axis=0)], axis=-1)),)


def _double(image):
    return (2 * image.shape[0], 2 * image.shape[1])


def _by(factor):
    """Output shape of a resize by a non-integer ``factor`` (the columns a little less, so the two axes differ)."""
    return lambda image: (max(1, round(image.shape[0] * factor)), max(1, round(image.shape[1] * factor * 0.93)))


def _volume_rotation(shape):
    g = _lib("fastdip.geometry")
    return g.rotation(20.0, g.image_center(shape), axis=0)


def _fastdip_rotate_volume(volume):
    return partial(_resolve("fastdip.geometry:warp_affine"), volume, _volume_rotation(volume.shape))


def _scipy_rotate_volume(volume):
    inverse = np.linalg.inv(_volume_rotation(volume.shape))
    return partial(_lib("scipy.ndimage").affine_transform, volume, inverse, order=1, mode="grid-constant",
                   prefilter=False, output=np.float32)


def _ripple(image):
    """Operands (image, coords): every pixel displaced by a smooth ripple of amplitude 3 px."""
    rows, cols = np.mgrid[: image.shape[0], : image.shape[1]].astype(np.float64)
    coords = np.stack([rows + 3.0 * np.sin(cols / 17.0), cols + 3.0 * np.cos(rows / 23.0)])
    return image, coords


def _opencv_remap(image, coords):
    cv2 = _lib("cv2")
    return partial(cv2.remap, image, coords[1].astype(np.float32), coords[0].astype(np.float32), cv2.INTER_LINEAR,
                   borderMode=cv2.BORDER_CONSTANT, borderValue=0)


COMPARISONS: tuple[Comparison, ...] = (
    Comparison(
        "warp_affine",
        "rotate 35° bilinear",
        fastdip=Call(_fastdip_rotate35, requires="fastdip.geometry:warp_affine"),
        peers={
            "opencv": Call(_opencv_rotate35, tolerance=Tolerance(atol=1.0, rtol=1e-4),
                           note="cv2.warpAffine(INTER_LINEAR, BORDER_CONSTANT) with the forward (x, y) 2x3 "
                           "matrix; cv2 rounds positions to 1/32 pixel and uint8 weights to 1/2048 (fastdip: "
                           "positions to 2^-32 in fixed point, weights to 1/16384): 1 level (u8), 2e-5 (f32) "
                           "measured"),
            "scipy": Call(_scipy_rotate35, tolerance=Tolerance(atol=1.0, rtol=1e-5),
                          note="scipy.ndimage.affine_transform(inv(M), order=1, mode='grid-constant', "
                          "prefilter=False); uint8 result rounded by scipy"),
        },
        inputs=("camera", "u8", "f32"),
        note="Rotation by 35° about the image centre, bilinear, cval 0 outside, output in the input dtype "
        "(fastdip writes uint8 directly: dtype=image.dtype).",
        targets=(Target("opencv", 1 / 1.2, inputs=_BIG), Target("scipy", 5.0, inputs=_BIG)),
    ),
    Comparison(
        "warp_affine",
        "3-D rotate 20° trilinear",
        fastdip=Call(_fastdip_rotate_volume, requires="fastdip.geometry:warp_affine"),
        peers={
            "scipy": Call(_scipy_rotate_volume, tolerance=Tolerance(atol=1e-3, rtol=1e-5),
                          note="scipy.ndimage.affine_transform(inv(M), order=1, mode='grid-constant', "
                          "prefilter=False, output=float32)"),
        },
        inputs=("vol",),
        note="Rotation by 20° about the plane axis through the volume's centre, trilinear, float32 result.",
        targets=(Target("scipy", 1.0),),
    ),
    Comparison(
        "remap",
        "ripple bilinear",
        fastdip=Call(lambda im, coords: partial(_resolve("fastdip.geometry:remap"), im, coords),
                     requires="fastdip.geometry:remap"),
        peers={
            "scipy": Call(lambda im, coords: partial(_lib("scipy.ndimage").map_coordinates, im, coords, order=1,
                                                     mode="grid-constant", prefilter=False, output=np.float32),
                          tolerance=Tolerance(atol=1e-3, rtol=1e-5),
                          note="map_coordinates(order=1, mode='grid-constant', prefilter=False, output=float32)"),
            "opencv": Call(_opencv_remap, agrees=False, tolerance=Tolerance(atol=1.0),
                           note="cv2.remap(INTER_LINEAR) on float32 maps: positions rounded to 1/32 pixel, "
                           "uint8 output rounded while fastdip returns float32 (0.5 measured)"),
        },
        inputs=("camera", "u8", "f32"),
        operands=_ripple,
        note="Sampling at given coordinates (a smooth ripple of 3 px), bilinear, cval 0 outside.",
    ),
    Comparison(
        "resize",
        "1/2 bilinear antialias",
        fastdip=Call(partial(_fastdip_resize, shape_of=_half), requires="fastdip.geometry:resize"),
        peers={
            "pillow": Call(partial(_pillow_resize, shape_of=_half), result=np.asarray, agrees=False,
                           tolerance=Tolerance(atol=8.0),
                           note="Image.resize(BILINEAR): the same triangle filter of half-width 2, but at the "
                           "border Pillow drops the taps outside and renormalises (fastdip reflects): within 1 "
                           "level (u8, 0 for f32) away from the first and last rows and columns, 5 at them"),
            "opencv": Call(partial(_opencv_resize, shape_of=_half, flag="INTER_AREA"), agrees=False,
                           tolerance=Tolerance(atol=64.0),
                           note="cv2.resize(INTER_AREA): the 2x2 block mean, a narrower low-pass (the speed "
                           "yardstick of the issue; 41 levels measured on camera's edges)"),
            "skimage": Call(partial(_skimage_resize, shape_of=_half), agrees=False, tolerance=Tolerance(atol=32.0),
                            note="skimage.transform.resize(anti_aliasing=True, order=1): a Gaussian prefilter "
                            "(sigma 0.5) then bilinear sampling, another low-pass (22 levels measured)"),
        },
        inputs=("camera", "u8", "f32"),
        note="Shrink to half with a triangle filter of half-width 2 input pixels (Pillow-style convolution "
        "resampling), 'reflect' border, output in the input dtype. The like-for-like pair for the issue's "
        "speed goal against cv2.resize(INTER_AREA) is the '1/2 area' entry; this one is compared with Pillow.",
    ),
    Comparison(
        "resize",
        "1/2 bilinear antialias RGB",
        fastdip=Call(partial(_fastdip_resize, shape_of=_half, channel_axis=-1), requires="fastdip.geometry:resize"),
        peers={
            "pillow": Call(partial(_pillow_resize, shape_of=_half), result=np.asarray, agrees=False,
                           tolerance=Tolerance(atol=8.0),
                           note="Image.resize(BILINEAR) on an RGB image: the same triangle filter of half-width "
                           "2; at the border Pillow drops the taps outside and renormalises (fastdip reflects)"),
            "opencv": Call(partial(_opencv_resize, shape_of=_half, flag="INTER_AREA"), agrees=False,
                           tolerance=Tolerance(atol=64.0),
                           note="cv2.resize(INTER_AREA) on the interleaved image: the 2x2 block mean, a "
                           "narrower low-pass (the speed yardstick)"),
        },
        inputs=("camera", "u8"),
        operands=_rgb,
        note="The '1/2 bilinear antialias' entry on an interleaved (rows, cols, 3) uint8 colour image made from "
        "the input (channel_axis=-1), output uint8.",
    ),
    Comparison(
        "resize",
        "1/2 area",
        fastdip=Call(partial(_fastdip_resize, shape_of=_half, interpolation="area"),
                     requires="fastdip.geometry:resize"),
        peers={
            "opencv": Call(partial(_opencv_resize, shape_of=_half, flag="INTER_AREA"),
                           tolerance=Tolerance(atol=1.0, rtol=1e-6),
                           note="cv2.resize(INTER_AREA): the same 2x2 block mean; uint8: cv2 rounds halves "
                           "up, (s + 2) >> 2, fastdip to even, so 1 level at 1/8 of the pixels"),
        },
        inputs=("camera", "u8", "f32"),
        note="Shrink to half by pixel-area averaging (even sides: the exact 2x2 block mean, antialiased by "
        "construction; odd sides: fractional overlaps), output in the input dtype. The issue's goal: "
        "within 1.5x of cv2.resize(INTER_AREA).",
        targets=(Target("opencv", 1 / 1.5, inputs=_BIG),),
    ),
    Comparison(
        "resize",
        "x2 bilinear",
        fastdip=Call(partial(_fastdip_resize, shape_of=_double), requires="fastdip.geometry:resize"),
        peers={
            "opencv": Call(partial(_opencv_resize, shape_of=_double, flag="INTER_LINEAR"),
                           tolerance=Tolerance(atol=1.0, rtol=1e-6),
                           note="cv2.resize(INTER_LINEAR): same centres (o + 0.5)/2 - 0.5, border clamped (the "
                           "same as 'reflect' for bilinear enlarging); uint8 in fixed point"),
        },
        inputs=("camera", "u8", "f32"),
        note="Enlarge twice, bilinear interpolation (antialias has no effect when enlarging).",
        max_side=2048,
    ),
    *(
        Comparison(
            "resize",
            f"x{factor:g} bilinear no antialias",
            fastdip=Call(partial(_fastdip_resize, shape_of=_by(factor), antialias=False),
                         requires="fastdip.geometry:resize"),
            peers={
                "opencv": Call(partial(_opencv_resize, shape_of=_by(factor), flag="INTER_LINEAR"),
                               tolerance=Tolerance(atol=1.0, rtol=1e-5),
                               note="cv2.resize(INTER_LINEAR): the same centres (o + 0.5) n/m - 0.5 and two taps, the "
                               "border clamped (as 'reflect' within half a pixel); uint8 in 11-bit fixed point"),
            },
            inputs=("camera", "u8", "f32"),
            note=f"Resize by a non-integer factor ({factor:g} x the rows, {0.93 * factor:.3g} x the columns), "
            "bilinear without the low-pass: the general table path (gathered column taps, rows fused through a "
            "ring of column-passed rows), output in the input dtype.",
            max_side=2048,
        )
        for factor in (0.7, 1.37)
    ),
)


#: A moderate real-lens model (barrel with a little tangential decentring) for the distortion entries.
_LENS = dict(k1=-0.2, k2=0.05, k3=0.01, p1=0.004, p2=-0.003)


def _fastdip_undistort(image):
    return partial(_resolve("fastdip.geometry:undistort"), image, **_LENS, dtype=image.dtype)


def _opencv_undistort(image):
    """cv2.undistort with fastdip's defaults spelled out: K = [[f, 0, cc], [0, f, cr], [0, 0, 1]] with f half
    the diagonal and (cr, cc) the image centre, distCoeffs in OpenCV's order (k1, k2, p1, p2, k3),
    newCameraMatrix = K."""
    cv2 = _lib("cv2")
    rows, cols = image.shape
    f = float(np.hypot(rows, cols)) / 2.0
    k = np.array([[f, 0.0, (cols - 1) / 2.0], [0.0, f, (rows - 1) / 2.0], [0.0, 0.0, 1.0]])
    d = np.array([_LENS["k1"], _LENS["k2"], _LENS["p1"], _LENS["p2"], _LENS["k3"]])
    return partial(cv2.undistort, image, k, d, None, k)


_UNDISTORT_NOTE = ("Lens distortion correction (Brown–Conrady k1=-0.2, k2=0.05, k3=0.01, p1=0.004, p2=-0.003; "
                   "centre the image centre, focal half the diagonal), bilinear, cval 0 outside, output in the "
                   "input dtype.")
_OPENCV_UNDISTORT = ("cv2.undistort(image, K, (k1, k2, p1, p2, k3), None, K), K = [[f, 0, cc], [0, f, cr], "
                     "[0, 0, 1]]: the same model and map; OpenCV builds the map in float32 and rounds every "
                     "position to 1/32 pixel (5-bit fixed point, INTER_TAB_SIZE) before interpolating (uint8 in "
                     "fixed-point weights), fastdip samples the float64 positions")

_UNDISTORT_COMPARISONS = (
    Comparison(
        "undistort",
        "Brown-Conrady bilinear",
        fastdip=Call(_fastdip_undistort, requires="fastdip.geometry:undistort"),
        peers={"opencv": Call(_opencv_undistort, tolerance=Tolerance(atol=4.0),
                              note=_OPENCV_UNDISTORT + ": up to 3 grey levels on camera, 2 on u8 (99% within 1)")},
        inputs=("camera", "u8"),
        note=_UNDISTORT_NOTE,
        targets=(Target("opencv", 0.5, inputs=("u8 2048×2048",)),),
    ),
    Comparison(
        "undistort",
        "Brown-Conrady bilinear float32",
        fastdip=Call(_fastdip_undistort, requires="fastdip.geometry:undistort"),
        peers={"opencv": Call(_opencv_undistort, tolerance=Tolerance(atol=0.01),
                              note=_OPENCV_UNDISTORT + ": up to 0.0056 on f32 in [0, 1] (1/64 px times the "
                              "steepest gradient)")},
        inputs=("f32",),
        note=_UNDISTORT_NOTE,
        targets=(Target("opencv", 0.5, inputs=("f32 2048×2048",)),),
    ),
)

COMPARISONS = COMPARISONS + _UNDISTORT_COMPARISONS
