"""The main job's driver, end to end at the smallest size (the full-size run
is `make demo`; its figures are in README.md)."""
import json
import re

import pytest

from support import run_tool
from dance_style.resources import split_lists_dir


@pytest.mark.slow
def test_demo_runs_every_stage(tmp_path):
    data = tmp_path / 'synthetic data'  # a space on purpose
    proc = run_tool('tools/demo.py', '--raw-dir', tmp_path / 'raw',
                    '--data-root', data, '--work-dir', tmp_path / 'work',
                    '--clips-per-class', '3', '--val-per-class', '1',
                    '--letsdance-clips', '1',
                    # one candidate and the config's own (8 x CenterCrop):
                    # the choice, at half the cost of the default four
                    '--view-candidates', '1xCenterCrop',
                    # the timeline's settings: chosen on 2 videos, not 24
                    '--timeline-videos', '2', '--cfg-options',
                    'train_cfg.max_epochs=1',
                    # the half-width model of tests/configs/
                    # tiny_nl_synthetic.py (test_real_configs.py trains the
                    # full size): every stage must build the model trained,
                    # or loading its checkpoint fails on the shapes
                    'model.backbone.base_channels=32',
                    'model.cls_head.in_channels=1024',
                    fresh=True)  # as typed
    out = proc.stdout
    for stage in range(1, 8):
        assert f'== {stage}/7' in out
    # precision auto said what it chose and why (the bf16 check on this
    # CPU, or no bf16 instructions), and nothing came out NaN
    assert re.search(r'^precision auto: (float32|bfloat16 autocast)', out,
                     re.M)
    assert not re.search(r'\bnan\b', out, re.I)
    assert re.search(r'top-1:\s+[\d.]+ %', out)
    # the views were chosen among those asked for, on the validation clips
    record = json.loads((tmp_path / 'work' / 'record.json').read_text())
    scored = [(row['clips'], row['crop'])
              for row in record['figures']['candidates']]
    assert scored == [(1, 'CenterCrop'), (8, 'CenterCrop')]
    # and how often each answered as the config's 8 clips did
    agreement = [row['agreement_with_configured']
                 for row in record['figures']['candidates']]
    assert 0 <= agreement[0] <= 1 and agreement[1] == 1.0
    assert tuple(record['figures']['chosen_views']) in scored
    assert re.search(r'top-5:\s+[\d.]+ %', out)
    assert re.search(r'^  1\. \S.* +[\d.]+ %$', out, re.M)  # a prediction
    assert 'true style: ' in out
    assert (tmp_path / 'work' / 'confusion_matrix.png').is_file()
    assert (tmp_path / 'work' / 'curves.png').is_file()
    # the last stage: a timeline of the 60 s three-style video
    timeline = tmp_path / 'work' / 'timeline'
    for suffix in ('json', 'csv', 'png'):
        assert (timeline / f'three_styles_60s.timeline.{suffix}').is_file()
    assert re.search(r'^  00:00\.0-\d\d:\d\d\.\d  \S', out, re.M)
    # its settings were chosen on the validation videos asked for, which
    # have the three-style video's frame, and the record says what the
    # timeline found against the truth
    from dance_style.video import probe
    validation = probe(tmp_path / 'work' / 'timeline' / 'validation' /
                       'validation_1.mp4')
    held_out = probe(timeline / 'three_styles_60s.mp4')
    assert (validation.height, validation.width) == \
        (held_out.height, held_out.width)
    found = record['figures']['timeline']
    assert found['validation_videos'] == 2
    assert found['video_size'] == [held_out.height, held_out.width]
    assert 0 <= found['validation']['videos_count_right'] <= 2
    assert set(found['settings']) == {'smooth', 'switch_penalty',
                                      'min_segment', 'unsure_below'}
    for left_out in (found['leave_one_out'],
                     found['former_grid']['leave_one_out']):
        assert left_out['videos'] == 2
        assert 0 <= left_out['videos_count_right'] <= 2
    assert found['true_styles'] == ['breakdancing', 'square dancing',
                                    'tap dancing']
    assert found['count_right'] == (len(found['segments']) == 3)
    assert found['segments'][0]['start'] == 0
    assert found['segments'][-1]['end'] == pytest.approx(60.0)
    assert 'share: ' in out
    assert re.search(r'^\| 1 \| [\d.]+ \| [\d.]+ \| [\d.]+ \|$', out, re.M)
    # the real data path ran, into the one dataset folder every stage used
    manifest = (data / 'manifest.csv').read_text()
    assert ',letsdance,' not in manifest and 'letsdance,' in manifest
    for status in ('missing', 'corrupt', 'too_short', 'unmapped'):
        assert f',{status},' in manifest
    assert (data / 'class_counts.png').is_file()
    assert (split_lists_dir(data) / 'dance19_train.txt').is_file()


@pytest.mark.slow
def test_demo_stops_at_a_non_finite_loss(tmp_path):
    """A learning rate that diverges: the demo ends in its training stage
    with the message, and tests, predicts and draws nothing from a broken
    model."""
    proc = run_tool('tools/demo.py', '--raw-dir', tmp_path / 'raw',
                    '--data-root', tmp_path / 'data', '--work-dir',
                    tmp_path / 'work', '--clips-per-class', '2',
                    '--val-per-class', '1', '--letsdance-clips', '1',
                    '--precision', 'fp32', '--cfg-options',
                    'optim_wrapper.optimizer.lr=1e30',
                    'model.backbone.base_channels=32',
                    'model.cls_head.in_channels=1024', check=False)
    assert proc.returncode == 2, proc.stderr[-3000:]
    assert '== 3/7 train' in proc.stdout and '== 4/7' not in proc.stdout
    assert re.search(r'training stopped at iteration [123] of \d+',
                     proc.stderr), proc.stderr[-3000:]
    assert 'Traceback' not in proc.stderr
    assert not list((tmp_path / 'work').glob('*.pth'))
