"""Reference tests driven by the comparison table (``tests/_comparisons.py``), which the benchmarks also read.

For every operation, fastdip's result must match each peer declared to agree, within the table's tolerance,
on the camera image and on seeded random 257x263 images (odd sizes). Peers that disagree by design must stay
within the bound their note records, so the notes cannot go stale.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tests._comparisons import COMPARISONS, KIND_DTYPES, Comparison, Target, make_input

# values through the public API on one thread; bands on threads have their own tests (tests/conftest.py)
pytestmark = pytest.mark.usefixtures("one_thread")

TEST_SHAPE = (257, 263)
TEST_VOLUME = (33, 40, 37)


def _image(kind: str) -> np.ndarray:
    return make_input(kind, TEST_VOLUME if kind == "vol" else TEST_SHAPE, seed=7)


def _cases(agreeing: bool):
    for comparison in COMPARISONS:
        for peer, call in comparison.peers.items():
            if call is None or call.agrees != agreeing or comparison.fastdip is None:
                continue
            for kind in comparison.inputs:
                if not call.supports(KIND_DTYPES[kind]):
                    continue
                yield pytest.param(comparison, peer, kind, id=f"{comparison.label}-{peer}-{kind}")


def _check_against_fastdip(comparison: Comparison, peer: str, kind: str) -> None:
    call = comparison.peers[peer]
    image = _image(kind)
    if not call.available(peer):
        pytest.skip(f"{peer} is not installed")
    operands = comparison.operands(image)
    expected = call(*operands)
    actual = comparison.fastdip(*operands)
    tolerance = comparison.tolerance_for(peer)
    assert np.shape(actual) == np.shape(expected)
    excess = tolerance.excess(actual, expected)
    assert excess <= 0, (
        f"{comparison.label} on {kind}: differs from {peer} by {excess:g} beyond tolerance ({tolerance}); "
        f"{call.note or comparison.note}"
    )


@pytest.mark.parametrize(("comparison", "peer", "kind"), list(_cases(agreeing=True)))
def test_fastdip_matches_agreeing_peer(comparison, peer, kind):
    _check_against_fastdip(comparison, peer, kind)


@pytest.mark.parametrize(("comparison", "peer", "kind"), list(_cases(agreeing=False)))
def test_disagreeing_peer_stays_within_recorded_bound(comparison, peer, kind):
    # The recorded bound is the distance from fastdip's definition, so it is checked against fastdip's result.
    _check_against_fastdip(comparison, peer, kind)


def test_every_fastdip_call_exists():
    missing = [c.label for c in COMPARISONS if c.fastdip is not None and not c.fastdip.available()]
    assert not missing, f"fastdip functions named in the comparison table do not exist: {missing}"


def test_every_disagreeing_peer_has_a_note_and_a_bound():
    for comparison in COMPARISONS:
        for peer, call in comparison.peers.items():
            if call is not None and not call.agrees:
                assert call.note, f"{comparison.label}: {peer} disagrees without a note"
                assert call.tolerance is not None, f"{comparison.label}: {peer} disagrees without a bound"


def test_labels_are_unique():
    labels = [c.label for c in COMPARISONS]
    assert len(labels) == len(set(labels))


def test_target_ratios_read_the_right_way_round():
    within_copy = Target("copy", 1.5)
    assert within_copy.met(within_copy.ratio(fastdip_time=1.4, reference_time=1.0))
    assert not within_copy.met(within_copy.ratio(fastdip_time=1.6, reference_time=1.0))
    faster = Target("skimage", 2.0, inputs=("u8 4096×4096",))
    assert faster.met(faster.ratio(fastdip_time=1.0, reference_time=2.5))
    assert not faster.met(faster.ratio(fastdip_time=1.0, reference_time=1.5))
    assert faster.applies_to("u8 4096×4096") and not faster.applies_to("u8 512×512")


def test_benchmark_runner_smoke(capsys, monkeypatch):
    # benchmarks/ is a top-level package beside tests/; importable from the root as `make bench` runs it.
    monkeypatch.syspath_prepend(str(Path(__file__).resolve().parents[1]))
    from benchmarks._runner import main

    assert main(["--quick", "--no-write", "--filter", "negative", "--sizes", "32", "--repeat", "3"]) == 0
    out = capsys.readouterr().out
    assert "negative" in out
    assert "u8 32×32" in out
    assert "fastdip" in out
