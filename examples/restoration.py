"""The restoration quality table: PSNR of every restoration method, and the NCC of the blind PSF estimates.

camera and astronaut (grey: luma 0.299 R + 0.587 G + 0.114 B), 512x512, blurred (circularly) by a motion PSF
(15 px at 30°) and a Gaussian PSF (sigma 3), plus white Gaussian noise of sigma 0, 1, 5 and 10 grey levels
(not clipped). Columns: PSNR (dB, data range 255) of the blurred image, the inverse filter (guarded: |H| < 0.1
max|H| set to 0), Wiener with the best constant K over a grid and with K = σ² / var(f), CLS (γ matched to the
true noise variance), Richardson-Lucy (30 iterations), blind deconvolution 'map' and 'rl' (from their default,
wrong initial PSFs) and the normalised cross-correlation (best over ±3 px shifts) of each blind PSF with the
true one. The measurement is shared with the tour's section (``fastdip.report.sections.restoration``), whose
figures ``fastdip tour --only restoration`` draws.

Run:  python examples/restoration.py           (the full table, a few minutes)
      python examples/restoration.py --quick   (camera 128x128 crop, sigma 1: seconds)
"""

import sys

from fastdip import data
from fastdip.report.sections import restoration as section

HEADER = ("image", "PSF", "σ") + tuple(f"{c} (dB)" if not c.startswith("ncc") else c for c in section.COLUMNS)


def _cell(value):
    if isinstance(value, float):
        return f"{value:.3f}" if value < 2 else f"{value:.2f}"
    return str(value)


def markdown(header, rows):
    """A markdown table of ``rows`` under ``header``."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(f"{v:g}" if h == "σ" else _cell(v) for h, v in zip(header, row)) + " |"
              for row in rows]
    return "\n".join(lines)


def run(quick=False):
    """Measure the table; returns {'header', 'rows', 'markdown'} (rows: image, PSF, σ, then the columns)."""
    if quick:
        images = {"camera (128² crop)": section.crop(data.camera(), 128)}
        sigmas = (1.0,)
    else:
        images = {"camera": data.camera(), "astronaut": section.luma(data.astronaut())}
        sigmas = section.SIGMAS
    rows = section.quality_table(images, sigmas=sigmas)
    return {"header": HEADER, "rows": rows, "markdown": markdown(HEADER, rows)}


if __name__ == "__main__":
    print(run(quick="--quick" in sys.argv[1:])["markdown"])
