"""Run ``python tools/<script> args`` for the tests without paying for the
interpreter's imports each time.

A test suite that drives the tools as a user does starts a tool process
about 80 times, and each fresh interpreter spends 4-6 s on 2 CPU cores
importing torch, mmengine and mmaction before the tool does anything.
Python's own ``multiprocessing`` forkserver starts one server process per
pytest worker, which imports those libraries once (tool_preload.py, beside
this file); every tool run is then a new process forked from it, with its
own argv, working directory, environment, stdout and stderr files and exit
status, running the script as ``__main__`` exactly as ``python script``
would. The server has run no tensor operation, so no
OpenMP thread pool is copied into the children.

What a forked run does not repeat is the import of those libraries and of
the install fixes; the project's own modules are imported by each run.
Tests that need a bare interpreter (the install fixes themselves, imports
that must stay light, distributed launchers) start one with ``subprocess``.
"""
import multiprocessing
import os
import subprocess
import sys
import tempfile
from multiprocessing import forkserver
from pathlib import Path
from typing import Dict, List, Optional

PRELOAD = 'support.tool_preload'  # tests/support/tool_preload.py
_CONTEXT = None
_FRESH_PATH: Optional[List[str]] = None  # sys.path[1:] of a bare interpreter


def _context():
    """The forkserver context, its server started with the preload."""
    global _CONTEXT, _FRESH_PATH
    if _CONTEXT is None:
        # what `python script` would have on sys.path after the script's
        # folder (the pytest worker's own path has tests/ and more)
        _FRESH_PATH = subprocess.run(
            [sys.executable, '-c', 'import sys; print("\\n".join('
             'sys.path[1:]))'], capture_output=True, text=True,
            check=True).stdout.splitlines()
        context = multiprocessing.get_context('forkserver')
        context.set_forkserver_preload([PRELOAD])
        # The server imports the preload with its own sys.path (Python 3.11
        # does not pass it the parent's) and skips a module it cannot find
        # without a word: put tests/, the folder above this package, on it
        # while it starts. _run_script checks that the preload happened.
        before = os.environ.get('PYTHONPATH')
        os.environ['PYTHONPATH'] = os.pathsep.join(
            [str(Path(__file__).parents[1]), *([before] if before else [])])
        try:
            forkserver.ensure_running()
        finally:
            if before is None:
                del os.environ['PYTHONPATH']
            else:
                os.environ['PYTHONPATH'] = before
        _CONTEXT = context
    return _CONTEXT


def _exit_code(code) -> int:
    """The status ``sys.exit(code)`` gives a process."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return 1


def _run_script(script: str, args: List[str], cwd: str, env: Dict[str, str],
                stdout_path: str, stderr_path: str,
                sys_path: List[str]) -> None:
    """The forked child: become ``python script args`` and exit with its
    status. Runs in the process the forkserver forked."""
    import atexit
    import runpy
    import traceback

    import numpy as np

    os.chdir(cwd)
    os.environ.clear()
    os.environ.update(env)
    # the same sys.stdout and sys.stderr objects, on new files: libraries
    # hold them (mmengine's log handler, made when the server imported it,
    # writes to this sys.stdout, and tools check `stream is sys.stdout`)
    for stream, fd, path in ((sys.stdout, 1, stdout_path),
                             (sys.stderr, 2, stderr_path)):
        stream.flush()
        if fd == 2 and path == stdout_path:  # stderr=subprocess.STDOUT
            os.dup2(1, 2)
        else:
            file_fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC,
                              0o600)
            os.dup2(file_fd, fd)
            os.close(file_fd)
        stream.reconfigure(line_buffering=True)
    if PRELOAD not in sys.modules:  # else every run pays for imports
        print('tests/support/forked_tools.py: the tool server did not '
              f'import {PRELOAD}; import it alone to see why',
              file=sys.stderr, flush=True)
        os._exit(70)
    if env.get('OMP_NUM_THREADS', '').isdigit():
        # a fresh interpreter's OpenMP reads it when torch loads; the
        # server loaded torch before this run's environment existed
        import torch
        torch.set_num_threads(int(env['OMP_NUM_THREADS']))
    sys.argv = [script, *args]
    script_dir = os.path.dirname(os.path.abspath(script))
    sys.path[:] = [script_dir, *sys_path]
    # a fresh interpreter seeds numpy's global generator from the OS; a
    # forked one would repeat the server's state in every run (Python's
    # random module reseeds itself after a fork)
    np.random.seed()
    code = 0
    try:
        runpy.run_path(script, run_name='__main__')
    except SystemExit as done:
        code = _exit_code(done.code)
    except BaseException:  # what the interpreter prints for an uncaught one
        traceback.print_exc()
        code = 1
    finally:
        atexit._run_exitfuncs()  # logging.shutdown and the like, as at exit
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (OSError, ValueError):
                pass
    os._exit(code)


class ForkedTool:
    """A tool process forked from the server, as ``subprocess.Popen`` with
    stdout and stderr going to files: ``pid``, ``send_signal``, ``wait``."""

    def __init__(self, args, cwd: Path, env: Dict[str, str],
                 stdout_path: Path, stderr_path: Path):
        script, *rest = (str(a) for a in args)
        self.args = [sys.executable, script, *rest]
        self._process = _context().Process(
            target=_run_script, name=f'tool {script}',
            args=(script, rest, str(cwd), dict(env), str(stdout_path),
                  str(stderr_path), _FRESH_PATH))
        self._process.start()
        self.pid = self._process.pid

    def send_signal(self, signum: int) -> None:
        os.kill(self.pid, signum)

    def wait(self, timeout: Optional[float] = None) -> int:
        """The exit status (``-N`` for signal N), as ``Popen.wait``;
        ``subprocess.TimeoutExpired`` if it runs longer (left running)."""
        self._process.join(timeout)
        if self._process.exitcode is None:
            raise subprocess.TimeoutExpired(self.args, timeout)
        return self._process.exitcode

    def kill(self) -> None:
        self._process.kill()
        self._process.join()


def start_forked(args, cwd: Path, env: Dict[str, str], log: Path
                 ) -> ForkedTool:
    """``subprocess.Popen([sys.executable, *args], stdout=log,
    stderr=subprocess.STDOUT, ...)`` with the process forked from the tool
    server: a run the test signals or waits for while it goes on."""
    return ForkedTool(args, cwd, env, log, log)


def run_forked(args, cwd: Path, env: Dict[str, str],
               timeout: float) -> subprocess.CompletedProcess:
    """``subprocess.run([sys.executable, *args], capture_output=True,
    text=True, ...)``, with the process forked from the tool server.
    Raises ``subprocess.TimeoutExpired`` as ``subprocess.run`` does."""
    with tempfile.TemporaryDirectory(prefix='tool run ') as folder:
        out, err = (os.path.join(folder, name) for name in ('out', 'err'))
        process = ForkedTool(args, cwd, env, out, err)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            raise
        texts = []
        for path in (out, err):  # absent if it died before opening them
            if os.path.exists(path):
                with open(path, encoding='utf-8', errors='replace') as handle:
                    texts.append(handle.read())
            else:
                texts.append('')
    return subprocess.CompletedProcess(process.args, process.wait(), *texts)
