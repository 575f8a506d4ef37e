"""Fixes that a fresh install of the pinned stack needs, and nothing else.

Applied by :func:`dance_style.register.register_all_modules` (which every
tool calls and every config names in ``custom_imports``) before mmaction's
models are imported. They repair the install; none changes what a model
learns. (Changes of training behaviour are registered components that the
configs name: ``ResNet3dIdentityNL`` in ``dance_style/models/resnet3d.py``
and ``FlowFlip`` in ``dance_style/transforms.py``.) Each fix is idempotent
and is shown failing without it and working with it in
``tests/test_compat.py``.

1. mmaction2 1.2.0's wheel lacks ``mmaction/models/localizers/drn``
   (upstream issue #2714), so ``import mmaction.models`` fails. We put stub
   modules in ``sys.modules``; the DRN localizer is the only thing lost.
2. torch >= 2.6 loads checkpoints with ``weights_only=True``, and mmengine
   0.10.7 calls ``torch.load`` without the argument while pickling its
   message hub (``HistoryBuffer``, numpy scalars/arrays) into every
   checkpoint it saves. We keep ``weights_only=True`` and allow-list exactly
   those globals, with a ``getattr`` that may only fetch ``HistoryBuffer``'s
   statistic methods. Never a global opt-out.
3. torchvision has no CPU build that imports with torch 2.13 here; a broken
   install raises ``RuntimeError`` at import, which mmengine's
   ``except ModuleNotFoundError`` guards do not catch. Nothing in this project
   needs torchvision, so its import is refused with a ModuleNotFoundError.
   Set ``DANCE_STYLE_ALLOW_TORCHVISION=1`` to let a working one through.
4. mmaction2's ``ColorJitter.adjust_hue`` adds a negative int to a uint8
   array, which numpy >= 2 refuses (``OverflowError: Python integer -10 out
   of bounds for uint8``) whenever the drawn hue shift is negative, i.e.
   half the time. We compute the shift in int16, as the function meant.
"""
import importlib.abc
import importlib.util
import os
import sys
import types
import warnings

_APPLIED = False

# ----------------------------------------------------------------------------
# 1. The missing DRN localizer


def _drn_folder_exists() -> bool:
    """True when the installed mmaction ships the drn folder (e.g. a fixed
    release); ``find_spec`` on the top-level name does not import mmaction."""
    spec = importlib.util.find_spec('mmaction')
    if spec is None or not spec.submodule_search_locations:
        return True  # no mmaction at all: nothing to patch
    return any(
        os.path.isdir(os.path.join(loc, 'models', 'localizers', 'drn'))
        for loc in spec.submodule_search_locations)


class _MissingDRN:
    """Stand-in for ``mmaction.models.localizers.drn.drn.DRN``."""

    def __init__(self, *args, **kwargs):
        raise RuntimeError(
            'The DRN localizer is not shipped in the mmaction2 1.2.0 wheel '
            '(upstream issue #2714); dance_style stubs it out. Install '
            'mmaction2 from source if you need DRN.')


def install_drn_stub() -> bool:
    """Register stub ``drn`` modules unless the real ones exist.

    Returns True when stubs were installed.
    """
    name = 'mmaction.models.localizers.drn'
    if name in sys.modules or _drn_folder_exists():
        return False
    package = types.ModuleType(name)
    package.__path__ = []  # marks it as a package for the import system
    module = types.ModuleType(name + '.drn')
    module.DRN = _MissingDRN
    package.drn = module
    sys.modules[name] = package
    sys.modules[name + '.drn'] = module
    return True


# ----------------------------------------------------------------------------
# 2. weights_only checkpoint loading with an explicit allow-list


def _history_buffer_getattr(obj, name):
    """The only ``getattr`` a checkpoint may call.

    mmengine pickles ``HistoryBuffer.statistics_methods`` (a dict of its
    methods) as ``getattr(HistoryBuffer, 'mean')`` and so on. Allowing the
    builtin would let a checkpoint read any attribute of any allowed object;
    this version allows exactly that one lookup.
    """
    from mmengine.logging.history_buffer import HistoryBuffer
    if obj is HistoryBuffer and not name.startswith('_') and callable(
            getattr(HistoryBuffer, name, None)):
        return getattr(HistoryBuffer, name)
    import pickle
    raise pickle.UnpicklingError(
        f'checkpoint asks for getattr({obj!r}, {name!r}), which is not on '
        "dance_style's allow-list; refusing to load it")


def checkpoint_safe_globals() -> list:
    """The globals mmengine 0.10.7 writes into checkpoints, and nothing else.

    Found with ``torch.serialization.get_unsafe_globals_in_checkpoint`` on a
    checkpoint saved by the Runner: ``HistoryBuffer``, ``builtins.getattr``,
    ``numpy.dtype``, ``numpy.ndarray``, ``numpy._core.multiarray.scalar``
    and ``_reconstruct`` (``tests/test_compat.py`` lists them again on a
    fresh checkpoint), the last two also under numpy 1.x's names.
    """
    import numpy as np
    from mmengine.logging.history_buffer import HistoryBuffer
    try:  # numpy >= 2 moved these to numpy._core
        from numpy._core.multiarray import _reconstruct, scalar
    except ImportError:  # pragma: no cover - numpy 1.x
        from numpy.core.multiarray import _reconstruct, scalar
    return [
        HistoryBuffer,
        (_history_buffer_getattr, 'builtins.getattr'),
        scalar,
        _reconstruct,
        # the same two under numpy 1.x's module name: checkpoints saved with
        # numpy < 2 pickle numpy.core.multiarray.*, which numpy 2 still
        # resolves (a deprecated alias); only these two names are added
        (scalar, 'numpy.core.multiarray.scalar'),
        (_reconstruct, 'numpy.core.multiarray._reconstruct'),
        np.ndarray,
        np.dtype,
        *numeric_dtype_classes(),
    ]


def numeric_dtype_classes() -> list:
    """The classes of numpy's numeric dtypes (``numpy.dtypes.Float64DType``
    ...).

    Unpickling ``np.dtype('f8')`` builds an instance of such a class, and
    torch's weights_only unpickler checks that class too; the logged scalars
    of a run are float64 or int64, the rest cover other metrics. Object and
    string dtypes are left out on purpose: nothing mmengine logs needs them.
    """
    import numpy as np
    codes = '?bBhHiIlLqQefdg'  # bool, signed/unsigned ints, floats
    return sorted({type(np.dtype(code)) for code in codes},
                  key=lambda cls: cls.__name__)


def allow_mmengine_checkpoints() -> None:
    """Add mmengine's checkpoint globals to torch's weights_only allow-list."""
    import torch
    torch.serialization.add_safe_globals(checkpoint_safe_globals())


# ----------------------------------------------------------------------------
# 3. No torchvision at run time


class _RefuseTorchvision(importlib.abc.MetaPathFinder):
    """Makes ``import torchvision`` raise ModuleNotFoundError."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname == 'torchvision' or fullname.startswith('torchvision.'):
            raise ModuleNotFoundError(
                "No module named 'torchvision' (dance_style refuses it: no "
                'build imports with the pinned torch; set '
                'DANCE_STYLE_ALLOW_TORCHVISION=1 to allow a working one)',
                name=fullname)
        return None


def refuse_torchvision() -> bool:
    """Install the import refusal unless the user opted out."""
    if os.environ.get('DANCE_STYLE_ALLOW_TORCHVISION') == '1':
        return False
    if 'torchvision' in sys.modules:  # imported before us: leave it alone
        return False
    if not any(isinstance(f, _RefuseTorchvision) for f in sys.meta_path):
        sys.meta_path.insert(0, _RefuseTorchvision())
    return True


# ----------------------------------------------------------------------------
# 4. ColorJitter's hue shift under numpy 2


def _adjust_hue(img, factor):
    """mmaction2's ``ColorJitter.adjust_hue`` with the arithmetic in int16:
    OpenCV's 8-bit hue runs 0..179, shifted by ``int(factor * 255)`` and
    wrapped, exactly as upstream intended."""
    import cv2
    import numpy as np
    img = np.clip(img, 0, 255).astype(np.uint8)
    hsv = cv2.cvtColor(img, cv2.COLOR_RGB2HSV)
    offset = int(factor * 255)
    hsv[..., 0] = ((hsv[..., 0].astype(np.int16) + offset) % 180).astype(
        np.uint8)
    return cv2.cvtColor(hsv, cv2.COLOR_HSV2RGB).astype(np.float32)


def fix_color_jitter_hue() -> bool:
    """Replace ``ColorJitter.adjust_hue`` with :func:`_adjust_hue`."""
    from mmaction.datasets.transforms.processing import ColorJitter
    if ColorJitter.adjust_hue is _adjust_hue:
        return False
    ColorJitter.adjust_hue = staticmethod(_adjust_hue)
    return True


def quiet_known_warnings() -> None:
    """mmcv-lite warns at import that ``MultiScaleDeformableAttention`` (a
    compiled op that only the full mmcv builds) is missing; no model of this
    project uses it."""
    warnings.filterwarnings(
        'ignore', message='Fail to import ``MultiScaleDeformableAttention``')


def apply() -> None:
    """Apply every fix once; safe to call many times."""
    global _APPLIED
    if _APPLIED:
        return
    quiet_known_warnings()
    refuse_torchvision()
    install_drn_stub()
    allow_mmengine_checkpoints()
    fix_color_jitter_hue()
    _APPLIED = True
