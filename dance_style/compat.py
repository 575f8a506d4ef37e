"""Fixes that a fresh install of the pinned stack needs, applied before mmaction.

Imported first by ``dance_style/__init__.py``, so every path that reaches
mmaction through this project (the package, ``custom_imports`` in the configs,
the tools, the tests, dataloader workers that unpickle our classes) gets them.
Each fix is idempotent and is covered by ``tests/test_compat.py``.

1. mmaction2 1.2.0's wheel lacks ``mmaction/models/localizers/drn`` (upstream
   issue #2714), so ``import mmaction.models`` fails. We put stub modules in
   ``sys.modules``; the DRN localizer is the only thing lost.
2. torch >= 2.6 loads checkpoints with ``weights_only=True``, and mmengine
   0.10.7 pickles its message hub (``HistoryBuffer``, numpy scalars/arrays)
   into every checkpoint it saves. We keep ``weights_only=True`` and allow-list
   exactly those globals, with a ``getattr`` that may only fetch
   ``HistoryBuffer``'s statistic methods. Never a global opt-out.
3. torchvision has no CPU build that imports with torch 2.13 here; a broken
   install raises ``RuntimeError`` at import, which mmengine's
   ``except ModuleNotFoundError`` guards do not catch. Nothing in this project
   needs torchvision, so its import is refused with a ModuleNotFoundError.
   Set ``DANCE_STYLE_ALLOW_TORCHVISION=1`` to let a working one through.
4. ``ResNet3d`` initialised from scratch (``pretrained=None``) re-initialises
   *every* Conv3d with Kaiming and *every* BatchNorm to weight 1, including
   those inside its NonLocal blocks, which mmcv builds as identity mappings
   (small normal g/theta/phi, zero output BN). The NonLocal blocks then add
   large random global mixing to the residual stream, and I3D NonLocal
   trained from scratch does not learn (measured on the synthetic data with
   zero_init_residual: loss 2.65 and chance-level validation after 900
   iterations; with the fix, 66 % validation top-1 after 1,000). We restore the NonLocal init after ResNet3d's. Checkpoints and
   ImageNet inflation overwrite or skip this path and are unaffected.
5. mmaction2's ``ColorJitter.adjust_hue`` adds a negative int to a uint8
   array, which numpy >= 2 refuses (``OverflowError: Python integer -10 out
   of bounds for uint8``) whenever the drawn hue shift is negative, i.e.
   half the time. We compute the shift in int16, as the function meant.
6. mmaction2 1.x decodes a flow frame as one H x W x 2 array (x and y
   stacked, ``RawFrameDecode``), but ``Flip`` still assumes 0.x's list of
   alternating x and y images and inverts every second *frame* whole: a
   horizontally flipped flow clip gets both components of half its frames
   negated and the other half unchanged, where only x should change sign.
   We invert channel 0 of every stacked frame; lists of single-channel
   images keep the upstream behaviour.
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
    checkpoint saved by the Runner (see FACTS.md, section 2.2).
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
# 4. NonLocal blocks start as identity when ResNet3d is trained from scratch


def reset_non_local_blocks(module) -> int:
    """Give every NonLocal3d under ``module`` mmcv's own initialisation:
    normal(std=0.01) g/theta/phi convolutions and a zero output BN, so each
    block is an identity mapping at the start of training.

    (``NonLocal3d.init_weights`` cannot be called again: with ``sub_sample``
    its g and phi become ``Sequential(ConvModule, MaxPool)`` after mmcv ran
    it once in the constructor.) Returns the number of blocks reset.
    """
    import torch.nn as nn
    from mmcv.cnn import NonLocal3d
    from mmengine.model import constant_init, normal_init
    count = 0
    for block in module.modules():
        if not isinstance(block, NonLocal3d):
            continue
        for name in ('g', 'theta', 'phi'):
            conv_module = getattr(block, name)
            if isinstance(conv_module, nn.Sequential):
                conv_module = conv_module[0]
            normal_init(conv_module.conv, std=0.01)
        if block.conv_out.norm_cfg is None:
            constant_init(block.conv_out.conv, 0)
        else:
            constant_init(block.conv_out.norm, 0)
        count += 1
    return count


def fix_resnet3d_scratch_init() -> bool:
    """Make ``ResNet3d``'s from-scratch init keep NonLocal blocks identity."""
    from mmaction.models.backbones.resnet3d import ResNet3d
    original = ResNet3d._init_weights
    if getattr(original, '_dance_style_fixed', False):
        return False

    def _init_weights(self, pretrained=None):
        original(self, pretrained)
        if self.pretrained is None:  # the from-scratch branch ran
            reset_non_local_blocks(self)

    _init_weights._dance_style_fixed = True
    # upstream calls it as self._init_weights(self, pretrained)
    ResNet3d._init_weights = staticmethod(_init_weights)
    return True


# ----------------------------------------------------------------------------
# 5. ColorJitter's hue shift under numpy 2


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


# ----------------------------------------------------------------------------
# 6. Horizontal flip of stacked x/y optical flow


def _flip_imgs(self, imgs, modality):
    """``Flip._flip_imgs`` that negates the x flow of stacked frames.

    Flow is quantised around 128 (``dance_style.prep.flow``), so negating
    x is ``255 - x``, as upstream's ``mmcv.iminvert``.
    """
    import mmcv
    for img in imgs:
        mmcv.imflip_(img, self.direction)
    if modality == 'Flow':
        if imgs and imgs[0].ndim == 3 and imgs[0].shape[-1] == 2:
            for img in imgs:
                img[..., 0] = 255 - img[..., 0]
        else:  # 0.x layout: x, y, x, y, ... single-channel images
            for i in range(0, len(imgs), 2):
                imgs[i] = mmcv.iminvert(imgs[i])
    return imgs


def fix_flow_flip() -> bool:
    """Replace ``Flip._flip_imgs`` with :func:`_flip_imgs`."""
    from mmaction.datasets.transforms.processing import Flip
    if Flip._flip_imgs is _flip_imgs:
        return False
    Flip._flip_imgs = _flip_imgs
    return True


def quiet_known_warnings() -> None:
    """mmcv-lite warns at import that ``MultiScaleDeformableAttention`` (a
    compiled op) is missing; I3D never uses it (FACTS 2.8)."""
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
    fix_resnet3d_scratch_init()
    fix_color_jitter_hue()
    fix_flow_flip()
    _APPLIED = True
