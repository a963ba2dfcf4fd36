"""Histograms: ImageJ-style statistics, equalisation of a low-contrast image, histogram matching.

Uses ``fastdip.histogram.stats``, ``equalize`` and ``match``; the cumulative-histogram distances come from
``fastdip.report.sections.histograms`` (shared with the tour; ``fastdip tour --only histograms`` draws the
images and histograms).

Run:  python examples/histograms.py
"""

import numpy as np

from fastdip import data, histogram
from fastdip.report.sections import histograms


def run():
    """Statistics of two sample images, and how far equalisation and matching move the cumulative curves."""
    low, camera = data.load(histograms.LOW_CONTRAST), data.camera()
    eq = histograms.equalisation(low)
    washed = histograms.washed_out(camera)
    matched = histograms.matching(washed, camera)
    return {
        "stats": {"camera": histogram.stats(camera), histograms.LOW_CONTRAST: histogram.stats(low)},
        "equalize": {k: v for k, v in eq.items() if k != "equalized"},
        "match": {k: v for k, v in matched.items() if k != "matched"},
        "match_mean_abs_error": {
            "before": float(np.mean(np.abs(washed.astype(np.float64) - camera))),
            "after": float(np.mean(np.abs(matched["matched"].astype(np.float64) - camera))),
        },
    }


if __name__ == "__main__":
    result = run()
    for name, stats in result["stats"].items():
        print(f"{name}:\n{stats}")
    eq, m, err = result["equalize"], result["match"], result["match_mean_abs_error"]
    print(f"equalize {histograms.LOW_CONTRAST}: gap to a flat cumulative histogram "
          f"{eq['distance_before']:.3f} -> {eq['distance_after']:.3f}")
    print(f"match washed-out camera to camera: gap to camera's cumulative histogram {m['distance_before']:.3f} -> "
          f"{m['distance_after']:.3f}; mean |image - camera| {err['before']:.2f} -> {err['after']:.2f}")
