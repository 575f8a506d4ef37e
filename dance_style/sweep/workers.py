"""Several sweep workers from one command: one process per GPU (or per
share of the CPU cores), all on the same study.

Each worker is ``python -m dance_style.sweep.workers SETTINGS.json``: the
command's settings with the worker's index and share of trials, written
into the study folder, so a worker runs exactly what the command would.
The storage URL's password is not in that file (it shows ``***``) nor in
the worker's argv: the worker reads the full URL from its environment
(``DANCE_STYLE_SWEEP_STORAGE``), which only its user can read.
"""
import dataclasses
import os
import signal
import subprocess
import sys
from typing import Dict, List, Optional

from ..fileio import write_text_atomic
from .report import summarize
from .storage import STORAGE_ENV, worker_storage
from .study import SweepSettings


def split_trials(n_trials: Optional[int], workers: int) -> List[Optional[int]]:
    """Each worker's ``--n-trials``: the total split as evenly as possible
    (exactly ``n_trials`` in all). ``None`` (no limit) for every worker
    when there is no total."""
    if n_trials is None:
        return [None] * workers
    base, extra = divmod(n_trials, workers)
    return [base + (index < extra) for index in range(workers)]


def worker_env(index: int, workers: int,
               storage: Optional[str] = None) -> Dict[str, str]:
    """One visible GPU per worker (round robin over the visible ones), or
    a fair share of CPU threads when there is no GPU; and the full storage
    URL, which the worker's settings file shows masked."""
    import torch
    env = dict(os.environ)
    if storage is not None:
        env[STORAGE_ENV] = storage
    gpus = torch.cuda.device_count()
    if gpus:
        visible = env.get('CUDA_VISIBLE_DEVICES')
        ids = visible.split(',') if visible else [str(i) for i in range(gpus)]
        env['CUDA_VISIBLE_DEVICES'] = ids[index % len(ids)]
    else:
        threads = max(1, (os.cpu_count() or 1) // workers)
        env['OMP_NUM_THREADS'] = str(threads)
    env.setdefault('PYTHONUNBUFFERED', '1')
    return env


def _status(study) -> str:
    summary = summarize(study)
    states = summary['states']
    done = states['COMPLETE'] + states['PRUNED'] + states['FAIL']
    line = (f'[sweep] {done} trials finished ({states["COMPLETE"]} complete, '
            f'{states["PRUNED"]} pruned, {states["FAIL"]} failed), '
            f'{states["RUNNING"]} running')
    if summary['best']:
        best = summary['best']
        line += f'; best {best["value"]:.4f} (trial {best["number"]})'
    return line


def run_workers(settings: SweepSettings, workers: int, study,
                poll_seconds: float = 10.0) -> int:
    """Start ``workers`` worker processes, each with its share of
    ``settings.n_trials``, print the study's progress while they run, and
    return the worst exit status. Their settings and output go to
    ``<study dir>/worker_<i>.json`` and ``.log``.

    Ctrl-C (or SIGTERM to this process) is passed on: each worker marks its
    running trial FAIL (Optuna does on an interrupt) and exits.
    """
    log_dir = settings.study_dir
    log_dir.mkdir(parents=True, exist_ok=True)
    procs = []
    logs = []
    for index, share in enumerate(split_trials(settings.n_trials, workers)):
        if share == 0:
            continue
        settings_file = log_dir / f'worker_{index}.json'
        write_text_atomic(settings_file, dataclasses.replace(
            settings, worker_index=index, n_trials=share).to_json())
        args = [sys.executable, '-m', __name__, str(settings_file)]
        log_path = log_dir / f'worker_{index}.log'
        log = open(log_path, 'a', encoding='utf-8')
        logs.append(log)
        # an argument list, never a shell string: paths may hold spaces.
        # Its own session: a terminal's Ctrl-C reaches only this parent,
        # which passes it on once (a second SIGINT could cut off Optuna's
        # FAIL write for the interrupted trial)
        procs.append(subprocess.Popen(args, stdout=log,
                                      stderr=subprocess.STDOUT,
                                      env=worker_env(index, workers,
                                                     settings.storage),
                                      start_new_session=True))
        print(f'[sweep] worker {index} (pid {procs[-1].pid}): '
              f'{share if share is not None else "unlimited"} trials, '
              f'log {log_path}', file=sys.stderr)
    def interrupted(signum, frame):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupted)
    last = None
    try:
        while True:
            running = [proc for proc in procs if proc.poll() is None]
            if not running:
                break
            # wait on a worker rather than sleep: the sweep ends as soon
            # as its last worker does, not up to poll_seconds later
            try:
                running[0].wait(timeout=poll_seconds)
            except subprocess.TimeoutExpired:
                pass
            line = _status(study)
            if line != last:
                print(line, file=sys.stderr)
                last = line
    except BaseException:
        # Ctrl-C, SIGTERM, or a failure here: never leave workers orphaned
        for proc in procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGINT)
        for proc in procs:
            proc.wait()
        raise
    finally:
        signal.signal(signal.SIGTERM, previous)
        for log in logs:
            log.close()
    codes = [proc.returncode for proc in procs]
    for index, code in enumerate(codes):
        if code:
            print(f'[sweep] worker {index} exited with status {code}; see '
                  f'{log_dir}/worker_{index}.log', file=sys.stderr)
    # a worker killed by a signal has a negative code: 128 + signal, as a
    # shell reports it
    return next((code if code > 0 else 128 - code
                 for code in codes if code), 0)


def main(argv: Optional[List[str]] = None) -> int:
    """One worker process: run the trials of the settings file given. Its
    exit status is 0 unless it crashed: whether the sweep failed is for the
    command to judge over every worker's trials."""
    import argparse

    from ..register import register_all_modules
    from .study import run_worker
    parser = argparse.ArgumentParser(
        description='One sweep worker (started by tools/sweep.py --workers '
        'K): runs the trials of a settings file.')
    parser.add_argument('settings', help='worker_<i>.json in the study '
                        'folder')
    args = parser.parse_args(argv)
    with open(args.settings, encoding='utf-8') as handle:
        settings = SweepSettings.from_json(handle.read())
    settings.storage = worker_storage(settings.storage)
    register_all_modules()
    run_worker(settings)
    return 0


if __name__ == '__main__':
    from ..cli import run_cli
    run_cli(main)
