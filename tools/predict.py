"""Predict dance styles: ``python tools/predict.py CONFIG CKPT VIDEO [...]``.

With ``--timeline``, a style timeline of each (long) video instead: segments
as JSON and CSV, each style's share, a PNG, and optionally the video with the
style drawn on it (``--overlay``).
"""
import argparse
import json
import sys
from pathlib import Path

from dance_style.cli import add_segment_flags, logs_to_stderr, run_cli
from dance_style.infer_precision import add_precision_flag
from dance_style.limits import (DEFAULT_MAX_FRAME, InputLimits,
                                parse_frame_size)


def positive_int(text):
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f'must be 1 or more, got {value}')
    return value


def odd_positive_int(text):
    value = positive_int(text)
    if value % 2 == 0:
        raise argparse.ArgumentTypeError(
            f'must be odd (windows centred on each), got {value}')
    return value


def positive_float(text):
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError(f'must be > 0, got {value}')
    return value


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Top-k dance styles of one or more videos, or a style '
        'timeline of each (--timeline). Reads any format FFmpeg reads (AV1, '
        'VP9, HEVC, GIF, MJPEG, ProRes ...), upright for phone videos.')
    parser.add_argument('config', help='config the checkpoint was trained '
                        'with')
    parser.add_argument('checkpoint', help='checkpoint: a .pth file, a URL, '
                        'or a name of configs/metafile.yml (downloaded '
                        'once), e.g. uniformerv2-b16-k710-k700')
    parser.add_argument('videos', nargs='+', metavar='VIDEO',
                        help='video files (any length, size, frame rate)')
    parser.add_argument('--top-k', type=positive_int, default=5,
                        help='how many styles to list per video (1..19)')
    parser.add_argument('--json', action='store_true',
                        help='print JSON instead of text')
    parser.add_argument('--views', default='fast',
                        help='test views per video: fast (the fewest within '
                        '1 point of the config\'s on the validation clips, '
                        'where a run record has them for this config; else '
                        'the config\'s), full (the config\'s), or a number '
                        'of clips, centre-cropped (default fast; a timeline '
                        'window is always one clip, with these crops: 1 '
                        'gives one centre crop per window)')
    add_precision_flag(parser)
    parser.add_argument('--device', default='cpu',
                        help='torch device, e.g. cpu or cuda:0')
    parser.add_argument('--max-frame-size', type=parse_frame_size,
                        default=DEFAULT_MAX_FRAME, metavar='WxH',
                        help='largest frame, WIDTHxHEIGHT in pixels: a '
                        'video with more pixels per frame, or a longer side, '
                        'is refused from its header (default 7680x4320, 8K; '
                        'portrait frames count the same). Frames are '
                        'decoded at the model\'s size, so memory does not '
                        'grow with the source\'s resolution')
    timeline = parser.add_argument_group(
        'timeline', 'a style over time: windows of one test clip each')
    timeline.add_argument('--timeline', action='store_true',
                          help='score windows along each video and write '
                          'its segments (JSON, CSV) and a PNG into --out-dir')
    timeline.add_argument('--stride', type=positive_float, default=1.0,
                          metavar='SECONDS',
                          help='a window starts every SECONDS (default 1)')
    timeline.add_argument('--smooth', type=odd_positive_int, default=None,
                          metavar='N',
                          help='average each window\'s probabilities with '
                          'its neighbours, N windows in all (default: the '
                          'choice of the config\'s tools/tune_timeline.py '
                          'record, else 3; 1 turns smoothing off)')
    add_segment_flags(timeline)
    timeline.add_argument('--fps', type=positive_float, default=None,
                          help='frame rate the windows are sampled at '
                          '(default: the config\'s video_fps, the rate its '
                          'training clips were normalised to)')
    timeline.add_argument('--out-dir', default='work_dirs/timelines',
                          help='folder for <video>.timeline.{json,csv,png} '
                          '(default work_dirs/timelines)')
    timeline.add_argument('--overlay', action='store_true',
                          help='also write <video>.overlay.mp4: the video '
                          '(without its sound) with the current style drawn '
                          'on it')
    timeline.add_argument('--batch-size', type=positive_int, default=8,
                          help='windows per forward pass (default 8)')
    timeline.add_argument('--no-progress', action='store_true',
                          help='no progress bars')
    return parser.parse_args(argv)


def output_stems(videos):
    """A file stem per video, unique in the output folder: clip.mp4 and
    clip.webm, or a/clip.mp4 and b/clip.mp4, must not overwrite each
    other's timeline."""
    stems, seen = [], {}
    for video in videos:
        stem = Path(video).stem
        seen[stem] = seen.get(stem, 0) + 1
        stems.append(stem if seen[stem] == 1 else f'{stem}_{seen[stem]}')
    return stems


def limits_of(args):
    """What a video may be (--max-frame-size)."""
    return InputLimits(args.max_frame_size)


def run_timelines(model, args):
    """Write each video's timeline; returns (printed lines, JSON, failed)."""
    from dance_style.errors import DanceStyleError
    from dance_style.timeline import (build_timeline, format_timeline,
                                      timeline_json, write_outputs,
                                      write_overlay)
    lines, entries, failed = [], [], False
    for video, stem in zip(args.videos, output_stems(args.videos)):
        try:
            timeline = build_timeline(model, video, args.stride, args.smooth,
                                      args.fps, args.batch_size,
                                      progress=not args.no_progress,
                                      limits=limits_of(args),
                                      min_segment=args.min_segment,
                                      unsure_below=args.unsure_below,
                                      switch_penalty=args.switch_penalty)
        except DanceStyleError as error:
            lines += [video, f'  error: {error}']
            entries.append(dict(video=video, error=str(error)))
            failed = True
            continue
        paths = write_outputs(timeline, args.out_dir, stem)
        if args.overlay:
            paths['overlay'] = write_overlay(
                timeline, Path(args.out_dir) / f'{stem}.overlay.mp4',
                progress=not args.no_progress)
        lines.append(format_timeline(timeline))
        lines += [f'  {kind}: {path}' for kind, path in paths.items()]
        entries.append(dict(timeline_json(timeline, args.top_k),
                            files={k: str(v) for k, v in paths.items()}))
    return lines, entries, failed


def main(argv=None):
    args = parse_args(argv)
    # after --help and argument errors, which need no torch or mmaction
    from dance_style.register import register_all_modules
    register_all_modules()
    from dance_style.config import prepare
    from dance_style.predict import (check_rgb_config, format_predictions,
                                     load_recognizer, predict_videos)
    cfg = prepare(args.config)
    check_rgb_config(cfg)
    from dance_style.views import use_views
    line = use_views(cfg, args.views)
    if args.timeline:  # its windows take the crop, one clip each
        line += '; a timeline window is one clip with those crops'
    print(line, file=sys.stderr)
    # stdout carries only the predictions (pipe --json into jq)
    with logs_to_stderr():
        model = load_recognizer(cfg, args.checkpoint, device=args.device)
        if args.timeline:
            from dance_style.timeline_tuning import resolve_settings
            settings, line = resolve_settings(
                Path(args.config).name, args.smooth, args.switch_penalty,
                args.min_segment, args.unsure_below)
            vars(args).update(settings)
            print(line, file=sys.stderr)
        from dance_style.infer_precision import (choose_precision,
                                                 use_precision)
        use_precision(model, choose_precision(
            model, args.precision, args.device,
            log=lambda line: print(line, file=sys.stderr)))
        if args.timeline:
            lines, results, failed = run_timelines(model, args)
        else:
            results = predict_videos(model, args.videos, top_k=args.top_k,
                                     limits=limits_of(args))
            failed = any('error' in r for r in results)
            lines = [format_predictions(results)]
    from dance_style.provenance import format_about
    about = model.about
    if about.get('warning'):  # seen even when stdout goes to a file
        print(f'WARNING: {about["warning"]}', file=sys.stderr)
    if args.json:
        print(json.dumps([dict(r, model=about) for r in results], indent=2))
    else:
        print('\n'.join([format_about(about)] + lines))
    # 1 when any video failed, so scripts notice; the others still printed
    return 1 if failed else 0


if __name__ == '__main__':
    run_cli(main)
