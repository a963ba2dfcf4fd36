"""A trainable pixel classifier (scribbles in, label image out) and a comparison of the course's classifiers."""

from __future__ import annotations

import dataclasses
import time

import numpy as np

from .. import _validate, parallel
from . import _features, _forest, _modelfile

__all__ = ["PixelClassifier", "compare_classifiers"]

ESTIMATORS = ("random_forest", "extra_trees", "svm", "knn", "lda", "logistic", "naive_bayes", "mlp")
_FEATURE_KEYS = ("sigmas", "kinds", "channel_axis", "spacing")
_DEFAULT_TILE = {2: 256, 3: 64}


def _make_estimator(name: str, seed: int, *, proba: bool = True):
    """A fresh scikit-learn classifier for one of ``ESTIMATORS``; scale-sensitive learners standardise first."""
    from sklearn.discriminant_analysis import LinearDiscriminantAnalysis
    from sklearn.ensemble import ExtraTreesClassifier, RandomForestClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.naive_bayes import GaussianNB
    from sklearn.neighbors import KNeighborsClassifier
    from sklearn.neural_network import MLPClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.svm import SVC

    jobs = parallel.get_threads()
    if name == "random_forest":
        return RandomForestClassifier(n_estimators=100, n_jobs=jobs, random_state=seed)
    if name == "extra_trees":
        return ExtraTreesClassifier(n_estimators=100, n_jobs=jobs, random_state=seed)
    if name == "lda":
        return LinearDiscriminantAnalysis()
    if name == "naive_bayes":
        return GaussianNB()
    if name == "svm" and proba:
        from sklearn.calibration import CalibratedClassifierCV

        # SVC(probability=True) is deprecated since scikit-learn 1.9: Platt scaling through the calibrator
        return make_pipeline(StandardScaler(), CalibratedClassifierCV(SVC(kernel="rbf"), ensemble=False))
    learner = {
        "svm": lambda: SVC(kernel="rbf"),
        "knn": lambda: KNeighborsClassifier(n_neighbors=5),
        "logistic": lambda: LogisticRegression(max_iter=1000),
        "mlp": lambda: MLPClassifier(hidden_layer_sizes=(100,), max_iter=300, early_stopping=True,
                                     random_state=seed),
    }[name]()
    return make_pipeline(StandardScaler(), learner)


def _check_estimator(estimator, func: str):
    if isinstance(estimator, str):
        return _validate.choice(estimator, func, "estimator", ESTIMATORS)
    if not (hasattr(estimator, "fit") and hasattr(estimator, "predict")):
        _validate.fail(func, "estimator", estimator, "one of " + ", ".join(map(repr, ESTIMATORS))
                       + " or a scikit-learn classifier instance", TypeError)
    return estimator


def _check_feature_settings(features, func: str) -> dict:
    if features is None:
        return {}
    if not isinstance(features, dict) or not set(features) <= set(_FEATURE_KEYS):
        _validate.fail(func, "features", features, "None or a dict with keys among " + ", ".join(_FEATURE_KEYS),
                       TypeError if not isinstance(features, dict) else ValueError)
    return dict(features)


_tiles = _features._tiles


class PixelClassifier:
    """Segment images by painting a few scribbles: multi-scale pixel features and a classifier trained on
    the scribbled pixels (ilastik's and Trainable Weka Segmentation's pixel classification).

    Parameters
    ----------
    estimator : str or scikit-learn classifier, optional
        'random_forest' (100 trees, default), 'extra_trees' (100 trees), 'svm' (RBF), 'knn' (k = 5),
        'lda', 'logistic', 'naive_bayes' (Gaussian) or 'mlp' (one hidden layer of 100, early stopping), the
        scale-sensitive ones (svm, knn, logistic, mlp) after standardisation; or any scikit-learn classifier with
        ``predict_proba``, used as given.
    features : dict, optional
        Settings for ``fastdip.learn.features``: keys among 'sigmas', 'kinds', 'channel_axis' (colour
        images), 'spacing'; default: its defaults.
    rng : None, int or numpy.random.Generator, optional
        The random source of the estimator (bootstrap, splits, initial weights): the same seed gives the same
        model and the same predictions.
    tile : int or tuple of int, optional
        The inner block size for feature computation and prediction (default 256 per axis in 2-D, 64 in 3-D).

    Attributes
    ----------
    classes_ : ndarray of int
        The scribble labels seen in ``fit``, sorted; ``predict`` returns these values.
    feature_names_ : list of str
        The name of every feature column.
    feature_importances_ : dict
        {feature name: importance} for forests (mean decrease in impurity), largest first.

    Notes
    -----
    Features are computed tile by tile, each scale on the tile grown by that scale's reach (the largest is
    ``features_radius``): extra memory is bounded by the tile (times the threads that take tiles when cores
    are idle), and every pixel gets exactly its whole-image features. Fitted random forests and extra-trees
    are evaluated by fastdip's numba kernel (sklearn's ``predict_proba`` to within float rounding, identical
    labels; ``predict`` stops summing a pixel's trees once no remaining tree can change its class), so their
    tiled result equals the whole-image result exactly; other learners
    get exactly the same features, but BLAS may round their products differently for another number of rows
    (about 1e-7). ``predict`` is the argmax of ``predict_proba`` for every estimator; 'svm' probabilities
    come from Platt scaling (``CalibratedClassifierCV``).

    References
    ----------
    .. [1] Breiman, L. (2001). Random forests. Machine Learning, 45(1), 5-32.
       https://doi.org/10.1023/A:1010933404324
    .. [2] Geurts, P., Ernst, D., & Wehenkel, L. (2006). Extremely randomized trees. Machine Learning, 63(1),
       3-42. https://doi.org/10.1007/s10994-006-6226-1
    .. [3] Sommer, C., Straehle, C., Koethe, U., & Hamprecht, F. A. (2011). ilastik: Interactive learning
       and segmentation toolkit. IEEE ISBI, 230-233. https://doi.org/10.1109/ISBI.2011.5872394
    .. [4] Arganda-Carreras, I. et al. (2017). Trainable Weka Segmentation: a machine learning tool for
       microscopy pixel classification. Bioinformatics, 33(15), 2424-2426.
       https://doi.org/10.1093/bioinformatics/btx180

    Examples
    --------
    >>> import numpy as np
    >>> from fastdip.learn import PixelClassifier
    >>> image = np.zeros((32, 32), np.float32)
    >>> image[:, 16:] = 1.0
    >>> scribbles = np.zeros((32, 32), np.uint8)
    >>> scribbles[5, 2:6] = 1
    >>> scribbles[20, 26:30] = 2
    >>> clf = PixelClassifier(features={"sigmas": (1.0,)}, rng=0).fit(image, scribbles)
    >>> labels = clf.predict(image)
    >>> labels.dtype, labels[0, 0], labels[0, 31]
    (dtype('uint8'), np.uint8(1), np.uint8(2))
    """

    def __init__(self, estimator="random_forest", *, features=None, rng=None, tile=None):
        func = "PixelClassifier"
        self.estimator = _check_estimator(estimator, func)
        self.features = _check_feature_settings(features, func)
        self.rng = rng
        self.tile = tile
        _validate.as_rng(rng, func)  # refuse a bad rng now, not at fit
        self.estimator_ = None
        self._packed = None
        self._raw = None
        self._plan = None
        self._channels = None
        self.classes_ = None
        self._importances = None

    # -- helpers ------------------------------------------------------------------------------------------

    def _name(self) -> str:
        return self.estimator if isinstance(self.estimator, str) else type(self.estimator).__name__

    def _prepare(self, image, func: str, param: str = "image"):
        try:
            x, _ = _features._prepare(image, func, self.features.get("channel_axis"))
        except ValueError as exc:
            if param == "image":
                raise
            raise ValueError(str(exc).replace(": image ", f": {param} ", 1)) from None
        return x

    def _tile_shape(self, ndim: int, func: str, tile) -> tuple[int, ...]:
        tile = self.tile if tile is None else tile
        if tile is None:
            return (_DEFAULT_TILE[ndim],) * ndim
        return _validate.sizes(tile, func, ndim, param="tile")

    def _check_fitted(self, func: str) -> None:
        if self.classes_ is None:
            raise ValueError(f"{func}: this PixelClassifier is not fitted yet; call fit(images, scribbles) first")

    def _check_image(self, x: np.ndarray, func: str) -> None:
        if x.ndim - 1 != self._plan.ndim or x.shape[0] != self._channels:
            raise ValueError(f"{func}: image must have {self._plan.ndim} spatial axes and {self._channels} "
                             f"channel(s) like the training images, got an image of shape {x.shape[1:]} with "
                             f"{x.shape[0]} channel(s)")

    def _n_features(self) -> int:
        return len(self._plan.per_channel()) * self._channels

    def _tile_features(self, x, outer, inner):
        """The planar (F, P) features of the pixels ``inner`` of the block ``outer`` of ``x``."""
        return _features._tile_features(x, self._plan, outer, inner)

    # -- fitting --------------------------------------------------------------------------------------------

    def fit(self, images, scribbles):
        """Train on the scribbled pixels of one image or a list of images.

        Parameters
        ----------
        images : ndarray or list of ndarray
            One image or several of the same number of spatial axes (and channels); finite values.
        scribbles : ndarray or list of ndarray
            Integer label images of the images' spatial shapes: 0 = unlabelled, 1..65535 = classes; at least
            two classes in total.

        Returns
        -------
        PixelClassifier
            ``self``, fitted.

        Raises
        ------
        ValueError
            If scribbles have the wrong shape or values, no pixel is labelled, only one class is marked, or
            the images differ in dimensions or channels.
        TypeError
            If scribbles are not integer arrays.

        References
        ----------
        .. [1] Breiman, L. (2001). Random forests. Machine Learning, 45(1), 5-32.
           https://doi.org/10.1023/A:1010933404324

        Examples
        --------
        >>> import numpy as np
        >>> from fastdip.learn import PixelClassifier
        >>> image = np.tile(np.array([0.0, 1.0] * 8, np.float32), (16, 1))
        >>> scribbles = np.zeros((16, 16), np.uint8)
        >>> scribbles[3, :4] = [1, 2, 1, 2]
        >>> PixelClassifier("lda", features={"sigmas": (1.0,)}).fit(image, scribbles).classes_
        array([1, 2])
        """
        func = "PixelClassifier.fit"
        many = isinstance(images, (list, tuple))
        image_list = list(images) if many else [images]
        scribble_list = list(scribbles) if isinstance(scribbles, (list, tuple)) else [scribbles]
        if not image_list or len(scribble_list) != len(image_list):
            _validate.fail(func, "scribbles", scribbles, f"one scribble image per image ({len(image_list)})")
        xs, masks = [], []
        for i, (image, marks) in enumerate(zip(image_list, scribble_list)):
            tag = f"images[{i}]" if many else "image"
            x = self._prepare(image, func, tag)
            if xs and (x.ndim, x.shape[0]) != (xs[0].ndim, xs[0].shape[0]):
                _validate.fail(func, tag, image, "an image with the spatial axes and channels of images[0]")
            marks = self._check_scribbles(marks, x.shape[1:], func, f"scribbles[{i}]" if many else "scribbles")
            xs.append(x)
            masks.append(marks)
        labels = np.unique(np.concatenate([np.unique(m) for m in masks]))
        labels = labels[labels > 0]
        if labels.size == 0:
            raise ValueError(f"{func}: scribbles must label some pixels (1..k; 0 = unlabelled), got no labelled "
                             f"pixel")
        if labels.size < 2:
            raise ValueError(f"{func}: scribbles must mark at least two classes, got only label {int(labels[0])}")
        settings = self.features
        self._plan = _features._make_plan(func, xs[0].ndim - 1, settings.get("sigmas", _features.DEFAULT_SIGMAS),
                                          settings.get("kinds"), settings.get("spacing"))
        self._channels = xs[0].shape[0]
        X, y = self._training_set(xs, masks, func)
        seed = int(_validate.as_rng(self.rng, func).integers(2**31 - 1))
        if isinstance(self.estimator, str):
            est = _make_estimator(self.estimator, seed)
        else:
            from sklearn.base import clone

            est = clone(self.estimator)
            if "random_state" in est.get_params() and est.get_params()["random_state"] is None:
                est.set_params(random_state=seed)
        est.fit(X, y)
        if not hasattr(est, "predict_proba"):
            _validate.fail(func, "estimator", self.estimator, "a classifier with predict_proba", TypeError)
        self.estimator_ = est
        self.classes_ = np.asarray(est.classes_).astype(np.int64)
        self._raw = self._packed = self._importances = None
        if _forest.is_forest(est):
            self._raw = _forest.from_sklearn(est)
            self._packed = _forest.pack(self._raw)
            self._importances = np.asarray(est.feature_importances_, np.float64)
        elif hasattr(est, "feature_importances_"):
            self._importances = np.asarray(est.feature_importances_, np.float64)
        return self

    @staticmethod
    def _check_scribbles(marks, shape, func, param):
        if isinstance(marks, (str, bytes)) or marks is None:
            _validate.fail(func, param, marks, "an integer label image", TypeError)
        arr = np.asarray(marks)
        if arr.dtype.kind not in "ui":
            _validate.fail(func, param, arr, "an integer label image (0 = unlabelled, 1..k = classes)", TypeError)
        if arr.shape != tuple(shape):
            _validate.fail(func, param, arr, f"an array of the image's spatial shape {tuple(shape)}")
        if arr.size and (arr.min() < 0 or arr.max() > 65535):
            _validate.fail(func, param, arr, "labels in 0..65535 (0 = unlabelled)")
        return arr

    def _training_set(self, xs, masks, func):
        """Features of the labelled pixels, tile by tile, in raster order of each image (so the tile size never
        changes the training set)."""
        margin = self._plan.radius()
        Xs, ys = [], []
        for x, marks in zip(xs, masks):
            tile = self._tile_shape(x.ndim - 1, func, None)
            rows, order = [], []
            flat = np.arange(marks.size).reshape(marks.shape)
            for core, outer, inner in _tiles(marks.shape, tile, margin):
                sel = marks[core].reshape(-1) > 0
                if not sel.any():
                    continue
                rows.append(self._tile_features(x, outer, inner)[:, sel].T)
                order.append(flat[core].reshape(-1)[sel])
            index = np.argsort(np.concatenate(order), kind="stable")
            Xs.append(np.concatenate(rows)[index])
            ys.append(marks.reshape(-1)[np.sort(np.concatenate(order))].astype(np.int64))
        return np.concatenate(Xs), np.concatenate(ys)

    # -- prediction -------------------------------------------------------------------------------------------

    def _run(self, image, func: str, tile, want: str):
        """Per tile: features, then class fractions ('proba') or class indices ('labels'). Tiles go to a few
        threads (each running serial kernels) when the image has several and cores are idle."""
        self._check_fitted(func)
        x = self._prepare(image, func)
        self._check_image(x, func)
        shape = x.shape[1:]
        k = self.classes_.size
        if want == "proba":
            result = np.empty(shape + (k,), np.float32)
        else:
            result = np.empty(shape, np.uint8 if self.classes_.max() <= 255 else np.uint16)
        tiles = list(_tiles(shape, self._tile_shape(len(shape), func, tile), self._plan.radius()))

        def one(job):
            core, outer, inner = job
            X = self._tile_features(x, outer, inner)
            core_shape = tuple(s.stop - s.start for s in core)
            if self._packed is not None:
                proba, index = _forest.predict_planar(self._packed, X, proba=want == "proba",
                                                      labels=want == "labels")
            else:
                proba = np.asarray(self.estimator_.predict_proba(X.T), np.float64)
                index = proba.argmax(axis=1)
                proba = proba.astype(np.float32)
            if want == "proba":
                result[core] = proba.reshape(core_shape + (k,))
            else:
                result[core] = self.classes_[index].reshape(core_shape)

        # sklearn learners other than forests keep their own threads
        _features._map_tiles(one, tiles, x.size * self._n_features() if self._packed is not None else 0)
        return result

    def predict(self, image, *, tile=None):
        """The label image: for every pixel the class of highest probability.

        Parameters
        ----------
        image : ndarray
            An image like the training images (same spatial axes and channels), any size.
        tile : int or tuple of int, optional
            Overrides the classifier's tile size (the result does not depend on it).

        Returns
        -------
        ndarray of uint8 (uint16 when a label exceeds 255)
            The scribble label of the most probable class per pixel (the first on ties).

        Raises
        ------
        ValueError
            If the classifier is not fitted or the image does not match the training images.

        References
        ----------
        .. [1] Breiman, L. (2001). Random forests. Machine Learning, 45(1), 5-32.
           https://doi.org/10.1023/A:1010933404324

        Examples
        --------
        >>> import numpy as np
        >>> from fastdip.learn import PixelClassifier
        >>> image = np.zeros((16, 16), np.float32)
        >>> image[8:] = 1.0
        >>> scribbles = np.zeros((16, 16), np.uint8)
        >>> scribbles[1, :] = 3
        >>> scribbles[14, :] = 7
        >>> clf = PixelClassifier("extra_trees", features={"sigmas": (1.0,)}, rng=1).fit(image, scribbles)
        >>> clf.predict(image)[[0, 15], 0]
        array([3, 7], dtype=uint8)
        """
        return self._run(image, "PixelClassifier.predict", tile, "labels")

    def predict_proba(self, image, *, tile=None):
        """The probability of every class at every pixel.

        Parameters
        ----------
        image : ndarray
            An image like the training images.
        tile : int or tuple of int, optional
            Overrides the classifier's tile size (the result does not depend on it).

        Returns
        -------
        (..., k) ndarray of float32
            Class probabilities in ``classes_`` order; they sum to 1 per pixel.

        Raises
        ------
        ValueError
            If the classifier is not fitted or the image does not match the training images.

        References
        ----------
        .. [1] Breiman, L. (2001). Random forests. Machine Learning, 45(1), 5-32.
           https://doi.org/10.1023/A:1010933404324

        Examples
        --------
        >>> import numpy as np
        >>> from fastdip.learn import PixelClassifier
        >>> image = np.zeros((16, 16), np.float32)
        >>> image[8:] = 1.0
        >>> scribbles = np.zeros((16, 16), np.uint8)
        >>> scribbles[1, :], scribbles[14, :] = 1, 2
        >>> clf = PixelClassifier(features={"sigmas": (1.0,)}, rng=0).fit(image, scribbles)
        >>> clf.predict_proba(image)[0, 0]
        array([1., 0.], dtype=float32)
        """
        return self._run(image, "PixelClassifier.predict_proba", tile, "proba")

    def uncertainty(self, image, *, tile=None):
        """1 - the largest class probability per pixel: 0 where the classifier is sure, up to 1 - 1/k.

        Parameters
        ----------
        image : ndarray
            An image like the training images.
        tile : int or tuple of int, optional
            Overrides the classifier's tile size.

        Returns
        -------
        ndarray of float32
            The uncertainty map, of the image's spatial shape.

        Raises
        ------
        ValueError
            If the classifier is not fitted or the image does not match the training images.

        References
        ----------
        .. [1] Sommer, C., Straehle, C., Koethe, U., & Hamprecht, F. A. (2011). ilastik: Interactive learning
           and segmentation toolkit. IEEE ISBI, 230-233. https://doi.org/10.1109/ISBI.2011.5872394
           (uncertainty guides where to add scribbles)

        Examples
        --------
        >>> import numpy as np
        >>> from fastdip.learn import PixelClassifier
        >>> image = np.zeros((16, 16), np.float32)
        >>> image[8:] = 1.0
        >>> scribbles = np.zeros((16, 16), np.uint8)
        >>> scribbles[1, :], scribbles[14, :] = 1, 2
        >>> clf = PixelClassifier(features={"sigmas": (1.0,)}, rng=0).fit(image, scribbles)
        >>> float(clf.uncertainty(image)[0, 0])
        0.0
        """
        proba = self._run(image, "PixelClassifier.uncertainty", tile, "proba")
        return (1.0 - proba.max(axis=-1)).astype(np.float32)

    # -- introspection ------------------------------------------------------------------------------------

    @property
    def feature_names_(self) -> list[str]:
        self._check_fitted("PixelClassifier.feature_names_")
        names = self._plan.per_channel()
        if self._channels == 1 and self.features.get("channel_axis") is None:
            return names
        return [f"ch{c} {name}" for c in range(self._channels) for name in names]

    @property
    def feature_importances_(self) -> dict:
        if self._importances is None:
            raise AttributeError(f"PixelClassifier.feature_importances_: the estimator {self._name()!r} has no "
                                 f"feature importances (forests have; fit one first)")
        pairs = sorted(zip(self.feature_names_, self._importances.tolist()), key=lambda p: -p[1])
        return dict(pairs)

    # -- model files --------------------------------------------------------------------------------------

    def save(self, path, *, overwrite=False):
        """Write the fitted model to a file that cannot run code when loaded (arrays + JSON in a .npz).

        Parameters
        ----------
        path : str or path-like
            The file to write (``.npz`` is customary).
        overwrite : bool, optional
            Replace an existing file (default: refuse).

        Returns
        -------
        pathlib.Path
            The path written.

        Raises
        ------
        ValueError
            If the classifier is not fitted or is not a random forest / extra-trees (other estimators cannot
            be stored without pickle).
        FileExistsError
            If ``path`` exists and ``overwrite`` is False.

        Notes
        -----
        The file is a numpy ``.npz`` of plain arrays (the trees' arrays and the importances) and one JSON text
        (fastdip version, feature settings, classes, names, a SHA-256 of the arrays); ``load`` reads it with
        ``allow_pickle=False`` and checks every index before use.

        References
        ----------
        .. [1] NumPy Enhancement Proposal 1 (NEP 1): a simple file format for NumPy arrays.
           https://numpy.org/neps/nep-0001-npy-format.html

        Examples
        --------
        >>> import numpy as np, tempfile, os
        >>> from fastdip.learn import PixelClassifier
        >>> image = np.zeros((16, 16), np.float32)
        >>> image[8:] = 1.0
        >>> scribbles = np.zeros((16, 16), np.uint8)
        >>> scribbles[1, :], scribbles[14, :] = 1, 2
        >>> clf = PixelClassifier(features={"sigmas": (1.0,)}, rng=0).fit(image, scribbles)
        >>> path = clf.save(os.path.join(tempfile.mkdtemp(), "model.npz"))
        >>> bool((PixelClassifier.load(path).predict(image) == clf.predict(image)).all())
        True
        """
        func = "PixelClassifier.save"
        self._check_fitted(func)
        if self._raw is None:
            raise ValueError(f"{func}: only 'random_forest' and 'extra_trees' models can be saved safely "
                             f"(without pickle), got estimator {self._name()!r}")
        settings = {
            "estimator": self._name(), "features": {**self._plan.to_dict(),
                                                    "channel_axis": self.features.get("channel_axis")},
            "channels": self._channels, "classes": self.classes_.tolist(), "feature_names": self.feature_names_,
        }
        arrays = dict(self._raw)
        arrays["importances"] = self._importances
        return _modelfile.write(path, settings, arrays, overwrite=overwrite, func=func)

    @classmethod
    def load(cls, path):
        """Read a model written by ``save``, refusing anything else.

        Parameters
        ----------
        path : str or path-like
            A file written by ``PixelClassifier.save``.

        Returns
        -------
        PixelClassifier
            A fitted classifier that predicts exactly as the saved one (``estimator_`` is None: the forest
            lives in arrays evaluated by fastdip's kernel).

        Raises
        ------
        ValueError
            If the file is not a fastdip model, was changed after saving, or holds inconsistent arrays.
        OSError
            If the file cannot be read.

        References
        ----------
        .. [1] NumPy Enhancement Proposal 1 (NEP 1): a simple file format for NumPy arrays.
           https://numpy.org/neps/nep-0001-npy-format.html

        Examples
        --------
        >>> import tempfile, pathlib
        >>> from fastdip.learn import PixelClassifier
        >>> bad = pathlib.Path(tempfile.mkdtemp()) / "notes.npz"
        >>> _ = bad.write_text("not a model")
        >>> try:
        ...     PixelClassifier.load(bad)
        ... except ValueError as exc:
        ...     print(str(exc).split(": ")[0], "|", "not a fastdip model file" in str(exc))
        PixelClassifier.load | True
        """
        func = "PixelClassifier.load"
        settings, arrays = _modelfile.read(path, func)
        feat = settings["features"]
        clf = cls(settings["estimator"] if settings["estimator"] in ESTIMATORS else "random_forest",
                  features={"sigmas": feat["sigmas"], "kinds": feat["kinds"], "spacing": feat["spacing"],
                            "channel_axis": feat["channel_axis"]})
        clf._plan = _features._Plan(tuple(feat["sigmas"]), tuple(feat["kinds"]), tuple(feat["spacing"]),
                                    feat["ndim"], feat["mode"])
        clf._channels = settings["channels"]
        clf.classes_ = np.asarray(settings["classes"], np.int64)
        clf._raw = {key: arrays[key] for key in _forest.RAW_KEYS}
        clf._packed = _forest.pack(clf._raw)
        clf._importances = arrays["importances"]
        return clf

    def __repr__(self) -> str:
        state = "unfitted" if self.classes_ is None else f"classes {self.classes_.tolist()}"
        return f"PixelClassifier({self._name()!r}, {state})"


# -- comparing classifiers ----------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class ClassifierScore:
    """One learner's cross-validated scores (means over the folds; seconds per fold)."""

    name: str
    accuracy: float
    macro_f1: float
    fit_seconds: float
    predict_seconds: float


@dataclasses.dataclass(frozen=True)
class ClassifierComparison:
    """The table ``compare_classifiers`` returns: one ``ClassifierScore`` per learner, best accuracy first."""

    rows: tuple
    folds: int

    @property
    def best(self) -> ClassifierScore:
        return self.rows[0]

    def to_csv(self, path=None) -> str:
        """The table as CSV text (and written to ``path`` when given)."""
        lines = ["name,accuracy,macro_f1,fit_seconds,predict_seconds"]
        lines += [f"{r.name},{r.accuracy:.6f},{r.macro_f1:.6f},{r.fit_seconds:.6f},{r.predict_seconds:.6f}"
                  for r in self.rows]
        text = "\n".join(lines) + "\n"
        if path is not None:
            with open(path, "w", encoding="utf-8") as fh:
                fh.write(text)
        return text

    def __str__(self) -> str:
        head = f"{'learner':<14} {'accuracy':>8} {'macro F1':>8} {'fit s':>8} {'predict s':>9}"
        body = [f"{r.name:<14} {r.accuracy:>8.4f} {r.macro_f1:>8.4f} {r.fit_seconds:>8.3f} {r.predict_seconds:>9.4f}"
                for r in self.rows]
        return "\n".join([f"{self.folds}-fold cross-validation", head, *body])

    def __rich__(self):
        from rich.table import Table

        table = Table(title=f"classifiers, {self.folds}-fold cross-validation")
        for column in ("learner", "accuracy", "macro F1", "fit s", "predict s"):
            table.add_column(column, justify="left" if column == "learner" else "right")
        for r in self.rows:
            table.add_row(r.name, f"{r.accuracy:.4f}", f"{r.macro_f1:.4f}", f"{r.fit_seconds:.3f}",
                          f"{r.predict_seconds:.4f}")
        return table


def compare_classifiers(X, y, *, estimators=ESTIMATORS, cv=5, rng=None):
    """Cross-validate the course's classifiers on one data set: accuracy, macro F1 and time per learner.

    Parameters
    ----------
    X : (n_samples, n_features) array_like
        Feature vectors (finite).
    y : (n_samples,) array_like
        Class labels (integers or strings).
    estimators : sequence, optional
        Names among 'random_forest', 'extra_trees', 'svm', 'knn', 'lda', 'logistic', 'naive_bayes', 'mlp'
        (default: all) and/or scikit-learn classifier instances (listed by class name).
    cv : int, optional
        Number of stratified folds (>= 2; each class needs at least ``cv`` samples).
    rng : None, int or numpy.random.Generator, optional
        The random source of the folds and of the learners: the same seed gives the same table (times aside).

    Returns
    -------
    ClassifierComparison
        Rows (name, accuracy, macro_f1, fit_seconds, predict_seconds), best accuracy first; ``print`` it,
        show it with rich (``rich.print(table)``), or ``to_csv()``.

    Raises
    ------
    ValueError
        If shapes disagree, ``cv`` is out of range, a name is unknown, or a class has fewer than ``cv``
        samples.

    Notes
    -----
    Stratified k-fold: every learner sees the same folds; scores are means over the folds, times the mean
    seconds per fold for fitting and for predicting the held-out fold.

    References
    ----------
    .. [1] Hastie, T., Tibshirani, R., & Friedman, J. (2009). The Elements of Statistical Learning (2nd ed.),
       section 7.10 (cross-validation). Springer. https://doi.org/10.1007/978-0-387-84858-7
    .. [2] Breiman, L. (2001). Random forests. Machine Learning, 45(1), 5-32.
       https://doi.org/10.1023/A:1010933404324

    Examples
    --------
    >>> import numpy as np
    >>> from fastdip.learn import compare_classifiers
    >>> rng = np.random.default_rng(0)
    >>> X = np.concatenate([rng.normal(0, 1, (30, 2)), rng.normal(4, 1, (30, 2))])
    >>> y = np.repeat([0, 1], 30)
    >>> table = compare_classifiers(X, y, estimators=("lda", "knn"), cv=3, rng=0)
    >>> [row.name for row in table.rows], table.best.accuracy
    (['lda', 'knn'], 1.0)
    """
    func = "compare_classifiers"
    from sklearn.model_selection import StratifiedKFold
    from threadpoolctl import threadpool_limits

    X = _validate.image(X, func, param="X", ndim=2, finite=True)
    y = np.asarray(y)
    if y.ndim != 1 or y.shape[0] != X.shape[0]:
        _validate.fail(func, "y", y, f"a 1-D array of {X.shape[0]} labels (one per row of X)")
    cv = _validate.positive_int(cv, func, "cv", low=2)
    _, counts = np.unique(y, return_counts=True)
    if counts.min() < cv:
        _validate.fail(func, "cv", cv, f"at most {int(counts.min())} (the smallest class's sample count)")
    if isinstance(estimators, (str, bytes)) or not hasattr(estimators, "__iter__"):
        _validate.fail(func, "estimators", estimators, "a sequence of names or classifier instances", TypeError)
    estimators = [_check_estimator(e, func) for e in estimators]
    if not estimators:
        _validate.fail(func, "estimators", estimators, "at least one name or classifier instance")
    seed = int(_validate.as_rng(rng, func).integers(2**31 - 1))
    folds = list(StratifiedKFold(n_splits=cv, shuffle=True, random_state=seed).split(X, y))
    # BLAS on one thread: for problems this small threads only add wake-ups, and beside a busy process a
    # logistic regression on the digits took 5.5 s with two OpenBLAS threads against 0.1 s with one
    with threadpool_limits(1):
        rows = [_score(est, X, y, folds, seed) for est in estimators]
    rows.sort(key=lambda r: (-r.accuracy, -r.macro_f1))
    return ClassifierComparison(tuple(rows), cv)


def _score(est, X, y, folds, seed) -> ClassifierScore:
    from sklearn.base import clone
    from sklearn.metrics import accuracy_score, f1_score

    name = est if isinstance(est, str) else type(est).__name__
    acc, f1, t_fit, t_pred = [], [], [], []
    for train, test in folds:
        model = _make_estimator(est, seed, proba=False) if isinstance(est, str) else clone(est)
        t0 = time.perf_counter()
        model.fit(X[train], y[train])
        t1 = time.perf_counter()
        pred = model.predict(X[test])
        t2 = time.perf_counter()
        acc.append(accuracy_score(y[test], pred))
        f1.append(f1_score(y[test], pred, average="macro"))
        t_fit.append(t1 - t0)
        t_pred.append(t2 - t1)
    return ClassifierScore(name, float(np.mean(acc)), float(np.mean(f1)), float(np.mean(t_fit)),
                           float(np.mean(t_pred)))
