"""Speed of training, inference and the input pipeline, stock vs ours.

    python tools/benchmark.py CONFIG --what train|data|infer [options] [--json OUT]

Each run measures the stock MMAction2 setting and ours in the same process
and reports their ratio: float32 / cudnn_benchmark off / contiguous memory /
eager (stock) against the flags given (--amp, --channels-last, --compile,
--cudnn-benchmark; on a GPU the default is bf16 + channels_last +
cudnn_benchmark). ``--what data`` compares decoding the downloaded originals
with mmaction2's loader settings against the normalised clips of data prep
with ours. Warm-up iterations are excluded. See docs/performance.md.
"""
import argparse
import datetime
import json
import platform
import sys
from pathlib import Path

import _bootstrap  # noqa: F401  repo root on sys.path

import dance_style  # noqa: F401  compat fixes before mmaction

from dance_style.cli import ConfigOptionsAction, logs_to_stderr, run_cli
from dance_style.errors import DanceStyleError
from dance_style.fileio import write_text_atomic


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Benchmark training, inference or data loading, stock '
        'MMAction2 settings vs ours, as a ratio.')
    parser.add_argument('config', help='config to benchmark')
    parser.add_argument('--what', choices=('train', 'data', 'infer'),
                        required=True, help='what to measure')
    parser.add_argument('--batch-size', type=int, default=8,
                        help='clips per training step or loader batch '
                        '(default 8)')
    parser.add_argument('--iters', type=int, default=20,
                        help='timed iterations (default 20)')
    parser.add_argument('--warmup', type=int, default=5,
                        help='untimed iterations first (default 5)')
    parser.add_argument('--amp', choices=('bf16', 'fp16', 'none'),
                        help='ours: autocast dtype (default bf16 on a GPU, '
                        'none on CPU)')
    parser.add_argument('--channels-last', action=argparse.BooleanOptionalAction,
                        default=None, help='ours: channels_last_3d memory '
                        '(default on with a GPU)')
    parser.add_argument('--cudnn-benchmark',
                        action=argparse.BooleanOptionalAction, default=None,
                        help='ours: cuDNN autotuning (default on with a GPU)')
    parser.add_argument('--compile', action='store_true',
                        help='ours: torch.compile the model')
    parser.add_argument('--views', type=int, default=30,
                        help='infer: clips per video (default 30 = 10 '
                        'clips x 3 crops)')
    parser.add_argument('--shape', type=int, nargs=3, metavar=('T', 'H', 'W'),
                        help='train/infer: clip shape (default: the '
                        'config\'s pipeline); small for a CPU smoke run')
    parser.add_argument('--workers', type=int, nargs='+', default=[0, 2],
                        help='data: loader worker counts to try '
                        '(default 0 2)')
    parser.add_argument('--clips', type=int, default=8,
                        help='data: synthetic originals to generate when '
                        '--videos is not given (default 8)')
    parser.add_argument('--videos',
                        help='data: folder of original .mp4 clips (default: '
                        'synthetic 640x360 originals); their normalised '
                        'copies go to <folder>_normalised')
    parser.add_argument('--device', default=None,
                        help='cuda or cpu (default: cuda when available)')
    parser.add_argument('--cfg-options', nargs='+',
                        action=ConfigOptionsAction,
                        help='override config keys, key=value')
    parser.add_argument('--json', help='also write the results here')
    return parser.parse_args(argv)


def our_setting(args, device):
    from dance_style.speed import Setting
    gpu = device.type == 'cuda'
    amp = args.amp or ('bf16' if gpu else 'none')
    return Setting(
        'ours', amp=amp,
        channels_last=gpu if args.channels_last is None else
        args.channels_last,
        compile=args.compile,
        cudnn_benchmark=gpu if args.cudnn_benchmark is None else
        args.cudnn_benchmark)


def prepare_videos(args) -> tuple:
    """(originals folder, normalised folder), each with list.txt."""
    from dance_style.prep.normalise import file_task, transcode
    from dance_style.synthetic.originals import write_originals
    if args.videos:
        originals = sorted(Path(args.videos).glob('*.mp4'))
        if not originals:
            raise DanceStyleError(f'no .mp4 files in {args.videos}')
        base = Path(args.videos)
    else:
        base = Path('work_dirs/benchmark/originals')
        print(f'writing {args.clips} synthetic originals (640x360, 10 s, '
              f'30 fps) to {base} ...', file=sys.stderr)
        originals = write_originals(base, args.clips)
    normalised = base.parent / f'{base.name}_normalised'
    for path in originals:
        result = transcode(file_task(path, normalised / path.name))
        if result['status'] != 'ok':
            raise DanceStyleError(f'normalise failed: {result}')
    for folder in (base, normalised):
        # label 0 for all: the loader's speed does not depend on it
        write_text_atomic(folder / 'list.txt',
                          ''.join(f'{p.name} 0\n' for p in originals))
    return base, normalised


def main(argv=None):
    args = parse_args(argv)
    # stdout carries only the JSON; mmengine's logs go to stderr
    with logs_to_stderr():
        results = measure(args, argv)
    text = json.dumps(results, indent=2, default=str)
    print(text)
    if args.json:
        write_text_atomic(args.json, text + '\n')
    return 0


def measure(args, argv) -> dict:
    """Run what --what asks for; returns the results dict."""
    import torch
    from dance_style.speed import (STOCK, STOCK_LOADER, TUNED_LOADER,
                                   bench_data, bench_infer, bench_train)
    from dance_style.train import load_config
    cfg = load_config(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    device = torch.device(args.device or (
        'cuda' if torch.cuda.is_available() else 'cpu'))
    results = dict(
        command='python tools/benchmark.py ' + ' '.join(
            sys.argv[1:] if argv is None else argv),
        date=datetime.date.today().isoformat(), what=args.what,
        device=torch.cuda.get_device_name(device)
        if device.type == 'cuda' else f'CPU ({platform.processor() or platform.machine()}, '
        f'{torch.get_num_threads()} threads)',
        torch=torch.__version__)
    shape = (3, *args.shape) if args.shape else None
    if args.what in ('train', 'infer'):
        ours = our_setting(args, device)
        runs = {}
        for setting in (STOCK, ours):
            if args.what == 'train':
                runs[setting.name] = bench_train(
                    cfg, setting, args.batch_size, args.iters, args.warmup,
                    device, shape)
            else:
                runs[setting.name] = bench_infer(
                    cfg, setting, args.views, args.iters, args.warmup,
                    device, shape)
        results.update(runs)
        results['speedup'] = runs['ours']['clips_per_s'] / runs['stock'][
            'clips_per_s']
    else:
        originals, normalised = prepare_videos(args)
        rows = []
        for workers in args.workers:
            stock = bench_data(cfg, str(originals / 'list.txt'),
                               str(originals), workers, args.iters,
                               STOCK_LOADER, args.batch_size)
            tuned = bench_data(cfg, str(normalised / 'list.txt'),
                               str(normalised), workers, args.iters,
                               TUNED_LOADER, args.batch_size)
            rows.append(dict(workers=workers, stock=stock, ours=tuned,
                             speedup=tuned['clips_per_s'] /
                             stock['clips_per_s']))
        results['data'] = rows
    return results


if __name__ == '__main__':
    run_cli(main)
