"""The tour's sections, one small module per course topic, in report order.

A section module exposes ``TITLE`` (str), ``SLUG`` (str, the module name: used for anchors, figure file
names and ``fastdip tour --only``) and ``run(ctx) -> fastdip.report.Section``. To add a topic, write
``sections/<topic>.py`` and add its name to ``_NAMES`` below: one line (and its rough cold-cache time to
``SECONDS``, which orders the work between the tour's worker processes).
"""

from __future__ import annotations

import importlib

_NAMES = [
    "averaging",
    "point_transforms",
    "histograms",
    "neighbourhood",
    "noise_cleaning",
    "fourier",
    "periodic_noise",
    "geometry",
    "restoration",
    "segmentation",
    "measurement",
    "pipelines",
    "learning",
    "neural_networks",
]

#: Rough CPU seconds of each section in a fresh clone (numba compiling on a cold cache; measured on the 2-core
#: development machine). ``build_tour`` starts the longest sections first so that its two workers end
#: together; a section missing here counts as 0 (it starts last).
SECONDS = {
    "geometry": 44.0,
    "noise_cleaning": 35.0,
    "neural_networks": 21.0,
    "learning": 19.0,
    "neighbourhood": 17.0,
    "restoration": 16.0,
    "segmentation": 16.0,
    "measurement": 13.0,
    "periodic_noise": 8.0,
    "point_transforms": 4.0,
    "averaging": 3.0,
    "fourier": 3.0,
    "histograms": 1.0,
    "pipelines": 0.5,
}

#: The section modules, in report order (``build_tour`` reads this list at call time).
SECTIONS = [importlib.import_module(f"{__name__}.{name}") for name in _NAMES]
