"""Checkpoint downloads: once, into the torch hub cache, resumable, verified.

A URL is fetched into ``<torch hub dir>/checkpoints/<its file name>``, the
folder mmengine's ``load_from`` and torch.hub look in, so a file copied
there by hand is used without network. The bytes go to ``<name>.part``
first, which a later call continues with an HTTP range request (a server
that ignores it starts again from zero); the finished file is checked
against the SHA-256 prefix its name carries, as ``torch.hub`` checks it,
and only then renamed into place. A file lock keeps two processes (the
ranks of a distributed run) from writing the same file.

Written by hand rather than with ``torch.hub.download_url_to_file``
because that one neither resumes nor refuses with a message a user can
act on; its hash rule is kept.
"""
import fcntl
import hashlib
import http.client
import os
import os.path as osp
import sys
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager
from typing import Optional

from .errors import DanceStyleError

# Long enough for a slow mirror to answer, short enough that a machine without
# network is told so in seconds rather than after the OS's TCP timeout.
TIMEOUT_S = 20
CHUNK = 1 << 20


def cache_dir() -> str:
    """``<torch hub dir>/checkpoints`` (``TORCH_HOME`` moves it)."""
    import torch
    return osp.join(torch.hub.get_dir(), 'checkpoints')


def cache_path(url: str) -> str:
    return osp.join(cache_dir(),
                    osp.basename(urllib.parse.urlparse(url).path))


def sha256_of(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, 'rb') as source:
        for block in iter(lambda: source.read(CHUNK), b''):
            digest.update(block)
    return digest.hexdigest()


@contextmanager
def _locked(path: str):
    with open(path + '.lock', 'a') as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _offline(url: str, target: str, reason) -> DanceStyleError:
    # one line: what failed, and the fix that needs no network here
    return DanceStyleError(
        f'cannot download {url} ({reason}); without network, download it '
        f'elsewhere and put it at {target}')


def _fetch(url: str, part: str, timeout: float, progress: bool) -> None:
    """Append the rest of ``url`` to ``part``."""
    have = osp.getsize(part) if osp.exists(part) else 0
    request = urllib.request.Request(url)
    if have:
        request.add_header('Range', f'bytes={have}-')
    try:
        response = urllib.request.urlopen(request, timeout=timeout)
    except urllib.error.HTTPError as error:
        if error.code == 416 and have:  # the part is the whole file already
            return
        raise
    with response:
        resumed = have and response.status == 206
        if not resumed:
            have = 0  # a server without ranges sends it all again
        length = response.headers.get('Content-Length')
        total = have + int(length) if length else None
        from tqdm import tqdm
        with open(part, 'ab' if resumed else 'wb') as out, tqdm(
                total=total, initial=have, unit='B', unit_scale=True,
                unit_divisor=1024, desc=osp.basename(part)[:-len('.part')],
                disable=not progress, file=sys.stderr) as bar:
            while True:
                block = response.read(CHUNK)
                if not block:
                    break
                out.write(block)
                bar.update(len(block))
        if total is not None and osp.getsize(part) < total:
            raise http.client.IncompleteRead(b'', total - osp.getsize(part))


def download(url: str, expected_hash: Optional[str] = None,
             progress: bool = True, timeout: float = TIMEOUT_S) -> str:
    """The local copy of ``url`` in the cache, downloaded if absent.

    ``expected_hash``: the SHA-256 prefix the file must have (default: the
    one in its file name, if any). Raises DanceStyleError when it cannot be
    fetched (the partial file is kept for the next try) or its hash is
    wrong (it is deleted: a retry fetches it again).
    """
    from .zoo import hash_prefix
    target = cache_path(url)
    if osp.isfile(target):
        return target
    expected = expected_hash or hash_prefix(osp.basename(target))
    os.makedirs(osp.dirname(target), exist_ok=True)
    part = target + '.part'
    with _locked(target):
        if osp.isfile(target):  # another process finished it meanwhile
            return target
        try:
            _fetch(url, part, timeout, progress)
        except (urllib.error.URLError, http.client.HTTPException, OSError,
                ValueError) as error:
            raise _offline(url, target,
                           getattr(error, 'reason', None) or error) from None
        if expected:
            digest = sha256_of(part)
            if not digest.startswith(expected):
                os.remove(part)
                raise DanceStyleError(
                    f'refused {url}: its SHA-256 begins {digest[:len(expected)]}'
                    f', its name says {expected} (a changed or damaged file; '
                    'deleted, the next try downloads it again)')
        os.replace(part, target)
    return target
