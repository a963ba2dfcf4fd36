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
