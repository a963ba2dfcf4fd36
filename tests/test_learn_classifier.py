"""fastdip.learn.PixelClassifier and compare_classifiers: learns textures from sparse scribbles, tiled ==
whole image exactly, reproducible, safe model files, clear errors; the classifier table on the 8x8 digits."""

from __future__ import annotations

import json
import threading
import zipfile

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

pytest.importorskip("sklearn")

import fastdip  # noqa: E402
from fastdip import metrics  # noqa: E402
from fastdip.learn import PixelClassifier, compare_classifiers  # noqa: E402

FAST = {"sigmas": (1.0, 3.0)}  # a small feature set keeps fits around a second


def _textures(seed=0, size=96, classes=2):
    """2 or 3 textures differing in scale and orientation, plus noise; scribbles on 1.5 % of the pixels."""
    rng = np.random.default_rng(seed)
    rows, cols = np.mgrid[:size, :size].astype(np.float64)
    truth = (1 + (cols // (size // 2) + rows // (size // 2)) % 2).astype(np.uint8)
    if classes == 3:
        truth[: size // 2, : size // 2] = 3
    stripes = {1: np.sin(cols / 1.5), 2: np.sin(rows / 5.0), 3: np.sin((rows + cols) / 3.0)}
    image = np.zeros_like(rows)
    for c, s in stripes.items():
        image[truth == c] = s[truth == c]
    image = (image + rng.normal(0, 0.3, image.shape)).astype(np.float32)
    scribbles = np.zeros_like(truth)
    picks = rng.choice(truth.size, int(0.015 * truth.size), replace=False)
    scribbles.flat[picks] = truth.flat[picks]
    return image, scribbles, truth


@pytest.fixture(scope="module")
def fitted():
    image, scribbles, truth = _textures()
    return PixelClassifier(features=FAST, rng=0).fit(image, scribbles), image, scribbles, truth


@pytest.mark.parametrize("classes", [2, 3])
def test_textures_from_sparse_scribbles_dice(classes):
    image, scribbles, truth = _textures(seed=classes, size=128, classes=classes)
    assert (scribbles > 0).mean() < 0.02
    labels = PixelClassifier(rng=0).fit(image, scribbles).predict(image)
    rest = scribbles == 0
    for c in range(1, classes + 1):
        assert metrics.dice((labels == c) & rest, (truth == c) & rest) >= 0.9, c


def test_tiled_prediction_equals_whole_image_exactly(fitted):
    clf, image, _, _ = fitted
    whole = clf.predict_proba(image, tile=image.shape)
    for tile in [(32, 32), (17, 45), 7]:
        np.testing.assert_array_equal(clf.predict_proba(image, tile=tile), whole)
        np.testing.assert_array_equal(clf.predict(image, tile=tile), clf.predict(image, tile=image.shape))


def test_forest_kernel_equals_sklearn_on_the_features(fitted):
    from fastdip.learn import features

    clf, image, _, _ = fitted
    X = features(image, **FAST).reshape(-1, len(clf.feature_names_))
    ref = clf.estimator_.predict_proba(X)
    proba = clf.predict_proba(image).reshape(-1, 2)
    np.testing.assert_allclose(proba, ref, atol=1e-6)
    np.testing.assert_array_equal(clf.predict(image).reshape(-1), clf.classes_[ref.argmax(axis=1)])


def test_same_rng_same_model_and_prediction(fitted):
    clf, image, scribbles, _ = fitted
    again = PixelClassifier(features=FAST, rng=0).fit(image, scribbles)
    np.testing.assert_array_equal(again.predict_proba(image), clf.predict_proba(image))
    assert again.feature_importances_ == clf.feature_importances_


def test_outputs_dtypes_uncertainty_and_importances(fitted):
    clf, image, _, _ = fitted
    proba = clf.predict_proba(image)
    assert proba.dtype == np.float32 and proba.shape == image.shape + (2,)
    np.testing.assert_allclose(proba.sum(axis=-1), 1.0, atol=1e-6)
    unc = clf.uncertainty(image)
    np.testing.assert_allclose(unc, 1 - proba.max(axis=-1), atol=1e-7)
    assert unc.dtype == np.float32 and 0 <= unc.min() and unc.max() <= 0.5
    labels = clf.predict(image)
    assert labels.dtype == np.uint8 and set(np.unique(labels)) <= {1, 2}
    imp = clf.feature_importances_
    assert list(imp) == sorted(imp, key=imp.get, reverse=True) and abs(sum(imp.values()) - 1) < 1e-9
    assert set(imp) == set(clf.feature_names_)


def test_large_labels_give_uint16_and_many_images():
    image, scribbles, truth = _textures(seed=4, size=48)
    big = np.where(scribbles == 2, 300, scribbles.astype(np.uint16))
    clf = PixelClassifier("extra_trees", features=FAST, rng=1).fit([image, image[::-1]], [big, big[::-1]])
    assert clf.classes_.tolist() == [1, 300] and clf.predict(image).dtype == np.uint16


@pytest.mark.parametrize("name", ["svm", "knn", "lda", "logistic", "naive_bayes", "mlp"])
def test_other_learners_predict_and_refuse_to_save(name, tmp_path):
    image, scribbles, truth = _textures(seed=2, size=48)
    clf = PixelClassifier(name, features=FAST, rng=0).fit(image, scribbles)
    proba = clf.predict_proba(image)
    np.testing.assert_array_equal(clf.predict(image), clf.classes_[proba.argmax(axis=-1)])
    # the features are exact per tile; BLAS-based learners may round differently for other batch sizes
    np.testing.assert_allclose(clf.predict_proba(image, tile=13), proba, rtol=0, atol=1e-5)
    with pytest.raises(ValueError, match="PixelClassifier.save: only 'random_forest' and 'extra_trees'"):
        clf.save(tmp_path / "m.npz")


def test_sklearn_instance_as_estimator():
    from sklearn.ensemble import RandomForestClassifier

    image, scribbles, _ = _textures(seed=3, size=48)
    user = RandomForestClassifier(n_estimators=10, max_depth=6)
    clf = PixelClassifier(user, features=FAST, rng=5).fit(image, scribbles)
    assert not hasattr(user, "estimators_")  # the caller's instance is not modified
    assert clf.estimator_.random_state is not None and clf.predict(image).shape == image.shape


# -- model files ----------------------------------------------------------------------------------------


def test_save_load_round_trip_predicts_identically(fitted, tmp_path):
    clf, image, _, _ = fitted
    path = clf.save(tmp_path / "model.npz")
    loaded = PixelClassifier.load(path)
    np.testing.assert_array_equal(loaded.predict_proba(image), clf.predict_proba(image))
    np.testing.assert_array_equal(loaded.predict(image, tile=21), clf.predict(image))
    assert loaded.feature_importances_ == clf.feature_importances_
    assert loaded.feature_names_ == clf.feature_names_
    with pytest.raises(FileExistsError):
        clf.save(path)
    clf.save(path, overwrite=True)
    with zipfile.ZipFile(path) as z:
        meta = json.loads(np.lib.format.read_array(z.open("settings_json.npy")).tobytes())
    assert meta["fastdip_version"] and meta["classes"] == [1, 2] and meta["features"]["sigmas"] == [1.0, 3.0]


def _rewrite(path, out, change):
    with np.load(path) as npz:
        arrays = {k: npz[k] for k in npz.files}
    change(arrays)
    with open(out, "wb") as fh:
        np.savez(fh, **arrays)


def test_tampered_and_foreign_files_refused(fitted, tmp_path):
    clf, _, _, _ = fitted
    path = clf.save(tmp_path / "model.npz")

    def flip_child(a):
        a["children_left"][0] = 0

    _rewrite(path, tmp_path / "t1.npz", flip_child)
    with pytest.raises(ValueError, match="changed after saving"):
        PixelClassifier.load(tmp_path / "t1.npz")

    def swap_settings(a):
        meta = json.loads(a["settings_json"].tobytes())
        meta["classes"] = [1]
        a["settings_json"] = np.frombuffer(json.dumps(meta).encode(), np.uint8)

    _rewrite(path, tmp_path / "t2.npz", swap_settings)
    with pytest.raises(ValueError, match="classes must be"):
        PixelClassifier.load(tmp_path / "t2.npz")

    np.savez(tmp_path / "other.npz", x=np.zeros(3))
    with pytest.raises(ValueError, match="not a fastdip model file .*unexpected contents"):
        PixelClassifier.load(tmp_path / "other.npz")
    np.save(tmp_path / "obj.npy", np.array([{"a": 1}], dtype=object), allow_pickle=True)
    with pytest.raises(ValueError, match="not a fastdip model file"):
        PixelClassifier.load(tmp_path / "obj.npy")
    (tmp_path / "text.npz").write_text("hello")
    with pytest.raises(ValueError, match="not a fastdip model file"):
        PixelClassifier.load(tmp_path / "text.npz")


# -- errors ---------------------------------------------------------------------------------------------


def test_fit_errors_are_clear():
    image, scribbles, _ = _textures(size=32)
    clf = PixelClassifier(features=FAST)
    with pytest.raises(ValueError, match="at least two classes, got only label 1"):
        clf.fit(image, np.where(scribbles > 0, 1, 0).astype(np.uint8))
    with pytest.raises(ValueError, match="no labelled pixel"):
        clf.fit(image, np.zeros_like(scribbles))
    with pytest.raises(ValueError, match=r"PixelClassifier.fit: scribbles must be an array of the image's spatial"):
        clf.fit(image, scribbles[:, :-1])
    with pytest.raises(TypeError, match="integer label image"):
        clf.fit(image, scribbles.astype(np.float32))
    with pytest.raises(ValueError, match="one scribble image per image"):
        clf.fit([image, image], [scribbles])
    with pytest.raises(ValueError, match="PixelClassifier: estimator must be one of"):
        PixelClassifier("gradient_boosting")
    with pytest.raises(ValueError, match="not fitted"):
        clf.predict(image)


def test_predict_refuses_other_dimensions(fitted):
    clf, image, _, _ = fitted
    with pytest.raises(ValueError, match="PixelClassifier.predict: image must have 2 spatial axes"):
        clf.predict(np.zeros((4, 5, 6), np.float32))


# -- compare_classifiers ----------------------------------------------------------------------------------


def test_compare_classifiers_on_digits():
    from sklearn.datasets import load_digits

    digits = load_digits()
    table = compare_classifiers(digits.data, digits.target, cv=3, rng=0)
    names = {r.name for r in table.rows}
    assert names == {"random_forest", "extra_trees", "svm", "knn", "lda", "logistic", "naive_bayes", "mlp"}
    assert table.best.accuracy >= 0.97
    assert all(0 <= r.macro_f1 <= 1 and r.fit_seconds >= 0 for r in table.rows)
    csv = table.to_csv()
    assert csv.splitlines()[0] == "name,accuracy,macro_f1,fit_seconds,predict_seconds" and len(csv.splitlines()) == 9
    assert table.best.name in str(table)
    from rich.console import Console

    console = Console(record=True, width=100)
    console.print(table)
    assert "macro F1" in console.export_text()


def test_compare_classifiers_errors():
    X = np.zeros((10, 2))
    with pytest.raises(ValueError, match="compare_classifiers: y must be"):
        compare_classifiers(X, np.zeros(9))
    with pytest.raises(ValueError, match="compare_classifiers: cv must be at most 5"):
        compare_classifiers(X, np.repeat([0, 1], 5), cv=6)
    with pytest.raises(ValueError, match="estimator must be one of"):
        compare_classifiers(X, np.repeat([0, 1], 5), estimators=("tree",), cv=2)


# -- fast prediction paths ------------------------------------------------------------------------------------


@settings(max_examples=6, deadline=None)
@given(trees=st.integers(1, 40), depth=st.integers(1, 12), classes=st.integers(2, 5),
       extra=st.booleans(), seed=st.integers(0, 2**16))
# classes 1 and 3 sum to 7/9 one ulp apart (0 + 4/9 + 1/3 against 1/6 + 1/9 + 1/2) and tie once divided by 3
@example(trees=3, depth=5, classes=5, extra=True, seed=433)
def test_labels_alone_stop_early_yet_equal_sklearns_argmax(trees, depth, classes, extra, seed):
    # labels without probabilities leave a pixel once its class cannot change; stumps on few distinct values
    # make exact ties (which sklearn's argmax gives to the first class), the case the margin must respect
    from sklearn.ensemble import ExtraTreesClassifier, RandomForestClassifier

    from fastdip.learn import _forest

    rng = np.random.default_rng(seed)
    X = rng.integers(0, 4, (300, 3)).astype(np.float32)
    y = rng.integers(0, classes, 300)
    y[:classes] = np.arange(classes)
    cls = ExtraTreesClassifier if extra else RandomForestClassifier
    forest = cls(n_estimators=trees, max_depth=depth, random_state=seed, n_jobs=1).fit(X, y)
    packed = _forest.pack(_forest.from_sklearn(forest))
    Xt = np.concatenate([X[:100], rng.random((100, 3)).astype(np.float32) * 4])
    ref = forest.predict_proba(Xt).argmax(axis=1)
    _, alone = _forest.predict(packed, Xt, proba=False, labels=True)
    _, with_proba = _forest.predict(packed, Xt, proba=True, labels=True)
    np.testing.assert_array_equal(alone, ref)
    np.testing.assert_array_equal(with_proba, ref)


def test_tiles_on_threads_equal_one_thread(fitted, monkeypatch):
    from fastdip import parallel
    from fastdip.learn import _classifier

    clf, image, _, _ = fitted
    with fastdip.threads(1):
        proba = clf.predict_proba(image, tile=(40, 33))
        labels = clf.predict(image, tile=(40, 33))
    monkeypatch.setattr(_classifier._features, "_MIN_THREADED_WORK", 0)
    seen = set()
    real = _classifier._features._compute

    def spy(*args, **kwargs):
        seen.add(threading.current_thread().name)
        return real(*args, **kwargs)

    monkeypatch.setattr(_classifier._features, "_compute", spy)
    with fastdip.threads(2):
        np.testing.assert_array_equal(clf.predict_proba(image, tile=(40, 33)), proba)
        np.testing.assert_array_equal(clf.predict(image, tile=(40, 33)), labels)
    if parallel._usable_cores() > 1:
        assert len(seen) >= 2 and threading.main_thread().name not in seen  # two workers per call


def test_default_features_tiled_equal_whole_image_per_scale_margins():
    # each scale computes on its own margin around the tile (sigma 0.7 needs 5 pixels, sigma 10 needs 61)
    from fastdip.learn import _classifier, _features, features

    image = _textures(seed=5, size=150)[0]
    whole = features(image)
    plan = _features._make_plan("t", 2, _features.DEFAULT_SIGMAS, None, None)
    assert plan.scale_radius(0.7) == (5, 5) and plan.radius() == (61, 61)
    x = image[None]
    for core, outer, inner in _classifier._tiles(image.shape, (64, 41), plan.radius()):
        n = (core[0].stop - core[0].start) * (core[1].stop - core[1].start)
        out = np.empty((whole.shape[-1], n), np.float32)
        _features._compute(x[(slice(None),) + outer], plan, out, inner, planar=True)
        np.testing.assert_array_equal(out.T.reshape(whole[core].shape), whole[core])


def test_labels_alone_keep_a_pixel_whose_lead_equals_the_trees_left():
    # three one-leaf trees: (0, 1), (0.5, 0.5), (1, 0). After two trees class 1 leads by exactly 1 with one
    # tree left, which can still tie it: the sums end (1.5, 1.5) and sklearn's argmax says class 0
    from fastdip.learn import _forest

    raw = {"node_counts": np.array([1, 1, 1]), "children_left": np.full(3, -1), "children_right": np.full(3, -1),
           "feature": np.full(3, -2), "threshold": np.full(3, -2.0),
           "value": np.array([[0.0, 1.0], [0.5, 0.5], [1.0, 0.0]])}
    assert _forest.check(raw, 1, 2) is None
    X = np.zeros((5, 1), np.float32)
    _, labels = _forest.predict(_forest.pack(raw), X, proba=False, labels=True)
    np.testing.assert_array_equal(labels, 0)
    raw["value"][2] = [0.0, 1.0]  # now class 1 wins 2.5 to 0.5, decided after two trees
    _, labels = _forest.predict(_forest.pack(raw), X, proba=False, labels=True)
    np.testing.assert_array_equal(labels, 1)
