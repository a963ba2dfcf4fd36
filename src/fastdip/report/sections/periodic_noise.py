"""Periodic noise: sinusoidal interference shows up as pairs of spikes in the spectrum; band-reject, notch and
optimum-notch filtering remove it (Gonzalez & Woods, 4th ed., secs. 5.4)."""

from __future__ import annotations

import numpy as np

from fastdip.report import Section

TITLE = "Periodic noise"
SLUG = "periodic_noise"

#: Interference frequencies (u, v) in cycles per image along (rows, cols), all about 40 from the centre so
#: that one band-reject ring covers them.
FREQUENCIES = ((0, 40), (40, 0), (28, 28))
AMPLITUDE = 40.0
NOTCH_RADIUS = 4
WINDOW = (15, 15)


def experiment(clean, *, varying=False, frequencies=FREQUENCIES, amplitude=AMPLITUDE):
    """Add periodic noise to ``clean`` (constant amplitude, or a ramp 10 -> 70 along the columns when
    ``varying``), find its spikes and clean it three ways; returns images, peaks and PSNRs."""
    from fastdip import fourier, metrics, noise

    f = np.asarray(clean, dtype=np.float64)
    eta = noise.periodic(f.shape, frequencies)
    amp = np.linspace(10.0, 70.0, f.shape[1])[None, :] if varying else amplitude
    g = f + amp * eta
    peaks = fourier.find_peaks(g)
    notch = fourier.apply(g, fourier.notch_reject(g.shape, peaks, NOTCH_RADIUS))
    radius = float(np.mean(np.hypot(peaks[:, 0], peaks[:, 1])))
    band = fourier.apply(g, fourier.bandreject(g.shape, radius, 8.0))
    optimum = fourier.optimum_notch(g, peaks, radius=NOTCH_RADIUS, window=WINDOW)
    images = {"noisy": g, "band-reject": band, "notch": notch, "optimum notch": optimum.estimate}
    psnr = {name: metrics.psnr(f, im, data_range=255.0) for name, im in images.items()}
    return {"images": images, "peaks": peaks, "psnr": psnr, "weights": optimum.weights, "eta": optimum.eta}


def run(ctx) -> Section:
    from fastdip import data, fourier, viz

    clean = data.camera()
    section = Section(TITLE, SLUG)
    section.text(
        "Sinusoidal interference g = f + A·sin(2π(u x / M + v y / N)) adds a pair of spikes at ±(u, v) to the "
        "spectrum. fastdip.fourier.find_peaks locates them outside the DC region with a robust threshold; a "
        "band-reject ring removes everything at their radius, a notch filter only small discs around them, and "
        "the optimum notch filter subtracts the notch-passed interference η weighted by w(x, y), chosen in "
        "each window to minimise the local variance of the estimate (it adapts to a varying noise amplitude)."
    )
    rows = []
    for label, varying in (("constant amplitude 40", False), ("amplitude ramp 10 to 70", True)):
        result = experiment(clean, varying=varying)
        names = list(result["images"])
        fig = viz.show_images([result["images"][n] for n in names], names, ncols=4, vmin=0, vmax=255)
        section.figure(ctx.save(fig, "results-ramp" if varying else "results"), f"{label}: the noisy image "
                       "and the three filters' results.")
        for name in names:
            rows.append((label, name, result["psnr"][name]))
        if not varying:
            spectrum = fourier.magnitude(fourier.shift(fourier.dft2(result["images"]["noisy"])))
            ax = viz.show_image(spectrum, title="log spectrum with the detected spikes")
            m, n = spectrum.shape
            for u, v in result["peaks"]:
                for s in (1, -1):
                    ax.plot(n // 2 + s * v, m // 2 + s * u, "o", mfc="none", mec="red", ms=10)
            section.figure(ctx.save(ax.figure, "spectrum"), "The noisy image's centred log spectrum; red "
                           f"circles: the {len(result['peaks'])} spike pairs found (injected: "
                           f"{', '.join(str(tuple(p)) for p in FREQUENCIES)}).")
        else:
            fig = viz.show_images([result["eta"], result["weights"]], ["interference η", "weights w(x, y)"],
                                  ncols=2)
            w = result["weights"]
            left, right = float(np.median(w[:, :32])), float(np.median(w[:, 64:]))
            section.figure(ctx.save(fig, "weights"), "The notch-passed interference η and the optimum weights "
                           f"w: η already follows the amplitude ramp, so w is close to 1 (median {right:.2f} "
                           f"away from the left edge) except where η is wrong: at the left edge the circular "
                           f"DFT mixes in the strong noise of the right edge, and w drops to {left:.2f} there.")
    section.table(("noise", "result", "PSNR (dB)"), rows, "PSNR against the clean camera image (range 255).")
    return section
