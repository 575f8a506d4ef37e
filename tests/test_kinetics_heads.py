"""Heads sliced by class name (dance_style/kinetics_heads.py): the label
maps, the slice on the 400-, 700- and 710-row layouts, the metric over the
classes a head covers, and the zero-training baseline through tools/test.py
on zoo-layout checkpoints made from a model the suite trains."""
import json
import re

import numpy as np
import pytest
import torch

from support import TINY_CONFIG, TWO_TEST_VIEWS, run_tool
from dance_style.classes import DANCE19_CLASSES
from dance_style.errors import DanceStyleError
from dance_style.kinetics_heads import (LABEL_MAPS, CoveredClassesMetric,
                                        head_rows, kinetics_classes,
                                        slice_head)
from dance_style.resources import KINETICS_LABEL_MAPS

MISSING_IN_K400 = ['cumbia', 'moon walking', 'mosh pit dancing',
                   'square dancing']


def test_label_maps_hold_our_classes():
    assert {name: len(kinetics_classes(name)) for name in LABEL_MAPS} == {
        'k400': 400, 'k600': 600, 'k700': 700, 'k710': 710,
        'k710-mmaction2': 710, 'k710-videomaev2': 710}
    for name in LABEL_MAPS:
        assert len(set(kinetics_classes(name))) == len(kinetics_classes(name))
        if name != 'k400':
            assert None not in head_rows(kinetics_classes(name)), name
    # the same 710 classes in two publishers' orders: the size of a head
    # cannot say which
    assert set(kinetics_classes('k710')) != set() and \
        head_rows(kinetics_classes('k710')) != \
        head_rows(kinetics_classes('k710-videomaev2'))
    k400 = head_rows(kinetics_classes('k400'))
    assert [DANCE19_CLASSES[i] for i, row in enumerate(k400)
            if row is None] == MISSING_IN_K400
    # FACTS: the 0-based K700 rows of our labels, from mmaction2's list
    assert head_rows(kinetics_classes('k700'))[:5] == [31, 54, 127, 136, 146]
    # by name in the K710 head == what UniFormerV2's channel map picks
    channel_map = json.loads((KINETICS_LABEL_MAPS / 'map_k700.json')
                             .read_text())
    assert head_rows(kinetics_classes('k710')) == [
        channel_map[row] for row in head_rows(kinetics_classes('k700'))]


@pytest.mark.parametrize('label_map', ['k400', 'k600', 'k700', 'k710',
                                       'k710-videomaev2'])
def test_slice_takes_each_row_by_name(label_map):
    rows = len(kinetics_classes(label_map))
    generator = torch.Generator().manual_seed(rows)
    source = {'cls_head.fc_cls.weight': torch.randn(rows, 8,
                                                    generator=generator),
              'cls_head.fc_cls.bias': torch.randn(rows, generator=generator),
              'backbone.w': torch.ones(3)}
    original = {k: v.clone() for k, v in source.items()}
    fresh = {'cls_head.fc_cls.weight': torch.full((19, 8), 7.0),
             'cls_head.fc_cls.bias': torch.full((19,), 7.0),
             'backbone.w': torch.zeros(3)}
    info = slice_head(source, fresh, label_map=label_map)
    assert info['layout'] == label_map and info['source_rows'] == rows
    names = kinetics_classes(label_map)
    for label, name in enumerate(DANCE19_CLASSES):
        for key in ('cls_head.fc_cls.weight', 'cls_head.fc_cls.bias'):
            if name in names:
                assert torch.equal(source[key][label],
                                   original[key][names.index(name)])
            else:  # the model's own fresh row
                assert (source[key][label] == 7).all()
    assert info['fresh'] == (MISSING_IN_K400 if rows == 400 else [])
    assert torch.equal(source['backbone.w'], original['backbone.w'])


def test_slice_leaves_other_heads_alone():
    fresh = {'cls_head.fc_cls.weight': torch.zeros(19, 8)}
    state = {'cls_head.fc_cls.weight': torch.ones(19, 8)}  # our own head
    assert slice_head(state, fresh) is None
    assert slice_head(state, fresh, label_map='k400') is None
    # same rows, other width: not this architecture's head (the fit check
    # names it)
    state = {'cls_head.fc_cls.weight': torch.ones(400, 4)}
    assert slice_head(state, fresh) is None
    # fine-tuning with the head started afresh
    state = {'cls_head.fc_cls.weight': torch.ones(400, 8)}
    assert slice_head(state, fresh, label_map='fresh') is None


@pytest.mark.parametrize('rows', [400, 600, 700, 710, 101])
def test_a_head_of_unnamed_order_is_refused(rows):
    """Never guessed from the size: a Kinetics-size head without a label
    map is refused with how to name one; a map of another size too."""
    fresh = {'cls_head.fc_cls.weight': torch.zeros(19, 8)}
    state = {'cls_head.fc_cls.weight': torch.ones(rows, 8)}
    with pytest.raises(DanceStyleError) as refusal:
        slice_head(state, fresh, source_name='their.pth')
    message = str(refusal.value)
    assert f'their.pth has a {rows}-row classifier head' in message
    assert 'head_label_map=' in message and 'k710-videomaev2' in message
    other = 'k400' if rows == 700 else 'k700'
    with pytest.raises(DanceStyleError,
                       match=f'{other} lists {other[1:]} classes'):
        slice_head(state, fresh, label_map=other)
    assert state['cls_head.fc_cls.weight'].shape == (rows, 8)  # untouched


def test_covered_metric_scores_only_covered_classes():
    from mmengine.logging import MessageHub
    hub = MessageHub.get_instance('covered-test')
    rows = dict(zip(DANCE19_CLASSES, range(19)))
    hub.update_info('kinetics_head', dict(
        rows=rows, fresh=MISSING_IN_K400, layout='Kinetics-400',
        head='cls_head.fc_cls'))
    square = DANCE19_CLASSES.index('square dancing')
    metric = CoveredClassesMetric()

    def sample(label, *ranked):
        score = torch.zeros(19)
        for rank, index in enumerate(ranked):
            score[index] = 0.6 - 0.1 * rank
        return dict(gt_label=torch.tensor(label), pred_score=score)

    metric.process(None, [
        sample(0, 0, 1),            # right
        sample(1, square, 1),       # right among covered (square is fresh)
        sample(1, 2, 0, 1),         # wrong; third among covered: top 5
        sample(square, square, 0),  # a fresh class's clip: not counted
    ])
    result = metric.compute_metrics(metric.results)
    assert result['classes'] == 15
    assert result['top1'] == pytest.approx(2 / 3)
    assert result['top5'] == pytest.approx(1.0)
    assert result['mean1'] == pytest.approx((1 + 0.5) / 2)
    hub.update_info('kinetics_head', dict(rows=rows, fresh=[],
                                          layout='Kinetics-700',
                                          head='cls_head.fc_cls'))
    assert metric.compute_metrics(metric.results) == {}


def zoo_checkpoint(source, rows, path):
    """The trained model's checkpoint in model-zoo layout: its 19 head rows
    at the Kinetics indices of our labels inside a ``rows``-row head (the
    other rows random), under 'state_dict' with 'meta'."""
    state = torch.load(source, map_location='cpu',
                       weights_only=True)['state_dict']
    names = kinetics_classes(f'k{rows}')
    generator = torch.Generator().manual_seed(1)
    for key in ('cls_head.fc_cls.weight', 'cls_head.fc_cls.bias'):
        ours = state[key]
        big = torch.randn((rows,) + tuple(ours.shape[1:]),
                          generator=generator) * ours.std()
        for label, name in enumerate(DANCE19_CLASSES):
            if name in names:
                big[names.index(name)] = ours[label]
        state[key] = big
    torch.save({'meta': {'epoch': 100, 'dataset_meta': None},
                'state_dict': state}, path)
    return path


def test_zero_training_baseline_reproduces_the_model(dumped, tmp_path):
    """A Kinetics-700 head holding the model's own rows gives exactly the
    model's predictions; a Kinetics-400 one adds the covered figures."""
    k700 = zoo_checkpoint(dumped['checkpoint'], 700, tmp_path / 'k700.pth')
    proc = run_tool('tools/test.py', TINY_CONFIG, k700, '--work-dir',
                    tmp_path / 'k700', '--dump', tmp_path / 'k700.npz',
                    '--data-root', dumped['data'], '--cfg-options',
                    TWO_TEST_VIEWS,  # as the dump compared with
                    'head_label_map=k700')
    # the transfer summary, printed with the figures
    assert ('19 of 19 rows taken by class name from the 700-row head (label '
            'map k700)' in proc.stdout)
    with np.load(dumped['path']) as ours, np.load(tmp_path / 'k700.npz') \
            as zoo:
        assert np.array_equal(ours['scores'], zoo['scores'])
        assert np.array_equal(ours['labels'], zoo['labels'])
    assert 'checkpoint\'s head covers' not in proc.stdout

    k400 = zoo_checkpoint(dumped['checkpoint'], 400, tmp_path / 'k400.pth')
    proc = run_tool('tools/test.py', TINY_CONFIG, k400, '--work-dir',
                    tmp_path / 'k400', '--dump', tmp_path / 'k400.npz',
                    '--data-root', dumped['data'], '--cfg-options',
                    TWO_TEST_VIEWS, 'head_label_map=k400')
    assert ('15 of 19 rows taken by class name from the 400-row head (label '
            'map k400); not in that head, initialised afresh: ' +
            ', '.join(MISSING_IN_K400)) in proc.stdout
    assert 'over the 15 classes the checkpoint\'s head covers' in proc.stdout
    covered = float(re.search(r"head covers .*\n\s+top-1:\s+([\d.]+) %",
                              proc.stdout).group(1))
    # the figure over covered classes, recomputed from the dumped scores
    with np.load(tmp_path / 'k400.npz') as zoo:
        scores, labels = zoo['scores'], zoo['labels']
    keep = [i for i, name in enumerate(DANCE19_CLASSES)
            if name not in MISSING_IN_K400]
    mask = np.isin(labels, keep)
    picked = np.array(keep)[scores[mask][:, keep].argmax(axis=1)]
    assert covered == pytest.approx(
        100 * np.mean(picked == labels[mask]), abs=0.01)
