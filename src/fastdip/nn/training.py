"""Training loop, learning curves, checkpoints and (tiled) inference for the :mod:`fastdip.nn` models.

Data for :func:`train` is either a pair ``(X, y)`` of numpy arrays or torch tensors, or a
``torch.utils.data.Dataset`` yielding ``(x, y)`` pairs. X is cast to float32. For a classifier (MLP, CNN) y
holds int class numbers; for a dense model (U-Net) X may omit the channel axis ((N, H, W) grey images)
and y is a mask of the output's shape, with or without the channel axis (bool/float for 'bce'/'dice',
int class numbers without channel axis for 'cross_entropy').
"""

from __future__ import annotations

import contextlib
import csv
import math
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import numpy as np
import torch
from torch import nn

from fastdip import _validate

__all__ = ["History", "Checkpoint", "train", "predict", "save_checkpoint", "load_checkpoint", "LOSSES",
           "OPTIMIZERS"]

LOSSES = ("cross_entropy", "bce", "dice", "bce_dice", "mse")
OPTIMIZERS = ("sgd", "momentum", "adam")
_METRIC = {"cross_entropy": "accuracy", "bce": "dice", "dice": "dice", "bce_dice": "dice", "mse": None}


@dataclass
class History:
    """Per-epoch learning curves of a :func:`train` run.

    Parameters
    ----------
    metric : str or None
        Name of the metric column: 'accuracy' (cross-entropy), 'dice' (bce / dice losses) or None (mse).

    Returns
    -------
    History
        Lists ``epoch``, ``train_loss``, ``val_loss``, ``train_metric``, ``val_metric``, ``seconds``
        (NaN where there is no validation data or no metric); ``best_epoch``; ``to_csv``; ``plot``.

    References
    ----------
    I. Goodfellow, Y. Bengio, A. Courville, Deep Learning, MIT Press 2016, section 7.8 (early stopping and
    learning curves).

    Examples
    --------
    >>> h = History("accuracy")
    >>> h.append(1, 0.9, 0.8, 0.7, 0.75, 0.01)
    >>> len(h), h.best_epoch, h.as_dict()["val_metric"]
    (1, 1, [0.75])
    """

    metric: str | None = None
    epoch: list = field(default_factory=list)
    train_loss: list = field(default_factory=list)
    val_loss: list = field(default_factory=list)
    train_metric: list = field(default_factory=list)
    val_metric: list = field(default_factory=list)
    seconds: list = field(default_factory=list)

    _COLUMNS = ("epoch", "train_loss", "val_loss", "train_metric", "val_metric", "seconds")

    def append(self, epoch, train_loss, val_loss, train_metric, val_metric, seconds) -> None:
        for name, value in zip(self._COLUMNS, (epoch, train_loss, val_loss, train_metric, val_metric, seconds)):
            getattr(self, name).append(int(value) if name == "epoch" else float(value))

    def __len__(self) -> int:
        return len(self.epoch)

    @property
    def best_epoch(self) -> int | None:
        """The epoch of the lowest validation loss (of the training loss without validation data)."""
        losses = self.val_loss if self.val_loss and not all(math.isnan(v) for v in self.val_loss) else self.train_loss
        if not losses:
            return None
        return self.epoch[int(np.nanargmin(losses))]

    def as_dict(self) -> dict:
        """The columns as a dict of lists (plus 'metric')."""
        return {"metric": self.metric, **{name: list(getattr(self, name)) for name in self._COLUMNS}}

    @classmethod
    def from_dict(cls, d: dict) -> History:
        return cls(d.get("metric"), *(list(d.get(name, [])) for name in cls._COLUMNS))

    def to_csv(self, path) -> Path:
        """Write one row per epoch with a header line; returns the path."""
        path = Path(path)
        with path.open("w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(self._COLUMNS)
            for row in zip(*(getattr(self, name) for name in self._COLUMNS)):
                writer.writerow(row)
        return path

    def plot(self, *, title=None):
        """Loss (left) and metric (right) against epoch, train and validation: a matplotlib Figure."""
        from fastdip import viz

        fig, axes = viz.new_figure(1, 2, size=(4.0, 3.0))
        panels = [("loss", self.train_loss, self.val_loss), (self.metric or "metric", self.train_metric,
                                                              self.val_metric)]
        for ax, (name, tr, va) in zip(axes, panels):
            viz.plot_curve(self.epoch, tr, ax, label="train", xlabel="epoch", ylabel=name)
            if va and not all(math.isnan(v) for v in va):
                viz.plot_curve(self.epoch, va, ax, label="validation", xlabel="epoch", ylabel=name)
        if title:
            fig.suptitle(title)
        return fig


class Checkpoint(NamedTuple):
    """What :func:`load_checkpoint` returns."""

    model: nn.Module
    optimizer_state: dict | None
    history: History
    config: dict
    epoch: int


def _device(device):
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(device)


def _dense(model) -> bool:
    return getattr(model, "task", "dense") == "dense"


def _as_xy(data, model, loss, func, param):
    """(X, y) tensors from a pair of arrays/tensors, or None for a Dataset (used through a DataLoader)."""
    if isinstance(data, torch.utils.data.Dataset):
        return None
    try:
        x, y = data
    except (TypeError, ValueError):
        _validate.fail(func, param, data, "a pair (X, y) of arrays or tensors, or a torch Dataset", TypeError)
    x = torch.as_tensor(np.asarray(x) if not isinstance(x, torch.Tensor) else x).float()
    y = torch.as_tensor(np.asarray(y) if not isinstance(y, torch.Tensor) else y)
    if len(x) != len(y) or len(x) == 0:
        _validate.fail(func, param, (tuple(x.shape), tuple(y.shape)), "X and y of the same non-zero length")
    dims = getattr(model, "dims", None)
    if _dense(model) and dims is not None and x.ndim == dims + 1:
        x = x[:, None]
    y = y.long() if loss == "cross_entropy" else y.float()
    return x, y


def _loss_fn(loss):
    if loss == "cross_entropy":
        return nn.functional.cross_entropy

    def fit_shape(out, y):
        return y[:, None] if y.ndim == out.ndim - 1 else y

    if loss == "mse":
        return lambda out, y: nn.functional.mse_loss(out, fit_shape(out, y))

    def soft_dice(out, y):
        p = torch.sigmoid(out)
        y = fit_shape(out, y)
        axes = tuple(range(1, out.ndim))
        inter = (p * y).sum(axes)
        return (1 - (2 * inter + 1) / (p.sum(axes) + y.sum(axes) + 1)).mean()

    def bce(out, y):
        return nn.functional.binary_cross_entropy_with_logits(out, fit_shape(out, y))

    return {"bce": bce, "dice": soft_dice, "bce_dice": lambda o, y: bce(o, y) + soft_dice(o, y)}[loss]


def _metric_sums(metric, out, y):
    """(numerator, denominator) of the metric over a batch, so that epochs average over samples/pixels."""
    if metric == "accuracy":
        return float((out.argmax(1) == y).sum()), y.numel()
    if metric == "dice":
        pred = out > 0
        y = (y[:, None] if y.ndim == out.ndim - 1 else y) > 0.5
        axes = tuple(range(1, out.ndim))
        inter = (pred & y).sum(axes).double()
        total = (pred.sum(axes) + y.sum(axes)).double()
        per_sample = torch.where(total > 0, 2 * inter / total.clamp(min=1), torch.ones_like(total))
        return float(per_sample.sum()), len(y)
    return 0.0, 0


def _batches(x, y, batch_size, generator, shuffle):
    n = len(x)
    order = torch.randperm(n, generator=generator) if shuffle else torch.arange(n)
    for start in range(0, n, batch_size):
        idx = order[start:start + batch_size]
        yield x[idx], y[idx]


def _loader(data, batch_size, generator, shuffle):
    return torch.utils.data.DataLoader(data, batch_size=batch_size, shuffle=shuffle, generator=generator)


def _run_epoch(model, data, xy, loss_fn, metric, optimizer, batch_size, generator, device, train_mode):
    model.train(train_mode)
    total_loss, count, num, den = 0.0, 0, 0.0, 0
    batches = _batches(*xy, batch_size, generator, train_mode) if xy is not None else \
        _loader(data, batch_size, generator if train_mode else None, train_mode)
    context = torch.enable_grad() if train_mode else torch.no_grad()
    with context:
        for xb, yb in batches:
            xb, yb = xb.to(device).float(), yb.to(device)
            if xy is None:
                if _dense(model) and getattr(model, "dims", None) == xb.ndim - 1:
                    xb = xb[:, None]
                yb = yb.long() if loss_fn is nn.functional.cross_entropy else yb.float()
            out = model(xb)
            loss = loss_fn(out, yb)
            if train_mode:
                optimizer.zero_grad(set_to_none=True)
                loss.backward()
                optimizer.step()
            total_loss += float(loss.detach()) * len(xb)
            count += len(xb)
            a, b = _metric_sums(metric, out.detach(), yb)
            num, den = num + a, den + b
    return total_loss / max(count, 1), (num / den if den else float("nan"))


def _make_optimizer(name, params, lr, momentum, weight_decay):
    if name == "adam":
        return torch.optim.Adam(params, lr=lr, weight_decay=weight_decay)
    return torch.optim.SGD(params, lr=lr, momentum=momentum if name == "momentum" else 0.0,
                           weight_decay=weight_decay)


def train(model, train_data, val_data=None, *, loss="cross_entropy", optimizer="adam", lr=1e-3, momentum=0.9,
          weight_decay=0.0, batch_size=32, epochs=10, early_stopping=None, seed=0, device="auto",
          progress=False, checkpoint=None, resume=None, num_threads=None) -> History:
    """Train a model with mini-batch gradient descent and record its learning curves.

    Parameters
    ----------
    model : torch.nn.Module
        The network (trained in place); a :mod:`fastdip.nn` model or any module.
    train_data, val_data : (X, y) pair of arrays/tensors, or torch Dataset
        Training data; optional validation data, evaluated after each epoch in eval mode (see the module
        docstring for shapes).
    loss : {'cross_entropy', 'bce', 'dice', 'bce_dice', 'mse'}, optional
        cross_entropy: softmax cross-entropy on class logits (metric: accuracy); bce: binary cross-entropy
        on logits; dice: 1 − soft Dice of sigmoid(logits); bce_dice: their sum (metric: Dice of logits > 0);
        mse: mean squared error (no metric).
    optimizer : {'sgd', 'momentum', 'adam'}, optional
        Plain SGD, SGD with (heavy-ball) momentum ``momentum``, or Adam (Kingma & Ba 2015).
    lr, momentum, weight_decay : float, optional
        Learning rate, momentum coefficient and L2 penalty.
    batch_size : int, optional
        Samples per step: 1 is stochastic gradient descent, len(train data) full-batch gradient descent.
    epochs : int, optional
        Passes over the training data (the total, counting epochs of a resumed run).
    early_stopping : int, optional
        Patience: stop after this many epochs without a lower validation loss, and restore the weights of
        the best epoch. None trains all epochs.
    seed : int, optional
        Seeds the shuffling and dropout (on a private RNG state; torch's global state is restored after).
        The same seed, model and data give the same result on the CPU.
    device : str, optional
        'auto' (CUDA when available, else CPU), 'cpu', 'cuda', ...
    progress : bool, optional
        Show a progress bar over epochs on stderr (rich), with the latest losses, when stderr is a
        terminal.
    checkpoint : str or os.PathLike, optional
        Write a checkpoint (see :func:`save_checkpoint`) there after every epoch, atomically, so an
        interrupted run can be resumed.
    resume : str or os.PathLike, optional
        A checkpoint written by ``checkpoint=``: load the model, optimiser, history and RNG states and
        continue from the epoch after it.
    num_threads : int, optional
        torch's intra-op CPU threads during the call (restored after); None leaves torch's setting. On a
        small or shared CPU, 1 is often fastest for small models.

    Returns
    -------
    History
        Per-epoch train/validation loss and metric and seconds.

    Raises
    ------
    ValueError
        If an option is out of range or the data are malformed.
    TypeError
        If the data are neither a pair nor a Dataset.

    Notes
    -----
    Each epoch shuffles the training data with a torch.Generator seeded by ``seed`` and takes one
    optimiser step per mini-batch on the mean loss of the batch; the train metric is accumulated over the
    epoch's batches (in train mode), the validation metric after the epoch (in eval mode).

    References
    ----------
    D. E. Rumelhart, G. E. Hinton, R. J. Williams, "Learning representations by back-propagating errors",
    Nature 323, 533-536, 1986, DOI 10.1038/323533a0. D. P. Kingma, J. Ba, "Adam: a method for stochastic
    optimization", ICLR 2015, arXiv:1412.6980. L. Prechelt, "Early stopping — but when?", in Neural
    Networks: Tricks of the Trade, LNCS 1524, 55-69, 1998, DOI 10.1007/3-540-49430-8_3.

    Examples
    --------
    >>> import numpy as np
    >>> from fastdip.nn import MLP
    >>> x = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]] * 8)
    >>> y = np.array([0, 1, 1, 0] * 8)  # XOR
    >>> net = MLP(2, hidden=(8,), out_features=2, seed=0)
    >>> h = train(net, (x, y), lr=0.05, batch_size=8, epochs=60, seed=0)
    >>> h.train_metric[-1]
    1.0
    """
    func = "train"
    _validate.choice(loss, func, "loss", LOSSES)
    _validate.choice(optimizer, func, "optimizer", OPTIMIZERS)
    lr = _validate.number(lr, func, "lr", low=0, low_open=True)
    momentum = _validate.number(momentum, func, "momentum", low=0, high=1, high_open=True)
    weight_decay = _validate.number(weight_decay, func, "weight_decay", low=0)
    batch_size = _validate.positive_int(batch_size, func, "batch_size")
    epochs = _validate.number(epochs, func, "epochs", low=0, integer=True)
    if early_stopping is not None:
        early_stopping = _validate.positive_int(early_stopping, func, "early_stopping")
    seed = _validate.number(seed, func, "seed", low=0, integer=True)
    if not isinstance(model, nn.Module):
        _validate.fail(func, "model", model, "a torch.nn.Module", TypeError)
    device = _device(device)
    train_xy = _as_xy(train_data, model, loss, func, "train_data")
    val_xy = None if val_data is None else _as_xy(val_data, model, loss, func, "val_data")
    model.to(device)
    if train_xy is not None:
        train_xy = tuple(t.to(device) for t in train_xy)
    if val_xy is not None:
        val_xy = tuple(t.to(device) for t in val_xy)
    opt = _make_optimizer(optimizer, model.parameters(), lr, momentum, weight_decay)
    metric = _METRIC[loss]
    history = History(metric)
    generator = torch.Generator().manual_seed(seed)
    config = {"loss": loss, "optimizer": optimizer, "lr": lr, "momentum": momentum, "weight_decay": weight_decay,
              "batch_size": batch_size, "epochs": epochs, "early_stopping": early_stopping, "seed": seed}
    loss_fn = _loss_fn(loss)
    best = (math.inf, None, 0)  # (val loss, state dict, epoch)
    with torch.random.fork_rng(devices=[]), _threads(num_threads, func):
        torch.manual_seed(seed)
        start_epoch = 0
        if resume is not None:
            state = _read(resume, func)
            model.load_state_dict(state["model_state"])
            opt.load_state_dict(state["optimizer_state"])
            history = History.from_dict(state["history"])
            generator.set_state(state["rng"]["generator"])
            torch.set_rng_state(state["rng"]["torch"])
            start_epoch = int(state["epoch"])
            if state.get("best_state") is not None:
                best = (state["best_loss"], state["best_state"], state["best_epoch"])
        bar = _progress(progress, epochs, start_epoch)
        try:
            for epoch in range(start_epoch + 1, epochs + 1):
                tic = time.perf_counter()
                tr_loss, tr_metric = _run_epoch(model, train_data, train_xy, loss_fn, metric, opt, batch_size,
                                                generator, device, True)
                va_loss = va_metric = float("nan")
                if val_data is not None:
                    va_loss, va_metric = _run_epoch(model, val_data, val_xy, loss_fn, metric, None, batch_size,
                                                    None, device, False)
                history.append(epoch, tr_loss, va_loss, tr_metric, va_metric, time.perf_counter() - tic)
                if bar is not None:
                    bar[0].update(bar[1], advance=1, description=f"loss {tr_loss:.4f}"
                                  + (f" val {va_loss:.4f}" if val_data is not None else ""))
                stop = False
                if early_stopping is not None and val_data is not None:
                    if va_loss < best[0]:
                        best = (va_loss, {k: v.detach().clone() for k, v in model.state_dict().items()}, epoch)
                    stop = epoch - best[2] >= early_stopping
                if checkpoint is not None:
                    _write(checkpoint, model, opt, history, config, epoch, generator, best)
                if stop:
                    break
        finally:
            if bar is not None:
                bar[0].stop()
    if best[1] is not None:
        model.load_state_dict(best[1])
    model.eval()
    return history


@contextlib.contextmanager
def _threads(n, func):
    if n is None:
        yield
        return
    n = _validate.positive_int(n, func, "num_threads")
    before = torch.get_num_threads()
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def _progress(enabled, total, done):
    if not enabled:
        return None
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    console = Console(stderr=True)
    if not console.is_terminal:  # no bar in logs and pipes
        return None
    bar = Progress(TextColumn("train: {task.description}", markup=False), BarColumn(), MofNCompleteColumn(),
                   TimeElapsedColumn(), console=console)
    task = bar.add_task("", total=total, completed=done)
    bar.start()
    return bar, task


def _model_record(model) -> dict:
    return {"class": type(model).__name__, "config": getattr(model, "config", None)}


def _write(path, model, optimizer, history, config, epoch, generator, best=(math.inf, None, 0)):
    path = Path(path)
    state = {
        "format": "fastdip.nn checkpoint 1",
        **_model_record(model),
        "model_state": model.state_dict(),
        "optimizer_state": None if optimizer is None else optimizer.state_dict(),
        "history": history.as_dict() if history is not None else History().as_dict(),
        "train_config": dict(config or {}),
        "epoch": int(epoch),
        "rng": {"generator": generator.get_state() if generator is not None else None,
                "torch": torch.get_rng_state()},
        "best_loss": float(best[0]),
        "best_state": best[1],
        "best_epoch": int(best[2]),
    }
    tmp = path.with_name(f".{path.name}.tmp")
    torch.save(state, tmp)
    tmp.replace(path)
    return path


def _read(path, func):
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(2, "no such checkpoint file", str(path))
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # a truncated or foreign file: a user error, not a crash
        raise ValueError(f"{func}: {path} is not a fastdip checkpoint ({type(exc).__name__})") from None
    if not isinstance(state, dict) or state.get("format") != "fastdip.nn checkpoint 1":
        raise ValueError(f"{func}: {path} is not a fastdip checkpoint")
    return state


def save_checkpoint(path, model, optimizer=None, history=None, config=None, *, epoch=None):
    """Save a model with its optimiser state, learning curves and configuration, to resume or reuse it.

    Parameters
    ----------
    path : str or os.PathLike
        The file to write (replaced atomically if it exists).
    model : torch.nn.Module
        A :mod:`fastdip.nn` model (rebuilt from its ``config`` by :func:`load_checkpoint`) or any module
        (then pass it to :func:`load_checkpoint`).
    optimizer : torch.optim.Optimizer, optional
        Its state is saved too.
    history : History, optional
        The learning curves so far.
    config : dict, optional
        Training settings to keep (plain numbers and strings).
    epoch : int, optional
        The number of epochs done; default ``len(history)``.

    Returns
    -------
    pathlib.Path
        ``path``.

    Notes
    -----
    The file is a ``torch.save`` dict of tensors, numbers and strings only, so it loads with
    ``torch.load(weights_only=True)`` (no pickled code runs). :func:`train` with ``checkpoint=`` also
    stores its RNG states so that ``resume=`` continues exactly.

    References
    ----------
    A. Paszke et al., "PyTorch: an imperative style, high-performance deep learning library", NeurIPS 2019,
    arXiv:1912.01703 (serialisation semantics).

    Examples
    --------
    >>> import tempfile, os
    >>> from fastdip.nn import MLP
    >>> net = MLP(4, (3,), 2, seed=0)
    >>> path = save_checkpoint(os.path.join(tempfile.mkdtemp(), "net.pt"), net)
    >>> ck = load_checkpoint(path)
    >>> type(ck.model).__name__, ck.model.n_parameters
    ('MLP', 23)
    """
    if not isinstance(model, nn.Module):
        _validate.fail("save_checkpoint", "model", model, "a torch.nn.Module", TypeError)
    epoch = len(history) if epoch is None and history is not None else int(epoch or 0)
    return _write(path, model, optimizer, history, config, epoch, None)


def load_checkpoint(path, model=None, *, device="cpu") -> Checkpoint:
    """Load a checkpoint written by :func:`save_checkpoint` or ``train(..., checkpoint=)``.

    Parameters
    ----------
    path : str or os.PathLike
        The checkpoint file.
    model : torch.nn.Module, optional
        Load the weights into this model; default: rebuild the saved :mod:`fastdip.nn` model from its
        recorded class and configuration.
    device : str, optional
        Where to put the model.

    Returns
    -------
    Checkpoint
        ``model`` (in eval mode), ``optimizer_state`` (a dict for ``optimizer.load_state_dict``, or None),
        ``history``, ``config`` (the training settings) and ``epoch``.

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    ValueError
        If the file is not a fastdip checkpoint, no model is given for a model that is not a
        :mod:`fastdip.nn` model, the saved config cannot be built or does not match the saved weights (checked
        before the model is allocated), the weights do not fit ``model``, or a weight is NaN or infinite.

    References
    ----------
    A. Paszke et al., "PyTorch: an imperative style, high-performance deep learning library", NeurIPS 2019,
    arXiv:1912.01703.

    Examples
    --------
    >>> import tempfile, os
    >>> from fastdip.nn import UNet
    >>> path = save_checkpoint(os.path.join(tempfile.mkdtemp(), "u.pt"), UNet(1, 1, depth=1, base_channels=2))
    >>> load_checkpoint(path).model.config["depth"]
    1
    """
    func = "load_checkpoint"
    state = _read(path, func)
    weights = state.get("model_state")
    if not isinstance(weights, dict) or not all(isinstance(v, torch.Tensor) for v in weights.values()):
        raise ValueError(f"{func}: {path} holds no weights (its 'model_state' is not a dict of tensors)")
    for name, tensor in weights.items():
        if tensor.is_floating_point() and not bool(torch.isfinite(tensor).all()):
            raise ValueError(f"{func}: {path} has non-finite weights (NaN or inf in {name!r}); the model "
                             "would predict garbage")
    if model is None:
        model = _rebuild(state, weights, path, func)
    try:
        model.load_state_dict(weights)
    except RuntimeError as exc:  # names or shapes differ
        raise ValueError(f"{func}: {path}: the weights do not fit the model "
                         f"({' '.join(str(exc).split())[:300]})") from None
    model.to(_device(device)).eval()
    history = state.get("history")
    try:
        history = History.from_dict(history if isinstance(history, dict) else {})
        epoch = int(state.get("epoch", len(history)))
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{func}: {path} has a damaged history or epoch ({exc})") from None
    return Checkpoint(model, state.get("optimizer_state"), history, dict(state.get("train_config") or {}), epoch)


def _rebuild(state, weights, path, func):
    """Rebuild the saved fastdip.nn model from its class name and config, checked before any memory is used:
    the config must be accepted by the class, and the model it describes must have exactly the saved weights'
    names and shapes (built first on torch's 'meta' device, which allocates nothing: a config asking for a
    160 GB model is refused, not built)."""
    from . import models

    cls_name = str(state.get("class"))
    cls = getattr(models, cls_name, None) if cls_name in ("MLP", "CNN", "UNet") else None
    config = state.get("config")
    if cls is None or not isinstance(config, dict):
        raise ValueError(f"{func}: {path} holds a {cls_name} model, not a fastdip.nn model (MLP, CNN, UNet): "
                         "pass model= to load its weights into")
    try:
        with torch.device("meta"):
            skeleton = cls(**config)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{func}: {path} has a {cls_name} config that fastdip cannot build ({exc})") from None
    expected = {k: tuple(v.shape) for k, v in skeleton.state_dict().items()}
    saved = {k: tuple(v.shape) for k, v in weights.items()}
    if expected != saved:
        missing = sorted(set(expected) - set(saved))[:3]
        extra = sorted(set(saved) - set(expected))[:3]
        wrong = [k for k in expected if k in saved and expected[k] != saved[k]][:3]
        detail = "; ".join(part for part in (
            f"missing {missing}" if missing else "", f"unexpected {extra}" if extra else "",
            ", ".join(f"{k}: config wants {expected[k]}, file has {saved[k]}" for k in wrong)) if part)
        raise ValueError(f"{func}: {path}: its config does not match its weights ({detail})")
    return cls(**config)


def _gaussian_weight(shape, margin, edges):
    """Blending weight of one tile: a Gaussian of σ = size/8 per axis centred on the tile, times 0 on the
    ``margin`` outermost pixels of each side in ``edges`` (a side that lies inside the image)."""
    w = np.ones(shape)
    for axis, size in enumerate(shape):
        x = np.arange(size) - (size - 1) / 2.0
        g = np.exp(-0.5 * (x / max(size / 8.0, 1e-6)) ** 2)
        g = np.maximum(g / g.max(), 1e-3)
        lo, hi = edges[axis]
        if lo:
            g[:margin] = 0.0
        if hi:
            g[size - margin:] = 0.0
        w = w * g.reshape([-1 if a == axis else 1 for a in range(len(shape))])
    return w


def _starts(size, tile, step):
    if size <= tile:
        return [0]
    starts = list(range(0, size - tile, step))
    return starts + [size - tile]


def predict(model, image, *, tile=None, overlap=32, batch_size=4, channel_axis=None, output="probabilities",
            device="auto", num_threads=None) -> np.ndarray:
    """Run a trained model on an image (dense models, e.g. the U-Net) or on a batch (classifiers), in eval
    mode without gradients; large images go through overlapping tiles blended with Gaussian weights.

    Parameters
    ----------
    model : torch.nn.Module
        A dense model (any module without ``task == 'classify'``; spatial dims from ``model.dims``,
        default 2) or a classifier (:class:`~fastdip.nn.MLP`, :class:`~fastdip.nn.CNN`).
    image : ndarray
        Dense model: one image, (M, N[, P]) grey or with a channel axis named by ``channel_axis``.
        Classifier: a batch (n, ...) of inputs as in training.
    tile : int or tuple of int, optional
        Tile size per spatial axis (dense models); None runs the whole image at once. A multiple of
        2**depth keeps a U-Net's pooling grid aligned between tiles.
    overlap : int, optional
        Overlap of neighbouring tiles in pixels. Each tile drops the ``overlap // 4`` pixels along edges
        that lie inside the image (their context was cut off) and the rest is blended with a Gaussian
        weight (σ = tile/8), which hides seams.
    batch_size : int, optional
        Tiles (or samples) per forward pass.
    channel_axis : int, optional
        Axis of the input channels of a dense model's image; None for a grey image.
    output : {'probabilities', 'logits'}, optional
        Apply a sigmoid (one output channel) or a softmax (several), or return the raw outputs.
    device : str, optional
        'auto', 'cpu', 'cuda', ...
    num_threads : int, optional
        torch's intra-op CPU threads during the call (restored after); None leaves torch's setting.

    Returns
    -------
    ndarray
        float32. Dense model: the image's spatial shape when the model has one output channel, else the
        spatial shape plus a last axis of channels (channel-last, like a colour image). Classifier:
        (n, n_classes).

    Raises
    ------
    ValueError
        If the image's dimensions do not match the model, or ``tile`` / ``overlap`` are out of range
        (overlap must be smaller than the tile).

    Notes
    -----
    Tiles start every ``tile − overlap`` pixels, the last one flush with the image's end. Output =
    Σ_t w_t·f(tile_t) / Σ_t w_t. For a model whose receptive-field radius is at most ``overlap // 4``, every
    pixel's contributions are exact, so the tiled result equals the untiled one (to float rounding).

    References
    ----------
    F. Isensee et al., "nnU-Net: a self-configuring method for deep learning-based biomedical image
    segmentation", Nature Methods 18, 203-211, 2021, DOI 10.1038/s41592-020-01008-z (Gaussian-weighted
    sliding-window inference). O. Ronneberger, P. Fischer, T. Brox, MICCAI 2015,
    DOI 10.1007/978-3-319-24574-4_28 (overlap-tile strategy).

    Examples
    --------
    >>> import numpy as np, torch
    >>> net = torch.nn.Conv2d(1, 1, 3, padding=1)
    >>> image = np.random.default_rng(0).random((40, 50)).astype(np.float32)
    >>> whole = predict(net, image, output="logits")
    >>> tiled = predict(net, image, tile=16, overlap=8, output="logits")
    >>> whole.shape, bool(np.allclose(whole, tiled, atol=1e-5))
    ((40, 50), True)
    """
    func = "predict"
    if not isinstance(model, nn.Module):
        _validate.fail(func, "model", model, "a torch.nn.Module", TypeError)
    _validate.choice(output, func, "output", ("probabilities", "logits"))
    batch_size = _validate.positive_int(batch_size, func, "batch_size")
    device = _device(device)
    was_training = model.training
    model.to(device).eval()
    try:
        with _threads(num_threads, func):
            return _predict(model, image, tile, overlap, batch_size, channel_axis, output, device, func)
    finally:
        model.train(was_training)


def _predict(model, image, tile, overlap, batch_size, channel_axis, output, device, func):
    if _dense(model):
        return _predict_dense(model, image, tile, overlap, batch_size, channel_axis, output, device, func)
    x = torch.as_tensor(np.asarray(image, dtype=np.float32))
    with torch.no_grad():
        out = torch.cat([model(x[i:i + batch_size].to(device)).cpu() for i in range(0, len(x), batch_size)])
    if output == "probabilities":
        out = torch.softmax(out, dim=1)
    return out.numpy().astype(np.float32)


def _predict_dense(model, image, tile, overlap, batch_size, channel_axis, output, device, func):
    dims = int(getattr(model, "dims", 2))
    arr = _validate.image(image, func, ndim=(dims, dims + 1), finite=True)
    if channel_axis is None:
        if arr.ndim != dims:
            _validate.fail(func, "image", arr, f"a {dims}-D image (or pass channel_axis) for this {dims}-D model")
        arr = arr[None]
    else:
        if arr.ndim != dims + 1:
            _validate.fail(func, "image", arr, f"a {dims}-D image with a channel axis")
        arr = np.moveaxis(arr, channel_axis, 0)
    x = torch.as_tensor(np.ascontiguousarray(arr, dtype=np.float32))[None]
    spatial = tuple(x.shape[2:])
    with torch.no_grad():
        if tile is None:
            out = model(x.to(device))[0].cpu().double()
        else:
            out = _tiled(model, x, spatial, tile, overlap, batch_size, device, func)
    if output == "probabilities":
        out = torch.sigmoid(out) if out.shape[0] == 1 else torch.softmax(out, dim=0)
    result = out.numpy().astype(np.float32)
    return result[0] if result.shape[0] == 1 else np.moveaxis(result, 0, -1)


def _tiled(model, x, spatial, tile, overlap, batch_size, device, func):
    dims = len(spatial)
    tiles = (tile,) * dims if not isinstance(tile, (tuple, list)) else tuple(tile)
    if len(tiles) != dims:
        _validate.fail(func, "tile", tile, f"an int or {dims} of them")
    tiles = tuple(min(_validate.positive_int(t, func, "tile"), s) for t, s in zip(tiles, spatial))
    overlap = _validate.number(overlap, func, "overlap", low=0, integer=True)
    if any(overlap >= t for t, s in zip(tiles, spatial) if t < s):
        _validate.fail(func, "overlap", overlap, f"smaller than the tile size {tiles}")
    margin = overlap // 4
    grids = [_starts(s, t, max(t - overlap, 1)) for s, t in zip(spatial, tiles)]
    corners = [tuple(c) for c in np.stack(np.meshgrid(*grids, indexing="ij"), -1).reshape(-1, dims)]
    acc = norm = None
    for first in range(0, len(corners), batch_size):
        chunk = corners[first:first + batch_size]
        batch = torch.cat([x[(..., *(slice(c, c + t) for c, t in zip(corner, tiles)))] for corner in chunk])
        pred = model(batch.to(device)).cpu().double()
        if acc is None:
            acc = torch.zeros((pred.shape[1], *spatial), dtype=torch.float64)
            norm = torch.zeros(spatial, dtype=torch.float64)
        for k, corner in enumerate(chunk):
            edges = [(c > 0, c + t < s) for c, t, s in zip(corner, tiles, spatial)]
            w = torch.as_tensor(_gaussian_weight(tiles, margin, edges))
            where = tuple(slice(c, c + t) for c, t in zip(corner, tiles))
            acc[(slice(None), *where)] += pred[k] * w
            norm[where] += w
    return acc / norm.clamp(min=1e-12)
