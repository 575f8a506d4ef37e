"""A web page for the model: ``python tools/serve.py CONFIG CHECKPOINT``.

Open the printed address, upload a video (or click a sample clip), and see
the top-5 styles as bars and the style timeline. Runs on CPU. Needs the
"serve" extra (Starlette, uvicorn): ``pip install -e ".[serve]"``. What
it refuses, and why: ``dance_style/web/app.py``.
"""
import argparse
import uuid
from pathlib import Path

from dance_style.cli import add_segment_flags, run_cli
from dance_style.infer_precision import add_precision_flag
from dance_style.limits import DEFAULT_MAX_FRAME, parse_frame_size
from dance_style.web.app import (DEFAULT_MAX_WAITING,
                                 DEFAULT_REQUEST_TIMEOUT)


def positive(kind):
    """An argparse type: ``kind`` (int or float), greater than 0."""
    def parse(text):
        value = kind(text)
        if not value > 0:
            raise argparse.ArgumentTypeError(f'must be > 0, got {value}')
        return value
    return parse


def odd(text):
    value = positive(int)(text)
    if value % 2 == 0:
        raise argparse.ArgumentTypeError(f'must be odd, got {value}')
    return value


def non_negative_int(text):
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f'must be >= 0, got {value}')
    return value


def origin(text):
    from dance_style.web.app import normalise_origin
    try:
        return normalise_origin(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def port(text):
    value = int(text)
    if not 0 < value < 65536:
        raise argparse.ArgumentTypeError(f'a port is 1..65535, got {value}')
    return value


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Serve a page on localhost: upload a video, see its '
        'top-5 dance styles and their timeline.')
    parser.add_argument('config', help='config the checkpoint was trained '
                        'with')
    parser.add_argument('checkpoint', help='checkpoint: a .pth file, a URL, '
                        'or a name of configs/metafile.yml (downloaded '
                        'once), e.g. uniformerv2-b16-k710-k700')
    parser.add_argument('--host', default='127.0.0.1',
                        help='address to listen on (default 127.0.0.1: this '
                        'machine only; 0.0.0.0 opens it to the network)')
    parser.add_argument('--port', type=port, default=8000,
                        help='port (default 8000)')
    parser.add_argument('--max-mb', type=positive(float), default=200,
                        help='largest upload in MB (default 200)')
    parser.add_argument('--max-minutes', type=positive(float), default=30,
                        help='longest video analysed, in minutes (default '
                        '30; refused from its header, before decoding): '
                        'one request at a time, so a long one blocks the '
                        'others')
    parser.add_argument('--max-frame-size', type=parse_frame_size,
                        default=DEFAULT_MAX_FRAME, metavar='WxH',
                        help='largest frame, WIDTHxHEIGHT in pixels: a '
                        'video with more pixels per frame, or a longer side, '
                        'is refused from its header, before decoding '
                        '(default 7680x4320, 8K; portrait frames count the '
                        'same)')
    parser.add_argument('--request-timeout', type=positive(float),
                        default=DEFAULT_REQUEST_TIMEOUT, metavar='SECONDS',
                        help='time from a request\'s first byte to its '
                        'answer: upload, waiting and analysis (default '
                        f'{DEFAULT_REQUEST_TIMEOUT:g}); then 504, and the '
                        'analysis stops at its next frame')
    parser.add_argument('--max-waiting', type=non_negative_int,
                        default=DEFAULT_MAX_WAITING, metavar='N',
                        help='requests that may wait while one is analysed '
                        f'(default {DEFAULT_MAX_WAITING}); more get 503 '
                        'with Retry-After')
    parser.add_argument('--allow-origin', type=origin, action='append',
                        default=[], metavar='ORIGIN',
                        help='also answer requests for this address and '
                        'from its pages, scheme://host[:port] (e.g. '
                        'http://mybox.local:8000 when the server is reached '
                        'under that name, or through a proxy); repeatable. '
                        'By default only the address it listens on is '
                        'answered: other web pages get 403')
    parser.add_argument('--stride', type=positive(float), default=1.0,
                        help='timeline: a window every STRIDE s (default 1)')
    parser.add_argument('--smooth', type=odd, default=None,
                        help='timeline: windows averaged (default: the '
                        'choice of the config\'s tools/tune_timeline.py '
                        'record, else 3; 1: none)')
    add_segment_flags(parser)
    parser.add_argument('--work-dir', default='work_dirs/serve',
                        help='the server writes only under a new folder here '
                        '(samples, uploads being analysed), removed at exit; '
                        'default work_dirs/serve')
    parser.add_argument('--views', default='fast',
                        help='test views per uploaded video: fast (the '
                        'fewest within 1 point of the config\'s on the '
                        'validation clips, where a run record has them; '
                        'else the config\'s), full, or a number of clips '
                        '(default fast)')
    parser.add_argument('--no-samples', action='store_true',
                        help='do not generate the sample clips at start')
    add_precision_flag(parser)
    parser.add_argument('--device', default='cpu',
                        help='torch device (default cpu)')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    from dance_style.errors import DanceStyleError
    try:
        import starlette  # noqa: F401
        import uvicorn
    except ImportError as error:
        raise DanceStyleError(
            f'tools/serve.py needs the "serve" extra ({error.name} is '
            'missing): pip install -e ".[serve]" (make install installs it)'
        ) from None
    from dance_style.register import register_all_modules
    register_all_modules()
    from dance_style.config import prepare
    from dance_style.predict import check_rgb_config, load_recognizer
    from dance_style.web.app import create_app, make_samples, remove_folder
    cfg = prepare(args.config)
    check_rgb_config(cfg)
    from dance_style.views import use_views
    print(use_views(cfg, args.views), flush=True)
    model = load_recognizer(cfg, args.checkpoint, device=args.device)
    from dance_style.timeline_tuning import resolve_settings
    settings, line = resolve_settings(Path(args.config).name, args.smooth,
                                      args.switch_penalty, args.min_segment,
                                      args.unsure_below)
    vars(args).update(settings)
    print(line, flush=True)
    from dance_style.infer_precision import choose_precision, use_precision
    use_precision(model, choose_precision(
        model, args.precision, args.device,
        log=lambda line: print(line, flush=True)))
    from dance_style.provenance import format_about
    print(format_about(model.about), flush=True)  # the page says it too
    folder = Path(args.work_dir) / f'run_{uuid.uuid4().hex[:8]}'
    try:
        samples = ({} if args.no_samples else
                   make_samples(folder / 'samples',
                                fps=float(cfg.get('video_fps') or 16)))
        app = create_app(model, folder, max_mb=args.max_mb,
                         max_seconds=60 * args.max_minutes,
                         stride=args.stride, smooth=args.smooth,
                         min_segment=args.min_segment,
                         unsure_below=args.unsure_below,
                         switch_penalty=args.switch_penalty,
                         samples=samples, config_name=Path(args.config).name,
                         host=args.host, port=args.port,
                         allow_origins=args.allow_origin,
                         max_waiting=args.max_waiting,
                         request_timeout=args.request_timeout,
                         max_frame=args.max_frame_size)
        print(f'serving {Path(args.config).name} on '
              f'http://{args.host}:{args.port}/ (Ctrl-C stops); it answers '
              f'{", ".join(sorted(app.state.origins))}', flush=True)
        uvicorn.run(app, host=args.host, port=args.port, log_level='warning')
    finally:
        remove_folder(folder)
    return 0


if __name__ == '__main__':
    run_cli(main)
