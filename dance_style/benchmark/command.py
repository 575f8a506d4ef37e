"""``tools/benchmark.py``: one command for every measurement.

* ``train`` / ``infer``: training steps and test-time forwards of a config's
  model on clips held in memory, stock MMAction2 settings (float32,
  cudnn_benchmark off, contiguous memory, eager) against the flags given
  (--amp, --channels-last, --compile, --cudnn-benchmark; on a GPU the
  default is bf16 + channels_last + cudnn_benchmark) (:mod:`.speed`);
* ``data``: the config's real training dataloader over the downloaded
  originals with mmaction2's loader settings, against the normalised clips
  of data prep with ours (:mod:`.speed`);
* ``normalise``: data prep's normalise throughput and the decode speed-up it
  buys (:mod:`.normalise`);
* ``decoders``: decord, PyAV and torchcodec on normalised clips with the
  configs' samplings: clips/s on one thread, frames against decord's, the
  formats each fails on (:mod:`.decoders`);
* ``pruning``: the same sweep with and without the median pruner
  (:mod:`.pruning`);
* ``timeline``: peak memory and time of the streamed style timeline on long
  1080p videos against stock ``inference_recognizer`` (:mod:`.timeline`);
* ``serve``: the web page under load, a real ``tools/serve.py`` process and
  concurrent uploading clients: answers, latency, peak memory against the
  bound of the server's limits (:mod:`.serve`);
* ``paths``: one test view through each CPU inference path (float32 eager,
  channels-last, bfloat16 autocast, bfloat16 weights, torch.compile, ONNX
  Runtime), timed in turns: seconds, GFLOP/s, share of the CPU's peak,
  scores against float32's (:mod:`.paths`);
* ``clip``: predict's answer for one short clip (default 10 s, 720p), as
  it ran before issue 29 (float32, full views) and as it runs now
  (:mod:`.clip`).

Warm-up iterations are excluded; the figures are printed as JSON, and
``--json OUT`` writes them as a run record (:mod:`dance_style.records`:
command, commit, date, machine, and a CPU probe taken before the
measurement, since every mode measures times).
"""
import argparse
import json
import sys
from pathlib import Path
from typing import Dict, Optional

from .. import records
from ..cli import ConfigOptionsAction, logs_to_stderr, parse_size
from ..errors import DanceStyleError
from ..fileio import write_text_atomic
from ..resources import CONFIGS, shown
from .paths import PATHS as PATH_NAMES

WHAT = ('train', 'infer', 'data', 'normalise', 'decoders', 'pruning',
        'timeline', 'serve', 'paths', 'clip')
NEEDS_CONFIG = ('train', 'infer', 'data')
# the models of "Classify a dance video now", the study and the small
# transformer: --what paths measures these when no CONFIG is given
PATHS_CONFIGS = tuple(str(CONFIGS / name) for name in (
    'uniformerv2_b16_k710_dance.py', 'i3d_nl_dance.py',
    'videomaev2_vit_s_dance.py'))
PRUNING_CONFIG = str(CONFIGS / 'demo' / 'i3d_nl_dance_synthetic.py')


def build_parser() -> argparse.ArgumentParser:
    """Every flag of ``tools/benchmark.py``; each names the measurements it
    applies to."""
    parser = argparse.ArgumentParser(
        description='Benchmark training, inference, data loading, data '
        'prep or sweep pruning: stock settings vs ours, as a ratio.')
    parser.add_argument('config', nargs='?',
                        help='config to benchmark (train, infer, data; '
                        f'pruning, timeline and serve: default '
                        f'{shown(PRUNING_CONFIG)})')
    parser.add_argument('--what', choices=WHAT, required=True,
                        help='what to measure')
    parser.add_argument('--json', metavar='OUT',
                        help='also write the figures as a run record here '
                        '(docs/results/NAME.json for one the docs cite)')
    parser.add_argument('--cfg-options', nargs='+',
                        action=ConfigOptionsAction,
                        help='override config keys, key=value')
    model = parser.add_argument_group('train, infer')
    model.add_argument('--batch-size', type=int, default=8,
                       help='clips per training step or loader batch (also '
                       'data; default 8)')
    model.add_argument('--iters', type=int, default=20,
                       help='timed iterations (also data; default 20)')
    model.add_argument('--warmup', type=int, default=5,
                       help='untimed iterations first (also paths, where '
                       'torch.compile compiles in them; default 5)')
    model.add_argument('--amp', choices=('bf16', 'fp16', 'none'),
                       help='ours: autocast dtype (default bf16 on a GPU '
                       'and on a CPU with AVX512-BF16 or AMX, else none; '
                       'fp16 on a GPU only)')
    model.add_argument('--channels-last',
                       action=argparse.BooleanOptionalAction, default=None,
                       help='ours: channels_last_3d memory (default on with '
                       'a GPU)')
    model.add_argument('--cudnn-benchmark',
                       action=argparse.BooleanOptionalAction, default=None,
                       help='ours: cuDNN autotuning (default on with a GPU)')
    model.add_argument('--compile', action='store_true',
                       help='ours: torch.compile the model')
    model.add_argument('--views', type=int, default=30,
                       help='infer: clips per video (default 30 = 10 clips '
                       'x 3 crops)')
    model.add_argument('--shape', type=int, nargs=3, metavar=('T', 'H', 'W'),
                       help='clip shape (default: the config\'s pipeline); '
                       'small for a CPU smoke run')
    model.add_argument('--device',
                       help='cuda or cpu (default: cuda when available)')
    data = parser.add_argument_group('data, normalise, decoders')
    data.add_argument('--workers', type=int, nargs='+',
                      help='loader workers (data; default 0 2) or normalise '
                      'processes (normalise; default 1 2) to try')
    data.add_argument('--clips', type=int, default=8,
                      help='synthetic originals to generate (default 8)')
    data.add_argument('--videos',
                      help='data: folder of original .mp4 clips (default: '
                      'synthetic 640x360 originals); their normalised copies '
                      'go to <folder>_normalised')
    data.add_argument('--size', default='360x640',
                      help='normalise, decoders: HEIGHTxWIDTH of the originals '
                      '(default %(default)s)')
    data.add_argument('--seconds', type=float, default=10.0,
                      help='normalise, decoders: length of each original; '
                      'clip: of the clip (default %(default)s)')
    data.add_argument('--source-fps', type=float, default=30.0,
                      help='normalise: frame rate of the originals (default '
                      '%(default)s)')
    data.add_argument('--short-side', type=int, default=256,
                      help='normalise, decoders: normalised short side (default '
                      '%(default)s)')
    data.add_argument('--fps', type=float, default=30.0,
                      help='normalise, decoders: normalised frame rate (default '
                      '%(default)s)')
    data.add_argument('--repeats', type=int, default=5,
                      help='normalise, decoders: decode repeats per clip; '
                      'paths: timed views per path (default %(default)s)')
    data.add_argument('--decoders', nargs='+', choices=('decord', 'pyav',
                                                        'torchcodec'),
                      help='decoders: which to measure (default all three)')
    long_video = parser.add_argument_group('timeline')
    long_video.add_argument('--minutes', type=float, nargs='+',
                            default=[1, 10],
                            help='lengths of the 1080p videos (default 1 10)')
    long_video.add_argument('--stride', type=float, default=1.0,
                            help='a window every STRIDE s (default 1)')
    long_video.add_argument('--video-dir',
                            default='work_dirs/benchmark/timeline',
                            help='where the 1080p videos (timeline) and the '
                            'clip (clip) are written (kept for the next '
                            'run; default %(default)s)')
    long_video.add_argument('--modes', nargs='+',
                            choices=('stock', 'serial', 'ours'),
                            default=['stock', 'serial', 'ours'],
                            help='what to run on each video: stock '
                            "(mmaction2's inference_recognizer), serial (the "
                            'timeline without its read-ahead decoder, the '
                            'baseline), ours (default: all three)')
    long_video.add_argument('--window-views', default='fast',
                            help='serial and ours: the crops of each window, '
                            'as predict.py --timeline --views says them '
                            '(fast, full, or a number: one centre crop; '
                            'default %(default)s)')
    long_video.add_argument('--precision', choices=('auto', 'fp32', 'bf16'),
                            default='fp32',
                            help='serial and ours: the timeline\'s '
                            'precision, as predict.py --precision chooses '
                            'it (default %(default)s; stock runs in '
                            'float32)')
    sweep = parser.add_argument_group('pruning')
    sweep.add_argument('--trials', type=int, default=12,
                       help='trials per sweep (default 12)')
    sweep.add_argument('--epochs', type=int, default=5,
                       help='epochs per unpruned trial (default 5)')
    sweep.add_argument('--classes', type=int, nargs='+',
                       help='synthetic classes to use (default 1 14 17, the '
                       'easy subset)')
    sweep.add_argument('--clips-per-class', type=int, default=40,
                       help='training clips per class (default 40)')
    sweep.add_argument('--seed', type=int, default=0,
                       help='sampler and training seed (serve: the clients\' '
                       'choice of clips; default 0)')
    sweep.add_argument('--work-dir', default='work_dirs/benchmark_pruning',
                       help='where both studies go (replaced)')
    sweep.add_argument('--pruner-startup-trials', type=int, default=3,
                       help='trials the median pruner lets finish before it '
                       'prunes any; fewer than --trials (default 3)')
    serve = parser.add_argument_group('serve')
    serve.add_argument('--clients', type=int, nargs='+',
                       default=[20, 6, 2],
                       help='concurrent uploading clients, a run with a '
                       'fresh server for each count (default 20 6 2: many, '
                       'one more than the 5 places of the default queue, '
                       'few)')
    serve.add_argument('--duration', type=float, default=120.0,
                       help='seconds during which each run starts requests '
                       '(default %(default)s)')
    serve.add_argument('--clip-seconds', type=float, nargs='+',
                       default=[10, 20, 30, 40, 50, 60],
                       help='lengths of the uploaded clips, 320x180 at 30 '
                       'fps, kept in --serve-dir (default 10 20 ... 60)')
    serve.add_argument('--max-waiting', type=int,
                       help='the server\'s --max-waiting (default its own)')
    serve.add_argument('--request-timeout', type=float,
                       help='the server\'s --request-timeout, in s; the '
                       'clients give up 30 s later (default its own)')
    serve.add_argument('--max-requests', type=int, default=1000,
                       help='requests per run at most, all clients together '
                       '(default %(default)s)')
    serve.add_argument('--serve-dir', default='work_dirs/benchmark_serve',
                       help='clips, the random-weight checkpoint and each '
                       'server\'s folder and log (default %(default)s)')
    clip = parser.add_argument_group('clip')
    clip.add_argument('--clip-size', default='720x1280',
                      help='clip: HEIGHTxWIDTH of the clip predict answers '
                      'for (default %(default)s)')
    clip.add_argument('--rounds', type=int, default=2,
                      help='clip: rounds of stock then ours, each run a '
                      'process of its own (default %(default)s)')
    paths = parser.add_argument_group('paths')
    paths.add_argument('--models', nargs='+', metavar='CONFIG',
                       help='configs whose models to measure (default: '
                       'CONFIG, or else UniFormerV2-B, I3D R50 NonLocal and '
                       'VideoMAE V2-S: ' + ', '.join(
                           shown(c) for c in PATHS_CONFIGS) + ')')
    paths.add_argument('--paths', nargs='+', choices=PATH_NAMES,
                       help='inference paths to measure; float32 eager is '
                       'always measured first, as the reference (default: '
                       'all)')
    return parser


def our_setting(args, device, bf16_right: bool = False):
    """The tuned setting of train/infer from the flags (GPU defaults on;
    on a CPU, bf16 by default only where the bf16 check found it right)."""
    from .speed import Setting
    gpu = device.type == 'cuda'
    amp = args.amp or ('bf16' if gpu or bf16_right else 'none')
    return Setting(
        'ours', amp=amp,
        channels_last=gpu if args.channels_last is None else
        args.channels_last,
        compile=args.compile,
        cudnn_benchmark=gpu if args.cudnn_benchmark is None else
        args.cudnn_benchmark)


def prepare_videos(args) -> tuple:
    """(originals folder, normalised folder), each with list.txt."""
    from ..prep.normalise import file_task, transcode
    from ..synthetic.originals import write_originals
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


def measure_model(args, cfg) -> Dict:
    """train, infer or data: stock and ours in this process."""
    import torch

    from .speed import (STOCK, STOCK_LOADER, TUNED_LOADER, bench_data,
                        bench_infer, bench_train)
    device = torch.device(args.device or (
        'cuda' if torch.cuda.is_available() else 'cpu'))
    from ..precision import cpu_name, cpu_supports_bf16
    results = dict(
        device=torch.cuda.get_device_name(device)
        if device.type == 'cuda' else
        f'CPU ({cpu_name()}, {torch.get_num_threads()} threads)',
        torch=torch.__version__)
    bf16_right = False
    if device.type == 'cpu':
        # bf16 on a CPU without these instructions is emulated (slow)
        results['cpu_native_bf16'] = cpu_supports_bf16()
    if args.what in ('train', 'infer'):
        from .speed import clip_channels
        shape = (clip_channels(cfg), *args.shape) if args.shape else None
        if device.type == 'cpu' and results['cpu_native_bf16']:
            # fast is not enough: right on this CPU (dance_style.bf16_check)
            from ..bf16_check import bf16_verdict
            verdict = bf16_verdict(cfg, shape, log=lambda line: print(
                line, file=sys.stderr))
            bf16_right = verdict.right
            results['bf16_check'] = verdict.reason
        ours = our_setting(args, device, bf16_right)
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
        return results
    originals, normalised = prepare_videos(args)
    rows = []
    for workers in args.workers or (0, 2):
        stock = bench_data(cfg, str(originals / 'list.txt'), str(originals),
                           workers, args.iters, STOCK_LOADER,
                           args.batch_size)
        tuned = bench_data(cfg, str(normalised / 'list.txt'),
                           str(normalised), workers, args.iters,
                           TUNED_LOADER, args.batch_size)
        rows.append(dict(workers=workers, stock=stock, ours=tuned,
                         speedup=tuned['clips_per_s'] / stock['clips_per_s']))
    results['data'] = rows
    return results


def measure(args) -> Dict:
    """Run what ``--what`` asks for; returns its figures (the record's
    command, commit, date and machine are :func:`main`'s)."""
    if args.what == 'normalise':
        from .normalise import measure_normalise
        return measure_normalise(
            clips=args.clips, size=parse_size(args.size),
            seconds=args.seconds, source_fps=args.source_fps,
            short_side=args.short_side, fps=args.fps,
            workers=args.workers or (1, 2), repeats=args.repeats)
    if args.what == 'decoders':
        from .decoders import DECODERS, measure_decoders
        return measure_decoders(
            clips=args.clips, size=parse_size(args.size),
            seconds=args.seconds, short_side=args.short_side, fps=args.fps,
            repeats=args.repeats, decoders=args.decoders or DECODERS)
    if args.what == 'timeline':
        from .timeline import measure_timeline
        return measure_timeline(args.config or PRUNING_CONFIG,
                                minutes=args.minutes, stride=args.stride,
                                folder=Path(args.video_dir),
                                modes=args.modes, precision=args.precision,
                                window_views=args.window_views)
    if args.what == 'serve':
        from .serve import measure_serve
        return measure_serve(
            args.config or PRUNING_CONFIG, clients=args.clients,
            duration=args.duration, clip_seconds=args.clip_seconds,
            max_waiting=args.max_waiting,
            request_timeout=args.request_timeout,
            max_requests=args.max_requests, seed=args.seed,
            folder=Path(args.serve_dir))
    if args.what == 'paths':
        from .paths import measure_paths
        models = args.models or ([args.config] if args.config
                                 else PATHS_CONFIGS)
        return measure_paths(models, paths=args.paths or PATH_NAMES,
                             repeats=args.repeats, warmup=args.warmup,
                             log=lambda line: print(line, file=sys.stderr,
                                                    flush=True))
    if args.what == 'clip':
        from .clip import measure_clip
        return measure_clip(args.config or PATHS_CONFIGS[0],
                            seconds=args.seconds,
                            size=parse_size(args.clip_size, '--clip-size'),
                            rounds=args.rounds, folder=Path(args.video_dir))
    if args.what == 'pruning':
        from .pruning import EASY_CLASSES, measure_pruning
        return measure_pruning(
            args.config or PRUNING_CONFIG, trials=args.trials,
            epochs=args.epochs, classes=args.classes or EASY_CLASSES,
            clips_per_class=args.clips_per_class, seed=args.seed,
            work_dir=args.work_dir,
            startup_trials=args.pruner_startup_trials)
    from ..config import prepare
    from ..register import register_all_modules
    register_all_modules()
    cfg = prepare(args.config, cfg_options=args.cfg_options)
    return measure_model(args, cfg)


def main(argv: Optional[list] = None) -> int:
    """``tools/benchmark.py``: the figures as JSON on stdout (and a run
    record in ``--json``); mmengine's logs go to stderr."""
    args = build_parser().parse_args(argv)
    if args.what in NEEDS_CONFIG and not args.config:
        raise DanceStyleError(f'--what {args.what} needs a CONFIG, e.g. '
                              'configs/i3d_nl_dance.py')
    # flags a measurement would silently ignore
    if args.what in ('normalise', 'decoders') and (args.config or
                                                   args.cfg_options):
        raise DanceStyleError(f'--what {args.what} measures video files, '
                              'not a config: leave out CONFIG and '
                              '--cfg-options')
    if args.decoders and args.what != 'decoders':
        raise DanceStyleError('--decoders is for --what decoders')
    if (args.models or args.paths) and args.what != 'paths':
        raise DanceStyleError('--models and --paths are for --what paths')
    if args.what == 'paths' and args.cfg_options:
        raise DanceStyleError('--what paths measures the configs as they '
                              'are: leave out --cfg-options')
    if args.what in ('pruning', 'serve') and args.cfg_options:
        raise DanceStyleError(f'--what {args.what} sets its own overrides; '
                              'pass another CONFIG instead of '
                              '--cfg-options')
    command = records.command_line(
        None if argv is None else ['python', 'tools/benchmark.py',
                                   *map(str, argv)])
    # every mode measures times: the probe goes first, on an idle process
    probe = records.cpu_probe() if args.json else None
    figures = dict(what=args.what)
    with logs_to_stderr():
        figures.update(measure(args))
    print(json.dumps(figures, indent=2, default=str))
    if args.json:
        path = records.write_record(args.json, figures, command, timed=True,
                                    probe=probe)
        print(f'run record written to {path}', file=sys.stderr)
    return 0
