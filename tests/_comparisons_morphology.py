"""Comparison entries for fastdip.morphology, connected-component labelling and fastdip.measure (issue 7).

Appended to ``tests._comparisons.COMPARISONS`` by that module; never import this file directly.
"""

from __future__ import annotations

from functools import partial

import numpy as np

from tests._comparisons import Call, Comparison, Target, Tolerance, _fastdip, _lib

_SIZES_2048 = ("u8 2048×2048",)


def _disk(radius: int) -> np.ndarray:
    y, x = np.ogrid[-radius:radius + 1, -radius:radius + 1]
    return x * x + y * y <= radius * radius


def _footprint(shape_or_disk):
    if isinstance(shape_or_disk, int):
        return _disk(shape_or_disk)
    return np.ones(shape_or_disk, dtype=bool)


def _morph_entry(op: str, what, label: str, targets=()) -> Comparison:
    """erode/dilate with a square (tuple) or disk (int radius) footprint, border 'nearest' everywhere."""
    fp = _footprint(what)
    scipy_name = {"erode": "grey_erosion", "dilate": "grey_dilation"}[op]
    cv_name = {"erode": "erode", "dilate": "dilate"}[op]
    sk_name = {"erode": "erosion", "dilate": "dilation"}[op]

    def cv_setup(im):
        cv2 = _lib("cv2")
        # cv2.dilate takes max f(x + b): flip the footprint to get max f(x - b) (no change for these)
        kernel = np.ascontiguousarray(fp[::-1, ::-1] if op == "dilate" else fp).astype(np.uint8)
        return partial(getattr(cv2, cv_name), im, kernel, borderType=cv2.BORDER_REPLICATE)

    return Comparison(
        op,
        label,
        fastdip=_fastdip(f"fastdip.morphology:{op}", footprint=fp, mode="nearest"),
        peers={
            "scipy": Call(lambda im: partial(getattr(_lib("scipy.ndimage"), scipy_name), im, footprint=fp,
                                             mode="nearest"),
                          note=f"scipy.ndimage.{scipy_name}(footprint, mode='nearest')"),
            "opencv": Call(cv_setup, dtypes=("uint8", "float32"),
                           note=f"cv2.{cv_name}(kernel, borderType=BORDER_REPLICATE)"),
            "skimage": Call(lambda im: partial(getattr(_lib("skimage.morphology"), sk_name), im, fp,
                                               mode="reflect"),
                            note=f"skimage.morphology.{sk_name}(footprint, mode='reflect'): the same as 'nearest' "
                            "for symmetric footprints"),
        },
        inputs=("camera", "u8", "f32"),
        note="Flat grey-level morphology, uint8 and float32, border 'nearest' (edge values repeated).",
        targets=targets,
    )


def _binary(image):
    """Operands: a binary image (above the image's median), with objects of many shapes and sizes."""
    return (image > np.median(image),)


def _canonical(labels) -> np.ndarray:
    """Renumber labels 1..n in the raster order of their first pixel (0 stays 0)."""
    labels = np.asarray(labels)
    flat = labels.reshape(-1)
    values, first = np.unique(flat, return_index=True)
    order = np.argsort(first[values != 0])
    lut = np.zeros(int(values.max()) + 1, np.int64)
    lut[values[values != 0][order]] = np.arange(1, order.size + 1)
    return lut[labels]


def _label_peers(conn: int, ndim: int) -> dict:
    def scipy_setup(b):
        ndi = _lib("scipy.ndimage")
        return partial(ndi.label, b, ndi.generate_binary_structure(ndim, conn))

    peers = {"scipy": Call(scipy_setup, result=lambda r: r[0],
                           note="scipy.ndimage.label(structure of the same connectivity): the same numbering")}
    if ndim == 2:
        cv_conn = 4 if conn == 1 else 8
        peers["opencv"] = Call(
            lambda b: partial(_lib("cv2").connectedComponents, b.view(np.uint8), connectivity=cv_conn),
            result=lambda r: _canonical(r[1]),
            note=f"cv2.connectedComponents(connectivity={cv_conn}) on the uint8 view, renumbered in raster "
            "order (untimed)")
        peers["skimage"] = Call(
            lambda b: partial(_lib("skimage.measure").label, b, connectivity=conn),
            note="skimage.measure.label(connectivity): the same numbering")
    return peers


def _labelled(image):
    """Operands for regionprops: the labels of the binary image (8-connected) and the image itself."""
    from scipy import ndimage

    b = image > np.median(image)
    b = ndimage.binary_opening(b, iterations=2)
    return ndimage.label(b, np.ones((3, 3), bool))[0].astype(np.int32), image


_PROPS = ("area", "centroid", "eccentricity", "orientation", "major_axis_length", "perimeter")
_SK_PROPS = ("area", "centroid", "eccentricity", "orientation", "axis_major_length", "perimeter")


def _fastdip_props(table) -> np.ndarray:
    cols = [table[name].reshape(len(table), -1) for name in _PROPS]
    return np.concatenate(cols, axis=1)


def _skimage_props(result) -> np.ndarray:
    cols = [result["area"], result["centroid-0"], result["centroid-1"]]
    cols += [result[name] for name in _SK_PROPS[2:]]
    out = np.stack(cols, axis=1)
    # orientation +-pi/2 is one axis: fold skimage's -pi/2 (a rounding-noise sign) onto fastdip's +pi/2
    out[:, 4] = np.where(np.isclose(out[:, 4], -np.pi / 2, atol=1e-9), np.pi / 2, out[:, 4])
    return out


COMPARISONS: tuple[Comparison, ...] = (
    _morph_entry("erode", (3, 3), "3x3", targets=(Target("opencv", 1 / 1.5, inputs=_SIZES_2048),
                                                  Target("scipy", 3.0, inputs=_SIZES_2048))),
    _morph_entry("dilate", (3, 3), "3x3", targets=(Target("opencv", 1 / 1.5, inputs=_SIZES_2048),)),
    _morph_entry("erode", (15, 15), "15x15", targets=(Target("opencv", 1 / 1.5, inputs=_SIZES_2048),
                                                      Target("scipy", 3.0, inputs=_SIZES_2048))),
    _morph_entry("dilate", (7, 7), "7x7", targets=(Target("opencv", 1 / 1.5, inputs=_SIZES_2048),)),
    # issue 7's goal: erode/dilate 5x5 within 1.5x of cv2.erode (no size given: every size is checked)
    _morph_entry("erode", (5, 5), "5x5", targets=(Target("opencv", 1 / 1.5),)),
    _morph_entry("dilate", (5, 5), "5x5", targets=(Target("opencv", 1 / 1.5),)),
    _morph_entry("erode", 5, "disk r=5", targets=(Target("scipy", 1.0, inputs=_SIZES_2048),)),
    Comparison(
        "binary_open",
        "disk r=2, above median",
        fastdip=_fastdip("fastdip.morphology:open", footprint=_disk(2), mode="constant", cval=0),
        peers={
            "scipy": Call(lambda b: partial(_lib("scipy.ndimage").binary_opening, b, _disk(2)),
                          note="scipy.ndimage.binary_opening (border_value=0 = mode='constant', cval=0)"),
            "opencv": Call(
                lambda b: partial(_lib("cv2").morphologyEx, b.view(np.uint8), _lib("cv2").MORPH_OPEN,
                                  _disk(2).astype(np.uint8), borderType=_lib("cv2").BORDER_CONSTANT,
                                  borderValue=0),
                result=lambda r: r.astype(bool),
                note="cv2.morphologyEx(MORPH_OPEN, BORDER_CONSTANT, borderValue=0) on the uint8 view (an explicit "
                "borderValue; OpenCV's default one means 'ignore the outside')"),
        },
        inputs=("camera", "u8"),
        operands=_binary,
        note="Binary opening (bool in, bool out) with scipy's binary border (outside = False).",
    ),
    Comparison(
        "label",
        "8-connected, above median",
        fastdip=_fastdip("fastdip.segmentation:label"),
        peers=_label_peers(2, 2),
        inputs=("camera", "u8"),
        operands=_binary,
        note="Connected components of a binary image; labels in raster order of first pixel.",
        targets=(Target("scipy", 1.0, inputs=_SIZES_2048), Target("opencv", 1 / 1.5, inputs=("u8 4096×4096",))),
    ),
    Comparison(
        "label",
        "4-connected, above median",
        fastdip=_fastdip("fastdip.segmentation:label", connectivity=1),
        peers=_label_peers(1, 2),
        inputs=("camera", "u8"),
        operands=_binary,
        note="Connected components of a binary image, 4-connectivity.",
        targets=(Target("scipy", 1.0, inputs=_SIZES_2048),),
    ),
    Comparison(
        "label",
        "3-D 26-connected, above median",
        fastdip=_fastdip("fastdip.segmentation:label"),
        peers=_label_peers(3, 3),
        inputs=("vol",),
        operands=_binary,
        note="Connected components of a binary volume, full connectivity.",
        targets=(Target("scipy", 1.0),),
    ),
    Comparison(
        "regionprops",
        "area, centroid, eccentricity, orientation, major axis, perimeter",
        fastdip=Call(lambda lab, im: partial(_lib("fastdip.measure").regionprops, lab),
                     result=_fastdip_props, requires="fastdip.measure:regionprops"),
        peers={
            "skimage": Call(lambda lab, im: partial(_lib("skimage.measure").regionprops_table, lab,
                                                    properties=_SK_PROPS),
                            result=_skimage_props,
                            note="skimage.measure.regionprops_table: the same moment definitions and perimeter "
                            "estimator; orientation -pi/2 folded to +pi/2 (the same axis)"),
        },
        inputs=("camera", "u8"),
        operands=_labelled,
        tolerance=Tolerance(atol=1e-9, rtol=1e-9),
        note="Per-object measurements of the labels of an opened binary image; fastdip also computes bbox, "
        "minor axis, equivalent diameter and solidity in the timed call.",
        targets=(Target("skimage", 5.0, inputs=_SIZES_2048),),
    ),
    Comparison(
        "fill_holes",
        "above median, 4-connected background",
        fastdip=_fastdip("fastdip.segmentation:fill_holes"),
        peers={
            "scipy": Call(lambda b: partial(_lib("scipy.ndimage").binary_fill_holes, b),
                          note="scipy.ndimage.binary_fill_holes (default cross structure = connectivity 1)"),
        },
        inputs=("camera", "u8"),
        operands=_binary,
        note="Background components that do not reach the border become object.",
        targets=(Target("scipy", 1.0, inputs=_SIZES_2048),),
    ),
)
