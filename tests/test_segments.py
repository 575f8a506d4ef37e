"""Readable timeline segments (dance_style/segments.py): the switch
penalty, the unsure label and the minimum segment length, on made-up window
scores; their tuning (dance_style/timeline_tuning.py)."""
import itertools

import numpy as np
import pytest

from dance_style.errors import DanceStyleError
from dance_style.segments import UNSURE, steady_labels, window_labels
from dance_style.timeline import check_segment_settings, segments_of

NAMES = ['a', 'b', 'c']


def scores_of(rows):
    """Window probabilities from (top label, its probability) rows, the
    rest spread over the other classes."""
    out = []
    for label, prob in rows:
        row = np.full(3, (1 - prob) / 2)
        row[label] = prob
        out.append(row)
    return np.array(out)


def styles(segments):
    return [(s['style'], s['start'], s['end']) for s in segments]


def test_defaults_merge_equal_neighbours_only():
    scores = scores_of([(0, .9), (1, .6), (0, .9), (0, .9)])
    assert styles(segments_of([0, 1, 2, 3], scores, 2.0, 5.0, NAMES)) == [
        ('a', 0.0, 1.5), ('b', 1.5, 2.5), ('a', 2.5, 5.0)]


def test_a_short_flicker_goes_to_the_style_around_it():
    # 10 windows of 1 s: a, a, a, b, a, a, c, c, c, c; the lone b (1 s)
    # is shorter than 2 s, the two a's after it (2 s) are not
    labels = [0, 0, 0, 1, 0, 0, 2, 2, 2, 2]
    scores = scores_of([(label, .8) for label in labels])
    starts = np.arange(10.0)
    got = segments_of(starts, scores, 1.0, 10.0, NAMES, min_seconds=2.0)
    assert styles(got) == [('a', 0.0, 6.0), ('c', 6.0, 10.0)]
    # the absorbed window counts with the style's own probability
    assert got[0]['probability'] == pytest.approx((5 * .8 + .1) / 6)
    # without the rule: four segments
    assert len(segments_of(starts, scores, 1.0, 10.0, NAMES)) == 4


def test_between_two_styles_the_windows_own_scores_decide():
    # a a a | b (favours c second) | c c c: the b window's scores rank c
    # above a, so it joins c
    scores = scores_of([(0, .9)] * 3 + [(2, .9)] * 3)
    middle = np.array([[0.1, 0.5, 0.4]])
    scores = np.concatenate([scores[:3], middle, scores[3:]])
    got = segments_of(np.arange(7.0), scores, 1.0, 7.0, NAMES,
                      min_seconds=1.5)
    assert styles(got) == [('a', 0.0, 3.0), ('c', 3.0, 7.0)]


def test_low_confidence_windows_are_unsure():
    scores = scores_of([(0, .9), (0, .9), (1, .4), (1, .45), (0, .9)])
    got = segments_of(np.arange(5.0), scores, 1.0, 5.0, NAMES,
                      unsure_below=0.5)
    assert styles(got) == [('a', 0.0, 2.0), ('unsure', 2.0, 4.0),
                           ('a', 4.0, 5.0)]
    assert got[1]['label'] == UNSURE
    assert got[1]['probability'] == pytest.approx(0.425)
    # a short unsure stretch between two styles goes to a style, not on
    got = segments_of(np.arange(5.0), scores, 1.0, 5.0, NAMES,
                      unsure_below=0.5, min_seconds=2.5)
    assert [s['style'] for s in got] == ['a']


def test_one_segment_stays_whatever_its_length():
    scores = scores_of([(1, .9), (1, .9)])
    got = segments_of([0, 1], scores, 1.0, 2.0, NAMES, min_seconds=60)
    assert styles(got) == [('b', 0.0, 2.0)]


def test_bad_settings_are_refused():
    with pytest.raises(DanceStyleError, match='--min-segment'):
        check_segment_settings(-1, 0)
    with pytest.raises(DanceStyleError, match='--unsure-below'):
        check_segment_settings(0, 1.5)
    for penalty in (-1, float('inf'), float('nan')):
        with pytest.raises(DanceStyleError, match='--switch-penalty'):
            check_segment_settings(0, 0, penalty)


def best_path_by_enumeration(scores, seconds, penalty, unsure_below):
    """The labels of the best path, by trying every one (small inputs)."""
    states = np.concatenate(
        [scores, np.full((len(scores), 1), unsure_below)], axis=1)
    gain = seconds[:, None] * np.log(np.maximum(states, 1e-12))
    n, k = gain.shape
    paths = itertools.product(range(k if unsure_below > 0 else k - 1),
                              repeat=n)
    best = max(paths, key=lambda path: (
        sum(gain[i, label] for i, label in enumerate(path)) -
        penalty * sum(a != b for a, b in zip(path, path[1:]))))
    return [UNSURE if label == k - 1 else label for label in best]


@pytest.mark.parametrize('seed', range(6))
def test_steady_labels_are_the_best_path(seed):
    """The Viterbi pass finds the path of highest gain, as trying all 3^6
    (4^6 with unsure) paths does."""
    rng = np.random.default_rng(seed)
    scores = rng.dirichlet(np.ones(3) * 0.7, size=6)
    seconds = rng.uniform(0.5, 1.5, size=6)
    penalty = rng.uniform(0.2, 3.0)
    unsure = 0.45 if seed % 2 else 0.0
    got = steady_labels(scores, seconds, penalty, unsure)
    want = best_path_by_enumeration(scores, seconds, penalty, unsure)

    def gain(labels):
        col = [3 if label == UNSURE else label for label in labels]
        states = np.concatenate([scores, np.full((6, 1), unsure)], 1)
        return (np.sum(seconds * np.log(np.maximum(
            states[np.arange(6), col], 1e-12))) -
            penalty * np.sum(np.diff(col) != 0))
    # the same path, or one of the same gain (a tie)
    assert gain(got) == pytest.approx(gain(want))
    # no penalty: each window's top style, or unsure below the threshold
    np.testing.assert_array_equal(steady_labels(scores, seconds, 0, unsure),
                                  window_labels(scores, unsure))


def test_a_switch_penalty_ignores_a_flicker_and_keeps_a_change():
    # 1 s windows: a x6, one b (0.6) window, a x3, then c x6 whose first
    # two windows favour c only weakly (0.5 against a's 0.4)
    rows = ([(0, .8)] * 6 + [(1, .6)] + [(0, .8)] * 3)
    scores = scores_of(rows)
    weak = np.array([[0.4, 0.1, 0.5]] * 2)
    scores = np.concatenate([scores, weak, scores_of([(2, .8)] * 4)])
    starts = np.arange(16.0)
    plain = segments_of(starts, scores, 1.0, 16.0, NAMES)
    assert [s['style'] for s in plain] == ['a', 'b', 'a', 'c']
    # the flicker gains log(.6/.2) = 1.1 over a: below a cost of 2 each
    # way; the c stretch gains far more than 2, from its first window
    got = segments_of(starts, scores, 1.0, 16.0, NAMES, switch_penalty=2.0)
    assert styles(got) == [('a', 0.0, 10.0), ('c', 10.0, 16.0)]
    # a cost above all that c gains keeps one style throughout
    got = segments_of(starts, scores, 1.0, 16.0, NAMES,
                      switch_penalty=1000.0)
    assert [s['style'] for s in got] == ['a']


def scored_video(truth_labels, flicker_at=()):
    """A scored 'video' of 1 s windows: each true style's windows favour it
    (0.8), except ``flicker_at`` windows, which favour the next class."""
    labels = [label for label, seconds in truth_labels
              for _ in range(seconds)]
    rows = [((label + 1) % 3 if i in flicker_at else label, .8)
            for i, label in enumerate(labels)]
    truth, start = [], 0.0
    for label, seconds in truth_labels:
        truth.append(dict(start=start, end=start + seconds, label=label))
        start += seconds
    timeline = dict(scores=scores_of(rows), starts=list(np.arange(
        len(labels), dtype=float)), window_seconds=1.0,
        duration=float(len(labels)))
    return dict(timeline=timeline, truth=truth)


def test_tuning_chooses_a_minimum_that_removes_flicker():
    from dance_style.timeline_tuning import choose, evaluate_grid
    videos = [scored_video([(0, 8), (1, 8), (2, 8)], flicker_at=(3, 12)),
              scored_video([(2, 10), (0, 10)], flicker_at=(15,))]
    grid = dict(smooth=(1,), min_segment=(0.0, 2.0, 4.0),
                unsure_below=(0.0,))
    rows = evaluate_grid(videos, grid)
    off = rows[0]
    # each flicker splits a segment in three
    assert off['videos_count_right'] == 0 and off['segments'] == [7, 4]
    chosen = choose(rows)
    # 2 s already removes both 1 s flickers; 4 s is as good, so the simpler
    assert (chosen['min_segment'], chosen['videos_count_right'],
            chosen['videos_styles_right']) == (2.0, 2, 2)
    assert chosen['boundary_error_s'] == 0.0
    assert chosen['time_right'] == pytest.approx(1.0)


def test_settings_left_out_come_from_the_configs_tuning_record(
        tmp_path, monkeypatch):
    """predict --timeline and the page: a setting the user gives wins; the
    others are the tuning record's choice for that config, or the untuned
    3 / 0 / 0 where no record exists; the line says which."""
    from dance_style import records, timeline_tuning
    from dance_style.timeline_tuning import resolve_settings
    settings, line = resolve_settings('no_record_config.py', None, None,
                                      None, None)
    assert settings == dict(smooth=3, switch_penalty=0.0, min_segment=0.0,
                            unsure_below=0.0)
    assert 'untuned defaults' in line
    # a record for a config (made up here: its figures are not under test)
    path = tmp_path / 'tuning.json'
    records.write_record(path, dict(chosen=dict(
        smooth=5, switch_penalty=6.0, min_segment=4.0, unsure_below=0.3)),
        'python tools/tune_timeline.py ...')
    monkeypatch.setitem(timeline_tuning.SETTINGS_RECORDS, 'tuned.py',
                        'tuning')
    monkeypatch.setattr(records, 'record_path', lambda name: path)
    settings, line = resolve_settings('tuned.py', None, None, None, None)
    assert settings == dict(smooth=5, switch_penalty=6.0, min_segment=4.0,
                            unsure_below=0.3)
    assert line.startswith('timeline: --smooth 5 --switch-penalty 6 '
                           '--min-segment 4 --unsure-below 0.3 (smooth, '
                           'switch_penalty, min_segment, unsure_below: '
                           'chosen on validation videos')
    settings, line = resolve_settings('tuned.py', 1, 0.0, None, 0.0)
    assert settings == dict(smooth=1, switch_penalty=0.0, min_segment=4.0,
                            unsure_below=0.0)
    assert '(min_segment: chosen on validation videos' in line
    # a record from before the switch penalty: the penalty is off
    records.write_record(path, dict(chosen=dict(
        smooth=5, min_segment=4.0, unsure_below=0.3)), 'python tools/'
        'tune_timeline.py ...')
    settings, _ = resolve_settings('tuned.py', None, None, None, None)
    assert settings['switch_penalty'] == 0.0


def test_a_count_made_right_by_unsure_windows_is_not_chosen():
    """Three true styles, the middle one read with low confidence: a
    threshold that turns it unsure gets the count right (3 segments) but
    not the styles; the choice keeps the styles."""
    from dance_style.timeline_tuning import choose, evaluate_grid
    video = scored_video([(0, 8), (1, 8), (2, 8)])
    video['timeline']['scores'][8:16] = [0.3, 0.4, 0.3]  # style 1 at 0.4
    rows = evaluate_grid([video], dict(smooth=(1, ), min_segment=(0.0, ),
                                       unsure_below=(0.0, 0.5)))
    plain, unsure = rows
    assert plain['videos_styles_right'] == unsure['videos_count_right'] == 1
    assert unsure['videos_styles_right'] == 0
    assert choose(rows) is plain


def test_tuning_takes_a_penalty_that_removes_flicker_and_holds_left_out():
    """Four videos, each with 1 s flickers: the grid's off setting gets no
    count right; a switch penalty gets all; chosen on any three, it is
    right on the fourth."""
    from dance_style.timeline_tuning import (choose, evaluate_grid,
                                             tuning_figures)
    videos = [scored_video([(0, 8), (1, 8), (2, 8)], flicker_at=(3, 12)),
              scored_video([(2, 10), (0, 10)], flicker_at=(15,)),
              scored_video([(1, 9), (2, 7)], flicker_at=(2, 4)),
              scored_video([(0, 6), (2, 6), (1, 6)], flicker_at=(8,))]
    grid = dict(smooth=(1,), switch_penalty=(0.0, 2.0, 4.0))
    rows = evaluate_grid(videos, grid)
    assert [r['videos_count_right'] for r in rows] == [0, 4, 4]
    # the simpler of two equal penalties
    assert choose(rows)['switch_penalty'] == 2.0
    figures = tuning_figures(videos, grid, former=dict(smooth=(1,)))
    assert figures['leave_one_out']['videos_count_right'] == 4
    assert figures['leave_one_out']['settings_taken'] == {
        'smooth 1, switch_penalty 2, min_segment 0, unsure_below 0': 4}
    # the former grid (here: nothing but smoothing off) fails every video
    # it was not chosen on
    assert figures['former_grid']['leave_one_out'][
        'videos_count_right'] == 0
    assert figures['off']['videos_count_right'] == 0
