"""Shared fixtures: seeded random sources and sample images. Nothing seeds global state."""

from __future__ import annotations

import numpy as np
import pytest

#: absolute tolerances for comparisons with references, per output dtype
TOLERANCE = {
    np.dtype(np.uint8): 0,
    np.dtype(np.uint16): 0,
    np.dtype(np.float32): 1e-5,
    np.dtype(np.float64): 1e-12,
}


@pytest.fixture
def rng():
    return np.random.default_rng(20261124)


@pytest.fixture(scope="session")
def camera():
    from skimage import data

    img = data.camera()
    img.setflags(write=False)
    return img


@pytest.fixture(scope="session")
def moon():
    from skimage import data

    img = data.moon()
    img.setflags(write=False)
    return img


@pytest.fixture(scope="session")
def astronaut():
    from skimage import data

    img = data.astronaut()
    img.setflags(write=False)
    return img


@pytest.fixture(autouse=True)
def _parallel_paths_do_not_depend_on_machine_load(monkeypatch):
    """fastdip runs kernels serially when other tasks hold the cores (fastdip.parallel._idle_cores); under
    pytest-xdist that would make a test take the parallel or the serial path depending on what the other
    worker does. Tests see every usable core as idle, so each path is chosen by size alone."""
    from fastdip import parallel

    monkeypatch.setattr(parallel, "_idle_cores", parallel._usable_cores)


@pytest.fixture
def one_thread():
    """fastdip's kernels on one thread for the test (``fastdip.threads(1)``).

    For files that compare values through the public API (peers, pipelines, the web API): their calls take
    one path whatever the machine's load (``parallel._idle_cores``). Bands on threads are compared with
    one-call results in their own tests (tests/kernels/, test_filters_*, test_geometry_*, test_parallel.py)."""
    import fastdip

    with fastdip.threads(1):
        yield


#: the test files that take longest from a cold numba cache, longest first (seconds of test time in a cold
#: run on this 2-core machine, 2026-12-06): started first, so no worker is left alone with a long file at the end
_LONGEST_FIRST = (
    "tests/test_bad_inputs.py",  # 147
    "tests/test_filters_linear.py",  # 113
    "tests/test_comparisons.py",  # 110
    "tests/test_filters_order.py",  # 100
    "tests/kernels/test_convolve.py",  # 77
    "tests/kernels/test_warp.py",  # 62
    "tests/test_geometry_resize.py",  # 31
    "tests/test_geometry_warp.py",  # 31
    "tests/kernels/test_adaptive.py",  # 27
    "tests/test_segmentation_threshold.py",  # 23
    "tests/test_morphology.py",  # 23
    "tests/kernels/test_resample.py",  # 21
    "tests/test_readme.py",  # 19
    "tests/test_filters_adaptive.py",  # 19
)


def pytest_collection_modifyitems(config, items):
    """Run the longest files first (a stable sort: the rest keep their order after them).

    ``make test`` hands whole files to the pytest-xdist workers (``--dist loadfile``, so a file's kernels
    compile in one process). xdist's default order is by number of tests, which puts compile-heavy files with
    few tests (kernels/test_warp.py: 15 tests, about a minute cold) last, where one worker finishes them while
    the other waits; the Makefile passes ``--no-loadscope-reorder`` so that this order is kept instead (the
    longest-processing-time-first rule for two machines)."""
    rank = {name: i for i, name in enumerate(_LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.nodeid.split("::")[0], len(rank)))
