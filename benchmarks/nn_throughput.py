"""Throughput of fastdip.nn on this machine (standalone; not part of the peer comparison table).

Measures, with the median of ``--repeat`` timed runs after one warm-up:

1. CNN (32, 64 channels) training on the 8x8 digits: images per second (one epoch = 1,078 images).
2. U-Net 2-D training on 128x128 tiles (batch 8, BCE + Dice, Adam): images per second, for the recipe's
   small U-Net (depth 3, 16 base channels) and the usual one (depth 4, 32 base channels).
3. Tiled U-Net inference on a 2048x2048 image (tile 256, overlap 32, Gaussian blending): seconds and Mpx/s.
4. Optional: the forward + backward time of MONAI's BasicUNet against fastdip's UNet with the same width
   (32..512 channels, depth 4), when MONAI is installed.

Run:  python benchmarks/nn_throughput.py [--threads N] [--repeat R] [--quick]
Timings on a shared CPU are noisy: repeat and compare medians.
"""

from __future__ import annotations

import argparse
import statistics
import time


def _median_time(fn, repeat):
    fn()  # warm-up (allocator, kernels, first-call overheads)
    times = []
    for _ in range(repeat):
        tic = time.perf_counter()
        fn()
        times.append(time.perf_counter() - tic)
    return statistics.median(times)


def cnn_digits(repeat):
    from fastdip import nn

    parts = nn.digits(seed=0)
    net = nn.CNN(1, 10, (32, 64), input_shape=(8, 8), seed=0)
    seconds = _median_time(lambda: nn.train(net, parts.train, lr=1e-3, batch_size=32, epochs=1, seed=0), repeat)
    return len(parts.train[1]) / seconds


def unet_tiles(repeat, depth, base, n=16, side=128):
    from fastdip import nn

    cells = nn.synthetic_cells(n, (side, side), seed=0)
    net = nn.UNet(1, 1, depth=depth, base_channels=base, seed=0)

    def epoch():
        nn.train(net, (cells.images, cells.masks), loss="bce_dice", lr=1e-3, batch_size=8, epochs=1, seed=0)

    return n / _median_time(epoch, repeat)


def tiled_inference(repeat, side=2048, tile=256, overlap=32):
    import numpy as np

    from fastdip import nn

    rng = np.random.default_rng(0)
    image = rng.random((side, side), dtype=np.float32)
    net = nn.UNet(1, 1, depth=3, base_channels=16, seed=0)
    seconds = _median_time(lambda: nn.predict(net, image, tile=tile, overlap=overlap, batch_size=4), max(1, repeat // 2))
    return seconds, side * side / seconds / 1e6


def monai_ratio(repeat, side=128, batch=4):
    try:
        from monai.networks.nets import BasicUNet
    except ImportError:
        return None
    import torch

    from fastdip import nn

    torch.manual_seed(0)
    theirs = BasicUNet(spatial_dims=2, in_channels=1, out_channels=1, features=(32, 64, 128, 256, 512, 32))
    ours = nn.UNet(1, 1, depth=4, base_channels=32, seed=0)
    x = torch.rand(batch, 1, side, side)

    def step(model):
        def run():
            model.zero_grad()
            model(x).mean().backward()
        return run

    t_ours = _median_time(step(ours), repeat)
    t_theirs = _median_time(step(theirs), repeat)
    n_theirs = sum(p.numel() for p in theirs.parameters())
    return t_ours, t_theirs, ours.n_parameters, n_theirs


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=None, help="torch CPU threads (default: torch's choice)")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per measurement (median)")
    parser.add_argument("--quick", action="store_true", help="one timed run each, skip the large U-Net")
    args = parser.parse_args(argv)
    import torch

    if args.threads:
        torch.set_num_threads(args.threads)
    repeat = 1 if args.quick else args.repeat
    print(f"torch {torch.__version__}, {torch.get_num_threads()} thread(s), median of {repeat} run(s)")
    print(f"CNN on digits, training:             {cnn_digits(repeat):9.0f} images/s")
    print(f"U-Net d3 b16 on 128² tiles, training: {unet_tiles(repeat, 3, 16):9.1f} images/s")
    if not args.quick:
        print(f"U-Net d4 b32 on 128² tiles, training: {unet_tiles(repeat, 4, 32):9.1f} images/s")
    seconds, mpx = tiled_inference(repeat)
    print(f"U-Net d3 b16 tiled inference 2048²:  {seconds:9.2f} s  ({mpx:.2f} Mpx/s, tile 256, overlap 32)")
    ratio = monai_ratio(repeat)
    if ratio is None:
        print("MONAI not installed: BasicUNet comparison skipped")
    else:
        t_ours, t_theirs, n_ours, n_theirs = ratio
        print(f"forward+backward, batch 4 of 128², depth 4, 32..512 channels: fastdip UNet {t_ours * 1e3:.0f} ms "
              f"({n_ours} parameters), MONAI BasicUNet {t_theirs * 1e3:.0f} ms ({n_theirs}); "
              f"ratio MONAI time / fastdip time {t_theirs / t_ours:.2f} (> 1: fastdip faster)")


if __name__ == "__main__":
    main()
