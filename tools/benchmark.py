"""Speed, always stock against ours in one run, as JSON:

    python tools/benchmark.py CONFIG --what train|infer|data [options] [--json OUT]
    python tools/benchmark.py --what normalise [--clips 8] [--workers 1 2]
    python tools/benchmark.py --what pruning [--trials 12] [--epochs 5]
    python tools/benchmark.py --what serve [--clients 20 6 2] [--duration 120]

``--json OUT`` writes the figures as a run record (command, commit, date,
machine, a CPU probe: dance_style/records.py); the docs cite those under
docs/results/ and draw their figures from them (tools/render_results.py).
``--help`` lists every flag and the measurements it applies to. The work
happens in dance_style.benchmark.
"""
from dance_style.benchmark.command import main
from dance_style.cli import run_cli

if __name__ == '__main__':
    run_cli(main)
