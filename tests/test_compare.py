"""tools/compare_models.py: what each config costs, and a checkpoint's
accuracy on one list, as a run record, Markdown and the README's table (the
``configs`` block drawn from the record)."""
import pytest
from mmengine.config import Config

from support import REPO, run_tool
from dance_style import records
from dance_style.benchmark.compare import (load_metafile, markdown_table,
                                           recite, view_shape,
                                           views_per_video)
from dance_style.recipe import describe, effective_rates

# the trained fixture's config (the demo model at a quarter of the width)
TINY = 'tests/configs/tiny_nl_synthetic.py'


def test_metafile_lists_every_config():
    listed = {entry['config'] for entry in load_metafile()}
    configs = {str(p.relative_to(REPO)) for p in (REPO / 'configs').rglob(
        '*.py') if '_base_' not in p.parts}
    assert listed == configs
    for entry in load_metafile():
        # the processes its recipe is meant for: with the config's clips
        # per process, the batch the table's rates are stated at
        assert isinstance(entry['gpus'], int) and entry['gpus'] >= 1
        for key in ('zoo', 'study'):
            if key in entry:  # cited figures carry their numbers
                assert 0 < entry[key]['top1'] <= entry[key]['top5'] <= 100


@pytest.mark.parametrize('name, views, shape', [
    ('i3d_nl_dance.py', 30, (3, 32, 256, 256)),
    ('uniformerv2_b16_k710_dance.py', 12, (3, 8, 224, 224)),
    ('videomaev2_vit_s_dance.py', 15, (3, 16, 224, 224)),
    ('i3d_inception_flow_dance.py', 12, (2, 64, 256, 256)),
])
def test_views_and_view_shape_follow_the_test_pipeline(name, views, shape):
    cfg = Config.fromfile(REPO / 'configs' / name)
    assert views_per_video(cfg) == views
    assert view_shape(cfg) == shape


def rates_of(name, gpus=8):
    return effective_rates(Config.fromfile(REPO / 'configs' / name), gpus)


def test_rates_come_from_the_constructor_and_auto_scale_lr():
    # custom_keys lr_mult 0.1 on the backbone; SGD's rate ignores the batch
    freeze = rates_of('i3d_nl_dance_partial_freeze.py')
    assert freeze['lr'] == {'cls_head': [pytest.approx(7.87e-4)],
                            'backbone': [pytest.approx(7.87e-5)]}
    assert freeze['frozen'] == ['backbone.conv1', 'backbone.layer1']
    assert rates_of('i3d_nl_dance_partial_freeze.py', gpus=1)['lr'] == \
        freeze['lr']
    assert describe(freeze) == (
        '8 x 8 (lr as set)', 'head 7.87e-4; backbone 7.87e-5; frozen: '
        'backbone.conv1, backbone.layer1')
    # AdamW 2e-5 per 512 clips, at 8 GPUs x 8: 2.5e-6, every group
    uniformer = rates_of('uniformerv2_b16_k710_dance.py')
    assert uniformer['epochs'] == 24 and uniformer['base_batch'] == 512
    assert uniformer['lr'] == {
        'backbone': [pytest.approx(2.5e-6)],
        'cls_head': [pytest.approx(2.5e-6)]}
    assert describe(uniformer)[1] == 'all 2.5e-6'
    # layer decay 0.75 over 12 blocks: the head (and the final norm) at
    # 1e-3 x 64/256, the patch embedding 0.75^13 of it, one rate a layer
    for gpus in (8, 1):
        vit = rates_of('videomaev2_vit_s_dance.py', gpus)
        top = 1e-3 * gpus * 8 / 256
        assert vit['lr']['cls_head'] == [pytest.approx(top)]
        backbone = vit['lr']['backbone']
        assert len(backbone) == 14
        assert backbone[0] == pytest.approx(top)
        assert backbone[-1] == pytest.approx(top * 0.75 ** 13)


def test_redrawn_table_keeps_the_measurements_and_adds_the_recipe():
    # a saved record's row: its measured columns must come back as they
    # were; epochs and rates are read from the config as it is now
    record = {'meta': {'date': '2026-01-01', 'machine': 'm',
                       'devices': ['cpu'], 'list': None},
              'rows': [{'config': 'configs/i3d_nl_dance_partial_freeze.py',
                        'recipe': 'an old description', 'views': 30,
                        'view_shape': [3, 32, 256, 256], 'params_m': 1.23,
                        'gflops_per_view': 4.56, 'latency_s': {'cpu': 7.89},
                        'accuracy': {'top1': 50.0, 'top5': 90.0,
                                     'mean1': 45.0}}]}
    result = recite(record)
    table = markdown_table(result['rows'], result['meta'])
    row = [c.strip() for c in table.splitlines()[2].strip('|').split('|')]
    entry = {e['config']: e for e in load_metafile()}[
        'configs/i3d_nl_dance_partial_freeze.py']
    assert row == ['`configs/i3d_nl_dance_partial_freeze.py`',
                   entry['model'], entry['recipe'], '10', '8 x 8 (lr as set)',
                   'head 7.87e-4; backbone 7.87e-5; frozen: backbone.conv1, '
                   'backbone.layer1', '1.23', '4.6', '30', '7.89', '', '',
                   '50.00 / 90.00 / 45.00']


def test_compare_measures_and_scores_a_checkpoint(dumped, tmp_path,
                                                  monkeypatch):
    out = tmp_path / 'compare.json'
    proc = run_tool(
        'tools/compare_models.py', '--configs', TINY, '--checkpoint',
        f'{TINY}={dumped["checkpoint"]}', '--ann-file',
        'annotations/dance19_test.txt', '--data-root', dumped['data'],
        '--json', out, '--work-dir', tmp_path / 'work')
    record = records.read_record(out)
    assert record['command'].startswith('python tools/compare_models.py ')
    assert record['commit'] and record['machine']['cores'] >= 1
    # latencies are figures: the CPU probe goes with them
    assert record['probe']['gflops_1_thread'] > 0
    (row, ) = record['figures']['rows']
    assert row['config'] == TINY
    from mmaction.registry import MODELS
    model = MODELS.build(Config.fromfile(REPO / TINY).model)
    assert row['params_m'] == pytest.approx(
        sum(p.numel() for p in model.parameters()) / 1e6, abs=0.01)
    # the config's test views: its clips, one centre crop each
    cfg = Config.fromfile(REPO / TINY)
    clips = next(step.num_clips for step in cfg.test_pipeline
                 if step.type == 'SampleFrames')
    assert row['views'] == clips and row['view_shape'] == [3, 16, 56, 56]
    # the half-width model at 16x56x56 (the full-width demo model: 4.5)
    assert 0.5 < row['gflops_per_view'] < 4
    assert row['latency_s']['cpu'] > 0
    # the same checkpoint on the same list as tools/test.py
    assert row['accuracy']['top1'] == pytest.approx(dumped['top1'], abs=0.01)
    assert f'| `{TINY}` |' in proc.stdout
    assert f'Measured by `tools/compare_models.py` on {record["date"][:10]}' \
        in proc.stdout
    # the README's configs block, drawn from this record as
    # docs/results/compare.json, is the table the tool printed
    from dance_style.render import render_text
    (tmp_path / 'results').mkdir()
    out.rename(tmp_path / 'results' / 'compare.json')
    monkeypatch.setattr(records, 'RESULTS', tmp_path / 'results')
    assert render_text('<!-- block configs -->\n<!-- /block -->') == \
        f'<!-- block configs -->\n{proc.stdout}<!-- /block -->'
    # the table again from the record, without measuring
    again = run_tool('tools/compare_models.py', '--from-json',
                     tmp_path / 'results' / 'compare.json',
                     '--markdown', tmp_path / 'table.md')
    assert again.stdout == proc.stdout
    assert (tmp_path / 'table.md').read_text() == again.stdout


def test_checkpoint_needs_a_list(tmp_path):
    proc = run_tool('tools/compare_models.py', '--configs', TINY,
                    '--checkpoint', f'{TINY}=x.pth', check=False)
    assert proc.returncode == 2 and '--ann-file' in proc.stderr
    proc = run_tool('tools/compare_models.py', '--checkpoint', 'nonsense',
                    check=False)
    assert proc.returncode == 2 and 'CONFIG=CHECKPOINT' in proc.stderr
