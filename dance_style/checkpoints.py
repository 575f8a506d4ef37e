"""Checkpoints: the one reader of their tensors, and a checkpoint (or
``load_from``) as a local file, a URL or a name of ``configs/metafile.yml``
(downloaded once, cached: :mod:`dance_style.download`).

:func:`read_tensors` is what the transfer summary
(:mod:`dance_style.transfer`), the Inception I3D converter and inflation
(:mod:`dance_style.models.i3d_weights`) and the tools read checkpoints with:
PyTorch files with ``weights_only=True`` (mmengine's own globals are on the
allow-list of :mod:`dance_style.compat`), ``.npz`` files without pickle.
"""
import os.path as osp
import urllib.parse
from typing import TYPE_CHECKING, Dict, Optional, Tuple

from .errors import DanceStyleError

if TYPE_CHECKING:  # torch is imported only where tensors are read
    import torch

    from .zoo import ZooCheckpoint

Tensors = Dict[str, 'torch.Tensor']


def is_url(path: Optional[str]) -> bool:
    return bool(path) and urllib.parse.urlparse(str(path)).scheme in (
        'http', 'https')


def resolve_checkpoint(spec: str, progress: bool = True
                       ) -> Tuple[str, Optional['ZooCheckpoint']]:
    """A checkpoint given as a file, a URL or a name of
    ``configs/metafile.yml`` -> (local file, its metafile entry or None).

    Names and URLs are downloaded once into the torch hub cache
    (:func:`dance_style.download.download`). A file is matched to an entry
    by its published file name (a download copied by hand), so its head's
    label map is known either way.
    """
    from .download import download
    from .zoo import entry_for_file, find, names
    spec = str(spec)
    entry = find(spec)
    if entry is not None and entry.url:
        return download(entry.url, progress=progress), entry
    if entry is not None:  # converted from another framework's weights
        if osp.isfile(entry.file):
            return entry.file, entry
        raise DanceStyleError(
            f'{entry.name} is the file {entry.file}, which does not exist '
            f'yet; make it once with: {entry.make}')
    if is_url(spec):
        return download(spec, progress=progress), entry_for_file(spec)
    if osp.isfile(spec):
        return spec, entry_for_file(spec)
    raise DanceStyleError(
        f'checkpoint not found: {spec}\nPass a checkpoint file (tools/'
        'train.py writes them into work_dirs/<config name>/), a URL, or the '
        f'name of a published one: {names()}')


def resolve_load_from(cfg) -> None:
    """Check ``load_from`` before the Runner is built: a file, a URL or a
    name becomes a local file (downloaded once), and a named checkpoint's
    head label map becomes ``cfg.head_label_map`` unless the config names
    one. ``None``, '' and 'None' mean no checkpoint."""
    load_from = cfg.get('load_from')
    if load_from in (None, '', 'None'):
        cfg.load_from = None
        return
    try:
        path, entry = resolve_checkpoint(load_from)
    except DanceStyleError as error:
        raise DanceStyleError(
            f'load_from: {error}\nOr train from scratch: --cfg-options '
            'load_from=None') from None
    cfg.load_from = path
    use_entry(cfg, entry)


def use_entry(cfg, entry: Optional['ZooCheckpoint']) -> None:
    """Note what a named checkpoint says in ``cfg``: its head's label map
    (unless the config names one) and what it was trained on."""
    if entry is None:
        return
    if not cfg.get('head_label_map'):
        cfg.head_label_map = entry.label_map
    cfg.checkpoint_name = entry.name


def read_tensors(path: str) -> Tensors:
    """Every tensor of a checkpoint file, on the CPU (:func:`read_checkpoint`
    without its meta)."""
    return read_checkpoint(path)[0]


def read_checkpoint(path: str) -> Tuple[Tensors, dict]:
    """Every tensor of a checkpoint file, on the CPU, and its ``meta``.

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
                        for key in arrays.files}, {}
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
    meta = checkpoint.get('meta') if 'state_dict' in checkpoint else None
    return {(k[len('module.'):] if k.startswith('module.') else k): v
            for k, v in state.items() if isinstance(v, torch.Tensor)}, \
        meta if isinstance(meta, dict) else {}
