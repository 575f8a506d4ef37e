"""The tools as a user runs them, ``python tools/<script> args`` from the
repository root, for the tests."""
import os
import subprocess
import sys
from pathlib import Path

from .forked_tools import run_forked, start_forked
from .suite import REPO


def _tool_env(env):
    """This process's environment with ``env`` on top (None removes)."""
    full_env = dict(os.environ)
    for key, value in (env or {}).items():
        if value is None:
            full_env.pop(key, None)
        else:
            full_env[key] = value
    full_env.setdefault('PYTHONUNBUFFERED', '1')
    return full_env


def run_tool(*args, check=True, timeout=900, env=None, fresh=False):
    """Run ``python tools/<args>`` from the repo root; returns the
    CompletedProcess with text stdout/stderr.

    The process is forked from a server that has imported the heavy
    libraries already (:mod:`.forked_tools`: 4-6 s saved per run);
    ``fresh=True`` starts a bare interpreter instead."""
    full_env = _tool_env(env)
    if fresh:
        proc = subprocess.run(
            [sys.executable, *map(str, args)], cwd=REPO, capture_output=True,
            text=True, timeout=timeout, env=full_env)
    else:
        proc = run_forked(args, cwd=REPO, env=full_env, timeout=timeout)
    if check and proc.returncode != 0:
        raise AssertionError(
            f'{args} exited {proc.returncode}\nstdout:\n{proc.stdout[-4000:]}'
            f'\nstderr:\n{proc.stderr[-4000:]}')
    return proc


def start_tool(*args, log: Path, env=None):
    """Start ``python tools/<args>`` from the repo root, forked from the
    tool server as :func:`run_tool` does, with stdout and stderr into
    ``log``; returns the running process (``pid``, ``send_signal``,
    ``wait``), for tests that act on it while it runs."""
    return start_forked(args, cwd=REPO, env=_tool_env(env), log=log)
