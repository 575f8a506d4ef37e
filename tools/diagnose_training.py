"""Why does a model not learn? The first iterations of a config, measured.

    python tools/diagnose_training.py CONFIG --iters 150 \
        [--data-root DIR] [--cfg-options KEY=VALUE ...] [--json out.json]

Runs ``--iters`` training steps of the config's own model, loader,
optimizer and schedule, and prints every ``--every`` steps the loss and
top-1, each block's gradient norm, relative weight step and activations,
as docs/two_stream.md uses them. Nothing is saved but the optional JSON.
The work happens in dance_style.diagnose.
"""
import argparse
import json
from pathlib import Path

from dance_style.cli import ConfigOptionsAction, run_cli


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('config', help='the training config')
    parser.add_argument('--iters', type=int, default=150,
                        help='training steps to run (default 150)')
    parser.add_argument('--every', type=int, default=25,
                        help='report every N steps (default 25)')
    parser.add_argument('--data-root',
                        help='dataset folder (as tools/train.py)')
    parser.add_argument('--cfg-options', nargs='+',
                        action=ConfigOptionsAction,
                        help='config overrides, KEY=VALUE (as tools/train.py)')
    parser.add_argument('--seed', type=int, default=0, help='random seed')
    parser.add_argument('--json', help='write the records here too')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    # after --help and argument errors, which need no torch or mmaction
    from dance_style.register import register_all_modules
    register_all_modules()
    from dance_style.config import prepare
    from dance_style.diagnose import diagnose, fit_for_diagnosis
    cfg = prepare(args.config, args.data_root, args.cfg_options)
    fit_for_diagnosis(cfg, args.seed)
    records = diagnose(cfg, args.iters, args.every)
    if args.json:
        Path(args.json).write_text(json.dumps(records, indent=1))
    return 0


if __name__ == '__main__':
    run_cli(main)
