"""Registration with point correspondences: rectify a perspective photo with a homography, remove barrel and
pincushion lens distortion with coefficients estimated from a grid, and register a polynomially warped image.

The homography and lens experiments are shared with the tour's section
(``fastdip.report.sections.geometry``), whose figures ``fastdip tour --only geometry`` draws.

Run:  python examples/geometry.py
"""

import numpy as np

from fastdip import data, geometry, metrics
from fastdip.report.sections import geometry as section


def register_polynomial(image, rng=0):
    """Warp ``image`` by a known quadratic map (the "photo"), then register it back from 49 noisy tie points.

    Returns (PSNR of the photo, PSNR after registration), both against ``image`` on the inner part.
    """
    rng = np.random.default_rng(rng)
    g = np.array([[1.0, 0.0], [0.0, 1.0], [4e-4, 0.0], [0.0, -4e-4], [2e-4, 2e-4], [-6.0, 8.0]])
    photo = geometry.warp_polynomial(image, g, interpolation="bicubic")  # photo pixel q shows image at g(q)
    side = image.shape[0]
    seen = np.array([[r, c] for r in np.linspace(0, side - 1, 7) for c in np.linspace(0, side - 1, 7)])
    ideal = geometry.polynomial_terms(seen, 2) @ g + rng.normal(0, 0.2, seen.shape)
    # backward map for the warp: from the output (image) grid to where the photo shows it
    t = geometry.estimate_polynomial(ideal, seen, order=2)
    back = geometry.warp_polynomial(photo, t, interpolation="bicubic")
    inner = (slice(24, side - 24), slice(24, side - 24))
    ref = image[inner].astype(np.float64)
    return (metrics.psnr(ref, photo[inner].astype(np.float64), data_range=255),
            metrics.psnr(ref, back[inner].astype(np.float64), data_range=255))


def run(rng=0):
    """The numbers of the three registrations (no images)."""
    cam = data.camera()[::2, ::2].astype(np.float64)
    p = section.perspective(cam, rng=rng)
    inner = p["inner"]
    out = {
        "homography_corner_error_px": p["corner_error"],
        "homography_psnr": metrics.psnr(cam[inner], p["rectified"][inner], data_range=255),
        "photo_psnr": metrics.psnr(cam[inner], p["photo"][inner], data_range=255),
    }
    board = section.checkerboard()
    b_inner = (slice(24, -24), slice(24, -24))
    for name, k1 in section.K1.items():
        res = section.lens(board, k1, rng=rng)
        out[f"{name}_k1_true"] = k1
        out[f"{name}_k1_estimated"] = res["estimate"].k1
        out[f"{name}_psnr_distorted"] = metrics.psnr(board[b_inner], res["seen"][b_inner], data_range=255)
        out[f"{name}_psnr_corrected"] = metrics.psnr(board[b_inner], res["fixed_est"][b_inner], data_range=255)
    out["polynomial_psnr_photo"], out["polynomial_psnr_registered"] = register_polynomial(cam, rng=rng)
    return out


if __name__ == "__main__":
    result = run()
    print(f"homography: corner error {result['homography_corner_error_px']:.3f} px, PSNR photo "
          f"{result['photo_psnr']:.2f} dB -> rectified {result['homography_psnr']:.2f} dB")
    for name in section.K1:
        print(f"{name}: k1 {result[f'{name}_k1_true']:+.3f} estimated {result[f'{name}_k1_estimated']:+.4f}, "
              f"PSNR {result[f'{name}_psnr_distorted']:.2f} dB -> {result[f'{name}_psnr_corrected']:.2f} dB")
    print(f"polynomial: PSNR {result['polynomial_psnr_photo']:.2f} dB -> "
          f"{result['polynomial_psnr_registered']:.2f} dB")
