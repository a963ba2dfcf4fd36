"""Entry point of ``python -m benchmarks``; see ``python -m benchmarks --help``.

Thread limits must be in the environment before numpy, numba or OpenCV start their pools, so
``--threads 1`` is applied here, before the runner (and with it every library) is imported.
"""

import argparse
import sys
from pathlib import Path

# The comparison table lives in tests/_comparisons.py: make the repository root importable.
_ROOT = str(Path(__file__).resolve().parent.parent)
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

if __name__ == "__main__":
    _early = argparse.ArgumentParser(add_help=False)
    _early.add_argument("--threads")
    if _early.parse_known_args()[0].threads == "1":
        from benchmarks._machine import limit_threads

        limit_threads()

    from benchmarks._runner import main

    sys.exit(main())
