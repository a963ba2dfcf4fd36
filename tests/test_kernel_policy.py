"""The numba flag policy (STYLE.md principle 4): every dispatcher in fastdip._kernels uses a preset from
_kernels/_config.py, no fastmath=True, each cached dispatcher has its own Python function, and only topic
modules import _kernels."""

from __future__ import annotations

import ast
import importlib
import pkgutil
from pathlib import Path

from numba.core.registry import CPUDispatcher

import fastdip
import fastdip._kernels as kernels_pkg
from fastdip._kernels import _config

SRC = Path(fastdip.__file__).parent
ALLOWED = [_config.SERIAL, _config.INLINED]  # (no parallel=True kernels: bands on fastdip's threads instead)


def _dispatchers():
    for info in pkgutil.iter_modules(kernels_pkg.__path__):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"fastdip._kernels.{info.name}")
        for name, obj in vars(module).items():
            if isinstance(obj, CPUDispatcher) and obj.__module__ == module.__name__:
                yield f"{info.name}.{name}", obj


def test_there_are_kernels_to_check():
    assert len(list(_dispatchers())) >= 5


def test_every_dispatcher_uses_a_preset():
    for name, disp in _dispatchers():
        opts = dict(disp.targetoptions)
        fastmath = opts.pop("fastmath", None)
        opts.pop("boundscheck", None)
        opts.pop("nopython", None)
        assert opts.pop("error_model", "python") in ("python", "numpy"), name
        assert fastmath in (None, False) or set(fastmath) <= _config.SAFE_FASTMATH, name
        assert fastmath is not True, name
        assert any(opts == {k: v for k, v in preset.items() if k != "cache"} for preset in ALLOWED), (name, opts)
        assert disp._cache.__class__.__name__ == "FunctionCache", f"{name} is not cached"


def test_no_two_dispatchers_share_one_python_function():
    seen = {}
    for name, disp in _dispatchers():
        key = disp.py_func.__code__
        assert key not in seen, f"{name} and {seen[key]} are made from one Python function"
        seen[key] = name


def test_only_topic_modules_import_kernels():
    forbidden = {"cli.py", "scale.py", "pipeline.py", "__init__.py"}
    for path in SRC.rglob("*.py"):
        rel = path.relative_to(SRC)
        if rel.parts[0] == "_kernels":
            continue
        tree = ast.parse(path.read_text())
        imports_kernels = any(
            isinstance(node, ast.ImportFrom) and node.module and "_kernels" in node.module
            for node in ast.walk(tree)
        )
        if imports_kernels:
            assert rel.parts[0] not in {"report"} and rel.name not in forbidden, f"{rel} imports _kernels"


def test_import_fastdip_does_not_import_numba():
    import subprocess
    import sys

    code = "import sys, fastdip; print('numba' in sys.modules, 'matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]



def _signature_count():
    return sum(len(disp.signatures) for _, disp in _dispatchers())


def test_read_only_inputs_reuse_the_writeable_signature():
    """A read-only input (fastdip.data images, memory maps) must not compile a second signature of a kernel
    that only reads it: the wrappers hand kernels read-only views (_config.readonly)."""
    import numpy as np

    from fastdip import _validate, histogram, intensity, morphology, segmentation

    rng = np.random.default_rng(3)
    img = rng.integers(0, 256, (40, 50), dtype=np.uint8)
    wide = rng.integers(0, 256, (256, 300), dtype=np.uint8)  # >= 2**16 pixels: the 4-pixels-a-word LUT path
    lut = np.arange(256, dtype=np.uint8)[::-1].copy()
    f32 = rng.random((64, 64), dtype=np.float32)
    big = rng.random(1 << 16, dtype=np.float32)
    calls = [
        lambda a, w, f, b: morphology.erode(a, np.ones((3, 3), bool)),
        lambda a, w, f, b: morphology.dilate(a, np.array([[0, 1, 0], [1, 1, 1], [0, 1, 0]], bool)),
        lambda a, w, f, b: segmentation.label(a > 128),
        lambda a, w, f, b: histogram.histogram(a),
        lambda a, w, f, b: intensity.apply_lut(a, lut),
        lambda a, w, f, b: intensity.apply_lut(w, lut),
        lambda a, w, f, b: intensity.log_transform(f),
        lambda a, w, f, b: _validate._all_finite(b),
        lambda a, w, f, b: segmentation.region_growing(a, (3, 4), 20, criterion="seed"),  # the flood fill
        lambda a, w, f, b: segmentation.region_growing(a, (3, 4), 20),
    ]
    for call in calls:
        call(img, wide, f32, big)  # compile (or load) the writeable signatures
    before = _signature_count()
    frozen = [x.copy() for x in (img, wide, f32, big)]
    for x in frozen:
        x.flags.writeable = False
    lut.flags.writeable = False
    for call in calls:
        call(*frozen)
    assert _signature_count() == before


def test_readonly_is_a_read_only_view():
    import numpy as np

    a = np.arange(6.0).reshape(2, 3)
    v = _config.readonly(a)
    assert not v.flags.writeable and a.flags.writeable and v.shape == a.shape
    assert np.shares_memory(a, v)


def test_every_dispatcher_comes_from_the_config_njit():
    """Kernels use _config.njit (numba.njit plus non-literal typing of kernel-to-kernel calls), never
    numba.njit directly: a helper called as f(x, 0) from one kernel and f(x, i) from another would
    otherwise compile twice."""
    for name, disp in _dispatchers():
        assert getattr(disp.get_call_template, "unliteral", False), f"{name} is not made by _config.njit"
    for path in (SRC / "_kernels").glob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module == "numba":
                assert "njit" not in [a.name for a in node.names], f"{path.name} imports numba.njit"


def test_constant_arguments_do_not_make_new_callee_versions():
    import numpy as np

    flags = {"nogil": True}  # no cache: these functions live only in this test

    @_config.njit(**flags)
    def rows(out, i0, i1, flag):
        for i in range(i0, i1):
            out[i] = i if flag else -i

    @_config.njit(**flags)
    def serial(out):
        rows(out, 0, out.shape[0], True)  # constants: Literal[int](0), Literal[bool](True)

    @_config.njit(**flags)
    def blocks(out, n):
        for b in range(n):
            rows(out, b * out.shape[0] // n, (b + 1) * out.shape[0] // n, b >= 0)

    a = np.zeros(10, np.int64)
    b = np.zeros(10, np.int64)
    serial(a)
    blocks(b, 3)
    assert a.tolist() == b.tolist() == list(range(10))
    assert len(rows.signatures) == 1 and "Literal" not in str(rows.signatures[0])


def test_readonly_is_c_contiguous_for_strided_inputs():
    import numpy as np

    a = np.arange(24.0).reshape(4, 6)[:, ::2]
    v = _config.readonly(a)
    assert v.flags.c_contiguous and not v.flags.writeable and np.array_equal(v, a)
