"""Compare the dance configs: parameters, GFLOPs per view, latency per
video (CPU, and GPU where present), and with checkpoints, accuracy on one
test list; a run record and a Markdown table.

    python tools/compare_models.py [--configs C ...] [--json OUT]
        [--checkpoint CONFIG=CKPT ...] [--ann-file LIST] [--data-root DIR]

The record (dance_style/records.py) holds the measurements with the
command, commit, date, machine and a CPU probe. The README's configs table
is drawn from docs/results/compare.json: write that record with
``--json docs/results/compare.json``, then ``python
tools/render_results.py`` redraws the table. The configs and their cited
figures are listed in configs/metafile.yml; the work happens in
dance_style.benchmark.compare.
"""
import argparse
import sys
from pathlib import Path

from dance_style.cli import logs_to_stderr, run_cli


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Compare every dance config: size, cost, speed and '
        '(given checkpoints) accuracy on one test list.')
    parser.add_argument('--configs', nargs='+', metavar='CONFIG',
                        help='only these configs (default: every config of '
                        'configs/metafile.yml; others are measured without '
                        'cited figures)')
    parser.add_argument('--checkpoint', nargs='+', default=[],
                        metavar='CONFIG=CKPT',
                        help='test these checkpoints of these configs on '
                        '--ann-file')
    parser.add_argument('--ann-file', help='the one test list every '
                        'checkpoint is scored on (relative: from here, else '
                        'from --data-root)')
    parser.add_argument('--data-root', help='folder the list\'s video paths '
                        'are relative to (default: each config\'s)')
    parser.add_argument('--iters', type=int, default=1,
                        help='timed videos per config and device (default '
                        '%(default)s, after one untimed view)')
    parser.add_argument('--work-dir', default='work_dirs/compare',
                        help='test reports of the checkpoints (default '
                        '%(default)s)')
    parser.add_argument('--json', default='work_dirs/compare/compare.json',
                        metavar='OUT',
                        help='the run record (default %(default)s; the '
                        'README\'s table is drawn from '
                        'docs/results/compare.json)')
    parser.add_argument('--markdown', help='also write the table here')
    parser.add_argument('--from-json', metavar='RECORD',
                        help='measure nothing: draw the table from an '
                        'earlier run\'s record (with the metafile\'s current '
                        'cited figures)')
    args = parser.parse_args(argv)
    pairs = {}
    for item in args.checkpoint:
        config, sep, path = item.partition('=')
        if not sep or not config or not path:
            parser.error(f'--checkpoint {item!r}: give CONFIG=CHECKPOINT')
        pairs[config] = path
    args.checkpoint = pairs
    return args


def main(argv=None):
    args = parse_args(argv)
    from dance_style.register import register_all_modules
    register_all_modules()
    from dance_style import records
    from dance_style.benchmark.compare import compare, table_from_record
    from dance_style.fileio import write_text_atomic
    if args.from_json:
        record = records.read_record(args.from_json)
    else:
        command = records.command_line(
            None if argv is None else ['python', 'tools/compare_models.py',
                                       *map(str, argv)])
        # latencies are figures: the probe goes first
        probe = records.cpu_probe()
        with logs_to_stderr():
            figures = compare(args.configs, args.checkpoint, args.ann_file,
                              args.data_root, args.iters,
                              Path(args.work_dir))
        path = records.write_record(args.json, figures, command, timed=True,
                                    probe=probe)
        print(f'run record written to {path}', file=sys.stderr)
        record = records.read_record(path)
    table = table_from_record(record)
    print(table, end='')
    if args.markdown:
        write_text_atomic(args.markdown, table)
    return 0


if __name__ == '__main__':
    run_cli(main)
