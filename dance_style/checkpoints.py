"""``load_from``: local file, model-zoo URL (downloaded once, cached) or none."""
import http.client
import os.path as osp
import shutil
import urllib.error
import urllib.parse
import urllib.request
from typing import Optional

from .errors import DanceStyleError
from .fileio import atomic_path

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
