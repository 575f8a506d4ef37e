"""tools/benchmark.py at reduced size on CPU, in this process: every
measurement runs, measures both settings and writes its run record (speed
itself is never asserted in a test)."""
import functools
import shlex

import pytest
import torch

from support import TINY_CONFIG
from dance_style import records
from dance_style.benchmark.command import main
from dance_style.classes import DANCE19_CLASSES
from dance_style.errors import DanceStyleError
from dance_style.precision import cpu_supports_bf16


@pytest.fixture(autouse=True)
def quick_probe(monkeypatch):
    """The record's CPU probe, shortened: its figure is not under test."""
    monkeypatch.setattr(records, 'cpu_probe', functools.partial(
        records.cpu_probe, seconds=0.05, size=128))


def run(tmp_path, name, *argv):
    """The figures of the run record that ``--json`` wrote, after checking
    that it is one: what ran, where, when, and the probe beside its
    times."""
    out = tmp_path / f'{name}.json'
    assert main([*map(str, argv), '--json', str(out)]) == 0
    record = records.read_record(out)
    assert record['command'] == shlex.join(
        ['python', 'tools/benchmark.py', *map(str, argv), '--json', str(out)])
    assert record['commit'] and record['date'][:4].isdigit()
    assert record['machine']['cores'] >= 1 and record['machine']['cpu']
    assert record['probe']['gflops_1_thread'] > 0
    assert record['figures']['what'] == argv[argv.index('--what') + 1]
    return record['figures']


def test_train_and_infer_benchmarks_run(tmp_path):
    for what, extra in (('train', ['--batch-size', '2']),
                        ('infer', ['--views', '3'])):
        result = run(tmp_path, what, TINY_CONFIG, '--what', what,
                     '--shape', '8', '32', '32', '--iters', '2', '--warmup',
                     '1', '--channels-last', *extra)
        assert result['stock']['setting']['channels_last'] is False
        assert result['ours']['setting']['channels_last'] is True
        for name in ('stock', 'ours'):
            assert result[name]['clips_per_s'] > 0
        assert result['speedup'] > 0
        # ours autocasts to bf16 on a GPU, and on a CPU that computes in
        # it where the bf16 check found it right (the reason is recorded)
        right = 'bf16_check' in result and \
            result['bf16_check'].startswith('bfloat16 agrees')
        assert ('bf16_check' in result) == (
            not torch.cuda.is_available() and cpu_supports_bf16())
        assert result['ours']['setting']['amp'] == (
            'bf16' if torch.cuda.is_available() or right else 'none')
        assert result['stock']['setting']['amp'] == 'none'
        if what == 'train':
            # FLOPs are counted everywhere; MFU needs a GPU whose peak is
            # known (the vendors' tables), else it is left out
            assert result['stock']['forward_gflops_per_clip'] > 0
            for name in ('stock', 'ours'):
                mfu = result[name]['mfu']
                if torch.cuda.is_available():
                    assert mfu is None or 0 < mfu < 1, mfu
                else:
                    assert mfu is None


def test_cpu_bf16_is_measured_and_fp16_refused(tmp_path):
    result = run(tmp_path, 'bf16', TINY_CONFIG, '--what', 'train', '--shape',
                 '8', '32', '32', '--iters', '1', '--warmup', '1',
                 '--batch-size', '2', '--amp', 'bf16', '--device', 'cpu')
    assert result['ours']['setting']['amp'] == 'bf16'
    assert result['cpu_native_bf16'] == cpu_supports_bf16()
    with pytest.raises(DanceStyleError, match='a CPU runs --amp bf16'):
        main([str(TINY_CONFIG), '--what', 'infer', '--amp', 'fp16',
              '--device', 'cpu'])


def test_data_benchmark_compares_originals_and_normalised(tmp_path):
    from dance_style.synthetic.originals import write_originals
    videos = tmp_path / 'originals'
    write_originals(videos, 2, size=(72, 128), seconds=3.0)
    result = run(tmp_path, 'data', TINY_CONFIG, '--what', 'data', '--videos',
                 videos, '--workers', '0', '--iters', '2', '--batch-size',
                 '2')
    (row, ) = result['data']
    assert row['workers'] == 0
    assert row['stock']['clips'] == row['ours']['clips'] == 4
    assert row['speedup'] > 0
    # the normalised copies were written by data prep's transcode
    assert len(list((tmp_path / 'originals_normalised').glob('*.mp4'))) == 2


def test_normalise_benchmark(tmp_path):
    result = run(tmp_path, 'normalise', '--what', 'normalise', '--clips', '2',
                 '--size', '64x96', '--seconds', '1', '--short-side', '32',
                 '--workers', '1', '--repeats', '1')
    assert result['normalise_clips_per_s']['1'] > 0
    assert result['decode_speedup'] > 0
    assert result['originals']['clips'] == 2


@pytest.mark.slow
def test_decoders_benchmark_reads_the_same_frames(tmp_path):
    result = run(tmp_path, 'decoders', '--what', 'decoders', '--clips', '1',
                 '--size', '64x96', '--seconds', '2', '--short-side', '32',
                 '--repeats', '1', '--decoders', 'decord', 'pyav')
    rows = result['decoders']
    assert set(rows) == {'decord', 'pyav'}
    for row in rows.values():
        assert all(rate > 0 for rate in row['clips_per_s'].values())
        assert set(row['clips_per_s']) == set(result['samplings'])
    # PyAV decodes the frames decord does: measured pixel for pixel equal
    # with these arguments (2026-12-05); the bar leaves 2 levels for another
    # build's rounding of the YUV-to-RGB conversion
    for label, frames in rows['pyav']['frames'].items():
        assert frames['max_abs_diff'] <= 2, (label, frames)
    if result['format_samples_error']:
        # the format samples could not be written in this process (once in
        # the full suite: libvpx-vp9 refused to open): said, not hidden
        assert not any(row['format_failures'] for row in rows.values())
        return
    # decord cannot open AV1 or GIF (dance_style/readers.py); PyAV can
    decord_fails = ' '.join(rows['decord']['format_failures'])
    assert 'av1' in decord_fails.lower() or 'gif' in decord_fails.lower()
    assert len(rows['pyav']['format_failures']) < \
        len(rows['decord']['format_failures'])
    assert set(result['speed_ratio_to_decord']) == {'pyav'}


def test_frame_indices_follow_the_samplers():
    from dance_style.benchmark.decoders import frame_indices
    # SampleFrames in test mode: the clip in the middle, looped when short
    assert frame_indices(300, 32, 2, False)[:2] == [118, 120]
    assert frame_indices(20, 16, 2, False)[10:12] == [0, 2]
    # UniformSample: the middle frame of each of 8 segments
    assert frame_indices(80, 8, 1, True) == [5, 15, 25, 35, 45, 55, 65, 75]


def test_timeline_benchmark(tmp_path):
    # 3 s and 6 s of 1080p (the documented run: 1 and 10 minutes)
    result = run(tmp_path, 'timeline', TINY_CONFIG, '--what', 'timeline',
                 '--minutes', '0.05', '0.1', '--video-dir', tmp_path / 'v')
    short, long = result['runs']
    for row in (short, long):
        for mode in ('stock', 'serial', 'ours'):
            assert row[mode]['peak_rss_mb'] >= row[mode]['rss_with_model_mb'] > 0
        # the baseline scored the same windows of the same video
        assert row['serial']['windows'] == row['ours']['windows']
        assert row['ours']['video_seconds'] == pytest.approx(
            row['minutes'] * 60, abs=0.1)
        assert row['speed_ratio_ours_to_serial'] == round(
            row['serial']['seconds'] / row['ours']['seconds'], 2)
        assert row['ours']['real_time_x'] > 0
    assert long['ours']['windows'] > short['ours']['windows'] > 0
    # the buffer holds one window whatever the length
    assert long['ours']['peak_buffered_frames'] == \
        short['ours']['peak_buffered_frames']


def test_clip_benchmark_times_predict_before_and_now(tmp_path):
    result = run(tmp_path, 'clip', TINY_CONFIG, '--what', 'clip',
                 '--seconds', '2', '--clip-size', '144x256', '--rounds', '1',
                 '--video-dir', tmp_path / 'v')
    assert result['video'] == dict(seconds=2.0, height=144, width=256,
                                   megabytes=result['video']['megabytes'])
    (stock, ), (ours, ) = result['runs']['stock'], result['runs']['ours']
    # stock: float32 and the config's views, as predict ran before
    assert stock['precision'] == 'fp32'
    assert stock['views'].startswith("views: the config's")
    # ours: what predict chooses, the check's time on the first call only
    assert ours['precision'] in ('fp32', 'bf16')
    assert ours['precision'] == result['ours_first_call']['precision']
    for row in (stock, ours, result['ours_first_call']):
        assert row['seconds'] == pytest.approx(
            row['build_seconds'] + row['precision_seconds'] +
            row['predict_seconds'], abs=0.02)
        assert row['top1'] in DANCE19_CLASSES
    assert result['time_ratio_ours_to_stock'] == round(
        ours['seconds'] / stock['seconds'], 3)


@pytest.mark.slow
def test_pruning_benchmark(tmp_path):
    # Random search with seed 3 draws Adam at lr 1.1e-3, then SGD at lr
    # 1.6e-5, a rate that hardly moves the weights: measured 2026-12-05
    # (commit 5c4a323, measure_pruning with these arguments), 9 and 5 of the
    # 30 validation clips right after epoch 1 (the second trial 0 after
    # epoch 2, unpruned), so the median pruner, on after 1 start-up trial,
    # stops the second trial after 1 of its 2 epochs
    result = run(tmp_path, 'pruning', TINY_CONFIG, '--what', 'pruning',
                 '--trials', '2', '--epochs', '2', '--pruner-startup-trials',
                 '1', '--seed', '3', '--clips-per-class', '2', '--work-dir',
                 tmp_path / 'studies')
    pruned, full = result['with_pruning'], result['without_pruning']
    assert full['trials'] == pruned['trials'] == 2
    assert full['states']['COMPLETE'] == 2 and full['epochs_trained'] == 4
    assert pruned['states']['PRUNED'] >= 1
    assert pruned['states']['COMPLETE'] + pruned['states']['PRUNED'] == 2
    # a pruned trial stops after the warm-up epoch, before its last: the
    # ratio is the epochs pruning saved (measured 3 of 4)
    assert 2 + 1 <= pruned['epochs_trained'] < 4
    assert result['epochs_ratio'] == round(pruned['epochs_trained'] / 4, 3)
    assert result['pruner_startup_trials'] == 1
    # both sweeps drew the same first trial, which pruning never stops
    assert pruned['best_trial'] == full['best_trial'] == 0


def test_pruning_benchmark_refuses_a_sweep_that_cannot_prune():
    with pytest.raises(DanceStyleError, match='could prune none'):
        main([str(TINY_CONFIG), '--what', 'pruning', '--trials', '2',
              '--pruner-startup-trials', '2'])


def test_flags_a_measurement_would_ignore_are_refused():
    with pytest.raises(DanceStyleError, match='needs a CONFIG'):
        main(['--what', 'train'])
    with pytest.raises(DanceStyleError, match='leave out CONFIG'):
        main([str(TINY_CONFIG), '--what', 'normalise'])
    with pytest.raises(DanceStyleError, match='instead of --cfg-options'):
        main(['--what', 'pruning', '--cfg-options', 'a=1'])
