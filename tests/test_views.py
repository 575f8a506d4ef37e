"""--views of predict and the page (dance_style/views.py): fast, full or a
number of clips."""
import pytest

from dance_style.errors import DanceStyleError
from support import REPO


def test_fast_views_are_the_fewest_within_a_point_of_full():
    """The rule behind --views fast, on the demo's record
    (docs/results/demo.json) and on made-up candidates."""
    from dance_style.config import load_config
    from dance_style.views import (fast_from_candidates, resolve_views,
                                   test_views)

    def row(clips, crop, top1):
        views = clips * (3 if crop == 'ThreeCrop' else 1)
        return dict(clips=clips, crop=crop, views=views,
                    validation={'acc/top1': top1})
    rows = [row(1, 'CenterCrop', .60), row(4, 'CenterCrop', .695),
            row(8, 'CenterCrop', .70), row(8, 'ThreeCrop', .75)]
    assert fast_from_candidates((8, 'CenterCrop'), rows) == (4, 'CenterCrop')
    assert fast_from_candidates((8, 'ThreeCrop'), rows) == (8, 'ThreeCrop')
    assert fast_from_candidates((2, 'CenterCrop'), rows) is None
    demo = load_config('configs/demo/i3d_nl_dance_synthetic.py')
    view, line = resolve_views(demo, 'fast')
    assert view is not None and view[0] < test_views(demo)[0]
    assert 'demo.json' in line
    # no record for the study's config: its own views
    study = load_config('configs/i3d_nl_dance.py')
    assert resolve_views(study, 'fast')[0] is None
    assert resolve_views(study, '2')[0] == (2, 'CenterCrop')
    with pytest.raises(DanceStyleError, match='--views'):
        resolve_views(study, '0')


def test_a_view_is_written_clips_x_crop():
    """tools/demo.py --view-candidates: the names the demos' work dirs and
    records use, and a clear error for anything else."""
    from dance_style.views import parse_view
    assert parse_view('4xCenterCrop') == (4, 'CenterCrop')
    assert parse_view('8xThreeCrop') == (8, 'ThreeCrop')
    for wrong in ('4', 'xCenterCrop', '0xCenterCrop', '4xcentercrop',
                  '4 x CenterCrop', '-1xThreeCrop'):
        with pytest.raises(DanceStyleError, match='write CLIPSxCROP'):
            parse_view(wrong)


def test_a_timeline_window_takes_the_crops_of_views():
    """predict.py --timeline --views 1: each window one centre crop, where
    UniFormerV2-B's config scores three."""
    from dance_style.config import load_config
    from dance_style.timeline import split_pipeline
    from dance_style.views import use_views
    cfg = load_config(str(REPO / 'configs' / 'uniformerv2_b16_k710_dance.py'))

    def window_crops():
        return [s['type'] for s in split_pipeline(cfg)[1]
                if s['type'].endswith('Crop')]

    assert window_crops() == ['ThreeCrop']
    assert 'CenterCrop' in use_views(cfg, '1')
    assert window_crops() == ['CenterCrop']


def test_agreement_is_the_share_of_clips_answered_as_the_full_views(
        tmp_path):
    import numpy as np

    from dance_style.views import add_agreement, top1_agreement
    full = np.array([[0.9, 0.1], [0.2, 0.8], [0.6, 0.4], [0.3, 0.7]])
    fewer = np.array([[0.8, 0.2], [0.6, 0.4], [0.6, 0.4], [0.1, 0.9]])
    assert top1_agreement(fewer, full) == 0.75  # the second clip differs
    with pytest.raises(ValueError, match='the same clips'):
        top1_agreement(fewer[:3], full)
    videos = [f'v{i}.mp4' for i in range(4)]
    for name, scores in (('8xCenterCrop', full), ('1xCenterCrop', fewer)):
        np.savez(tmp_path / f'{name}.npz', scores=scores, videos=videos)
    table = [dict(clips=1, crop='CenterCrop'), dict(clips=8,
                                                    crop='CenterCrop')]
    add_agreement(table, (8, 'CenterCrop'),
                  lambda view: tmp_path / f'{view[0]}x{view[1]}.npz')
    assert [row['agreement_with_configured'] for row in table] == [0.75, 1.0]
    np.savez(tmp_path / '1xCenterCrop.npz', scores=fewer, videos=videos[::-1])
    with pytest.raises(ValueError, match='different clips'):
        add_agreement(table, (8, 'CenterCrop'),
                      lambda view: tmp_path / f'{view[0]}x{view[1]}.npz')
