"""Noise reduction by averaging: average K noisy copies of camera and measure the residual noise.

The noise std of an average of K frames with independent noise of std sigma is sigma / sqrt(K). The work is
done by ``fastdip.arithmetic.average``; the measurement is shared with the tour's section
(``fastdip.report.sections.averaging.measure``), whose figures ``fastdip tour --only averaging`` draws.

Run:  python examples/averaging.py
"""

from fastdip import data
from fastdip.report.sections import averaging


def run(ks=averaging.KS, sigma=averaging.SIGMA, rng=0):
    """Measure the residual noise std for each K; returns lists keyed by column (no images)."""
    result = averaging.measure(data.camera(), ks=ks, sigma=sigma, rng=rng)
    return {key: values for key, values in result.items() if key != "averages"}


if __name__ == "__main__":
    result = run()
    print(f"{'K':>3}  {'measured std':>12}  {'sigma/sqrt(K)':>13}  {'ratio':>6}  {'PSNR dB':>7}")
    for row in zip(result["k"], result["measured_std"], result["predicted_std"], result["ratio"], result["psnr"]):
        print("{:>3}  {:>12.3f}  {:>13.3f}  {:>6.3f}  {:>7.2f}".format(*row))
