"""Neighbourhood operations and convolution: kernels, the mean filter at growing sizes, border modes,
Gaussian smoothing and derivative (edge) filters.

g(x, y) = Σ_s Σ_t w(s, t) f(x - s, y - t) (Gonzalez & Woods, 4th ed., sec. 3.4): every output pixel is a
weighted sum over a neighbourhood; the border mode says what lies outside the image.
"""

from __future__ import annotations

import statistics
import time

import numpy as np

from fastdip.report import Section

TITLE = "Neighbourhood operations and convolution"
SLUG = "neighbourhood"

MEAN_SIZES = (3, 9, 25)
SIGMAS = (1.0, 3.0)
MODES = ("reflect", "mirror", "nearest", "wrap", "constant")
#: calls timed per window size (the table shows their median)
TIMING_REPEAT = 7


#: A 96x96 crop of camera whose opposite sides differ (dark coat on the left, bright grass on the right and
#: below), so that each border mode pulls in visibly different values.
_BORDER_CROP = (slice(300, 396), slice(100, 196))


def border_demo(image, size=31):
    """The mean filter of ``size`` on a 96x96 crop under every border mode (the border effect is visible)."""
    from fastdip import filters

    crop = np.ascontiguousarray(image[_BORDER_CROP])
    return {mode: filters.mean(crop, size, mode=mode, cval=0.0) for mode in MODES}


def mean_timings(image, sizes=MEAN_SIZES, repeat=TIMING_REPEAT):
    """Seconds per call of the mean filter at each size (running sums: the time should not grow with size):
    the median of ``repeat`` calls after a warm-up call, so one call delayed by another process does not
    show (a single call once printed 9x9 at 12.9 ms between 3x3 at 0.6 ms and 25x25 at 1.1 ms)."""
    from fastdip import filters

    out = {}
    for size in sizes:
        filters.mean(image, size)  # compile / warm up
        times = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            filters.mean(image, size)
            times.append(time.perf_counter() - t0)
        out[size] = statistics.median(times)
    return out


def run(ctx) -> Section:
    from fastdip import data, filters, viz

    img = data.camera()
    section = Section(TITLE, SLUG)
    section.text(
        "A neighbourhood operation replaces each pixel by a function of the pixels around it. Convolution "
        "flips the kernel (g = w ⋆ f with w(s, t) applied to f(x - s, y - t)); correlation does not. The mean "
        "filter uses running sums, so its cost per pixel does not depend on the window size."
    )

    kernels = {
        "mean 3x3": np.full((3, 3), 1 / 9),
        "Laplacian (4)": np.array([[0, -1, 0], [-1, 4, -1], [0, -1, 0]], float),
        "Laplacian (8)": np.array([[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]], float),
        "Sobel d/dcol": np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], float),
    }
    rows = []
    for name, k in kernels.items():
        rows.append((name, "  ".join("[" + " ".join(f"{v:g}" if abs(v) >= 1 or v == 0 else f"{v:.3f}"
                                                  for v in r) + "]" for r in k)))
    section.table(("kernel", "weights (rows)"), rows, "The kernels shown below.")

    means = [filters.mean(img, s) for s in MEAN_SIZES]
    fig = viz.show_images([img, *means], ["camera", *[f"mean {s}x{s}" for s in MEAN_SIZES]], ncols=4,
                          vmin=0, vmax=255)
    section.figure(ctx.save(fig, "mean"), "The mean (box) filter at growing window sizes: more smoothing, "
                                          "less detail.")

    times = mean_timings(img, repeat=TIMING_REPEAT)
    from fastdip import parallel

    n_threads = parallel.get_threads()
    section.table(("window", "time (ms)"), [(f"{s}x{s}", 1000 * t) for s, t in times.items()],
                  f"Time of fastdip.filters.mean on the 512x512 camera image: the median of {TIMING_REPEAT} "
                  f"calls after a warm-up call, on {'one thread' if n_threads == 1 else f'up to {n_threads} threads'}.")

    demo = border_demo(img)
    crop = img[_BORDER_CROP]
    fig = viz.show_images([crop, *demo.values()], ["crop", *[f"mode='{m}'" for m in demo]], ncols=6,
                          vmin=0, vmax=255)
    section.figure(ctx.save(fig, "border-modes"),
                   "A 31x31 mean filter on a 96x96 crop under each border mode: 'constant' (cval 0) darkens "
                   "the border, 'wrap' pulls in the opposite side, 'nearest' repeats the edge row, 'reflect' "
                   "and 'mirror' fold the image back (with and without repeating the edge pixel).")

    gauss = [filters.gaussian(img, s) for s in SIGMAS]
    lap = filters.laplacian(img.astype(np.float32))
    sob = filters.sobel(img)
    fig = viz.show_images([*gauss, lap, sob], [*[f"Gaussian sigma={s:g}" for s in SIGMAS], "Laplacian (4)",
                                               "Sobel magnitude"], ncols=4)
    section.figure(ctx.save(fig, "gaussian-edges"),
                   "Gaussian smoothing and derivative filters (Laplacian and Sobel gradient magnitude, "
                   "shown over their own ranges).")
    section.table(("result", "min", "max", "mean"),
                  [("Laplacian (4)", float(lap.min()), float(lap.max()), float(lap.mean())),
                   ("Sobel magnitude", float(sob.min()), float(sob.max()), float(sob.mean()))],
                  "Derivative filters sum to zero, so their mean over the image is close to 0 (Laplacian).")
    return section
