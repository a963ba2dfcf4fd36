"""Noise cleaning: Gaussian against salt-and-pepper noise, and the mean, Gaussian, median and adaptive
median filters side by side (Gonzalez & Woods, 4th ed., secs. 5.2-5.3)."""

from __future__ import annotations

import numpy as np

from fastdip.report import Section

TITLE = "Noise cleaning"
SLUG = "noise_cleaning"

GAUSSIAN_SIGMA = 25.0
SP_AMOUNTS = (0.1, 0.35)


def cleaners():
    """The filters compared: name -> function of a uint8 image."""
    from fastdip import filters

    return {
        "mean 5x5": lambda im: filters.mean(im, 5, dtype=np.uint8),
        "Gaussian sigma=1": lambda im: filters.gaussian(im, 1.0, dtype=np.uint8),
        "median 3x3": lambda im: filters.median(im, 3),
        "median 5x5": lambda im: filters.median(im, 5),
        "adaptive median S_max=7": lambda im: filters.adaptive_median(im, max_size=7),
        "adaptive median S_max=9": lambda im: filters.adaptive_median(im, max_size=9),
    }


def compare(clean, noisy):
    """PSNR and SSIM (against ``clean``) of the noisy image and of each cleaner's result."""
    from fastdip import metrics

    results = {"noisy": noisy}
    results.update({name: f(noisy) for name, f in cleaners().items()})
    scores = {name: (metrics.psnr(clean, im), metrics.ssim(clean, im)) for name, im in results.items()}
    return results, scores


def run(ctx) -> Section:
    from fastdip import data, noise, viz

    clean = data.camera()
    section = Section(TITLE, SLUG)
    section.text(
        "Gaussian noise disturbs every pixel a little; salt-and-pepper noise replaces a fraction of the pixels "
        "by the extreme values. Linear filters (mean, Gaussian) spread impulses instead of removing them; the "
        "median removes them; the adaptive median grows its window only where the 3x3 median is itself an "
        "impulse and keeps pixels that are not impulses, so it survives very dense noise with little blur."
    )
    cases = [(f"Gaussian sigma={GAUSSIAN_SIGMA:g}", noise.gaussian(clean, GAUSSIAN_SIGMA, rng=1))]
    cases += [(f"salt & pepper {a:g}", noise.salt_and_pepper(clean, a, rng=2)) for a in SP_AMOUNTS]
    rows = []
    for label, noisy in cases:
        results, scores = compare(clean, noisy)
        for name, (p, s) in scores.items():
            rows.append((label, name, p, s))
        names = list(results)
        fig = viz.show_images([results[n] for n in names], names, ncols=4, vmin=0, vmax=255)
        slug = label.replace(" ", "-").replace("&", "and").replace("=", "").replace(".", "")
        section.figure(ctx.save(fig, slug), f"{label}: the noisy image and each filter's result.")
    section.table(("noise", "filter", "PSNR (dB)", "SSIM"), rows,
                  "Quality against the clean camera image (uint8 results, data range 255).")
    return section
