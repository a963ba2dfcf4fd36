"""Noise reduction by averaging: the mean of K independently noisy frames has noise std sigma / sqrt(K).

Model (Gonzalez & Woods, 4th ed., sec. 2.6): g_i = f + eta_i with eta_i independent, zero-mean, variance
sigma^2, so the average of K frames has E[mean] = f and variance sigma^2 / K.
"""

from __future__ import annotations

import numpy as np

from fastdip.report import Section

TITLE = "Noise reduction by averaging"
SLUG = "averaging"

SIGMA = 20.0
KS = (1, 2, 4, 8, 16)
KS_FULL = (1, 2, 4, 8, 16, 32, 64)
#: A 128 x 128 window on the camera man's head, for the close-up row of the figure.
_CROP = (slice(60, 188), slice(190, 318))


def noisy_frames(clean, k, *, sigma=SIGMA, rng=0):
    """K frames ``clean + N(0, sigma^2)`` as a (K, M, N) float32 array in grey levels (not clipped).

    The noise is kept in float so that it is exactly Gaussian; clipping to [0, 255] would bias the
    measured std in the darkest and brightest regions.
    """
    rng = np.random.default_rng(rng)
    frames = rng.standard_normal((int(k), *np.shape(clean)), dtype=np.float32)
    frames *= np.float32(sigma)
    frames += np.asarray(clean, dtype=np.float32)
    return frames


def measure(clean, *, ks=KS, sigma=SIGMA, rng=0):
    """Average the first K of max(ks) noisy frames for each K and measure the residual noise.

    Parameters
    ----------
    clean : (M, N) ndarray
        The noise-free image, in grey levels.
    ks : sequence of int, optional
        Numbers of frames to average.
    sigma : float, optional
        Noise standard deviation in grey levels.
    rng : int or numpy.random.Generator, optional
        The noise source.

    Returns
    -------
    dict
        ``k``, ``measured_std`` (std of average - clean), ``predicted_std`` (sigma / sqrt(K)), ``ratio``
        (measured / predicted) and ``psnr`` (dB, data range 255): lists, one entry per K; ``averages``:
        {K: float32 average image}.
    """
    from fastdip import arithmetic, metrics

    reference = np.asarray(clean, dtype=np.float32)
    frames = noisy_frames(reference, max(ks), sigma=sigma, rng=rng)
    out = {"k": [], "measured_std": [], "predicted_std": [], "ratio": [], "psnr": [], "averages": {}}
    for k in ks:
        avg = arithmetic.average(frames[:k])
        measured = float(np.std(avg.astype(np.float64) - reference))
        predicted = sigma / np.sqrt(k)
        out["k"].append(int(k))
        out["measured_std"].append(measured)
        out["predicted_std"].append(float(predicted))
        out["ratio"].append(measured / predicted)
        out["psnr"].append(float(metrics.psnr(reference, avg, data_range=255.0)))
        out["averages"][int(k)] = avg
    return out


def run(ctx) -> Section:
    from fastdip import data, viz

    clean = data.camera()
    ks = KS_FULL if ctx.full else KS
    result = measure(clean, ks=ks, sigma=SIGMA, rng=2024)
    section = Section(TITLE, SLUG)
    section.text(
        f"Each noisy frame is g_i = f + eta_i: the camera image f plus independent Gaussian noise eta_i with "
        f"sigma = {SIGMA:g} grey levels (seeded numpy Generator, kept in float so nothing is clipped). "
        f"fastdip.arithmetic.average of K frames keeps f and divides the noise variance by K, so the residual "
        f"noise std should fall as sigma / sqrt(K)."
    )

    shown = [k for k in (1, 4, 16) if k in result["averages"]]
    avgs = [result["averages"][k] for k in shown]
    titles = ["clean"] + [("one noisy frame" if k == 1 else f"average of {k}") for k in shown]
    images = [clean, *avgs] + [clean[_CROP]] + [a[_CROP] for a in avgs]
    fig = viz.show_images(images, titles + [t + " (close-up)" for t in titles], ncols=len(titles),
                          vmin=0, vmax=255)
    section.figure(ctx.save(fig, "frames"),
                   "Top: the clean image, one noisy frame and averages of 4 and 16 frames (all shown over "
                   "[0, 255]); bottom: the same, close up.")

    rows = [(k, m, p, r, q) for k, m, p, r, q in zip(result["k"], result["measured_std"], result["predicted_std"],
                                                      result["ratio"], result["psnr"])]
    section.table(("K", "measured std", "sigma/sqrt(K)", "measured / predicted", "PSNR (dB)"), rows,
                  "Residual noise: std of (average - clean) over all pixels, against the prediction.")

    k = np.asarray(result["k"], dtype=np.float64)
    kk = np.geomspace(k[0], k[-1], 100)
    ax = viz.plot_curve(kk, SIGMA / np.sqrt(kk), label="sigma / sqrt(K)", color="tab:blue")
    viz.plot_curve(k, result["measured_std"], ax, style="o", label="measured", color="tab:red",
                   logx=True, logy=True, xlabel="frames averaged K", ylabel="residual noise std (grey levels)",
                   title="Noise std against K")
    ax.set_xticks(k, [str(int(v)) for v in k])
    ax.set_yticks(result["predicted_std"], [f"{v:.3g}" for v in result["predicted_std"]])
    ax.minorticks_off()
    section.figure(ctx.save(ax.figure, "std-vs-k"),
                   "Measured residual std (dots) on the 1/sqrt(K) prediction (line), log-log axes.")
    worst = max(abs(r - 1.0) for r in result["ratio"])
    section.text(
        f"Averaging {result['k'][-1]} frames brings the noise std from {result['measured_std'][0]:.2f} to "
        f"{result['measured_std'][-1]:.2f} grey levels (predicted {result['predicted_std'][-1]:.2f}); the "
        f"measurements stay within {100 * worst:.1f} % of sigma / sqrt(K). In practice the frames must be "
        f"registered and the scene static, or averaging blurs instead of denoising."
    )
    return section
