"""Point transforms on camera and a low-contrast retina image: negative, log, gamma, stretch, threshold.

Each transform is one call to ``fastdip.intensity`` (listed in ``fastdip.report.sections.point_transforms
.transforms``, shared with the tour); ``fastdip tour --only point_transforms`` draws the transfer curves and
results.

Run:  python examples/point_transforms.py
"""

import numpy as np

from fastdip import data, intensity
from fastdip.report.sections import point_transforms


def run():
    """Statistics of each result, its transfer curve at a few levels, and the bit-plane fractions of camera."""
    camera, low = data.camera(), data.load(point_transforms.LOW_CONTRAST)
    ops = point_transforms.transforms(camera, low)
    curves = point_transforms.transfer_curves(ops)
    results = point_transforms.apply(camera, low)
    stats = {name: dict(zip(("image", "dtype", "mean", "std", "min", "max"), row[1:]))
             for name, row in zip(results, point_transforms.summary(results))}
    return {
        "stats": stats,
        "curves_at": {name: [float(curve[r]) for r in (0, 64, 128, 192, 255)] for name, curve in curves.items()},
        "bit_plane_fraction": {k: float(np.mean(intensity.bit_plane(camera, k))) for k in range(8)},
        "input_mean": {"camera": float(camera.mean()), point_transforms.LOW_CONTRAST: float(low.mean())},
    }


if __name__ == "__main__":
    result = run()
    print(f"{'transform':<20} {'image':<14} {'mean':>8} {'std':>8}   s(r) at r = 0, 64, 128, 192, 255")
    for name, s in result["stats"].items():
        curve = ", ".join(f"{v:g}" for v in result["curves_at"][name])
        print(f"{name:<20} {s['image']:<14} {s['mean']:>8.2f} {s['std']:>8.2f}   {curve}")
    planes = ", ".join(f"{k}: {f:.2f}" for k, f in result["bit_plane_fraction"].items())
    print(f"fraction of camera pixels with bit k set: {planes}")
