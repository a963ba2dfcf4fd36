"""Data sets for the networks, made or loaded locally (never downloaded): the 8x8 handwritten digits bundled
with scikit-learn, split into train / validation / test, and synthetic fluorescence-like cell images with
their exact masks.

Arrays follow the training loop's convention (:func:`fastdip.nn.train`): images as float32 in [0, 1] with a
channel axis for the classifiers ((N, 1, 8, 8)), or as (N, H, W) grey images for the U-Net (the loop adds the
channel axis), labels as int64 class numbers, masks as bool.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from fastdip import _validate

__all__ = ["Split", "Cells", "digits", "synthetic_cells"]


class Split(NamedTuple):
    """Train, validation and test parts of a data set, each an ``(X, y)`` pair of numpy arrays."""

    train: tuple
    val: tuple
    test: tuple


class Cells(NamedTuple):
    """Synthetic cell images: ``images`` (N, H, W) float32, ``masks`` (N, H, W) bool (cell = True),
    ``labels`` (N, H, W) int32 (0 background, 1..k one per cell)."""

    images: np.ndarray
    masks: np.ndarray
    labels: np.ndarray


def digits(seed=0, *, split=(0.6, 0.2, 0.2)) -> Split:
    """The 1,797 8x8 handwritten digits (UCI ML repository, bundled with scikit-learn), split at random.

    Parameters
    ----------
    seed : int, optional
        Seed of the (stratified) random split.
    split : (float, float, float), optional
        Fractions for train, validation and test; they must sum to 1. Each class is split in these
        proportions (stratified), so every part has about the same class balance.

    Returns
    -------
    Split
        ``train``, ``val`` and ``test``, each ``(X, y)``: X float32 of shape (n, 1, 8, 8) with values in
        [0, 1] (the 0..16 pixel counts divided by 16), y int64 class numbers 0..9.

    Raises
    ------
    ValueError
        If ``split`` is not three non-negative fractions summing to 1.
    ImportError
        If scikit-learn (the ``learn`` extra) is not installed.

    References
    ----------
    E. Alpaydin, C. Kaynak, "Optical recognition of handwritten digits", UCI Machine Learning Repository,
    1998, DOI 10.24432/C50P49. F. Pedregosa et al., "Scikit-learn: machine learning in Python", JMLR 12,
    2825-2830, 2011.

    Examples
    --------
    >>> parts = digits(seed=0)
    >>> [len(y) for _, y in parts], parts.train[0].shape[1:], parts.train[0].dtype
    ([1078, 360, 359], (1, 8, 8), dtype('float32'))
    """
    func = "digits"
    fractions = _fractions(split, func)
    rng = _validate.as_rng(seed, func)
    from sklearn.datasets import load_digits

    bunch = load_digits()
    x = (bunch.images / 16.0).astype(np.float32)[:, None]
    y = bunch.target.astype(np.int64)
    parts = [[], [], []]
    for label in np.unique(y):
        idx = rng.permutation(np.flatnonzero(y == label))
        cuts = np.round(np.cumsum(fractions)[:2] * len(idx)).astype(int)
        for part, chunk in zip(parts, np.split(idx, cuts)):
            part.append(chunk)
    out = []
    for part in parts:
        idx = rng.permutation(np.concatenate(part))
        out.append((x[idx], y[idx]))
    return Split(*out)


def _fractions(split, func):
    try:
        fractions = np.array([float(f) for f in split])
    except (TypeError, ValueError):
        _validate.fail(func, "split", split, "three fractions (train, val, test)", TypeError)
    if fractions.shape != (3,) or (fractions < 0).any() or abs(fractions.sum() - 1) > 1e-9 or fractions[0] == 0:
        _validate.fail(func, "split", split, "three non-negative fractions (train > 0) summing to 1")
    return fractions


def synthetic_cells(n: int, shape=(128, 128), *, seed=0, radius=(5.0, 11.0), density=1.0, noise=1.0,
                    blur=1.2, photons=60.0) -> Cells:
    """Fluorescence-microscopy-like images of cells with exact masks: elliptic cells, some touching, on an
    uneven background, blurred by the optics, with photon (Poisson) and read (Gaussian) noise.

    Parameters
    ----------
    n : int
        Number of images.
    shape : (int, int), optional
        (rows, cols) of each image.
    seed : int or numpy.random.Generator, optional
        Seed; the same seed gives the same images.
    radius : (float, float), optional
        Range of the ellipses' semi-axes in pixels.
    density : float, optional
        Scales the number of cells (about one cell per 1,000 pixels at 1).
    noise : float, optional
        Scales the Gaussian read noise (0: Poisson noise only).
    blur : float, optional
        Standard deviation in pixels of the Gaussian PSF (0: no blur).
    photons : float, optional
        Expected photon count of a cell of unit brightness: lower is noisier (Poisson).

    Returns
    -------
    Cells
        ``images`` (n, rows, cols) float32, roughly in [0, 1]; ``masks`` (n, rows, cols) bool, the exact
        union of the ellipses before blur and noise; ``labels`` (n, rows, cols) int32, one label per cell.

    Raises
    ------
    ValueError
        If an argument is out of range.

    Notes
    -----
    Each cell is an ellipse with random semi-axes in ``radius``, orientation and brightness (0.5..1) with a
    smooth texture and a brighter rim-free nucleus-like centre; about a third of the cells are placed
    touching a previous one, none overlap by more than a few pixels (a later cell keeps the shared
    pixels). The background is a smooth random gradient plus a low-frequency field (0.05..0.25). The
    image is blurred with the PSF, converted to photon counts (Poisson), and Gaussian read noise of
    standard deviation 0.02·noise is added.

    References
    ----------
    V. Ulman et al., "An objective comparison of cell-tracking algorithms", Nature Methods 14, 1141-1152,
    2017, DOI 10.1038/nmeth.4473 (synthetic fluorescence data as benchmark ground truth). D. Svoboda,
    M. Kozubek, S. Stejskal, "Generation of digital phantoms of cell nuclei and simulation of image
    formation in 3D image cytometry", Cytometry A 75(6), 494-509, 2009, DOI 10.1002/cyto.a.20714.

    Examples
    --------
    >>> cells = synthetic_cells(2, (64, 64), seed=1)
    >>> cells.images.shape, cells.images.dtype, cells.masks.dtype
    ((2, 64, 64), dtype('float32'), dtype('bool'))
    >>> bool(cells.masks.any()), int(cells.labels.max()) >= 2
    (True, True)
    """
    func = "synthetic_cells"
    n = _validate.positive_int(n, func, "n")
    rows, cols = (_validate.positive_int(s, func, "shape", low=8) for s in shape)
    r_lo, r_hi = _validate.real_pair(radius, func, "radius")
    if r_lo < 1:
        _validate.fail(func, "radius", radius, "a pair (low, high) with 1 <= low < high")
    density = _validate.number(density, func, "density", low=0)
    noise = _validate.number(noise, func, "noise", low=0)
    blur = _validate.number(blur, func, "blur", low=0)
    photons = _validate.number(photons, func, "photons", low=0, low_open=True)
    rng = _validate.as_rng(seed, func)
    images = np.empty((n, rows, cols), np.float32)
    labels = np.zeros((n, rows, cols), np.int32)
    for i in range(n):
        images[i] = _one_image(rows, cols, rng, (r_lo, r_hi), density, noise, blur, photons, labels[i])
    return Cells(images, labels > 0, labels)


def _one_image(rows, cols, rng, radius, density, noise, blur, photons, labels):
    from scipy import ndimage

    rr, cc = np.mgrid[0:rows, 0:cols].astype(np.float64)
    signal = np.zeros((rows, cols))
    n_cells = rng.poisson(density * rows * cols / 1000.0)
    centres: list[tuple[float, float, float]] = []
    placed = 0
    for _ in range(8 * n_cells):
        if placed >= n_cells:
            break
        a, b = rng.uniform(*radius, size=2)
        if centres and rng.random() < 0.35:  # touch a previous cell: start just beyond its outline
            pr, pc, pa = centres[rng.integers(len(centres))]
            angle = rng.uniform(0, 2 * np.pi)
            dist = pa + max(a, b) * 0.9
            r0, c0 = pr + dist * np.sin(angle), pc + dist * np.cos(angle)
        else:
            r0, c0 = rng.uniform(0, rows), rng.uniform(0, cols)
        theta = rng.uniform(0, np.pi)
        dr, dc = rr - r0, cc - c0
        u = (dr * np.cos(theta) + dc * np.sin(theta)) / a
        v = (-dr * np.sin(theta) + dc * np.cos(theta)) / b
        d2 = u * u + v * v
        inside = d2 <= 1.0
        if not inside.any() or np.count_nonzero(inside & (labels > 0)) > 4:
            continue
        placed += 1
        labels[inside] = placed
        centres.append((r0, c0, max(a, b)))
        brightness = rng.uniform(0.5, 1.0)
        profile = brightness * (0.75 + 0.25 * np.exp(-d2 * 1.5))
        signal[inside] = profile[inside]
    texture = ndimage.gaussian_filter(rng.standard_normal((rows, cols)), 2.0)
    texture /= max(np.abs(texture).max(), 1e-12)
    signal *= 1.0 + 0.15 * texture
    gr, gc = rng.uniform(-1, 1, size=2)
    ramp = 0.5 + 0.5 * (gr * (rr / rows - 0.5) + gc * (cc / cols - 0.5))
    field = ndimage.gaussian_filter(rng.standard_normal((rows, cols)), max(rows, cols) / 8.0)
    field = (field - field.min()) / max(np.ptp(field), 1e-12)
    background = 0.05 + 0.1 * ramp + 0.1 * field
    clean = signal + background
    if blur > 0:
        clean = ndimage.gaussian_filter(clean, blur)
    counts = rng.poisson(np.clip(clean, 0, None) * photons) / photons
    return counts + rng.normal(0.0, 0.02 * noise, size=(rows, cols))
