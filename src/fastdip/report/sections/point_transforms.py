"""Point transforms s = T(r): negative, log, gamma, contrast stretching, piecewise-linear, threshold, bit planes.

Each transform's transfer curve is measured, not drawn from its formula: the same call is applied to the
ramp of all 256 levels (np.arange(256, dtype=np.uint8)), so the curve shows exactly what fastdip does,
rounding included (Gonzalez & Woods, 4th ed., sec. 3.2).
"""

from __future__ import annotations

import numpy as np

from fastdip.report import Section

TITLE = "Intensity (point) transforms"
SLUG = "point_transforms"

#: The low-contrast sample image (a retina detail whose levels fill about a sixth of [0, 255]).
LOW_CONTRAST = "microaneurysms"
GAMMAS = (0.4, 1.0, 2.5)
STRETCH_PERCENTILES = (2, 98)
#: Control points (r, s) of the piecewise-linear transform: a strong stretch of the retina's mid-greys.
PIECEWISE_POINTS = ((70, 20), (115, 235))
THRESHOLD = 100

RAMP = np.arange(256, dtype=np.uint8)
RAMP.flags.writeable = False


def transforms(camera, low):
    """The transforms shown, as {name: (input name, function of one image)}.

    ``low`` is the low-contrast image. The contrast stretch uses its 2nd-98th percentiles as a fixed input
    range, so that one function gives both its result and the transfer curve.
    """
    from fastdip import intensity

    lo, hi = np.percentile(low, STRETCH_PERCENTILES)
    ops = {
        "negative": ("camera", intensity.negative),
        "log": ("camera", intensity.log_transform),
    }
    for g in GAMMAS:
        ops[f"gamma {g:g}"] = ("camera", lambda im, g=g: intensity.gamma(im, g))
    ops[f"stretch {STRETCH_PERCENTILES[0]}-{STRETCH_PERCENTILES[1]} %"] = (
        LOW_CONTRAST, lambda im: intensity.contrast_stretch(im, in_range=(lo, hi)))
    ops["piecewise linear"] = (LOW_CONTRAST, lambda im: intensity.piecewise_linear(im, PIECEWISE_POINTS))
    ops[f"threshold r > {THRESHOLD}"] = ("camera", lambda im: intensity.threshold(im, THRESHOLD))
    return ops


def transfer_curves(ops):
    """{name: output level for each input level 0..255}, by applying each transform to the ramp."""
    curves = {}
    for name, (_, fn) in ops.items():
        s = np.asarray(fn(RAMP))
        curves[name] = s.astype(np.float64) * (255.0 if s.dtype == bool else 1.0)
    return curves


def apply(camera, low):
    """Apply every transform to its image: {name: (input name, result)}."""
    images = {"camera": camera, LOW_CONTRAST: low}
    return {name: (src, fn(images[src])) for name, (src, fn) in transforms(camera, low).items()}


def summary(results):
    """Rows (transform, image, dtype, mean, std, min, max) of each result (bool results counted as 0/1)."""
    rows = []
    for name, (src, img) in results.items():
        v = img.astype(np.float64)
        rows.append((name, src, str(img.dtype), float(v.mean()), float(v.std()), float(v.min()), float(v.max())))
    return rows


def _curve_figure(curves):
    from fastdip import viz

    fig, (left, right) = viz.new_figure(1, 2, size=(4.2, 3.6))
    r = RAMP.astype(np.float64)
    for ax, names, title in (
        (left, [n for n in curves if n in ("negative", "log") or n.startswith("gamma")], "negative, log, gamma"),
        (right, [n for n in curves if not (n in ("negative", "log") or n.startswith("gamma"))],
         "stretch, piecewise linear, threshold"),
    ):
        for name in names:
            viz.plot_curve(r, curves[name], ax, label=name)
        ax.set(xlim=(0, 255), ylim=(-5, 260), xlabel="input level r", ylabel="output level s", title=title)
        ax.set_aspect("equal")
    return fig


def run(ctx) -> Section:
    from fastdip import data, intensity, viz

    camera, low = data.camera(), data.load(LOW_CONTRAST)
    ops = transforms(camera, low)
    results = apply(camera, low)
    section = Section(TITLE, SLUG)
    section.text(
        "A point transform maps each grey level r to s = T(r), independently of the neighbours, so for 8-bit "
        "images it is a 256-entry look-up table. The curves below are measured by applying each fastdip "
        "function to the ramp 0..255."
    )
    section.figure(ctx.save(_curve_figure(transfer_curves(ops)), "curves"),
                   "Transfer curves. Left: negative s = 255 - r, log s = c log(1 + r) with c = 255 / log 256, "
                   "gamma s = 255 (r / 255)^gamma. Right: contrast stretch of the retina image's 2-98 % "
                   f"percentile range, piecewise linear through {PIECEWISE_POINTS}, threshold at {THRESHOLD} (shown as "
                   "0 / 255).")

    order = ["negative", "log", "gamma 0.4", "gamma 2.5"]
    lower = [n for n in results if n.startswith(("stretch", "piecewise"))]
    thresh = [n for n in results if n.startswith("threshold")]
    images = [camera] + [results[n][1] for n in order] + [low] + [results[n][1] for n in lower + thresh]
    titles = ["camera"] + order + [LOW_CONTRAST] + lower + thresh
    section.figure(ctx.save(viz.show_images(images, titles, ncols=5, size=2.6), "results"),
                   f"Results on camera (top) and {LOW_CONTRAST} (bottom, a 102 x 102 retina detail) and the "
                   "threshold of camera; every image shown over the full range [0, 255].")
    stretched = intensity.contrast_stretch(low, percentiles=STRETCH_PERCENTILES)
    same = np.array_equal(stretched, results[lower[0]][1])
    section.text(
        f"96 % of the retina image's pixels lie between {np.percentile(low, 2):.0f} and "
        f"{np.percentile(low, 98):.0f} (its 2nd and 98th percentiles; all lie in {int(low.min())}..{int(low.max())})."
        f" Stretching the percentile range to [0, 255] (contrast_stretch(image, percentiles=(2, 98)), which gives "
        f"the {'same' if same else 'a slightly different'} result as the fixed range) makes the vessels and "
        f"microaneurysms stand out. Gamma < 1 brightens the dark coat of the camera man, gamma > 1 darkens it, "
        f"gamma = 1 is the identity."
    )
    section.table(("transform", "image", "dtype", "mean", "std", "min", "max"), summary(results),
                  "Statistics of each result (threshold results counted as 0 / 1).")

    planes = [intensity.bit_plane(camera, k) for k in range(7, -1, -1)]
    section.figure(ctx.save(viz.show_images(planes, [f"bit {k}" for k in range(7, -1, -1)], ncols=4, size=2.4),
                            "bit-planes"),
                   "Bit planes of camera, most significant (bit 7, the threshold at 128) to least significant "
                   "(bit 0, close to noise).")

    spectrum = np.abs(np.fft.fftshift(np.fft.fft2(camera.astype(np.float64))))
    shown = [spectrum, intensity.log_transform(spectrum)]
    section.figure(ctx.save(viz.show_images(shown, ["|F(u, v)|, linear", "log(1 + |F(u, v)|)"], size=3.2),
                            "spectrum"),
                   "The log transform's classic use: the Fourier magnitude of camera spans "
                   f"{spectrum.min():.3g}..{spectrum.max():.3g}; shown linearly (each image over its own "
                   "min..max) only the centre is visible, after log(1 + r) the whole spectrum is.")
    return section
