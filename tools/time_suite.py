"""Time the test suite and record it (docs/results/suite.json):

    python tools/time_suite.py                      # make test
    python tools/time_suite.py -- make test-fast    # another command

The command's output passes through; its wall time, pytest's counts and
summary line, and a CPU probe taken before it go into the run record
(dance_style/records.py), which docs/development.md draws its figures from
(tools/render_results.py). A failed run writes no record unless
--keep-failed. The work happens in dance_style.benchmark.suite.
"""
import argparse

from dance_style.cli import run_cli


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Run the test suite, time it and write its run record.')
    parser.add_argument('command', nargs='*', metavar='COMMAND',
                        help='the test command, after -- (default: make '
                        'test); its output must end with pytest\'s summary '
                        'line')
    parser.add_argument('--json', default='docs/results/suite.json',
                        metavar='OUT',
                        help='the run record (default %(default)s)')
    parser.add_argument('--keep-failed', action='store_true',
                        help='write the record even when the suite failed '
                        '(its figures say so; exit status 1)')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    from dance_style import records
    from dance_style.benchmark.suite import DEFAULT_COMMAND, time_suite
    command = records.command_line(
        None if argv is None else ['python', 'tools/time_suite.py',
                                   *map(str, argv)])
    path, figures = time_suite(args.command or DEFAULT_COMMAND, args.json,
                               command, keep_failed=args.keep_failed)
    print(f'{figures["command_run"]}: {figures["make_test_seconds"]:.0f} s, '
          f'{figures["summary_line"]}; run record written to {path}')
    failed = figures['exit_code'] or figures['failed'] or figures['errors']
    return 1 if failed else 0


if __name__ == '__main__':
    run_cli(main)
