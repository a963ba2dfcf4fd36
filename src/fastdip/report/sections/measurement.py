"""Morphology, counting and measuring: erosion, dilation, opening and closing on a small binary example,
then the classic coins pipeline (top-hat, Otsu threshold, hole filling, small-object removal, opening,
connected components, region properties), and tracking of moving blobs across frames (Gonzalez & Woods,
4th ed., ch. 9; Burger & Burge, ch. 10).
"""

from __future__ import annotations

import numpy as np

from fastdip.report import Section

TITLE = "Morphology, counting and measuring"
SLUG = "measurement"

#: Radius of the disk that removes the coins' uneven background (white top-hat): larger than a coin.
BACKGROUND_RADIUS = 40
#: Objects smaller than this many pixels are noise, not coins.
MIN_SIZE = 150
#: Radius of the disk of the final opening (smooths the outlines, cuts thin bridges).
OPEN_RADIUS = 2
#: Number of frames and largest frame-to-frame displacement of the tracking demo.
FRAMES = 6
MAX_DISTANCE = 8.0


def toy_binary():
    """A 48x64 binary example: a rectangle with a thin bridge to a disk, a ring with a gap, specks, a hole."""
    yy, xx = np.mgrid[0:48, 0:64]
    img = np.zeros((48, 64), bool)
    img[8:22, 6:22] = True
    img[14:16, 22:34] = True  # a 2-pixel bridge: opening cuts it
    img |= (yy - 15) ** 2 + (xx - 42) ** 2 <= 64
    ring = ((yy - 35) ** 2 + (xx - 18) ** 2 <= 81) & ((yy - 35) ** 2 + (xx - 18) ** 2 >= 25)
    ring &= ~((xx > 24) & (abs(yy - 35) <= 1))  # a narrow gap: closing bridges it
    img |= ring
    img[[40, 30, 5], [50, 58, 60]] = True  # specks: opening removes them
    img[17, 12] = False  # a one-pixel hole: closing fills it
    return img


def coins_pipeline():
    """The coins pipeline: returns a dict of the intermediate images, the threshold and the labels."""
    from fastdip import data, morphology, segmentation

    coins = data.coins()
    flat = morphology.tophat(coins, morphology.disk(BACKGROUND_RADIUS))
    t = float(segmentation.otsu(flat))
    binary = flat > t
    filled = segmentation.fill_holes(binary)
    cleaned = segmentation.remove_small_objects(filled, MIN_SIZE)
    opened = morphology.open(cleaned, morphology.disk(OPEN_RADIUS))
    labels = segmentation.label(opened)
    return {"coins": coins, "flat": flat, "threshold": t, "binary": binary, "filled": filled,
            "cleaned": cleaned, "opened": opened, "labels": labels}


def moving_blobs(frames=FRAMES, shape=(80, 120)):
    """Label images of three disks moving at constant speeds; a fourth appears at frame 3."""
    from fastdip import segmentation

    yy, xx = np.mgrid[0:shape[0], 0:shape[1]]
    out = np.zeros((frames,) + shape, np.int32)
    for t in range(frames):
        centres = [(20, 12 + 6 * t), (60, 100 - 5 * t), (15 + 4 * t, 60)]
        if t >= 3:
            centres.append((65, 20 + 3 * (t - 3)))
        mask = np.zeros(shape, bool)
        for cy, cx in centres:
            mask |= (yy - cy) ** 2 + (xx - cx) ** 2 <= 25
        out[t] = segmentation.label(mask)
    return out


def _label_colours(labels, seed=3):
    """An RGB picture of a label image: background black, each label a random bright colour."""
    rng = np.random.default_rng(seed)
    palette = np.vstack([[0, 0, 0], 0.35 + 0.65 * rng.random((int(labels.max()), 3))])
    return palette[labels]


def _show_labels(ax, labels, title, numbers=None):
    from fastdip import measure, viz

    viz.show_image(_label_colours(labels), ax, title=title)
    table = measure.regionprops(labels)
    for value, (r, c) in zip(table["label"], table["centroid"]):
        text = str(value if numbers is None else numbers[value])
        ax.text(c, r, text, color="black", fontsize=7, ha="center", va="center")


def run(ctx) -> Section:
    from fastdip import measure, morphology, viz

    section = Section(TITLE, SLUG)
    section.text(
        "Flat morphology with a structuring element B (origin at its centre): erosion (f ⊖ B)(x) = min over b "
        "in B of f(x + b) keeps the points where B fits inside the object; dilation (f ⊕ B)(x) = max over b of "
        "f(x − b) grows the object by B. Opening (erode then dilate) removes details smaller than B and cuts "
        "thin bridges; closing (dilate then erode) fills small holes and narrow gaps. Both are idempotent; "
        "opening never adds a pixel and closing never removes one."
    )
    toy = toy_binary()
    b = morphology.disk(2)
    steps = {"original": toy, "erode": morphology.erode(toy, b), "dilate": morphology.dilate(toy, b),
             "open": morphology.open(toy, b), "close": morphology.close(toy, b),
             "gradient": morphology.gradient(toy, b)}
    fig = viz.show_images(list(steps.values()), [f"{k} (disk r=2)" if k != "original" else k for k in steps],
                          ncols=3)
    section.figure(ctx.save(fig, "steps"), "A binary example and its erosion, dilation, opening, closing and "
                   "morphological gradient by a disk of radius 2 (border: edge values repeated).")
    rows = [(name, int(img.sum())) for name, img in steps.items()]
    rows.append(("open(open) == open", bool(np.array_equal(morphology.open(steps["open"], b), steps["open"]))))
    rows.append(("close(close) == close",
                 bool(np.array_equal(morphology.close(steps["close"], b), steps["close"]))))
    section.table(("image", "object pixels / check"), rows, "Pixel counts of the example: erosion ⊂ opening ⊂ "
                  "original ⊂ closing ⊂ dilation, and both filters are idempotent.")

    section.text(
        f"Counting coins: a white top-hat with a disk of radius {BACKGROUND_RADIUS} (larger than a coin) removes "
        "the uneven background, Otsu's threshold separates the coins, holes inside coins are filled, objects "
        f"under {MIN_SIZE} pixels are dropped and an opening by a disk of radius {OPEN_RADIUS} smooths the "
        "outlines. Connected components (8-connected, two-pass union-find) number the coins in raster order. "
        "The darkest coin (top left) is barely brighter than the background and comes out ragged: the limit "
        "of one global threshold."
    )
    p = coins_pipeline()
    labels = p["labels"]
    n = measure.count(labels)
    fig = viz.show_images([p["coins"], p["flat"], p["binary"], p["filled"], p["opened"]],
                          ["coins", f"top-hat, disk r={BACKGROUND_RADIUS}", f"> Otsu t = {p['threshold']:g}",
                           "holes filled", f"small removed, opened r={OPEN_RADIUS}"], ncols=5)
    section.figure(ctx.save(fig, "coins-steps"), "The coins pipeline, step by step.")
    fig, ax = viz.new_figure(size=(6.0, 4.8))
    _show_labels(ax, labels, f"{n} objects")
    section.figure(ctx.save(fig, "coins-labels"), "Connected components in colour, each numbered at its "
                   "centroid.")
    table = measure.regionprops(labels, p["coins"])
    rows = [(int(r["label"]), int(r["area"]), round(r["centroid"][0], 1), round(r["centroid"][1], 1),
             round(r["eccentricity"], 3), round(r["perimeter"], 1), round(r["solidity"], 3),
             round(r["mean_intensity"], 1)) for r in table.records()[:10]]
    section.table(("label", "area (px)", "centroid row", "centroid col", "eccentricity", "perimeter",
                   "solidity", "mean grey"), rows,
                  f"measure.regionprops of the first 10 of {n} coins (the same definitions as "
                  "skimage.measure.regionprops: second moments for the ellipse, the 4-neighbourhood perimeter "
                  "estimator, solidity = area / convex area).")
    section.table(("quantity", "value"), (
        ("Otsu threshold of the top-hat image", p["threshold"]),
        ("objects counted", n),
        ("median coin area (px)", float(np.median(table["area"]))),
        ("median eccentricity", float(np.median(table["eccentricity"]))),
    ), "Summary of the coins measurement.")

    section.text(
        f"Tracking: in each frame the objects are labelled and their centroids measured; frame t's objects are "
        f"matched to frame t−1's by the assignment of least total distance (Hungarian algorithm), links longer "
        f"than {MAX_DISTANCE:g} pixels are refused, and unmatched objects start new tracks."
    )
    frames = moving_blobs()
    tracks = measure.track(frames, max_distance=MAX_DISTANCE)
    fig, axes = viz.new_figure(1, FRAMES, size=(2.2, 1.7))
    for t in range(FRAMES):
        _show_labels(axes[t], tracks.labels[t], f"frame {t}")
    section.figure(ctx.save(fig, "tracks"), "Moving blobs coloured and numbered by track id (the same colour "
                   "and number across frames); a new blob enters at frame 3 and gets a new id.")
    tab = tracks.table
    rows = []
    for tid in np.unique(tab["track"]):
        sel = tab["track"] == tid
        cent = tab["centroid"][sel]
        step = np.linalg.norm(np.diff(cent, axis=0), axis=1)
        rows.append((int(tid), int(tab["frame"][sel].min()), int(tab["frame"][sel].max()),
                     round(float(step.mean()), 2) if step.size else 0.0))
    section.table(("track", "first frame", "last frame", "mean step (px)"), rows,
                  f"Tracks found over {FRAMES} frames (max_distance = {MAX_DISTANCE:g}).")
    return section
