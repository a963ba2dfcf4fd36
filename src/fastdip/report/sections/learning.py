"""Machine learning on images: the course's classifiers compared on the digits, a pixel classifier trained from
scribbles where a global threshold fails, and a colour image's pixels clustered by k-means, a Gaussian mixture
and density peaks, with the density-peaks decision graph and its centres (Breiman 2001; Sommer et al. 2011;
Lloyd 1982; Dempster, Laird & Rubin 1977; Rodriguez & Laio 2014).
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


#: strength of the illumination ramp added to coins so that one global threshold must fail
RAMP = 160.0


def classifiers(ctx, section, numbers) -> None:
    """The course's classifiers cross-validated on the 8x8 digits."""
    from sklearn.datasets import load_digits

    from fastdip.learn import compare_classifiers

    digits = load_digits()
    table = compare_classifiers(digits.data, digits.target, cv=3, rng=SEED)
    section.text(
        "Supervised learning on the 1,797 8x8 handwritten digits (64 grey levels as features): the course's "
        "classifiers, each scored by 3-fold stratified cross-validation (accuracy and macro-averaged F1, the "
        "mean over the folds, and the seconds per fold to fit and to predict)."
    )
    rows = [(r.name, r.accuracy, r.macro_f1, r.fit_seconds, r.predict_seconds) for r in table.rows]
    section.table(("classifier", "accuracy", "macro F1", "fit s", "predict s"), rows,
                  "compare_classifiers on the digits (cv = 3), best first.")
    numbers.append(("best classifier on the digits", table.best.name))
    numbers.append(("its cross-validated accuracy", table.best.accuracy))


def _uneven_coins():
    """coins with a left-to-right illumination ramp: the background on the right is brighter than the coins
    on the left, so no global threshold separates them."""
    from fastdip import data

    coins = data.coins().astype(np.float32)
    ramp = np.linspace(0.0, RAMP, coins.shape[1], dtype=np.float32)[None, :]
    return np.clip(coins + ramp, 0, 255).astype(np.uint8)


def _scribbles(truth):
    """Short strokes: a horizontal line through the middle of every third coin (class 2) and four background
    strokes between the coin rows (class 1); about 1 % of the pixels."""
    from fastdip import measure, morphology, segmentation

    marks = np.zeros(truth.shape, np.uint8)
    labels = segmentation.label(truth)
    table = measure.regionprops(labels)
    for k, (r, c) in enumerate(table["centroid"]):
        if k % 3 == 0:
            marks[int(r), int(c) - 8:int(c) + 8] = 2
    background = ~morphology.dilate(truth, morphology.disk(6))
    for row in (8, 100, 195, 292):
        marks[row, 20:-20][background[row, 20:-20]] = 1
    return marks


def scribbles(ctx, section, numbers) -> None:
    """A pixel classifier trained from scribbles where Otsu's threshold fails by construction."""
    from fastdip import metrics, segmentation, viz
    from fastdip.learn import PixelClassifier
    from fastdip.report.sections.measurement import coins_pipeline

    truth = coins_pipeline()["opened"]
    image = _uneven_coins()
    marks = _scribbles(truth)
    otsu = segmentation.binarize(image)
    clf = PixelClassifier("random_forest", rng=SEED).fit(image, marks)
    proba = clf.predict_proba(image)
    result = clf.predict(image) == 2
    uncertainty = clf.uncertainty(image)
    dice_otsu = float(metrics.dice(otsu, truth))
    dice_clf = float(metrics.dice(result, truth))
    section.text(
        "Pixel classification from scribbles (ilastik, Trainable Weka Segmentation): a few strokes mark coins "
        f"and background on coins lit unevenly (a ramp of +{RAMP:g} grey levels from left to right), where one "
        "global threshold must fail; a random forest learns from the multi-scale features (Gaussian, gradient, "
        "Laplacian of Gaussian, difference of Gaussians, Hessian and structure-tensor eigenvalues at six "
        "scales) of the scribbled pixels only, and classifies every pixel."
    )
    overlay = np.stack([image] * 3, axis=-1)
    overlay[marks == 1] = (40, 120, 255)
    overlay[marks == 2] = (255, 60, 40)
    fig = viz.show_images([overlay, otsu, proba[..., 1], uncertainty, result],
                          ["scribbles: coin, background", f"Otsu (Dice {dice_otsu:.2f})",
                           "P(coin)", "uncertainty 1 - max P", f"classifier (Dice {dice_clf:.2f})"],
                          ncols=5, size=2.4, vmin=0, vmax=1)
    section.figure(ctx.save(fig, "scribbles"), "Scribbles on unevenly lit coins, Otsu's global threshold, the "
                   "forest's coin probability and uncertainty, and its segmentation (Dice against the coins "
                   "pipeline's mask of the evenly lit image).")
    numbers.append(("scribbled pixels (% of the image)", 100.0 * float(np.count_nonzero(marks)) / marks.size))
    numbers.append(("Dice of Otsu on uneven coins", dice_otsu))
    numbers.append(("Dice of the pixel classifier on uneven coins", dice_clf))


def run(ctx) -> Section:
    section = Section(TITLE, SLUG)
    numbers = []
    classifiers(ctx, section, numbers)
    scribbles(ctx, section, numbers)
    clustering(ctx, section, numbers)
    section.table(("quantity", "value"), numbers, "Measured numbers of this section.")
    return section
