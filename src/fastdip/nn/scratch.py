"""Neural networks from scratch in numpy: a multilayer perceptron with hand-written backpropagation, and a
tiny scalar reverse-mode automatic differentiation (:class:`Value`).

Notation of the course, for one dense layer with input x (a batch, one sample per row), weights W, bias b,
activation f and output a::

    z = x W + b,        a = f(z)

Given d = ∂L/∂a (the gradient arriving from the layer above), the chain rule gives::

    ∂L/∂z = d ⊙ f′(z)
    ∂L/∂W = xᵀ (d ⊙ f′(z))          (sums over the batch)
    ∂L/∂b = Σ_rows (d ⊙ f′(z))
    ∂L/∂x = (d ⊙ f′(z)) Wᵀ          (the d of the layer below)

The last layer has no activation and feeds a softmax cross-entropy, whose gradient with respect to the
logits is the famous (softmax(z) − onehot(y)) / N. Nothing here imports torch; the tests check every
gradient against torch autograd.
"""

from __future__ import annotations

import math

import numpy as np

from fastdip import _validate

__all__ = ["ACTIVATIONS", "softmax", "cross_entropy", "MLP", "Optimizer", "Value"]


def _sigmoid(z):
    return 0.5 * (1.0 + np.tanh(0.5 * z))  # overflow-free form of 1 / (1 + e^-z)


#: name -> (f, f′) as functions of z, with alpha where the activation has one.
ACTIVATIONS = {
    "identity": (lambda z, a: z, lambda z, a: np.ones_like(z)),
    "relu": (lambda z, a: np.maximum(z, 0.0), lambda z, a: (z > 0).astype(z.dtype)),
    "leaky_relu": (lambda z, a: np.where(z > 0, z, a * z), lambda z, a: np.where(z > 0, 1.0, a).astype(z.dtype)),
    "elu": (lambda z, a: np.where(z > 0, z, a * np.expm1(np.minimum(z, 0.0))),
            lambda z, a: np.where(z > 0, 1.0, a * np.exp(np.minimum(z, 0.0))).astype(z.dtype)),
    "sigmoid": (lambda z, a: _sigmoid(z), lambda z, a: _sigmoid(z) * (1.0 - _sigmoid(z))),
    "tanh": (lambda z, a: np.tanh(z), lambda z, a: 1.0 - np.tanh(z) ** 2),
    "swish": (lambda z, a: z * _sigmoid(z), lambda z, a: _sigmoid(z) * (1.0 + z * (1.0 - _sigmoid(z)))),
}
_ALPHA = {"leaky_relu": 0.01, "elu": 1.0}


def softmax(z) -> np.ndarray:
    """Row-wise softmax, shifted by the row maximum for stability.

    Parameters
    ----------
    z : (N, K) array_like
        Logits.

    Returns
    -------
    ndarray
        p_ik = e^{z_ik − max_k z_ik} / Σ_j e^{z_ij − max_j z_ij}, float64 (float32 for float32 input); rows
        sum to 1.

    References
    ----------
    J. S. Bridle, "Probabilistic interpretation of feedforward classification network outputs, with
    relationships to statistical pattern recognition", in Neurocomputing, NATO ASI Series F68, 227-236,
    1990, DOI 10.1007/978-3-642-76153-9_28.

    Examples
    --------
    >>> softmax([[0.0, 0.0], [0.0, np.log(3.0)]]).round(3).tolist()
    [[0.5, 0.5], [0.25, 0.75]]
    """
    z = np.asarray(z, dtype=np.result_type(np.asarray(z).dtype, np.float32))
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def cross_entropy(logits, y) -> tuple[float, np.ndarray]:
    """Softmax cross-entropy loss averaged over the batch, and its gradient with respect to the logits.

    Parameters
    ----------
    logits : (N, K) array_like
        Scores z.
    y : (N,) array_like of int
        Class numbers 0..K-1.

    Returns
    -------
    loss : float
        L = −(1/N) Σ_i log softmax(z_i)_{y_i}.
    grad : ndarray
        ∂L/∂z = (softmax(z) − onehot(y)) / N, same shape and dtype as the logits (float64 or float32).

    References
    ----------
    C. M. Bishop, Pattern Recognition and Machine Learning, Springer 2006, section 4.3.4 (multiclass
    logistic regression).

    Examples
    --------
    >>> loss, grad = cross_entropy(np.zeros((1, 4)), [2])
    >>> round(loss, 4), grad.tolist()
    (1.3863, [[0.25, 0.25, -0.75, 0.25]])
    """
    z = np.asarray(logits, dtype=np.result_type(np.asarray(logits).dtype, np.float32))
    y = np.asarray(y, dtype=np.int64)
    n = z.shape[0]
    shifted = z - z.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    loss = -float(log_p[np.arange(n), y].mean())
    grad = np.exp(log_p)
    grad[np.arange(n), y] -= 1.0
    return loss, grad / n


class MLP:
    """A multilayer perceptron in plain numpy: dense layers, activations, softmax cross-entropy, and the
    backward pass written out with the chain rule.

    Parameters
    ----------
    sizes : sequence of int
        Widths from input to output, e.g. (64, 32, 10): two dense layers.
    activation : str, optional
        Hidden activation: 'relu', 'leaky_relu', 'elu', 'sigmoid', 'tanh', 'swish' or 'identity' (the
        output layer has none: its logits go to the softmax in :func:`cross_entropy`).
    alpha : float, optional
        The α of leaky_relu (default 0.01) and elu (default 1).
    rng : int or numpy.random.Generator, optional
        Seed for the weights: He initialisation, W ~ N(0, 2/n_in), b = 0 (He et al. 2015).
    dtype : numpy dtype, optional
        float64 (default, for gradient checks) or float32.

    Returns
    -------
    MLP
        ``weights`` (list of (n_in, n_out) arrays), ``biases``, ``forward``, ``backward``,
        ``loss_and_gradients``, ``fit``, ``predict``.

    References
    ----------
    D. E. Rumelhart, G. E. Hinton, R. J. Williams, "Learning representations by back-propagating errors",
    Nature 323, 533-536, 1986, DOI 10.1038/323533a0. K. He, X. Zhang, S. Ren, J. Sun, "Delving deep into
    rectifiers", ICCV 2015, DOI 10.1109/ICCV.2015.123.

    Examples
    --------
    >>> net = MLP((4, 3, 2), rng=0)
    >>> [w.shape for w in net.weights]
    [(4, 3), (3, 2)]
    >>> loss, grads = net.loss_and_gradients(np.ones((5, 4)), np.array([0, 1, 0, 1, 1]))
    >>> [g.shape for g in grads["W"]]
    [(4, 3), (3, 2)]
    """

    def __init__(self, sizes, *, activation="relu", alpha=None, rng=0, dtype=np.float64):
        func = "scratch.MLP"
        sizes = [_validate.positive_int(s, func, "sizes") for s in sizes]
        if len(sizes) < 2:
            _validate.fail(func, "sizes", sizes, "at least two widths (input, output)")
        _validate.choice(activation, func, "activation", tuple(ACTIVATIONS))
        self.activation = activation
        self.alpha = float(_ALPHA.get(activation, 0.0) if alpha is None else alpha)
        self.dtype = np.dtype(dtype)
        gen = _validate.as_rng(rng, func)
        self.weights = [(gen.standard_normal((a, b)) * math.sqrt(2.0 / a)).astype(self.dtype)
                        for a, b in zip(sizes[:-1], sizes[1:])]
        self.biases = [np.zeros(b, self.dtype) for b in sizes[1:]]
        self._cache: list = []

    def forward(self, x) -> np.ndarray:
        """Logits of a batch x (N, n_in) -> (N, n_out); keeps each layer's input and z for ``backward``."""
        f, _ = ACTIVATIONS[self.activation]
        a = np.asarray(x, self.dtype).reshape(len(x), -1)
        self._cache = []
        last = len(self.weights) - 1
        for i, (w, b) in enumerate(zip(self.weights, self.biases)):
            z = a @ w + b
            self._cache.append((a, z))
            a = z if i == last else f(z, self.alpha)
        return a

    def backward(self, d) -> dict:
        """Backpropagate d = ∂L/∂(logits) through the layers of the last ``forward``.

        For layer l with input x, pre-activation z and weights W, the incoming d = ∂L/∂a becomes
        δ = d ⊙ f′(z) (f′ = 1 for the output layer), then ∂L/∂W = xᵀδ, ∂L/∂b = Σ_rows δ and the d passed
        down is ∂L/∂x = δWᵀ. Returns {'W': [...], 'b': [...], 'x': ∂L/∂input}.
        """
        _, fprime = ACTIVATIONS[self.activation]
        grads_w = [None] * len(self.weights)
        grads_b = [None] * len(self.weights)
        last = len(self.weights) - 1
        for i in range(last, -1, -1):
            x, z = self._cache[i]
            delta = d if i == last else d * fprime(z, self.alpha)
            grads_w[i] = x.T @ delta
            grads_b[i] = delta.sum(axis=0)
            d = delta @ self.weights[i].T
        return {"W": grads_w, "b": grads_b, "x": d}

    def loss_and_gradients(self, x, y) -> tuple[float, dict]:
        """Mean softmax cross-entropy of (x, y) and the gradients {'W', 'b', 'x'} of it."""
        loss, d = cross_entropy(self.forward(x), y)
        return loss, self.backward(d)

    def predict(self, x) -> np.ndarray:
        """Class numbers (argmax of the logits) of a batch."""
        return self.forward(x).argmax(axis=1)

    def fit(self, x, y, *, optimizer="adam", lr=1e-2, batch_size=32, epochs=10, rng=0) -> list[float]:
        """Train with mini-batches (batch_size 1: stochastic, len(x): full batch); returns the mean training
        loss of each epoch."""
        x = np.asarray(x, self.dtype).reshape(len(x), -1)
        y = np.asarray(y, np.int64)
        opt = Optimizer(optimizer, lr=lr)
        gen = _validate.as_rng(rng, "scratch.MLP.fit")
        batch_size = _validate.positive_int(batch_size, "scratch.MLP.fit", "batch_size")
        losses = []
        for _ in range(_validate.positive_int(epochs, "scratch.MLP.fit", "epochs")):
            order = gen.permutation(len(x))
            total = 0.0
            for start in range(0, len(x), batch_size):
                idx = order[start:start + batch_size]
                loss, grads = self.loss_and_gradients(x[idx], y[idx])
                opt.step(self.weights + self.biases, grads["W"] + grads["b"])
                total += loss * len(idx)
            losses.append(total / len(x))
        return losses


class Optimizer:
    """Gradient-descent updates on a list of numpy parameters, in place.

    Parameters
    ----------
    kind : {'sgd', 'momentum', 'adam'}
        sgd: θ ← θ − η g. momentum: v ← μ v − η g, θ ← θ + v (Polyak 1964). adam: m ← β₁ m + (1 − β₁) g,
        s ← β₂ s + (1 − β₂) g², θ ← θ − η m̂ / (√ŝ + ε) with the bias corrections m̂ = m / (1 − β₁ᵗ),
        ŝ = s / (1 − β₂ᵗ) (Kingma & Ba 2015).
    lr : float, optional
        Learning rate η.
    momentum : float, optional
        μ.
    betas : (float, float), optional
        β₁, β₂.
    eps : float, optional
        ε.

    Returns
    -------
    Optimizer
        Call ``step(params, grads)`` once per mini-batch.

    References
    ----------
    B. T. Polyak, "Some methods of speeding up the convergence of iteration methods", USSR Comput. Math.
    Math. Phys. 4(5), 1-17, 1964, DOI 10.1016/0041-5553(64)90137-5. D. P. Kingma, J. Ba, "Adam: a method for
    stochastic optimization", ICLR 2015, arXiv:1412.6980.

    Examples
    --------
    >>> w = np.array([1.0])
    >>> opt = Optimizer("sgd", lr=0.1)
    >>> opt.step([w], [np.array([2.0])])
    >>> w.tolist()
    [0.8]
    """

    def __init__(self, kind="sgd", *, lr=0.01, momentum=0.9, betas=(0.9, 0.999), eps=1e-8):
        func = "scratch.Optimizer"
        self.kind = _validate.choice(kind, func, "kind", ("sgd", "momentum", "adam"))
        self.lr = _validate.number(lr, func, "lr", low=0, low_open=True)
        self.momentum = _validate.number(momentum, func, "momentum", low=0, high=1, high_open=True)
        self.betas = tuple(float(b) for b in betas)
        self.eps = float(eps)
        self.t = 0
        self._state: dict[int, list] = {}

    def step(self, params, grads) -> None:
        self.t += 1
        b1, b2 = self.betas
        for i, (p, g) in enumerate(zip(params, grads)):
            if self.kind == "sgd":
                p -= self.lr * g
            elif self.kind == "momentum":
                v = self._state.setdefault(i, [np.zeros_like(p)])[0]
                v *= self.momentum
                v -= self.lr * g
                p += v
            else:
                m, s = self._state.setdefault(i, [np.zeros_like(p), np.zeros_like(p)])
                m *= b1
                m += (1 - b1) * g
                s *= b2
                s += (1 - b2) * g * g
                m_hat = m / (1 - b1**self.t)
                s_hat = s / (1 - b2**self.t)
                p -= self.lr * m_hat / (np.sqrt(s_hat) + self.eps)


class Value:
    """A scalar that remembers how it was computed, for reverse-mode automatic differentiation.

    Parameters
    ----------
    data : float
        The value.

    Returns
    -------
    Value
        Supports +, −, ×, /, ** (number exponent), ``exp``, ``log``, ``tanh``, ``relu``, ``sigmoid``;
        ``backward()`` fills ``grad`` (∂output/∂node) of every node the output depends on.

    Notes
    -----
    Each operation records its inputs and a closure that adds its local derivative times the output's
    gradient to each input's ``grad`` (the chain rule, ∂L/∂x = Σ ∂L/∂y · ∂y/∂x). ``backward`` orders the
    graph topologically and calls the closures from the output back. The idea is Karpathy's micrograd;
    this is an independent implementation.

    References
    ----------
    A. Griewank, A. Walther, Evaluating Derivatives: Principles and Techniques of Algorithmic
    Differentiation, 2nd ed., SIAM 2008, DOI 10.1137/1.9780898717761. A. Karpathy, micrograd,
    https://github.com/karpathy/micrograd, 2020.

    Examples
    --------
    >>> x, y = Value(3.0), Value(4.0)
    >>> f = x * x * y + y + 2
    >>> f.backward()
    >>> f.data, x.grad, y.grad
    (42.0, 24.0, 10.0)
    """

    __slots__ = ("data", "grad", "_parents", "_backward", "op")

    def __init__(self, data, _parents=(), op=""):
        self.data = float(data)
        self.grad = 0.0
        self._parents = _parents
        self._backward = None
        self.op = op

    def __repr__(self):
        return f"Value(data={self.data:g}, grad={self.grad:g})"

    @staticmethod
    def _lift(other):
        return other if isinstance(other, Value) else Value(other)

    def _unary(self, data, op, local):
        out = Value(data, (self,), op)

        def backward():
            self.grad += local * out.grad

        out._backward = backward
        return out

    def __add__(self, other):
        other = self._lift(other)
        out = Value(self.data + other.data, (self, other), "+")

        def backward():
            self.grad += out.grad
            other.grad += out.grad

        out._backward = backward
        return out

    def __mul__(self, other):
        other = self._lift(other)
        out = Value(self.data * other.data, (self, other), "*")

        def backward():
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad

        out._backward = backward
        return out

    def __pow__(self, k):
        if not isinstance(k, (int, float)):
            _validate.fail("Value.__pow__", "exponent", k, "an int or float", TypeError)
        return self._unary(self.data**k, f"**{k}", k * self.data ** (k - 1))

    def exp(self):
        e = math.exp(self.data)
        return self._unary(e, "exp", e)

    def log(self):
        return self._unary(math.log(self.data), "log", 1.0 / self.data)

    def tanh(self):
        t = math.tanh(self.data)
        return self._unary(t, "tanh", 1.0 - t * t)

    def sigmoid(self):
        s = 1.0 / (1.0 + math.exp(-self.data)) if self.data >= 0 else math.exp(self.data) / (1 + math.exp(self.data))
        return self._unary(s, "sigmoid", s * (1.0 - s))

    def relu(self):
        return self._unary(max(self.data, 0.0), "relu", float(self.data > 0))

    def __neg__(self):
        return self * -1.0

    def __sub__(self, other):
        return self + (-self._lift(other))

    def __truediv__(self, other):
        return self * self._lift(other) ** -1

    def __radd__(self, other):
        return self + other

    def __rmul__(self, other):
        return self * other

    def __rsub__(self, other):
        return self._lift(other) - self

    def __rtruediv__(self, other):
        return self._lift(other) / self

    def backward(self) -> None:
        """Set ``grad`` of this node to 1 and of every node it depends on to ∂self/∂node."""
        order, seen = [], set()
        stack = [(self, False)]
        while stack:  # iterative depth-first post-order (deep graphs would overflow recursion)
            node, done = stack.pop()
            if done:
                order.append(node)
                continue
            if id(node) in seen:
                continue
            seen.add(id(node))
            stack.append((node, True))
            stack.extend((p, False) for p in node._parents if id(p) not in seen)
        for node in order:
            node.grad = 0.0
        self.grad = 1.0
        for node in reversed(order):
            if node._backward is not None:
                node._backward()
