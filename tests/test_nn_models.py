"""fastdip.nn models and blocks: activations by formula, conv_output_shape against real torch layers, parameter
counts derived from the architecture against sum(p.numel()), U-Net output shape for odd sizes (2-D, 3-D),
seeded construction, error messages, and the docstring rules for the package's public names."""

import importlib
import inspect
import itertools
import warnings

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

torch = pytest.importorskip("torch")

from fastdip import nn  # noqa: E402


def _torch_shape(layer, size):
    with warnings.catch_warnings():  # torch warns that 'same' with an even kernel copies the input
        warnings.simplefilter("ignore", UserWarning)
        return tuple(layer(torch.zeros(1, 1, *size)).shape[2:])


def _numel(model):
    return sum(p.numel() for p in model.parameters())


# --- (a) hand-worked ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name, kw, expected", [
    ("relu", {}, [0.0, 0.0, 2.0]),
    ("leaky_relu", {"alpha": 0.5}, [-0.5, 0.0, 2.0]),
    ("elu", {}, [np.expm1(-1.0), 0.0, 2.0]),
    ("sigmoid", {}, [1 / (1 + np.e), 0.5, 1 / (1 + np.exp(-2.0))]),
    ("tanh", {}, [np.tanh(-1.0), 0.0, np.tanh(2.0)]),
    ("swish", {}, [-1 / (1 + np.e), 0.0, 2 / (1 + np.exp(-2.0))]),
    ("identity", {}, [-1.0, 0.0, 2.0]),
])
def test_activation_values(name, kw, expected):
    z = torch.tensor([-1.0, 0.0, 2.0], dtype=torch.float64)
    np.testing.assert_allclose(nn.activation(name, **kw)(z).numpy(), expected, atol=1e-12)


def test_softmax_activation_rows_sum_to_one():
    p = nn.activation("softmax")(torch.tensor([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]]))
    np.testing.assert_allclose(p.sum(1).numpy(), [1.0, 1.0], atol=1e-6)
    np.testing.assert_allclose(p[1].numpy(), [1 / 3] * 3, atol=1e-6)


@pytest.mark.parametrize("args, expected", [
    ((32, 5), 28),
    ((28, 3, 2, 1), 14),
    ((8, 2, 2), 4),
    ((7, 3, 1, 0, 2), 3),
    (((9, 10), 3, 1, "same"), (9, 10)),
    (((9, 10), (3, 5), 1, "valid"), (7, 6)),
])
def test_conv_output_shape_by_hand(args, expected):
    assert nn.conv_output_shape(*args) == expected


def test_mlp_parameter_count_formula():
    net = nn.MLP(64, (32, 16), 10, seed=0)
    assert net.n_parameters == 65 * 32 + 33 * 16 + 17 * 10 == _numel(net)


def test_cnn_feature_shape_from_the_formula():
    # 28 -conv5-> 24 -pool-> 12 -conv5-> 8 -pool-> 4: LeNet's arithmetic
    net = nn.CNN(1, 10, (4, 8), input_shape=(28, 28), kernel_size=5, padding="valid", seed=0)
    assert net.feature_shape == (8, 4, 4)
    assert net.n_parameters == (25 + 1) * 4 + (4 * 25 + 1) * 8 + (8 * 16 + 1) * 10
    assert tuple(net(torch.zeros(2, 1, 28, 28)).shape) == (2, 10)


def test_cnn_layers_that_do_not_fit_the_input_shape_raise():
    with pytest.raises(ValueError, match="kernel_size"):
        nn.CNN(1, 10, (4, 8, 16), input_shape=(28, 28), kernel_size=5, padding="valid")


# --- (b) against torch -------------------------------------------------------------------------------


@settings(deadline=None, max_examples=25)
@given(size=st.integers(1, 40), kernel=st.integers(1, 7), stride=st.integers(1, 4),
       padding=st.one_of(st.integers(0, 4), st.sampled_from(["same", "valid"])), dilation=st.integers(1, 3))
def test_conv_output_shape_matches_torch_conv(size, kernel, stride, padding, dilation):
    conv = torch.nn.Conv1d
    try:
        layer = conv(1, 1, kernel, stride=stride, padding=padding, dilation=dilation)
        expected = _torch_shape(layer, (size,))[0]
    except (RuntimeError, ValueError):
        expected = None
    if expected is None:
        with pytest.raises(ValueError):
            nn.conv_output_shape(size, kernel, stride, padding, dilation)
    else:
        assert nn.conv_output_shape(size, kernel, stride, padding, dilation) == expected


@pytest.mark.parametrize("kernel, stride, padding, dilation",
                         list(itertools.product([1, 2, 3], [1, 2], [0, 1, "same"], [1, 2])))
def test_conv_output_shape_matches_torch_conv2d_and_pool(kernel, stride, padding, dilation):
    size = (11, 16)
    if padding == "same" and stride > 1:
        with pytest.raises(ValueError, match="stride"):
            nn.conv_output_shape(size, kernel, stride, padding, dilation)
        return
    layer = torch.nn.Conv2d(1, 1, kernel, stride=stride, padding=padding, dilation=dilation)
    assert nn.conv_output_shape(size, kernel, stride, padding, dilation) == _torch_shape(layer, size)
    if padding != "same" and 2 * padding <= kernel:
        pool = torch.nn.MaxPool2d(kernel, stride=stride, padding=padding, dilation=dilation)
        assert nn.conv_output_shape(size, kernel, stride, padding, dilation) == _torch_shape(pool, size)


@pytest.mark.parametrize("kw", [
    {}, {"channels": (8,), "pool": "mean"}, {"channels": (4, 8), "kernel_size": 5, "padding": 2},
    {"channels": (4, 8), "input_shape": (8, 8)}, {"channels": (3, 5, 7), "dilation": 2, "padding": "same",
                                                   "input_shape": (20, 13)},
    {"channels": (4,), "stride": 2, "padding": 1, "input_shape": (9, 9)},
])
def test_cnn_parameter_count_and_output_shape(kw):
    net = nn.CNN(3, 7, seed=0, **kw)
    assert net.n_parameters == _numel(net)
    shape = kw.get("input_shape", (12, 10))
    assert tuple(net(torch.zeros(2, 3, *shape)).shape) == (2, 7)


@settings(deadline=None, max_examples=15)
@given(hidden=st.lists(st.integers(1, 20), max_size=3), n_in=st.integers(1, 30), n_out=st.integers(1, 12))
def test_mlp_parameter_count_equals_numel(hidden, n_in, n_out):
    net = nn.MLP(n_in, hidden, n_out)
    assert net.n_parameters == _numel(net)


@pytest.mark.parametrize("kw", [
    {"depth": 1, "base_channels": 2}, {"depth": 2, "base_channels": 4, "up": "nearest"},
    {"depth": 3, "base_channels": 2, "batch_norm": False}, {"depth": 2, "base_channels": 2, "dims": 3},
    {"depth": 4, "base_channels": 64},
])
def test_unet_parameter_count_equals_numel(kw):
    net = nn.UNet(2, 3, **kw)
    assert net.n_parameters == _numel(net)


def test_unet_paper_size_parameter_count():
    # Ronneberger et al.'s configuration (depth 4, 64 base channels, no batch norm): about 31 million
    net = nn.UNet(1, 2, depth=4, base_channels=64, batch_norm=False)
    assert net.n_parameters == _numel(net)
    assert 31_000_000 < net.n_parameters < 31_100_000


# --- (c) properties: shapes --------------------------------------------------------------------------


@pytest.mark.parametrize("shape", [(13, 10), (17, 17), (5, 31), (3, 3), (1, 1), (16, 16), (33, 8)])
@pytest.mark.parametrize("up", ["transposed", "nearest"])
def test_unet_2d_output_has_input_shape_for_odd_sizes(shape, up):
    net = nn.UNet(1, 2, depth=3, base_channels=2, up=up, seed=0).eval()
    with torch.no_grad():
        out = net(torch.rand(2, 1, *shape, generator=torch.Generator().manual_seed(0)))
    assert tuple(out.shape) == (2, 2, *shape)
    assert torch.isfinite(out).all()


@pytest.mark.parametrize("shape", [(7, 9, 5), (8, 8, 8), (3, 11, 6)])
def test_unet_3d_output_has_input_shape(shape):
    net = nn.UNet(1, 1, depth=2, base_channels=2, dims=3, seed=0).eval()
    with torch.no_grad():
        out = net(torch.rand(1, 1, *shape, generator=torch.Generator().manual_seed(0)))
    assert tuple(out.shape) == (1, 1, *shape)


def test_unet_padding_does_not_change_a_divisible_input():
    net = nn.UNet(1, 1, depth=2, base_channels=2, seed=0).eval()
    x = torch.rand(1, 1, 12, 8, generator=torch.Generator().manual_seed(1))
    assert net._pad(x) is x


def test_blocks_follow_the_figure():
    x = torch.zeros(1, 3, 11, 9)
    assert tuple(nn.TwoConv(3, 5)(x).shape) == (1, 5, 11, 9)
    down = nn.Down(5, 10)(nn.TwoConv(3, 5)(x))
    assert tuple(down.shape) == (1, 10, 5, 4)
    up = nn.Up(10, 5, 5, up="nearest")
    assert tuple(up(down, torch.zeros(1, 5, 11, 9)).shape) == (1, 5, 11, 9)


def test_same_seed_same_weights_and_global_rng_untouched():
    state = torch.get_rng_state()
    a = nn.UNet(1, 1, depth=1, base_channels=2, seed=3)
    b = nn.UNet(1, 1, depth=1, base_channels=2, seed=3)
    c = nn.UNet(1, 1, depth=1, base_channels=2, seed=4)
    assert torch.equal(torch.get_rng_state(), state)
    for (ka, va), (_, vb), (_, vc) in zip(a.state_dict().items(), b.state_dict().items(), c.state_dict().items()):
        assert torch.equal(va, vb), ka
    assert any(not torch.equal(va, vc) for va, vc in zip(a.parameters(), c.parameters()))


def test_config_rebuilds_the_same_architecture():
    for net in (nn.MLP(10, (4, 3), 2), nn.CNN(1, 3, (2,), input_shape=(6, 6)), nn.UNet(2, 1, depth=2, base_channels=3)):
        clone = type(net)(**net.config)
        assert [p.shape for p in clone.parameters()] == [p.shape for p in net.parameters()]


# --- errors ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("call, match", [
    (lambda: nn.activation("gelu"), "name"),
    (lambda: nn.activation("relu", alpha=0.1), "keyword"),
    (lambda: nn.conv_output_shape(3, 5), "kernel_size"),
    (lambda: nn.conv_output_shape(10, 3, 2, "same"), "stride"),
    (lambda: nn.conv_output_shape(10, 0), "kernel_size"),
    (lambda: nn.conv_output_shape((10, 10), (3, 3, 3)), "kernel_size"),
    (lambda: nn.conv_output_shape(10, 3, padding="full"), "padding"),
    (lambda: nn.MLP(0), "in_features"),
    (lambda: nn.MLP(4, dropout=1.0), "dropout"),
    (lambda: nn.CNN(1, 10, pool="median"), "pool"),
    (lambda: nn.CNN(1, 10, stride=2), "stride"),
    (lambda: nn.CNN(1, 10, channels=()), "channels"),
    (lambda: nn.UNet(1, 1, dims=4), "dims"),
    (lambda: nn.UNet(1, 1, up="bilinear"), "up"),
    (lambda: nn.UNet(1, 1, depth=-1), "depth"),
])
def test_errors_name_the_parameter(call, match):
    with pytest.raises(ValueError, match=match):
        call()


# --- documentation -----------------------------------------------------------------------------------


def _public_names():
    for name in nn.__all__:
        yield name, getattr(nn, name)
    scratch = importlib.import_module("fastdip.nn.scratch")
    for name in scratch.__all__:
        obj = getattr(scratch, name)
        if callable(obj):
            yield f"scratch.{name}", obj


@pytest.mark.parametrize("qualname, obj", list(_public_names()))
def test_public_names_have_numpy_docstrings(qualname, obj):
    doc = inspect.getdoc(obj) or ""
    for section in ("Parameters", "Returns", "References", "Examples"):
        assert f"\n{section}\n" in doc, f"{qualname} lacks a {section} section"
    assert ">>> " in doc


def test_import_fastdip_nn_does_not_import_torch():
    import subprocess
    import sys

    code = "import sys, fastdip.nn, fastdip.nn.scratch; print('torch' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
