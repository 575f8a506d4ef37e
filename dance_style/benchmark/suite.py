"""How long the test suite takes (``tools/time_suite.py``).

Runs a test command (default ``make test``) with its output passed through,
times it by the wall clock, reads pytest's final summary line (``312
passed, 4 skipped in 501.2s``) and writes the run record
``docs/results/suite.json`` (:mod:`dance_style.records`), with the CPU
probe taken before the run: a suite's time says little without the speed of
the machine beside it.

A failed run writes no record unless asked (``keep_failed``): the time the
docs quote is that of a suite that passed.
"""
import collections
import re
import shlex
import subprocess
import sys
import time
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Sequence, Tuple, Union

from .. import records
from ..errors import DanceStyleError

DEFAULT_COMMAND = ('make', 'test')
# pytest's last line, with or without -q and the '=' rule around it:
# "==== 3 failed, 310 passed, 4 skipped in 501.23s (0:08:21) ===="
SUMMARY = re.compile(r'(?P<counts>\d+ [a-z]+(?:, \d+ [a-z]+)*|no tests ran)'
                     r' in (?P<seconds>[\d.]+)s\b')
COUNT = re.compile(r'(\d+) ([a-z]+)')
ANSI = re.compile(r'\x1b\[[0-9;]*m')  # --color=yes
# pytest writes "1 error" and "2 errors", "1 warning" and "2 warnings"
PLURAL = {'error': 'errors', 'warning': 'warnings'}
TAIL_LINES = 200  # the summary is the last line; keep room for what follows


def parse_summary(lines: Iterable[str]) -> Dict:
    """The counts of pytest's last summary line among ``lines``
    (``passed``, ``failed``, ``skipped``, ``errors``, and any other it
    names) and the line itself; raises when there is none."""
    found = None
    for line in lines:
        line = ANSI.sub('', line).strip()
        if SUMMARY.search(line):
            found = line
    if found is None:
        raise DanceStyleError('no pytest summary line ("N passed ... in '
                              'S s") in the output: did the command run '
                              'pytest to the end?')
    counts = dict(passed=0, failed=0, skipped=0, errors=0)
    for number, word in COUNT.findall(SUMMARY.search(found)['counts']):
        counts[PLURAL.get(word, word)] = int(number)
    return dict(counts, summary_line=found.strip('= '))


def run_timed(command: Sequence[str], cwd: Optional[Path] = None
              ) -> Tuple[float, int, List[str]]:
    """Run ``command``, its output passed through to ours as it comes;
    returns (wall seconds, exit status, its last lines)."""
    tail: collections.deque = collections.deque(maxlen=TAIL_LINES)
    started = time.perf_counter()
    try:
        proc = subprocess.Popen(list(command), stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True,
                                errors='replace', cwd=cwd)
    except FileNotFoundError:
        raise DanceStyleError(f'{command[0]}: no such command') from None
    with proc:
        for line in proc.stdout:
            sys.stdout.write(line)
            tail.append(line)
    seconds = time.perf_counter() - started
    sys.stdout.flush()
    return seconds, proc.returncode, list(tail)


def time_suite(command: Sequence[str] = DEFAULT_COMMAND,
               out: Union[str, Path] = 'suite', record_command: str = '',
               keep_failed: bool = False,
               cwd: Optional[Path] = None) -> Tuple[Path, Dict]:
    """Time ``command`` and write its record ``out`` (a name under
    docs/results/ or a .json path); returns (the record's path, its
    figures). ``record_command``: the command that made the record, as
    the user typed it. A failed run (non-zero exit, or a failure or error
    in the summary) raises without writing, unless ``keep_failed``."""
    probe = records.cpu_probe()  # before the run, on an idle process
    seconds, code, tail = run_timed(command, cwd)
    figures = dict(
        # named for the default command; command_run says what ran
        make_test_seconds=round(seconds, 1), **parse_summary(tail),
        command_run=shlex.join(command), exit_code=code)
    failed = code != 0 or figures['failed'] or figures['errors']
    if failed and not keep_failed:
        raise DanceStyleError(
            f'{figures["command_run"]} failed (exit status {code}: '
            f'{figures["summary_line"]}); no record written (--keep-failed '
            'writes one anyway)')
    path = records.write_record(out, figures,
                                record_command or figures['command_run'],
                                timed=True, probe=probe)
    return path, figures
