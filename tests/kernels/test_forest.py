"""Forest inference kernel (fastdip._kernels.forest) against a plain-Python walk of sklearn's tree_ arrays and
against scikit-learn's predict_proba: equal within 1e-6, identical argmax labels."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

pytest.importorskip("sklearn")
from sklearn.ensemble import ExtraTreesClassifier, RandomForestClassifier  # noqa: E402

import fastdip  # noqa: E402
from fastdip import parallel  # noqa: E402
from fastdip._kernels import forest as k  # noqa: E402
from fastdip.learn import _forest  # noqa: E402


def _naive_proba(raw, X):
    """The naive twin (kept here: it reads sklearn's raw arrays, which only this kernel uses): walk each tree
    from its root, left when x <= threshold, average the leaves' class fractions in tree order."""
    counts = raw["node_counts"]
    offsets = np.concatenate([[0], np.cumsum(counts)[:-1]])
    out = np.zeros((X.shape[0], raw["value"].shape[1]))
    for p in range(X.shape[0]):
        for off in offsets:
            node = 0
            while raw["children_left"][off + node] != -1:
                i = off + node
                go_left = X[p, raw["feature"][i]] <= raw["threshold"][i]
                node = raw["children_left"][i] if go_left else raw["children_right"][i]
            out[p] += raw["value"][off + node]
    return out / len(counts)


def _data(n, n_features, n_classes, seed):
    rng = np.random.default_rng(seed)
    X = rng.random((n, n_features)).astype(np.float32)
    y = (X[:, 0] * n_classes + rng.normal(0, 0.7, n)).astype(int).clip(0, n_classes - 1)
    y[:n_classes] = np.arange(n_classes)  # every class present
    return X, y


def test_tiny_forest_by_hand():
    # one stump: feature 1 <= 0.5 -> class fractions (1, 0), else (0.25, 0.75)
    raw = {"node_counts": np.array([3]), "children_left": np.array([1, -1, -1]),
           "children_right": np.array([2, -1, -1]), "feature": np.array([1, -2, -2]),
           "threshold": np.array([0.5, -2.0, -2.0]), "value": np.array([[0.6, 0.4], [1.0, 0.0], [0.25, 0.75]])}
    assert _forest.check(raw, 2, 2) is None
    X = np.array([[9.0, 0.5], [0.0, 0.50001], [0.0, -1.0]], np.float32)
    proba, labels = _forest.predict(_forest.pack(raw), X, proba=True, labels=True)
    np.testing.assert_array_equal(proba, [[1, 0], [0.25, 0.75], [1, 0]])
    np.testing.assert_array_equal(labels, [0, 1, 0])


def test_threshold_rounded_down_decides_like_float64():
    t = 0.1  # not a float32: float32(0.1) > 0.1, so x = float32(0.1) must go right
    raw = {"node_counts": np.array([3]), "children_left": np.array([1, -1, -1]),
           "children_right": np.array([2, -1, -1]), "feature": np.array([0, -2, -2]),
           "threshold": np.array([t, -2.0, -2.0]), "value": np.array([[0.5, 0.5], [1.0, 0.0], [0.0, 1.0]])}
    X = np.array([[np.float32(0.1)], [np.nextafter(np.float32(0.1), np.float32(0))]], np.float32)
    _, labels = _forest.predict(_forest.pack(raw), X, proba=False, labels=True)
    np.testing.assert_array_equal(labels, [1, 0])


# 12 examples x (fit of up to 200 small trees + predict of 300 rows): about 10 s on 2 cores
@settings(max_examples=12, deadline=None)
@given(depth=st.integers(1, 30), trees=st.integers(1, 200), classes=st.integers(2, 10),
       extra=st.booleans(), seed=st.integers(0, 2**16))
def test_kernel_equals_sklearn_predict_proba(depth, trees, classes, extra, seed):
    X, y = _data(400, 6, classes, seed)
    cls = ExtraTreesClassifier if extra else RandomForestClassifier
    forest = cls(n_estimators=trees, max_depth=depth, random_state=seed, n_jobs=1).fit(X, y)
    Xt = np.random.default_rng(seed + 1).random((300, 6)).astype(np.float32)
    Xt[:50] = X[:50]  # training rows sit exactly on thresholds' neighbours
    raw = _forest.from_sklearn(forest)
    assert _forest.check(raw, 6, classes) is None
    proba, labels = _forest.predict(_forest.pack(raw), Xt, proba=True, labels=True)
    ref = forest.predict_proba(Xt)
    np.testing.assert_allclose(proba, ref, rtol=0, atol=1e-6)
    np.testing.assert_array_equal(labels, ref.argmax(axis=1))


def test_kernel_equals_naive_twin_and_py_func():
    X, y = _data(300, 5, 3, 7)
    forest = RandomForestClassifier(n_estimators=7, random_state=0, n_jobs=1).fit(X, y)
    raw = _forest.from_sklearn(forest)
    packed = _forest.pack(raw)
    Xt = np.random.default_rng(8).random((37, 5)).astype(np.float32)
    proba, _ = _forest.predict(packed, Xt, proba=True, labels=False)
    np.testing.assert_allclose(proba, _naive_proba(raw, Xt), rtol=0, atol=1e-7)
    out_p = np.empty((37, 3), np.float32)
    out_l = np.empty(37, np.int32)
    args = (np.ascontiguousarray(Xt.T), *packed.kernel_args(), 8, out_p, out_l, 0, 5)
    k.forest_predict.py_func(*args)  # the plain Python body (interpreted numba helpers)
    np.testing.assert_array_equal(out_p, proba)


def test_bands_of_blocks_on_threads_equal_one_call():
    X, y = _data(500, 4, 4, 3)
    forest = ExtraTreesClassifier(n_estimators=20, random_state=0, n_jobs=1).fit(X, y)
    packed = _forest.pack(_forest.from_sklearn(forest))
    Xt = np.random.default_rng(4).random((3001, 4)).astype(np.float32)
    planar = np.ascontiguousarray(Xt.T)
    n_blocks = -(-3001 // 256)  # the last block is partial
    outs = []
    for blocks, threads in ((1, 1), (5, 3), (n_blocks, 2)):
        p = np.full((3001, 4), -1.0, np.float32)
        lab = np.full(3001, -1, np.int32)
        parallel._run_bands(k.forest_predict, (planar, *packed.kernel_args(), 256, p, lab), n_blocks, blocks,
                            threads)
        outs.append((p, lab))
    for p, lab in outs[1:]:
        np.testing.assert_array_equal(p, outs[0][0])
        np.testing.assert_array_equal(lab, outs[0][1])
    assert (outs[0][1] >= 0).all() and (outs[0][0] >= 0).all()  # every pixel written
    with fastdip.threads(1):
        p1, _ = _forest.predict(packed, Xt, proba=True, labels=False)
    np.testing.assert_array_equal(p1, outs[0][0])


def test_check_refuses_cycles_and_out_of_range():
    X, y = _data(200, 3, 2, 0)
    raw = _forest.from_sklearn(RandomForestClassifier(n_estimators=2, max_depth=3, random_state=0).fit(X, y))
    assert _forest.check(raw, 3, 2) is None
    bad = {key: v.copy() for key, v in raw.items()}
    bad["children_left"][0] = 0  # a node pointing at itself
    assert "after its parent" in _forest.check(bad, 3, 2)
    bad = {key: v.copy() for key, v in raw.items()}
    bad["feature"][0] = 3
    assert "feature" in _forest.check(bad, 3, 2)
    bad = {key: v.copy() for key, v in raw.items()}
    bad["node_counts"][0] += 1
    assert "one entry per node" in _forest.check(bad, 3, 2)
