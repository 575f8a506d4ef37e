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
                 'channels_last', 'bf16', 'bf16_weights', '--repeats', '2',
                 '--warmup', '1',
                 '--json', str(out)]) == 0
    figures = records.read_record(out)['figures']
    peak = figures['peak']
    assert peak['matmul_gflops'] > 0 and peak['threads'] >= 1
    assert peak['peak_gflops'] >= peak['matmul_gflops']
    (model, ) = figures['models']
    # float32 eager first, the reference: no deviation from itself
    rows = {row['path']: row for row in model['paths']}
    assert list(rows) == ['fp32', 'channels_last', 'bf16', 'bf16_weights']
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
    # bf16 is measured and judged, whichever way it comes out; in both
    # forms its rounding moves the scores
    for path in ('bf16', 'bf16_weights'):
        assert rows[path]['right'] == paths.is_right(
            path, rows[path]['deviation'])
        assert rows[path]['deviation']['relative'] > 0
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


@pytest.fixture(scope='module')
def trained_model(dumped):
    """The suite's trained tiny model, loaded as predict loads it."""
    from dance_style.config import load_config
    from dance_style.predict import load_recognizer
    return load_recognizer(load_config(str(TINY_CONFIG)),
                           str(dumped['checkpoint']))


def _scores(model, videos, precision):
    """Top-1 names and class probabilities of ``videos`` with ``model``'s
    forward in ``precision`` (on a fresh copy of its test_step)."""
    import copy

    from dance_style.infer_precision import use_precision
    from dance_style.predict import predict_videos
    model = copy.deepcopy(model)  # bf16 converts the weights in place
    use_precision(model, precision)
    results = predict_videos(model, videos, top_k=19)
    return [{p['label']: p['probability'] for p in r['predictions']}
            for r in results]


def test_bf16_scores_are_within_the_stated_tolerance_of_float32(
        trained_model, dumped):
    """The default where bf16 is chosen: predict's scores of real test
    clips in bfloat16 autocast, against float32's on the same clips, by the
    rule that calls a path right (on any CPU: emulated bf16 computes the
    same numbers, slower)."""
    videos = sorted((dumped['data'] / 'videos').rglob('*.mp4'))[::20][:4]
    fp32 = _scores(trained_model, videos, 'fp32')
    bf16 = _scores(trained_model, videos, 'bf16')
    largest = 0.0
    for ours, theirs in zip(bf16, fp32):
        names = sorted(theirs)
        dev = paths.deviation(torch.tensor([ours[n] for n in names]),
                              torch.tensor([theirs[n] for n in names]))
        assert dev['same_top1'], (ours, theirs)
        assert dev['relative'] <= paths.TOLERANCE['bf16'], dev
        assert paths.is_right('bf16', dev)
        largest = max(largest, dev['relative'])
    # and bf16 did run: its rounding moved the scores
    assert largest > 0


def test_precision_auto_follows_the_check_and_the_cpu(trained_model,
                                                      monkeypatch, tmp_path):
    from dance_style import infer_precision, precision
    monkeypatch.setenv('DANCE_STYLE_CACHE_DIR', str(tmp_path))
    lines = []
    assert infer_precision.choose_precision(trained_model, 'fp32') == 'fp32'
    # a CPU with bf16 instructions: the check decides, once, then its cache
    monkeypatch.setattr(precision, 'cpu_supports_bf16', lambda: True)
    first = infer_precision.verdict_for(trained_model, log=lines.append)
    assert not first.cached and 'checking bfloat16' in lines[0]
    again = infer_precision.verdict_for(trained_model, log=lines.append)
    assert again.cached and again.right == first.right
    assert (tmp_path / infer_precision.CACHE_NAME).is_file()
    chosen = infer_precision.choose_precision(trained_model, 'auto',
                                              log=lines.append)
    assert chosen == ('bf16' if first.right and first.faster else 'fp32')
    # a check that finds bf16 wrong: auto says so and runs float32, bf16
    # asked for is refused
    wrong = infer_precision.InferVerdict(
        right=False, faster=True, relative=0.5, same_top1=False,
        fp32_seconds=1.0, bf16_seconds=0.5)
    monkeypatch.setattr(infer_precision, 'verdict_for',
                        lambda model, log=print: wrong)
    assert infer_precision.choose_precision(
        trained_model, 'auto', log=lines.append) == 'fp32'
    assert 'not right' in lines[-1] and 'another top-1' in lines[-1]
    with pytest.raises(DanceStyleError, match='--precision bf16 refused'):
        infer_precision.choose_precision(trained_model, 'bf16')
    # a CPU without the instructions: float32, without a check
    monkeypatch.setattr(precision, 'cpu_supports_bf16', lambda: False)
    assert infer_precision.choose_precision(
        trained_model, 'auto', log=lines.append) == 'fp32'
    assert 'no AVX512-BF16 or AMX' in lines[-1]
    with pytest.raises(DanceStyleError, match='emulated'):
        infer_precision.choose_precision(trained_model, 'bf16')
