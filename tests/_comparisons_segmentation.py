"""Comparison entries for fastdip.segmentation's thresholds, region growing and clustering, and fastdip.hdr
(issue 7). Appended to the table by ``tests/_comparisons.py``; import them only through that module."""

from __future__ import annotations

from functools import partial

import numpy as np

from tests._comparisons import Call, Comparison, Target, Tolerance, _lib, _resolve

_SEED = "fastdip.segmentation"
_BIG = ("camera u8 512×512", "u8 4096×4096")


def _otsu_opencv(image):
    cv2 = _lib("cv2")
    return partial(cv2.threshold, image, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)


def _multi_otsu_skimage(image, classes):
    return partial(_resolve("skimage.filters:threshold_multiotsu"), image, classes=classes)


def _centre(image):
    return tuple(s // 2 for s in image.shape)


def _grow_fastdip(image):
    return partial(_resolve(f"{_SEED}:region_growing"), image, _centre(image), 20, criterion="seed",
                   connectivity=image.ndim)


def _flood_skimage(image):
    return partial(_resolve("skimage.segmentation:flood"), image, _centre(image), tolerance=20,
                   connectivity=image.ndim)


def _flood_opencv(image):
    """cv2.floodFill(FLOODFILL_FIXED_RANGE | FLOODFILL_MASK_ONLY, loDiff = upDiff = 20, 8-connected): the mask
    is (h + 2, w + 2), allocated in the timed body (a filled mask blocks the next fill), 1 inside."""
    cv2 = _lib("cv2")
    flags = 8 | cv2.FLOODFILL_FIXED_RANGE | cv2.FLOODFILL_MASK_ONLY | (1 << 8)
    seed = _centre(image)[::-1]  # cv2 takes (x, y)

    def body():
        mask = np.zeros((image.shape[0] + 2, image.shape[1] + 2), np.uint8)
        cv2.floodFill(image, mask, seed, 0, 20, 20, flags)
        return mask

    return body


def _colour_operands(image):
    """A colour image from a grey one: the image and two shifted copies as R, G, B."""
    return (np.ascontiguousarray(np.dstack([image, np.roll(image, 17, 0), np.roll(image, 29, 1)])),)


_MS = {"spatial_radius": 8, "range_radius": 16}


def _mean_shift_fastdip(image):
    return partial(_resolve(f"{_SEED}:mean_shift"), image, channel_axis=-1, min_size=1, **_MS)


def _mean_shift_opencv(image, max_level=1):
    cv2 = _lib("cv2")
    return partial(cv2.pyrMeanShiftFiltering, image, _MS["spatial_radius"], _MS["range_radius"],
                   maxLevel=max_level)


_K = 4


def _kmeans_fastdip(image):
    return partial(_resolve(f"{_SEED}:kmeans"), image, _K, rng=0)


def _kmeans_sklearn(image):
    """scikit-learn's Lloyd from the seeding fastdip draws with rng=0 (k-means++ of fastdip, computed in the
    untimed setup), so both run the same iterations."""
    seeding = _resolve("fastdip.segmentation._cluster:_kmeans_plus_plus")
    x = image.reshape(-1, 1).astype(np.float64)
    init = seeding(x, _K, np.random.default_rng(0))
    model = _resolve("sklearn.cluster:KMeans")(_K, init=init, n_init=1, max_iter=100, tol=1e-4)
    return partial(model.fit_predict, x)


def _exposures(image):
    """Three uint8 exposures of the image through clip(g x)^(1/2.2), g = 0.25, 1, 4."""
    x = image / 255.0 if image.dtype == np.uint8 else image.astype(np.float64)
    return tuple(np.rint(255 * np.clip(g * x, 0, 1) ** (1 / 2.2)).astype(np.uint8) for g in (0.25, 1.0, 4.0))


def _fusion_fastdip(*images):
    return partial(_resolve("fastdip.hdr:exposure_fusion"), list(images))


def _fusion_opencv(*images):
    merge = _lib("cv2").createMergeMertens(1.0, 1.0, 1.0)
    return partial(merge.process, list(images))


COMPARISONS: tuple[Comparison, ...] = (
    Comparison(
        "otsu",
        "",
        fastdip=Call(lambda im: partial(_resolve(f"{_SEED}:otsu"), im), requires=f"{_SEED}:otsu"),
        peers={
            "skimage": Call(lambda im: partial(_resolve("skimage.filters:threshold_otsu"), im), result=float,
                            note="threshold_otsu(image): image > t is the foreground"),
            "opencv": Call(_otsu_opencv, result=lambda r: float(r[0]), dtypes=("uint8",),
                           note="cv2.threshold(image, 0, 255, THRESH_BINARY | THRESH_OTSU)[0]: dst = 255 where "
                           "src > t, the same t"),
        },
        inputs=("camera", "u8"),
        note="Otsu's threshold of a uint8 image, exact on the integer levels (one bin per level).",
        targets=(Target("skimage", 3.0, inputs=_BIG), Target("opencv", 0.8, inputs=_BIG)),
    ),
    *(
        Comparison(
            "multi_otsu",
            f"classes={k}",
            fastdip=Call(lambda im, k=k: partial(_resolve(f"{_SEED}:multi_otsu"), im, classes=k),
                         requires=f"{_SEED}:multi_otsu"),
            peers={
                "skimage": Call(partial(_multi_otsu_skimage, classes=k), result=lambda t: np.asarray(t, float),
                                note="threshold_multiotsu(image, classes): Liao et al.'s lookup tables in float32 "
                                "(on astronaut's luma, classes 3 and 4, it returns a partition of lower "
                                "between-class variance: tests/test_segmentation_threshold.py)"),
            },
            inputs=("camera", "u8"),
            note="Exact multi-level Otsu by dynamic programming over the occupied levels (O(k L^2)).",
            targets=(Target("skimage", 5.0 if k == 4 else 100.0, inputs=_BIG),),
        )
        for k in (4, 5)
    ),
    Comparison(
        "region_growing",
        "criterion='seed' tolerance=20 full connectivity",
        fastdip=Call(_grow_fastdip, result=lambda lab: lab == 1, requires=f"{_SEED}:region_growing"),
        peers={
            "skimage": Call(_flood_skimage, requires="skimage.segmentation:flood",
                            note="flood(image, centre, tolerance=20, connectivity=ndim): |I - I(seed)| <= 20"),
            "opencv": Call(_flood_opencv, requires="cv2:floodFill", dtypes=("uint8",),
                           result=lambda mask: mask[1:-1, 1:-1] == 1,
                           note="floodFill(mask, centre, 0, loDiff=20, upDiff=20, 8 | FLOODFILL_FIXED_RANGE | "
                           "FLOODFILL_MASK_ONLY | 1 << 8): seed - 20 <= I <= seed + 20, inclusive as fastdip; "
                           "the (h + 2, w + 2) uint8 mask is made in the timed call, its border cropped"),
        },
        inputs=("camera", "u8"),
        note="Flood fill from the image centre with a fixed-seed tolerance (inclusive), 8-connected. fastdip's "
        "one grey region with criterion='seed' is a scanline flood fill (Smith 1979, Heckbert 1990: spans "
        "filled left and right, the rows above and below scanned for new spans, an explicit growable span "
        "stack) over bit masks of the rows it reaches (64 pixels a vector compare), then writes the int32 "
        "result, whose pages (>= 4 MB) are zero-filled by the OS where the fill touches them. "
        "Its output is 4x OpenCV's uint8 mask, and on this machine a first touch of a page costs 1.5-5 µs: on "
        "u8 4096×4096 (10.2 Mpx filled) 64 MB of result pages against OpenCV's 16 MB; on u8 512×512 the fill "
        "is 261 pixels and zeroing the 1 MB int32 result (12 µs) takes longer than OpenCV's whole call (9 µs).",
        targets=(Target("skimage", 0.5), Target("opencv", 1.0, inputs=("u8 2048×2048", "u8 4096×4096")),
                 Target("opencv", 0.8, inputs=("camera u8 512×512", "u8 512×512"))),
    ),
    Comparison(
        "mean_shift",
        "hs=8 hr=16 colour",
        fastdip=Call(_mean_shift_fastdip, result=lambda r: r.filtered, requires=f"{_SEED}:mean_shift"),
        peers={
            "opencv": Call(_mean_shift_opencv, agrees=False, tolerance=Tolerance(atol=255.0),
                           note="cv2.pyrMeanShiftFiltering(image, 8, 16): a square spatial window, uint8 "
                           "arithmetic, at most 5 iterations, eps 1 and a pyramid (maxLevel 1): a different "
                           "algorithm in the details; compared for speed only"),
            "opencv:level0": Call(partial(_mean_shift_opencv, max_level=0), agrees=False,
                                  tolerance=Tolerance(atol=255.0),
                                  note="cv2.pyrMeanShiftFiltering(image, 8, 16, maxLevel=0): no pyramid, every "
                                  "pixel iterated (at most 5 times, eps 1) over a 17x17 square window (fastdip: "
                                  "a disc, up to 100 steps to tol 1e-3, plus the segmentation); speed only"),
        },
        inputs=("camera", "u8"),
        operands=_colour_operands,
        note="Comaniciu-Meer filtering with flat kernels (spatial disc radius 8, range radius 16, RGB), "
        "on a colour image made of the input and two shifted copies. fastdip iterates every pixel to "
        "convergence (up to 100 steps, tol 1e-3) and also labels the modes; OpenCV stops after 5 steps or a "
        "shift of 1, and its default maxLevel=1 filters a half-size pyramid level first and then refines "
        "only where the upsampled result changes.",
        targets=(Target("opencv", 0.25, inputs=("camera u8 512×512",)),
                 Target("opencv:level0", 0.5, inputs=("camera u8 512×512",))),
        max_side=1024,
    ),
    Comparison(
        "kmeans",
        f"k={_K} grey",
        fastdip=Call(_kmeans_fastdip, result=lambda r: r.labels.ravel(), requires=f"{_SEED}:kmeans"),
        peers={
            "sklearn": Call(_kmeans_sklearn, requires="sklearn.cluster:KMeans",
                            note="KMeans(4, init=<fastdip's k-means++ seeding for rng=0>, n_init=1, tol=1e-4)"
                            ".fit_predict(x): the same Lloyd iterations, the same labels"),
        },
        inputs=("camera", "u8"),
        note="k-means of grey levels from one k-means++ seeding; the labels are compared.",
        targets=(Target("sklearn", 2.0),),
        max_side=2048,
    ),
    Comparison(
        "exposure_fusion",
        "3 exposures, weights 1,1,1",
        fastdip=Call(_fusion_fastdip, requires="fastdip.hdr:exposure_fusion"),
        peers={
            "opencv": Call(_fusion_opencv, requires="cv2:createMergeMertens",
                           tolerance=Tolerance(atol=0.05),
                           note="cv2.createMergeMertens(1, 1, 1).process(images) (its defaults are 1, 1, 0); "
                           "grey: the same measures and pyramids up to float32 rounding"),
        },
        inputs=("camera", "u8"),
        operands=_exposures,
        note="Mertens exposure fusion of three synthetic uint8 exposures (gains 0.25, 1, 4 and gamma 1/2.2).",
        targets=(Target("opencv", 0.1),),
        max_side=2048,
    ),
)
