"""The discrete Fourier transform, spectra and frequency-domain filters (Gonzalez & Woods, ch. 4).

Conventions (the course's, and numpy.fft's default 'backward' normalisation):

* forward ``F(u, v) = Σ_x Σ_y f(x, y) e^{-j2π(ux/M + vy/N)}`` without scaling (``dft2``, ``dftn``);
* inverse ``f(x, y) = (1/MN) Σ_u Σ_v F(u, v) e^{+j2π(ux/M + vy/N)}`` (``idft2``, ``idftn``);
* real images also have half-spectrum transforms (``rdft2``/``irdft2``, ``rdftn``/``irdftn``, scipy.fft's
  rfft2/irfft2): the same F, but only the columns v = 0 .. N//2 of the last axis, the others being given by
  F(u, v) = conj(F(-u, -v)); half the work and half the memory;
* spectra come out of the transforms *uncentred* (DC term at index (0, 0)); ``shift`` centres them (DC at
  index (M//2, N//2)) and ``ishift`` undoes it;
* transfer functions H (``lowpass``, ``highpass``, ``bandreject``, ``bandpass``) are built *centred* (DC at
  (M//2, N//2)) unless ``centred=False``; ``apply`` takes a centred H.

NaN and inf are refused (ValueError naming the function) by the transforms and frequency filters, where one
of them would spread to every coefficient and every output pixel; ``shift``, ``magnitude``, ``phase`` and
``power`` are pointwise and let them through.

Output dtypes follow the rule for linear operations: complex64 / float32 for inputs of up to 32 bits,
complex128 / float64 for float64 (and complex128) input. The transforms are scipy.fft's (pocketfft) on
fastdip's FFT threads: ``fastdip.get_threads()`` workers (capped by the idle cores) from
``parallel.FFT_PARALLEL_MIN_VALUES`` (2**19) values, one below (scipy starts its threads in every call, which
smaller transforms do not repay); the restoration module's transforms follow the same rule.
"""

from __future__ import annotations

import itertools
import threading
from typing import NamedTuple

import numpy as np
import scipy.fft as _fft

from . import _modes, _validate, parallel
from ._kernels import load as _kload
from ._kernels._config import readonly

__all__ = [
    "dft2", "idft2", "dftn", "idftn", "rdft2", "irdft2", "rdftn", "irdftn", "shift", "ishift", "magnitude",
    "phase", "power", "swap_phase",
    "SwapPhase", "frequencies", "padded_shape", "lowpass", "highpass", "bandreject", "bandpass", "notch_reject",
    "notch_pass", "apply", "find_peaks", "optimum_notch", "OptimumNotch",
]

_KINDS = ("ideal", "butterworth", "gaussian")
# half spectra of at least this many coefficients are inverted in place in two calls (see _half_inverse)
_HALF_INVERSE_IN_PLACE_MIN = 1 << 14
# a thread keeps the scratch copy of a spectrum it inverted for its next inversion, up to this many bytes
_SCRATCH_KEEP_BYTES = 1 << 25
_scratch_local = threading.local()
# real images of at least this many values get their full spectrum from scipy's fftn (see _forward)
_FULL_REAL_FORWARD_MIN = 1 << 22
# From this many coefficients the Hermitian part is built by the numba kernel (one pass instead of numpy's
# two: 2048² 20 -> 9 ms, 4096² 105 -> 60 ms here); smaller ones stay with numpy (microseconds either way).
_HERMITIAN_KERNEL_MIN = 1 << 16


# --- helpers ---------------------------------------------------------------------------------------------

def _complex_dtype(dtype) -> np.dtype:
    """complex128 for float64/complex128 input, complex64 otherwise (the linear-operation rule)."""
    dt = np.dtype(dtype)
    if dt == np.complex128 or dt == np.float64:
        return np.dtype(np.complex128)
    return np.dtype(np.complex64)


def _real_dtype(dtype) -> np.dtype:
    return np.dtype(np.float64) if _complex_dtype(dtype) == np.complex128 else np.dtype(np.float32)


def _as_transform_input(arr: np.ndarray) -> np.ndarray:
    """A real input as float32/float64, a complex one as complex64/complex128 (no copy when already so)."""
    if arr.dtype.kind == "c":
        return np.asarray(arr, dtype=_complex_dtype(arr.dtype))
    return np.asarray(arr, dtype=_real_dtype(arr.dtype))


def _spectrum(spectrum, func: str, ndim=None, finite: bool = False) -> np.ndarray:
    arr = _validate.image(spectrum, func, param="spectrum", ndim=ndim, allow_complex=True, finite=finite)
    return _as_transform_input(arr)


def _shape2(shape, func: str) -> tuple[int, int]:
    return _validate.sizes(shape, func, 2, param="shape")


def _kind(kind, order, func: str) -> float:
    _validate.choice(kind, func, "kind", _KINDS)
    return _validate.number(order, func, "order", low=0, low_open=True)


def _finish(h: np.ndarray, centred: bool) -> np.ndarray:
    """``h`` is built on the centred grid; return it, or its ifftshift'ed (uncentred) version."""
    return h if centred else np.ascontiguousarray(_fft.ifftshift(h))


def _forward(arr: np.ndarray) -> np.ndarray:
    """fftn over every axis. A real input goes through rfftn (about half the work) and the missing half is
    filled by Hermitian symmetry, F(k) = conj(F(-k)), with block views: the same full spectrum. From 2**22
    values scipy's fftn does the same for a real input in one call, without the half-spectrum intermediate
    (minimum times here, float32, ours / scipy's: 512² 0.73 / 0.85 ms, 2048² 25 / 25 ms, 4096² 118 / 108 ms)."""
    if arr.dtype.kind == "c" or arr.size >= _FULL_REAL_FORWARD_MIN:
        return _fft.fftn(arr, workers=parallel._fft_workers(arr.size))
    r = _fft.rfftn(arr, workers=parallel._fft_workers(arr.size))
    n = arr.shape[-1]
    h = n // 2 + 1
    out = np.empty(arr.shape, dtype=r.dtype)
    out[..., :h] = r
    if n > h:
        # columns h..n-1 of the last axis come from columns n-h..1; index k of every other axis from -k mod s
        last_dst, last_src = slice(h, n), slice(n - h, 0, -1)
        runs = [[(slice(0, 1), slice(0, 1))] + ([(slice(1, s), slice(s - 1, 0, -1))] if s > 1 else [])
                for s in arr.shape[:-1]]
        for combo in itertools.product(*runs):
            dst = tuple(c[0] for c in combo) + (last_dst,)
            src = tuple(c[1] for c in combo) + (last_src,)
            np.conjugate(r[src], out=out[dst])
    return out


def _mirror_runs(shape: tuple[int, ...], half: int):
    """Block views pairing index k with -k mod s on every axis of ``shape``, the last axis cut to ``half``
    columns: (destination slices, source slices) for each block, sources reversed views."""
    runs = [[(slice(0, 1), slice(0, 1))] + ([(slice(1, s), slice(s - 1, 0, -1))] if s > 1 else [])
            for s in shape[:-1]]
    n = shape[-1]
    last = [(slice(0, 1), slice(0, 1))] + ([(slice(1, half), slice(n - 1, n - half, -1))] if half > 1 else [])
    for combo in itertools.product(*runs, last):
        yield tuple(c[0] for c in combo), tuple(c[1] for c in combo)


def _hermitian_sum(arr: np.ndarray) -> np.ndarray:
    """F(k) + conj(F(-k)) on the rfftn half-grid (last axis 0..N//2): twice the Hermitian part of a full
    spectrum, whose inverse is twice real(IDFT[F]). Equal to 2F, exactly, for the spectrum of a real image."""
    half = arr.shape[-1] // 2 + 1
    out = np.empty(arr.shape[:-1] + (half,), dtype=arr.dtype)
    for dst, src in _mirror_runs(arr.shape, half):
        np.conjugate(arr[src], out=out[dst])
    out += arr[..., :half]
    return out


def _half_inverse(spec: np.ndarray, n: int, *, owned: bool) -> np.ndarray:
    """irfftn of a half spectrum (last axis 0..n//2, scaled by 1/size) for a last axis of length ``n``.

    Small spectra take scipy's one-call c2r. From 2**14 coefficients the spectrum is inverted in place (when
    not ``owned``, the caller having made it, in a copy on the calling thread's scratch buffer, see
    _scratch_like): an inverse c2c over the leading axes, then irfft on the last (the one call does the same
    steps on temporaries of its own, with other plans for some shapes: equal within a few float roundings,
    bit-identical on power-of-two sides). On this machine (a VM) the first touch of a 4 KiB page costs ~5 us,
    and a one-call inverse that frees ~2 MB of temporaries lets glibc give the top of its heap back to the OS,
    so the next call faults all of it in again: float32 512², one thread, one call 1.33 ms (490 page faults a
    call) against 0.64 ms on the kept buffer; 2048², two threads, the pair on a fresh copy 14.2-14.7 ms
    against 9.5-10.3 ms on the kept one.
    """
    workers = parallel._fft_workers(spec.size // spec.shape[-1] * n)
    if spec.ndim == 1 or spec.size < _HALF_INVERSE_IN_PLACE_MIN:
        return _fft.irfftn(spec, s=spec.shape[:-1] + (n,), workers=workers)
    work = spec if owned else _scratch_like(spec)
    work = _fft.ifftn(work, axes=tuple(range(spec.ndim - 1)), workers=workers, overwrite_x=True)
    out = _fft.irfft(work, n=n, axis=-1, workers=workers)
    return out if owned or not np.shares_memory(out, work) else out.copy()


def _scratch_like(arr: np.ndarray) -> np.ndarray:
    """A C-contiguous copy of ``arr`` on this thread's scratch buffer (kept between calls up to
    ``_SCRATCH_KEEP_BYTES``, so that a repeated inversion does not fault fresh pages in each time; larger
    copies are fresh arrays). Valid until this thread's next call; never handed to a user."""
    nbytes = arr.size * arr.itemsize
    if nbytes > _SCRATCH_KEEP_BYTES:
        return arr.copy(order="C")
    buf = getattr(_scratch_local, "buffer", None)
    if buf is None or buf.size < nbytes:
        buf = np.empty(nbytes, np.uint8)
        _scratch_local.buffer = buf
    work = buf[:nbytes].view(arr.dtype).reshape(arr.shape)
    np.copyto(work, arr)
    return work


def _real_inverse(arr: np.ndarray) -> np.ndarray:
    """real(IDFT[F]) of a full complex spectrum through its Hermitian part: one c2r-sized inverse instead of a
    full c2c one and a copy of its real part. 2-D C-contiguous spectra take the one-pass kernel, which also
    applies the 1/2 (exact, as is any power of two, so the order of the scaling does not change the result)."""
    if arr.ndim == 2 and arr.flags.c_contiguous and arr.size >= _HERMITIAN_KERNEL_MIN:
        spectrum = _kload("spectrum")

        half = np.empty((arr.shape[0], arr.shape[1] // 2 + 1), dtype=arr.dtype)
        spectrum.hermitian_half(arr, half, arr.real.dtype.type(0.5))
        return _half_inverse(half, arr.shape[-1], owned=True)
    g = _half_inverse(_hermitian_sum(arr), arr.shape[-1], owned=True)
    g *= 0.5
    return g


def _real_image(image, func: str, ndim=None) -> np.ndarray:
    # a transform spreads one NaN or inf over every coefficient: refused (the README's NaN rule)
    arr = _validate.image(image, func, ndim=ndim, finite=True)
    if arr.ndim == 0:
        _validate.fail(func, "image", arr, "an array of at least 1 dimension")
    return np.asarray(arr, dtype=_real_dtype(arr.dtype))


def _half_shape(shape, arr: np.ndarray, func: str) -> tuple[int, ...]:
    """The real image shape a half spectrum ``arr`` inverts to: ``shape`` checked against it, or by default
    the even last side 2 (W - 1)."""
    w = arr.shape[-1]
    if shape is None:
        return arr.shape[:-1] + (2 * (w - 1) if w > 1 else 1,)
    want = _validate.sizes(shape, func, arr.ndim, param="shape")
    if want[:-1] != arr.shape[:-1] or want[-1] // 2 + 1 != w:
        n_even, n_odd = max(1, 2 * (w - 1)), 2 * w - 1
        lead = ", ".join(str(s) for s in arr.shape[:-1])
        sides = f"{n_even} or {n_odd}" if n_even != n_odd else f"{n_odd}"
        _validate.fail(func, "shape", shape, f"the image shape of this spectrum: ({lead}{', ' if lead else ''}N) "
                       f"with N // 2 + 1 = {w}, i.e. N = {sides}")
    return want


# --- transforms ------------------------------------------------------------------------------------------

def dft2(image) -> np.ndarray:
    """The 2-D discrete Fourier transform, unscaled, with the DC term at index (0, 0).

    Parameters
    ----------
    image : (M, N) ndarray
        A real or complex 2-D array, never modified.

    Returns
    -------
    (M, N) ndarray of complex
        F(u, v); complex64 for inputs of up to 32 bits, complex128 for float64 and complex128 input.
        Use ``shift`` to centre it.

    Raises
    ------
    TypeError
        For a non-numeric image.
    ValueError
        For an array that is not 2-D or is empty.

    Notes
    -----
    F(u, v) = Σ_x Σ_y f(x, y) exp(-j2π(ux/M + vy/N)), computed by scipy.fft with ``workers``: fastdip's
    FFT threads (equal to numpy.fft.fft2 up to rounding). A real image goes through rfft2 and the
    other half of the spectrum is filled by F(u, v) = conj(F(-u, -v)). NaN or inf would spread to every
    coefficient, so they are refused (ValueError), here and in every transform and frequency filter of this
    module.

    References
    ----------
    R. C. Gonzalez and R. E. Woods, *Digital Image Processing*, 4th ed., Pearson, 2018, sec. 4.5, eq. (4-67).

    Examples
    --------
    >>> F = dft2(np.array([[1.0, 2.0], [3.0, 4.0]]))
    >>> F.real
    array([[10., -2.],
           [-4.,  0.]])
    """
    func = "dft2"
    arr = _validate.image(image, func, ndim=2, allow_complex=True, finite=True)
    return _forward(_as_transform_input(arr))


def idft2(spectrum, *, real: bool = True) -> np.ndarray:
    """The inverse 2-D discrete Fourier transform, scaled by 1/MN (the inverse of ``dft2``).

    Parameters
    ----------
    spectrum : (M, N) ndarray
        An uncentred spectrum (DC at index (0, 0)), as ``dft2`` returns it; never modified.
    real : bool, optional
        True (default): return the real part (the image of a real input, whose imaginary part is rounding
        noise); False: return the complex result.

    Returns
    -------
    (M, N) ndarray
        float32 / complex64 for inputs of up to 32 bits (complex64 included), float64 / complex128 for
        float64 and complex128 input.

    Raises
    ------
    TypeError
        For a non-numeric spectrum.
    ValueError
        For an array that is not 2-D or is empty.

    Notes
    -----
    f(x, y) = (1/MN) Σ_u Σ_v F(u, v) exp(+j2π(ux/M + vy/N)) (scipy.fft, ``workers``: fastdip's FFT threads).
    With ``real=True`` only the Hermitian part (F(u, v) + conj(F(-u, -v)))/2 contributes to the real part, so
    it is inverted as a half spectrum (``irdft2``): half the work of the complex inverse, the same result to
    rounding.

    References
    ----------
    R. C. Gonzalez and R. E. Woods, *Digital Image Processing*, 4th ed., Pearson, 2018, sec. 4.5, eq. (4-68).

    Examples
    --------
    >>> idft2(dft2(np.array([[1.0, 2.0], [3.0, 4.0]])))
    array([[1., 2.],
           [3., 4.]])
    """
    func = "idft2"
    arr = _spectrum(spectrum, func, ndim=2, finite=True)
    if real and arr.dtype.kind == "c":
        return _real_inverse(arr)
    out = _fft.ifft2(arr, workers=parallel._fft_workers(arr.size))
    return np.ascontiguousarray(out.real) if real else out


def dftn(image) -> np.ndarray:
    """The n-D discrete Fourier transform over every axis, unscaled, DC term at index (0, ..., 0).

    Parameters
    ----------
    image : ndarray
        A real or complex array of any number of dimensions (at least 1), never modified.

    Returns
    -------
    ndarray of complex
        The spectrum, of the input's shape; complex64 for inputs of up to 32 bits, complex128 for float64
        and complex128 input.

    Raises
    ------
    TypeError
        For a non-numeric image.
    ValueError
        For an empty or 0-D array.

    Notes
    -----
    The separable n-D extension of ``dft2`` (scipy.fft, ``workers``: fastdip's FFT threads; real
    input through rfftn and Hermitian symmetry, as in ``dft2``).

    References
    ----------
    R. C. Gonzalez and R. E. Woods, *Digital Image Processing*, 4th ed., Pearson, 2018, sec. 4.5.

    Examples
    --------
    >>> dftn(np.ones((2, 2, 2))).real
    array([[[8., 0.],
            [0., 0.]],
    <BLANKLINE>
           [[0., 0.],
            [0., 0.]]])
    """
    func = "dftn"
    arr = _validate.image(image, func, allow_complex=True, finite=True)
    if arr.ndim == 0:
        _validate.fail(func, "image", arr, "an array of at least 1 dimension")
    return _forward(_as_transform_input(arr))


def idftn(spectrum, *, real: bool = True) -> np.ndarray:
    """The inverse n-D discrete Fourier transform over every axis, scaled by 1/(number of elements).

    Parameters
    ----------
    spectrum : ndarray
        An uncentred spectrum (DC at index 0 on every axis), never modified.
    real : bool, optional
        True (default): return the real part; False: return the complex result.

    Returns
    -------
    ndarray
        float32 / complex64 for inputs of up to 32 bits, float64 / complex128 for float64 and complex128.

    Raises
    ------
    TypeError
        For a non-numeric spectrum.
    ValueError
        For an empty or 0-D array.

    Notes
    -----
    The inverse of ``dftn`` (scipy.fft.ifftn, ``workers``: fastdip's FFT threads).

    References
    ----------
    R. C. Gonzalez and R. E. Woods, *Digital Image Processing*, 4th ed., Pearson, 2018, sec. 4.5.

    Examples
    --------
    >>> idftn(dftn(np.arange(4.0).reshape(1, 2, 2)))
    array([[[0., 1.],
            [2., 3.]]])
    """
    func = "idftn"
    arr = _spectrum(spectrum, func, finite=True)
    if arr.ndim == 0:
        _validate.fail(func, "spectrum", arr, "an array of at least 1 dimension")
    if real and arr.dtype.kind == "c":
        return _real_inverse(arr)
    out = _fft.ifftn(arr, workers=parallel._fft_workers(arr.size))
    return np.ascontiguousarray(out.real) if real else out


def rdft2(image) -> np.ndarray:
    """The 2-D DFT of a real image as its half spectrum: columns v = 0 .. N//2 of ``dft2(image)``.

    Parameters
    ----------
    image : (M, N) ndarray
        A real 2-D array (integer or float), never modified.

    Returns
    -------
    (M, N // 2 + 1) ndarray of complex
        F(u, v) for v = 0 .. N//2, unscaled, DC at index (0, 0) (equal to scipy.fft.rfft2 and numpy.fft.rfft2);
        complex64 for inputs of up to 32 bits, complex128 for float64 input. The other columns follow from
        F(u, v) = conj(F(-u mod M, -v mod N)).

    Raises
    ------
    TypeError
        For a non-numeric or complex image.
    ValueError
        For an array that is not 2-D or is empty.

    Notes
    -----
    The same F(u, v) = Σ_x Σ_y f(x, y) exp(-j2π(ux/M + vy/N)) as ``dft2``, computed by a real-input FFT
    (scipy.fft.rfft2, ``workers``: fastdip's FFT threads): about half the arithmetic and memory of
    the full transform. ``irdft2(rdft2(f), f.shape)`` gives f back; the shape is needed for an odd N, since N and N - 1
    (N even) give the same number of columns. Parseval: Σ f² = (1/MN) Σ_u Σ_v |F|², where each column
    0 < v < N - N//2 of the half spectrum stands for two columns of the full one.

    References
    ----------
    R. C. Gonzalez and R. E. Woods, *Digital Image Processing*, 4th ed., Pearson, 2018, ch. 4 (sec. 4.5,
    eq. (4-67); sec. 4.6, symmetry properties of the 2-D DFT).
    J. W. Cooley and J. W. Tukey, "An algorithm for the machine calculation of complex Fourier series,"
    *Mathematics of Computation* 19(90), 297-301, 1965. DOI: 10.1090/S0025-5718-1965-0178586-1.

    Examples
    --------
    >>> F = rdft2(np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]))
    >>> F.shape
    (2, 2)
    >>> np.round(F, 3)
    array([[21.+0.j   , -3.+1.732j],
           [-9.+0.j   ,  0.+0.j   ]])
    """
    arr = _real_image(image, "rdft2", ndim=2)
    return _fft.rfft2(arr, workers=parallel._fft_workers(arr.size))


def irdft2(spectrum, shape=None) -> np.ndarray:
    """The inverse of ``rdft2``: a real image from its half spectrum, scaled by 1/MN.

    Parameters
    ----------
    spectrum : (M, W) ndarray
        A half spectrum as ``rdft2`` returns it (columns v = 0 .. N//2, DC at (0, 0)); never modified.
    shape : (M, N) tuple of int, optional
        The image shape, with N // 2 + 1 == W. Default: (M, 2 (W - 1)), an even width; give it to invert an
        image of odd width N = 2 W - 1.

    Returns
    -------
    (M, N) ndarray of float
        float32 for spectra of up to 32 bits (complex64), float64 for complex128 (and float64).

    Raises
    ------
    TypeError
        For a non-numeric spectrum.
    ValueError
        For an array that is not 2-D or is empty, or a ``shape`` that does not match it.

    Notes
    -----
    f(x, y) = (1/MN) Σ_u Σ_v F(u, v) exp(+j2π(ux/M + vy/N)), the missing columns taken as
    F(u, v) = conj(F(-u, -v)); equal to scipy.fft.irfft2(spectrum, s=shape). The imaginary parts that a real
    image's spectrum cannot have (column 0 and, for even N, column N/2 must be Hermitian along u) are ignored,
    as in scipy and numpy. Computed as an inverse complex FFT along u then a real inverse along v
    (``workers``: fastdip's FFT threads), in place on a copy of the spectrum that the calling
    thread keeps for its next call (up to 32 MB; repeated calls then touch no fresh memory).

    References
    ----------
    R. C. Gonzalez and R. E. Woods, *Digital Image Processing*, 4th ed., Pearson, 2018, ch. 4 (sec. 4.5,
    eq. (4-68)).
    J. W. Cooley and J. W. Tukey, "An algorithm for the machine calculation of complex Fourier series,"
    *Mathematics of Computation* 19(90), 297-301, 1965. DOI: 10.1090/S0025-5718-1965-0178586-1.

    Examples
    --------
    >>> f = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    >>> irdft2(rdft2(f), f.shape)
    array([[1., 2., 3.],
           [4., 5., 6.]])
    >>> irdft2(rdft2(f)).shape  # without the shape, the width is taken as even
    (2, 2)
    """
    func = "irdft2"
    arr = _spectrum(spectrum, func, ndim=2, finite=True)
    out_shape = _half_shape(shape, arr, func)
    return _half_inverse(arr, out_shape[-1], owned=False)


def rdftn(image) -> np.ndarray:
    """The n-D DFT of a real array over every axis, as its half spectrum (last axis 0 .. N//2).

    Parameters
    ----------
    image : ndarray
        A real array of any number of dimensions (at least 1), never modified.

    Returns
    -------
    ndarray of complex
        The input's shape with the last side N replaced by N // 2 + 1; unscaled (equal to scipy.fft.rfftn);
        complex64 for inputs of up to 32 bits, complex128 for float64 input.

    Raises
    ------
    TypeError
        For a non-numeric or complex image.
    ValueError
        For an empty or 0-D array.

    Notes
    -----
    The separable n-D extension of ``rdft2``: a real FFT along the last axis, complex FFTs along the others
    (scipy.fft.rfftn, ``workers``: fastdip's FFT threads). F(k) = conj(F(-k)) gives the missing half.

    References
    ----------
    R. C. Gonzalez and R. E. Woods, *Digital Image Processing*, 4th ed., Pearson, 2018, ch. 4 (sec. 4.5).
    J. W. Cooley and J. W. Tukey, "An algorithm for the machine calculation of complex Fourier series,"
    *Mathematics of Computation* 19(90), 297-301, 1965. DOI: 10.1090/S0025-5718-1965-0178586-1.

    Examples
    --------
    >>> rdftn(np.arange(4.0))
    array([ 6.+0.j, -2.+2.j, -2.+0.j])
    """
    arr = _real_image(image, "rdftn")
    return _fft.rfftn(arr, workers=parallel._fft_workers(arr.size))


def irdftn(spectrum, shape=None) -> np.ndarray:
    """The inverse of ``rdftn``: a real array from its half spectrum, scaled by 1/(number of elements).

    Parameters
    ----------
    spectrum : ndarray
        A half spectrum as ``rdftn`` returns it (last side W = N // 2 + 1), at least 1-D; never modified.
    shape : tuple of int, optional
        The output shape: the spectrum's leading sides, then N with N // 2 + 1 == W. Default: the last side
        2 (W - 1), even; give it for an odd last side.

    Returns
    -------
    ndarray of float
        float32 for spectra of up to 32 bits, float64 for complex128 (and float64).

    Raises
    ------
    TypeError
        For a non-numeric spectrum.
    ValueError
        For an empty or 0-D array, or a ``shape`` that does not match it.

    Notes
    -----
    Equal to scipy.fft.irfftn(spectrum, s=shape): inverse complex FFTs over the leading axes, then a real
    inverse along the last one (``workers``: fastdip's FFT threads), in place on a copy of the
    spectrum that the calling thread keeps for its next call (up to 32 MB).

    References
    ----------
    R. C. Gonzalez and R. E. Woods, *Digital Image Processing*, 4th ed., Pearson, 2018, ch. 4 (sec. 4.5).
    J. W. Cooley and J. W. Tukey, "An algorithm for the machine calculation of complex Fourier series,"
    *Mathematics of Computation* 19(90), 297-301, 1965. DOI: 10.1090/S0025-5718-1965-0178586-1.

    Examples
    --------
    >>> irdftn(rdftn(np.arange(5.0)), (5,))
    array([0., 1., 2., 3., 4.])
    """
    func = "irdftn"
    arr = _spectrum(spectrum, func, finite=True)
    if arr.ndim == 0:
        _validate.fail(func, "spectrum", arr, "an array of at least 1 dimension")
    out_shape = _half_shape(shape, arr, func)
    return _half_inverse(arr, out_shape[-1], owned=False)


def shift(spectrum) -> np.ndarray:
    """Centre a spectrum: move the DC term from index 0 to index M//2 on every axis (fftshift).

    Parameters
    ----------
    spectrum : ndarray
        Any array (real or complex), never modified.

    Returns
    -------
    ndarray
        A new array of the same shape and dtype, rolled by ``s // 2`` along each axis of size ``s``.

    Raises
    ------
    TypeError
        For a non-numeric array.
    ValueError
        For an empty array.

    Notes
    -----
    Equivalent to multiplying f(x, y) by (-1)^(x+y) before the transform when M and N are even
    (scipy.fft.fftshift over all axes). ``ishift`` is its inverse, also for odd sizes.

    References
    ----------
    R. C. Gonzalez and R. E. Woods, *Digital Image Processing*, 4th ed., Pearson, 2018, sec. 4.6, eq. (4-76).

    Examples
    --------
    >>> shift(np.arange(5))
    array([3, 4, 0, 1, 2])
    """
    arr = _validate.image(spectrum, "shift", param="spectrum", allow_complex=True, allow_bool=True)
    return np.ascontiguousarray(_fft.fftshift(arr))


def ishift(spectrum) -> np.ndarray:
    """Undo ``shift``: move the centred DC term from index M//2 back to index 0 on every axis (ifftshift).

    Parameters
    ----------
    spectrum : ndarray
        A centred array (real or complex), never modified.

    Returns
    -------
    ndarray
        A new array of the same shape and dtype.

    Raises
    ------
    TypeError
        For a non-numeric array.
    ValueError
        For an empty array.

    Notes
    -----
    scipy.fft.ifftshift over all axes; ``ishift(shift(a)) == a`` for even and odd sizes.

    References
    ----------
    R. C. Gonzalez and R. E. Woods, *Digital Image Processing*, 4th ed., Pearson, 2018, sec. 4.6.

    Examples
    --------
    >>> ishift(np.array([3, 4, 0, 1, 2]))
    array([0, 1, 2, 3, 4])
    """
    arr = _validate.image(spectrum, "ishift", param="spectrum", allow_complex=True, allow_bool=True)
    return np.ascontiguousarray(_fft.ifftshift(arr))


def magnitude(spectrum, *, log: bool = True) -> np.ndarray:
    """The Fourier spectrum |F|, by default compressed as log(1 + |F|) for display.

    Parameters
    ----------
    spectrum : ndarray
        A complex (or real) spectrum, never modified.
    log : bool, optional
        True (default): return log(1 + |F|) (natural logarithm); False: return |F|.

    Returns
    -------
    ndarray of float
        Same shape; float32 for complex64 (and up to 32-bit real) input, float64 for complex128 / float64.

    Raises
    ------
    TypeError
        For a non-numeric spectrum.
    ValueError
        For an empty spectrum.

    Notes
    -----
    |F| = sqrt(R² + I²); the log compresses the huge dynamic range of image spectra (the DC term dominates).

    References
    ----------
    R. C. Gonzalez and R. E. Woods, *Digital Image Processing*, 4th ed., Pearson, 2018, sec. 4.6, eqs.
    (4-84)-(4-86) and sec. 3.2 (log transformation).

    Examples
    --------
    >>> magnitude(np.array([3 + 4j, -1j]), log=False)
    array([5., 1.])
    >>> magnitude(np.array([0j, np.e - 1]))
    array([0., 1.])
    """
    arr = _spectrum(spectrum, "magnitude")
    mag = np.abs(arr)
    return np.log1p(mag) if log else mag


def phase(spectrum) -> np.ndarray:
    """The phase angle φ(u, v) = atan2(Im F, Re F) of a spectrum, in radians in [-π, π].

    Parameters
    ----------
    spectrum : ndarray
        A complex (or real) spectrum, never modified.

    Returns
    -------
    ndarray of float
        Same shape; float32 for complex64 input, float64 for complex128.

    Raises
    ------
    TypeError
        For a non-numeric spectrum.
    ValueError
        For an empty spectrum.

    Notes
    -----
    numpy.angle; the phase of a zero coefficient is 0.

    References
    ----------
    R. C. Gonzalez and R. E. Woods, *Digital Image Processing*, 4th ed., Pearson, 2018, sec. 4.6, eq. (4-87).

    Examples
    --------
    >>> phase(np.array([1j, -1 + 0j, 1 + 0j]))
    array([1.5707..., 3.1415..., 0.    ])
    """
    arr = _spectrum(spectrum, "phase")
    return np.angle(arr)


def power(spectrum) -> np.ndarray:
    """The power spectrum P(u, v) = |F(u, v)|².

    Parameters
    ----------
    spectrum : ndarray
        A complex (or real) spectrum, never modified.

    Returns
    -------
    ndarray of float
        Same shape; float32 for complex64 input, float64 for complex128.

    Raises
    ------
    TypeError
        For a non-numeric spectrum.
    ValueError
        For an empty spectrum.

    Notes
    -----
    P = R² + I².

    References
    ----------
    R. C. Gonzalez and R. E. Woods, *Digital Image Processing*, 4th ed., Pearson, 2018, sec. 4.6, eq. (4-89).

    Examples
    --------
    >>> power(np.array([3 + 4j, 2j]))
    array([25.,  4.])
    """
    arr = _spectrum(spectrum, "power")
    return arr.real * arr.real + arr.imag * arr.imag


class SwapPhase(NamedTuple):
    """The two images of the phase-swap experiment."""

    #: the image rebuilt from the magnitude of ``a`` and the phase of ``b``
    magnitude_a_phase_b: np.ndarray
    #: the image rebuilt from the magnitude of ``b`` and the phase of ``a``
    magnitude_b_phase_a: np.ndarray


def swap_phase(a, b) -> SwapPhase:
    """The phase-importance experiment: rebuild each image from one's magnitude and the other's phase.

    Parameters
    ----------
    a, b : ndarray
        Two real images of the same shape (any number of dimensions), never modified.

    Returns
    -------
    SwapPhase
        A named tuple ``(magnitude_a_phase_b, magnitude_b_phase_a)``: the real parts of
        IDFT[|A| e^{j∠B}] and IDFT[|B| e^{j∠A}], of the inputs' shape; float64 if either input is float64,
        float32 otherwise. The result usually looks like the image that gave the *phase*.

    Raises
    ------
    TypeError
        For non-numeric or complex images.
    ValueError
        For empty images or images of different shapes.

    Notes
    -----
    A = DFT[a], B = DFT[b] (n-D, ``dftn``); ``swap_phase(a, a)`` gives back ``a`` (up to rounding).

    References
    ----------
    A. V. Oppenheim and J. S. Lim, "The importance of phase in signals", *Proc. IEEE* 69(5):529-541, 1981,
    doi:10.1109/PROC.1981.12022. Gonzalez & Woods, *Digital Image Processing*, 4th ed., 2018, sec. 4.6.

    Examples
    --------
    >>> a = np.array([[0.0, 1.0], [2.0, 3.0]])
    >>> swap_phase(a, a).magnitude_a_phase_b
    array([[0., 1.],
           [2., 3.]])
    """
    func = "swap_phase"
    x = _validate.image(a, func, param="a", finite=True)
    y = _validate.image(b, func, param="b", finite=True)
    if x.shape != y.shape:
        _validate.fail(func, "b", y, f"an array of a's shape {x.shape}")
    dt = np.float64 if np.float64 in (_real_dtype(x.dtype), _real_dtype(y.dtype)) else np.float32
    fa = _forward(np.asarray(x, dtype=dt))
    fb = _forward(np.asarray(y, dtype=dt))
    mag_a, mag_b = np.abs(fa), np.abs(fb)
    ph_a, ph_b = np.exp(1j * np.angle(fa)).astype(fa.dtype), np.exp(1j * np.angle(fb)).astype(fa.dtype)
    workers = parallel._fft_workers(mag_a.size)
    ab = np.ascontiguousarray(_fft.ifftn(mag_a * ph_b, workers=workers).real)
    ba = np.ascontiguousarray(_fft.ifftn(mag_b * ph_a, workers=workers).real)
    return SwapPhase(ab, ba)


def frequencies(shape, *, centred: bool = True) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The frequency grids (u, v) of an (M, N) spectrum and the distance D(u, v) from the DC term.

    Parameters
    ----------
    shape : int or (M, N) tuple of int
        The spectrum shape; an int gives a square.
    centred : bool, optional
        True (default): the grids of a centred spectrum, u = index - M//2 along the rows and v = index - N//2
        along the columns, so the DC term (u, v) = (0, 0) lies at index (M//2, N//2) for even and odd sizes
        (where ``shift`` puts it); u runs over -M//2 .. (M-1)//2. False: the ifftshift'ed grids of an
        uncentred spectrum (DC at index (0, 0); u = numpy.fft.fftfreq(M) * M).

    Returns
    -------
    u, v, D : (M, N) ndarrays of float64
        The row frequency, the column frequency (cycles per image) and D = sqrt(u² + v²).

    Raises
    ------
    ValueError
        For a bad shape.

    Notes
    -----
    G&W write D(u, v) = [(u - P/2)² + (v - Q/2)²]^(1/2) for even P, Q; this is the same grid, also defined
    for odd sizes.

    References
    ----------
    R. C. Gonzalez and R. E. Woods, *Digital Image Processing*, 4th ed., Pearson, 2018, sec. 4.8, eq. (4-112).

    Examples
    --------
    >>> u, v, D = frequencies((3, 4))
    >>> u[:, 0], v[0], float(D[1, 2])
    (array([-1.,  0.,  1.]), array([-2., -1.,  0.,  1.]), 0.0)
    """
    func = "frequencies"
    m, n = _shape2(shape, func)
    u1 = np.arange(m, dtype=np.float64) - m // 2
    v1 = np.arange(n, dtype=np.float64) - n // 2
    if not centred:
        u1, v1 = _fft.ifftshift(u1), _fft.ifftshift(v1)
    u, v = np.meshgrid(u1, v1, indexing="ij")
    return u, v, np.hypot(u, v)


def padded_shape(shape) -> tuple[int, int]:
    """The shape (2M, 2N) that ``apply(image, H, pad=True)`` needs H to have, for an (M, N) image.

    Parameters
    ----------
    shape : int or (M, N) tuple of int
        The image shape.

    Returns
    -------
    (int, int)
        (2M, 2N), the padding G&W use (P = 2M, Q = 2N) to avoid wrap-around error.

    Raises
    ------
    ValueError
        For a bad shape.

    Notes
    -----
    Build the transfer function for this shape: ``lowpass(padded_shape(img.shape), 2 * d0)`` (a cutoff
    scales with the grid size, so double it to keep the same spatial behaviour).

    References
    ----------
    R. C. Gonzalez and R. E. Woods, *Digital Image Processing*, 4th ed., Pearson, 2018, sec. 4.7, eq. (4-101).

    Examples
    --------
    >>> padded_shape((3, 5))
    (6, 10)
    """
    m, n = _shape2(shape, "padded_shape")
    return 2 * m, 2 * n


# --- transfer functions ----------------------------------------------------------------------------------

def lowpass(shape, cutoff, *, kind: str = "ideal", order: float = 2, centred: bool = True) -> np.ndarray:
    """A low-pass transfer function H(u, v): ideal, Butterworth or Gaussian.

    Parameters
    ----------
    shape : int or (M, N) tuple of int
        The spectrum shape; an int gives a square.
    cutoff : float
        The cutoff D0 > 0, a distance from the DC term in frequency samples.
    kind : {'ideal', 'butterworth', 'gaussian'}, optional
        The filter family (default 'ideal').
    order : float, optional
        The Butterworth order n > 0 (default 2; ignored by the other kinds, but still checked).
    centred : bool, optional
        True (default): H for a centred spectrum (DC at index (M//2, N//2), see ``frequencies``); False: the
        ifftshift'ed H, to multiply an uncentred ``dft2`` spectrum directly.

    Returns
    -------
    (M, N) ndarray of float64
        H, real, even (H(u, v) = H(-u, -v)), with values in [0, 1]; H = 1 at D = 0.

    Raises
    ------
    TypeError
        For a non-number cutoff or order.
    ValueError
        For a bad shape, a cutoff or order <= 0, or an unknown kind.

    Notes
    -----
    ideal: H = 1 where D <= D0, else 0; Butterworth: H = 1 / (1 + (D/D0)^(2n)) (0.5 at D0); Gaussian:
    H = exp(-D² / (2 D0²)) (e^(-1/2) at D0). D from ``frequencies``.

    References
    ----------
    R. C. Gonzalez and R. E. Woods, *Digital Image Processing*, 4th ed., Pearson, 2018, sec. 4.9, eqs.
    (4-111), (4-115), (4-116).

    Examples
    --------
    >>> lowpass((1, 5), 1, kind="butterworth", order=1)
    array([[0.2, 0.5, 1. , 0.5, 0.2]])
    """
    func = "lowpass"
    m, n = _shape2(shape, func)
    d0 = _validate.number(cutoff, func, "cutoff", low=0, low_open=True)
    order = _kind(kind, order, func)
    _, _, d = frequencies((m, n))
    if kind == "ideal":
        h = (d <= d0).astype(np.float64)
    elif kind == "butterworth":
        with np.errstate(over="ignore"):  # a huge order: (D/D0)^(2n) = inf -> H = 0, as the limit
            h = 1.0 / (1.0 + (d / d0) ** (2.0 * order))
    else:
        h = np.exp(-(d * d) / (2.0 * d0 * d0))
    return _finish(h, centred)


def highpass(shape, cutoff, *, kind: str = "ideal", order: float = 2, centred: bool = True) -> np.ndarray:
    """A high-pass transfer function H = 1 - lowpass: ideal, Butterworth or Gaussian.

    Parameters
    ----------
    shape : int or (M, N) tuple of int
        The spectrum shape; an int gives a square.
    cutoff : float
        The cutoff D0 > 0, a distance from the DC term in frequency samples.
    kind : {'ideal', 'butterworth', 'gaussian'}, optional
        The filter family (default 'ideal').
    order : float, optional
        The Butterworth order n > 0 (default 2).
    centred : bool, optional
        True (default): centred H (DC at index (M//2, N//2)); False: the ifftshift'ed H.

    Returns
    -------
    (M, N) ndarray of float64
        H = 1 - ``lowpass(shape, cutoff, kind=kind, order=order)``: real, even, 0 at D = 0.

    Raises
    ------
    TypeError
        For a non-number cutoff or order.
    ValueError
        For a bad shape, a cutoff or order <= 0, or an unknown kind.

    Notes
    -----
    ideal: 0 where D <= D0; Butterworth: 1 / (1 + (D0/D)^(2n)); Gaussian: 1 - exp(-D² / (2 D0²)).

    References
    ----------
    R. C. Gonzalez and R. E. Woods, *Digital Image Processing*, 4th ed., Pearson, 2018, sec. 4.10, eq.
    (4-118) and Table 4.6.

    Examples
    --------
    >>> highpass((1, 5), 1, kind="butterworth", order=1)
    array([[0.8, 0.5, 0. , 0.5, 0.8]])
    """
    func = "highpass"
    _shape2(shape, func)
    _validate.number(cutoff, func, "cutoff", low=0, low_open=True)
    _kind(kind, order, func)
    return 1.0 - lowpass(shape, cutoff, kind=kind, order=order, centred=centred)


def bandreject(shape, radius, width, *, kind: str = "ideal", order: float = 2,
               centred: bool = True) -> np.ndarray:
    """A band-reject transfer function: a ring of radius D0 and width W removed (ideal, Butterworth, Gaussian).

    Parameters
    ----------
    shape : int or (M, N) tuple of int
        The spectrum shape; an int gives a square.
    radius : float
        The ring's radius D0 > 0, in frequency samples from the DC term.
    width : float
        The ring's width W > 0.
    kind : {'ideal', 'butterworth', 'gaussian'}, optional
        The filter family (default 'ideal').
    order : float, optional
        The Butterworth order n > 0 (default 2).
    centred : bool, optional
        True (default): centred H (DC at index (M//2, N//2)); False: the ifftshift'ed H.

    Returns
    -------
    (M, N) ndarray of float64
        H, real and even, in [0, 1]: 0 on the ring D = D0, 1 at D = 0.

    Raises
    ------
    TypeError
        For a non-number radius, width or order.
    ValueError
        For a bad shape, a radius, width or order <= 0, or an unknown kind.

    Notes
    -----
    ideal: H = 0 where D0 - W/2 <= D <= D0 + W/2, else 1; Butterworth: H = 1 / (1 + [DW / (D² - D0²)]^(2n))
    (0 on D = D0); Gaussian: H = 1 - exp(-[(D² - D0²) / (DW)]²) (1 at D = 0).

    References
    ----------
    R. C. Gonzalez and R. E. Woods, *Digital Image Processing*, 4th ed., Pearson, 2018, sec. 4.10, Table 4.7.

    Examples
    --------
    >>> bandreject((1, 7), 2, 1)
    array([[1., 0., 1., 1., 1., 0., 1.]])
    """
    func = "bandreject"
    m, n = _shape2(shape, func)
    d0 = _validate.number(radius, func, "radius", low=0, low_open=True)
    w = _validate.number(width, func, "width", low=0, low_open=True)
    order = _kind(kind, order, func)
    _, _, d = frequencies((m, n))
    if kind == "ideal":
        h = np.where((d >= d0 - w / 2) & (d <= d0 + w / 2), 0.0, 1.0)
        return _finish(h, centred)
    diff = d * d - d0 * d0
    on_ring = diff == 0
    safe = np.where(on_ring, 1.0, diff)
    with np.errstate(divide="ignore", over="ignore"):
        if kind == "butterworth":
            h = 1.0 / (1.0 + (d * w / safe) ** (2.0 * order))
        else:  # gaussian; D = 0 gives -inf/0 -> exp(-inf) = 0 -> H = 1, which the limit agrees with
            safe_dw = np.where(d == 0, 1.0, d * w)
            h = np.where(d == 0, 1.0, 1.0 - np.exp(-((diff / safe_dw) ** 2)))
    h[on_ring] = 0.0
    return _finish(h, centred)


def bandpass(shape, radius, width, *, kind: str = "ideal", order: float = 2,
             centred: bool = True) -> np.ndarray:
    """A band-pass transfer function H = 1 - bandreject: keeps a ring of radius D0 and width W.

    Parameters
    ----------
    shape : int or (M, N) tuple of int
        The spectrum shape; an int gives a square.
    radius : float
        The ring's radius D0 > 0.
    width : float
        The ring's width W > 0.
    kind : {'ideal', 'butterworth', 'gaussian'}, optional
        The filter family (default 'ideal').
    order : float, optional
        The Butterworth order n > 0 (default 2).
    centred : bool, optional
        True (default): centred H (DC at index (M//2, N//2)); False: the ifftshift'ed H.

    Returns
    -------
    (M, N) ndarray of float64
        H = 1 - ``bandreject(...)``: 1 on the ring, 0 at D = 0.

    Raises
    ------
    TypeError
        For a non-number radius, width or order.
    ValueError
        For a bad shape, a radius, width or order <= 0, or an unknown kind.

    Notes
    -----
    G&W eq. (4-149): H_BP = 1 - H_BR, with H_BR from Table 4.7.

    References
    ----------
    R. C. Gonzalez and R. E. Woods, *Digital Image Processing*, 4th ed., Pearson, 2018, sec. 4.10, eq.
    (4-149) and Table 4.7.

    Examples
    --------
    >>> bandpass((1, 7), 2, 1)
    array([[0., 1., 0., 0., 0., 1., 0.]])
    """
    func = "bandpass"
    _shape2(shape, func)
    _validate.number(radius, func, "radius", low=0, low_open=True)
    _validate.number(width, func, "width", low=0, low_open=True)
    _kind(kind, order, func)
    return 1.0 - bandreject(shape, radius, width, kind=kind, order=order, centred=centred)


def _notch_centres(centres, func: str) -> np.ndarray:
    try:
        arr = np.asarray(centres, dtype=np.float64)
    except (TypeError, ValueError):
        _validate.fail(func, "centres", centres, "a sequence of (u, v) pairs of numbers, e.g. [(10, 0), (0, 20)]",
                       TypeError)
    if arr.ndim != 2 or arr.shape[1] != 2 or arr.shape[0] == 0:
        _validate.fail(func, "centres", centres, "a non-empty sequence of (u, v) pairs, shape (K, 2), "
                       "e.g. [(10, 0), (0, 20)]")
    if not np.isfinite(arr).all():
        _validate.fail(func, "centres", centres, "finite")
    return arr


def notch_reject(shape, centres, radius, *, kind: str = "ideal", order: float = 2,
                 centred: bool = True) -> np.ndarray:
    """A notch-reject transfer function: small discs around given frequencies (and their mirrors) removed.

    Parameters
    ----------
    shape : int or (M, N) tuple of int
        The spectrum shape; an int gives a square.
    centres : (K, 2) array_like
        K notch centres (u_k, v_k), offsets in frequency samples from the DC term (the spectrum centre at
        index (M//2, N//2)); for example the (u, v) given to ``fastdip.noise.periodic``. Each gets its
        symmetric partner (-u_k, -v_k) automatically (do not list both; a listed partner is a harmless
        second notch at the same place).
    radius : float
        The notch radius D0 > 0.
    kind : {'ideal', 'butterworth', 'gaussian'}, optional
        The notch profile (default 'ideal'), that of ``highpass`` centred at each notch.
    order : float, optional
        The Butterworth order n > 0 (default 2).
    centred : bool, optional
        True (default): centred H (DC at index (M//2, N//2)); False: the ifftshift'ed H.

    Returns
    -------
    (M, N) ndarray of float64
        H, real, in [0, 1]: 0 at each notch centre and its partner. Even (H(u, v) = H(-u, -v)) wherever
        -u and -v are on the grid (everywhere for odd sizes; not on the row u = -M/2 of an even M, whose
        partner M/2 lies off the centred grid, and likewise for the column v = -N/2).

    Raises
    ------
    TypeError
        For non-numeric centres, radius or order.
    ValueError
        For a bad shape, centres not of shape (K, 2) with K >= 1, a radius or order <= 0, or an unknown kind.

    Notes
    -----
    H_NR(u, v) = Π_k H_k(u, v) H_-k(u, v), with H_k the high-pass filter of radius D0 centred at (u_k, v_k):
    D_k = sqrt((u - u_k)² + (v - v_k)²) on the centred grid (ideal: 0 where D_k <= D0; Butterworth:
    1 / (1 + (D0/D_k)^(2n)); Gaussian: 1 - exp(-D_k² / (2 D0²))). Distances are not wrapped around the edges.

    References
    ----------
    R. C. Gonzalez and R. E. Woods, *Digital Image Processing*, 4th ed., Pearson, 2018, sec. 4.10, eqs.
    (4-151)-(4-153); sec. 5.4 (periodic noise reduction).

    Examples
    --------
    >>> notch_reject((1, 7), [(0, 2)], 0.5)
    array([[1., 0., 1., 1., 1., 0., 1.]])
    """
    func = "notch_reject"
    m, n = _shape2(shape, func)
    pts = _notch_centres(centres, func)
    d0 = _validate.number(radius, func, "radius", low=0, low_open=True)
    order = _kind(kind, order, func)
    u, v, _ = frequencies((m, n))
    h = np.ones((m, n), dtype=np.float64)
    for uk, vk in pts:
        pair = []
        for su in (1.0, -1.0):
            d2 = (u - su * uk) ** 2 + (v - su * vk) ** 2
            if kind == "ideal":
                pair.append((d2 > d0 * d0).astype(np.float64))
            elif kind == "butterworth":
                with np.errstate(divide="ignore", over="ignore"):  # D = 0 -> inf -> H = 0, as the limit
                    pair.append(1.0 / (1.0 + (d0 * d0 / d2) ** order))
            else:
                pair.append(1.0 - np.exp(-d2 / (2.0 * d0 * d0)))
        # H_k·H_-k first: the product is exactly the same at (u, v) and (-u, -v), so H is exactly even
        h *= pair[0] * pair[1]
    return _finish(h, centred)


def notch_pass(shape, centres, radius, *, kind: str = "ideal", order: float = 2,
               centred: bool = True) -> np.ndarray:
    """A notch-pass transfer function H = 1 - notch_reject: keeps only discs around the given frequencies.

    Parameters
    ----------
    shape : int or (M, N) tuple of int
        The spectrum shape; an int gives a square.
    centres : (K, 2) array_like
        K notch centres (u_k, v_k), offsets from the DC term at index (M//2, N//2); each gets its symmetric
        partner (-u_k, -v_k) automatically.
    radius : float
        The notch radius D0 > 0.
    kind : {'ideal', 'butterworth', 'gaussian'}, optional
        The notch profile (default 'ideal').
    order : float, optional
        The Butterworth order n > 0 (default 2).
    centred : bool, optional
        True (default): centred H (DC at index (M//2, N//2)); False: the ifftshift'ed H.

    Returns
    -------
    (M, N) ndarray of float64
        H = 1 - ``notch_reject(...)``: 1 at each notch centre and its partner. Applied to a noisy image it
        gives the periodic-noise pattern.

    Raises
    ------
    TypeError
        For non-numeric centres, radius or order.
    ValueError
        For a bad shape, centres not of shape (K, 2) with K >= 1, a radius or order <= 0, or an unknown kind.

    Notes
    -----
    G&W eq. (4-153): H_NP = 1 - H_NR.

    References
    ----------
    R. C. Gonzalez and R. E. Woods, *Digital Image Processing*, 4th ed., Pearson, 2018, sec. 4.10, eq.
    (4-153); sec. 5.4 (optimum notch filtering starts from H_NP).

    Examples
    --------
    >>> notch_pass((1, 7), [(0, 2)], 0.5)
    array([[0., 1., 0., 0., 0., 1., 0.]])
    """
    func = "notch_pass"
    _shape2(shape, func)
    _notch_centres(centres, func)
    _validate.number(radius, func, "radius", low=0, low_open=True)
    _kind(kind, order, func)
    return 1.0 - notch_reject(shape, centres, radius, kind=kind, order=order, centred=centred)


# --- filtering -------------------------------------------------------------------------------------------

def _segments(s: int, length: int) -> list[tuple[slice, slice, slice]]:
    """Along one axis of size ``s``, the first ``length`` uncentred indices k as runs of views: (run of k,
    the centred indices (k + s//2) mod s of H(k), the centred indices (s//2 - k) mod s of H(-k), reversed)."""
    h = s // 2
    cuts = sorted({0, length} | {c for c in (s - h, h + 1) if 0 < c < length})
    runs = []
    for k0, k1 in zip(cuts[:-1], cuts[1:]):
        n = k1 - k0
        a0 = (k0 + h) % s
        b0 = (h - k0) % s
        runs.append((slice(k0, k1), slice(a0, a0 + n), slice(b0, b0 - n if b0 - n >= 0 else None, -1)))
    return runs


def _even_half(h: np.ndarray, dtype) -> np.ndarray:
    """The even part (H(k) + H(-k)) / 2 of a centred H, uncentred, on the rfftn half-grid (last axis
    0..N//2), in ``dtype``: ifftshift, flip and the half slice done as block views, without full copies."""
    shape = h.shape
    half = shape[:-1] + (shape[-1] // 2 + 1,)
    out = np.empty(half, dtype=dtype)
    for combo in itertools.product(*(_segments(s, n) for s, n in zip(shape, half))):
        np.add(h[tuple(c[1] for c in combo)], h[tuple(c[2] for c in combo)], out=out[tuple(c[0] for c in combo)])
    out *= 0.5
    return out


def apply(image, H, *, pad: bool = False) -> np.ndarray:
    """Filter a real image by a centred transfer function H: g = real(IDFT[H · DFT[f]]).

    Parameters
    ----------
    image : ndarray
        A real 2-D (or n-D) image, never modified.
    H : ndarray
        A real, *centred* transfer function (DC at index M//2 on every axis, as ``lowpass`` and the others
        build it). Its shape must be ``image.shape`` when ``pad=False`` and ``padded_shape(image.shape)``
        (twice every side) when ``pad=True``; it is never resized.
    pad : bool, optional
        False (default): filter the image as it is (circular convolution: the borders wrap around). True:
        extend the image to twice its size on every axis by mirroring it past its bottom/right border
        (scipy's 'reflect'), filter, and crop the top-left original-sized part (G&W's padding, which avoids
        wrap-around error).

    Returns
    -------
    ndarray of float
        The filtered image, of the input's shape, in its value scale; float32 for inputs of up to 32 bits,
        float64 for float64 input.

    Raises
    ------
    TypeError
        For a non-numeric or complex image or H.
    ValueError
        For an empty image, or an H of the wrong shape.

    Notes
    -----
    The DFTs are real-input transforms (rfftn/irfftn). A real H that is not even is first replaced by its
    even part (H(u) + H(-u))/2, which gives exactly real(IDFT[H·F]) for a real image; the filters of this
    module are already even. NaN or inf would spread to the whole result: they are refused (ValueError).

    References
    ----------
    R. C. Gonzalez and R. E. Woods, *Digital Image Processing*, 4th ed., Pearson, 2018, sec. 4.7 (steps of
    frequency-domain filtering, eq. (4-104), padding eq. (4-101)).

    Examples
    --------
    >>> img = np.array([[1.0, 2.0], [3.0, 4.0]])
    >>> apply(img, np.ones((2, 2)))
    array([[1., 2.],
           [3., 4.]])
    >>> apply(img, lowpass((2, 2), 0.5))  # keeps only the DC term: the mean
    array([[2.5, 2.5],
           [2.5, 2.5]])
    """
    func = "apply"
    arr = _validate.image(image, func, finite=True)
    h = _validate.image(H, func, param="H", finite=True)
    want = tuple(2 * s for s in arr.shape) if pad else arr.shape
    if h.shape != want:
        rule = "padded_shape(image.shape)" if pad else "image.shape"
        _validate.fail(func, "H", h, f"an array of shape {want} ({rule} with pad={pad})")
    dt = _real_dtype(arr.dtype)
    f = np.asarray(arr, dtype=dt)
    if pad:
        f = _modes.pad(f, [(0, s) for s in arr.shape], "reflect")
    spec = _fft.rfftn(f, workers=parallel._fft_workers(f.size))
    if h.ndim == 2 and h.dtype in (np.float32, np.float64) and spec.flags.c_contiguous:
        _kload("spectrum").scale_by_even_half(spec.view(dt), readonly(h), dt == np.float32)
    else:
        spec *= _even_half(h, dt)
    g = _half_inverse(spec, f.shape[-1], owned=True)
    if pad:
        g = g[tuple(slice(0, s) for s in arr.shape)]
    return np.ascontiguousarray(g, dtype=dt)



# --- periodic-noise removal ------------------------------------------------------------------------------

#: the MAD of a normal sample times this constant estimates its standard deviation
_MAD_TO_SIGMA = 1.482602218505602


def find_peaks(image, *, dc_radius: float = 10, threshold: float = 6.0, max_peaks=None,
               min_distance: int = 3) -> np.ndarray:
    """Locate the periodic-noise spikes of an image's spectrum: isolated peaks far above their surroundings.

    Parameters
    ----------
    image : (M, N) ndarray
        A real 2-D image (not its spectrum), never modified.
    dc_radius : float, optional
        Frequencies with D(u, v) <= ``dc_radius`` around the DC term are ignored (default 10): the image's
        own low-frequency content lives there.
    threshold : float, optional
        The detection threshold k in robust standard deviations (default 6.0): a bin is a spike when its
        spikiness r exceeds median(r) + k · 1.4826 · MAD(r) (see Notes).
    max_peaks : int, optional
        Keep at most this many pairs, the strongest (default None: all).
    min_distance : int, optional
        A spike must be the largest r within ``min_distance`` bins (a (2d+1) x (2d+1) square, wrapping around
        the spectrum's edges); default 3.

    Returns
    -------
    (K, 2) ndarray of int64
        One row (u, v) per symmetric pair of spikes, the offset in frequency samples from the DC term of the
        centred spectrum (the convention of ``notch_reject`` and ``fastdip.noise.periodic``), sorted by
        decreasing |G(u, v)|. Of each pair (u, v) / (-u, -v) the member with u > 0, or u = 0 and v > 0, is
        reported. K may be 0 (an array of shape (0, 2)).

    Raises
    ------
    TypeError
        For a non-numeric or complex image, or non-number parameters.
    ValueError
        For an image that is not 2-D, is empty or holds NaN or inf, a negative ``dc_radius``, ``threshold`` <= 0,
        ``max_peaks`` < 1 or ``min_distance`` < 1.

    Notes
    -----
    With L = log(1 + |G|) of the centred spectrum and B the 7 x 7 box mean of L (wrapping), the spikiness is
    r = L - B; bins outside the DC disc that are local maxima of r and exceed median(r) + k·1.4826·MAD(r)
    (median and MAD over the bins outside the disc: Hampel's robust outlier rule) are spikes. The margin
    over the median is at least 1 (about e times the surrounding |G|), so that rounding noise in an
    otherwise empty spectrum (MAD ≈ 0) is not taken for spikes.
    On the bundled images without noise the largest r is about 3 robust standard deviations, a sinusoid of
    amplitude 40 grey levels about 9-13.

    References
    ----------
    R. C. Gonzalez and R. E. Woods, *Digital Image Processing*, 4th ed., Pearson, 2018, sec. 5.4 (periodic
    noise appears as pairs of spikes). F. R. Hampel, "The influence curve and its role in robust estimation",
    *J. Amer. Statist. Assoc.* 69(346):383-393, 1974, doi:10.1080/01621459.1974.10482962 (the MAD).

    Examples
    --------
    >>> from fastdip.noise import periodic
    >>> x = np.random.default_rng(0).normal(100.0, 4.0, (64, 64))
    >>> find_peaks(x + periodic(x.shape, [(5, -12), (-20, 3)], amplitudes=[10.0, 8.0]))
    array([[  5, -12],
           [ 20,  -3]])
    """
    func = "find_peaks"
    arr = _validate.image(image, func, ndim=2, finite=True)
    d0 = _validate.number(dc_radius, func, "dc_radius", low=0)
    k = _validate.number(threshold, func, "threshold", low=0, low_open=True)
    if max_peaks is not None:
        max_peaks = _validate.positive_int(max_peaks, func, "max_peaks")
    dist = _validate.positive_int(min_distance, func, "min_distance")
    from . import filters  # lazy: fastdip.filters is a heavier package

    mag = np.abs(shift(dft2(np.asarray(arr, dtype=np.float64))))
    log_mag = np.log1p(mag)
    spiky = log_mag - filters.mean(log_mag, 7, mode="wrap")
    u, v, d = frequencies(arr.shape)
    outside = d > d0
    if not outside.any():
        return np.empty((0, 2), dtype=np.int64)
    r_out = spiky[outside]
    med = np.median(r_out)
    sigma = _MAD_TO_SIGMA * np.median(np.abs(r_out - med))
    local_max = spiky >= filters.maximum(spiky, 2 * dist + 1, mode="wrap")
    with np.errstate(invalid="ignore"):
        found = outside & local_max & (spiky > med + max(k * sigma, 1.0))
    best: dict[tuple[int, int], float] = {}
    for i, j in np.argwhere(found):
        uu, vv = int(u[i, j]), int(v[i, j])
        if not (uu > 0 or (uu == 0 and vv > 0)):
            uu, vv = -uu, -vv
        best[(uu, vv)] = max(best.get((uu, vv), -np.inf), float(mag[i, j]))
    order = sorted(best, key=lambda c: (-best[c], c))
    if max_peaks is not None:
        order = order[:max_peaks]
    return np.array(order, dtype=np.int64).reshape(-1, 2)


class OptimumNotch(NamedTuple):
    """The result of ``optimum_notch``."""

    #: the restored image f̂ = g - w·η
    estimate: np.ndarray
    #: the estimated noise pattern η = IDFT[H_NP · G]
    eta: np.ndarray
    #: the local weights w(x, y)
    weights: np.ndarray


def _window(window, func: str) -> tuple[int, int]:
    try:
        a, b = window
    except (TypeError, ValueError):
        _validate.fail(func, "window", window, "a pair (a, b) of integers >= 0 (neighbourhood (2a+1) x (2b+1))",
                       TypeError)
    a = _validate.number(a, func, "window[0]", low=0, integer=True)
    b = _validate.number(b, func, "window[1]", low=0, integer=True)
    return a, b


def optimum_notch(image, centres=None, *, radius: float = 3, H_np=None, window=(15, 15), kind: str = "ideal",
                  order: float = 2) -> OptimumNotch:
    """Gonzalez & Woods optimum notch filtering: subtract the noise pattern with locally optimal weights.

    Parameters
    ----------
    image : (M, N) ndarray
        The noisy real image g, never modified.
    centres : (K, 2) array_like, optional
        The noise frequencies (u, v), offsets from the DC term as ``notch_pass`` takes them (each with its
        partner). Default None: ``find_peaks(image)``, unless ``H_np`` is given.
    radius : float, optional
        The notch radius D0 > 0 of ``notch_pass`` (default 3).
    H_np : (M, N) ndarray, optional
        A centred notch-pass transfer function to use instead of ``centres`` (give one or the other).
    window : (a, b) pair of int, optional
        The neighbourhood half-sizes a, b >= 0: w is fitted over (2a+1) x (2b+1) windows (default (15, 15)).
    kind : {'ideal', 'butterworth', 'gaussian'}, optional
        The notch profile for ``centres`` (default 'ideal').
    order : float, optional
        The Butterworth order n > 0 (default 2).

    Returns
    -------
    OptimumNotch
        A named tuple ``(estimate, eta, weights)`` of (M, N) arrays: f̂, η and w; float32 for inputs of up to
        32 bits, float64 for float64 input.

    Raises
    ------
    TypeError
        For a non-numeric or complex image or H_np, or non-number parameters.
    ValueError
        For an image that is not 2-D or is empty, centres not of shape (K, 2), both or (when no spike is
        found) neither of centres and H_np, an H_np not of the image's shape, a bad radius, kind or order,
        or a window that is not two integers >= 0.

    Notes
    -----
    η = real(IDFT[H_NP · G]) (H_NP centred, applied as by ``apply``), then over each (2a+1) x (2b+1)
    neighbourhood (box means, ``fastdip.filters.mean`` with mode='reflect', computed in float64)
    w = (mean(gη) - mean(g)·mean(η)) / (mean(η²) - mean(η)²), which minimises the local variance of
    f̂ = g - w·η. Where the denominator is <= 1e-12 times the mean of η² over the image (η locally constant,
    e.g. a 1 x 1 window), w = 1: the plain notch-reject subtraction.

    References
    ----------
    R. C. Gonzalez and R. E. Woods, *Digital Image Processing*, 4th ed., Pearson, 2018, sec. 5.4 (optimum
    notch filtering).

    Examples
    --------
    >>> from fastdip.noise import periodic
    >>> f = np.add.outer(np.arange(32.0), np.arange(32.0))
    >>> g = f + periodic(f.shape, [(8, 8)], amplitudes=4.0)
    >>> res = optimum_notch(g, [(8, 8)], radius=1, window=(3, 3))
    >>> bool(np.abs(res.estimate - f).max() < np.abs(g - f).max())
    True
    >>> round(float(np.median(res.weights)), 2)
    1.0
    """
    func = "optimum_notch"
    arr = _validate.image(image, func, ndim=2, finite=True)
    a, b = _window(window, func)
    if centres is not None and H_np is not None:
        _validate.fail(func, "H_np", H_np, "None when centres are given (give centres or H_np, not both)")
    if H_np is None:
        _validate.number(radius, func, "radius", low=0, low_open=True)
        _kind(kind, order, func)
        if centres is None:
            centres = find_peaks(arr)
            if len(centres) == 0:
                _validate.fail(func, "centres", None, "given: find_peaks(image) found no noise spike "
                               "(pass centres or H_np)")
        pts = _notch_centres(centres, func)
        h = notch_pass(arr.shape, pts, radius, kind=kind, order=order)
    else:
        h = _validate.image(H_np, func, param="H_np")
        if h.shape != arr.shape:
            _validate.fail(func, "H_np", h, f"an array of the image's shape {arr.shape}")
    dt = _real_dtype(arr.dtype)
    from . import filters  # lazy: fastdip.filters is a heavier package

    g = np.asarray(arr, dtype=np.float64)
    eta = apply(g, np.asarray(h, dtype=np.float64))
    size = (2 * a + 1, 2 * b + 1)
    m_g = filters.mean(g, size, mode="reflect")
    m_e = filters.mean(eta, size, mode="reflect")
    m_ge = filters.mean(g * eta, size, mode="reflect")
    m_ee = filters.mean(eta * eta, size, mode="reflect")
    num = m_ge - m_g * m_e
    den = m_ee - m_e * m_e
    tiny = 1e-12 * float(np.mean(eta * eta))
    flat = ~(den > tiny)
    w = np.where(flat, 1.0, num / np.where(flat, 1.0, den))
    est = g - w * eta
    return OptimumNotch(np.ascontiguousarray(est, dtype=dt), np.ascontiguousarray(eta, dtype=dt),
                        np.ascontiguousarray(w, dtype=dt))
