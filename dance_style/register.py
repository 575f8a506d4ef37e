"""Register the project's modules into mmaction's registries, as
mmaction's own ``register_all_modules()``.

Every config's ``custom_imports`` (``configs/_base_/default_runtime.py``)
names this module once, and every tool calls :func:`register_all_modules`
first; it is idempotent, so package functions that build from the
registries without a config call it too. Importing ``dance_style`` alone
registers nothing and imports neither torch nor mmaction, so data
preparation and the synthetic renderer stay light.
"""
import importlib

# The modules whose import registers something, each into mmaction's
# registries: datasets and transforms, metrics, hooks, models, the CPU
# distributed wrapper and the sweep's pruning hook (which imports optuna only
# when a trial uses it).
MODULES = (
    'dance_style.datasets',  # DanceVideoDataset, DanceRawframeDataset
    'dance_style.transforms',  # GaussianNoise, FlowFlip
    'dance_style.stream_transforms',  # PyAVStreamInit, PyAVStreamDecode
    'dance_style.metrics',  # PerClassReport, ValidationLoss, ...
    'dance_style.hooks',  # ProgressBarHook, EpochLossHook, ...
    'dance_style.randomness',  # RandomStateHook, seed_worker_per_epoch
    'dance_style.precision',  # CPUAutocastOptimWrapper
    'dance_style.nonfinite',  # NonFiniteHook
    'dance_style.transfer',  # TransferSummaryHook
    'dance_style.kinetics_heads',  # KineticsHeadHook, CoveredClassesMetric
    'dance_style.distributed',  # CPUDistributedDataParallel
    'dance_style.models',  # InceptionI3d, ResNet3dIdentityNL
    'dance_style.sweep.hook',  # OptunaPruningHook
)


def register_all_modules(init_default_scope: bool = True) -> None:
    """Apply the install fixes of :mod:`dance_style.compat` and the cached
    config formatting of :mod:`dance_style.config_text`, then import every
    module that registers a component; safe to call many times.

    Args:
        init_default_scope (bool): Also make ``mmaction`` the default
            registry scope, as mmaction's function does (a Runner sets it
            from the config's ``default_scope``; code that builds from the
            registries without a Runner needs it). Defaults to True.
    """
    from . import compat
    compat.apply()  # before anything imports mmaction.models
    from .config_text import memoize_config_formatting
    memoize_config_formatting()
    for name in MODULES:
        importlib.import_module(name)
    if init_default_scope:
        from mmengine.registry import init_default_scope as init_scope
        init_scope('mmaction')


# What ``custom_imports = dict(imports=['dance_style.register'])`` is for.
register_all_modules(init_default_scope=False)
