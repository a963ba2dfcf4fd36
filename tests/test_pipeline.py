"""fastdip.pipeline: the registry covers every public image operation and runs each exactly as a direct call;
pipelines validate completely, round-trip through JSON/YAML and to_python, and their halo is enough context."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fastdip import data, io, measure, morphology, segmentation
from fastdip.pipeline import EXCLUDED, Pipeline, PipelineError, Table, get, registry

from .test_bad_inputs import FUNCTIONS

# values through the public API on one thread; bands on threads have their own tests (tests/conftest.py)
pytestmark = pytest.mark.usefixtures("one_thread")

# ------------------------------------------------------------------------------------------------ registry


def test_every_public_image_function_is_registered_or_excluded_with_a_reason():
    names = {f"{p.values[0]}.{p.values[1]}" for p in FUNCTIONS}
    ops = set(registry())
    missing = sorted(names - ops - set(EXCLUDED))
    assert missing == [], f"register these (or exclude them with a reason): {missing}"
    assert not ops & set(EXCLUDED)
    assert set(EXCLUDED) <= names | {"histogram.histogram"}, sorted(set(EXCLUDED) - names)
    assert all(reason for reason in EXCLUDED.values())


def test_schemas_are_plain_data():
    text = json.dumps({name: op.to_dict() for name, op in registry().items()})
    back = json.loads(text)
    assert back["filters.median"]["kind"] == "neighbourhood"
    median = {p["name"]: p for p in back["filters.median"]["params"]}
    assert median["size"]["default"] == 3 and median["mode"]["choices"][0] == "reflect"
    assert all(op["summary"] for op in back.values())
    assert {op["kind"] for op in back.values()} <= {"pointwise", "neighbourhood", "global", "geometric", "measure"}


def _camera():
    return data.camera()


def _labels():
    return segmentation.label(segmentation.binarize(data.coins()))


#: required parameters of each operation in JSON form (the pipeline's) -> the direct call's form is derived
REQUIRED = {
    "intensity.gamma": {"gamma": 0.5}, "intensity.piecewise_linear": {"points": [[0, 0], [100, 30], [255, 255]]},
    "intensity.threshold": {"t": 100}, "intensity.apply_lut": {"lut": list(range(255, -1, -1))},
    "intensity.bit_plane": {"k": 7}, "filters.percentile": {"size": 3, "percentile": 25},
    "filters.rank": {"size": 3, "rank": 2}, "filters.gaussian": {"sigma": 1.5},
    "filters.convolve": {"kernel": [[0, 1, 0], [1, 2, 1], [0, 1, 0]]},
    "filters.correlate": {"kernel": [[1, 2, 3], [0, 0, 0], [-1, -2, -3]]},
    "filters.separable": {"kernels": [[0.25, 0.5, 0.25], [0.25, 0.5, 0.25]]},
    "noise.gaussian": {"sigma": 5.0, "rng": 1}, "noise.uniform": {"low": -5.0, "high": 5.0, "rng": 1},
    "noise.speckle": {"sigma": 0.1, "rng": 1}, "noise.poisson": {"rng": 1},
    "noise.salt_and_pepper": {"amount": 0.05, "rng": 1},
    "geometry.resize": {"output_shape": [100, 150]}, "geometry.rescale": {"scale": 0.5},
    "geometry.rotate": {"angle": 12.5}, "geometry.warp_affine": {"matrix": [[1, 0.1, 3], [0, 1, -2], [0, 0, 1]]},
    "geometry.warp_perspective": {"H": [[1, 0.02, 0], [0, 1, 0], [1e-4, 0, 1]]},
    "geometry.warp_polynomial": {"coeffs": [[1, 0], [0, 1], [0, 0], [0, 0], [0, 0], [2, 3]]},
    "geometry.distort": {"k1": -0.1}, "geometry.undistort": {"k1": -0.1},
    "restoration.blur": {"psf": [[0, 0.2, 0], [0.2, 0.2, 0.2], [0, 0.2, 0]]},
    "restoration.wiener": {"psf": [[0, 0.2, 0], [0.2, 0.2, 0.2], [0, 0.2, 0]], "nsr": 0.01},
    "restoration.cls": {"psf": [[0, 0.2, 0], [0.2, 0.2, 0.2], [0, 0.2, 0]], "gamma": 0.01},
    "restoration.inverse_filter": {"psf": [[0, 0.2, 0], [0.2, 0.2, 0.2], [0, 0.2, 0]], "eps": 0.1},
    "restoration.richardson_lucy": {"psf": [[0, 0.2, 0], [0.2, 0.2, 0.2], [0, 0.2, 0]], "num_iter": 3},
    "restoration.edgetaper": {"psf": [[0, 0.2, 0], [0.2, 0.2, 0.2], [0, 0.2, 0]]},
    "restoration.blind_deconvolution": {"psf_size": 5, "method": "rl", "num_iter": 2},
    "segmentation.apply_thresholds": {"thresholds": [80, 160]}, "segmentation.remove_small_objects": {"min_size": 50},
    "segmentation.region_growing": {"seeds": [[100, 100]], "threshold": 20},
    "segmentation.kmeans": {"k": 3, "rng": 0}, "segmentation.mean_shift": {"spatial_radius": 4, "range_radius": 16},
    "fourier.optimum_notch": {"centres": [[10, 20]]},
    "morphology.erode": {"footprint": {"disk": 2}}, "morphology.tophat": {"footprint": {"disk": 5}},
    "morphology.gradient": {"size": 3}, "measure.regionprops": {"intensity": "@input"},
}

#: operations that want labels, masks, a small image or floats in [0, 1]
INPUT = {"segmentation.clear_border": _labels, "segmentation.remove_small_objects": _labels,
         "segmentation.relabel_sequential": _labels, "measure.regionprops": _labels, "measure.count": _labels,
         "segmentation.mean_shift": lambda: data.camera()[::8, ::8].copy(),
         "restoration.blind_deconvolution": lambda: data.camera()[::4, ::4].astype(np.float32),
         "dtype.to_uint8": lambda: data.camera() / 255.0, "dtype.to_uint16": lambda: data.camera() / 255.0}


def _direct(name, params, image):
    """The direct call, with the JSON values turned into what the function takes (by hand, not by the
    pipeline code)."""
    op = get(name)
    kwargs = {}
    for key, value in params.items():
        if value == "@input":
            value = image
        elif isinstance(value, dict):
            (shape, arg), = value.items()
            value = getattr(morphology, shape)(arg)
        elif isinstance(value, list) and op.param(key).type in ("array",):
            value = np.asarray(value, dtype=np.float64)
        elif isinstance(value, list):
            value = tuple(value) if not isinstance(value[0], list) else value
        kwargs[key] = value
    result = op.func(image, **kwargs)
    if op.field:
        result = getattr(result, op.field)
    return Table.from_result(result) if op.output == "table" else result


@pytest.mark.parametrize("name", sorted(registry()))
def test_each_operation_through_a_pipeline_equals_the_direct_call(name):
    image = INPUT.get(name, _camera)()
    params = REQUIRED.get(name, {})
    got = Pipeline([{"op": name, "params": params}]).run(image)
    expected = _direct(name, params, image)
    if isinstance(expected, Table):
        assert got == expected
    else:
        np.testing.assert_array_equal(got, expected)
        assert got.dtype == expected.dtype


@pytest.mark.parametrize("name", sorted(n for n, op in registry().items()
                                        if op.ndims is None or 3 in op.ndims))
def test_n_d_operations_run_on_a_volume(name):
    if name in INPUT or name.startswith(("restoration.blind", "segmentation.region_growing", "geometry.")):
        pytest.skip("2-D input or parameters in the table")
    volume = np.random.default_rng(3).integers(0, 256, (6, 20, 24), dtype=np.uint8)
    params = dict(REQUIRED.get(name, {}))
    if name == "filters.convolve" or name == "filters.correlate":
        params["kernel"] = np.ones((3, 3, 3)).tolist()
    if name == "filters.separable":
        params["kernels"] = [[0.5, 0.5]] * 3
    if "footprint" in params:
        params["footprint"] = {"ball": 1}
    if "psf" in params:
        params["psf"] = (np.ones((3, 3, 3)) / 27).tolist()
    got = Pipeline([(name, params)]).run(volume)
    expected = _direct(name, params, volume)
    np.testing.assert_array_equal(got, expected)


# ------------------------------------------------------------------------------------------------ validation


@pytest.mark.parametrize(("steps", "message"), [
    ([("filters.medain", {})], r"step 1: no operation named 'filters.medain'; did you mean filters.median"),
    ([("filters.median", {"sise": 3})], r"step 1 \(filters.median\): unknown parameter 'sise'; allowed: .*size"),
    ([("filters.median", {"size": "big"})], r"step 1 \(filters.median\): parameter 'size' must be .*integers.*got 'big'"),
    ([("filters.median", {"size": 4})], r"parameter 'size' must be .*\(odd\) in \[1, inf\], got 4"),
    ([("filters.median", {}), ("filters.gaussian", {})], r"step 2 \(filters.gaussian\): parameter 'sigma' is required"),
    ([("filters.median", {"mode": "edge"})], r"'mode' must be one of 'reflect', 'mirror', .*got 'edge'"),
    ([("filters.gaussian", {"sigma": -1})], r"'sigma' must be .*in \[0, inf\], got -1"),
    ([("intensity.gamma", {"gamma": 0})], r"'gamma' must be a number in \(0, inf\], got 0"),
    ([("segmentation.binarize", {"dark": "yes"})], r"'dark' must be true or false, got 'yes'"),
    ([("morphology.erode", {"footprint": {"star": 3}})], r"'footprint' must be a nested list of booleans .*disk"),
    ([("morphology.erode", {"footprint": [[0, 2]]})], r"'footprint' must be a nested list of booleans"),
    ([("measure.count", {}), ("filters.median", {})], r"step 1 \(measure.count\): a measurement step .*end"),
    ([], r"at least one step"),
    ([{"op": "filters.median", "param": {}}], r"step 1: unknown keys \['param'\]"),
    ([{"params": {}}], r"step 1: must be"),
    ([("filters.median", [3])], r"params must be a mapping"),
    ([("segmentation.otsu", {})], r"returns a number: use segmentation.binarize"),
])
def test_validation_errors_name_step_op_parameter_value_and_allowed(steps, message):
    with pytest.raises(PipelineError, match=message):
        Pipeline(steps)


def test_a_step_failing_at_run_time_names_its_step():
    p = Pipeline([("intensity.negative", {}), ("filters.median", {"size": 3})])
    with pytest.raises(PipelineError, match=r"step 2 \(filters.median\): median: image must be a 1-D, 2-D or 3-D"):
        p.run(np.zeros((2, 3, 4, 5), np.uint8))


@pytest.mark.parametrize("ext", ["json", "yaml", "yml"])
def test_file_round_trip(tmp_path, ext):
    p = Pipeline.from_file("examples/coins_count.json")
    path = p.to_file(tmp_path / f"p.{ext}")
    back = Pipeline.from_file(path)
    assert back == p and back.to_dict() == p.to_dict()
    assert back.run(data.coins()) == p.run(data.coins())
    with pytest.raises(FileExistsError):
        p.to_file(path)


@pytest.mark.parametrize(("text", "ext", "message"), [
    ("{not json", "json", "is not valid JSON"), ("steps: [", "yaml", "is not valid YAML"),
    ('{"version": 2, "steps": ["filters.median"]}', "json", "version must be 1"),
    ('{"steps": ["filters.median"], "extra": 1}', "json", "unknown top-level keys"),
    ("[1, 2]", "json", "must hold a mapping"),
])
def test_bad_files(tmp_path, text, ext, message):
    path = tmp_path / f"bad.{ext}"
    path.write_text(text)
    with pytest.raises(PipelineError, match=message):
        Pipeline.from_file(path)


def test_to_python_gives_the_same_result(tmp_path):
    for pipe, name in ((Pipeline.from_file("examples/coins_count.json"), "coins"),
                       (Pipeline([("filters.gaussian", {"sigma": 1.5, "mode": "nearest"}),
                                  ("filters.convolve", {"kernel": [[0, 1], [1, 0]]}),
                                  ("dtype.rescale_intensity", {"out_range": [0, 1]})]), "camera")):
        src = tmp_path / f"{name}.png"
        io.imwrite(src, getattr(data, name)())
        script = tmp_path / f"{name}.py"
        script.write_text(pipe.to_python())
        out = tmp_path / (f"{name}.csv" if pipe.output == "table" else f"{name}.npy")
        done = subprocess.run([sys.executable, str(script), str(src), str(out)], capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        expected = pipe.run(io.imread(src))
        if pipe.output == "table":
            lines = out.read_text().splitlines()
            assert lines[0].split(",") == expected.columns and len(lines) == len(expected) + 1
        else:
            np.testing.assert_array_equal(np.load(out), expected)


def test_the_coins_example_counts_24_and_equals_the_python_version():
    from fastdip.report.sections.measurement import coins_pipeline

    table = Pipeline.from_file("examples/coins_count.json").run(data.coins())
    assert len(table) == 24
    reference = measure.regionprops(coins_pipeline()["labels"], data.coins())
    assert table == Table.from_result(reference)


# ---------------------------------------------------------------------------------------------------- halo


def test_halo_sums_steps_and_leaves_channels_alone():
    p = Pipeline([("filters.median", {"size": 5}), ("filters.gaussian", {"sigma": 1.0}),
                  ("morphology.open", {"footprint": {"disk": 2}})])
    assert p.halo(2) == (2 + 4 + 4, 2 + 4 + 4)
    assert Pipeline([("filters.mean", {"size": [3, 7], "channel_axis": -1})]).halo(3) == (1, 3, 0)
    assert Pipeline([("filters.median", {}), ("segmentation.binarize", {})]).halo(2) is None
    assert Pipeline([("intensity.negative", {})]).halo(3) == (0, 0, 0)


_LOCAL = [("filters.median", {"size": 3}), ("filters.median", {"size": [3, 5]}), ("filters.mean", {"size": 5}),
          ("filters.gaussian", {"sigma": 1.3}), ("filters.sobel", {}), ("filters.laplacian", {}),
          ("filters.unsharp_mask", {"sigma": 1.0}), ("morphology.dilate", {"footprint": {"diamond": 2}}),
          ("morphology.close", {"size": 3}), ("morphology.tophat", {"footprint": {"disk": 1}}),
          ("filters.maximum", {"size": 5}), ("filters.minimum", {"size": [3, 7]}), ("morphology.erode", {"size": [2, 4], "iterations": 2}),
          ("filters.prewitt", {}), ("filters.correlate", {"kernel": [[1, 2, 0, -1]]}),
          ("filters.convolve", {"kernel": [[1, 0], [2, 1], [0, 1]], "origin": [0, -1]})]


@settings(max_examples=25, deadline=None)  # ~2 s
@given(st.lists(st.sampled_from(_LOCAL), min_size=1, max_size=4), st.integers(0, 2**16))
def test_the_halo_is_enough_context(steps, seed):
    """Chunked == whole: a crop with the pipeline's halo around it gives exactly the crop of the full result."""
    image = np.random.default_rng(seed).integers(0, 256, (112, 112)).astype(np.float32)
    p = Pipeline(steps)
    h = p.halo(2)
    full = p.run(image)
    r0, r1, c0, c1 = 40, 56, 40, 64  # a margin of 40 >= 4 steps of at most 6
    crop = image[r0 - h[0]:r1 + h[0], c0 - h[1]:c1 + h[1]]
    assert min(r0 - h[0], c0 - h[1]) >= 0, "halo larger than the test's margin"
    part = p.run(crop)[h[0]:h[0] + r1 - r0, h[1]:h[1] + c1 - c0]
    np.testing.assert_array_equal(part, full[r0:r1, c0:c1])
