"""Kernels for fastdip.restoration: the per-frequency products of Wiener and CLS filtering and the per-pixel
steps of Richardson-Lucy, each fused into one pass (numpy needs three to eight passes and temporaries).

Layout. ``wiener_scalar`` takes the real-FFT half spectrum flattened to (B, P) for B channels and the OTF as
(P,). The CLS and Richardson-Lucy kernels take 4-D C-contiguous arrays (B, D, R, C): B channels and up to three
spatial axes, missing leading spatial axes given as length 1 by the wrapper.
"""


from ._config import SERIAL, njit


@njit(**SERIAL)
def wiener_scalar(spectrum, otf, k):
    """spectrum[b, p] *= conj(H[p]) / (|H[p]|^2 + k), 0 where the denominator is 0."""
    nb, npix = spectrum.shape
    for b in range(nb):
        for p in range(npix):
            hr = otf[p].real
            hi = otf[p].imag
            den = hr * hr + hi * hi + k
            inv = 1.0 / den if den > 0.0 else 0.0
            wr = hr * inv
            wi = -hi * inv
            g = spectrum[b, p]
            spectrum[b, p] = complex(g.real * wr - g.imag * wi, g.real * wi + g.imag * wr)


@njit(**SERIAL)
def cls_apply(spectrum, otf, f0, f1, f2, product, const, gamma, even):
    """spectrum[b, d, r, c] *= conj(H) / (|H|^2 + gamma P^2) with the Laplacian's real transfer function
    P = f0[d] + f1[r] + f2[c] (``product`` False) or f0[d] f1[r] f2[c] - const (``product`` True); returns
    Σ w |G|^2 (gamma P^2 / denominator)^2 = MN ||g - h * f||^2 (Parseval), where w counts how often a half-grid
    column appears in the full spectrum (1 for column 0 and for the last column when ``even``, else 2)."""
    nb, nd, nr, nc = spectrum.shape
    total = 0.0
    for b in range(nb):
        for d in range(nd):
            for r in range(nr):
                if product:
                    base = f0[d] * f1[r]
                    shift = -const
                else:
                    base = 1.0
                    shift = f0[d] + f1[r]
                # every half-grid column stands for two columns of the full spectrum except column 0 and, for
                # an even last axis, the Nyquist column: count all twice, then take those two back once
                row = -_residual_term(spectrum[b, d, r, 0], otf[d, r, 0], base * f2[0] + shift, gamma)
                if even and nc > 1:
                    row -= _residual_term(spectrum[b, d, r, nc - 1], otf[d, r, nc - 1], base * f2[nc - 1] + shift,
                                          gamma)
                for c in range(nc):
                    # product: P = base * f2 - const; sum: P = 1 * f2 + (f0 + f1)
                    p = base * f2[c] + shift
                    hr = otf[d, r, c].real
                    hi = otf[d, r, c].imag
                    gp = gamma * p * p
                    den = hr * hr + hi * hi + gp
                    inv = 1.0 / den if den > 0.0 else 0.0
                    q = gp * inv
                    g = spectrum[b, d, r, c]
                    row += 2.0 * (g.real * g.real + g.imag * g.imag) * q * q
                    wr = hr * inv
                    wi = -hi * inv
                    spectrum[b, d, r, c] = complex(g.real * wr - g.imag * wi, g.real * wi + g.imag * wr)
                total += row
    return total


@njit(**SERIAL)
def _residual_term(g, h, p, gamma):
    """|G|^2 (gamma P^2 / (|H|^2 + gamma P^2))^2, the residual power of one frequency (0 where both are 0)."""
    gp = gamma * p * p
    den = h.real * h.real + h.imag * h.imag + gp
    if den <= 0.0:
        return 0.0
    q = gp / den
    return (g.real * g.real + g.imag * g.imag) * q * q


@njit(**SERIAL)
def rl_ratio(image, reblurred, eps, out):
    """out[i] = image[i] / reblurred[i], or 0 where reblurred[i] < eps, over the image's extent (``reblurred``
    and ``out`` may be larger zero-padded grids; their other samples are not touched)."""
    nb, nd, nr, nc = image.shape
    for b in range(nb):
        for d in range(nd):
            for r in range(nr):
                for c in range(nc):
                    v = reblurred[b, d, r, c]
                    out[b, d, r, c] = image[b, d, r, c] / v if v >= eps else 0.0


@njit(**SERIAL)
def rl_update(estimate, correction, nb, nd, nr, nc):
    """estimate[i] *= max(correction[i], 0) over the first (nb, nd, nr, nc) samples (the image's extent)."""
    for b in range(nb):
        for d in range(nd):
            for r in range(nr):
                for c in range(nc):
                    v = correction[b, d, r, c]
                    estimate[b, d, r, c] *= v if v > 0 else 0.0
