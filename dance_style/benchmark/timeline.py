"""Memory and speed of the style timeline on long 1080p videos
(``tools/benchmark.py --what timeline``).

Writes synthetic 1080p H.264 videos of each length asked for (a dancer
drawn small and scaled up, so the encoder has real texture to code), then
runs, each in a process of its own so that its peak RSS is its own
(forked from a server that imported the libraries once):

* **ours**: ``dance_style.timeline.score_windows`` (streamed, a window
  every ``--stride`` s);
* **stock**: mmaction2's ``inference_recognizer`` with the config's test
  pipeline (``DecordInit``, ``SampleFrames``, ``DecordDecode``): what stock
  MMAction2 offers for a whole video, one label from a few clips;
* **serial**: ``score_windows`` with ``read_ahead=0``, the timeline as it
  ran before its decoder read ahead in a thread: the speed baseline.

Resident memory is sampled every 10 ms during the pass (``/proc/self/statm``;
Linux): the figure that matters is how far it grows above the loaded model
(``growth_mb``) as the video gets longer. A streamed timeline must stay
flat. The model has random weights: memory and
speed do not depend on them.
"""
import os
import sys
import time
from pathlib import Path
from typing import Dict, Sequence, Tuple

from ..resources import shown


def write_long_1080p(path: Path, minutes: float, fps: float = 30.0,
                     size: Tuple[int, int] = (1080, 1920)) -> Path:
    """A ``minutes``-long H.264 video at ``size``: 4 s of a synthetic dancer
    (rendered at 1/8 size, scaled up) on a loop, x264 ultrafast."""
    import cv2
    import numpy as np

    from ..synthetic.render import render_clip
    from ..video import VideoWriter
    if path.is_file():
        return path
    h, w = size
    loop = render_clip(1, np.random.default_rng(0), size=(h // 8, w // 8),
                       num_frames=int(4 * fps), fps=fps)
    big = [cv2.resize(f, (w, h), interpolation=cv2.INTER_LINEAR)
           for f in loop]
    total = int(round(minutes * 60 * fps))
    with VideoWriter(path, fps, crf=28, preset='ultrafast', gop=250) as out:
        for index in range(total):
            out.write(big[index % len(big)])
    return path


class _RssSampler:
    """The process's current resident set size, sampled every 10 ms in a
    thread: ``ru_maxrss`` is a high-water mark since the process started,
    which hides everything below the model-loading peak."""

    def __init__(self):
        import threading
        self.page = os.sysconf('SC_PAGE_SIZE')
        self.peak = self.now()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def now(self) -> int:
        with open('/proc/self/statm') as statm:
            return int(statm.read().split()[1]) * self.page

    def _run(self):
        while not self._stop.wait(0.01):
            self.peak = max(self.peak, self.now())

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self.now())


MODES = ('stock', 'serial', 'ours')


def _child(mode: str, config: str, video: str, stride: float,
           precision: str = 'fp32', window_views: str = 'fast') -> Dict:
    """Run in a process of its own: model, then one pass over ``video``.
    ``precision`` (auto, fp32, bf16) for the timeline's passes, as
    ``tools/predict.py --timeline --precision`` chooses it; stock runs in
    float32, as mmaction2 does. ``window_views``: the timeline's crops per
    window, as ``--views`` says them (:func:`dance_style.views.use_views`).
    """
    import gc

    from mmaction.apis import inference_recognizer, init_recognizer

    from ..register import register_all_modules
    register_all_modules()
    from ..config import load_config
    cfg = load_config(config)
    views = None
    if mode != 'stock':
        from ..views import use_views
        views = use_views(cfg, window_views)
    model = init_recognizer(cfg, None, device='cpu')
    chosen = 'fp32'
    if mode != 'stock':
        from ..infer_precision import choose_precision, use_precision
        chosen = choose_precision(model, precision, 'cpu',
                                  log=lambda line: print(line,
                                                         file=sys.stderr))
        use_precision(model, chosen)
    gc.collect()
    mb = 2 ** 20
    start = time.perf_counter()
    with _RssSampler() as rss:
        before = rss.now()
        if mode == 'stock':
            inference_recognizer(model, video)
            extra = dict(windows=None)
        else:
            from ..timeline import READ_AHEAD_FRAMES, score_windows
            result = score_windows(
                model, video, stride, progress=False,
                read_ahead=READ_AHEAD_FRAMES if mode == 'ours' else 0)
            extra = dict(windows=len(result['starts']),
                         peak_buffered_frames=result['peak_buffered_frames'],
                         video_seconds=round(result['duration'], 2))
    seconds = time.perf_counter() - start
    if extra.get('video_seconds'):
        # how much faster than the video plays: 1.0 keeps up with it
        extra['real_time_x'] = round(extra['video_seconds'] / seconds, 2)
    return dict(mode=mode, precision=chosen, views=views,
                seconds=round(seconds, 2),
                rss_with_model_mb=round(before / mb, 1),
                peak_rss_mb=round(rss.peak / mb, 1),
                growth_mb=round((rss.peak - before) / mb, 1), **extra)


# What each measuring process imports before it forks: its own share of
# the imports is then paid once per benchmark, not once per run (4-5 s of
# CPU each on 2 cores), and each run's memory is still its own process's.
CHILD_PRELOAD = ['torch', 'mmaction.apis', 'dance_style.register']


def _in_own_process(mode: str, config: str, video: str, stride: float,
                    precision: str, window_views: str) -> Dict:
    """:func:`_child` in a new process forked from a server that imported
    :data:`CHILD_PRELOAD` (multiprocessing's forkserver): its peak RSS is
    its own, as in a fresh interpreter, and no state of this process (an
    OpenMP pool, a loaded model) comes with it."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    context = multiprocessing.get_context('forkserver')
    context.set_forkserver_preload(CHILD_PRELOAD)
    with ProcessPoolExecutor(max_workers=1, mp_context=context,
                             max_tasks_per_child=1) as pool:
        try:
            return pool.submit(_child, mode, config, video, stride,
                               precision, window_views).result()
        except Exception as error:
            raise RuntimeError(f'{mode} on {video} failed: {error}') from error


def measure_timeline(config: str, minutes: Sequence[float] = (1, 10),
                     stride: float = 1.0, source_fps: float = 30.0,
                     folder: Path = Path('work_dirs/benchmark/timeline'),
                     modes: Sequence[str] = MODES,
                     precision: str = 'fp32',
                     window_views: str = 'fast') -> Dict:
    """Each mode on each length, each in a process of its own: seconds,
    how much faster than real time, peak RSS.

    * ``stock``: mmaction2's ``inference_recognizer``, one label;
    * ``serial``: the timeline before its decoder read ahead (every decoded
      frame converted, then the model, in one thread): the baseline;
    * ``ours``: the timeline as it runs now.
    """
    unknown = sorted(set(modes) - set(MODES))
    if unknown or not modes:
        raise ValueError(f'modes {unknown or "(none)"}: choose from '
                         f'{", ".join(MODES)}')
    folder.mkdir(parents=True, exist_ok=True)
    rows = []
    for length in minutes:
        video = folder / f'dance_{length:g}min_1080p.mp4'
        started = time.perf_counter()
        write_long_1080p(video, length, source_fps)
        print(f'{video}: written in {time.perf_counter() - started:.0f} s',
              file=sys.stderr)
        row = dict(minutes=length, video_mb=round(
            video.stat().st_size / 2**20, 1))
        for mode in MODES:
            if mode in modes:
                row[mode] = _in_own_process(mode, config, str(video), stride,
                                            precision, window_views)
        if 'stock' in row and 'ours' in row:
            row['peak_rss_ratio_ours_to_stock'] = round(
                row['ours']['peak_rss_mb'] / row['stock']['peak_rss_mb'], 3)
        if 'serial' in row and 'ours' in row:
            # the read-ahead's gain, measured side by side
            row['speed_ratio_ours_to_serial'] = round(
                row['serial']['seconds'] / row['ours']['seconds'], 2)
        rows.append(row)
    result = dict(config=shown(config), stride_seconds=stride,
                  precision=precision, window_views=window_views, runs=rows)
    if 'ours' in modes:
        first, last = rows[0]['ours'], rows[-1]['ours']
        result['ours_growth_ratio_last_to_first'] = round(
            max(last['growth_mb'], 0.1) / max(first['growth_mb'], 0.1), 2)
    return result
