"""The normalise stage of data prep: its throughput, and what it buys in
decoding (``tools/benchmark.py --what normalise``).

Writes synthetic "original" clips the way Kinetics downloads look (10 s at
30 fps, 640x360, H.264 from YouTube), then measures:

* normalise throughput, clips/s, with each worker count (fresh outputs each
  time);
* decode time of one training sample, mmaction2's I3D recipe (DecordInit,
  SampleFrames 32x2, DecordDecode, Resize to short side 256), on the
  original (what stock mmaction2 decodes) and on the normalised clip, as a
  ratio.
"""
import os
import platform
import shutil
import tempfile
import time
from pathlib import Path
from typing import Dict, Sequence, Tuple

from ..prep.normalise import file_task, transcode
from ..prep.pool import run_tasks
from ..synthetic.originals import write_originals


def time_normalise(originals, out: Path, workers: int, short_side: int,
                   fps: float) -> float:
    """Seconds to normalise every original with ``workers`` processes."""
    shutil.rmtree(out, ignore_errors=True)
    tasks = [file_task(p, out / p.name, short_side, fps) for p in originals]
    results = []
    start = time.perf_counter()
    run_tasks(transcode, tasks, results.append, workers=workers,
              desc=f'normalise x{workers}', progress=False)
    elapsed = time.perf_counter() - start
    bad = [r for r in results if r['status'] != 'ok']
    if bad:
        raise RuntimeError(f'normalise failed: {bad[0]}')
    return elapsed


def time_training_sample(paths, repeats: int) -> float:
    """Seconds per clip of mmaction2's I3D train-time decoding."""
    from mmengine.dataset import Compose

    from ..register import register_all_modules
    register_all_modules()
    pipeline = Compose([
        dict(type='DecordInit', io_backend='disk'),
        dict(type='SampleFrames', clip_len=32, frame_interval=2, num_clips=1),
        dict(type='DecordDecode'),
        dict(type='Resize', scale=(-1, 256)),
    ])
    pipeline(dict(filename=str(paths[0]), label=0, start_index=0,
                  modality='RGB'))  # warm-up
    start = time.perf_counter()
    for _ in range(repeats):
        for path in paths:
            pipeline(dict(filename=str(path), label=0, start_index=0,
                          modality='RGB'))
    return (time.perf_counter() - start) / (repeats * len(paths))


def measure_normalise(clips: int = 8, size: Tuple[int, int] = (360, 640),
                      seconds: float = 10.0, source_fps: float = 30.0,
                      short_side: int = 256, fps: float = 30.0,
                      workers: Sequence[int] = (1, 2),
                      repeats: int = 5) -> Dict:
    """Normalise throughput per worker count and the decode speed-up, on
    ``clips`` originals of ``size`` (height, width) written to a temporary
    folder (removed afterwards)."""
    workdir = Path(tempfile.mkdtemp(prefix='benchmark_normalise_'))
    try:
        originals = write_originals(workdir / 'originals', clips, size,
                                    seconds, source_fps)
        throughput = {}
        for count in workers:
            elapsed = time_normalise(originals, workdir / 'normalised',
                                     count, short_side, fps)
            throughput[str(count)] = round(len(originals) / elapsed, 3)
        normalised = sorted((workdir / 'normalised').glob('*.mp4'))
        original_s = time_training_sample(originals, repeats)
        normalised_s = time_training_sample(normalised, repeats)

        def megabytes(paths):
            return round(sum(os.path.getsize(p) for p in paths) / 1e6, 2)

        return dict(
            machine=f'{platform.machine()}, {os.cpu_count()} CPUs',
            originals=dict(clips=len(originals), size=f'{size[0]}x{size[1]}',
                           seconds=seconds, fps=source_fps,
                           megabytes=megabytes(originals)),
            normalised=dict(short_side=short_side, fps=fps,
                            megabytes=megabytes(normalised)),
            normalise_clips_per_s=throughput,
            train_sample_decode_ms=dict(
                original=round(1000 * original_s, 2),
                normalised=round(1000 * normalised_s, 2)),
            decode_speedup=round(original_s / normalised_s, 2))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
