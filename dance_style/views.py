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
