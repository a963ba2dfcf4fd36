"""Training sessions of the neural-network playground (``/nn``): 2-D toy data sets, settings checked against
their limits, an MLP from :mod:`fastdip.nn` trained epoch by epoch on the CPU, the decision surface and each
neuron's output on a grid, and a bounded store of sessions. No web framework here: :mod:`._nn` maps HTTP
onto these functions, and the tests call them directly.

The playground follows Smilkov & Carter's TensorFlow Playground (2016): points in the square
[−5, 5]² (the view shows [−6, 6]²) in two classes, 1 (blue in the page) and 0 (orange). The network sees
the coordinates divided by :data:`INPUT_SCALE`, so its inputs lie in about [−1, 1]. Losses that diverge
(a learning rate too large) are reported as null in the JSON, never as NaN.
"""

from __future__ import annotations

import base64
import contextlib
import math
import secrets
import threading
import time
from collections import OrderedDict
from dataclasses import asdict, dataclass, field
from typing import NamedTuple

import numpy as np
import torch
from torch import nn

from fastdip import _validate
from fastdip.nn.models import MLP

__all__ = ["DATASETS", "ACTIVATIONS", "OPTIMIZERS", "REGULARIZATIONS", "LIMITS", "DEFAULTS", "SettingsError",
           "Settings", "parse_settings", "make_dataset", "split_dataset", "grid_points", "Session",
           "SessionStore", "encode_f32"]

FUNC = "nn playground"
#: data sets, in the order of the page
DATASETS = ("circles", "xor", "blobs", "spirals", "linear")
ACTIVATIONS = ("tanh", "relu", "leaky_relu", "elu", "sigmoid", "swish")
OPTIMIZERS = ("sgd", "momentum", "adam")
REGULARIZATIONS = ("none", "l1", "l2")
#: half-width of the square the data lie in (before noise)
RADIUS = 5.0
#: half-width of the square the page shows and the grids cover
VIEW = 6.0
#: network input = coordinates / INPUT_SCALE
INPUT_SCALE = 6.0

#: (low, high) of every numeric setting, both ends included; ints where the default is an int
LIMITS = {
    "n_samples": (20, 2000),
    "noise": (0.0, 0.5),
    "train_fraction": (0.1, 0.9),
    "layers": (0, 6),      # number of hidden layers (length of ``hidden``)
    "neurons": (1, 8),     # neurons of one hidden layer
    "lr": (1e-5, 10.0),
    "momentum": (0.0, 0.99),
    "batch_size": (1, 2000),
    "reg_rate": (0.0, 10.0),
    "seed": (0, 2**31 - 1),
}

DEFAULTS = {
    "dataset": "xor", "n_samples": 400, "noise": 0.0, "train_fraction": 0.5, "hidden": [6, 6],
    "activation": "tanh", "lr": 0.03, "optimizer": "adam", "momentum": 0.9, "batch_size": 10,
    "regularization": "none", "reg_rate": 0.0, "seed": 0,
}


class SettingsError(ValueError):
    """A setting out of its range or of the wrong type; ``param`` names it."""

    def __init__(self, param: str, message: str):
        super().__init__(message)
        self.param = param


@dataclass(frozen=True)
class Settings:
    """Everything that defines a playground run; the same settings give the same losses.

    Parameters
    ----------
    dataset : {'circles', 'xor', 'blobs', 'spirals', 'linear'}
        The toy data set (see :func:`make_dataset`).
    n_samples : int
        Points in all (train + test), 20..2000.
    noise : float
        0..0.5: Gaussian jitter of standard deviation ``noise * RADIUS / 2`` added to each coordinate.
    train_fraction : float
        0.1..0.9 of the points are for training, the rest for testing.
    hidden : list of int
        Neurons of each hidden layer (0..6 layers of 1..8 neurons).
    activation : {'tanh', 'relu', 'leaky_relu', 'elu', 'sigmoid', 'swish'}
        Hidden activation (see :func:`fastdip.nn.activation`).
    lr : float
        Learning rate, 1e-5..10.
    optimizer : {'sgd', 'momentum', 'adam'}
        Plain SGD, SGD with momentum ``momentum``, or Adam.
    momentum : float
        0..0.99, used by 'momentum'.
    batch_size : int
        Points per gradient step, 1..2000 (at most the training points: more is full batch).
    regularization : {'none', 'l1', 'l2'}
        Penalty on the weights (not the biases) added to the loss: ``reg_rate * Σ|w|`` or
        ``reg_rate * ½ Σ w²``.
    reg_rate : float
        0..10.
    seed : int
        Seeds the data, the initial weights and the batch order.

    Returns
    -------
    Settings
        A frozen record; ``as_dict()`` gives its JSON form.

    References
    ----------
    D. Smilkov, S. Carter, "TensorFlow Playground", 2016, https://playground.tensorflow.org.

    Examples
    --------
    >>> Settings().hidden, Settings().activation
    ((6, 6), 'tanh')
    """

    dataset: str = DEFAULTS["dataset"]
    n_samples: int = DEFAULTS["n_samples"]
    noise: float = DEFAULTS["noise"]
    train_fraction: float = DEFAULTS["train_fraction"]
    hidden: tuple = tuple(DEFAULTS["hidden"])
    activation: str = DEFAULTS["activation"]
    lr: float = DEFAULTS["lr"]
    optimizer: str = DEFAULTS["optimizer"]
    momentum: float = DEFAULTS["momentum"]
    batch_size: int = DEFAULTS["batch_size"]
    regularization: str = DEFAULTS["regularization"]
    reg_rate: float = DEFAULTS["reg_rate"]
    seed: int = DEFAULTS["seed"]

    def as_dict(self) -> dict:
        d = asdict(self)
        d["hidden"] = list(self.hidden)
        return d


_CHOICES = {"dataset": DATASETS, "activation": ACTIVATIONS, "optimizer": OPTIMIZERS,
            "regularization": REGULARIZATIONS}
_INTS = {"n_samples", "batch_size", "seed"}


def _checked(param, check):
    """Run a _validate check, turning its error into a SettingsError naming ``param``."""
    try:
        return check()
    except (TypeError, ValueError) as exc:
        raise SettingsError(param, str(exc)) from None


def parse_settings(data) -> Settings:
    """Check a settings mapping (as sent by the page) and return :class:`Settings`.

    Parameters
    ----------
    data : mapping
        Any subset of the :class:`Settings` fields; missing ones take :data:`DEFAULTS`.

    Returns
    -------
    Settings
        The checked settings.

    Raises
    ------
    SettingsError
        For an unknown key, a value of the wrong type (bools are not numbers) or out of :data:`LIMITS`; the
        message names the parameter, the value and what is allowed.

    Examples
    --------
    >>> parse_settings({"dataset": "circles", "hidden": [3]}).hidden
    (3,)
    >>> parse_settings({"lr": 0})
    Traceback (most recent call last):
    ...
    fastdip.web._nn_train.SettingsError: nn playground: lr must be in [1e-05, 10.0], got 0
    """
    if not isinstance(data, dict):
        raise SettingsError("settings", f"{FUNC}: settings must be a JSON object, got {_validate._show(data)}")
    unknown = sorted(set(data) - set(DEFAULTS))
    if unknown:
        raise SettingsError(unknown[0], f"{FUNC}: unknown setting {unknown[0]!r}; allowed: "
                            + ", ".join(sorted(DEFAULTS)))
    values = {**DEFAULTS, **data}
    out = {}
    for name, allowed in _CHOICES.items():
        value = values[name]
        out[name] = _checked(name, lambda: _validate.choice(value, FUNC, name, allowed)
                             if isinstance(value, str) else _validate.fail(FUNC, name, value, "a string", TypeError))
    for name in ("n_samples", "noise", "train_fraction", "lr", "momentum", "batch_size", "reg_rate", "seed"):
        low, high = LIMITS[name]
        out[name] = _checked(name, lambda: _validate.number(values[name], FUNC, name, low=low, high=high,
                                                            integer=name in _INTS))
    hidden = values["hidden"]
    low, high = LIMITS["layers"]
    if not isinstance(hidden, (list, tuple)) or not low <= len(hidden) <= high:
        raise SettingsError("hidden", f"{FUNC}: hidden must be a list of {low} to {high} layer widths, got "
                            f"{_validate._show(hidden)}")
    low, high = LIMITS["neurons"]
    out["hidden"] = tuple(_checked("hidden", lambda: _validate.number(h, FUNC, "hidden", low=low, high=high,
                                                                      integer=True)) for h in hidden)
    return Settings(**out)


def _jitter_sigma(noise: float) -> float:
    return noise * RADIUS / 2


def make_dataset(name: str, n: int, *, noise: float = 0.0, rng=0) -> tuple[np.ndarray, np.ndarray]:
    """A 2-D two-class toy data set of the playground.

    Parameters
    ----------
    name : {'circles', 'xor', 'blobs', 'spirals', 'linear'}
        circles: class 1 at radius U(0, 0.5 R) inside class 0 at radius U(0.7 R, R), angles uniform.
        xor: x, y ~ U(−R, R), each pushed 0.3 away from its axis; class 1 where x·y > 0.
        blobs: two Gaussian blobs of σ = 1, class 1 around (R/2.5, R/2.5) = (2, 2), class 0 around (−2, −2).
        spirals: two interleaved spirals; point i of m per class has r = R i/m and angle
        t = 1.75·2π i/m (+π for class 0), at (x, y) = (r sin t, r cos t).
        linear: classes on either side of the line x + y = 0, each at a distance U(0.3, 0.7 R) from it,
        class 1 where x + y > 0.
    n : int
        Number of points (classes get n // 2 and n − n // 2, except xor whose labels follow the positions).
    noise : float, optional
        Gaussian jitter of standard deviation ``noise * R / 2`` added to each coordinate after the labels
        are set (R = 5). The jitter is drawn after the clean points from the same generator, so the same
        ``rng`` with another ``noise`` moves the same points by a scaled copy of the same jitter.
    rng : int or numpy.random.Generator, optional
        Seed.

    Returns
    -------
    points : (n, 2) float64 ndarray
        (x, y) of each point; x to the right, y up, in shuffled order.
    labels : (n,) int64 ndarray
        Class 0 or 1.

    References
    ----------
    D. Smilkov, S. Carter, "TensorFlow Playground", 2016, https://playground.tensorflow.org (the data sets).
    K. J. Lang, M. J. Witbrock, "Learning to tell two spirals apart", Proc. Connectionist Models Summer
    School, 1988 (the two spirals).

    Examples
    --------
    >>> x, y = make_dataset("xor", 200, rng=0)
    >>> bool(np.all(y == (x[:, 0] * x[:, 1] > 0)))
    True
    """
    func = "make_dataset"
    _validate.choice(name, func, "name", DATASETS)
    n = _validate.number(n, func, "n", low=2, integer=True)
    noise = _validate.number(noise, func, "noise", low=0)
    gen = _validate.as_rng(rng, func)
    n1 = n // 2
    n0 = n - n1
    labels = np.concatenate([np.ones(n1, np.int64), np.zeros(n0, np.int64)])
    if name == "circles":
        r = np.concatenate([gen.uniform(0, 0.5 * RADIUS, n1), gen.uniform(0.7 * RADIUS, RADIUS, n0)])
        angle = gen.uniform(0, 2 * np.pi, n)
        pts = np.stack([r * np.cos(angle), r * np.sin(angle)], axis=1)
    elif name == "xor":
        pts = gen.uniform(-RADIUS, RADIUS, (n, 2))
        pts += np.where(pts > 0, 0.3, -0.3)
        labels = (pts[:, 0] * pts[:, 1] > 0).astype(np.int64)
    elif name == "blobs":
        centre = 0.4 * RADIUS
        means = np.where(labels[:, None] == 1, centre, -centre)
        pts = means + gen.standard_normal((n, 2))
    elif name == "spirals":
        parts = []
        for count, delta in ((n1, 0.0), (n0, np.pi)):
            i = np.arange(count)
            r = RADIUS * i / count
            t = 1.75 * 2 * np.pi * i / count + delta
            parts.append(np.stack([r * np.sin(t), r * np.cos(t)], axis=1))
        pts = np.concatenate(parts)
    else:  # linear
        along = gen.uniform(-RADIUS, RADIUS, n)
        dist = gen.uniform(0.3, 0.7 * RADIUS, n) * np.where(labels == 1, 1.0, -1.0)
        s = 1 / np.sqrt(2)
        pts = np.stack([along * s + dist * s, -along * s + dist * s], axis=1)
    pts = pts + gen.standard_normal((n, 2)) * _jitter_sigma(noise)
    order = gen.permutation(n)
    return pts[order], labels[order]


class Split(NamedTuple):
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray


def split_dataset(points, labels, train_fraction: float) -> Split:
    """The first ``round(n * train_fraction)`` points (at least 1, at most n − 1) for training, the rest for
    testing; :func:`make_dataset` already shuffled them.

    Parameters
    ----------
    points : (n, 2) ndarray
    labels : (n,) ndarray
    train_fraction : float
        In (0, 1).

    Returns
    -------
    Split
        ``x_train, y_train, x_test, y_test``.

    Examples
    --------
    >>> s = split_dataset(np.zeros((10, 2)), np.zeros(10), 0.7)
    >>> len(s.x_train), len(s.x_test)
    (7, 3)
    """
    n = len(points)
    k = min(max(int(round(n * train_fraction)), 1), n - 1)
    return Split(points[:k], labels[:k], points[k:], labels[k:])


def grid_points(size: int, view: float = VIEW) -> np.ndarray:
    """Centres of a size x size grid of cells over [−view, view]², row-major with row 0 at the top
    (largest y), as a canvas draws them.

    Parameters
    ----------
    size : int
        Cells per side.
    view : float, optional
        Half-width of the square.

    Returns
    -------
    (size * size, 2) float64 ndarray
        (x, y) of each cell centre.

    Examples
    --------
    >>> grid_points(2, 1.0).tolist()
    [[-0.5, 0.5], [0.5, 0.5], [-0.5, -0.5], [0.5, -0.5]]
    """
    c = (np.arange(size) + 0.5) / size * 2 * view - view
    xx, yy = np.meshgrid(c, c[::-1])
    return np.stack([xx.ravel(), yy.ravel()], axis=1)


def encode_f32(values) -> str:
    """Base64 of the values as little-endian float32 (what the page decodes into a Float32Array).

    Examples
    --------
    >>> encode_f32([1.0, -2.0])
    'AACAPwAAAMA='
    """
    return base64.b64encode(np.asarray(values, dtype="<f4").tobytes()).decode("ascii")


_threads_lock = threading.Lock()
_threads_users = 0
_threads_before = 1


@contextlib.contextmanager
def one_torch_thread():
    """torch on one intra-op thread while any session trains (tiny networks: threads only add overhead, and
    the server shares the CPU); the previous setting comes back when the last training call ends."""
    global _threads_users, _threads_before
    with _threads_lock:
        if _threads_users == 0:
            _threads_before = torch.get_num_threads()
            torch.set_num_threads(1)
        _threads_users += 1
    try:
        yield
    finally:
        with _threads_lock:
            _threads_users -= 1
            if _threads_users == 0:
                torch.set_num_threads(_threads_before)


class _Optimizer:
    """Gradient descent on a model whose parameters are views of one flat tensor, in place.

    sgd: θ ← θ − ε g. momentum: v ← α v − ε g, θ ← θ + v. adam: s ← ρ₁ s + (1 − ρ₁) g,
    r ← ρ₂ r + (1 − ρ₂) g², θ ← θ − ε ŝ / (√r̂ + δ) with ŝ = s / (1 − ρ₁ᵗ), r̂ = r / (1 − ρ₂ᵗ),
    ρ₁ = 0.9, ρ₂ = 0.999, δ = 1e-8 (Goodfellow et al. 2016, algorithms 8.1, 8.2, 8.7; Kingma & Ba 2015).
    The weight penalty enters as its gradient: g += λ w (L2, of λ·½‖w‖²) or λ sign(w) (L1, of λ‖w‖₁), on the
    weights only (``mask``). One flat tensor makes a step a handful of vector operations instead of a few per
    layer: on a network this small the per-operation overhead is the cost.
    """

    def __init__(self, model: nn.Module, settings: Settings):
        params = list(model.parameters())
        with torch.no_grad():
            self.flat = torch.cat([p.detach().reshape(-1) for p in params])
        self.grad = torch.zeros_like(self.flat)
        self.mask = torch.zeros_like(self.flat)
        weights = {id(m.weight) for m in model.modules() if isinstance(m, nn.Linear)}
        offset = 0
        for p in params:
            n = p.numel()
            p.data = self.flat[offset:offset + n].view_as(p)
            p.grad = self.grad[offset:offset + n].view_as(p)  # backward accumulates into these views in place
            if id(p) in weights:
                self.mask[offset:offset + n] = 1.0
            offset += n
        self.params = params
        self.kind = settings.optimizer
        self.lr = settings.lr
        self.momentum = settings.momentum
        self.penalty = settings.regularization if settings.reg_rate > 0 else "none"
        self.reg_rate = settings.reg_rate
        self.t = 0
        self.m = torch.zeros_like(self.flat)
        self.r = torch.zeros_like(self.flat) if self.kind == "adam" else None

    @torch.no_grad()
    def step(self):
        self.t += 1
        g = self.grad
        if self.penalty == "l2":
            g.addcmul_(self.flat, self.mask, value=self.reg_rate)
        elif self.penalty == "l1":
            g.addcmul_(torch.sign(self.flat), self.mask, value=self.reg_rate)
        if self.kind == "sgd":
            self.flat.sub_(g, alpha=self.lr)
        elif self.kind == "momentum":
            self.m.mul_(self.momentum).sub_(g, alpha=self.lr)
            self.flat.add_(self.m)
        else:
            self.m.mul_(0.9).add_(g, alpha=0.1)
            self.r.mul_(0.999).addcmul_(g, g, value=0.001)
            denom = (self.r / (1 - 0.999**self.t)).sqrt_().add_(1e-8)
            self.flat.addcdiv_(self.m, denom, value=-self.lr / (1 - 0.9**self.t))
        g.zero_()


@dataclass
class _History:
    train_loss: list = field(default_factory=list)
    test_loss: list = field(default_factory=list)
    train_accuracy: list = field(default_factory=list)
    test_accuracy: list = field(default_factory=list)

    def since(self, start: int) -> dict:
        """Each curve from epoch ``start`` on, with NaN/inf as None (JSON has no NaN)."""
        return {k: [x if math.isfinite(x) else None for x in v[start:]] for k, v in asdict(self).items()}


class Session:
    """One playground run: the data, the network, its optimiser and the learning curves.

    Parameters
    ----------
    settings : Settings
        What to train.
    max_epochs : int, optional
        Training stops for good at this epoch.

    Returns
    -------
    Session
        ``step(epochs)`` trains; ``surface(size)`` and ``neuron_maps(size)`` evaluate on a grid;
        ``history`` holds per-epoch train/test loss and accuracy (evaluated on the whole sets after the
        epoch; epoch 0 is the untrained network).

    Notes
    -----
    One epoch shuffles the training points with a torch generator seeded by ``settings.seed`` and takes one
    step per mini-batch on the mean softmax cross-entropy of the batch plus the weight penalty
    (Goodfellow et al. 2016, section 7.1: L2 adds α·½‖w‖², L1 adds α‖w‖₁; biases are not penalised), whose
    gradient (αw or α·sign(w)) the optimiser adds to the weights' gradients.
    The reported losses are the cross-entropy alone, as in the TensorFlow Playground. The optimisers are
    written out (:class:`_Optimizer`: SGD, momentum and Adam as in Goodfellow et al. 2016, algorithms 8.1,
    8.2 and 8.7) rather than taken from ``torch.optim``, whose first use imports ``torch._dynamo`` (seconds
    on a cold server) and whose per-step overhead dominates a network this small.

    References
    ----------
    D. Smilkov, S. Carter, "TensorFlow Playground", 2016. I. Goodfellow, Y. Bengio, A. Courville, Deep
    Learning, MIT Press 2016, chapters 7 and 8. D. P. Kingma, J. Ba, "Adam: a method for stochastic
    optimization", ICLR 2015, arXiv:1412.6980.

    Examples
    --------
    >>> s = Session(Settings(dataset="blobs", n_samples=60, hidden=(2,)))
    >>> s.step(3)
    3
    >>> s.epoch, len(s.history.test_loss)
    (3, 4)
    """

    def __init__(self, settings: Settings, *, max_epochs: int = 5000):
        self.settings = settings
        self.max_epochs = int(max_epochs)
        pts, labels = make_dataset(settings.dataset, settings.n_samples, noise=settings.noise, rng=settings.seed)
        self.data = split_dataset(pts, labels, settings.train_fraction)
        self._x_train = torch.as_tensor(self.data.x_train / INPUT_SCALE, dtype=torch.float32)
        self._y_train = torch.as_tensor(self.data.y_train, dtype=torch.long)
        self._x_test = torch.as_tensor(self.data.x_test / INPUT_SCALE, dtype=torch.float32)
        self._y_test = torch.as_tensor(self.data.y_test, dtype=torch.long)
        self.model = MLP(2, hidden=settings.hidden, out_features=2, activation=settings.activation,
                         seed=settings.seed)
        self.model.eval()  # no dropout or batch norm: train and eval mode compute the same thing
        self.optimizer = _Optimizer(self.model, settings)
        self._weights = [m.weight for m in self.model.modules() if isinstance(m, nn.Linear)]
        self._generator = torch.Generator().manual_seed(settings.seed)
        self.batch_size = min(settings.batch_size, len(self._x_train))
        self.epoch = 0
        self.history = _History()
        self.lock = threading.Lock()
        self._evaluate()

    @property
    def done(self) -> bool:
        return self.epoch >= self.max_epochs

    def _evaluate(self):
        with torch.no_grad():
            for x, y, loss_list, acc_list in ((self._x_train, self._y_train, self.history.train_loss,
                                               self.history.train_accuracy),
                                              (self._x_test, self._y_test, self.history.test_loss,
                                               self.history.test_accuracy)):
                out = self.model(x)
                loss_list.append(float(nn.functional.cross_entropy(out, y)))
                acc_list.append(float((out.argmax(1) == y).double().mean()))

    def step(self, epochs: int = 1, *, budget_s: float | None = None) -> int:
        """Train up to ``epochs`` epochs (stopping early after ``budget_s`` seconds, but after at least one,
        and at ``max_epochs``); returns how many were trained."""
        done = 0
        start = time.perf_counter()
        with one_torch_thread():
            while done < epochs and not self.done:
                order = torch.randperm(len(self._x_train), generator=self._generator)
                for i in range(0, len(order), self.batch_size):
                    idx = order[i:i + self.batch_size]
                    loss = nn.functional.cross_entropy(self.model(self._x_train[idx]), self._y_train[idx])
                    loss.backward()
                    self.optimizer.step()
                self.epoch += 1
                done += 1
                self._evaluate()
                if budget_s is not None and time.perf_counter() - start >= budget_s:
                    break
        return done

    def _grid_tensor(self, size):
        return torch.as_tensor(grid_points(size) / INPUT_SCALE, dtype=torch.float32)

    def surface(self, size: int = 64) -> np.ndarray:
        """P(class 1) − P(class 0) = tanh((z₁ − z₀)/2) at the cells of :func:`grid_points` (size, size):
        −1 .. 1, positive where the network says class 1."""
        with torch.no_grad(), one_torch_thread():
            z = self.model(self._grid_tensor(size))
            return torch.tanh((z[:, 1] - z[:, 0]) / 2).numpy().reshape(size, size).astype(np.float64)

    def neuron_maps(self, size: int = 24) -> list[np.ndarray]:
        """Output of every hidden neuron on the grid: one (neurons, size, size) float32 array per hidden
        layer (after its activation)."""
        maps = []
        with torch.no_grad(), one_torch_thread():
            x = self._grid_tensor(size)
            for layer in self.model.layers:
                x = layer(x)
                if not isinstance(layer, (nn.Linear, nn.Flatten)):
                    maps.append(x.T.reshape(-1, size, size).numpy().copy())
        return maps

    def weights(self) -> list[list[list[float]]]:
        """Weights of each dense layer as (n_out, n_in) nested lists; the output layer is reduced to the
        one row w₁ − w₀ that drives the surface; NaN/inf (a diverged run) become None."""
        out = []
        with torch.no_grad():
            for i, w in enumerate(self._weights):
                w = w.detach()
                if i == len(self._weights) - 1:
                    w = (w[1] - w[0])[None]
                w = np.round(w.numpy().astype(np.float64), 4)
                out.append([[x if math.isfinite(x) else None for x in row] for row in w.tolist()])
        return out

    def points(self) -> dict:
        d = self.data
        return {"train": {"x": np.round(d.x_train, 4).tolist(), "label": d.y_train.tolist()},
                "test": {"x": np.round(d.x_test, 4).tolist(), "label": d.y_test.tolist()}}


def _new_id() -> str:
    return secrets.token_urlsafe(12)


class SessionStore:
    """At most ``max_sessions`` sessions, each dropped after ``ttl_s`` seconds without use; creating one
    more drops the least recently used.

    Parameters
    ----------
    max_sessions : int, optional
    ttl_s : float, optional
    max_epochs : int, optional
        Passed to each :class:`Session`.
    clock : callable, optional
        Seconds (monotonic); tests pass a fake one.

    Returns
    -------
    SessionStore

    Examples
    --------
    >>> store = SessionStore(max_sessions=1)
    >>> a, _ = store.create(Settings(n_samples=20, hidden=()))
    >>> b, _ = store.create(Settings(n_samples=20, hidden=()))
    >>> store.get(a) is None, store.get(b) is not None
    (True, True)
    """

    def __init__(self, *, max_sessions: int = 16, ttl_s: float = 600.0, max_epochs: int = 5000,
                 clock=time.monotonic):
        self.max_sessions = int(max_sessions)
        self.ttl_s = float(ttl_s)
        self.max_epochs = int(max_epochs)
        self._clock = clock
        self._lock = threading.Lock()
        self._sessions: OrderedDict[str, tuple[Session, float]] = OrderedDict()

    def __len__(self) -> int:
        with self._lock:
            self._expire()
            return len(self._sessions)

    def _expire(self):
        now = self._clock()
        for key in [k for k, (_, t) in self._sessions.items() if now - t > self.ttl_s]:
            del self._sessions[key]

    def create(self, settings: Settings) -> tuple[str, Session]:
        """A new session and its id (a random URL-safe token)."""
        session = Session(settings, max_epochs=self.max_epochs)
        with self._lock:
            self._expire()
            while len(self._sessions) >= self.max_sessions:
                self._sessions.popitem(last=False)
            key = _new_id()
            self._sessions[key] = (session, self._clock())
        return key, session

    def get(self, key: str) -> Session | None:
        with self._lock:
            self._expire()
            item = self._sessions.get(key)
            if item is None:
                return None
            self._sessions[key] = (item[0], self._clock())
            self._sessions.move_to_end(key)
            return item[0]

    def delete(self, key: str) -> bool:
        with self._lock:
            return self._sessions.pop(key, None) is not None


def session_state(session: Session, *, since: int = 0, surface_size: int = 64, neuron_size: int = 24,
                  neurons: bool = True) -> dict:
    """The JSON the page draws: epoch, history from epoch ``since`` on, the surface (base64 float32, row 0
    at the top), each hidden neuron's map and the weights.

    Examples
    --------
    >>> s = Session(Settings(n_samples=20, hidden=(2,)))
    >>> st = session_state(s, surface_size=4, neuron_size=2)
    >>> st["epoch"], len(st["history"]["test_loss"]), len(st["neurons"][0])
    (0, 1, 2)
    """
    since = min(max(int(since), 0), session.epoch + 1)
    state = {
        "epoch": session.epoch,
        "done": session.done,
        "since": since,
        "history": session.history.since(since),
        "surface": {"size": surface_size, "f32": encode_f32(session.surface(surface_size))},
        "weights": session.weights(),
    }
    if neurons:
        state["neurons"] = [[encode_f32(m) for m in layer] for layer in session.neuron_maps(neuron_size)]
        state["neuron_size"] = neuron_size
    return state

