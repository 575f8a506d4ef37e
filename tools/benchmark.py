"""Speed, always stock against ours in one run, as JSON:

    python tools/benchmark.py CONFIG --what train|infer|data [options] [--json OUT]
    python tools/benchmark.py --what normalise [--clips 8] [--workers 1 2]
    python tools/benchmark.py --what pruning [--trials 12] [--epochs 5]
    python tools/benchmark.py --what serve [--clients 20 6 2] [--duration 120]

``--help`` lists every flag and the measurements it applies to;
docs/performance.md has the figures. The work happens in
dance_style.benchmark.
"""
from dance_style.benchmark.command import main
from dance_style.cli import run_cli

if __name__ == '__main__':
    run_cli(main)
