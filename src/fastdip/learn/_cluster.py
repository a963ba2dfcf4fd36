"""Clustering the pixels of an image (or of a feature stack) into a label image: k-means, Gaussian mixtures,
DBSCAN, hierarchical (Ward) clustering on the pixel grid and density peaks."""

from __future__ import annotations

import numbers

import numpy as np

from .. import _validate
from .._docs import fill
from ._density import DecisionGraph, DensityPeaks

__all__ = ["cluster", "DensityPeaks", "DecisionGraph"]

METHODS = ("kmeans", "gmm", "dbscan", "hierarchical", "density_peaks")
COVARIANCES = ("full", "tied", "diag", "spherical")
LINKAGES = ("ward", "complete", "average", "single")
_NEED_K = ("kmeans", "gmm", "hierarchical")


def _features(image, func, channel_axis, spatial_weight):
    """(x (N, F) float64 C-contiguous, spatial shape): one row per pixel, the channels (or the single value)
    then, when ``spatial_weight`` > 0, the pixel's (row, col[, ...]) index times ``spatial_weight``."""
    arr = _validate.image(image, func, param="image_or_features", finite=True)
    axis = _validate.channel_axis(channel_axis, arr.ndim, func)
    x = arr[..., None] if axis is None else np.moveaxis(arr, axis, -1)
    spatial = x.shape[:-1]
    if len(spatial) == 0:
        _validate.fail(func, "image_or_features", arr, "an array with at least one axis besides channel_axis")
    x = x.reshape(-1, x.shape[-1]).astype(np.float64)
    if spatial_weight > 0:
        coords = np.indices(spatial, dtype=np.float64).reshape(len(spatial), -1).T * spatial_weight
        x = np.concatenate([x, coords], axis=1)
    return np.ascontiguousarray(x), spatial


def _random_state(rng, func):
    """An int seed for scikit-learn: the int itself, or one drawn from a Generator (or fresh entropy)."""
    if isinstance(rng, numbers.Integral) and not isinstance(rng, bool):
        return int(rng)
    return int(_validate.as_rng(rng, func).integers(2**31 - 1))


def _first_seen_numbering(labels):
    """Renumber non-negative labels 0, 1, ... in the order of their first pixel; -1 stays."""
    out = np.full(labels.shape, -1, np.int32)
    keep = labels >= 0
    if keep.any():
        values, first = np.unique(labels[keep], return_index=True)
        new = np.empty(values.size, np.int32)
        new[np.argsort(first)] = np.arange(values.size, dtype=np.int32)
        out[keep] = new[np.searchsorted(values, labels[keep])]
    return out


def _dbscan(x, eps, min_samples):
    """scikit-learn's DBSCAN on the distinct feature vectors weighted by their counts (the same core points
    and clusters as on all pixels, in far less memory for images with repeated values)."""
    from sklearn.cluster import DBSCAN

    values, inverse, counts = np.unique(x, axis=0, return_inverse=True, return_counts=True)
    labels = DBSCAN(eps=eps, min_samples=min_samples).fit(values, sample_weight=counts).labels_
    return _first_seen_numbering(labels[inverse.reshape(-1)])


def _hierarchical(x, spatial, n_clusters, linkage):
    from sklearn.cluster import AgglomerativeClustering
    from sklearn.feature_extraction.image import grid_to_graph

    shape = tuple(spatial) + (1,) * (2 - len(spatial)) if len(spatial) < 2 else tuple(spatial)
    connectivity = grid_to_graph(*shape)
    model = AgglomerativeClustering(n_clusters=n_clusters, connectivity=connectivity, linkage=linkage)
    return model.fit_predict(x)


@fill
def cluster(image_or_features, method="kmeans", *, channel_axis=None, spatial_weight=0.0, n_clusters=None,
            rng=None, max_num_iter=300, n_init=1, covariance_type="full", eps=None, min_samples=5,
            linkage="ward", dc=None, kernel="cutoff", halo=False):
    """Cluster the pixels of an image (or of a feature stack) by their values and label each pixel.

    Parameters
    ----------
    image_or_features : (M[, N[, P]][, C]) ndarray
        A grey image, a colour image or a stack of per-pixel features (e.g. from ``fastdip.learn.features``,
        with ``channel_axis=-1``); finite values, never modified. Each pixel's values form its feature vector,
        used in their own units (scale the features first if they differ a lot in range).
    method : {'kmeans', 'gmm', 'dbscan', 'hierarchical', 'density_peaks'}, optional
        The clustering, each through scikit-learn with the settings below: k-means (``KMeans``, k-means++
        seeding then Lloyd's iterations), a Gaussian mixture fitted by EM (``GaussianMixture``, each pixel
        labelled with its most probable component), DBSCAN (``DBSCAN``), agglomerative clustering restricted to
        merges of neighbouring pixels (``AgglomerativeClustering`` with the pixel grid's
        ``grid_to_graph`` connectivity, so that its cost stays near-linear in the pixels: regions come out
        connected), or density peaks (:class:`DensityPeaks`).
    {channel_axis}
    spatial_weight : float, optional
        When > 0, each pixel's (row, col[, plane ...]) index times ``spatial_weight`` is appended to its
        features, so that clusters also gather pixels that lie close together (1.0: one pixel of distance
        weighs as one unit of value). 0 clusters by value only.
    n_clusters : int or None, optional
        The number of clusters: required for 'kmeans', 'gmm' and 'hierarchical'; for 'density_peaks' None picks
        the centres on the decision graph (see :class:`DensityPeaks`); must be None for 'dbscan', which finds
        the number itself.
    {rng}
        An int is passed to scikit-learn as ``random_state`` (so ``rng=0`` gives ``KMeans(random_state=0)``'s
        result); a Generator or None draws such a seed. Used by 'kmeans' and 'gmm'.
    max_num_iter : int, optional
        Most Lloyd or EM iterations ('kmeans', 'gmm'; scikit-learn's ``max_iter``).
    n_init : int, optional
        Number of starts, the best one kept ('kmeans', 'gmm').
    covariance_type : {'full', 'tied', 'diag', 'spherical'}, optional
        The components' covariance model ('gmm').
    eps : float, optional
        The neighbourhood radius of DBSCAN (> 0, in feature units), required for 'dbscan'.
    min_samples : int, optional
        Pixels (the pixel itself included) within ``eps`` that make a core pixel ('dbscan').
    linkage : {'ward', 'complete', 'average', 'single'}, optional
        The merge criterion of 'hierarchical': Ward's least increase of the within-cluster variance, or the
        largest, mean or smallest distance between the two clusters' pixels.
    dc, kernel, halo : optional
        The cutoff distance, density kernel and halo of 'density_peaks' (see :class:`DensityPeaks`; its
        ``dc=None`` rule, ``'cutoff'`` kernel and no halo by default).

    Returns
    -------
    labels : (M[, N[, P]]) ndarray of int32
        The cluster of each pixel, the image's shape without the channel axis: 0..k-1, and -1 for DBSCAN's
        noise and density peaks' halo pixels. 'kmeans', 'gmm' and 'hierarchical' number the clusters as
        scikit-learn does, 'dbscan' in the order of each cluster's first pixel (raster order), 'density_peaks'
        from the densest centre on.

    Raises
    ------
    ValueError
        If a parameter is out of range or missing for the method, or the image is empty or not finite.
    TypeError
        If an argument has the wrong type.

    Notes
    -----
    k-means minimises Σ‖x − μ_c‖²; a Gaussian mixture maximises the likelihood Σ log Σ_c π_c N(x; μ_c, Σ_c);
    DBSCAN grows clusters from core pixels through chains of ``eps``-neighbours (run here on the distinct
    feature vectors weighted by their counts: the same clusters in far less memory; a border pixel within
    ``eps`` of two clusters joins one of them, as in scikit-learn); Ward merges, among neighbouring regions,
    the pair whose merge least increases Σ‖x − μ_c‖². Every pixel's features are float64.

    References
    ----------
    S. P. Lloyd, "Least squares quantization in PCM", IEEE Trans. Inf. Theory 28(2), 129-137, 1982,
    DOI 10.1109/TIT.1982.1056489; D. Arthur, S. Vassilvitskii, "k-means++: the advantages of careful seeding",
    SODA 2007, 1027-1035.
    A. P. Dempster, N. M. Laird, D. B. Rubin, "Maximum likelihood from incomplete data via the EM algorithm",
    J. R. Stat. Soc. B 39(1), 1-38, 1977, DOI 10.1111/j.2517-6161.1977.tb01600.x.
    M. Ester, H.-P. Kriegel, J. Sander, X. Xu, "A density-based algorithm for discovering clusters in large
    spatial databases with noise", KDD 1996, 226-231; E. Schubert et al., "DBSCAN revisited, revisited", ACM
    Trans. Database Syst. 42(3), 19, 2017, DOI 10.1145/3068335.
    J. H. Ward, "Hierarchical grouping to optimize an objective function", J. Am. Stat. Assoc. 58(301),
    236-244, 1963, DOI 10.1080/01621459.1963.10500845.
    A. Rodriguez, A. Laio, "Clustering by fast search and find of density peaks", Science 344(6191),
    1492-1496, 2014, DOI 10.1126/science.1242072.

    Examples
    --------
    >>> import numpy as np
    >>> image = np.array([[10, 10, 200, 200],
    ...                   [12, 11, 205, 199],
    ...                   [10, 13, 201, 202]], dtype=np.uint8)
    >>> cluster(image, "kmeans", n_clusters=2, rng=0)
    array([[1, 1, 0, 0],
           [1, 1, 0, 0],
           [1, 1, 0, 0]], dtype=int32)
    >>> cluster(image, "dbscan", eps=5.0, min_samples=3)
    array([[0, 0, 1, 1],
           [0, 0, 1, 1],
           [0, 0, 1, 1]], dtype=int32)
    >>> cluster(image, "hierarchical", n_clusters=2)
    array([[1, 1, 0, 0],
           [1, 1, 0, 0],
           [1, 1, 0, 0]], dtype=int32)
    """
    func = "cluster"
    _validate.choice(method, func, "method", METHODS)
    spatial_weight = _validate.number(spatial_weight, func, "spatial_weight", low=0)
    if method in _NEED_K:
        if n_clusters is None:
            _validate.fail(func, "n_clusters", n_clusters, f"a positive int for method={method!r}")
        n_clusters = _validate.positive_int(n_clusters, func, "n_clusters")
    elif method == "dbscan" and n_clusters is not None:
        _validate.fail(func, "n_clusters", n_clusters, "None for method='dbscan' (DBSCAN finds the number itself)")
    max_num_iter = _validate.positive_int(max_num_iter, func, "max_num_iter")
    n_init = _validate.positive_int(n_init, func, "n_init")
    _validate.choice(covariance_type, func, "covariance_type", COVARIANCES)
    _validate.choice(linkage, func, "linkage", LINKAGES)
    min_samples = _validate.positive_int(min_samples, func, "min_samples")
    _validate.choice(kernel, func, "kernel", ("cutoff", "gaussian"))
    if dc is not None:
        dc = _validate.number(dc, func, "dc", low=0, low_open=True)
    if not isinstance(halo, (bool, np.bool_)):
        _validate.fail(func, "halo", halo, "True or False", TypeError)
    if method == "dbscan":
        if eps is None:
            _validate.fail(func, "eps", eps, "a positive number for method='dbscan'")
        eps = _validate.number(eps, func, "eps", low=0, low_open=True)
    x, spatial = _features(image_or_features, func, channel_axis, spatial_weight)
    n = x.shape[0]
    if method in _NEED_K and n_clusters > n:
        _validate.fail(func, "n_clusters", n_clusters, f"at most the number of pixels ({n})")

    if method == "kmeans":
        from sklearn.cluster import KMeans

        model = KMeans(n_clusters=n_clusters, n_init=n_init, max_iter=max_num_iter,
                       random_state=_random_state(rng, func))
        labels = model.fit(x).labels_
    elif method == "gmm":
        from sklearn.mixture import GaussianMixture

        model = GaussianMixture(n_components=n_clusters, covariance_type=covariance_type, max_iter=max_num_iter,
                                n_init=n_init, random_state=_random_state(rng, func))
        labels = model.fit(x).predict(x)
    elif method == "dbscan":
        labels = _dbscan(x, eps, min_samples)
    elif method == "hierarchical":
        if len(spatial) > 3:
            _validate.fail(func, "image_or_features", image_or_features,
                           "an image of at most 3 spatial axes for method='hierarchical'")
        labels = _hierarchical(x, spatial, n_clusters, linkage)
    else:
        labels = DensityPeaks(dc, n_clusters, kernel=kernel, halo=halo).fit(x).labels_
    return np.ascontiguousarray(labels, dtype=np.int32).reshape(spatial)
