"""Geometric transforms: the course's affine matrices applied to an image, interpolation (nearest, bilinear,
bicubic) on a 35° rotation, shrinking with and without anti-aliasing, perspective correction by a homography
estimated from four corners, and barrel / pincushion lens distortion and its correction (Gonzalez & Woods,
4th ed., sec. 2.6; Hartley & Zisserman ch. 4; Brown 1966).

fastdip's matrices act on column vectors (row, col, 1) and map input to output coordinates; the course writes
the same maps as [x, y, 1]·T with x = col, y = row (``geometry.to_row_convention``). Warps sample backwards:
each output pixel reads the input at the inverse-mapped position.
"""

from __future__ import annotations

import numpy as np

from fastdip.report import Section

TITLE = "Geometric transforms"
SLUG = "geometry"

#: Side of the working images (camera is shrunk to this, the zone plate and checkerboard are built at it).
SIDE = 256
#: Rotation angle of the interpolation comparison, in degrees.
ANGLE = 35.0
#: (row, col, size) of the zoomed crop of the rotated camera (in the SIDE x SIDE image).
CROP = (60, 100, 48)
#: Square side of the checkerboard, in pixels.
SQUARE = 16
#: Barrel and pincushion coefficients k1 (focal = half the diagonal, so r = 1 at the corners).
K1 = {"barrel": -0.25, "pincushion": 0.25}
#: Standard deviation (px) of the simulated corner-detection noise for estimate_distortion and the homography.
PICK_NOISE = 0.3
INTERPOLATIONS = ("nearest", "bilinear", "bicubic")


def _fmt(m) -> str:
    """A matrix as '[[a, b, c], [d, e, f], [g, h, i]]' with 3 significant digits."""
    return "[" + ", ".join("[" + ", ".join(f"{v:.3g}" for v in row) + "]" for row in np.asarray(m)) + "]"


def _psnr(reference, image, inner) -> float:
    from fastdip import metrics

    ref = np.asarray(reference, np.float64)[inner]
    return metrics.psnr(ref, np.asarray(image, np.float64)[inner], data_range=255)


def small_camera():
    """Camera shrunk to SIDE x SIDE (anti-aliased), as float64 in [0, 255]."""
    from fastdip import data, geometry

    return geometry.resize(data.camera().astype(np.float64), (SIDE, SIDE))


def course_matrices(shape):
    """The course's six transforms as (name, fastdip matrix about the origin, call text); the images are
    warped about the image centre (``compose(translation(-c), M, translation(c))``)."""
    from fastdip import geometry

    return [
        ("identity", geometry.identity(), "identity()"),
        ("scaling cx = 1.4, cy = 0.7", geometry.scaling((0.7, 1.4)), "scaling((0.7, 1.4))"),
        ("translation tx = 30, ty = -20", geometry.translation((-20, 30)), "translation((-20, 30))"),
        ("vertical shear sv = 0.3 (x += sv·y)", geometry.shear(0.3, axis=1), "shear(0.3, axis=1)"),
        ("horizontal shear sh = 0.3 (y += sh·x)", geometry.shear(0.3, axis=0), "shear(0.3, axis=0)"),
        ("rotation θ = 30°", geometry.rotation(30.0), "rotation(30)"),
    ]


def apply_about_center(image, matrix, **kw):
    from fastdip import geometry

    c = np.array(geometry.image_center(image.shape[:2]))
    m = geometry.compose(geometry.translation(-c), matrix, geometry.translation(c))
    return geometry.warp_affine(image, m, **kw)


def rotation_round_trip(image, angle=ANGLE):
    """{interpolation: (rotated, back)}: rotate by ``angle`` then by ``-angle``; and the inner region to score."""
    from fastdip import geometry

    out = {}
    for kind in INTERPOLATIONS:
        rotated = geometry.rotate(image, angle, interpolation=kind)
        back = geometry.rotate(rotated, -angle, interpolation=kind)
        out[kind] = (rotated, back)
    m = image.shape[0]
    r = int(m * 0.3)  # the disc that stays inside the frame through both rotations, a square within it
    inner = (slice(m // 2 - r, m // 2 + r), slice(m // 2 - r, m // 2 + r))
    return out, inner


def zone_plate(side=SIDE, *, shrink=1, taper=None):
    """127.5 + 127.5 cos(π r² / side): the local frequency r / side cycles/px reaches Nyquist (0.5) at
    r = side / 2.

    With ``shrink`` = s, the plate is sampled at the centres of s x s blocks (positions s·i + (s - 1)/2, as a
    resize by 1/s samples them); with ``taper`` = f, rings of local frequency above f cycles/px (of the full
    plate) fade to grey (a raised-cosine from 0.8 f to f): the ideal band-limited picture.
    """
    pos = shrink * np.arange(side // shrink) + (shrink - 1) / 2.0 - side / 2.0
    r2 = pos[:, None] ** 2 + pos[None, :] ** 2
    wave = np.cos(np.pi * r2 / side)
    if taper is not None:
        freq = np.sqrt(r2) / side
        t = np.clip((freq - 0.8 * taper) / (0.2 * taper), 0.0, 1.0)
        wave *= 0.5 + 0.5 * np.cos(np.pi * t)
    return 127.5 + 127.5 * wave


#: the half-size variants: (label, resize interpolation, antialias)
SHRINKS = (("nearest (every other pixel)", "nearest", False), ("bilinear, no anti-aliasing", "bilinear", False),
           ("bilinear, anti-aliased", "bilinear", True))


def shrink(image):
    """Half-size versions {label: image} for each of SHRINKS."""
    from fastdip import geometry

    half = (image.shape[0] // 2, image.shape[1] // 2)
    return {label: geometry.resize(image, half, interpolation=kind, antialias=aa) for label, kind, aa in SHRINKS}


def perspective(image, rng=0):
    """Simulate a photo of a planar rectangle seen in perspective, pick its corners (with noise), estimate
    the homography and rectify. Returns a dict of images, matrices and errors."""
    from fastdip import geometry

    rng = np.random.default_rng(rng)
    m, n = image.shape
    rect = np.array([[0, 0], [0, n - 1], [m - 1, 0], [m - 1, n - 1]], float)
    photo_corners = np.array([[40, 70], [30, 200], [m - 20, 10], [m - 10, n - 5]], float)
    h_true = geometry.estimate_homography(rect, photo_corners)  # the "camera": rectangle -> photo
    photo = geometry.warp_perspective(image, h_true)
    picked = photo_corners + rng.normal(0.0, PICK_NOISE, photo_corners.shape)
    h = geometry.estimate_homography(picked, rect)  # photo -> rectified
    rectified = geometry.warp_perspective(photo, h)
    back = geometry.warp_perspective(photo, geometry.invert(h_true))
    corner_error = np.abs(geometry.transform_points(h, photo_corners) - rect).max()
    inner = (slice(24, m - 24), slice(24, n - 24))
    return {"photo": photo, "rectified": rectified, "exact": back, "h_true": h_true, "h": h,
            "corner_error": float(corner_error), "inner": inner}


def checkerboard(side=SIDE, square=SQUARE):
    """A 0/255 checkerboard, lightly smoothed (one-pixel ramp) so that interpolation is fair."""
    from fastdip import filters

    idx = np.arange(side) // square
    board = ((idx[:, None] + idx[None, :]) % 2 * 255.0)
    return filters.gaussian(board, 0.7).astype(np.float64)


def lens(board, k1, rng=0):
    """Distort the board by k1, correct it with the true model and with one estimated from noisy corners."""
    from fastdip import geometry

    rng = np.random.default_rng(rng)
    side = board.shape[0]
    truth = geometry.Distortion(k1=k1)
    seen = geometry.distort(board, truth, interpolation="bicubic")
    fixed = geometry.undistort(seen, truth, interpolation="bicubic")
    corners = np.arange(SQUARE, side - 1, SQUARE)
    ideal = np.array([[r, c] for r in corners for c in corners], float)
    coords = geometry.distortion_map(board.shape, truth)  # where each ideal pixel is seen
    idx = tuple(ideal.astype(int).T)
    detected = np.stack([coords[0][idx], coords[1][idx]], axis=1) + rng.normal(0, PICK_NOISE, ideal.shape)
    est = geometry.estimate_distortion(detected, ideal, shape=board.shape, model=("k1", "k2"))
    fixed_est = geometry.undistort(seen, est, interpolation="bicubic")
    return {"seen": seen, "fixed": fixed, "fixed_est": fixed_est, "estimate": est}


def run(ctx) -> Section:
    from fastdip import geometry, viz

    section = Section(TITLE, SLUG)
    cam = small_camera()
    numbers = []

    section.text(
        "An affine transform moves each pixel coordinate by a matrix: in the course's form "
        "[x', y', 1] = [x, y, 1]·T with x the column and y the row; fastdip writes the same map as "
        "M·(row, col, 1) (M = P Tᵀ P, P swapping the two coordinates; geometry.to_row_convention). The image "
        "is warped backwards: each output pixel reads the input at M⁻¹·(row, col, 1), bilinearly. Here each "
        "matrix is applied about the image centre."
    )
    mats = course_matrices(cam.shape)
    warped = [apply_about_center(cam, m) for _, m, _ in mats]
    fig = viz.show_images(warped, [name for name, _, _ in mats], ncols=3, vmin=0, vmax=255)
    section.figure(ctx.save(fig, "affine"), "The course's transforms applied to camera about its centre.")
    section.table(("transform", "course T ([x y 1]·T, x = col)", "fastdip call"),
                  [(name, _fmt(geometry.to_row_convention(m)), call) for name, m, call in mats],
                  "The matrices in the course's row-vector form (about the origin).")

    section.text(
        f"Interpolation decides what a pixel read between samples gives: nearest copies one neighbour "
        f"(jagged edges), bilinear blends four (slightly blurred), bicubic (Keys, a = -0.5) blends sixteen "
        f"(sharper). Camera rotated by {ANGLE:g}°, a zoomed crop of each; the table measures the PSNR of a "
        f"rotation by {ANGLE:g}° and back against the original, inside the part that stays in the frame."
    )
    trips, inner = rotation_round_trip(cam)
    r0, c0, s = CROP
    crops = [trips[k][0][r0:r0 + s, c0:c0 + s] for k in INTERPOLATIONS]
    fig = viz.show_images([trips["bilinear"][0]] + crops, [f"rotated {ANGLE:g}°"] + list(INTERPOLATIONS),
                          ncols=4, vmin=0, vmax=255)
    section.figure(ctx.save(fig, "rotation"), f"Camera rotated by {ANGLE:g}° and {s}x{s} crops with each "
                   "interpolation (enlarged).")
    for kind in INTERPOLATIONS:
        numbers.append((f"rotation ±{ANGLE:g}° round trip PSNR, {kind} (dB)", _psnr(cam, trips[kind][1], inner)))

    section.text(
        "Shrinking by 2 halves the Nyquist frequency: finer detail aliases into false coarse patterns (moiré) "
        "unless the image is low-passed first. A zone plate, whose local frequency grows with the radius, "
        "shows it: picking every other pixel folds the outer rings back into new full-contrast rings; "
        "bilinear interpolation at the half-way points averages 2x2 pixels, which only weakens them; the "
        "anti-aliased resize (kernel stretched by the factor) fades them to grey. "
        "The reference is the analytic band-limited half-size plate: the rings above the new Nyquist "
        "frequency (0.25 cycles per original pixel) faded to grey."
    )
    plate = zone_plate()
    halves = shrink(plate)
    ref = zone_plate(shrink=2, taper=0.25)
    fig = viz.show_images([plate, *halves.values(), ref], ["zone plate", *halves, "band-limited reference"],
                          ncols=5, vmin=0, vmax=255)
    section.figure(ctx.save(fig, "aliasing"), "Shrinking a zone plate to half size: picking every other pixel, "
                   "bilinear interpolation (a 2x2 mean at half-way points) and bilinear with the kernel "
                   "stretched by 2 (anti-aliased).")
    full = (slice(None), slice(None))
    for label, image in halves.items():
        numbers.append((f"half size, {label}: PSNR vs band-limited reference (dB)", _psnr(ref, image, full)))

    section.text(
        "A planar object photographed at an angle is related to its frontal view by a homography (8 degrees "
        "of freedom). Picking its four corners in the photo (here with a 0.3 px error) and pairing them with "
        "the corners of the rectangle gives the homography by the normalised DLT "
        "(geometry.estimate_homography); warping the photo by it rectifies the object."
    )
    p = perspective(cam)
    fig = viz.show_images([cam, p["photo"], p["rectified"], np.abs(p["rectified"] - cam)],
                          ["object (frontal)", "simulated photo", "rectified", "|rectified - object|"],
                          ncols=4, vmin=0, vmax=255)
    section.figure(ctx.save(fig, "homography"), "Perspective correction from four picked corners.")
    pi = p["inner"]
    numbers.append(("homography: max corner error after rectification (px)", p["corner_error"]))
    numbers.append(("homography: rectified PSNR vs object, inner part (dB)", _psnr(cam, p["rectified"], pi)))
    numbers.append(("homography: exact inverse warp PSNR vs object, inner part (dB)", _psnr(cam, p["exact"], pi)))
    inv_true = geometry.invert(p["h_true"])
    section.table(("matrix", "value (fastdip form, H[2, 2] = 1)"),
                  [("true H (object -> photo)", _fmt(p["h_true"])),
                   ("estimated H (photo -> object)", _fmt(p["h"])),
                   ("inverse of the true H", _fmt(inv_true / inv_true[2, 2]))],
                  "The homography and its estimate from four noisy corners.")

    section.text(
        "Lens distortion (Brown–Conrady, OpenCV's model): a point at normalised radius r is seen at "
        "r(1 + k1 r² + k2 r⁴ + ...). k1 < 0 pulls the border inwards (barrel: straight lines bow outwards), "
        "k1 > 0 pushes it out (pincushion: lines bow inwards). undistort reads each ideal pixel at its "
        "distorted position; the coefficients can be estimated from a grid of detected corners "
        "(geometry.estimate_distortion, linear least squares)."
    )
    board = checkerboard()
    images, titles = [], []
    binner = (slice(24, SIDE - 24), slice(24, SIDE - 24))
    for name, k1 in K1.items():
        res = lens(board, k1)
        images += [res["seen"], res["fixed_est"]]
        titles += [f"{name} (k1 = {k1:g})", f"corrected (k1 ≈ {res['estimate'].k1:.3f})"]
        numbers.append((f"{name}: distorted PSNR vs board (dB)", _psnr(board, res["seen"], binner)))
        numbers.append((f"{name}: corrected (true k1) PSNR vs board (dB)", _psnr(board, res["fixed"], binner)))
        numbers.append((f"{name}: corrected (estimated) PSNR vs board (dB)", _psnr(board, res["fixed_est"],
                                                                                   binner)))
        numbers.append((f"{name}: k1 estimated from {PICK_NOISE:g} px noisy corners", res["estimate"].k1))
    fig = viz.show_images([board] + images, ["checkerboard"] + titles, ncols=5, vmin=0, vmax=255)
    section.figure(ctx.save(fig, "distortion"), "Barrel and pincushion distortion of a checkerboard and their "
                   "correction with the estimated coefficients.")
    section.table(("quantity", "value"), numbers, "Measured numbers (PSNR in dB, 8-bit range, on inner parts).")
    return section
