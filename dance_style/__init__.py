"""Dance-style video classification on MMAction2.

Importing the package is cheap: it imports neither torch nor mmaction, so
data preparation and the synthetic renderer start in milliseconds.
Everything that registers into mmaction's registries is imported by
:func:`dance_style.register.register_all_modules`, which every tool calls
once and every config names in ``custom_imports``; docs/architecture.md
has the layers.
"""
from .classes import DANCE19_CLASSES, NUM_CLASSES
from .errors import DanceStyleError

__version__ = '0.1.0'
__all__ = ['DANCE19_CLASSES', 'NUM_CLASSES', 'DanceStyleError', '__version__']
