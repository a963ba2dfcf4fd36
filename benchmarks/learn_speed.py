"""Speed of fastdip.learn: ``python -m benchmarks.learn_speed [--size 2048] [--big 8192]``.

Three measurements in one run, medians of ``--repeat`` interleaved calls (the machine is shared), first
calls (compilation) excluded by a warm-up on a small image:

1. Features on a size² float32 image, two sets:
   - the equal set: ``features(image, sigmas="skimage")`` against
     ``skimage.feature.multiscale_basic_features(image)`` (both: sigmas 0.5, 1, 2, 4, 8, 16; per sigma the
     Gaussian, the Sobel magnitude of it and the 2 Hessian eigenvalues: 24 features; equal within 1e-6);
   - the ilastik-like set fastdip computes by default (6 sigmas 0.7..10 x intensity, Gaussian, gradient
     magnitude, LoG, DoG, Hessian and structure-tensor eigenvalues: 49 features), for scale.
2. Prediction on a size² image with a 100-tree random forest on the ilastik-like features (49 features):
   ``PixelClassifier.predict`` (tiled features + numba forest kernel) against the same fastdip features for
   the whole image followed by scikit-learn's ``predict_proba`` (n_jobs=-1) and argmax; also
   ``PixelClassifier.predict_proba`` (every tree evaluated: ``predict`` stops early per pixel once its class
   is decided).
3. With ``--big N``: the peak resident memory (VmHWM) of a fresh process running ``predict`` on an N² float32
   image (the image itself, N² x 4 bytes, included).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np


def _medians(fns: dict, repeat: int) -> dict:
    """Median wall seconds of each function, the functions called in turn ``repeat`` times (interleaved, so
    that a change in the machine's load hits all of them alike)."""
    times = {name: [] for name in fns}
    for _ in range(repeat):
        for name, fn in fns.items():
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
    return {name: float(np.median(t)) for name, t in times.items()}


def _scene(size: int, seed: int = 0):
    """Two textures (fine vertical stripes / coarse horizontal ones) in a checkerboard, plus noise; scribbles
    on 1 % of the pixels."""
    rng = np.random.default_rng(seed)
    rows, cols = np.mgrid[:size, :size].astype(np.float32)
    block = max(size // 8, 8)
    truth = (1 + (rows // block + cols // block) % 2).astype(np.uint8)
    image = np.where(truth == 1, np.sin(cols / 1.5), np.sin(rows / 5.0)).astype(np.float32)
    image += rng.normal(0, 0.3, image.shape).astype(np.float32)
    scribbles = np.zeros_like(truth)
    picks = rng.choice(truth.size, max(truth.size // 100, 50), replace=False)
    scribbles.flat[picks] = truth.flat[picks]
    return image, scribbles


def _model(size: int):
    from fastdip.learn import PixelClassifier

    train, scribbles = _scene(min(size, 512), seed=1)
    return PixelClassifier("random_forest", rng=0).fit(train, scribbles)


def bench_features(size: int, repeat: int, jobs: int | None = None) -> dict:
    from skimage.feature import multiscale_basic_features

    from fastdip.learn import features

    image = _scene(size)[0]
    features(image[:64, :64], sigmas="skimage")
    features(image[:64, :64])
    t = _medians({"skimage_set_fastdip_s": lambda: features(image, sigmas="skimage"),
                  "skimage_set_skimage_s": lambda: multiscale_basic_features(image, workers=jobs),
                  "ilastik_set_fastdip_s": lambda: features(image)}, repeat)
    return t


def bench_predict(size: int, repeat: int, jobs: int = -1) -> dict:
    from fastdip.learn import features

    clf = _model(size)
    image = _scene(size, seed=2)[0]
    clf.predict(image[:300, :300])
    forest = clf.estimator_
    forest.set_params(n_jobs=jobs)

    def baseline():
        stack = features(image)
        proba = forest.predict_proba(stack.reshape(-1, stack.shape[-1]))
        return forest.classes_[proba.argmax(axis=1)].reshape(image.shape)

    t = _medians({"predict_fastdip_s": lambda: clf.predict(image), "predict_sklearn_s": baseline,
                  "predict_proba_fastdip_s": lambda: clf.predict_proba(image)}, repeat)
    same = bool((clf.predict(image) == baseline()).all())
    depth = max(t.tree_.max_depth for t in forest.estimators_)
    return {**t, "labels_identical": same, "n_features": len(clf.feature_names_), "max_depth": depth}


_PEAK_SCRIPT = """
import sys, numpy as np
from fastdip.learn import PixelClassifier
clf = PixelClassifier.load(sys.argv[1])
n = int(sys.argv[2])
image = np.random.default_rng(0).random((n, n), dtype=np.float32)
labels = clf.predict(image)
peak = [l for l in open('/proc/self/status') if l.startswith('VmHWM')][0].split()[1]
print(int(peak) * 1024, labels.shape)
"""


def bench_peak(big: int) -> dict:
    clf = _model(512)
    with tempfile.TemporaryDirectory() as tmp:
        path = clf.save(Path(tmp) / "model.npz")
        start = time.perf_counter()
        out = subprocess.run([sys.executable, "-c", _PEAK_SCRIPT, str(path), str(big)], capture_output=True,
                             text=True, check=True).stdout.split()
        seconds = time.perf_counter() - start
    return {"peak_bytes": int(out[0]), "image_bytes": big * big * 4, "seconds": seconds}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.learn_speed", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=2048, help="side of the square test image (default 2048)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per timing, interleaved, median kept (default 3)")
    parser.add_argument("--big", type=int, default=0, metavar="N",
                        help="also measure predict's peak memory on an N² image in a fresh process (e.g. 8192)")
    parser.add_argument("--threads", type=int, default=None, metavar="N",
                        help="fastdip.set_threads(N), sklearn n_jobs=N and skimage workers=N (default: all "
                             "cores for each; 1 gives single-thread ratios, steadier on a busy machine)")
    parser.add_argument("--skip", nargs="*", default=[], choices=("features", "predict"), help="parts to skip")
    args = parser.parse_args(argv)
    n = args.size
    if args.threads:
        import fastdip

        fastdip.set_threads(args.threads)
    if "features" not in args.skip:
        r = bench_features(n, args.repeat, args.threads)
        print(f"features {n}² skimage set (24): fastdip {r['skimage_set_fastdip_s']:.2f} s, "
              f"skimage.multiscale_basic_features {r['skimage_set_skimage_s']:.2f} s, "
              f"ratio {r['skimage_set_skimage_s'] / r['skimage_set_fastdip_s']:.2f}x")
        print(f"features {n}² ilastik-like set (49): fastdip {r['ilastik_set_fastdip_s']:.2f} s")
    if "predict" not in args.skip:
        r = bench_predict(n, args.repeat, args.threads or -1)
        print(f"predict {n}² x {r['n_features']} features, 100 trees (max depth {r['max_depth']}): "
              f"PixelClassifier.predict {r['predict_fastdip_s']:.2f} s, features + sklearn predict_proba "
              f"(n_jobs={args.threads or -1}) {r['predict_sklearn_s']:.2f} s, ratio "
              f"{r['predict_sklearn_s'] / r['predict_fastdip_s']:.2f}x, labels identical: {r['labels_identical']}; "
              f"PixelClassifier.predict_proba {r['predict_proba_fastdip_s']:.2f} s "
              f"({r['predict_sklearn_s'] / r['predict_proba_fastdip_s']:.2f}x)")
    if args.big:
        r = bench_peak(args.big)
        print(f"predict {args.big}² peak memory (VmHWM, fresh process): {r['peak_bytes'] / 2**20:.0f} MiB "
              f"(the float32 image alone {r['image_bytes'] / 2**20:.0f} MiB), {r['seconds']:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
