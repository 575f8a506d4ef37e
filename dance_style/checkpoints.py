"""Checkpoints: the one reader of their tensors, and ``load_from`` as a
local file, a model-zoo URL (downloaded once, cached) or none.

:func:`read_tensors` is what the transfer summary
(:mod:`dance_style.transfer`), the Inception I3D converter and inflation
(:mod:`dance_style.models.i3d_weights`) and the tools read checkpoints with:
PyTorch files with ``weights_only=True`` (mmengine's own globals are on the
allow-list of :mod:`dance_style.compat`), ``.npz`` files without pickle.
"""
import http.client
import os.path as osp
import shutil
import urllib.error
import urllib.parse
import urllib.request
from typing import TYPE_CHECKING, Dict, Optional

from .errors import DanceStyleError
from .fileio import atomic_path

if TYPE_CHECKING:  # torch is imported only where tensors are read
    import torch

Tensors = Dict[str, 'torch.Tensor']

# Long enough for a slow mirror to answer, short enough that a machine without
# network is told so in seconds rather than after the OS's TCP timeout.
DOWNLOAD_TIMEOUT_S = 20


def is_url(path: Optional[str]) -> bool:
    return bool(path) and urllib.parse.urlparse(str(path)).scheme in (
        'http', 'https')


def cache_path_for(url: str) -> str:
    """Where mmengine's ``load_from_http`` looks first:
    ``<torch hub dir>/checkpoints/<file name>``."""
    import torch
    name = osp.basename(urllib.parse.urlparse(url).path)
    return osp.join(torch.hub.get_dir(), 'checkpoints', name)


def ensure_cached(url: str, timeout: float = DOWNLOAD_TIMEOUT_S) -> str:
    """Download ``url`` into the torch hub cache unless it is there already.

    Written through :func:`dance_style.fileio.atomic_path`, so an interrupted
    download never leaves a truncated checkpoint that later loads as garbage.
    Raises DanceStyleError (with the offline fix) when it cannot be fetched.
    """
    target = cache_path_for(url)
    if osp.isfile(target):
        return target
    try:
        with atomic_path(target, suffix='.part') as tmp, \
                open(tmp, 'wb') as out, \
                urllib.request.urlopen(url, timeout=timeout) as response:
            shutil.copyfileobj(response, out)
    except (urllib.error.URLError, http.client.HTTPException, OSError,
            ValueError) as error:  # HTTPException: a cut-off transfer
        reason = getattr(error, 'reason', error)
        raise DanceStyleError(
            f'load_from is a URL that cannot be downloaded here: {url}\n'
            f'  reason: {reason}\n'
            'Either download it on a machine with network and copy it to\n'
            f'    {target}\n'
            '(it is then used without network), or pass a local file:\n'
            '    --cfg-options load_from=/path/to/checkpoint.pth\n'
            'or train from scratch: --cfg-options load_from=None') from None
    return target


def resolve_load_from(load_from: Optional[str]) -> Optional[str]:
    """Check ``load_from`` before the Runner is built.

    Returns a local path (URLs are fetched into the cache) or None.
    """
    if load_from in (None, '', 'None'):
        return None
    if is_url(load_from):
        return ensure_cached(load_from)
    if not osp.isfile(load_from):
        raise DanceStyleError(
            f'load_from file not found: {load_from}\n'
            'Pass an existing checkpoint (--cfg-options load_from=PATH), a '
            'model-zoo URL, or load_from=None to train from scratch.')
    return load_from


def read_tensors(path: str) -> Tensors:
    """Every tensor of a checkpoint file, on the CPU.

    ``.npz``: the arrays by name (no pickle). Anything else is a PyTorch
    file loaded with ``weights_only=True``: a Runner checkpoint's
    ``state_dict``, or a bare state dict; a ``module.`` prefix (a model saved
    inside DistributedDataParallel) is removed. Raises DanceStyleError for a
    missing or unreadable file.
    """
    import numpy as np
    import torch
    if not osp.isfile(path):
        raise DanceStyleError(
            f'checkpoint not found: {path}\nDownload it (the config\'s '
            'comment says from where) or pass another path.')
    if str(path).endswith('.npz'):
        try:
            with np.load(path, allow_pickle=False) as arrays:
                return {key: torch.from_numpy(np.array(arrays[key]))
                        for key in arrays.files}
        except (ValueError, OSError) as error:
            raise DanceStyleError(
                f'{path} is not a readable .npz ({error})') from None
    try:
        checkpoint = torch.load(path, map_location='cpu', weights_only=True)
    except Exception as error:  # torch raises many types for bad files
        raise DanceStyleError(
            f'{path} is not a readable PyTorch checkpoint ({error}). Files '
            'load with weights_only=True: a checkpoint that pickles other '
            'objects is refused on purpose.') from None
    if not isinstance(checkpoint, dict):
        raise DanceStyleError(f'{path} holds a {type(checkpoint).__name__}, '
                              'not a state dict')
    state = checkpoint.get('state_dict', checkpoint)
    return {(k[len('module.'):] if k.startswith('module.') else k): v
            for k, v in state.items() if isinstance(v, torch.Tensor)}
