"""Dance-style video classification on MMAction2.

Importing this package first applies the fixes a fresh install of the pinned
stack needs (``dance_style.compat``), then registers the project's modules
into mmaction's registries. Configs reach it through
``custom_imports = dict(imports=['dance_style'])``.
"""
from . import compat

compat.apply()

# Registration happens on import; these must come after compat.apply().
from . import datasets, distributed, hooks, metrics, transforms  # noqa: E402,F401
from . import models, transfer  # noqa: E402,F401  InceptionI3d, TransferSummaryHook
from .sweep import hook as _sweep_hook  # noqa: E402,F401  OptunaPruningHook
from .classes import DANCE19_CLASSES, NUM_CLASSES  # noqa: E402
from .errors import DanceStyleError  # noqa: E402

__version__ = '0.1.0'
__all__ = ['DANCE19_CLASSES', 'NUM_CLASSES', 'DanceStyleError', '__version__']
