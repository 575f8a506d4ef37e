"""Tune a config with Optuna: ``python tools/sweep.py CONFIG [options]``.

Each trial trains CONFIG with overrides drawn from a search space, through
the same train function as tools/train.py. Rerunning the command adds
trials to the same study. See docs/sweep.md; the
work happens in dance_style.sweep.command.
"""
from dance_style.cli import run_cli
from dance_style.sweep.command import main

if __name__ == '__main__':
    run_cli(main)
