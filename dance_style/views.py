"""Test views: how many clips of a video, and which crops of each, a model
sees at test time (a config's test pipeline), and choosing them on the
validation clips, never on the test clips.

The demos score a few settings on the validation split and test once with
the best (:func:`choose_on_validation`): the test split then stays held out,
and the figure it gives is a test figure.
"""
from typing import Callable, Dict, List, Optional, Sequence, Tuple

from .errors import DanceStyleError

SAMPLERS = ('SampleFrames', 'UniformSample')
CROPS = {'CenterCrop': 1, 'ThreeCrop': 3, 'TenCrop': 10}

View = Tuple[int, str]  # (clips per video, crop type)


def test_views(cfg) -> View:
    """(clips, crop) of ``cfg``'s test pipeline."""
    clips, crop = 1, None
    for step in cfg.test_dataloader.dataset.pipeline:
        if step['type'] in SAMPLERS:
            clips = step.get('num_clips', 1)
        if step['type'] in CROPS:
            crop = step['type']
    return clips, crop


def parse_view(text: str) -> View:
    """``'4xCenterCrop'`` -> ``(4, 'CenterCrop')``: clips per video, then
    the crop, as the demos' records and work dirs name a view."""
    clips, sep, crop = text.partition('x')
    if not (sep and clips.isdigit() and int(clips) > 0 and crop in CROPS):
        raise DanceStyleError(
            f'{text!r} is not a test view: write CLIPSxCROP, with CLIPS a '
            f'positive number and CROP one of {", ".join(CROPS)} (e.g. '
            '4xCenterCrop)')
    return int(clips), crop


def views_per_video(view: View) -> int:
    """Forward passes per video: clips x crops."""
    clips, crop = view
    return clips * CROPS.get(crop, 1)


def set_test_views(cfg, clips: Optional[int] = None,
                   crop: Optional[str] = None) -> None:
    """Test ``cfg`` on ``clips`` clips per video and/or with ``crop``
    (CenterCrop, ThreeCrop, TenCrop) at the crop size the config has."""
    if crop is not None and crop not in CROPS:
        raise DanceStyleError(f'unknown crop {crop!r}: one of '
                              f'{", ".join(CROPS)}')
    pipeline = cfg.test_dataloader.dataset.pipeline
    found, short_side = set(), None
    for index, step in enumerate(pipeline):
        if clips is not None and step['type'] in SAMPLERS:
            step['num_clips'] = clips
            found.add('clips')
        if step['type'] == 'Resize' and -1 in tuple(step.get('scale', ())):
            short_side = max(step['scale'])
        if crop is not None and step['type'] in CROPS:
            size = step['crop_size']
            if crop == 'ThreeCrop':
                # mmaction2's ThreeCrop slides a square of the frame's short
                # side along its long side (it asserts one side matches)
                size = short_side or size
            pipeline[index] = dict(type=crop, crop_size=size)
            found.add('crop')
    wanted = {name for name, value in (('clips', clips), ('crop', crop))
              if value is not None}
    if wanted - found:
        raise DanceStyleError(
            f'the config\'s test pipeline has no {" or ".join(wanted - found)}'
            ' step to set (a frame sampler; a CenterCrop/ThreeCrop/TenCrop)')


def choose_on_validation(score: Callable[[View], Dict[str, float]],
                         candidates: Sequence[View],
                         key: str = 'acc/top1') -> Tuple[View, List[Dict]]:
    """Score every candidate with ``score`` (a function that tests on the
    validation clips) and return the best by ``key``, the cheaper one on a
    tie, with every candidate's figures."""
    table = []
    for view in candidates:
        metrics = score(view)
        table.append(dict(clips=view[0], crop=view[1],
                          views=views_per_video(view), validation=metrics))
    best = max(table, key=lambda row: (row['validation'][key], -row['views']))
    return (best['clips'], best['crop']), table


def top1_agreement(scores, reference) -> float:
    """The share of clips whose top-1 under ``scores`` is their top-1 under
    ``reference`` (clips x classes each, the same clips in the same order):
    how often fewer views answer as the full views do, whatever the truth."""
    import numpy as np
    scores, reference = np.asarray(scores), np.asarray(reference)
    if scores.shape != reference.shape or scores.ndim != 2:
        raise ValueError(f'scores {scores.shape} and reference '
                         f'{reference.shape}: the same clips x classes')
    return float(np.mean(scores.argmax(1) == reference.argmax(1)))


def add_agreement(table: List[Dict], configured: View,
                  dumps: Callable[[View], str]) -> None:
    """Each candidate row of :func:`choose_on_validation`'s table gets
    ``agreement_with_configured``: :func:`top1_agreement` of its validation
    scores (``dumps(view)``: a ``tools/test.py --dump`` file) with the
    configured views' scores of the same clips."""
    import numpy as np
    with np.load(dumps(configured)) as dump:
        reference, videos = dump['scores'], list(dump['videos'])
    for row in table:
        with np.load(dumps((row['clips'], row['crop']))) as dump:
            if list(dump['videos']) != videos:
                raise ValueError('the candidates were scored on different '
                                 'clips')
            row['agreement_with_configured'] = top1_agreement(
                dump['scores'], reference)


# The validation figures a config's fast views rest on: the config's file
# name -> the run record (docs/results/) whose figures hold its
# 'configured_views' and every scored 'candidates' row (make demo writes
# them: dance_style.demo.score_held_out).
VIEW_RECORDS = {'i3d_nl_dance_synthetic.py': 'demo'}
FAST_WITHIN = 0.01  # validation top-1 within 1 point of the full views


def fast_from_candidates(configured: View, candidates: Sequence[Dict]
                         ) -> Optional[View]:
    """The cheapest candidate whose validation top-1 is within
    :data:`FAST_WITHIN` of the configured (full) views' top-1; None when
    the configured views were not scored."""
    full = next((row for row in candidates
                 if (row['clips'], row['crop']) == tuple(configured)), None)
    if full is None:
        return None
    bar = full['validation']['acc/top1'] - FAST_WITHIN - 1e-9
    good = [row for row in candidates if row['validation']['acc/top1'] >= bar]
    best = min(good, key=lambda row: (row['views'], row['clips']))
    return best['clips'], best['crop']


def resolve_views(cfg, spec: str) -> Tuple[Optional[View], str]:
    """What ``--views SPEC`` means for ``cfg``: 'full' (the config's test
    views), 'fast' (the cheapest views within 1 point of full on the
    validation clips, where a run record has them for this config; else
    full) or a number of clips, centre-cropped. Returns the views to set
    (None: the config's own) and a line that says which and why."""
    import os.path as osp
    configured = test_views(cfg)
    shown = f'{views_per_video(configured)} ({configured[0]} clip(s) x ' \
            f'{configured[1]})'
    if spec == 'full':
        return None, f'views: the config\'s {shown}'
    if spec == 'fast':
        name = VIEW_RECORDS.get(osp.basename(cfg.filename or ''))
        if name is None:
            return None, (f'views: the config\'s {shown}; no validation '
                          'record chooses fewer for this config')
        from .records import read_record, record_path
        figures = read_record(name)['figures']
        fast = fast_from_candidates(figures['configured_views'],
                                    figures['candidates'])
        if fast is None or views_per_video(fast) >= \
                views_per_video(configured):
            return None, f'views: the config\'s {shown}'
        return fast, (f'views: {views_per_video(fast)} ({fast[0]} clip(s) x '
                      f'{fast[1]}) of the config\'s {shown}, within 1 point '
                      f'on the validation clips ({record_path(name).name}; '
                      '--views full for all)')
    try:
        clips = int(spec)
    except ValueError:
        clips = 0
    if clips < 1:
        raise DanceStyleError(f'--views {spec!r}: fast, full, or a number of '
                              'clips per video (1, 2, ...)')
    return (clips, 'CenterCrop'), (f'views: {clips} clip(s) x CenterCrop '
                                   f'(the config\'s: {shown})')


def use_views(cfg, spec: str) -> str:
    """Set ``cfg``'s test views to what ``--views SPEC`` means
    (:func:`resolve_views`); returns the line that says which."""
    view, line = resolve_views(cfg, spec)
    if view is not None:
        set_test_views(cfg, *view)
    return line
