"""The course's three networks in PyTorch: a multilayer perceptron, a small convolutional classifier and the
U-Net (2-D or 3-D), plus the activation functions by name and the convolution output-size formula.

Every model takes ``seed=``: when given, its weights are drawn from a private torch generator state
(``torch.random.fork_rng``), so two models built with the same seed are identical and the global RNG is
untouched. Every model records its constructor arguments in ``model.config`` (what a checkpoint stores to
rebuild it) and its parameter count, computed layer by layer from the architecture, in ``n_parameters``.
"""

from __future__ import annotations

import contextlib
import math

import torch
from torch import nn

from fastdip import _validate

from .blocks import Down, TwoConv, Up

__all__ = ["activation", "conv_output_shape", "MLP", "CNN", "UNet", "ACTIVATIONS"]

#: Names accepted by :func:`activation`.
ACTIVATIONS = ("relu", "leaky_relu", "elu", "sigmoid", "tanh", "swish", "softmax", "identity")


def activation(name: str, **kw) -> nn.Module:
    """An activation function as a torch module, by name.

    Parameters
    ----------
    name : {'relu', 'leaky_relu', 'elu', 'sigmoid', 'tanh', 'swish', 'softmax', 'identity'}
        relu max(0, z); leaky_relu z if z > 0 else αz (``alpha``, default 0.01); elu z if z > 0 else
        α(eᶻ − 1) (``alpha``, default 1); sigmoid 1/(1 + e⁻ᶻ); tanh; swish z·sigmoid(z) (also called SiLU);
        softmax e^{z_i} / Σ_j e^{z_j} along ``dim`` (default 1, the class axis); identity z.
    **kw
        ``alpha`` for leaky_relu and elu, ``dim`` for softmax.

    Returns
    -------
    torch.nn.Module
        The activation module.

    Raises
    ------
    ValueError
        If ``name`` is unknown or a keyword does not belong to it.

    References
    ----------
    V. Nair, G. E. Hinton, "Rectified linear units improve restricted Boltzmann machines", ICML 2010.
    A. L. Maas, A. Y. Hannun, A. Y. Ng, "Rectifier nonlinearities improve neural network acoustic models",
    ICML 2013. D.-A. Clevert, T. Unterthiner, S. Hochreiter, "Fast and accurate deep network learning by
    exponential linear units (ELUs)", ICLR 2016, arXiv:1511.07289. P. Ramachandran, B. Zoph, Q. V. Le,
    "Searching for activation functions", 2017, arXiv:1710.05941.

    Examples
    --------
    >>> import torch
    >>> f = activation("leaky_relu", alpha=0.1)
    >>> f(torch.tensor([-2.0, 3.0])).tolist()
    [-0.20000000298023224, 3.0]
    """
    _validate.choice(name, "activation", "name", ACTIVATIONS)
    allowed = {"leaky_relu": {"alpha"}, "elu": {"alpha"}, "softmax": {"dim"}}.get(name, set())
    extra = set(kw) - allowed
    if extra:
        _validate.fail("activation", "keyword", sorted(extra)[0],
                       f"one of {sorted(allowed)} for {name!r}" if allowed else f"none for {name!r}")
    if name == "relu":
        return nn.ReLU()
    if name == "leaky_relu":
        return nn.LeakyReLU(float(kw.get("alpha", 0.01)))
    if name == "elu":
        return nn.ELU(float(kw.get("alpha", 1.0)))
    if name == "sigmoid":
        return nn.Sigmoid()
    if name == "tanh":
        return nn.Tanh()
    if name == "swish":
        return nn.SiLU()
    if name == "softmax":
        return nn.Softmax(dim=int(kw.get("dim", 1)))
    return nn.Identity()


_activation = activation  # MLP's parameter of the same name shadows the function


def conv_output_shape(size, kernel_size, stride=1, padding=0, dilation=1):
    """Output size of a convolution (or pooling) layer, as torch computes it.

    Parameters
    ----------
    size : int or tuple of int
        Input spatial size(s).
    kernel_size, stride, dilation : int or tuple of int
        Per axis, or one value for all axes.
    padding : int, tuple of int, 'same' or 'valid'
        Zero padding on each side; 'valid' is 0; 'same' keeps the size (torch allows it only with stride 1).

    Returns
    -------
    int or tuple of int
        An int for an int ``size``, else a tuple: ⌊(n + 2p − d(k − 1) − 1) / s⌋ + 1 per axis.

    Raises
    ------
    ValueError
        If a value is not a positive int (padding: non-negative), 'same' is asked with a stride > 1, or the
        kernel does not fit (output size < 1).

    References
    ----------
    V. Dumoulin, F. Visin, "A guide to convolution arithmetic for deep learning", 2016, arXiv:1603.07285.

    Examples
    --------
    >>> conv_output_shape(32, 5)
    28
    >>> conv_output_shape((28, 28), 3, stride=2, padding=1)
    (14, 14)
    >>> conv_output_shape(8, 2, stride=2)
    4
    """
    func = "conv_output_shape"
    scalar = not isinstance(size, (tuple, list))
    sizes = (size,) if scalar else tuple(size)
    n = len(sizes)

    def per_axis(value, param, low):
        values = (value,) * n if not isinstance(value, (tuple, list)) else tuple(value)
        if len(values) != n:
            _validate.fail(func, param, value, f"one int or {n} of them")
        return tuple(_validate.number(v, func, param, low=low, integer=True) for v in values)

    sizes = per_axis(sizes, "size", 1)
    kernel = per_axis(kernel_size, "kernel_size", 1)
    stride = per_axis(stride, "stride", 1)
    dilation = per_axis(dilation, "dilation", 1)
    if isinstance(padding, str):
        _validate.choice(padding, func, "padding", ("same", "valid"))
        if padding == "same":
            if any(s != 1 for s in stride):
                _validate.fail(func, "stride", stride, "1 with padding='same' (as in torch)")
            return size if scalar else sizes
        padding = 0
    pads = per_axis(padding, "padding", 0)
    out = tuple((m + 2 * p - d * (k - 1) - 1) // s + 1 for m, k, s, p, d in zip(sizes, kernel, stride, pads, dilation))
    if min(out) < 1:
        _validate.fail(func, "kernel_size", kernel_size, f"no larger than the padded input {sizes} allows "
                       f"(output size would be {out})")
    return out[0] if scalar else out


def _seeded(seed, func):
    """A context in which torch's global RNG starts from ``seed`` and is restored afterwards (None: as is)."""
    if seed is None:
        return contextlib.nullcontext()
    seed = _validate.number(seed, func, "seed", low=0, integer=True)
    stack = contextlib.ExitStack()
    stack.enter_context(torch.random.fork_rng(devices=[]))
    torch.manual_seed(seed)
    return stack


def _count(module: nn.Module) -> int:
    """Parameters of ``module`` from its layers' hyper-parameters (the count the lecture derives by hand):
    a dense layer (n_in + 1) n_out, a convolution (k^d c_in/groups + 1) c_out, a batch norm 2 c."""
    total = 0
    for layer in module.modules():
        if isinstance(layer, nn.Linear):
            total += (layer.in_features + (layer.bias is not None)) * layer.out_features
        elif isinstance(layer, (nn.Conv2d, nn.Conv3d, nn.ConvTranspose2d, nn.ConvTranspose3d)):
            taps = math.prod(layer.kernel_size) * layer.in_channels // layer.groups
            total += (taps + (layer.bias is not None)) * layer.out_channels
        elif isinstance(layer, (nn.BatchNorm1d, nn.BatchNorm2d, nn.BatchNorm3d)) and layer.affine:
            total += 2 * layer.num_features
    return total


class MLP(nn.Module):
    """Multilayer perceptron: flatten, then dense layers z = xW + b with an activation between them.

    Parameters
    ----------
    in_features : int
        Inputs per sample (an (N, 1, 8, 8) batch is flattened to N x 64 first).
    hidden : sequence of int, optional
        Width of each hidden layer; () gives a linear (softmax-regression) model.
    out_features : int, optional
        Outputs (classes); the model returns logits: use a softmax (inside the cross-entropy loss) on them.
    activation : str, optional
        Name of the hidden activation (see :func:`activation`).
    dropout : float, optional
        Dropout probability after each hidden activation (Srivastava et al. 2014); 0 for none.
    seed : int, optional
        Seed for the weight initialisation (torch defaults: uniform ±1/√fan_in); None uses the global RNG.

    Returns
    -------
    MLP
        A module mapping (N, ...) with in_features values per sample to (N, out_features) logits;
        ``n_parameters`` = Σ (n_l + 1) n_{l+1}.

    References
    ----------
    D. E. Rumelhart, G. E. Hinton, R. J. Williams, "Learning representations by back-propagating errors",
    Nature 323, 533-536, 1986, DOI 10.1038/323533a0.

    Examples
    --------
    >>> import torch
    >>> net = MLP(64, hidden=(16,), out_features=10, seed=0)
    >>> net.n_parameters, (64 + 1) * 16 + (16 + 1) * 10
    (1210, 1210)
    >>> tuple(net(torch.zeros(5, 1, 8, 8)).shape)
    (5, 10)
    """

    task = "classify"

    def __init__(self, in_features: int, hidden=(16,), out_features: int = 10, *, activation: str = "relu",
                 dropout: float = 0.0, seed=None):
        super().__init__()
        func = "MLP"
        in_features = _validate.positive_int(in_features, func, "in_features")
        out_features = _validate.positive_int(out_features, func, "out_features")
        hidden = tuple(_validate.positive_int(h, func, "hidden") for h in hidden)
        dropout = _validate.number(dropout, func, "dropout", low=0, high=1, high_open=True)
        _validate.choice(activation, func, "activation", ACTIVATIONS)
        self.config = {"in_features": in_features, "hidden": list(hidden), "out_features": out_features,
                       "activation": activation, "dropout": dropout}
        with _seeded(seed, func):
            layers: list[nn.Module] = [nn.Flatten()]
            widths = (in_features, *hidden)
            for n_in, n_out in zip(widths[:-1], widths[1:]):
                layers += [nn.Linear(n_in, n_out), _activation(activation)]
                if dropout:
                    layers.append(nn.Dropout(dropout))
            layers.append(nn.Linear(widths[-1], out_features))
            self.layers = nn.Sequential(*layers)
        widths = (in_features, *hidden, out_features)
        self.n_parameters = sum((a + 1) * b for a, b in zip(widths[:-1], widths[1:]))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.layers(x)


class CNN(nn.Module):
    """Convolutional classifier in LeNet's pattern: (convolution → ReLU → 2x2 pooling) per entry of
    ``channels``, then a dense layer to the classes.

    Parameters
    ----------
    in_channels : int
        Channels of the input images (1 for grey).
    n_classes : int
        Number of classes; the model returns logits.
    channels : sequence of int, optional
        Output channels of each convolution stage.
    kernel_size, stride, dilation : int, optional
        Of every convolution.
    padding : int, 'same' or 'valid', optional
        Of every convolution ('same' needs stride 1).
    pool : {'max', 'mean'}, optional
        2x2 max pooling or average pooling after each stage (a stage whose map is already 1 pixel wide
        skips it).
    input_shape : (int, int), optional
        (rows, cols) of the input. Given: the head flattens the last feature map into a dense layer whose
        size is computed with :func:`conv_output_shape` (the lecture's exercise). None: the head averages
        each channel over the map (global average pooling), so any input size works.
    seed : int, optional
        Seed for the weight initialisation; None uses the global RNG.

    Returns
    -------
    CNN
        A module mapping (N, in_channels, H, W) to (N, n_classes) logits; ``feature_shape`` is the
        (channels, rows, cols) of the last feature map when ``input_shape`` is given.

    Raises
    ------
    ValueError
        If an argument is out of range or the layers do not fit ``input_shape``.

    References
    ----------
    Y. LeCun, L. Bottou, Y. Bengio, P. Haffner, "Gradient-based learning applied to document recognition",
    Proc. IEEE 86(11), 2278-2324, 1998, DOI 10.1109/5.726791. M. Lin, Q. Chen, S. Yan, "Network in
    network", ICLR 2014, arXiv:1312.4400 (global average pooling).

    Examples
    --------
    >>> import torch
    >>> net = CNN(1, 10, channels=(8, 16), input_shape=(8, 8), seed=0)
    >>> net.feature_shape, tuple(net(torch.zeros(3, 1, 8, 8)).shape)
    ((16, 2, 2), (3, 10))
    >>> net.n_parameters == sum(p.numel() for p in net.parameters())
    True
    """

    task = "classify"

    def __init__(self, in_channels: int, n_classes: int, channels=(16, 32), *, kernel_size=3, padding="same",
                 stride=1, dilation=1, pool: str = "max", input_shape=None, seed=None):
        super().__init__()
        func = "CNN"
        in_channels = _validate.positive_int(in_channels, func, "in_channels")
        n_classes = _validate.positive_int(n_classes, func, "n_classes")
        channels = tuple(_validate.positive_int(c, func, "channels") for c in channels)
        if not channels:
            _validate.fail(func, "channels", channels, "a non-empty sequence of positive ints")
        _validate.choice(pool, func, "pool", ("max", "mean"))
        if isinstance(padding, str):
            _validate.choice(padding, func, "padding", ("same", "valid"))
            if padding == "same" and stride != 1:
                _validate.fail(func, "stride", stride, "1 with padding='same' (as in torch)")
        self.config = {"in_channels": in_channels, "n_classes": n_classes, "channels": list(channels),
                       "kernel_size": kernel_size, "padding": padding, "stride": stride, "dilation": dilation,
                       "pool": pool, "input_shape": None if input_shape is None else list(input_shape)}
        shape = None if input_shape is None else tuple(int(s) for s in input_shape)
        pool_layer = nn.MaxPool2d if pool == "max" else nn.AvgPool2d
        with _seeded(seed, func):
            layers: list[nn.Module] = []
            cin = in_channels
            for cout in channels:
                layers += [nn.Conv2d(cin, cout, kernel_size, stride=stride, padding=padding, dilation=dilation),
                           nn.ReLU()]
                if shape is not None:
                    shape = conv_output_shape(shape, kernel_size, stride, padding, dilation)
                    if min(shape) >= 2:
                        layers.append(pool_layer(2))
                        shape = conv_output_shape(shape, 2, stride=2)
                else:
                    layers.append(pool_layer(2, ceil_mode=True))
                cin = cout
            self.features = nn.Sequential(*layers)
            if shape is None:
                self.feature_shape = None
                self.head = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(cin, n_classes))
            else:
                self.feature_shape = (cin, *shape)
                self.head = nn.Sequential(nn.Flatten(), nn.Linear(cin * math.prod(shape), n_classes))
        self.n_parameters = _count(self)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.features(x))


class UNet(nn.Module):
    """U-Net (Ronneberger et al. 2015) for 2-D or 3-D images, with 'same' convolutions.

    Parameters
    ----------
    in_channels, out_channels : int
        Channels of the input image and of the output map (1 for a binary mask, trained with 'bce' or
        'dice'; K classes with 'cross_entropy').
    depth : int, optional
        Number of poolings (the paper: 4); level l has ``base_channels * 2**l`` channels.
    base_channels : int, optional
        Channels of the first level (the paper: 64).
    dims : {2, 3}, optional
        Spatial dimensions of the images.
    up : {'transposed', 'nearest'}, optional
        How the way up upsamples (see :class:`fastdip.nn.blocks.Up`).
    batch_norm : bool, optional
        Batch normalisation after each convolution (not in the original paper).
    seed : int, optional
        Seed for the weight initialisation; None uses the global RNG.

    Returns
    -------
    UNet
        A module mapping (N, in_channels, *S) to (N, out_channels, *S) logits for any spatial size S.

    Raises
    ------
    ValueError
        If an argument is out of range.

    Notes
    -----
    Sizes not divisible by 2**depth: ``forward`` pads the input up to the next multiple of 2**depth on the
    high side of each axis (reflect padding, or edge replication where the image is too small to reflect),
    runs the U and crops the output back, so every pooling halves an even size and the output has the
    input's shape. ``forward`` follows the U: ``down`` path keeping each level's output as a skip, then the
    ``up`` path concatenating them in reverse order, then a 1x1 convolution to the classes.

    References
    ----------
    O. Ronneberger, P. Fischer, T. Brox, "U-Net: Convolutional networks for biomedical image segmentation",
    MICCAI 2015, LNCS 9351, 234-241, DOI 10.1007/978-3-319-24574-4_28. Ö. Çiçek et al., "3D U-Net:
    learning dense volumetric segmentation from sparse annotation", MICCAI 2016,
    DOI 10.1007/978-3-319-46723-8_49.

    Examples
    --------
    >>> import torch
    >>> net = UNet(1, 2, depth=2, base_channels=4, seed=0)
    >>> tuple(net(torch.zeros(1, 1, 13, 10)).shape)
    (1, 2, 13, 10)
    """

    task = "dense"

    def __init__(self, in_channels: int = 1, out_channels: int = 1, *, depth: int = 4, base_channels: int = 32,
                 dims: int = 2, up: str = "transposed", batch_norm: bool = True, seed=None):
        super().__init__()
        func = "UNet"
        in_channels = _validate.positive_int(in_channels, func, "in_channels")
        out_channels = _validate.positive_int(out_channels, func, "out_channels")
        depth = _validate.number(depth, func, "depth", low=0, integer=True)
        base_channels = _validate.positive_int(base_channels, func, "base_channels")
        _validate.choice(dims, func, "dims", (2, 3))
        _validate.choice(up, func, "up", ("transposed", "nearest"))
        self.config = {"in_channels": in_channels, "out_channels": out_channels, "depth": depth,
                       "base_channels": base_channels, "dims": dims, "up": up, "batch_norm": bool(batch_norm)}
        self.in_channels, self.out_channels, self.depth, self.dims = in_channels, out_channels, depth, dims
        widths = [base_channels * 2**level for level in range(depth + 1)]
        conv = nn.Conv2d if dims == 2 else nn.Conv3d
        with _seeded(seed, func):
            self.first = TwoConv(in_channels, widths[0], dims=dims, batch_norm=batch_norm)
            self.down = nn.ModuleList(Down(widths[i], widths[i + 1], dims=dims, batch_norm=batch_norm)
                                      for i in range(depth))
            self.up = nn.ModuleList(Up(widths[i + 1], widths[i], widths[i], dims=dims, up=up,
                                       batch_norm=batch_norm) for i in reversed(range(depth)))
            self.last = conv(widths[0], out_channels, kernel_size=1)
        self.n_parameters = _count(self)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        spatial = x.shape[2:]
        x = self._pad(x)
        skips = [self.first(x)]
        for down in self.down:
            skips.append(down(skips[-1]))
        x = skips.pop()
        for up in self.up:
            x = up(x, skips.pop())
        x = self.last(x)
        return x[(..., *(slice(0, s) for s in spatial))]

    def _pad(self, x: torch.Tensor) -> torch.Tensor:
        multiple = 2**self.depth
        extra = [-s % multiple for s in x.shape[2:]]
        if not any(extra):
            return x
        pad = []
        for e in reversed(extra):
            pad += [0, e]
        mode = "reflect" if all(e < s for e, s in zip(extra, x.shape[2:])) else "replicate"
        return nn.functional.pad(x, pad, mode=mode)
