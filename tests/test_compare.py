"""tools/compare_models.py: what each config costs, and a checkpoint's
accuracy on one list, as JSON, Markdown and the README's table."""
import json

import pytest
from mmengine.config import Config

from conftest import REPO, run_tool
from dance_style.compare import (BEGIN, END, load_metafile,
                                 view_shape, views_per_video)

# the trained fixture's config (the demo model at a quarter of the width)
TINY = 'tests/configs/tiny_nl_synthetic.py'


def test_metafile_lists_every_config():
    listed = {entry['config'] for entry in load_metafile()}
    configs = {str(p.relative_to(REPO)) for p in (REPO / 'configs').rglob(
        '*.py') if '_base_' not in p.parts}
    assert listed == configs
    for entry in load_metafile():
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


def test_compare_measures_and_scores_a_checkpoint(dumped, tmp_path):
    readme = tmp_path / 'README.md'
    readme.write_text(f'intro\n{BEGIN}\nold table\n{END}\nrest\n')
    out = tmp_path / 'compare.json'
    proc = run_tool(
        'tools/compare_models.py', '--configs', TINY, '--checkpoint',
        f'{TINY}={dumped["checkpoint"]}', '--ann-file',
        'annotations/dance19_test.txt', '--data-root', dumped['data'],
        '--json', out, '--readme', readme, '--work-dir', tmp_path / 'work')
    row = json.loads(out.read_text())['rows'][0]
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
    text = readme.read_text()
    assert 'old table' not in text and text.startswith('intro\n')
    assert text.endswith(f'{END}\nrest\n') and f'| `{TINY}` |' in text
    # the table again from the JSON, without measuring
    again = run_tool('tools/compare_models.py', '--from-json', out,
                     '--markdown', tmp_path / 'table.md')
    assert again.stdout == proc.stdout.split('table rewritten')[0]
    assert (tmp_path / 'table.md').read_text() == again.stdout


def test_checkpoint_needs_a_list(tmp_path):
    proc = run_tool('tools/compare_models.py', '--configs', TINY,
                    '--checkpoint', f'{TINY}=x.pth', check=False)
    assert proc.returncode == 2 and '--ann-file' in proc.stderr
    proc = run_tool('tools/compare_models.py', '--checkpoint', 'nonsense',
                    check=False)
    assert proc.returncode == 2 and 'CONFIG=CHECKPOINT' in proc.stderr
