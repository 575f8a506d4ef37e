"""Run records: every figure the README and ``docs/`` show comes from one.

A record is a JSON file under ``docs/results/`` written by the command that
measured its figures, never by hand::

    {"command": "make demo", "commit": "5c4a323", "date": "2026-12-05",
     "machine": {"cpu": "AMD EPYC ...", "cores": 2, ...},
     "probe": {...},            # with times only: see cpu_probe
     "figures": {...}}

:mod:`dance_style.render` puts the figures into the Markdown between
markers, and a test fails when a rendered block differs from its render.

Times from two machines of the same kind differ by up to 2x, so a record of
times carries a fixed CPU probe taken with them (:func:`cpu_probe`): a
reader compares times as ratios on one machine, or scales by the probe.
"""
import datetime
import json
import os
import platform
import shlex
import subprocess
import sys
import time
from pathlib import Path
from typing import Dict, Optional, Sequence, Union

from .errors import DanceStyleError
from .fileio import write_text_atomic
from .resources import REPO_ROOT

RESULTS = REPO_ROOT / 'docs' / 'results'
# CPU features that change which kernels oneDNN runs (docs/precision.md)
FLAGS = ('avx2', 'avx512f', 'avx512_bf16', 'amx_tile', 'amx_bf16')


def commit() -> str:
    """The checkout's short commit, with ``+uncommitted changes`` when a
    tracked file differs from it (a record of such a run says so). What
    is under ``docs/`` does not count: the pages and the records of
    ``docs/results/`` are what runs write and describe, not what they
    run, and a benchmark run after another would otherwise be called
    uncommitted for its predecessor's record."""
    def git(*args):
        return subprocess.run(['git', '-C', str(REPO_ROOT), *args],
                              capture_output=True, text=True)
    head = git('rev-parse', '--short', 'HEAD')
    if head.returncode:
        return 'unknown (not a git checkout)'
    dirty = git('status', '--porcelain', '--untracked-files=no', '--', '.',
                ':(exclude)docs').stdout
    return head.stdout.strip() + ('+uncommitted changes' if dirty else '')


def _cpu_info() -> Dict[str, str]:
    try:
        text = Path('/proc/cpuinfo').read_text()
    except OSError:
        return {}
    info = {}
    for line in text.splitlines():
        if ':' in line:
            key, value = line.split(':', 1)
            info.setdefault(key.strip(), value.strip())
    return info


def machine() -> Dict:
    """What ran it: CPU model, cores this process may use, the CPU features
    that pick oneDNN's kernels, memory, GPU, torch."""
    import torch
    info = _cpu_info()
    flags = set(info.get('flags', '').split())
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cores = os.cpu_count()
    try:
        pages = os.sysconf('SC_PHYS_PAGES') * os.sysconf('SC_PAGE_SIZE')
        memory = round(pages / 2**30, 1)
    except (ValueError, OSError, AttributeError):
        memory = None
    return dict(
        cpu=info.get('model name') or platform.processor() or
        platform.machine(),
        cores=cores,
        cpu_flags=[f for f in FLAGS if f in flags],
        memory_gib=memory,
        gpu=(torch.cuda.get_device_name(0) if torch.cuda.is_available()
             else None),
        torch=torch.__version__,
        onednn_max_cpu_isa=os.environ.get('ONEDNN_MAX_CPU_ISA'))


def cpu_probe(seconds: float = 1.0, size: int = 512) -> Dict:
    """A fixed workload taken beside a timing: float32 matrix products of
    ``size`` x ``size`` for about ``seconds`` on one thread and on all of
    them, in GFLOP/s. Two records' times compare by the ratio of their
    probes, not by their machines' names."""
    import torch
    a = torch.randn(size, size)
    b = torch.randn(size, size)
    threads = torch.get_num_threads()

    def rate(n_threads):
        torch.set_num_threads(n_threads)
        torch.mm(a, b)  # warm-up: first call allocates
        done, start = 0, time.perf_counter()
        while time.perf_counter() - start < seconds:
            torch.mm(a, b)
            done += 1
        elapsed = time.perf_counter() - start
        return round(done * 2 * size**3 / elapsed / 1e9, 1)

    try:
        return dict(workload=f'float32 {size}x{size} matmul, torch.mm',
                    gflops_1_thread=rate(1),
                    gflops_all_threads=rate(threads), threads=threads,
                    load_average=[round(x, 2) for x in os.getloadavg()])
    finally:
        torch.set_num_threads(threads)


def command_line(argv: Optional[Sequence[str]] = None,
                 program: Optional[str] = None) -> str:
    """The command as a user would type it again."""
    argv = list(sys.argv if argv is None else argv)
    if program is not None:
        argv = [program, *argv]
    elif argv and argv[0].endswith('.py'):
        argv = ['python', _relative(argv[0]), *argv[1:]]
    return shlex.join(argv)


def _relative(path: str) -> str:
    try:
        return str(Path(path).resolve().relative_to(REPO_ROOT))
    except ValueError:
        return path


def make_record(figures: Dict, command: str, timed: bool = False,
                probe: Optional[Dict] = None) -> Dict:
    """A record of ``figures`` measured by ``command`` here and now;
    ``timed``: the figures include times, so a CPU probe goes with them
    (``probe``: one taken before the timing, else it is taken now)."""
    record = dict(
        command=command, commit=commit(),
        date=datetime.datetime.now(datetime.timezone.utc).strftime(
            '%Y-%m-%d %H:%M UTC'),
        machine=machine())
    if timed:
        record['probe'] = probe or cpu_probe()
    record['figures'] = figures
    return record


def record_path(name: Union[str, Path]) -> Path:
    """``docs/results/NAME.json`` for a bare name (no folder, no suffix); a
    path stays a path."""
    path = Path(name)
    if path.suffix or len(path.parts) > 1:
        return path
    return RESULTS / f'{name}.json'


def write_record(name: Union[str, Path], figures: Dict, command: str,
                 timed: bool = False, probe: Optional[Dict] = None) -> Path:
    """Write the record ``name`` (atomically); returns its path."""
    path = record_path(name)
    path.parent.mkdir(parents=True, exist_ok=True)
    record = make_record(figures, command, timed=timed, probe=probe)
    write_text_atomic(path, json.dumps(record, indent=1, default=str) + '\n')
    return path


def read_record(name: Union[str, Path]) -> Dict:
    """The record ``name``, with a clear error when it is missing or not a
    record."""
    path = record_path(name)
    try:
        record = json.loads(path.read_text(encoding='utf-8'))
    except FileNotFoundError:
        raise DanceStyleError(f'no run record {path}: the command that '
                              'measures it writes it') from None
    except json.JSONDecodeError as error:
        raise DanceStyleError(f'{path} is not valid JSON: {error}') from None
    missing = {'command', 'commit', 'date', 'machine', 'figures'} - set(record)
    if missing:
        raise DanceStyleError(f'{path} is not a run record: no '
                              f'{", ".join(sorted(missing))}')
    return record
