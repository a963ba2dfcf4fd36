"""The Fourier transform: spectra of sines, of a Gaussian and of a Dirac comb, camera's modulus and phase,
the phase-swap experiment and ideal / Butterworth / Gaussian low- and high-pass filtering (Gonzalez & Woods,
4th ed., ch. 4).

F(u, v) = Σ_x Σ_y f(x, y) e^{-j2π(ux/M + vy/N)}; ``fastdip.fourier`` keeps the course's conventions (forward
unscaled, inverse with 1/MN, spectra centred by ``shift`` for display).
"""

from __future__ import annotations

import numpy as np

from fastdip.report import Section

TITLE = "Fourier transform"
SLUG = "fourier"

#: Side of the synthetic images (sines, Gaussian, comb).
SIDE = 256
#: (u, v) frequency and amplitude of each sine image.
SINES = (((8, 0), 1.0), ((0, 16), 0.5), ((12, 20), 1.0))
#: Spatial standard deviation of the Gaussian image, in pixels.
GAUSS_SIGMA = 8.0
#: Period of the Dirac comb (a grid of single bright pixels), in pixels.
COMB_PERIOD = 16
#: Cutoff D0 of the low-/high-pass examples, in frequency samples of the padded (1024x1024) spectrum.
CUTOFF = 60.0
KINDS = ("ideal", "butterworth", "gaussian")


def _centred_log(image):
    from fastdip import fourier

    return fourier.shift(fourier.magnitude(fourier.dft2(image)))


def sine_spikes(shape, freq, amplitude):
    """The two largest |F| of a sine image: their offsets (u, v) from the DC term and their heights."""
    from fastdip import fourier, noise

    m, n = shape
    img = noise.periodic(shape, [freq], amplitudes=amplitude)
    mag = np.abs(fourier.shift(fourier.dft2(img)))
    top = np.argsort(mag, axis=None)[-2:][::-1]
    rows, cols = np.unravel_index(top, mag.shape)
    offsets = [(int(r) - m // 2, int(c) - n // 2) for r, c in zip(rows, cols)]
    heights = [float(mag[r, c]) for r, c in zip(rows, cols)]
    rest = mag.copy()
    rest[rows, cols] = 0.0
    return img, offsets, heights, float(rest.max())


def gaussian_widths(side=SIDE, sigma=GAUSS_SIGMA):
    """A centred Gaussian image of width ``sigma`` and the width of its |DFT| (second moment of |F|).

    The DFT of exp(-r²/(2σ²)) is, up to the sampling, a Gaussian of width σ_u = M/(2πσ): the product
    2π σ σ_u / M is 1.
    """
    from fastdip import fourier

    x = np.arange(side) - side // 2
    img = np.exp(-(x[:, None] ** 2 + x[None, :] ** 2) / (2.0 * sigma * sigma))
    mag = np.abs(fourier.shift(fourier.dft2(img)))
    u, _, _ = fourier.frequencies((side, side))
    sigma_u = float(np.sqrt(np.sum(u * u * mag) / np.sum(mag)))
    return img, mag, sigma_u


def comb_spacing(side=SIDE, period=COMB_PERIOD):
    """A Dirac comb of ``period`` (one bright pixel every ``period`` pixels) and the spacing of the spikes of
    its spectrum (reciprocal: side / period frequency samples)."""
    from fastdip import fourier

    img = np.zeros((side, side))
    img[::period, ::period] = 1.0
    mag = np.abs(fourier.dft2(img))
    spikes = np.argwhere(mag > 0.5 * mag.max())
    rows = np.unique(spikes[:, 0])
    spacing = float(np.median(np.diff(rows))) if rows.size > 1 else float("nan")
    off_spikes = float(mag[mag <= 0.5 * mag.max()].max(initial=0.0))
    return img, mag, spacing, int(len(spikes)), off_spikes


def filtered(image, cutoff=CUTOFF):
    """Low- and high-pass results of every kind, padded to avoid wrap-around: {(pass, kind): image}."""
    from fastdip import fourier

    shape = fourier.padded_shape(image.shape)
    out = {}
    for kind in KINDS:
        out["low", kind] = fourier.apply(image, fourier.lowpass(shape, cutoff, kind=kind), pad=True)
        out["high", kind] = fourier.apply(image, fourier.highpass(shape, cutoff, kind=kind), pad=True)
    return out


def run(ctx) -> Section:
    from fastdip import data, fourier, metrics, viz

    section = Section(TITLE, SLUG)
    section.text(
        "The DFT writes an image as a sum of 2-D sinusoids. A single sinusoid A·sin(2π(ux/M + vy/N)) has a "
        "spectrum made of two Dirac deltas of height A·MN/2, symmetric about the centre at ±(u, v): the "
        "direction of the spikes is perpendicular to the stripes and their distance from the centre is the "
        "number of cycles across the image."
    )
    shape = (SIDE, SIDE)
    rows = []
    sines, spectra, titles = [], [], []
    for freq, amp in SINES:
        img, offsets, heights, rest = sine_spikes(shape, freq, amp)
        sines.append(img)
        c = SIDE // 2
        spectra.append(fourier.shift(fourier.magnitude(fourier.dft2(img)))[c - 32:c + 32, c - 32:c + 32])
        titles.append(f"(u, v) = {freq}, A = {amp:g}")
        expected = amp * SIDE * SIDE / 2
        rows.append((f"sine (u, v) = {freq}, A = {amp:g}", f"{offsets[0]} and {offsets[1]}",
                     heights[0], heights[1], expected, rest))
    fig = viz.show_images(sines + spectra, titles + ["log(1 + |F|), central 64x64"] * len(SINES),
                          ncols=len(SINES))
    section.figure(ctx.save(fig, "sines"), "Sine images (top, display range min..max) and their centred "
                   "log spectra, central 64x64 (bottom): two symmetric spikes each.")
    section.table(("image", "spike offsets from DC", "|F| spike 1", "|F| spike 2", "A·MN/2",
                   "largest other |F|"), rows,
                  f"The two largest DFT coefficients of each {SIDE}x{SIDE} sine image (noise.periodic).")

    section.text(
        "The DFT of a Gaussian is a Gaussian whose width is inversely proportional: σ_u = M/(2πσ). The DFT "
        "of a Dirac comb (one bright pixel every T pixels) is a Dirac comb with the reciprocal period M/T: "
        "a finer grid in space gives spikes farther apart in frequency."
    )
    g_img, g_mag, sigma_u = gaussian_widths()
    c_img, c_mag, spacing, n_spikes, off_spikes = comb_spacing()
    fig = viz.show_images(
        [g_img, g_mag, c_img[:64, :64], fourier.shift(c_mag)],
        [f"Gaussian σ = {GAUSS_SIGMA:g} px", f"|F|: σ_u = {sigma_u:.2f}",
         f"comb, period {COMB_PERIOD} (64x64 corner)", f"|F|: spikes every {spacing:g}"],
        ncols=4)
    section.figure(ctx.save(fig, "gaussian-comb"), "A Gaussian and its spectrum (a Gaussian); a Dirac comb "
                   "and its spectrum (a Dirac comb of reciprocal period). Display ranges min..max.")

    cam = data.camera()
    brick = data.brick()
    spec = fourier.dft2(cam)
    f64 = cam.astype(np.float64)
    energy_space = float(np.sum(f64 * f64))
    energy_freq = float(np.sum(fourier.power(fourier.dft2(f64)))) / cam.size
    section.text(
        "A photograph's spectrum falls off quickly away from the centre (most energy is in the low "
        "frequencies); the log modulus log(1 + |F|) makes it visible. Its phase looks like noise, yet it "
        "holds the structure: rebuilding camera's magnitude with the brick wall's phase gives the brick wall, "
        "and the other way round."
    )
    swap = fourier.swap_phase(cam, brick)
    fig = viz.show_images(
        [cam, fourier.shift(fourier.magnitude(spec)), fourier.shift(fourier.phase(spec))],
        ["camera", "log(1 + |F|), centred", "phase (radians), centred"], ncols=3)
    section.figure(ctx.save(fig, "camera-spectrum"), "Camera, its centred log modulus and its phase angle.")
    fig = viz.show_images([cam, brick, swap.magnitude_a_phase_b, swap.magnitude_b_phase_a],
                          ["camera", "brick", "|camera| with brick's phase", "|brick| with camera's phase"],
                          ncols=4)
    section.figure(ctx.save(fig, "phase-swap"), "The phase-swap experiment (rebuilt images shown min..max): "
                   "each rebuilt image looks like the one whose phase it got.")

    section.text(
        f"Frequency-domain filtering: g = IDFT[H · DFT[f]] with the image padded to twice its size (mirrored) "
        f"to avoid wrap-around, H built on the padded 1024x1024 grid (fourier.padded_shape), D0 = {CUTOFF:g}. "
        "The ideal low-pass rings (its impulse response is a sinc); Butterworth of order 2 rings a little; "
        "the Gaussian does not ring. Each high-pass is 1 - the low-pass and keeps the edges."
    )
    results = filtered(cam)
    fig = viz.show_images([results["low", k] for k in KINDS] + [results["high", k] for k in KINDS],
                          [f"{k} low-pass" for k in KINDS] + [f"{k} high-pass" for k in KINDS], ncols=3)
    section.figure(ctx.save(fig, "filters"), f"Low-pass (top) and high-pass (bottom) results, D0 = {CUTOFF:g} "
                   "(display ranges min..max of each image).")

    sine_rel = max(abs(r[2] - r[4]) / r[4] for r in rows)
    numbers = [
        ("sine spikes: largest relative error of |F| against A·MN/2", sine_rel),
        ("Gaussian: σ (px)", GAUSS_SIGMA),
        ("Gaussian: measured σ_u of |F| (samples)", sigma_u),
        ("Gaussian: 2π σ σ_u / M (1 in theory)", 2 * np.pi * GAUSS_SIGMA * sigma_u / SIDE),
        ("comb: period T (px)", COMB_PERIOD),
        ("comb: spike spacing in |F| (M/T in theory)", spacing),
        ("comb: number of spikes ((M/T)² in theory)", n_spikes),
        ("comb: largest |F| off the spikes", off_spikes),
        ("Parseval: Σ f² (camera)", energy_space),
        ("Parseval: Σ |F|² / MN", energy_freq),
        ("Parseval: relative difference", abs(energy_space - energy_freq) / energy_space),
    ]
    for kind in KINDS:
        numbers.append((f"PSNR of the {kind} low-pass (dB, against camera)",
                        metrics.psnr(f64, results["low", kind].astype(np.float64), data_range=255)))
    section.table(("quantity", "value"), numbers, "Measured checks of the transform's properties.")
    return section
