"""Ready-made training runs shared by ``fastdip train``, the tour and ``examples/neural_networks.py``: a model,
its data set and settings that reach the course's targets (MLP ≥ 95 % and CNN ≥ 97 % test accuracy on the
digits, U-Net Dice ≥ 0.9 on held-out synthetic cells) in a minute or two on a laptop CPU.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from fastdip import _validate

__all__ = ["RECIPES", "Result", "run_recipe", "evaluate"]

#: name -> default settings of the run.
RECIPES = {
    "mlp": {"epochs": 40, "lr": 1e-3, "batch_size": 32, "hidden": (64,)},
    "cnn": {"epochs": 30, "lr": 1e-3, "batch_size": 32, "channels": (32, 64)},
    "unet": {"epochs": 20, "lr": 3e-3, "batch_size": 8, "n_images": 48, "size": 96, "depth": 3,
             "base_channels": 16},
}


@dataclass(frozen=True)
class Result:
    """What :func:`run_recipe` returns: the trained model, its learning curves, the test metric
    ('accuracy' or 'dice') measured on held-out data, and the training time in seconds."""

    name: str
    model: object
    history: object
    metric: str
    test_metric: float
    seconds: float
    settings: dict

    def summary(self) -> dict:
        """Plain numbers for a JSON file."""
        h = self.history
        return {"model": self.name, "metric": self.metric, "test_" + self.metric: self.test_metric,
                "final_train_loss": h.train_loss[-1] if len(h) else None,
                "final_val_loss": h.val_loss[-1] if len(h) else None,
                "final_val_" + self.metric: h.val_metric[-1] if len(h) else None,
                "epochs": len(h), "seconds": self.seconds, "n_parameters": self.model.n_parameters,
                "settings": {k: list(v) if isinstance(v, tuple) else v for k, v in self.settings.items()}}


def evaluate(model, data, metric, *, num_threads=None) -> float:
    """Accuracy of a classifier on (X, y), or mean Dice of a segmentation model on (images, masks).

    Parameters
    ----------
    model : torch.nn.Module
        A trained model.
    data : (X, y)
        Held-out inputs and labels (class numbers or bool masks).
    metric : {'accuracy', 'dice'}
        What to measure; Dice thresholds the predicted probability at 0.5, per image, then averages.
    num_threads : int, optional
        torch CPU threads during the call.

    Returns
    -------
    float
        The metric, in [0, 1].

    References
    ----------
    L. R. Dice, "Measures of the amount of ecologic association between species", Ecology 26(3), 297-302,
    1945, DOI 10.2307/1932409.

    Examples
    --------
    >>> from fastdip import nn
    >>> net = nn.MLP(64, (8,), 10, seed=0)
    >>> 0.0 <= evaluate(net, nn.digits().test, "accuracy") <= 1.0
    True
    """
    from fastdip import metrics

    from .training import predict

    _validate.choice(metric, "evaluate", "metric", ("accuracy", "dice"))
    x, y = data
    if metric == "accuracy":
        probs = predict(model, x, batch_size=256, num_threads=num_threads)
        return float(np.mean(probs.argmax(1) == np.asarray(y)))
    scores = [metrics.dice(predict(model, image, num_threads=num_threads) > 0.5, np.asarray(mask, bool))
              for image, mask in zip(x, y)]
    return float(np.mean(scores))


def run_recipe(name, *, epochs=None, seed=0, lr=None, batch_size=None, n_images=None, progress=False,
               checkpoint=None, num_threads=None) -> Result:
    """Train one of the course's reference models on its local data set and measure it on held-out data.

    Parameters
    ----------
    name : {'mlp', 'cnn', 'unet'}
        'mlp': MLP 64-64-10 on the 8x8 digits (train/val/test 60/20/20 %), Adam. 'cnn': CNN with 32 and
        64 channels on the digits, Adam. 'unet': U-Net (depth 3, 16 base channels) on ``n_images``
        synthetic 96x96 cell images, BCE + Dice loss, Adam; tested on 16 new 128x128 images.
    epochs, lr, batch_size, n_images : optional
        Override the defaults in :data:`RECIPES`.
    seed : int, optional
        Seeds the data split or synthesis, the weights and the training.
    progress : bool, optional
        Show the training progress bar.
    checkpoint : str or os.PathLike, optional
        Passed to :func:`fastdip.nn.train` (written after every epoch).
    num_threads : int, optional
        torch CPU threads during training.

    Returns
    -------
    Result
        Model (trained, eval mode), history, metric name, test metric, seconds, settings.

    Raises
    ------
    ValueError
        If ``name`` is unknown or a setting is out of range.

    References
    ----------
    Y. LeCun, L. Bottou, Y. Bengio, P. Haffner, "Gradient-based learning applied to document recognition",
    Proc. IEEE 86(11), 2278-2324, 1998, DOI 10.1109/5.726791. O. Ronneberger, P. Fischer, T. Brox, "U-Net",
    MICCAI 2015, DOI 10.1007/978-3-319-24574-4_28.

    Examples
    --------
    >>> r = run_recipe("mlp", epochs=2, seed=0)
    >>> r.metric, len(r.history), 0.3 < r.test_metric <= 1.0
    ('accuracy', 2, True)
    """
    from . import datasets, models, training

    func = "run_recipe"
    _validate.choice(name, func, "name", tuple(RECIPES))
    settings = dict(RECIPES[name])
    for key, value in (("epochs", epochs), ("lr", lr), ("batch_size", batch_size), ("n_images", n_images)):
        if value is not None:
            if key == "n_images" and name != "unet":
                continue
            settings[key] = value
    settings["seed"] = seed
    tic = time.perf_counter()
    if name in ("mlp", "cnn"):
        parts = datasets.digits(seed=seed)
        if name == "mlp":
            model = models.MLP(64, settings["hidden"], 10, seed=seed)
        else:
            model = models.CNN(1, 10, settings["channels"], input_shape=(8, 8), seed=seed)
        history = training.train(model, parts.train, parts.val, loss="cross_entropy", optimizer="adam",
                                  lr=settings["lr"], batch_size=settings["batch_size"], epochs=settings["epochs"],
                                  seed=seed, progress=progress, checkpoint=checkpoint, num_threads=num_threads)
        metric, test = "accuracy", parts.test
    else:
        n = _validate.positive_int(settings["n_images"], func, "n_images", low=2)
        size = settings["size"]
        train_set = datasets.synthetic_cells(n, (size, size), seed=seed)
        val_set = datasets.synthetic_cells(max(n // 4, 2), (size, size), seed=seed + 10_000)
        test_set = datasets.synthetic_cells(16, (128, 128), seed=seed + 20_000)
        model = models.UNet(1, 1, depth=settings["depth"], base_channels=settings["base_channels"], seed=seed)
        history = training.train(model, (train_set.images, train_set.masks), (val_set.images, val_set.masks),
                                 loss="bce_dice", optimizer="adam", lr=settings["lr"],
                                 batch_size=settings["batch_size"], epochs=settings["epochs"], seed=seed,
                                 progress=progress, checkpoint=checkpoint, num_threads=num_threads)
        metric, test = "dice", (test_set.images, test_set.masks)
    seconds = time.perf_counter() - tic
    score = evaluate(model, test, metric, num_threads=num_threads)
    return Result(name, model, history, metric, score, seconds, settings)
