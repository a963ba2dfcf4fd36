"""fastdip.nn.scratch: the scalar autodiff example by hand, the numpy MLP's backward pass against torch autograd
(float64, 1e-10) and against central finite differences, optimiser steps against torch.optim, and a run that
learns the digits."""

import math

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

torch = pytest.importorskip("torch")

from fastdip.nn import scratch  # noqa: E402
from fastdip.nn.scratch import Value  # noqa: E402

TORCH_ACT = {
    "identity": lambda z: z,
    "relu": torch.relu,
    "leaky_relu": lambda z: torch.nn.functional.leaky_relu(z, 0.01),
    "elu": torch.nn.functional.elu,
    "sigmoid": torch.sigmoid,
    "tanh": torch.tanh,
    "swish": torch.nn.functional.silu,
}


# --- (a) hand-worked ---------------------------------------------------------------------------------


def test_value_course_example():
    x, y = Value(3.0), Value(4.0)
    f = x * x * y + y + 2
    f.backward()
    assert (f.data, x.grad, y.grad) == (42.0, 24.0, 10.0)


def test_value_reused_node_accumulates_and_backward_twice_is_idempotent():
    a = Value(2.0)
    f = a * a + a  # df/da = 2a + 1 = 5
    f.backward()
    assert a.grad == 5.0
    f.backward()
    assert a.grad == 5.0


def test_value_every_op_against_finite_differences():
    def expr(p, q):
        return ((p * q - q / p + (p ** 3) * 0.5).tanh() + (q.exp() + 1).log() + (p - 1).relu()
                + (2 - q) * p.sigmoid() + 1 / q)

    p0, q0 = 1.3, -0.7
    p, q = Value(p0), Value(q0)
    out = expr(p, q)
    out.backward()
    h = 1e-6
    dp = (expr(Value(p0 + h), Value(q0)).data - expr(Value(p0 - h), Value(q0)).data) / (2 * h)
    dq = (expr(Value(p0), Value(q0 + h)).data - expr(Value(p0), Value(q0 - h)).data) / (2 * h)
    assert p.grad == pytest.approx(dp, rel=1e-6) and q.grad == pytest.approx(dq, rel=1e-6)


def test_value_deep_chain_does_not_hit_the_recursion_limit():
    x = Value(1.0)
    y = x
    for _ in range(5000):
        y = y * 1.0 + 0.0
    y.backward()
    assert x.grad == 1.0


def test_value_bad_exponent_is_a_type_error():
    with pytest.raises(TypeError, match="exponent"):
        Value(2.0) ** Value(3.0)


def test_cross_entropy_by_hand():
    loss, grad = scratch.cross_entropy(np.zeros((2, 2)), [0, 1])
    assert loss == pytest.approx(math.log(2))
    np.testing.assert_allclose(grad, [[-0.25, 0.25], [0.25, -0.25]])


def test_sgd_and_momentum_steps_by_hand():
    w = np.array([1.0])
    opt = scratch.Optimizer("momentum", lr=0.1, momentum=0.5)
    opt.step([w], [np.array([1.0])])  # v = -0.1
    opt.step([w], [np.array([1.0])])  # v = -0.05 - 0.1 = -0.15
    assert w[0] == pytest.approx(1.0 - 0.1 - 0.15)


# --- (b) against torch autograd ----------------------------------------------------------------------


def _torch_grads(net, x, y):
    n = len(net.weights)
    params = [torch.tensor(p, requires_grad=True) for p in net.weights + net.biases]
    xt = torch.tensor(x, requires_grad=True)
    a = xt
    for i in range(n):
        a = a @ params[i] + params[n + i]
        if i < n - 1:
            a = TORCH_ACT[net.activation](a)
    loss = torch.nn.functional.cross_entropy(a, torch.tensor(y))
    loss.backward()
    return float(loss.detach()), [p.grad.numpy() for p in params], xt.grad.numpy()


@pytest.mark.parametrize("activation", sorted(scratch.ACTIVATIONS))
def test_backward_matches_torch_autograd(activation):
    rng = np.random.default_rng(1)
    net = scratch.MLP((7, 6, 5, 3), activation=activation, rng=2)
    x, y = rng.standard_normal((9, 7)), rng.integers(0, 3, 9)
    loss, grads = net.loss_and_gradients(x, y)
    t_loss, t_grads, t_dx = _torch_grads(net, x, y)
    assert loss == pytest.approx(t_loss, abs=1e-12)
    for mine, ref in zip(grads["W"] + grads["b"], t_grads):
        np.testing.assert_allclose(mine, ref, atol=1e-10, rtol=0)
    np.testing.assert_allclose(grads["x"], t_dx, atol=1e-10, rtol=0)


@settings(deadline=None, max_examples=25)
@given(widths=st.lists(st.integers(1, 6), min_size=2, max_size=4), batch=st.integers(1, 5),
       activation=st.sampled_from(sorted(scratch.ACTIVATIONS)), seed=st.integers(0, 2**16))
def test_backward_matches_torch_on_random_nets(widths, batch, activation, seed):
    rng = np.random.default_rng(seed)
    widths[-1] = max(widths[-1], 2)
    net = scratch.MLP(widths, activation=activation, rng=seed)
    x, y = rng.standard_normal((batch, widths[0])), rng.integers(0, widths[-1], batch)
    _, grads = net.loss_and_gradients(x, y)
    _, t_grads, _ = _torch_grads(net, x, y)
    for mine, ref in zip(grads["W"] + grads["b"], t_grads):
        np.testing.assert_allclose(mine, ref, atol=1e-6, rtol=0)


def test_numerical_gradient_check():
    rng = np.random.default_rng(3)
    net = scratch.MLP((5, 4, 3), activation="tanh", rng=4)
    x, y = rng.standard_normal((6, 5)), rng.integers(0, 3, 6)
    _, grads = net.loss_and_gradients(x, y)
    h = 1e-6
    for param, grad in zip(net.weights + net.biases, grads["W"] + grads["b"]):
        numeric = np.zeros_like(param)
        for idx in np.ndindex(param.shape):
            old = param[idx]
            param[idx] = old + h
            up, _ = net.loss_and_gradients(x, y)
            param[idx] = old - h
            down, _ = net.loss_and_gradients(x, y)
            param[idx] = old
            numeric[idx] = (up - down) / (2 * h)
        np.testing.assert_allclose(grad, numeric, atol=1e-8, rtol=1e-6)


def test_softmax_and_cross_entropy_match_torch():
    rng = np.random.default_rng(5)
    z, y = rng.standard_normal((8, 5)) * 30, rng.integers(0, 5, 8)
    np.testing.assert_allclose(scratch.softmax(z), torch.softmax(torch.tensor(z), 1).numpy(), atol=1e-14)
    zt = torch.tensor(z, requires_grad=True)
    ref = torch.nn.functional.cross_entropy(zt, torch.tensor(y))
    ref.backward()
    loss, grad = scratch.cross_entropy(z, y)
    assert loss == pytest.approx(float(ref.detach()), abs=1e-12)
    np.testing.assert_allclose(grad, zt.grad.numpy(), atol=1e-14)


@pytest.mark.parametrize("kind", ["sgd", "momentum", "adam"])
def test_optimizer_steps_match_torch_optim(kind):
    rng = np.random.default_rng(6)
    p0 = rng.standard_normal(5)
    grads = rng.standard_normal((4, 5))
    mine = p0.copy()
    opt = scratch.Optimizer(kind, lr=0.05, momentum=0.8)
    tp = torch.tensor(p0, requires_grad=True)
    topt = (torch.optim.Adam([tp], lr=0.05) if kind == "adam"
            else torch.optim.SGD([tp], lr=0.05, momentum=0.8 if kind == "momentum" else 0.0))
    for g in grads:
        opt.step([mine], [g])
        tp.grad = torch.tensor(g)
        topt.step()
    np.testing.assert_allclose(mine, tp.detach().numpy(), atol=1e-12)


# --- learns something --------------------------------------------------------------------------------


def test_scratch_mlp_learns_the_digits():
    from fastdip import nn

    parts = nn.digits(seed=0)
    (x, y), (xv, yv) = parts.train, parts.val
    net = scratch.MLP((64, 32, 10), activation="relu", rng=0)
    losses = net.fit(x.reshape(len(x), -1), y, optimizer="adam", lr=1e-2, batch_size=32, epochs=10, rng=0)
    assert losses[-1] < 0.3 * losses[0]
    assert np.mean(net.predict(xv.reshape(len(xv), -1)) == yv) > 0.9


def test_full_batch_and_stochastic_both_decrease_the_loss():
    rng = np.random.default_rng(7)
    x = rng.standard_normal((20, 3))
    y = (x[:, 0] > 0).astype(int)
    for batch in (1, 20):
        net = scratch.MLP((3, 4, 2), rng=1)
        losses = net.fit(x, y, optimizer="sgd", lr=0.1, batch_size=batch, epochs=20, rng=0)
        assert losses[-1] < losses[0]


# --- errors ------------------------------------------------------------------------------------------


def test_errors_name_the_parameter():
    with pytest.raises(ValueError, match="sizes"):
        scratch.MLP((4,))
    with pytest.raises(ValueError, match="activation"):
        scratch.MLP((4, 2), activation="gelu")
    with pytest.raises(ValueError, match="kind"):
        scratch.Optimizer("rmsprop")
    with pytest.raises(ValueError, match="lr"):
        scratch.Optimizer("sgd", lr=0)
