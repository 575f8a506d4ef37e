"""Is bfloat16 autocast right on this CPU for a config's model?

    python tools/check_bf16.py CONFIG [--repeats 5] [--json OUT]

Runs the check that ``precision: auto`` and ``--amp`` rely on
(dance_style/bf16_check.py) ``--repeats`` times, fresh (the cache is
neither read nor written), and prints each verdict and the figures as JSON:
the CPU's bf16 flags, torch, threads, the oneDNN limit, and every check's
verdict and step times. ``--json OUT`` writes them as a run record
(dance_style/records.py: command, commit, date, machine, and a CPU probe
taken before the checks, since the figures include times);
docs/precision.md draws its figures from those in docs/results/. Run it
under ``ONEDNN_MAX_CPU_ISA=AVX2`` (or another limit) to see another kernel
path of the same CPU.
"""
import argparse

from dance_style.cli import ConfigOptionsAction, run_cli


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Check bfloat16 autocast against float32 for a config\'s '
        'model on this CPU (fresh, uncached), and print the figures as '
        'JSON.')
    parser.add_argument('config', help='config file, e.g. '
                        'configs/demo/i3d_nl_dance_synthetic.py')
    parser.add_argument('--repeats', type=int, default=5,
                        help='independent checks (the Zen 4 NaN is '
                        'intermittent; default %(default)s)')
    parser.add_argument('--json', metavar='OUT',
                        help='also write the figures as a run record to OUT '
                        '(docs/results/NAME.json for one the docs cite)')
    parser.add_argument('--cfg-options', nargs='+',
                        action=ConfigOptionsAction,
                        help='config overrides, key=value (e.g. '
                        'model.backbone.base_channels=32)')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    import json
    import os
    import sys
    from dataclasses import asdict

    import torch

    from dance_style import records
    from dance_style.bf16_check import check_bf16, json_safe
    from dance_style.config import prepare
    from dance_style.precision import cpu_flags, cpu_name
    from dance_style.register import register_all_modules
    register_all_modules()
    cfg = prepare(args.config, cfg_options=args.cfg_options)
    command = records.command_line(
        None if argv is None else ['python', 'tools/check_bf16.py',
                                   *map(str, argv)])
    # the checks time a step each way: the probe goes first
    probe = records.cpu_probe() if args.json else None
    runs = []
    for index in range(args.repeats):
        verdict = check_bf16(cfg, seed=index)
        print(f'{index + 1}/{args.repeats} {verdict.summary()}',
              file=sys.stderr, flush=True)
        runs.append({k: v for k, v in asdict(verdict).items()
                     if k not in ('cached', 'key')})
    # NaN (a cosine of a NaN gradient) becomes null: strict JSON
    figures = json_safe(dict(
        cpu=cpu_name(), cpu_bf16_flags=sorted(
            cpu_flags() & {'avx512_bf16', 'amx_bf16', 'amx_tile'}),
        torch=torch.__version__, threads=torch.get_num_threads(),
        onednn_max_cpu_isa=os.environ.get('ONEDNN_MAX_CPU_ISA', ''),
        right=sum(run['right'] for run in runs), repeats=len(runs),
        runs=runs))
    print(json.dumps(figures, indent=1))
    if args.json:
        path = records.write_record(args.json, figures, command, timed=True,
                                    probe=probe)
        print(f'run record written to {path}', file=sys.stderr)
    return 0


if __name__ == '__main__':
    run_cli(main)
