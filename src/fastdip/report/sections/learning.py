"""Machine learning on images: clustering a colour image's pixels by k-means, a Gaussian mixture and density
peaks, with the density-peaks decision graph and its centres (Lloyd 1982; Dempster, Laird & Rubin 1977;
Rodriguez & Laio 2014).
"""

from __future__ import annotations

import numpy as np

from fastdip.report import Section

TITLE = "Machine learning"
SLUG = "learning"

#: astronaut subsampled by this step (128 x 128 pixels: each clustering runs in about a second)
STEP = 4
#: clusters of every method, and the seed of k-means and the mixture
K = 5
SEED = 0


def _paint(labels, colours):
    """A uint8 RGB image of each pixel's cluster colour (``colours``: (k, 3) floats; label -1 black)."""
    table = np.vstack([np.clip(np.rint(colours), 0, 255), [[0, 0, 0]]]).astype(np.uint8)
    return table[np.where(labels < 0, len(colours), labels)]


def _means(pixels, labels, k):
    """The mean colour of each of the k clusters ((k, 3) float64)."""
    flat = labels.reshape(-1)
    keep = flat >= 0
    counts = np.bincount(flat[keep], minlength=k)
    sums = np.stack([np.bincount(flat[keep], pixels[keep, c], minlength=k) for c in range(3)], axis=1)
    return sums / np.maximum(counts, 1)[:, None]


def _rms(pixels, labels, k):
    """The root-mean-square distance of the pixels to their cluster's mean colour, per channel."""
    flat = labels.reshape(-1)
    keep = flat >= 0
    means = _means(pixels, labels, k)
    return float(np.sqrt(np.mean((pixels[keep] - means[flat[keep]]) ** 2)))


def clustering(ctx, section, numbers) -> None:
    """k-means vs GMM vs density peaks on one colour image, and the decision graph."""
    from fastdip import data, viz
    from fastdip.learn import DensityPeaks, cluster

    section.text(
        "Clustering the pixels by colour, three ways, each with k = 5 clusters. k-means minimises the summed "
        "squared distance to the cluster means (k-means++ seeding, Lloyd's iterations); a Gaussian mixture "
        "fitted by EM gives each cluster its own covariance, so elongated colour clouds (shading along one hue) "
        "stay together; density peaks (Rodriguez & Laio) needs no iterations: every pixel gets a local density "
        "ρ (the pixels within d_c in colour) and the distance δ to the nearest denser pixel; cluster centres "
        "are the points where both are large, and every other pixel joins its nearest denser neighbour's "
        "cluster, in decreasing density. fastdip finds ρ and δ exactly on a k-d tree, in O(n) memory."
    )
    image = np.ascontiguousarray(data.astronaut()[::STEP, ::STEP])
    pixels = image.reshape(-1, 3).astype(np.float64)
    results = {}
    for name, kw in (("k-means", {"method": "kmeans", "rng": SEED}),
                     ("GMM", {"method": "gmm", "rng": SEED}),
                     ("density peaks", {"method": "density_peaks", "kernel": "gaussian"})):
        results[name] = cluster(image, channel_axis=-1, n_clusters=K, **kw)
    dp = DensityPeaks(n_clusters=K, kernel="gaussian").fit(pixels)

    rows = []
    for name, labels in results.items():
        rms = _rms(pixels, labels, K)
        sizes = np.bincount(labels.reshape(-1), minlength=K)
        rows.append((name, K, rms, " ".join(str(int(v)) for v in sorted(sizes, reverse=True))))
        numbers.append((f"{name} on astronaut: RMS colour error", rms))
    shown = [image] + [_paint(labels, _means(pixels, labels, K)) for labels in results.values()]
    fig = viz.show_images(shown, [f"astronaut / {STEP}"] + list(results), ncols=4, size=3.0)
    section.figure(ctx.save(fig, "clusters"), "The same colour image clustered by k-means, a Gaussian mixture "
                   "and density peaks (k = 5, each pixel painted with its cluster's mean colour).")
    section.table(("method", "clusters", "RMS colour error", "cluster sizes (pixels)"), rows,
                  f"Clustering the {pixels.shape[0]:,} pixels of astronaut / {STEP} by colour: the RMS distance "
                  "to the cluster means (k-means minimises it) and the clusters' sizes.")

    rho, delta = dp.decision_graph()
    centres = dp.centers_
    fig, axes = viz.new_figure(1, 2, size=(4.2, 3.4))
    axes[0].scatter(rho, delta, s=3, c="0.55", lw=0)
    axes[0].scatter(rho[centres], delta[centres], s=40, c="crimson", edgecolors="k", lw=0.6)
    for c, i in enumerate(centres):
        axes[0].annotate(str(c), (rho[i], delta[i]), xytext=(4, 2), textcoords="offset points", fontsize="small")
    axes[0].set_xlabel("local density ρ")
    axes[0].set_ylabel("distance to a denser pixel δ")
    axes[0].set_title("decision graph")
    gamma = np.sort(rho * delta)[::-1][:30]
    axes[1].semilogy(np.arange(1, gamma.size + 1), gamma, "o-", ms=3, color="0.3")
    axes[1].semilogy(np.arange(1, K + 1), gamma[:K], "o", ms=6, color="crimson")
    axes[1].set_xlabel("rank")
    axes[1].set_ylabel("γ = ρ·δ")
    axes[1].set_title("the largest γ")
    section.figure(ctx.save(fig, "decision-graph"), "The decision graph of density peaks on the pixels' colours "
                   f"(Gaussian kernel, d_c = {dp.dc_:.2f} by the paper's 2 % rule): the chosen centres (red, "
                   "numbered as the clusters) stand out with both a high density and a large distance to any "
                   "denser pixel; right, γ = ρ·δ in decreasing order, the centres its five largest values.")
    numbers.append(("density peaks: d_c (colour units)", dp.dc_))
    numbers.append(("density peaks: distinct colours", int(len(np.unique(pixels, axis=0)))))
    numbers.append(("density peaks: δ of the centres, in units of d_c",
                    " ".join(f"{v:.1f}" for v in delta[centres] / dp.dc_)))
    numbers.append(("density peaks: median δ of the other pixels, in units of d_c",
                    float(np.median(np.delete(delta, centres)) / dp.dc_)))
    auto = DensityPeaks(kernel="gaussian").fit(pixels)
    numbers.append(("density peaks without n_clusters: centres found", int(len(auto.centers_))))


def run(ctx) -> Section:
    section = Section(TITLE, SLUG)
    numbers = []
    clustering(ctx, section, numbers)
    section.table(("quantity", "value"), numbers, "Measured numbers of this section.")
    return section
