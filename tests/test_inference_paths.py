"""tools/benchmark.py --what paths (dance_style/benchmark/paths.py): each CPU
inference path against float32 eager on the same clip, and the rule that
says which paths are right. Speed itself is never asserted here."""
import functools

import pytest
import torch

from support import TINY_CONFIG
from dance_style import records
from dance_style.benchmark import paths
from dance_style.benchmark.command import main
from dance_style.errors import DanceStyleError


@pytest.fixture(autouse=True)
def quick_probes(monkeypatch):
    """The record's CPU probe and the peak's matrix product, shortened:
    their figures are not under test."""
    monkeypatch.setattr(records, 'cpu_probe', functools.partial(
        records.cpu_probe, seconds=0.05, size=128))
    monkeypatch.setattr(paths, 'matmul_gflops', functools.partial(
        paths.matmul_gflops, size=256, seconds=0.05))


def test_every_path_is_compared_with_float32_on_the_same_clip(tmp_path):
    out = tmp_path / 'paths.json'
    assert main([str(TINY_CONFIG), '--what', 'paths', '--paths',
                 'channels_last', 'bf16', '--repeats', '2', '--warmup', '1',
                 '--json', str(out)]) == 0
    figures = records.read_record(out)['figures']
    peak = figures['peak']
    assert peak['matmul_gflops'] > 0 and peak['threads'] >= 1
    assert peak['peak_gflops'] >= peak['matmul_gflops']
    (model, ) = figures['models']
    # float32 eager first, the reference: no deviation from itself
    rows = {row['path']: row for row in model['paths']}
    assert list(rows) == ['fp32', 'channels_last', 'bf16']
    assert rows['fp32']['deviation'] == dict(relative=0.0, same_top1=True)
    assert rows['fp32']['speedup'] == 1.0
    for row in rows.values():
        assert row['seconds_per_view'] > 0 and row['gflops'] > 0
        assert 0 < row['share_of_peak'] == pytest.approx(
            row['gflops'] / peak['peak_gflops'], abs=1e-3)
    # channels-last reorders memory, not arithmetic that matters: within
    # the float32 tolerance of float32 eager
    assert rows['channels_last']['deviation']['relative'] <= \
        paths.TOLERANCE['fp32']
    assert rows['channels_last']['right']
    # bf16 is measured and judged, whichever way it comes out
    assert rows['bf16']['right'] == paths.is_right(
        'bf16', rows['bf16']['deviation'])
    assert model['fastest_right'] in [p for p, r in rows.items()
                                      if r['right']]


def test_the_rule_fails_a_path_far_from_float32_or_with_another_top1():
    reference = torch.tensor([[0.5, 0.3, 0.2]])
    same = paths.deviation(reference.clone(), reference)
    assert same == dict(relative=0.0, same_top1=True)
    assert paths.is_right('compile', same)
    # 1 % of the log-probabilities' spread off: right for bf16 only
    spread = float(reference.log().max() - reference.log().min())
    nudged = reference * torch.exp(torch.tensor([[0.01 * spread, 0, 0]]))
    dev = paths.deviation(nudged, reference)
    assert dev['relative'] == pytest.approx(0.01, rel=1e-3)
    assert dev['same_top1']
    assert paths.is_right('bf16', dev) and not paths.is_right('fp32', dev)
    # another top-1: wrong on every path, however close the scores
    swapped = torch.tensor([[0.3001, 0.2999, 0.4]])
    assert not paths.deviation(swapped, reference)['same_top1']
    assert not paths.is_right('bf16', paths.deviation(swapped, reference))


def test_paths_flags_are_refused_elsewhere_and_unknown_paths_named():
    with pytest.raises(DanceStyleError, match='--models and --paths'):
        main([str(TINY_CONFIG), '--what', 'infer', '--models',
              str(TINY_CONFIG)])
    with pytest.raises(DanceStyleError, match='unknown paths'):
        paths.measure_config(str(TINY_CONFIG), paths=('fp16', ))
