"""Image restoration: the degradation model g = h ⊛ f + η, inverse filtering and its noise blow-up, Wiener,
constrained least squares (CLS), Richardson-Lucy and blind deconvolution (Gonzalez & Woods, 4th ed., ch. 5).

The helpers here (``degrade``, ``psf_ncc``, ``restore_all``) are shared with ``examples/restoration.py``,
which prints the full quality table (camera and astronaut, 512², motion and Gaussian PSFs, four noise levels).
"""

from __future__ import annotations

import numpy as np

from fastdip.report import Section

TITLE = "Restoration"
SLUG = "restoration"

#: The motion PSF of the tour and of the quality table: length (px) and angle (degrees).
MOTION = (15, 30.0)
#: The Gaussian PSF of the quality table: its sigma (px) and side.
GAUSS_SIGMA = 3.0
GAUSS_SIDE = 19
#: Noise standard deviations, in grey levels of the uint8 scale.
SIGMAS = (0.0, 1.0, 5.0, 10.0)
#: The noise of the tour's figures.
SIGMA = 1.0
#: Side of the centred crop of camera used by the tour (full: the whole 512² image).
CROP = 256
#: Pseudo-inverse guard of the inverse filter: |H| < EPS · max|H| is set to 0.
EPS = 0.1
#: Wiener K values searched for the best PSNR.
WIENER_KS = tuple(float(k) for k in np.logspace(-5, 0, 26))
#: Richardson-Lucy iterations (non-blind).
RL_ITER = 30
#: Largest relative shift (px, each axis) over which psf_ncc maximises.
MAX_SHIFT = 3
#: Seed of the noise.
SEED = 0


def luma(rgb):
    """Grey level 0.299 R + 0.587 G + 0.114 B (ITU-R BT.601), float64."""
    return np.asarray(rgb, dtype=np.float64) @ np.array([0.299, 0.587, 0.114])


def crop(image, side):
    """The centred ``side`` x ``side`` crop of ``image`` (the whole image if it is not larger)."""
    r0 = max((image.shape[0] - side) // 2, 0)
    c0 = max((image.shape[1] - side) // 2, 0)
    return image[r0:r0 + side, c0:c0 + side]


def psfs():
    """The PSFs of the table: {name: (psf, side of the blind estimate)}."""
    from fastdip import restoration

    motion = restoration.psf_motion(*MOTION)
    gauss = restoration.psf_gaussian((GAUSS_SIDE, GAUSS_SIDE), GAUSS_SIGMA)
    return {f"motion {MOTION[0]} px, {MOTION[1]:g}°": (motion, max(motion.shape) | 1),
            f"Gaussian σ = {GAUSS_SIGMA:g}": (gauss, GAUSS_SIDE)}


def degrade(image, psf, sigma, rng=SEED):
    """g = h ⊛ f + η: circular blur (``restoration.blur``) plus white Gaussian noise of std ``sigma``, float64,
    not clipped nor quantised."""
    from fastdip import restoration

    f = np.asarray(image, dtype=np.float64)
    g = restoration.blur(f, psf).astype(np.float64)
    if sigma > 0:
        g = g + np.random.default_rng(rng).normal(0.0, sigma, g.shape)
    return g


def psf_ncc(estimate, truth, *, max_shift=MAX_SHIFT):
    """Normalised cross-correlation of two PSFs, maximised over integer relative shifts.

    Both PSFs are zero-padded, centred, to a common frame (the larger of their shapes plus ``max_shift``
    on every side); the NCC is Pearson's correlation of the two frames, Σ(a - ā)(b - b̄) / (‖a - ā‖ ‖b - b̄‖),
    and the best value over shifts of ``b`` by up to ``max_shift`` px along each axis is returned (a blind
    estimate is known only up to a translation). 1 means the same PSF.
    """
    a = np.asarray(estimate, dtype=np.float64)
    b = np.asarray(truth, dtype=np.float64)
    rows = max(a.shape[0], b.shape[0]) + 2 * max_shift
    cols = max(a.shape[1], b.shape[1]) + 2 * max_shift

    def frame(k):
        out = np.zeros((rows, cols))
        r0 = rows // 2 - k.shape[0] // 2
        c0 = cols // 2 - k.shape[1] // 2
        out[r0:r0 + k.shape[0], c0:c0 + k.shape[1]] = k
        return out - out.mean()

    fa, fb = frame(a), frame(b)
    norm = float(np.sqrt(np.sum(fa * fa) * np.sum(fb * fb)))
    if norm == 0:
        return 0.0
    best = -1.0
    for dr in range(-max_shift, max_shift + 1):
        for dc in range(-max_shift, max_shift + 1):
            best = max(best, float(np.sum(fa * np.roll(fb, (dr, dc), axis=(0, 1)))) / norm)
    return best


def restore_all(reference, psf, sigma, *, psf_size, rng=SEED, keep_images=False):
    """Degrade ``reference`` by ``psf`` and noise ``sigma``, restore it by every method and measure the PSNR.

    Returns a dict: PSNR (dB, data range 255, against ``reference``) of 'blurred', 'inverse' (guarded by
    ``EPS``), 'wiener best K' (over ``WIENER_KS``; the K in 'best K'), 'wiener K=σ²/var' (K from the true
    noise: σ² / var(f)), 'cls' (γ matched to the true noise variance), 'rl' (``RL_ITER`` iterations),
    'blind map' and 'blind rl' (from their default, wrong initial PSFs, size ``psf_size``; both RL methods
    get the noisy image clipped at 0, since Richardson-Lucy needs non-negative data), with the PSF NCC
    of both blind estimates ('ncc map', 'ncc rl'). With ``keep_images`` the images and PSFs are kept under
    'images' and 'psfs'.
    """
    from fastdip import metrics, restoration

    f = np.asarray(reference, dtype=np.float64)
    g = degrade(f, psf, sigma, rng)

    def score(x):
        return float(metrics.psnr(f, np.asarray(x, dtype=np.float64), data_range=255))

    images = {"blurred": g}
    images["inverse"] = restoration.inverse_filter(g, psf, eps=EPS)
    best = max(WIENER_KS, key=lambda k: score(restoration.wiener(g, psf, nsr=k)))
    images["wiener best K"] = restoration.wiener(g, psf, nsr=best)
    images["wiener K=σ²/var"] = restoration.wiener(g, psf, nsr=sigma * sigma / float(f.var()))
    images["cls"] = restoration.cls(g, psf, noise_variance=sigma * sigma).image
    images["rl"] = restoration.richardson_lucy(np.maximum(g, 0.0), psf, num_iter=RL_ITER)
    blind = restoration.blind_deconvolution(g, psf_size, method="map", noise=sigma if sigma > 0 else None)
    blind_rl = restoration.blind_deconvolution(np.maximum(g, 0.0), psf_size, method="rl")
    images["blind map"] = blind.image
    images["blind rl"] = blind_rl.image
    result = {name: score(x) for name, x in images.items()}
    result["best K"] = best
    result["ncc map"] = psf_ncc(blind.psf, psf)
    result["ncc rl"] = psf_ncc(blind_rl.psf, psf)
    if keep_images:
        result["images"] = images
        result["psfs"] = {"true": psf, "blind map": blind.psf, "blind rl": blind_rl.psf}
    return result


#: The columns of the quality table (keys of ``restore_all``'s result).
COLUMNS = ("blurred", "inverse", "wiener best K", "wiener K=σ²/var", "cls", "rl", "blind map", "ncc map",
           "blind rl", "ncc rl")


def quality_table(images, *, sigmas=SIGMAS):
    """Rows (image, PSF, σ, *COLUMNS) of ``restore_all`` for each named image, PSF and noise level."""
    rows = []
    for name, image in images.items():
        for psf_name, (psf, side) in psfs().items():
            for sigma in sigmas:
                r = restore_all(image, psf, sigma, psf_size=side)
                rows.append((name, psf_name, sigma) + tuple(r[c] for c in COLUMNS))
    return rows


def run(ctx) -> Section:
    from fastdip import data, fourier, restoration, viz

    section = Section(TITLE, SLUG)
    side = 512 if ctx.full else CROP
    f = crop(data.camera(), side).astype(np.float64)
    psf, psf_size = psfs()[f"motion {MOTION[0]} px, {MOTION[1]:g}°"]
    section.text(
        "The degradation model: g = h ⊛ f + η, a blur by the point-spread function (PSF) h plus additive noise. "
        f"Here f is a {side}x{side} crop of camera, h a linear motion of {MOTION[0]} px at {MOTION[1]:g}° "
        "(restoration.psf_motion), the blur circular (restoration.blur) and η white Gaussian noise of "
        f"σ = {SIGMA:g} grey level, a noise invisible to the eye."
    )
    g0 = degrade(f, psf, 0.0)
    g = degrade(f, psf, SIGMA)
    h_full = np.zeros((side, side))
    h_full[:psf.shape[0], :psf.shape[1]] = psf  # |H| does not depend on where h sits
    otf = fourier.shift(fourier.magnitude(fourier.dft2(h_full)))
    fig = viz.show_images([f, psf, otf, g], ["original f", f"PSF h ({psf.shape[0]}x{psf.shape[1]})",
                                             "log(1 + |H|), centred", f"g = h ⊛ f + η, σ = {SIGMA:g}"],
                          ncols=4)
    section.figure(ctx.save(fig, "model"), "The original, the PSF (min..max), its transfer function's log "
                   "modulus (min..max): the dark lines are the near-zeros of H; the blurred, noisy image.")

    section.text(
        "The inverse filter F̂ = G / H recovers f exactly from the noise-free circular blur, but with noise "
        "F̂ = F + N / H: the noise is divided by the near-zeros of H and swamps the image even at σ = 1. A "
        f"pseudo-inverse guard (frequencies where |H| < {EPS:g}·max|H| set to 0) tames it at the cost of "
        "ringing and lost detail."
    )
    inv0 = restoration.inverse_filter(g0, psf)
    inv = restoration.inverse_filter(g, psf)
    inv_guard = restoration.inverse_filter(g, psf, eps=EPS)
    from fastdip import metrics

    def score(x):
        return float(metrics.psnr(f, np.asarray(x, dtype=np.float64), data_range=255))

    fig = viz.show_images([inv0, inv, inv_guard],
                          [f"inverse, no noise: {score(inv0):.1f} dB", f"inverse, σ = {SIGMA:g}: "
                           f"{score(inv):.1f} dB", f"inverse, eps = {EPS:g}: {score(inv_guard):.1f} dB"],
                          ncols=3, vmin=0, vmax=255)
    section.figure(ctx.save(fig, "inverse"), "Inverse filtering without noise, with noise σ = 1 (the noise "
                   "blow-up; display clipped to 0..255), and with the pseudo-inverse guard.")

    res = restore_all(f, psf, SIGMA, psf_size=psf_size, keep_images=True)
    section.text(
        "Wiener filtering F̂ = H* / (|H|² + K) · G with a constant noise-to-signal ratio K (best K over a grid, "
        "and K = σ²/var(f) from the true noise), constrained least squares (γ matched so that the residual "
        "‖g - h ⊛ f̂‖² equals the noise energy), Richardson-Lucy (the multiplicative maximum-likelihood "
        f"iteration for Poisson noise, {RL_ITER} iterations) all know h. Blind deconvolution does not: 'map' "
        "estimates h coarse to fine with an L0 prior on the image gradients (Xu et al. 2013, Pan et al. 2014) "
        "from a nearly-delta start and then deconvolves with total variation; 'rl' alternates Richardson-Lucy "
        "on the image and on the PSF (Fish et al. 1995), which stays close to its flat start."
    )
    shown = ["wiener best K", "wiener K=σ²/var", "cls", "rl", "blind map", "blind rl"]
    fig = viz.show_images([res["images"][k] for k in shown],
                          [f"{k}: {res[k]:.1f} dB" for k in shown], ncols=3, vmin=0, vmax=255)
    section.figure(ctx.save(fig, "results"), f"Restorations of the σ = {SIGMA:g} image and their PSNR against "
                   "the original (display 0..255).")
    p = res["psfs"]
    fig = viz.show_images([p["true"], p["blind map"], p["blind rl"]],
                          ["true PSF", f"blind 'map' (NCC {res['ncc map']:.2f})",
                           f"blind 'rl' (NCC {res['ncc rl']:.2f})"], ncols=3)
    section.figure(ctx.save(fig, "psf"), "The true PSF and the blind estimates (each min..max); NCC: "
                   f"normalised cross-correlation with the true PSF, best over shifts of ±{MAX_SHIFT} px.")

    rows = []
    for sigma in SIGMAS:
        r = res if sigma == SIGMA else restore_all(f, psf, sigma, psf_size=psf_size)
        rows.append((sigma,) + tuple(r[c] for c in COLUMNS))
    section.table(("σ",) + tuple(f"{c} (dB)" if not c.startswith("ncc") else c for c in COLUMNS), rows,
                  f"PSNR (dB, against the original) of each restoration of the {side}x{side} camera crop blurred "
                  f"by the motion PSF, per noise level σ (grey levels); NCC of the blind PSF estimates. "
                  "examples/restoration.py prints the full table (camera and astronaut, two PSFs).")
    numbers = [
        ("PSNR of the inverse filter, no noise (dB)", score(inv0)),
        (f"PSNR of the inverse filter, σ = {SIGMA:g} (dB)", score(inv)),
        (f"PSNR of the guarded inverse filter, σ = {SIGMA:g} (dB)", score(inv_guard)),
        (f"PSNR of the blurred image, σ = {SIGMA:g} (dB)", res["blurred"]),
        (f"Wiener (best K) gain over the blurred image, σ = {SIGMA:g} (dB)", res["wiener best K"] - res["blurred"]),
        (f"CLS gain over the blurred image, σ = {SIGMA:g} (dB)", res["cls"] - res["blurred"]),
        ("best Wiener K", res["best K"]),
        ("NCC of the blind 'map' PSF with the true PSF", res["ncc map"]),
        ("NCC of the blind 'rl' PSF with the true PSF", res["ncc rl"]),
    ]
    section.table(("quantity", "value"), numbers, "Measured checks.")
    return section
