"""Neural networks: automatic differentiation of a scalar expression, the activation functions, the
from-scratch numpy MLP checked against torch autograd, 2x2 max pooling on a 4x4 example, an MLP and a CNN
learning the 8x8 digits with their learning curves, the overfitting experiment (dense nets of growing size
on few training digits), and a small U-Net segmenting synthetic fluorescence cells (Rumelhart et al. 1986;
LeCun et al. 1998; Goodfellow et al. 2016, ch. 7; Ronneberger et al. 2015).

Needs the ``nn`` extra (torch) and scikit-learn for the digits. ``--full`` runs the course's reference runs
(``fastdip.nn.run_recipe``: MLP, CNN, U-Net) instead of the short ones.
"""

from __future__ import annotations

import time

import numpy as np

from fastdip.report import Section

TITLE = "Neural networks"
SLUG = "neural_networks"

#: torch CPU threads for the section's runs (1 is fastest for these small models on a small CPU).
THREADS = 1
#: Short MLP run on the digits: hidden widths and epochs.
MLP_HIDDEN = (64,)
MLP_EPOCHS = 25
#: Short CNN run on the digits (``fastdip.nn.run_recipe('cnn')`` with fewer epochs).
CNN_EPOCHS = 10
#: (name, hidden widths) of the overfitting experiment's dense nets.
OVERFIT_SIZES = (("tiny", (16,)), ("small", (16, 16)), ("medium", (64, 64, 64)), ("large", (512, 512, 512, 512)))
#: Short overfitting run: training digits and epochs (``--full``: 300 digits, 150 epochs).
OVERFIT_TRAIN = 150
OVERFIT_EPOCHS = 80
#: The lecture's max-pooling example (4x4 input; 2x2 pooling, stride 2, gives [[6, 8], [3, 4]]).
POOL_INPUT = ((1, 1, 2, 4), (5, 6, 7, 8), (3, 2, 1, 0), (1, 2, 3, 4))
#: Short U-Net run: training images, their side, epochs, depth, base channels.
CELLS = 24
CELL_SIDE = 64
UNET_EPOCHS = 12
UNET_DEPTH = 2
UNET_BASE = 8
UNET_BATCH = 4


def autodiff_example():
    """f(x, y) = x²y + y + 2 at (3, 4) with :class:`fastdip.nn.scratch.Value`: (f, ∂f/∂x, ∂f/∂y)."""
    from fastdip.nn.scratch import Value

    x, y = Value(3.0), Value(4.0)
    f = x * x * y + y + 2
    f.backward()
    return f.data, x.grad, y.grad


def gradient_check(seed=0):
    """Largest |scratch − torch| over all weight and bias gradients of a random 3-layer tanh MLP (float64),
    and the largest relative error of the scratch gradient against central finite differences."""
    import torch

    from fastdip.nn import scratch

    rng = np.random.default_rng(seed)
    x, y = rng.standard_normal((16, 10)), rng.integers(0, 4, 16)
    net = scratch.MLP((10, 8, 6, 4), activation="tanh", rng=seed)
    loss, grads = net.loss_and_gradients(x, y)
    params = [torch.tensor(p, requires_grad=True) for p in net.weights + net.biases]
    n = len(net.weights)
    a = torch.tensor(x)
    for i in range(n):
        a = a @ params[i] + params[n + i]
        if i < n - 1:
            a = torch.tanh(a)
    torch.nn.functional.cross_entropy(a, torch.tensor(y)).backward()
    torch_diff = max(float(np.abs(g - p.grad.numpy()).max()) for g, p in zip(grads["W"] + grads["b"], params))
    w, h = net.weights[0], 1e-6
    numeric = np.zeros_like(w)
    for idx in np.ndindex(w.shape):
        old = w[idx]
        w[idx] = old + h
        up, _ = net.loss_and_gradients(x, y)
        w[idx] = old - h
        down, _ = net.loss_and_gradients(x, y)
        w[idx] = old
        numeric[idx] = (up - down) / (2 * h)
    rel = float(np.abs(numeric - grads["W"][0]).max() / np.abs(numeric).max())
    return loss, torch_diff, rel


def max_pool_example():
    """The lecture's 4x4 example through torch's 2x2 max pooling with stride 2: (input, output) int arrays."""
    import torch

    x = np.array(POOL_INPUT, dtype=np.float32)
    out = torch.nn.functional.max_pool2d(torch.from_numpy(x)[None, None], kernel_size=2, stride=2)
    return x.astype(int), out[0, 0].numpy().astype(int)


def overfitting(*, n_train=OVERFIT_TRAIN, epochs=OVERFIT_EPOCHS, sizes=OVERFIT_SIZES, seed=0, num_threads=THREADS):
    """Train dense nets of growing size (:data:`OVERFIT_SIZES`) with Adam (lr 1e-3, batches of 32) on the
    first ``n_train`` training digits, validated on the whole validation split; one dict per size:
    parameters, final train/val loss and accuracy, accuracy gap, best epoch (lowest validation loss), rise of
    the validation loss from its minimum to the last epoch, seconds, and the :class:`History`."""
    from fastdip import nn

    parts = nn.digits(seed=seed)
    x, y = parts.train
    rows = []
    for name, hidden in sizes:
        model = nn.MLP(64, hidden, 10, seed=seed)
        tic = time.perf_counter()
        history = nn.train(model, (x[:n_train], y[:n_train]), parts.val, lr=1e-3, batch_size=32, epochs=epochs,
                           seed=seed, num_threads=num_threads)
        seconds = time.perf_counter() - tic
        rows.append({"name": name, "hidden": tuple(hidden), "n_parameters": model.n_parameters,
                     "train_accuracy": history.train_metric[-1], "val_accuracy": history.val_metric[-1],
                     "gap": history.train_metric[-1] - history.val_metric[-1],
                     "train_loss": history.train_loss[-1], "val_loss": history.val_loss[-1],
                     "min_val_loss": min(history.val_loss), "best_epoch": history.best_epoch,
                     "val_loss_rise": history.val_loss[-1] - min(history.val_loss),
                     "seconds": seconds, "history": history})
    return rows


def _widths(hidden):
    """'16,16' for short lists of widths, '512x4' for four or more equal ones."""
    if len(hidden) > 3 and len(set(hidden)) == 1:
        return f"{hidden[0]}x{len(hidden)}"
    return ",".join(map(str, hidden))


def overfitting_figure(rows):
    """Training and validation loss per epoch, one panel per net (log loss axis)."""
    from fastdip import viz

    fig, axes = viz.new_figure(2, 2, size=(3.6, 2.6))
    for ax, r in zip(np.ravel(axes), rows):
        h = r["history"]
        title = f"{r['name']} {_widths(r['hidden'])} ({r['n_parameters']} params)"
        viz.plot_curve(h.epoch, h.train_loss, ax, label="train", xlabel="epoch", ylabel="loss", logy=True)
        viz.plot_curve(h.epoch, h.val_loss, ax, label="validation", xlabel="epoch", ylabel="loss", logy=True,
                       title=title)
        ax.axvline(r["best_epoch"], color="grey", linestyle=":", linewidth=1)
    return fig


def activation_figure():
    """The activations and their derivatives (by torch autograd) on [-4, 4]."""
    import torch

    from fastdip import nn, viz

    z = torch.linspace(-4, 4, 401, requires_grad=True)
    fig, axes = viz.new_figure(1, 2, size=(4.5, 3.2))
    for name, kw in (("relu", {}), ("leaky_relu", {"alpha": 0.1}), ("elu", {}), ("sigmoid", {}), ("tanh", {}),
                     ("swish", {})):
        f = nn.activation(name, **kw)(z)
        (d,) = torch.autograd.grad(f.sum(), z)
        label = name + ("(α=0.1)" if kw else "")
        viz.plot_curve(z.detach().numpy(), f.detach().numpy(), axes[0], label=label, xlabel="z", ylabel="f(z)",
                       title="activations")
        viz.plot_curve(z.detach().numpy(), d.numpy(), axes[1], label=label, xlabel="z", ylabel="f′(z)",
                       title="derivatives (autograd)")
    return fig


def short_runs(seed=0):
    """The short MLP-on-digits and U-Net-on-cells runs: a dict of models, histories and measured numbers."""
    from fastdip import nn

    out = {}
    parts = nn.digits(seed=seed)
    tic = time.perf_counter()
    mlp = nn.MLP(64, MLP_HIDDEN, 10, seed=seed)
    out["mlp_history"] = nn.train(mlp, parts.train, parts.val, lr=1e-3, batch_size=32, epochs=MLP_EPOCHS,
                                  seed=seed, num_threads=THREADS)
    out["mlp_seconds"] = time.perf_counter() - tic
    out["mlp_test_accuracy"] = nn.evaluate(mlp, parts.test, "accuracy", num_threads=THREADS)
    out["mlp_parameters"] = mlp.n_parameters
    out["cnn"] = nn.run_recipe("cnn", epochs=CNN_EPOCHS, seed=seed, num_threads=THREADS)

    train = nn.synthetic_cells(CELLS, (CELL_SIDE, CELL_SIDE), seed=seed + 1)
    val = nn.synthetic_cells(6, (CELL_SIDE, CELL_SIDE), seed=seed + 2)
    test = nn.synthetic_cells(4, (128, 128), seed=seed + 3)
    tic = time.perf_counter()
    unet = nn.UNet(1, 1, depth=UNET_DEPTH, base_channels=UNET_BASE, seed=seed)
    out["unet_history"] = nn.train(unet, (train.images, train.masks), (val.images, val.masks), loss="bce_dice",
                                   lr=3e-3, batch_size=UNET_BATCH, epochs=UNET_EPOCHS, seed=seed, num_threads=THREADS)
    out["unet_seconds"] = time.perf_counter() - tic
    out["unet_parameters"] = unet.n_parameters
    out["test_cells"] = test
    out["unet_probabilities"] = [nn.predict(unet, im, num_threads=THREADS) for im in test.images]
    out["unet_test_dice"] = nn.evaluate(unet, (test.images, test.masks), "dice", num_threads=THREADS)
    return out


def run(ctx) -> Section:
    from fastdip import nn, viz

    section = Section(TITLE, SLUG)
    f, dfdx, dfdy = autodiff_example()
    section.text(
        "Backpropagation is the chain rule applied from the output back. fastdip.nn.scratch.Value records "
        "each operation of a scalar expression and its local derivative; backward() visits the graph in "
        f"reverse topological order. For f(x, y) = x²y + y + 2 at (3, 4): f = {f:g}, ∂f/∂x = 2xy = {dfdx:g}, "
        f"∂f/∂y = x² + 1 = {dfdy:g}."
    )
    loss, torch_diff, rel = gradient_check()
    section.text(
        "The numpy MLP writes the backward pass of a dense layer z = xW + b, a = f(z) by hand: with "
        "d = ∂L/∂a, ∂L/∂W = xᵀ(d ⊙ f′(z)) and ∂L/∂x = (d ⊙ f′(z))Wᵀ. On a random 10-8-6-4 tanh network its "
        "gradients agree with torch autograd and with central finite differences (table below)."
    )
    section.figure(ctx.save(activation_figure(), "activations"),
                   "Activation functions (left) and their derivatives computed by torch autograd (right): "
                   "sigmoid and tanh saturate (f′ → 0 for large |z|), ReLU's derivative is a step.")

    pool_in, pool_out = max_pool_example()
    section.text(
        "Max pooling keeps the largest value of each window: 2x2 windows with stride 2 halve each side. "
        "torch.nn.functional.max_pool2d on the lecture's 4x4 example (the table: input, then its 2x2 "
        "result, computed) gives the maxima of the four quadrants."
    )
    section.table(("row", "col 0", "col 1", "col 2", "col 3"),
                  [(f"input row {i}", *map(int, row)) for i, row in enumerate(pool_in)]
                  + [(f"max-pooled row {i}", *map(int, row), "", "") for i, row in enumerate(pool_out)],
                  "2x2 max pooling, stride 2 (torch.nn.functional.max_pool2d).")

    if ctx.full:
        results = {name: nn.run_recipe(name, num_threads=THREADS) for name in ("mlp", "cnn", "unet")}
        section.table(("model", "test metric", "value", "epochs", "parameters", "seconds"),
                      [(r.name, r.metric, r.test_metric, len(r.history), r.model.n_parameters, r.seconds)
                       for r in results.values()],
                      "The reference runs (fastdip.nn.run_recipe, as `fastdip train`): digits test accuracy, "
                      "Dice on 16 held-out 128x128 synthetic cell images.")
        for r in results.values():
            section.figure(ctx.save(r.history.plot(title=r.name), f"curves-{r.name}"),
                           f"Learning curves of the {r.name} reference run.")

    runs = short_runs()
    h = runs["mlp_history"]
    section.text(
        f"An MLP 64-{'-'.join(map(str, MLP_HIDDEN))}-10 (ReLU, {runs['mlp_parameters']} parameters) trained "
        f"with Adam on 60 % of scikit-learn's 1,797 8x8 digits for {MLP_EPOCHS} epochs: the validation curves "
        "follow the training curves closely (no overfitting at this size)."
    )
    section.figure(ctx.save(h.plot(title="MLP on the 8x8 digits"), "mlp-curves"),
                   "Loss and accuracy per epoch, training (running over the epoch's batches) and validation.")
    cnn = runs["cnn"]
    ch = cnn.history
    section.figure(ctx.save(ch.plot(title="CNN on the 8x8 digits"), "cnn-curves"),
                   f"The CNN's curves ({CNN_EPOCHS} epochs): it reaches the MLP's accuracy in fewer epochs.")
    section.table(("model", "parameters", "epochs", "final train accuracy", "final val accuracy",
                   "test accuracy", "seconds"),
                  [(f"MLP 64-{'-'.join(map(str, MLP_HIDDEN))}-10", runs["mlp_parameters"], MLP_EPOCHS,
                    h.train_metric[-1], h.val_metric[-1], runs["mlp_test_accuracy"], runs["mlp_seconds"]),
                   (f"CNN {'-'.join(map(str, cnn.settings['channels']))} ch.", cnn.model.n_parameters, CNN_EPOCHS,
                    ch.train_metric[-1], ch.val_metric[-1], cnn.test_metric, cnn.seconds)],
                  "MLP against CNN on the digits (same 60/20/20 split, Adam 1e-3, batches of 32): the "
                  "convolutions share weights across the image and see neighbouring pixels together.")

    n_train, epochs = (300, 150) if ctx.full else (OVERFIT_TRAIN, OVERFIT_EPOCHS)
    rows = overfitting(n_train=n_train, epochs=epochs)
    section.text(
        f"Overfitting: dense nets of growing size trained on only {n_train} digits for {epochs} epochs. The "
        "largest net drives its training loss to almost 0 (it memorises the training set) and its validation "
        "loss reaches its minimum early and then rises; the tiny net is still improving at the last epoch. "
        "Validation accuracy is a coarser signal: on these easy digits the large net's stays high."
    )
    section.figure(ctx.save(overfitting_figure(rows), "overfitting"),
                   "Training and validation loss (log scale) per net; the dotted line marks the best epoch "
                   "(lowest validation loss).")
    section.table(("net", "hidden", "parameters", "best epoch", "min val loss", "val loss rise", "final train loss",
                   "final val loss", "train − val accuracy", "seconds"),
                  [(r["name"], _widths(r["hidden"]), r["n_parameters"], r["best_epoch"],
                    r["min_val_loss"], r["val_loss_rise"], r["train_loss"], r["val_loss"], r["gap"], r["seconds"])
                   for r in rows],
                  "The overfitting experiment: 'val loss rise' is the last epoch's validation loss minus its "
                  "minimum; the last column pair is the final train/validation gap.")

    cells = runs["test_cells"]
    probs = runs["unet_probabilities"]
    section.text(
        f"A U-Net of depth {UNET_DEPTH} ({runs['unet_parameters']} parameters) trained for {UNET_EPOCHS} "
        f"epochs on {CELLS} synthetic {CELL_SIDE}x{CELL_SIDE} fluorescence images (fastdip.nn.synthetic_cells: "
        "touching elliptic cells, uneven background, blur, Poisson and Gaussian noise), then applied to "
        "larger 128x128 images it never saw (the network is fully convolutional)."
    )
    fig = viz.show_images([*cells.images[:3], *cells.masks[:3], *(p > 0.5 for p in probs[:3])],
                          ["image"] * 3 + ["true mask"] * 3 + ["U-Net mask (p > 0.5)"] * 3, ncols=3)
    section.figure(ctx.save(fig, "unet-cells"), "Held-out synthetic cells (top), their exact masks (middle) "
                   "and the U-Net's prediction (bottom).")
    uh = runs["unet_history"]
    numbers = [
        ("autodiff: f(3, 4)", f),
        ("autodiff: ∂f/∂x (24 in theory)", dfdx),
        ("autodiff: ∂f/∂y (10 in theory)", dfdy),
        ("scratch MLP: loss", loss),
        ("scratch MLP: max |gradient − torch autograd|", torch_diff),
        ("scratch MLP: max relative error against finite differences", rel),
        ("MLP digits: final training accuracy", h.train_metric[-1]),
        ("MLP digits: final validation accuracy", h.val_metric[-1]),
        ("MLP digits: test accuracy", runs["mlp_test_accuracy"]),
        ("MLP digits: training seconds", runs["mlp_seconds"]),
        ("CNN digits: test accuracy", cnn.test_metric),
        ("CNN digits: training seconds", cnn.seconds),
        ("max pool 2x2 stride 2 of the 4x4 example", str(pool_out.tolist())),
        *((f"overfitting {r['name']}: best epoch", r["best_epoch"]) for r in rows),
        *((f"overfitting {r['name']}: validation loss rise", r["val_loss_rise"]) for r in rows),
        *((f"overfitting {r['name']}: final val − train loss", r["val_loss"] - r["train_loss"]) for r in rows),
        ("U-Net cells: final validation Dice", uh.val_metric[-1]),
        ("U-Net cells: held-out test Dice", runs["unet_test_dice"]),
        ("U-Net cells: training seconds", runs["unet_seconds"]),
    ]
    section.table(("quantity", "value"), numbers, "Measured numbers (times are wall clock, torch on "
                  f"{THREADS} CPU thread).")
    return section
