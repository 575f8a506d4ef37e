"""Measure the normalise stage: its throughput, and what it buys in decoding.

    python data_prep/benchmark_normalise.py --clips 8 --size 360x640 --json normalise.json

Writes synthetic "original" clips the way Kinetics downloads look (10 s at
30 fps, 640x360, H.264 from YouTube), then measures:

* normalise throughput, clips/s, with 1 and 2 worker processes (fresh
  outputs each time);
* decode time of one training sample, mmaction2's I3D recipe (DecordInit,
  SampleFrames 32x2, DecordDecode, Resize to short side 256), on the
  original (what stock mmaction2 decodes) and on the normalised clip, as a
  ratio.

Everything is measured in this one run on this machine; nothing is timed in
the unit tests.
"""
import argparse
import json
import os
import platform
import shutil
import sys
import tempfile
import time
from pathlib import Path

import _bootstrap  # noqa: F401  repo root on sys.path

from dance_style.cli import run_cli
from dance_style.prep.normalise import file_task, transcode
from dance_style.prep.pool import run_tasks
from dance_style.synthetic.originals import write_originals


def parse_size(text):
    h, w = (int(v) for v in text.lower().split('x'))
    return h, w


def time_normalise(originals, out: Path, workers: int, short_side: int,
                   fps: float) -> float:
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
    import dance_style  # noqa: F401  compat before mmaction
    from mmengine.dataset import Compose
    from mmengine.registry import init_default_scope
    init_default_scope('mmaction')
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


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--clips', type=int, default=8,
                        help='original clips to make (default: %(default)s)')
    parser.add_argument('--size', default='360x640',
                        help='HEIGHTxWIDTH of the originals (default: %(default)s)')
    parser.add_argument('--seconds', type=float, default=10.0,
                        help='length of each original (default: %(default)s)')
    parser.add_argument('--source-fps', type=float, default=30.0,
                        help='frame rate of the originals (default: %(default)s)')
    parser.add_argument('--short-side', type=int, default=256,
                        help='normalised short side (default: %(default)s)')
    parser.add_argument('--fps', type=float, default=30.0,
                        help='normalised frame rate (default: %(default)s)')
    parser.add_argument('--workers', default='1,2',
                        help='worker counts to time (default: %(default)s)')
    parser.add_argument('--repeats', type=int, default=5,
                        help='decode repeats per clip (default: %(default)s)')
    parser.add_argument('--json', help='write the results here too')
    args = parser.parse_args(argv)
    workdir = Path(tempfile.mkdtemp(prefix='benchmark_normalise_'))
    try:
        print(f'writing {args.clips} originals ({args.size}, {args.seconds:g} s at '
              f'{args.source_fps:g} fps) ...', file=sys.stderr)
        originals = write_originals(workdir / 'originals', args.clips,
                                    parse_size(args.size), args.seconds,
                                    args.source_fps)
        throughput = {}
        for workers in (int(w) for w in args.workers.split(',')):
            elapsed = time_normalise(originals, workdir / 'normalised', workers,
                                     args.short_side, args.fps)
            throughput[str(workers)] = round(len(originals) / elapsed, 3)
        normalised = sorted((workdir / 'normalised').glob('*.mp4'))
        original_s = time_training_sample(originals, args.repeats)
        normalised_s = time_training_sample(normalised, args.repeats)
        size_mb = lambda paths: sum(os.path.getsize(p) for p in paths) / 1e6  # noqa: E731
        result = dict(
            benchmark='normalise', date=time.strftime('%Y-%m-%d'),
            machine=f'{platform.machine()}, {os.cpu_count()} CPUs',
            command=' '.join(['python', 'data_prep/benchmark_normalise.py']
                             + (argv if argv is not None else sys.argv[1:])),
            originals=dict(clips=len(originals), size=args.size,
                           seconds=args.seconds, fps=args.source_fps,
                           megabytes=round(size_mb(originals), 2)),
            normalised=dict(short_side=args.short_side, fps=args.fps,
                            megabytes=round(size_mb(normalised), 2)),
            normalise_clips_per_s=throughput,
            train_sample_decode_ms=dict(
                original=round(1000 * original_s, 2),
                normalised=round(1000 * normalised_s, 2)),
            decode_speedup=round(original_s / normalised_s, 2))
        text = json.dumps(result, indent=2)
        print(text)
        if args.json:
            Path(args.json).write_text(text + '\n')
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == '__main__':
    run_cli(main)
