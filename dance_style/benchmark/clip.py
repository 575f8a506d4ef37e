"""How long ``tools/predict.py`` takes to answer for one short clip, as it
ran before issue 29 and as it runs now (``tools/benchmark.py --what
clip``): the "Classify a dance video now" goal, a 10 s 720p clip.

* **stock**: float32 eager with the config's full test views and
  mmaction2's modules as they are (``--precision fp32 --views full``
  before lean activations existed);
* **ours**: what predict does by default: ``--views fast``,
  ``--precision auto`` (its check's verdict cached, as on every call after
  the first; the first call's check is timed apart), lean activations.

Each run is a process of its own, forked from a server that imported the
libraries once (the interpreter's start and imports are the same for
both), and the modes alternate for ``rounds`` rounds; the figure per mode is
the median. Timed: the model's build (random weights: the time does not
depend on them; reading a checkpoint is the same for both), the precision
choice and the prediction (decoding, the test pipeline, the forward passes).
"""
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Dict

from ..resources import shown
from .timeline import CHILD_PRELOAD, write_long_1080p

MODES = ('stock', 'ours')


def _child(mode: str, config: str, video: str, cache_dir: str) -> Dict:
    import os
    os.environ['DANCE_STYLE_CACHE_DIR'] = cache_dir
    from mmaction.apis import init_recognizer

    from ..config import load_config
    from ..predict import predict_videos
    from ..register import register_all_modules
    register_all_modules()
    cfg = load_config(config)
    start = time.perf_counter()
    line = 'views: the config\'s'
    if mode == 'ours':
        from ..views import use_views
        line = use_views(cfg, 'fast')
    model = init_recognizer(cfg, None, device='cpu')
    model.cfg = cfg
    built = time.perf_counter()
    chosen = 'fp32'
    if mode != 'stock':
        from ..infer_precision import choose_precision, use_precision
        chosen = choose_precision(model, 'auto', 'cpu',
                                  log=lambda text: print(text,
                                                         file=sys.stderr))
        use_precision(model, chosen)
    chose = time.perf_counter()
    (result, ) = predict_videos(model, [video], top_k=5)
    done = time.perf_counter()
    if 'error' in result:
        raise RuntimeError(result['error'])
    return dict(mode=mode, precision=chosen, views=line,
                seconds=round(done - start, 2),
                build_seconds=round(built - start, 2),
                precision_seconds=round(chose - built, 2),
                predict_seconds=round(done - chose, 2),
                top1=result['predictions'][0]['name'])


def _in_own_process(*args) -> Dict:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    context = multiprocessing.get_context('forkserver')
    context.set_forkserver_preload(CHILD_PRELOAD)
    with ProcessPoolExecutor(max_workers=1, mp_context=context,
                             max_tasks_per_child=1) as pool:
        return pool.submit(_child, *args).result()


def measure_clip(config: str, seconds: float = 10.0,
                 size=(720, 1280), rounds: int = 2,
                 folder: Path = Path('work_dirs/benchmark/clip')) -> Dict:
    """Stock and ours on one ``seconds``-long clip of ``size`` (H, W),
    alternating for ``rounds`` rounds, each run in a process of its own."""
    folder.mkdir(parents=True, exist_ok=True)
    video = folder / f'dance_{seconds:g}s_{size[0]}p.mp4'
    write_long_1080p(video, seconds / 60, size=tuple(size))
    runs = {mode: [] for mode in MODES}
    with tempfile.TemporaryDirectory(prefix='clip_cache_') as cache:
        # ours' first call: the precision check runs, then is cached
        first = _in_own_process('ours', config, str(video), cache)
        print(f'ours, first call: {first}', file=sys.stderr)
        for _ in range(rounds):
            for mode in MODES:
                runs[mode].append(_in_own_process(mode, config, str(video),
                                                  cache))
                print(f'{mode}: {runs[mode][-1]}', file=sys.stderr)
    median = {mode: statistics.median(r['seconds'] for r in runs[mode])
              for mode in MODES}
    return dict(config=shown(config), video=dict(
        seconds=seconds, height=size[0], width=size[1],
        megabytes=round(video.stat().st_size / 2**20, 2)),
        rounds=rounds, runs=runs, ours_first_call=first,
        median_seconds=median,
        time_ratio_ours_to_stock=round(median['ours'] / median['stock'], 3))
