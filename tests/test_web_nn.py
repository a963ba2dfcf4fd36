"""The neural-network playground (``/nn``): toy data sets against their definitions, settings validation,
training against the from-scratch numpy MLP (fastdip.nn.scratch) for every optimiser and penalty, determinism,
XOR learnt to >= 95 % test accuracy, the decision surface and neuron maps against the model, the session store
and every JSON endpoint with its error paths (4xx JSON, never a 500)."""

from __future__ import annotations

import base64
import json
import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings as hsettings, strategies as st

pytest.importorskip("torch")
pytest.importorskip("fastapi")

import torch  # noqa: E402

from fastdip.nn import scratch  # noqa: E402
from fastdip.web import _nn, _nn_train as T  # noqa: E402

with warnings.catch_warnings():  # starlette asks for httpx2 at import; httpx is what the dev extra pins
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient  # noqa: E402


@pytest.fixture(scope="module")
def client():
    from fastdip.web import create_app

    with TestClient(create_app(), base_url="http://127.0.0.1") as c:
        yield c


def _f32(b64):
    return np.frombuffer(base64.b64decode(b64), "<f4")


# ---------------------------------------------------------------- data sets against their definitions

def test_xor_labels_are_the_sign_of_x_times_y():
    x, y = T.make_dataset("xor", 1000, rng=1)
    assert np.array_equal(y, (x[:, 0] * x[:, 1] > 0).astype(np.int64))
    assert np.all(np.abs(x) >= 0.3) and np.all(np.abs(x) <= T.RADIUS + 0.3)
    assert 0.4 < y.mean() < 0.6  # the four quadrants are equally likely


def test_circles_inner_disc_and_outer_ring():
    x, y = T.make_dataset("circles", 600, rng=2)
    r = np.hypot(x[:, 0], x[:, 1])
    assert (y == 1).sum() == 300 and (y == 0).sum() == 300
    assert r[y == 1].max() <= 0.5 * T.RADIUS
    assert r[y == 0].min() >= 0.7 * T.RADIUS and r[y == 0].max() <= T.RADIUS


def test_spirals_follow_r_and_angle_of_the_definition():
    n = 400
    x, y = T.make_dataset("spirals", n, rng=3)
    r = np.hypot(x[:, 0], x[:, 1])
    angle = np.arctan2(x[:, 0], x[:, 1])  # (x, y) = (r sin t, r cos t)
    for label, delta in ((1, 0.0), (0, np.pi)):
        rs, angles = r[y == label], angle[y == label]
        # radii are R i / m for i = 0..m-1
        m = len(rs)
        assert np.allclose(np.sort(rs), T.RADIUS * np.arange(m) / m, atol=1e-12)
        expected = 1.75 * 2 * np.pi * rs / T.RADIUS + delta
        keep = rs > 1e-9
        diff = np.angle(np.exp(1j * (angles[keep] - expected[keep])))
        assert np.abs(diff).max() < 1e-9


def test_blobs_have_the_stated_means_and_unit_spread():
    x, y = T.make_dataset("blobs", 4000, rng=4)
    for label, centre in ((1, 2.0), (0, -2.0)):
        pts = x[y == label]
        # standard error of a mean of 2000 unit-variance values: 0.022; 5 of them
        assert np.allclose(pts.mean(axis=0), centre, atol=0.11)
        assert np.allclose(pts.std(axis=0), 1.0, atol=0.06)


def test_linear_classes_lie_on_either_side_of_the_line_with_a_margin():
    x, y = T.make_dataset("linear", 800, rng=5)
    d = (x[:, 0] + x[:, 1]) / np.sqrt(2)
    assert np.array_equal(y, (d > 0).astype(np.int64))
    assert np.abs(d).min() >= 0.3 and np.abs(d).max() <= 0.7 * T.RADIUS


@pytest.mark.parametrize("name", T.DATASETS)
def test_noise_adds_gaussian_jitter_of_the_stated_sigma_and_keeps_labels(name):
    clean, y0 = T.make_dataset(name, 2000, noise=0.0, rng=6)
    noisy, y1 = T.make_dataset(name, 2000, noise=0.4, rng=6)
    assert np.array_equal(y0, y1)
    jitter = noisy - clean
    sigma = 0.4 * T.RADIUS / 2
    # 4000 draws: the sample std is within 3 % of sigma (5 standard errors)
    assert abs(jitter.std() / sigma - 1) < 0.06
    assert abs(jitter.mean()) < 5 * sigma / np.sqrt(4000)


@hsettings(max_examples=25, deadline=None)  # ~2 ms each
@given(name=st.sampled_from(T.DATASETS), n=st.integers(2, 300), seed=st.integers(0, 2**31 - 1),
       noise=st.floats(0, 0.5), fraction=st.floats(0.1, 0.9))
def test_dataset_shapes_balance_determinism_and_split(name, n, seed, noise, fraction):
    x, y = T.make_dataset(name, n, noise=noise, rng=seed)
    x2, y2 = T.make_dataset(name, n, noise=noise, rng=seed)
    assert x.shape == (n, 2) and x.dtype == np.float64 and y.dtype == np.int64
    assert np.array_equal(x, x2) and np.array_equal(y, y2)
    assert set(np.unique(y)) <= {0, 1}
    if name != "xor":
        assert (y == 1).sum() == n // 2
    s = T.split_dataset(x, y, fraction)
    assert len(s.x_train) + len(s.x_test) == n and len(s.x_train) >= 1 and len(s.x_test) >= 1
    assert abs(len(s.x_train) - n * fraction) <= 1
    assert np.array_equal(np.concatenate([s.x_train, s.x_test]), x)


def test_grid_points_are_cell_centres_row_zero_on_top():
    g = T.grid_points(4, 6.0).reshape(4, 4, 2)
    assert np.allclose(g[0, :, 0], [-4.5, -1.5, 1.5, 4.5])
    assert np.allclose(g[:, 0, 1], [4.5, 1.5, -1.5, -4.5])


# ---------------------------------------------------------------- settings

def test_defaults_parse_to_the_default_settings():
    assert T.parse_settings({}) == T.Settings()
    assert T.parse_settings(dict(T.DEFAULTS)).as_dict() == T.DEFAULTS


@pytest.mark.parametrize("name", sorted(set(T.LIMITS) - {"layers", "neurons"}))
def test_every_numeric_setting_accepts_its_limits_and_refuses_beyond(name):
    low, high = T.LIMITS[name]
    assert getattr(T.parse_settings({name: low}), name) == low
    assert getattr(T.parse_settings({name: high}), name) == high
    step = 1 if isinstance(low, int) else (high - low) * 1e-3
    for bad in (low - step, high + step):
        with pytest.raises(T.SettingsError) as err:
            T.parse_settings({name: bad})
        assert err.value.param == name and name in str(err.value) and repr(bad) in str(err.value)
    for bad in (True, "1", None, [1]):
        with pytest.raises(T.SettingsError) as err:
            T.parse_settings({name: bad})
        assert err.value.param == name


@pytest.mark.parametrize("bad", [math.nan, math.inf])
def test_non_finite_numbers_are_refused(bad):
    with pytest.raises(T.SettingsError, match="lr"):
        T.parse_settings({"lr": bad})


@pytest.mark.parametrize("hidden, ok", [([], True), ([8] * 6, True), ([1], True), ([8] * 7, False), ([0], False),
                                        ([9], False), ([2.5], False), ("4,4", False), ([True], False)])
def test_hidden_layers_limits(hidden, ok):
    if ok:
        assert T.parse_settings({"hidden": hidden}).hidden == tuple(hidden)
    else:
        with pytest.raises(T.SettingsError) as err:
            T.parse_settings({"hidden": hidden})
        assert err.value.param == "hidden"


@pytest.mark.parametrize("name", ["dataset", "activation", "optimizer", "regularization"])
def test_choices_refuse_unknown_names_and_non_strings(name):
    for bad in ("nope", 1, None, ["xor"]):
        with pytest.raises(T.SettingsError) as err:
            T.parse_settings({name: bad})
        assert err.value.param == name


def test_unknown_settings_and_non_objects_are_refused():
    with pytest.raises(T.SettingsError, match="unknown setting 'epochs'"):
        T.parse_settings({"epochs": 3})
    with pytest.raises(T.SettingsError, match="JSON object"):
        T.parse_settings([1, 2])


# ---------------------------------------------------------------- training against the numpy reference

def _reference_losses(session, epochs, batch_order=None):
    """Train fastdip.nn.scratch.MLP (numpy, float64) from the session's initial weights with the same
    optimiser, penalty and batches; return the full-training-set loss before and after each epoch."""
    s = session.settings
    ref = scratch.MLP((2, *s.hidden, 2), activation=s.activation, rng=0)
    linears = [m for m in session.model.modules() if isinstance(m, torch.nn.Linear)]
    ref.weights = [m.weight.detach().double().numpy().T.copy() for m in linears]
    ref.biases = [m.bias.detach().double().numpy().copy() for m in linears]
    opt = scratch.Optimizer(s.optimizer, lr=s.lr, momentum=s.momentum if s.optimizer == "momentum" else 0.9)
    x = session.data.x_train / T.INPUT_SCALE
    y = session.data.y_train
    losses = [scratch.cross_entropy(ref.forward(x), y)[0]]
    gen = torch.Generator().manual_seed(s.seed)
    bs = min(s.batch_size, len(x))
    for _ in range(epochs):
        order = torch.randperm(len(x), generator=gen).numpy()
        for start in range(0, len(x), bs):
            idx = order[start:start + bs]
            _, grads = ref.loss_and_gradients(x[idx], y[idx])
            gw = grads["W"]
            if s.regularization == "l2":
                gw = [g + s.reg_rate * w for g, w in zip(gw, ref.weights)]
            elif s.regularization == "l1":
                gw = [g + s.reg_rate * np.sign(w) for g, w in zip(gw, ref.weights)]
            opt.step(ref.weights + ref.biases, gw + grads["b"])
        losses.append(scratch.cross_entropy(ref.forward(x), y)[0])
    return np.array(losses)


@pytest.mark.parametrize("optimizer, activation, regularization, batch_size", [
    ("sgd", "tanh", "none", 1000), ("momentum", "relu", "l2", 1000), ("adam", "sigmoid", "l1", 1000),
    ("adam", "swish", "l2", 16), ("sgd", "elu", "l1", 7), ("momentum", "leaky_relu", "none", 32),
])
def test_training_matches_the_numpy_mlp_for_every_optimiser_and_penalty(optimizer, activation, regularization,
                                                                         batch_size):
    settings = T.parse_settings({"dataset": "circles", "n_samples": 120, "noise": 0.1, "hidden": [5, 3],
                                 "activation": activation, "optimizer": optimizer, "lr": 0.05,
                                 "regularization": regularization, "reg_rate": 0.01, "batch_size": batch_size,
                                 "seed": 11})
    session = T.Session(settings)
    expected = _reference_losses(T.Session(settings), 4)
    session.step(4)
    # float32 torch vs float64 numpy over a few dozen updates
    np.testing.assert_allclose(session.history.train_loss, expected, rtol=2e-4, atol=2e-5)
    assert session.history.train_loss[-1] < session.history.train_loss[0]


def test_l2_penalty_shrinks_weights_compared_with_none():
    base = {"dataset": "blobs", "n_samples": 100, "hidden": [4], "lr": 0.1, "optimizer": "sgd", "seed": 3}
    norms = {}
    for reg in ("none", "l2"):
        s = T.Session(T.parse_settings({**base, "regularization": reg, "reg_rate": 1.0}))
        s.step(20)
        norms[reg] = sum(float((w.detach() ** 2).sum()) for w in s._weights)
    assert norms["l2"] < 0.5 * norms["none"]


def test_same_seed_and_settings_give_the_same_losses_however_the_epochs_are_chunked():
    settings = T.parse_settings({"dataset": "spirals", "n_samples": 100, "noise": 0.1, "hidden": [4, 4],
                                 "seed": 5})
    a, b = T.Session(settings), T.Session(settings)
    a.step(9)
    for k in (1, 3, 5):
        b.step(k)
    assert a.epoch == b.epoch == 9
    assert a.history == b.history  # exact equality
    for pa, pb in zip(a.model.parameters(), b.model.parameters()):
        assert torch.equal(pa, pb)
    c = T.Session(T.parse_settings({**settings.as_dict(), "seed": 6}))
    c.step(9)
    assert c.history.train_loss != a.history.train_loss


def test_training_uses_one_torch_thread_and_restores_the_setting(monkeypatch):
    seen = []
    session = T.Session(T.parse_settings({"n_samples": 40, "hidden": [2]}))
    original = session._evaluate
    monkeypatch.setattr(session, "_evaluate", lambda: (seen.append(torch.get_num_threads()), original()))
    before = torch.get_num_threads()
    session.step(2)
    assert seen == [1, 1]
    assert torch.get_num_threads() == before


@pytest.mark.parametrize("seed", [0, 1])
def test_xor_reaches_95_percent_test_accuracy_with_the_defaults(seed):
    session = T.Session(T.parse_settings({"dataset": "xor", "seed": seed}))
    while session.history.test_accuracy[-1] < 0.95 and session.epoch < 60:
        session.step(5)
    assert session.history.test_accuracy[-1] >= 0.95, session.history.test_accuracy


def test_max_epochs_stops_training_for_good():
    session = T.Session(T.parse_settings({"n_samples": 20, "hidden": []}), max_epochs=3)
    assert session.step(10) == 3 and session.done
    assert session.step(1) == 0 and session.epoch == 3


def test_time_budget_stops_after_at_least_one_epoch():
    session = T.Session(T.parse_settings({"n_samples": 40, "hidden": [2]}))
    assert session.step(50, budget_s=0.0) == 1


# ---------------------------------------------------------------- surface and neuron maps against the model

def test_surface_is_p1_minus_p0_of_the_model_on_the_grid():
    session = T.Session(T.parse_settings({"dataset": "circles", "n_samples": 100, "hidden": [4, 3], "seed": 2}))
    session.step(3)
    size = 16
    c = (np.arange(size) + 0.5) / size * 2 * T.VIEW - T.VIEW
    xx, yy = np.meshgrid(c, c[::-1])  # row 0 = top = largest y
    inputs = np.stack([xx.ravel(), yy.ravel()], 1) / T.INPUT_SCALE
    with torch.no_grad():
        p = torch.softmax(session.model(torch.as_tensor(inputs, dtype=torch.float32)), 1).double().numpy()
    expected = (p[:, 1] - p[:, 0]).reshape(size, size)
    np.testing.assert_allclose(session.surface(size), expected, atol=1e-6)
    # the prediction at each training point agrees with the surface's sign at that point
    with torch.no_grad():
        pred = session.model(torch.as_tensor(session.data.x_train / T.INPUT_SCALE, dtype=torch.float32)).argmax(1)
    acc = float((pred.numpy() == session.data.y_train).mean())
    assert acc == pytest.approx(session.history.train_accuracy[-1])


def test_last_hidden_layer_maps_and_output_weights_rebuild_the_surface():
    session = T.Session(T.parse_settings({"dataset": "xor", "n_samples": 80, "hidden": [3, 5],
                                          "activation": "relu", "seed": 4}))
    session.step(2)
    size = 12
    maps = session.neuron_maps(size)
    assert [m.shape for m in maps] == [(3, size, size), (5, size, size)]
    last = [m for m in session.model.modules() if isinstance(m, torch.nn.Linear)][-1]
    w = (last.weight[1] - last.weight[0]).detach().double().numpy()
    b = float((last.bias[1] - last.bias[0]).detach())
    rebuilt = np.tanh((np.tensordot(w, maps[1].astype(np.float64), 1) + b) / 2)
    np.testing.assert_allclose(rebuilt, session.surface(size), atol=1e-5)
    assert np.all(maps[0] >= 0)  # relu outputs
    np.testing.assert_allclose(session.weights()[-1], [w], atol=5e-5)  # rounded to 4 decimals


# ---------------------------------------------------------------- store

def test_store_bounds_sessions_and_drops_idle_ones():
    now = [0.0]
    store = T.SessionStore(max_sessions=2, ttl_s=10, clock=lambda: now[0])
    tiny = T.parse_settings({"n_samples": 20, "hidden": []})
    a, _ = store.create(tiny)
    b, _ = store.create(tiny)
    now[0] = 5
    assert store.get(a) is not None  # a is now the most recently used
    c, _ = store.create(tiny)  # evicts b, the least recently used
    assert store.get(b) is None and store.get(a) is not None and len(store) == 2
    now[0] = 100
    assert store.get(a) is None and store.get(c) is None and len(store) == 0
    d, _ = store.create(tiny)
    assert store.delete(d) and not store.delete(d)
    assert len({a, b, c, d}) == 4


def test_history_turns_non_finite_losses_into_null():
    h = T._History([1.0, math.nan], [math.inf, 2.0], [0.5, 0.5], [0.5, 0.5])
    assert h.since(0) == {"train_loss": [1.0, None], "test_loss": [None, 2.0], "train_accuracy": [0.5, 0.5],
                          "test_accuracy": [0.5, 0.5]}


# ---------------------------------------------------------------- HTTP API

def test_page_and_its_static_files_are_served(client):
    r = client.get("/nn")
    assert r.status_code == 200 and "text/html" in r.headers["content-type"]
    for name in ("nn.js", "nn.css"):
        assert f"/static/{name}" in r.text
        assert client.get(f"/static/{name}").status_code == 200


def test_options_describe_every_setting(client):
    o = client.get("/api/nn/options").json()
    assert o["defaults"] == T.DEFAULTS
    assert set(o["limits"]) == set(T.LIMITS)
    assert o["choices"]["activation"] == list(T.ACTIVATIONS)
    assert T.parse_settings(o["defaults"]) == T.Settings()


def test_session_lifecycle_and_state_matches_the_session(client):
    r = client.post("/api/nn/sessions", json={"dataset": "xor", "n_samples": 60, "hidden": [3], "seed": 8})
    assert r.status_code == 201
    body = r.json()
    sid = body["id"]
    assert body["settings"]["hidden"] == [3]
    pts = body["points"]
    assert len(pts["train"]["x"]) + len(pts["test"]["x"]) == 60
    assert body["state"]["epoch"] == 0 and len(body["state"]["history"]["train_loss"]) == 1
    r = client.post(f"/api/nn/sessions/{sid}/step", json={"epochs": 4, "budget_ms": 2000, "since": 1})
    st = r.json()
    assert r.status_code == 200 and st["epoch"] == 4 and st["trained"] == 4
    assert st["since"] == 1 and len(st["history"]["test_loss"]) == 4
    session = client.app.state.nn_sessions.get(sid)
    size = st["surface"]["size"]
    np.testing.assert_array_equal(_f32(st["surface"]["f32"]).reshape(size, size),
                                  session.surface(size).astype("<f4"))
    assert len(st["neurons"]) == 1 and len(st["neurons"][0]) == 3
    assert _f32(st["neurons"][0][0]).size == st["neuron_size"] ** 2
    full = client.get(f"/api/nn/sessions/{sid}").json()
    assert full["state"]["history"]["train_loss"] == session.history.train_loss
    assert full["state"]["history"]["train_loss"][1:] == st["history"]["train_loss"]
    assert "neurons" not in client.get(f"/api/nn/sessions/{sid}?neurons=0").json()["state"]
    # the same settings through HTTP give the same losses
    same = {"dataset": "xor", "n_samples": 60, "hidden": [3], "seed": 8}
    sid2 = client.post("/api/nn/sessions", json=same).json()["id"]
    for _ in range(4):
        client.post(f"/api/nn/sessions/{sid2}/step", json={"budget_ms": 2000})
    again = client.get(f"/api/nn/sessions/{sid2}").json()["state"]["history"]
    assert again == full["state"]["history"]
    assert client.delete(f"/api/nn/sessions/{sid}").json() == {"deleted": True}
    assert client.get(f"/api/nn/sessions/{sid}").status_code == 404


def test_diverged_weights_come_back_as_valid_json(client):
    sid = client.post("/api/nn/sessions", json={"n_samples": 20, "hidden": [2]}).json()["id"]
    session = client.app.state.nn_sessions.get(sid)
    with torch.no_grad():
        session._weights[0][0, 0] = math.nan
    r = client.get(f"/api/nn/sessions/{sid}")
    assert r.status_code == 200
    json.loads(r.text)  # strict JSON: no NaN tokens
    assert r.json()["state"]["weights"][0][0][0] is None


BAD_CREATE = [
    ({"lr": 0}, 422, "lr"), ({"lr": "fast"}, 422, "lr"), ({"hidden": [9]}, 422, "hidden"),
    ({"hidden": [4] * 7}, 422, "hidden"), ({"dataset": "moons"}, 422, "dataset"), ({"n_samples": 10**9}, 422,
                                                                                  "n_samples"),
    ({"noise": -0.1}, 422, "noise"), ({"batch_size": 0}, 422, "batch_size"), ({"seed": -1}, 422, "seed"),
    ({"train_fraction": 1.0}, 422, "train_fraction"), ({"momentum": 1.0}, 422, "momentum"),
    ({"reg_rate": 11}, 422, "reg_rate"), ({"regularization": "l3"}, 422, "regularization"),
    ({"activation": "gelu"}, 422, "activation"), ({"optimizer": "rmsprop"}, 422, "optimizer"),
    ({"../etc/passwd": 1}, 422, "../etc/passwd"),
]


@pytest.mark.parametrize("body, status, param", BAD_CREATE)
def test_bad_settings_get_a_json_4xx_naming_the_setting(client, body, status, param):
    r = client.post("/api/nn/sessions", json=body)
    assert r.status_code == status and r.json()["param"] == param
    assert param in r.json()["error"] and "Traceback" not in r.text


@pytest.mark.parametrize("content, status", [(b"{bad", 400), (b"[1, 2]", 400), (b'"xor"', 400), (b"\xff\xfe", 400),
                                             (b"{" + b" " * 70_000 + b"}", 413)])
def test_malformed_bodies_get_400_or_413(client, content, status):
    r = client.post("/api/nn/sessions", content=content, headers={"content-type": "application/json"})
    assert r.status_code == status and "error" in r.json()


@pytest.mark.parametrize("body, param", [({"epochs": 0}, "epochs"), ({"epochs": 201}, "epochs"),
                                         ({"epochs": 1.5}, "epochs"), ({"epochs": True}, "epochs"),
                                         ({"budget_ms": 0}, "budget_ms"), ({"budget_ms": 10**6}, "budget_ms"),
                                         ({"since": -1}, "since"), ({"neurons": 1}, "neurons"),
                                         ({"lr": 0.1}, "lr")])
def test_bad_step_options_get_422(client, body, param):
    sid = client.post("/api/nn/sessions", json={"n_samples": 20, "hidden": []}).json()["id"]
    r = client.post(f"/api/nn/sessions/{sid}/step", json=body)
    assert r.status_code == 422 and r.json()["param"] == param


@pytest.mark.parametrize("path", ["/api/nn/sessions/short", "/api/nn/sessions/" + "a" * 41,
                                  "/api/nn/sessions/abcdefghijkl", "/api/nn/sessions/abc%2F..%2Fdefgh"])
def test_unknown_or_malformed_session_ids_get_404(client, path):
    assert client.get(path).status_code == 404
    assert client.post(path + "/step", json={}).status_code == 404
    assert client.delete(path).status_code == 404


@pytest.mark.parametrize("query", ["since=-1", "since=x", "neurons=yes", "since=" + "9" * 12])
def test_bad_query_parameters_get_422(client, query):
    sid = client.post("/api/nn/sessions", json={"n_samples": 20, "hidden": []}).json()["id"]
    assert client.get(f"/api/nn/sessions/{sid}?{query}").status_code == 422


def test_a_busy_session_gets_409(client, monkeypatch):
    monkeypatch.setattr(_nn, "BUSY_WAIT_S", 0.05)
    sid = client.post("/api/nn/sessions", json={"n_samples": 20, "hidden": []}).json()["id"]
    session = client.app.state.nn_sessions.get(sid)
    with session.lock:
        r = client.post(f"/api/nn/sessions/{sid}/step", json={})
    assert r.status_code == 409 and "busy" in r.json()["error"]
    assert client.post(f"/api/nn/sessions/{sid}/step", json={}).status_code == 200


_json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-10**12, 10**12) | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=8),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=5), children, max_size=3),
    max_leaves=6)
_setting_bodies = st.dictionaries(st.sampled_from(sorted(T.DEFAULTS) + ["x", ""]), _json_values, max_size=4)
_step_bodies = st.dictionaries(st.sampled_from(["epochs", "budget_ms", "since", "neurons", "lr"]), _json_values,
                               max_size=3)


@hsettings(max_examples=30, deadline=None)  # 10-100 ms each
@given(body=_setting_bodies, step=_step_bodies)
def test_fuzzed_bodies_get_2xx_or_a_json_4xx_never_a_500(client, body, step):
    r = client.post("/api/nn/sessions", content=json.dumps(body).encode(),  # NaN/Infinity tokens included
                    headers={"content-type": "application/json"})
    assert r.status_code in (201, 400, 413, 422), r.text
    assert isinstance(r.json(), dict)
    if r.status_code != 201:
        assert "error" in r.json()
        return
    sid = r.json()["id"]
    if r.json()["settings"]["n_samples"] * min(1.0, 10 / r.json()["settings"]["batch_size"]) > 1000:
        client.delete(f"/api/nn/sessions/{sid}")
        return  # an epoch of over 100 updates: too slow to step in a fuzz test
    if isinstance(step.get("epochs"), int) and not isinstance(step.get("epochs"), bool):
        step["epochs"] = min(max(step["epochs"], 1), 3)  # keep the valid ones cheap
    step["budget_ms"] = 50 if isinstance(step.get("budget_ms"), int) else step.get("budget_ms", 50)
    r = client.post(f"/api/nn/sessions/{sid}/step", content=json.dumps(step).encode(),
                    headers={"content-type": "application/json"})
    assert r.status_code in (200, 422), r.text
    json.loads(r.text)  # strict JSON
