"""Choose the timeline's segment settings on validation videos.

The settings that turn window scores into segments (``smooth``,
``min_segment``, ``unsure_below``: :mod:`dance_style.segments`) are chosen
on generated long videos whose true segments are known, each with its own
dancer (seed), never on a video a user reads. Every video's windows are
scored once; each setting of the grid then only re-segments the scores.

A setting is scored per video by:

* ``styles_right``: the segments are the true styles, in order (so their
  number equals the truth's, and none is ``unsure``);
* ``count_right``: the number of segments equals the truth;
* ``boundary_error_s``: for each true change of style, the distance to the
  nearest change found (the video's length when none is found);
* ``time_right``: the share of the video's time whose segment style is the
  true style (``unsure`` counts as wrong).

The choice: the most videos with the right styles, then with the right
count (a tuning of 2026-12-05 on the demo model chose by count alone, and
took a threshold that marked most of each video unsure: 4 of 6 counts
right, 18.5 % of the time right), then the smallest mean
boundary error, then the most time right, then the simplest setting (less
smoothing, shorter minimum, no threshold).
"""
import itertools
from pathlib import Path
from typing import Dict, List, Optional, Sequence

import numpy as np

from .segments import UNSURE
from .timeline import segments_of, smooth_scores

GRID = dict(smooth=(1, 3, 5), min_segment=(0.0, 2.0, 4.0, 6.0, 8.0),
            unsure_below=(0.0, 0.3, 0.5))


def validation_plan(n_videos: int, labels: Sequence[int], seed: int,
                    styles: int = 3, seconds=(6.0, 20.0)) -> List[Dict]:
    """``n_videos`` videos of ``styles`` styles each (no style twice in a
    row), each style lasting a whole number of seconds in ``seconds``;
    the dancer's seed is ``seed + index``."""
    rng = np.random.default_rng(seed)
    plan = []
    for index in range(n_videos):
        order: List[int] = []
        while len(order) < styles:
            label = int(rng.choice(labels))
            if not order or order[-1] != label:
                order.append(label)
        lengths = [float(rng.integers(seconds[0], seconds[1] + 1))
                   for _ in order]
        plan.append(dict(labels=order, seconds=lengths, seed=seed + index))
    return plan


def score_setting(timeline: Dict, truth: List[Dict], smooth: int,
                  min_segment: float, unsure_below: float) -> Dict:
    """The three figures of one setting on one scored video."""
    scores = smooth_scores(timeline['scores'], smooth)
    found = segments_of(timeline['starts'], scores,
                        timeline['window_seconds'], timeline['duration'],
                        [str(i) for i in range(scores.shape[1])],
                        min_segment, unsure_below)
    changes = np.array([seg['start'] for seg in found[1:]])
    errors = [float(np.min(np.abs(changes - true['start'])))
              if len(changes) else timeline['duration']
              for true in truth[1:]]
    right = 0.0
    for seg in found:
        if seg['label'] == UNSURE:
            continue
        for true in truth:
            if true['label'] == seg['label']:
                right += max(0.0, min(seg['end'], true['end']) -
                             max(seg['start'], true['start']))
    styles = [seg['label'] for seg in found]
    return dict(count_right=len(found) == len(truth),
                # the segments are the true styles, in order: a count made
                # right by marking most of the video unsure is not
                styles_right=styles == [t['label'] for t in truth],
                segments=len(found),
                boundary_error_s=float(np.mean(errors)) if errors else 0.0,
                time_right=right / timeline['duration'])


def evaluate_grid(scored: List[Dict], grid: Dict = GRID) -> List[Dict]:
    """Every setting of ``grid`` over the scored videos (``timeline`` and
    ``truth`` each): its settings and mean figures."""
    rows = []
    for smooth, min_segment, unsure_below in itertools.product(
            grid['smooth'], grid['min_segment'], grid['unsure_below']):
        per_video = [score_setting(v['timeline'], v['truth'], smooth,
                                   min_segment, unsure_below)
                     for v in scored]
        rows.append(dict(
            smooth=smooth, min_segment=min_segment,
            unsure_below=unsure_below,
            videos_count_right=sum(v['count_right'] for v in per_video),
            videos_styles_right=sum(v['styles_right'] for v in per_video),
            boundary_error_s=round(float(np.mean(
                [v['boundary_error_s'] for v in per_video])), 3),
            time_right=round(float(np.mean(
                [v['time_right'] for v in per_video])), 4),
            segments=[v['segments'] for v in per_video]))
    return rows


def choose(rows: List[Dict]) -> Dict:
    """The chosen row (module docstring)."""
    return min(rows, key=lambda r: (-r['videos_styles_right'],
                                    -r['videos_count_right'],
                                    r['boundary_error_s'], -r['time_right'],
                                    r['smooth'], r['min_segment'],
                                    r['unsure_below']))


# 6 videos left 4 settings tied at 5 of 6 right counts (the demo model of
# 2026-12-05): one video decided among them. Each video is about 40
# windows: seconds with the demo model, minutes with a large one.
VIDEOS = 24
# height x width of the videos when the caller gives none: a wide frame,
# as most footage is. Validation videos should have the frame of the videos
# the settings are for (tools/demo.py tunes at its timeline video's size)
SIZE = (72, 128)


def tune(model, folder: Path, n_videos: int = VIDEOS, seed: int = 1000,
         styles: int = 3, stride: float = 1.0,
         labels: Optional[Sequence[int]] = None,
         size=SIZE, fps: float = 16.0, progress: bool = True) -> Dict:
    """Write the validation videos into ``folder``, score each once with
    ``model`` and evaluate the grid; returns the plan, the rows and the
    choice. ``labels``: the styles the videos draw from (default all 19);
    ``progress``: a bar over the videos."""
    from tqdm import tqdm
    from .classes import DANCE19_CLASSES
    from .synthetic.long_video import write_long_video
    from .timeline import score_windows
    labels = list(labels or range(len(DANCE19_CLASSES)))
    plan = validation_plan(n_videos, labels, seed, styles)
    folder.mkdir(parents=True, exist_ok=True)
    scored = []
    for index, video in enumerate(tqdm(plan, desc='validation videos',
                                       unit='video', disable=not progress)):
        path = folder / f'validation_{index}.mp4'
        truth = write_long_video(path, video['labels'], video['seconds'],
                                 size=size, fps=fps, seed=video['seed'])
        timeline = score_windows(model, path, stride, progress=False)
        scored.append(dict(timeline=timeline, truth=truth))
    rows = evaluate_grid(scored)
    return dict(plan=plan, size=list(size), stride_seconds=stride,
                grid=GRID, rows=rows,
                chosen=choose(rows),
                off=next(r for r in rows if r['smooth'] == 1 and
                         r['min_segment'] == 0 and r['unsure_below'] == 0))


# config file name -> the record (docs/results/) of tools/tune_timeline.py
# on that config's model, whose choice is the timeline's default for it
SETTINGS_RECORDS = {'i3d_nl_dance_synthetic.py': 'timeline_tuning_demo'}
# the settings where no record chooses: 3 windows averaged, no minimum
# length, no threshold
UNTUNED = dict(smooth=3, min_segment=0.0, unsure_below=0.0)


def default_settings(config_name: str) -> Dict:
    """The timeline's segment settings for the config file
    ``config_name`` when the user gives none: the choice of its tuning
    record where one exists, else :data:`UNTUNED`; with ``source``, what
    says where they come from."""
    from .records import read_record, record_path
    name = SETTINGS_RECORDS.get(config_name)
    if name is None or not record_path(name).is_file():
        return dict(UNTUNED, source='untuned defaults (no tools/'
                    'tune_timeline.py record for this config)')
    chosen = read_record(name)['figures']['chosen']
    return dict(smooth=chosen['smooth'], min_segment=chosen['min_segment'],
                unsure_below=chosen['unsure_below'],
                source=f'chosen on validation videos '
                f'({record_path(name).name})')


def resolve_settings(config_name: str, smooth: Optional[int],
                     min_segment: Optional[float],
                     unsure_below: Optional[float]):
    """The settings a timeline runs with: each one given wins, the others
    are :func:`default_settings`'s. Returns them and a line that says
    which and where from."""
    defaults = default_settings(config_name)
    given = dict(smooth=smooth, min_segment=min_segment,
                 unsure_below=unsure_below)
    settings = {key: defaults[key] if value is None else value
                for key, value in given.items()}
    taken = [key for key, value in given.items() if value is None]
    line = (f'timeline: --smooth {settings["smooth"]} --min-segment '
            f'{settings["min_segment"]:g} --unsure-below '
            f'{settings["unsure_below"]:g}')
    if taken:
        line += f' ({", ".join(taken)}: {defaults["source"]})'
    return settings, line
