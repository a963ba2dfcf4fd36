"""Spectrum helpers for fastdip.fourier: the scaled Hermitian part of a full 2-D spectrum on the half grid.

For a full spectrum F (M x N), real(IDFT[F]) = IDFT[(F(k) + conj(F(-k))) / 2], whose inverse needs only the
half grid v = 0 .. N//2. numpy builds it in two passes (a conjugated reversed copy, then an in-place add);
this kernel reads F(u, v) and F(-u, -v) and writes the scaled sum once (4096² complex64: ~60 against
~105 ms here, and the 0.5 that numpy applied afterwards to the real image comes free).
"""

import numpy as np

from ._config import SERIAL, njit


@njit(**SERIAL)
def hermitian_half(spec, out, scale):
    """out[u, v] = scale · (spec[u, v] + conj(spec[-u mod M, -v mod N])) for v < out.shape[1], for C-contiguous
    2-D complex ``spec`` and ``out`` (``scale`` of their real dtype; 0.5 is exact)."""
    m, n = spec.shape
    half = out.shape[1]
    for u in range(m):
        row = spec[u]
        mirror = spec[(m - u) % m]
        dst = out[u]
        dst[0] = scale * (row[0] + np.conj(mirror[0]))
        for v in range(1, half):
            dst[v] = scale * (row[v] + np.conj(mirror[n - v]))


@njit(**SERIAL)
def scale_by_even_half(spec, h, single):
    """spec(u, v) *= (H(u, v) + H(-u, -v)) / 2 on the rfftn half grid, for a 2-D *centred* float32/float64 ``h``
    (M, N) (H(k) at index (k + M//2) mod M, as ``fourier._even_half`` reads it) and ``spec`` the real view
    (M, 2 (N//2 + 1)) of a C-contiguous complex half spectrum, in place. The factor is the one
    ``_even_half`` writes: the sum in float64, rounded to float32 first when ``single`` (a complex64
    spectrum), halved exactly; each part of spec(u, v) is then multiplied by it and rounded once, as numpy's
    ``spec *= factor`` does (one pass and no half-grid array: 512² 155 + 40 -> ~30 us here).

    Along the last axis H(v) is h[N//2 + v] (wrapping to h[0] only at v = N/2 for even N) and H(-v) is
    h[N//2 - v] for every v <= N//2: contiguous runs, one of them reversed (no index gathers).
    """
    m = spec.shape[0]
    half = spec.shape[1] // 2
    n = h.shape[1]
    c = n // 2
    k = min(half, n - c)
    for u in range(m):
        hp = h[(u + m // 2) % m]
        hm = h[(m // 2 - u) % m]
        a = hp[c:c + k]
        b = hm[c - k + 1:c + 1]
        row = spec[u]
        for v in range(k):
            s = np.float64(a[v]) + np.float64(b[k - 1 - v])
            f = np.float64(np.float32(s) * np.float32(0.5)) if single else s * 0.5
            row[2 * v] *= f
            row[2 * v + 1] *= f
        for v in range(k, half):  # v = N/2 of an even N: H(N/2) is h[0], H(-N/2) is h[0] too
            s = np.float64(hp[v - (n - c)]) + np.float64(hm[c - v])
            f = np.float64(np.float32(s) * np.float32(0.5)) if single else s * 0.5
            row[2 * v] *= f
            row[2 * v + 1] *= f
