"""Histograms: ImageJ-style statistics, histogram equalisation and histogram matching (specification).

Equalisation maps r to s = (L-1) CDF(r), which makes the cumulative histogram as close to a straight line
as the discrete levels allow; matching maps r through CDF_image then the inverse CDF of a reference
(Gonzalez & Woods, 4th ed., sec. 3.3).
"""

from __future__ import annotations

import numpy as np

from fastdip.report import Section

TITLE = "Histograms: statistics, equalisation, matching"
SLUG = "histograms"

STATS_IMAGES = ("camera", "coins", "clock", "cell", "microaneurysms")
#: The low-contrast image to equalise (a retina detail).
LOW_CONTRAST = "microaneurysms"


def cdf(image):
    """The normalised cumulative histogram of an integer image: fraction of pixels <= each level."""
    from fastdip import histogram

    counts = np.asarray(histogram.histogram(image).counts, dtype=np.float64)
    cum = np.cumsum(counts)
    return cum / cum[-1]


def cdf_distance(a, b):
    """Largest gap between the cumulative histograms of two images of one dtype (Kolmogorov-Smirnov)."""
    return float(np.max(np.abs(cdf(a) - cdf(b))))


def uniform_distance(image):
    """Largest gap between the image's cumulative histogram and that of a flat histogram over [0, L-1]."""
    c = cdf(image)
    return float(np.max(np.abs(c - np.arange(1, c.size + 1) / c.size)))


def stats_rows(images):
    """One row (image, count, min, mean, max, std, mode, mode count) per named image, from histogram.stats."""
    from fastdip import histogram

    rows = []
    for name, img in images.items():
        s = histogram.stats(img)
        rows.append((name, s.count, s.min, s.mean, s.max, s.std, s.mode, s.mode_count))
    return rows


def equalisation(image):
    """Equalise ``image``: {'equalized', 'distance_before', 'distance_after'} (gaps to a flat CDF)."""
    from fastdip import histogram

    eq = histogram.equalize(image)
    return {"equalized": eq, "distance_before": uniform_distance(image), "distance_after": uniform_distance(eq)}


def washed_out(image):
    """A degraded copy of an 8-bit image: gamma 0.5, then levels squeezed into [100, 170] (monotone)."""
    from fastdip import intensity

    return intensity.contrast_stretch(intensity.gamma(image, 0.5), in_range=(0, 255), out_range=(100, 170))


def matching(image, reference):
    """Match ``image`` to ``reference``'s histogram: {'matched', 'distance_before', 'distance_after'}."""
    from fastdip import histogram

    matched = histogram.match(image, reference)
    return {"matched": matched, "distance_before": cdf_distance(image, reference),
            "distance_after": cdf_distance(matched, reference)}


def _images_with_histograms(images, titles):
    from fastdip import viz

    fig, axes = viz.new_figure(2, len(images), size=(3.3, 3.0), squeeze=False)
    for col, (img, title) in enumerate(zip(images, titles)):
        viz.show_image(img, axes[0, col], title=title)
        viz.plot_histogram(img, axes[1, col], cumulative=True)
    return fig


def run(ctx) -> Section:
    from fastdip import data, histogram

    available = set(data.names())
    names = sorted(available) if ctx.full else [n for n in STATS_IMAGES if n in available]
    images = {n: data.load(n) for n in names}
    images = {n: im for n, im in images.items() if im.ndim == 2}
    low, camera = data.load(LOW_CONTRAST), data.camera()
    section = Section(TITLE, SLUG)
    section.text(
        "fastdip.histogram.stats gives the numbers ImageJ's Analyze > Histogram shows (standard deviation "
        "with n - 1, mode as the most frequent level and its count). For camera: "
        f"{'; '.join(str(histogram.stats(camera)).splitlines())}."
    )
    section.table(("image", "count", "min", "mean", "max", "std", "mode", "mode count"), stats_rows(images),
                  "Statistics of grey-level sample images, from fastdip.histogram.stats.")

    eq = equalisation(low)
    section.figure(ctx.save(_images_with_histograms([low, eq["equalized"]], [LOW_CONTRAST, "equalised"]),
                            "equalize"),
                   f"Histogram equalisation of the low-contrast {LOW_CONTRAST} image (a retina detail): images "
                   "(over [0, 255]), histograms and "
                   "cumulative histograms (red, scaled to the highest bar). After equalisation the cumulative "
                   "curve is close to a straight line.")
    section.text(
        "Equalisation spreads the retina image's narrow band of levels over the whole range. Its cumulative "
        "histogram "
        f"was up to {eq['distance_before']:.3f} away from that of a flat histogram (largest vertical gap), and "
        f"is {eq['distance_after']:.3f} after; it cannot reach 0 because pixels of one level all map to one "
        "level, so the output histogram has gaps and spikes rather than being flat."
    )

    washed = washed_out(camera)
    m = matching(washed, camera)
    section.text(
        "Histogram matching (specification) maps an image's levels so that its histogram follows a reference's. "
        "Here the image is a washed-out copy of camera (gamma 0.5, then levels squeezed into [100, 170]) and "
        "the reference is camera itself: because the degradation is monotone, matching undoes it, up to the "
        "levels the squeeze merged."
    )
    section.figure(ctx.save(_images_with_histograms([washed, camera, m["matched"]],
                                                    ["image: washed out", "reference: camera", "matched"]),
                            "match"),
                   "Histogram matching: the washed-out image's levels remapped so that its histogram follows "
                   "the reference's (the three histograms with their cumulative curves below).")
    diff = [float(np.mean(np.abs(im.astype(np.float64) - camera))) for im in (washed, m["matched"], camera)]
    rows = [("washed out (before)", float(washed.mean()), float(washed.std()), m["distance_before"], diff[0]),
            ("matched", float(m["matched"].mean()), float(m["matched"].std()), m["distance_after"], diff[1]),
            ("camera (reference)", float(camera.mean()), float(camera.std()), 0.0, diff[2])]
    section.table(("image", "mean", "std", "CDF gap to reference", "mean |image - camera|"), rows,
                  "Matching restores the reference's mean and spread; the CDF gap is the largest vertical "
                  "distance between cumulative histograms (Kolmogorov-Smirnov statistic).")
    return section
