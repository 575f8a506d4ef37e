"""tools/benchmark.py at reduced size on CPU: it runs, measures both
settings and writes its JSON (speed itself is never asserted in a test)."""
import json

from conftest import TINY_CONFIG, run_tool


def test_train_and_infer_benchmarks_run(tmp_path):
    for what, extra in (('train', ['--batch-size', '2']),
                        ('infer', ['--views', '3'])):
        out = tmp_path / f'{what}.json'
        run_tool('tools/benchmark.py', TINY_CONFIG, '--what', what,
                 '--shape', '8', '32', '32', '--iters', '2', '--warmup', '1',
                 '--channels-last', *extra, '--json', out)
        result = json.loads(out.read_text())
        assert result['stock']['setting']['channels_last'] is False
        assert result['ours']['setting']['channels_last'] is True
        for name in ('stock', 'ours'):
            assert result[name]['clips_per_s'] > 0
        assert result['speedup'] > 0
        if what == 'train':
            # FLOPs are counted, MFU needs a known GPU
            assert result['stock']['forward_gflops_per_clip'] > 0
            assert result['stock']['mfu'] is None


def test_data_benchmark_compares_originals_and_normalised(tmp_path):
    from dance_style.synthetic.originals import write_originals
    videos = tmp_path / 'originals'
    write_originals(videos, 2, size=(72, 128), seconds=3.0)
    out = tmp_path / 'data.json'
    run_tool('tools/benchmark.py', TINY_CONFIG, '--what', 'data', '--videos',
             videos, '--workers', '0', '--iters', '2', '--batch-size', '2',
             '--json', out)
    result = json.loads(out.read_text())
    (row, ) = result['data']
    assert row['workers'] == 0
    assert row['stock']['clips'] == row['ours']['clips'] == 4
    assert row['speedup'] > 0
    # the normalised copies were written by data prep's transcode
    assert len(list((tmp_path / 'originals_normalised').glob('*.mp4'))) == 2
