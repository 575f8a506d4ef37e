"""Choose the timeline's segment settings on validation videos.

The settings that turn window scores into segments (``smooth``,
``switch_penalty``, ``min_segment``, ``unsure_below``:
:mod:`dance_style.segments`) are chosen on generated long videos whose true
segments are known, each with its own dancer (seed), never on a video a
user reads. Every video's windows are scored once; each setting of the grid
then only re-segments the scores.

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
smoothing, no switch penalty, shorter minimum, no threshold).

How well a choice holds on videos it was not made on is measured too
(:func:`leave_one_out`): each video in turn is scored with the setting
chosen on the others. The grid varies the switch penalty, not the minimum
length: on the 24 validation videos (80x80) of the demo model of c184e29,
left out in turn, the former grid of minimum lengths
(:data:`MINIMUM_LENGTH_GRID`) got the count right in 19 and the styles in
11, the switch penalty in 22 and 12, both in one grid in 21 and 11; with
3 s windows (docs/results/demo_sampling.json) all three got 21 and 15.
Every tuning measures the former grid again (``figures.former_grid``).
"""
import itertools
from pathlib import Path
from typing import Dict, List, Optional, Sequence

import numpy as np

from .segments import UNSURE
from .timeline import segments_of, smooth_scores

# the settings that leave window scores as they are; a grid that does not
# name a setting keeps it off
OFF = dict(smooth=1, switch_penalty=0.0, min_segment=0.0, unsure_below=0.0)
SETTINGS = tuple(OFF)  # their order: the simplest first, as choose breaks ties
GRID = dict(smooth=(1, 3, 5),
            switch_penalty=(0.0, 1.0, 2.0, 4.0, 6.0, 8.0, 12.0),
            unsure_below=(0.0, 0.3, 0.5))
# the grid before the switch penalty (tools/tune_timeline.py until
# 2026-12-06), measured beside it in every tuning
MINIMUM_LENGTH_GRID = dict(smooth=(1, 3, 5),
                           min_segment=(0.0, 2.0, 4.0, 6.0, 8.0),
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
                  min_segment: float, unsure_below: float,
                  switch_penalty: float = 0.0) -> Dict:
    """The figures of one setting on one scored video."""
    scores = smooth_scores(timeline['scores'], smooth)
    found = segments_of(timeline['starts'], scores,
                        timeline['window_seconds'], timeline['duration'],
                        [str(i) for i in range(scores.shape[1])],
                        min_segment, unsure_below, switch_penalty)
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


def settings_of(grid: Dict) -> List[Dict]:
    """Every setting of ``grid`` (:data:`OFF` where it names none)."""
    values = [grid.get(key, (OFF[key],)) for key in SETTINGS]
    return [dict(zip(SETTINGS, row)) for row in itertools.product(*values)]


def summarise(setting: Dict, per_video: List[Dict]) -> Dict:
    """A grid row: the setting and its figures over ``per_video``."""
    return dict(
        setting,
        videos_count_right=sum(v['count_right'] for v in per_video),
        videos_styles_right=sum(v['styles_right'] for v in per_video),
        boundary_error_s=round(float(np.mean(
            [v['boundary_error_s'] for v in per_video])), 3),
        time_right=round(float(np.mean(
            [v['time_right'] for v in per_video])), 4),
        segments=[v['segments'] for v in per_video])


def score_grid(scored: List[Dict], grid: Dict = GRID) -> List[tuple]:
    """``(setting, per-video figures)`` for every setting of ``grid`` over
    the scored videos (``timeline`` and ``truth`` each)."""
    return [(setting, [score_setting(v['timeline'], v['truth'], **setting)
                       for v in scored])
            for setting in settings_of(grid)]


def evaluate_grid(scored: List[Dict], grid: Dict = GRID) -> List[Dict]:
    """Every setting of ``grid`` over the scored videos: its settings and
    mean figures."""
    return [summarise(setting, per_video)
            for setting, per_video in score_grid(scored, grid)]


def choose(rows: List[Dict]) -> Dict:
    """The chosen row (module docstring)."""
    return min(rows, key=lambda r: (-r['videos_styles_right'],
                                    -r['videos_count_right'],
                                    r['boundary_error_s'], -r['time_right'],
                                    *(r[key] for key in SETTINGS)))


def leave_one_out(table: List[tuple]) -> Dict:
    """How the choice does on a video it was not made on: for each video,
    the setting :func:`choose` takes on the others, scored on it.
    ``table``: :func:`score_grid`'s. Returns the videos with the right
    styles and count, and how often each setting was taken."""
    n = len(table[0][1])
    styles = count = 0
    taken: Dict[str, int] = {}
    for left in range(n):
        rows = [summarise(setting, per_video[:left] + per_video[left + 1:])
                for setting, per_video in table]
        index = rows.index(choose(rows))
        figures = table[index][1][left]
        styles += figures['styles_right']
        count += figures['count_right']
        key = ', '.join(f'{k} {table[index][0][k]:g}' for k in SETTINGS)
        taken[key] = taken.get(key, 0) + 1
    return dict(videos=n, videos_styles_right=styles,
                videos_count_right=count, settings_taken=taken)


def tuning_figures(scored: List[Dict], grid: Dict = GRID,
                   former: Optional[Dict] = MINIMUM_LENGTH_GRID) -> Dict:
    """The rows of ``grid`` over the scored videos, the choice, the
    setting that changes nothing (``off``), the leave-one-out figures,
    and the same for the ``former`` grid (None: not measured)."""
    table = score_grid(scored, grid)
    rows = [summarise(setting, per_video) for setting, per_video in table]
    out = dict(grid=grid, rows=rows, chosen=choose(rows),
               off=summarise(OFF, [score_setting(v['timeline'], v['truth'],
                                                 **OFF) for v in scored]),
               leave_one_out=leave_one_out(table))
    if former is not None:
        former_table = score_grid(scored, former)
        former_rows = [summarise(setting, per_video)
                       for setting, per_video in former_table]
        out['former_grid'] = dict(grid=former, chosen=choose(former_rows),
                                  leave_one_out=leave_one_out(former_table))
    return out


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
    return dict(plan=plan, size=list(size), stride_seconds=stride,
                **tuning_figures(scored))


# config file name -> the record (docs/results/) of tools/tune_timeline.py
# on that config's model, whose choice is the timeline's default for it
SETTINGS_RECORDS = {'i3d_nl_dance_synthetic.py': 'timeline_tuning_demo'}
# the settings where no record chooses: 3 windows averaged, no switch
# penalty, no minimum length, no threshold
UNTUNED = dict(smooth=3, switch_penalty=0.0, min_segment=0.0,
               unsure_below=0.0)


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
    # a record from before the switch penalty chose none: off
    return dict({key: chosen.get(key, OFF[key]) for key in UNTUNED},
                source=f'chosen on validation videos '
                f'({record_path(name).name})')


def format_settings(settings: Dict) -> str:
    """The settings as the flags that give them."""
    return (f'--smooth {settings["smooth"]} --switch-penalty '
            f'{settings["switch_penalty"]:g} --min-segment '
            f'{settings["min_segment"]:g} --unsure-below '
            f'{settings["unsure_below"]:g}')


def resolve_settings(config_name: str, smooth: Optional[int],
                     switch_penalty: Optional[float],
                     min_segment: Optional[float],
                     unsure_below: Optional[float]):
    """The settings a timeline runs with: each one given wins, the others
    are :func:`default_settings`'s. Returns them and a line that says
    which and where from."""
    defaults = default_settings(config_name)
    given = dict(smooth=smooth, switch_penalty=switch_penalty,
                 min_segment=min_segment, unsure_below=unsure_below)
    settings = {key: defaults[key] if value is None else value
                for key, value in given.items()}
    taken = [key for key, value in given.items() if value is None]
    line = f'timeline: {format_settings(settings)}'
    if taken:
        line += f' ({", ".join(taken)}: {defaults["source"]})'
    return settings, line
