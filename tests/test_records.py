"""Run records (dance_style.records), figures rendered from them
(dance_style.render), and test views chosen on validation
(dance_style.views)."""
import json
import shutil

import pytest

from dance_style.errors import DanceStyleError


def test_a_record_says_what_ran_where_and_when(tmp_path):
    from dance_style.records import read_record, write_record
    path = write_record(tmp_path / 'r.json', {'top1': 0.5},
                        command='make demo', timed=True)
    record = read_record(path)
    assert record['command'] == 'make demo'
    assert record['figures'] == {'top1': 0.5}
    assert record['commit'] and record['date'][:4].isdigit()
    assert record['machine']['cores'] >= 1 and record['machine']['cpu']
    # a timed record carries the fixed CPU probe taken with its times
    assert record['probe']['gflops_1_thread'] > 0
    untimed = read_record(write_record(tmp_path / 'u.json', {}, 'x'))
    assert 'probe' not in untimed


def test_a_record_is_uncommitted_for_changed_code_not_for_records(
        tmp_path, monkeypatch):
    import subprocess

    from dance_style import records

    def git(*args):
        subprocess.run(['git', '-C', str(tmp_path), *args], check=True,
                       capture_output=True)
    results = tmp_path / 'docs' / 'results'
    results.mkdir(parents=True)
    (results / 'a.json').write_text('{}')
    (tmp_path / 'docs' / 'page.md').write_text('page')
    (tmp_path / 'code.py').write_text('x = 1\n')
    git('init', '-q')
    git('add', '-A')
    git('-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-qm', 'c')
    monkeypatch.setattr(records, 'REPO_ROOT', tmp_path)
    monkeypatch.setattr(records, 'RESULTS', results)
    assert 'uncommitted' not in records.commit()
    # an earlier benchmark's record written since, a page being edited:
    # still the commit
    (results / 'a.json').write_text('{"figures": 1}')
    (tmp_path / 'docs' / 'page.md').write_text('edited')
    assert 'uncommitted' not in records.commit()
    (tmp_path / 'code.py').write_text('x = 2\n')
    assert records.commit().endswith('+uncommitted changes')


def test_a_file_that_is_not_a_record_is_refused_clearly(tmp_path):
    from dance_style.records import read_record
    with pytest.raises(DanceStyleError, match='no run record'):
        read_record(tmp_path / 'missing.json')
    (tmp_path / 'hand.json').write_text('{"top1": 0.9}')
    with pytest.raises(DanceStyleError, match='not a run record'):
        read_record(tmp_path / 'hand.json')


def test_figures_render_from_their_record(tmp_path, monkeypatch):
    from dance_style import records, render
    monkeypatch.setattr(records, 'RESULTS', tmp_path)
    records.write_record('demo', {'test': {'top1': 0.70085}, 'seconds': 994},
                         command='make demo')
    text = ('top-1 <!-- fig demo figures.test.top1 pct1 -->?<!-- /fig -->'
            ' in <!-- fig demo figures.seconds min -->?<!-- /fig -->.')
    assert render.render_text(text) == (
        'top-1 <!-- fig demo figures.test.top1 pct1 -->70.1 %<!-- /fig -->'
        ' in <!-- fig demo figures.seconds min -->17 min<!-- /fig -->.')
    records.write_record('timeline', {'segments': [
        {'style': 'breakdancing', 'start': 0}, {'style': 'tap dancing'}]},
        command='make demo')
    text = ('<!-- fig timeline figures.segments count -->?<!-- /fig --> '
            'segments: <!-- fig timeline figures.segments styles -->?'
            '<!-- /fig -->')
    assert render.render_text(text) == (
        '<!-- fig timeline figures.segments count -->2<!-- /fig --> '
        'segments: <!-- fig timeline figures.segments styles -->'
        'breakdancing, tap dancing<!-- /fig -->')
    with pytest.raises(DanceStyleError, match="no 'figures.test.top9'"):
        render.render_text('<!-- fig demo figures.test.top9 pct1 -->'
                           '<!-- /fig -->')
    with pytest.raises(DanceStyleError, match='unknown figure format'):
        render.render_text('<!-- fig demo figures.seconds furlongs -->'
                           '<!-- /fig -->')


def test_a_hand_edited_figure_is_caught(tmp_path):
    """The README and docs/ as committed render to themselves; the same
    files with one figure edited by hand do not."""
    from dance_style.render import differing, documents
    for path in documents():
        assert differing(path) == [], f'{path}: run tools/render_results.py'
    # a scratch copy of the README with its first rendered figure changed
    readme = documents()[0]
    text = readme.read_text()
    start = text.index('<!-- fig ')
    body = text.index('-->', start) + 3
    edited = text[:body] + '9' + text[body:]
    scratch = tmp_path / 'README.md'
    scratch.write_text(edited)
    assert len(differing(scratch)) == 1
    shutil.copy(readme, scratch)
    assert differing(scratch) == []


def test_test_views_are_set_and_counted():
    from mmengine.config import Config

    from dance_style.views import (set_test_views, test_views,
                                   views_per_video)
    cfg = Config(dict(test_dataloader=dict(dataset=dict(pipeline=[
        dict(type='SampleFrames', clip_len=16, num_clips=8, test_mode=True),
        dict(type='Resize', scale=(-1, 64)),
        dict(type='CenterCrop', crop_size=56)]))))
    assert test_views(cfg) == (8, 'CenterCrop')
    set_test_views(cfg, 1, 'TenCrop')
    assert cfg.test_dataloader.dataset.pipeline[2]['crop_size'] == 56
    # ThreeCrop slides a square of the short side along the long side
    set_test_views(cfg, 1, 'ThreeCrop')
    assert test_views(cfg) == (1, 'ThreeCrop')
    assert cfg.test_dataloader.dataset.pipeline[2]['crop_size'] == 64
    assert views_per_video(test_views(cfg)) == 3
    cfg.test_dataloader.dataset.pipeline.pop(2)
    with pytest.raises(DanceStyleError, match='no crop step'):
        set_test_views(cfg, crop='CenterCrop')


def test_views_are_chosen_on_validation_cheapest_on_a_tie():
    from dance_style.views import choose_on_validation
    top1 = {(1, 'CenterCrop'): 0.5, (4, 'CenterCrop'): 0.7,
            (8, 'CenterCrop'): 0.7, (8, 'ThreeCrop'): 0.6}
    scored = []

    def score(view):
        scored.append(view)
        return {'acc/top1': top1[view]}

    chosen, table = choose_on_validation(score, list(top1))
    assert chosen == (4, 'CenterCrop')
    assert scored == list(top1)  # each candidate once
    assert [row['views'] for row in table] == [1, 4, 8, 24]
    assert json.loads(json.dumps(table))  # a record can hold it
