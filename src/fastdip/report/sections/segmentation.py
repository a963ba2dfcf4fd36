"""Segmentation: Otsu and multi-Otsu thresholds, region growing from seeds, mean-shift segmentation, k-means
colour quantisation, and exposure fusion of bracketed exposures (Gonzalez & Woods, 4th ed., ch. 10;
Comaniciu & Meer 2002; Mertens et al. 2007).
"""

from __future__ import annotations

import numpy as np

from fastdip.report import Section

TITLE = "Segmentation"
SLUG = "segmentation"

#: Seed of the cell image's region (row, col) and the running-mean threshold, in grey levels.
CELL_SEED = (375, 425)
CELL_THRESHOLD = 50.0
#: Region sizes (max_size) at which the growth figure shows the cell's region.
GROWTH_SIZES = (50, 400, 2000)
#: Seeds on six coins and the threshold for them.
COIN_SEEDS = ((55, 55), (55, 155), (125, 55), (200, 200), (265, 310), (160, 350))
COIN_THRESHOLD = 45.0
#: Mean shift on astronaut subsampled by 4 (128x128): radii (pixels, L*u*v* units) and the smallest region.
SHIFT_STEP = 4
SPATIAL_RADIUS = 6.0
RANGE_RADIUS = 7.0
MIN_SIZE = 40
#: k values of the colour quantisation (chelsea) and the seed of the k-means++ draws.
KS = (4, 8, 16)
KMEANS_SEED = 0
#: Gains of the synthetic exposures (camera response clip(g x)^(1/2.2)).
GAINS = (0.25, 1.0, 4.0)


def _outline(labels):
    """Pixels whose upper or left neighbour has another label (a one-pixel line along every boundary)."""
    edge = np.zeros(labels.shape, bool)
    edge[1:, :] |= labels[1:, :] != labels[:-1, :]
    edge[:, 1:] |= labels[:, 1:] != labels[:, :-1]
    return edge


def _overlay(image, mask, colour=(255, 40, 40)):
    """A uint8 RGB copy of ``image`` (grey or RGB uint8) with ``mask`` painted in ``colour``."""
    rgb = np.repeat(image[..., None], 3, axis=-1) if image.ndim == 2 else image.copy()
    rgb[mask] = colour
    return rgb


def exposures(image, gains=GAINS):
    """uint8 exposures of ``image`` (uint8, read as radiance in [0, 1]) through clip(g x)^(1/2.2)."""
    x = image / 255.0
    return [np.rint(255 * np.clip(g * x, 0, 1) ** (1 / 2.2)).astype(np.uint8) for g in gains]


def thresholds_table():
    """Otsu and multi-Otsu thresholds of the bundled 2-D grey images (rows for the table)."""
    from fastdip import data, segmentation

    rows = []
    for name in ("camera", "coins", "cell", "brick", "clock"):
        im = getattr(data, name)()
        multi = [segmentation.multi_otsu(im, classes=k) for k in (3, 4, 5)]
        rows.append((name, int(segmentation.otsu(im)),
                     *(" ".join(str(int(t)) for t in m) for m in multi)))
    return rows


def run(ctx) -> Section:
    from fastdip import data, hdr, segmentation, viz

    section = Section(TITLE, SLUG)
    numbers = []

    # -- Otsu and multi-Otsu ------------------------------------------------------------------------------------
    section.text(
        "Otsu's threshold maximises the between-class variance σ_B²(t) = n₁n₂(μ₁ − μ₂)²/N² of the two classes "
        "≤ t and > t; for an integer image it is exact on the integer levels (``image > t`` is the foreground, "
        "as scikit-image's threshold_otsu and OpenCV's THRESH_OTSU, which return the same t). Multi-Otsu "
        "maximises Σ_j S_j²/W_j over k classes by dynamic programming over the histogram, O(k L²): the exact "
        "optimum of the exhaustive search (0.2 ms for 5 classes of camera; scikit-image's search takes seconds)."
    )
    coins = data.coins()
    t = segmentation.otsu(coins)
    numbers.append(("Otsu threshold of coins", float(t)))
    fig, axes = viz.new_figure(1, 3, size=(3.6, 3.0))
    viz.show_image(coins, axes[0], title="coins")
    viz.plot_histogram(coins, axes[1], title="histogram")
    axes[1].axvline(t, color="crimson", lw=1.5, label=f"Otsu t = {t:g}")
    axes[1].legend(fontsize="small")
    viz.show_image(coins > t, axes[2], title="coins > t")
    section.figure(ctx.save(fig, "otsu"), f"Otsu's threshold of coins (t = {t:g}) on its histogram, and the "
                   "foreground it gives: the bimodal histogram splits cleanly, the uneven lighting does not.")

    cam = data.camera()
    multi = {k: segmentation.multi_otsu(cam, classes=k) for k in (3, 4)}
    fig, axes = viz.new_figure(1, 4, size=(3.2, 3.2))
    viz.show_image(cam, axes[0], title="camera")
    viz.plot_histogram(cam, axes[1], title="histogram, 3 classes")
    for v in multi[3]:
        axes[1].axvline(v, color="crimson", lw=1.5)
        axes[1].annotate(f"t = {int(v)}", (v, 0.92), xycoords=("data", "axes fraction"), xytext=(3, 0),
                         textcoords="offset points", color="crimson", fontsize="small")
    for ax, k in zip(axes[2:], (3, 4)):
        viz.show_image(segmentation.apply_thresholds(cam, multi[k]), ax, cmap="viridis", vmin=0, vmax=k - 1,
                       title=f"{k} classes, t = {', '.join(str(int(v)) for v in multi[k])}")
    section.figure(ctx.save(fig, "multi-otsu"), "Multi-Otsu on camera: the two thresholds of 3 classes on the "
                   "histogram, and the class images 0..k-1 for 3 and 4 classes (viridis).")
    for k in (3, 4):
        text = " ".join(str(int(v)) for v in multi[k])
        numbers.append((f"multi-Otsu thresholds of camera, {k} classes", text))
    section.table(("image", "Otsu", "3 classes", "4 classes", "5 classes"), thresholds_table(),
                  "Otsu and multi-Otsu thresholds (class j holds the levels in (t_j, t_(j+1)]). scikit-image's "
                  "threshold_multiotsu gives the same numbers on these images; on astronaut's luma (3 and 4 "
                  "classes) its float32 lookup tables pick a partition of lower between-class variance "
                  "(5121.557 against 5121.587 for 3 classes).")

    # -- Region growing ------------------------------------------------------------------------------------------
    section.text(
        "Region growing from a seed adds each neighbour x with ‖μ_R − I(x)‖ < T, μ_R the mean of the region so "
        "far (updated after every added pixel), breadth first. With several seeds, one queue serves all "
        "regions and a pixel goes to the first region that accepts it. criterion='seed' keeps the seed's value "
        "instead (a flood fill, equal to scikit-image's flood with the same tolerance) and 'confidence' uses "
        "ITK's mean ± k·σ interval, re-estimated from the grown region."
    )
    cell = data.cell()
    grown = segmentation.region_growing(cell, CELL_SEED, CELL_THRESHOLD, connectivity=2)
    confident = segmentation.region_growing(cell, CELL_SEED, None, criterion="confidence", k=2.5)
    area = int(np.count_nonzero(grown == 1))
    numbers.append(("cell: grown region (running mean, T = 50), pixels", area))
    numbers.append(("cell: equivalent radius, pixels", float(np.sqrt(area / np.pi))))
    numbers.append(("cell: confidence-connected region, pixels", int(np.count_nonzero(confident == 1))))
    coin_labels = segmentation.region_growing(coins, list(COIN_SEEDS), COIN_THRESHOLD, connectivity=2)
    coin_sizes = np.bincount(coin_labels.ravel(), minlength=len(COIN_SEEDS) + 1)[1:]
    numbers.append(("coins: six regions, pixels each", " ".join(str(int(s)) for s in coin_sizes)))
    seed_marks = np.zeros(coins.shape, bool)
    for r, c in COIN_SEEDS:
        seed_marks[r - 2: r + 3, c - 2: c + 3] = True
    fig = viz.show_images(
        [_overlay(cell, _outline(grown == 1)), _overlay(cell, _outline(confident == 1), (40, 200, 255)),
         _overlay(_overlay(coins, _outline(coin_labels)), seed_marks, (255, 220, 0))],
        [f"running mean, T = {CELL_THRESHOLD:g}", "confidence, k = 2.5", f"6 seeds, T = {COIN_THRESHOLD:g}"],
        size=3.6)
    section.figure(ctx.save(fig, "region-growing"), f"Region growing from a seed at {CELL_SEED} on cell (the "
                   "grown region outlined), ITK's confidence-connected criterion from the same seed, and six "
                   "regions grown at once on coins (seeds in yellow, outlines in red).")

    stages = [segmentation.region_growing(cell, CELL_SEED, CELL_THRESHOLD, connectivity=2, max_size=n) == 1
              for n in GROWTH_SIZES]
    panels = [_overlay(cell, _outline(stage)) for stage in stages] + [_overlay(cell, _outline(grown == 1))]
    fig = viz.show_images(panels, [f"{n} pixels" for n in GROWTH_SIZES] + [f"final: {area} pixels"], size=2.8)
    section.figure(ctx.save(fig, "growth"), "The growth from the seed: the region after 50, 400 and 2,000 added "
                   "pixels (max_size), breadth first from the seed, and where it stops by itself (no neighbour "
                   f"within T = {CELL_THRESHOLD:g} of the region's mean).")
    numbers.append(("cell: region sizes at the growth stages, pixels",
                    " ".join(str(int(np.count_nonzero(stage))) for stage in stages)))

    # -- Mean shift ----------------------------------------------------------------------------------------------
    section.text(
        "Mean shift (Comaniciu & Meer) moves every joint point (position, colour) to the mean of the pixels "
        "within a disc of radius h_s and a colour ball of radius h_r (flat kernels) until it stops: the mode. "
        "The filtered image takes each mode's colour; neighbours with modes closer than (h_s, h_r) form one "
        "region, and regions under the minimum size merge into their most similar neighbour. Here in CIE "
        "L*u*v* (h_r in L*u*v* units)."
    )
    small = np.ascontiguousarray(data.astronaut()[::SHIFT_STEP, ::SHIFT_STEP])
    shifted = segmentation.mean_shift(small, spatial_radius=SPATIAL_RADIUS, range_radius=RANGE_RADIUS,
                                      min_size=MIN_SIZE, channel_axis=-1, color_space="luv")
    filtered = np.clip(np.rint(shifted.filtered), 0, 255).astype(np.uint8)
    numbers.append(("mean shift on astronaut 128×128: regions", shifted.n_regions))
    fig = viz.show_images([small, filtered, _overlay(filtered, _outline(shifted.labels))],
                          ["astronaut / 4", "mean-shift filtered",
                           f"{shifted.n_regions} regions (min {MIN_SIZE} px)"], size=3.4)
    section.figure(ctx.save(fig, "mean-shift"), f"Mean-shift filtering and segmentation, h_s = "
                   f"{SPATIAL_RADIUS:g} px, h_r = {RANGE_RADIUS:g} (L*u*v*), regions under {MIN_SIZE} pixels "
                   "merged.")

    # -- k-means ---------------------------------------------------------------------------------------------------
    section.text(
        "k-means (k-means++ seeding, then Lloyd's iterations) over the pixels' colours: each pixel replaced by "
        "its cluster's centre is a colour quantisation to k colours. The inertia (the summed squared distance "
        "to the centres) falls as k grows."
    )
    cat = data.chelsea()
    quantised, rows = [], []
    for k in KS:
        res = segmentation.kmeans(cat, k, rng=KMEANS_SEED, channel_axis=-1)
        quantised.append(np.clip(np.rint(res.centers[res.labels]), 0, 255).astype(np.uint8))
        rms = float(np.sqrt(res.inertia / res.labels.size / 3))
        rows.append((k, res.n_iter, float(res.inertia), rms))
        numbers.append((f"k-means on chelsea, k = {k}: RMS error per channel", rms))
    fig = viz.show_images([cat] + quantised, ["chelsea"] + [f"k = {k}" for k in KS], ncols=4, size=3.0)
    section.figure(ctx.save(fig, "kmeans"), "Colour quantisation by k-means: every pixel shows its centre.")
    section.table(("k", "Lloyd iterations", "inertia", "RMS error per channel"), rows,
                  "k-means on chelsea's colours (rng = 0).")

    # -- Exposure fusion -------------------------------------------------------------------------------------------
    section.text(
        "Exposure fusion (Mertens, Kautz & Van Reeth) blends bracketed exposures without a radiance map: each "
        "pixel of each exposure is weighted by its local contrast (|Laplacian|), saturation (the standard "
        "deviation of R, G, B) and well-exposedness (a Gaussian around 0.5), and the images are blended band by "
        "band with Laplacian pyramids of the images and Gaussian pyramids of the weights. Here three exposures "
        "are synthesised from astronaut through the response clip(g·x)^(1/2.2), g = 0.25, 1, 4."
    )
    brackets = exposures(data.astronaut())
    fused = hdr.exposure_fusion(brackets, channel_axis=-1)
    shown = np.clip(np.rint(fused * 255), 0, 255).astype(np.uint8)
    clipped = [float(np.mean(b.max(axis=-1) >= 255)) for b in brackets]
    numbers.append(("exposure fusion: clipped pixels in the brightest exposure", clipped[-1]))
    numbers.append(("exposure fusion: clipped pixels in the fused image", float(np.mean(fused.max(axis=-1) >= 1.0))))
    numbers.append(("exposure fusion: value range of the fused image",
                    f"{float(fused.min()):.3f} .. {float(fused.max()):.3f}"))
    fig = viz.show_images(brackets + [shown], [f"g = {g:g}" for g in GAINS] + ["fused"], ncols=4, size=3.0)
    section.figure(ctx.save(fig, "exposure-fusion"), "Three synthetic exposures and their fusion (float32 "
                   "result, clipped to [0, 1] for display).")

    section.table(("quantity", "value"), numbers, "Measured numbers of this section.")
    return section
