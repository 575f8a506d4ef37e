"""Run tools to the point where they register, in processes that have not
registered anything: ``python tests/support/register_probe.py RUNS LOGS``.

RUNS is a JSON list of ``[script, *args]``; each run is a process forked
from this one with ``dance_style.register`` replaced by a stand-in whose
``register_all_modules()`` ends the run (exit status 0) at its first call.
A run that exits or fails before that call, or finishes without it, ends
with another status (below), its output in ``LOGS/<index>.log``. Prints
the statuses as a JSON list.

Unlike the tool server of the other tests (forked_tools.py), this process
has neither applied the install fixes (dance_style.compat) nor imported
mmengine or mmaction: a tool that builds anything before it registers
fails here as on a user's machine. It has imported torch, which most tools
import first anyway (1-2 s saved per run); no install fix lives in torch's
import, only in compat.apply().
"""
import json
import os
import runpy
import sys
import traceback
import types

import torch  # noqa: F401  (the one preload: see the docstring)

REGISTERED, EXITED, RAISED, FINISHED = 0, 3, 4, 5


class Registered(BaseException):
    """Raised by the stand-in register_all_modules: the run is done."""


def _register_all_modules(init_default_scope=True):
    raise Registered


def run(script: str, args: list, log: str) -> None:
    """The forked child: become ``python script args`` until it registers;
    never returns."""
    stand_in = types.ModuleType('dance_style.register')
    stand_in.register_all_modules = _register_all_modules
    sys.modules['dance_style.register'] = stand_in
    fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    sys.argv = [script, *args]
    code = FINISHED
    try:
        runpy.run_path(script, run_name='__main__')
    except Registered:
        code = REGISTERED
    except SystemExit as done:
        print(f'exited with {done.code!r} before registering')
        code = EXITED
    except BaseException:
        traceback.print_exc()
        code = RAISED
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def main() -> None:
    runs, logs = json.loads(sys.argv[1]), sys.argv[2]
    children = {}
    for index, (script, *args) in enumerate(runs):
        pid = os.fork()
        if pid == 0:
            run(script, args, os.path.join(logs, f'{index}.log'))
        children[pid] = index
    codes = {}
    while children:
        pid, status = os.wait()
        codes[children.pop(pid)] = os.waitstatus_to_exitcode(status)
    print(json.dumps([codes[index] for index in range(len(runs))]))


if __name__ == '__main__':
    main()
