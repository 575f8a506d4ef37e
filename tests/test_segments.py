"""Readable timeline segments (dance_style/segments.py): the unsure label
and the minimum segment length, on made-up window scores."""
import numpy as np
import pytest

from dance_style.errors import DanceStyleError
from dance_style.segments import UNSURE
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
    settings, line = resolve_settings('no_record_config.py', None, None, None)
    assert settings == dict(smooth=3, min_segment=0.0, unsure_below=0.0)
    assert 'untuned defaults' in line
    # a record for a config (made up here: its figures are not under test)
    path = tmp_path / 'tuning.json'
    records.write_record(path, dict(chosen=dict(
        smooth=5, min_segment=4.0, unsure_below=0.3)), 'python tools/'
        'tune_timeline.py ...')
    monkeypatch.setitem(timeline_tuning.SETTINGS_RECORDS, 'tuned.py',
                        'tuning')
    monkeypatch.setattr(records, 'record_path', lambda name: path)
    settings, line = resolve_settings('tuned.py', None, None, None)
    assert settings == dict(smooth=5, min_segment=4.0, unsure_below=0.3)
    assert line.startswith('timeline: --smooth 5 --min-segment 4 '
                           '--unsure-below 0.3 (smooth, min_segment, '
                           'unsure_below: chosen on validation videos')
    settings, line = resolve_settings('tuned.py', 1, None, 0.0)
    assert settings == dict(smooth=1, min_segment=4.0, unsure_below=0.0)
    assert '(min_segment: chosen on validation videos' in line


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
