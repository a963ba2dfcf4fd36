"""Each script in examples/ runs, as a module (run()) and as a script, and returns sane numbers."""

import importlib.util
import runpy
from pathlib import Path

import numpy as np
import pytest

EXAMPLES = Path(__file__).parents[1] / "examples"


def _load(name):
    spec = importlib.util.spec_from_file_location(f"example_{name}", EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_averaging_residual_noise_follows_one_over_sqrt_k():
    result = _load("averaging").run(ks=(1, 4, 16), rng=7)
    assert result["k"] == [1, 4, 16]
    assert np.allclose(result["ratio"], 1.0, atol=0.05)
    assert result["measured_std"] == sorted(result["measured_std"], reverse=True)
    assert result["psnr"] == sorted(result["psnr"])


def test_point_transforms_numbers_follow_their_definitions():
    from fastdip import data

    result = _load("point_transforms").run()
    stats, camera = result["stats"], data.camera()
    assert stats["negative"]["mean"] == pytest.approx(255 - camera.mean())
    assert stats["gamma 1"]["mean"] == pytest.approx(camera.mean())
    assert stats["gamma 0.4"]["mean"] > camera.mean() > stats["gamma 2.5"]["mean"]
    assert result["curves_at"]["negative"] == [255, 191, 127, 63, 0]
    assert result["curves_at"]["gamma 1"] == [0, 64, 128, 192, 255]
    assert all(0 <= s["min"] <= s["max"] <= 255 for s in stats.values())
    assert result["bit_plane_fraction"][7] == pytest.approx(np.mean(camera >= 128))


def test_histograms_equalisation_and_matching_move_the_cdf_where_they_should():
    from fastdip import data

    result = _load("histograms").run()
    assert result["stats"]["camera"].count == data.camera().size
    assert result["equalize"]["distance_after"] < 0.5 * result["equalize"]["distance_before"]
    assert result["match"]["distance_after"] < 0.5 * result["match"]["distance_before"]
    assert result["match_mean_abs_error"]["after"] < 0.25 * result["match_mean_abs_error"]["before"]


@pytest.mark.parametrize("name", ["averaging", "point_transforms", "histograms", "geometry"])
def test_example_runs_as_a_script(name, capsys):
    runpy.run_path(str(EXAMPLES / f"{name}.py"), run_name="__main__")
    assert len(capsys.readouterr().out.splitlines()) >= 3


def test_geometry_registrations_undo_the_simulated_distortions():
    result = _load("geometry").run()
    assert result["homography_corner_error_px"] < 2
    assert result["homography_psnr"] > result["photo_psnr"] + 10
    for name in ("barrel", "pincushion"):
        assert abs(result[f"{name}_k1_estimated"] - result[f"{name}_k1_true"]) < 0.01
        assert result[f"{name}_psnr_corrected"] > result[f"{name}_psnr_distorted"] + 20
    assert result["polynomial_psnr_registered"] > result["polynomial_psnr_photo"] + 10
