"""Predict dance styles: ``python tools/predict.py CONFIG CKPT VIDEO [...]``."""
import argparse
import json

from dance_style.cli import logs_to_stderr, run_cli


def positive_int(text):
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f'must be 1 or more, got {value}')
    return value


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Top-k dance styles of one or more videos.')
    parser.add_argument('config', help='config the checkpoint was trained '
                        'with')
    parser.add_argument('checkpoint', help='checkpoint (.pth)')
    parser.add_argument('videos', nargs='+', metavar='VIDEO',
                        help='video files (any length, size, frame rate)')
    parser.add_argument('--top-k', type=positive_int, default=5,
                        help='how many styles to list per video (1..19)')
    parser.add_argument('--json', action='store_true',
                        help='print JSON instead of text')
    parser.add_argument('--device', default='cpu',
                        help='torch device, e.g. cpu or cuda:0')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    # after --help and argument errors, which need no torch or mmaction
    from dance_style.register import register_all_modules
    register_all_modules()
    from dance_style.config import load_config
    from dance_style.predict import (format_predictions, load_recognizer,
                                     predict_videos)
    cfg = load_config(args.config)
    # stdout carries only the predictions (pipe --json into jq)
    with logs_to_stderr():
        model = load_recognizer(cfg, args.checkpoint, device=args.device)
        results = predict_videos(model, args.videos, top_k=args.top_k)
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        print(format_predictions(results))
    # 1 when any video failed, so scripts notice; the others still printed
    return 1 if any('error' in r for r in results) else 0


if __name__ == '__main__':
    run_cli(main)
