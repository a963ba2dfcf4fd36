"""Neural networks on a laptop CPU: the course's reference runs and the overfitting experiment.

1. MLP (64-64-10) on the 8x8 digits: target ≥ 95 % test accuracy.
2. CNN (32, 64 channels) on the digits: target ≥ 97 %.
3. U-Net (depth 3) on synthetic fluorescence cells: target Dice ≥ 0.9 on held-out images.
4. Overfitting: MLPs of growing size (tiny 16 / small 16,16 / medium 64,64,64 / large 512x4) trained on 300
   digits for 150 epochs. The larger the network, the sooner the validation loss reaches its minimum and
   the more it rises afterwards while the training loss goes to 0 (memorisation); the validation
   *accuracy* of the large nets stays high on these easy digits, so the accuracy gap is not monotonic.

The runs are ``fastdip.nn.run_recipe`` (also behind ``fastdip train``). Times are wall-clock on whatever CPU
runs this (torch limited to ``THREADS`` threads).

Run:  python examples/neural_networks.py            (a few minutes)
      python -c "import runpy; ..." or run(quick=True) for a smoke test (seconds)
"""

import time

import numpy as np

from fastdip.report.sections.neural_networks import OVERFIT_SIZES as SIZES
from fastdip.report.sections.neural_networks import overfitting as _overfitting

#: torch threads for every run (1 is fastest for these small models on a 2-core or shared CPU).
THREADS = 1
TARGETS = {"mlp": 0.95, "cnn": 0.97, "unet": 0.90}


def overfitting(*, n_train=300, epochs=150, sizes=SIZES, seed=0):
    """Train MLPs of growing size on ``n_train`` digits; returns one dict per size (parameters, final and
    best-epoch numbers, train/val accuracy gap, seconds) and the histories (shared with the tour section)."""
    return _overfitting(n_train=n_train, epochs=epochs, sizes=sizes, seed=seed, num_threads=THREADS)


def run(quick=False, seed=0):
    """All runs; ``quick`` shrinks them to a smoke test (epochs and images cut, targets not expected).

    Returns {'models': {name: summary dict}, 'overfitting': [row, ...]}.
    """
    from fastdip import nn

    models = {}
    for name in ("mlp", "cnn", "unet"):
        kw = {"epochs": 2, "n_images": 8} if quick else {}
        result = nn.run_recipe(name, seed=seed, num_threads=THREADS, **kw)
        models[name] = {**result.summary(), "history": result.history}
    sizes = SIZES[:2] if quick else SIZES
    rows = overfitting(epochs=3 if quick else 150, sizes=sizes, seed=seed)
    return {"models": models, "overfitting": rows}


def main():
    tic = time.perf_counter()
    result = run()
    print(f"{'model':<6} {'test metric':<12} {'value':>7} {'target':>7} {'epochs':>6} {'params':>8} {'seconds':>8}")
    for name, s in result["models"].items():
        value = s["test_" + s["metric"]]
        print(f"{name:<6} {s['metric']:<12} {value:>7.4f} {TARGETS[name]:>7.2f} {s['epochs']:>6} "
              f"{s['n_parameters']:>8} {s['seconds']:>8.1f}")
    print()
    print("overfitting (MLPs on 300 training digits, 150 epochs, Adam 1e-3):")
    print(f"{'size':<7} {'hidden':<20} {'params':>8} {'train acc':>9} {'val acc':>8} {'gap':>6} "
          f"{'train loss':>10} {'val loss':>9} {'min val':>8} {'rise':>6} {'best ep':>7} {'seconds':>8}")
    for r in result["overfitting"]:
        print(f"{r['name']:<7} {str(r['hidden']):<20} {r['n_parameters']:>8} {r['train_accuracy']:>9.4f} "
              f"{r['val_accuracy']:>8.4f} {r['gap']:>6.3f} {r['train_loss']:>10.4f} {r['val_loss']:>9.4f} "
              f"{r['min_val_loss']:>8.4f} {r['val_loss_rise']:>6.3f} {r['best_epoch']:>7} {r['seconds']:>8.1f}")
    print(f"\ntotal {time.perf_counter() - tic:.0f} s (wall clock; noisy on a shared CPU)")
    return result


if __name__ == "__main__":
    np.set_printoptions(precision=4)
    main()
