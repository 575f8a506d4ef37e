"""What a user does with a trained model: curves, score dumps and fusion,
export, and the validation loss behind the curves."""
import json
import re
from pathlib import Path

import numpy as np
import pytest
import torch

from support import TINY_CONFIG, TINY_EPOCHS, run_tool
from dance_style.resources import split_lists_dir
from dance_style.errors import DanceStyleError


def test_validation_loss_is_the_cross_entropy():
    from dance_style.metrics import true_class_nll
    logits = torch.randn(6, 19, generator=torch.Generator().manual_seed(0))
    labels = torch.tensor([0, 3, 18, 5, 5, 7])
    expected = torch.nn.functional.cross_entropy(logits, labels,
                                                 reduction='none')
    probs = logits.softmax(dim=1)
    for scores in (probs, logits):  # average_clips='prob', or raw scores
        got = true_class_nll(scores.numpy(), labels.numpy())
        assert np.allclose(got, expected.numpy(), atol=1e-5)


def test_curves_of_a_training_run(trained_run, tmp_path):
    out = tmp_path / 'curves.png'
    proc = run_tool('tools/plot_curves.py', trained_run['work_dir'],
                    trained_run['work_dir'], '--labels', 'run a', 'run b',
                    '--out', out, '--md', tmp_path / 'curves.md')
    assert out.read_bytes()[:4] == b'\x89PNG'
    table = (tmp_path / 'curves.md').read_text()
    assert table == proc.stdout.split('curves: ')[0]
    block = table.split('**run b**')[0]
    rows = re.findall(r'^\| (\d+) \| ([\d.]+) \| ([\d.]+) \| ([\d.]+) \|$',
                      block, flags=re.M)
    # one row per epoch, each with training loss, validation loss and top-1
    assert [int(r[0]) for r in rows] == list(range(1, TINY_EPOCHS + 1))
    train_loss = [float(r[1]) for r in rows]
    val_loss = [float(r[2]) for r in rows]
    top1 = [float(r[3]) for r in rows]
    # the model learned: both losses fell, accuracy rose
    assert train_loss[-1] < train_loss[0]
    assert val_loss[-1] < val_loss[0]
    assert top1[-1] > top1[0]


def test_curves_need_a_training_log(tmp_path):
    proc = run_tool('tools/plot_curves.py', tmp_path, check=False)
    assert proc.returncode == 2
    assert 'no training logs' in proc.stderr


def test_testing_in_process_leaves_no_loader_workers(dumped, tmp_path):
    """tools/test.py's function, in this process, with 2 persistent loader
    workers (the demo tests 5 times in one process): when it returns, the
    workers have stopped. Left to the garbage collector they stopped
    10 s late, each time (dance_style.train.stop_loader_workers)."""
    import multiprocessing

    from dance_style.config import load_config
    from dance_style.evaluate import apply_test_args, test
    cfg = apply_test_args(
        load_config(str(TINY_CONFIG)), str(TINY_CONFIG),
        str(dumped['checkpoint']), work_dir=str(tmp_path),
        data_root=str(dumped['data']),
        cfg_options={'test_dataloader.num_workers': 2,
                     'test_dataloader.persistent_workers': True})
    before = set(multiprocessing.active_children())
    metrics = test(cfg)
    assert metrics['acc/top1'] > 0
    assert set(multiprocessing.active_children()) <= before


def test_dump_holds_every_test_video(dumped):
    with np.load(dumped['path'], allow_pickle=False) as data:
        scores, labels, videos = data['scores'], data['labels'], \
            data['videos']
    lines = (split_lists_dir(dumped['data']) / 'dance19_test.txt'
             ).read_text().splitlines()
    assert scores.shape == (len(lines), 19)
    assert np.allclose(scores.sum(axis=1), 1, atol=1e-4)  # probabilities
    # in the annotation file's order, with the file names
    assert [Path(v).name for v in videos] == [
        Path(line.rsplit(' ', 1)[0]).name for line in lines]
    assert labels.tolist() == [int(line.rsplit(' ', 1)[1]) for line in lines]
    accuracy = 100 * np.mean(scores.argmax(axis=1) == labels)
    assert abs(accuracy - dumped['top1']) < 0.01


def test_report_tables_hold_the_counts_of_the_dumped_scores(dumped):
    """confusion_matrix.csv and per_class_accuracy.csv, read back, equal the
    counts made here from the same run's dumped scores (argmax per clip)."""
    import csv
    from dance_style.classes import DANCE19_CLASSES
    with np.load(dumped['path'], allow_pickle=False) as data:
        predicted = data['scores'].argmax(axis=1)
        labels = data['labels']
    counts = np.zeros((19, 19), dtype=int)
    for true, guess in zip(labels, predicted):
        counts[true, guess] += 1
    with open(dumped['work_dir'] / 'confusion_matrix.csv', newline='') as f:
        table = list(csv.reader(f))
    assert table[0] == ['true \\ predicted', *DANCE19_CLASSES]
    assert [row[0] for row in table[1:]] == list(DANCE19_CLASSES)
    assert np.array_equal(
        np.array([[int(c) for c in row[1:]] for row in table[1:]]), counts)
    with open(dumped['work_dir'] / 'per_class_accuracy.csv',
              newline='') as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 19
    for label, row in enumerate(rows):
        clips = int((labels == label).sum())
        correct = int(((labels == label) & (predicted == label)).sum())
        assert (int(row['label']), row['name'], int(row['clips']),
                int(row['correct'])) == (label, DANCE19_CLASSES[label],
                                         clips, correct)
        if clips:
            assert float(row['accuracy']) == pytest.approx(correct / clips)
        else:
            assert row['accuracy'] == 'nan'
    # the test set is the 3 trained classes, 8 clips each
    assert sorted(int(r['clips']) for r in rows if int(r['clips'])) == \
        [8, 8, 8]


def test_fusion_of_dumps(dumped, tmp_path):
    from dance_style.fusion import fuse_files
    with np.load(dumped['path'], allow_pickle=False) as data:
        dump = {k: data[k] for k in ('scores', 'labels', 'videos')}
    # a second "model" that is always sure of the wrong class next door
    wrong = np.zeros_like(dump['scores'])
    wrong[np.arange(len(wrong)), (dump['labels'] + 1) % 19] = 1.0
    other = tmp_path / 'wrong.npz'
    np.savez(other, scores=wrong, labels=dump['labels'],
             videos=dump['videos'])
    proc = run_tool('tools/fuse_scores.py', dumped['path'], other,
                    '--weights', '1', '0', '--json', tmp_path / 'f.json')
    result = json.loads((tmp_path / 'f.json').read_text())
    # weight 0 for the second: the fusion is the first model
    # (test.py prints top-1 to 2 decimals of a percent)
    assert result['fused']['top1'] == pytest.approx(dumped['top1'] / 100,
                                                    abs=1e-4)
    assert 'fused' in proc.stdout
    singles, fused, _ = fuse_files([str(dumped['path']), str(other)],
                                   [1, 3])
    assert singles[1]['top1'] == 0.0
    assert fused['top1'] < singles[0]['top1'] or singles[0]['top1'] == 0


def test_fusion_refuses_different_videos(dumped, tmp_path):
    from dance_style.fusion import fuse_files
    with np.load(dumped['path'], allow_pickle=False) as data:
        dump = {k: data[k] for k in ('scores', 'labels', 'videos')}
    shuffled = tmp_path / 'shuffled.npz'
    order = np.roll(np.arange(len(dump['labels'])), 1)
    np.savez(shuffled, **{k: v[order] for k, v in dump.items()})
    with pytest.raises(DanceStyleError, match='not in the same order|'
                       'different videos'):
        fuse_files([str(dumped['path']), str(shuffled)])


@pytest.mark.parametrize('fmt, suffix', [('torchscript', '.pt'),
                                         ('onnx', '.onnx')])
def test_export_matches_pytorch(dumped, tmp_path, fmt, suffix):
    out = tmp_path / f'model{suffix}'
    proc = run_tool('tools/export.py', TINY_CONFIG, dumped['checkpoint'],
                    out, '--atol', '1e-4')
    assert f'{fmt}: {out}' in proc.stdout
    # independently of the tool's own check: mmaction2's predict path (data
    # preprocessor + recognizer, one view) against the exported file
    from mmengine.config import Config
    from mmaction.structures import ActionDataSample
    from dance_style.export import run_exported
    from dance_style.predict import load_recognizer
    cfg = Config.fromfile(TINY_CONFIG)
    model = load_recognizer(cfg, str(dumped['checkpoint']))
    clips = torch.randint(0, 256, (2, 3, 16, 56, 56),
                          generator=torch.Generator().manual_seed(1))
    batch = dict(inputs=[clip[None].to(torch.uint8) for clip in clips],
                 data_samples=[ActionDataSample() for _ in clips])
    with torch.no_grad():
        predicted = model.test_step(batch)
    expected = torch.stack([p.pred_score for p in predicted])
    got = run_exported(str(out), fmt, clips.float())
    assert torch.allclose(got, expected, atol=1e-4)
    assert not torch.allclose(got[0], got[1])  # it looks at its input
