"""What the tool server (forked_tools.py, beside this file) imports once,
before it forks a process per tool run: the install fixes every tool
applies first (dance_style.compat, e.g. the DRN stub without which
mmaction.models does not import) and the third-party libraries behind them
(~4-6 s of imports per fresh interpreter on 2 CPU cores).

Not the project's own registering modules (dance_style.datasets, .models,
.hooks, ...): each forked run imports those itself, through the tool's own
register_all_modules(). The install fixes are applied already, though, so
a tool that imported mmaction before registering would pass here:
tests/test_tools_register.py runs every tool in a fresh interpreter to
that point, and tests/test_compat.py checks the fixes themselves in fresh
interpreters.
"""
from dance_style import compat

compat.apply()

# the order of a tool's own imports: torch, mmengine, mmaction, then the
# libraries of the data path, the plots and the sweeps
import torch  # noqa: E402,F401
import mmengine.runner  # noqa: E402,F401
import mmaction.datasets  # noqa: E402,F401
import mmaction.evaluation  # noqa: E402,F401
import mmaction.models  # noqa: E402,F401
import cv2  # noqa: E402,F401
import decord  # noqa: E402,F401
import scipy.stats  # noqa: E402,F401
import matplotlib  # noqa: E402,F401  (not pyplot: the backend stays unset)
import optuna  # noqa: E402,F401
# what a training run imports on its way (measured 2026-12-05 after the
# imports above: 0.47 s and 0.17 s of each run): torch's optimizers import
# torch._dynamo when the first one is built; the curves and the confusion
# matrix draw on matplotlib's figures
import torch._dynamo  # noqa: E402,F401
import matplotlib.figure  # noqa: E402,F401
