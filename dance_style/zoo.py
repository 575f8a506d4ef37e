"""Named checkpoints: the ``Checkpoints`` of ``configs/metafile.yml``.

A name (``uniformerv2-b16-k710-k700``) stands for a published checkpoint:
where to download it, the hash prefix its file name carries, the class
order of its head's rows (a label map of ``annotations/kinetics/``), what
its weights were trained on, and the Kinetics lists a leak-free dance19
split must keep out of validation and test. Every tool that takes a
checkpoint takes a name too (:func:`resolve_checkpoint`); the download
itself is :mod:`dance_style.download`.

``DANCE_STYLE_METAFILE`` names another metafile (a mirror's, or a test's
with checkpoints served from 127.0.0.1).
"""
import os
import os.path as osp
import re
import urllib.parse
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Dict, Optional, Tuple

from .errors import DanceStyleError
from .resources import CONFIGS, REPO_ROOT, shown

METAFILE = CONFIGS / 'metafile.yml'
METAFILE_ENV = 'DANCE_STYLE_METAFILE'
# torch.hub's rule for the hash in a file name (torch/hub.py HASH_REGEX):
# the hex digits between the last '-' and the first '.' after it
HASH_IN_NAME = re.compile(r'-([a-f0-9]*)\.')
# The Kinetics annotation lists an entry's ``exclude`` may name, with the
# folder names of the official downloads they are found under.
KINETICS_LISTS = {
    'k400': 'Kinetics-400 train',
    'k600': 'Kinetics-600 train',
    'k700': 'Kinetics-700 (2019 or 2020) train',
}


@dataclass(frozen=True)
class ZooCheckpoint:
    """One published checkpoint (an entry of the metafile): downloaded from
    ``url``, or, for weights published in another framework, the ``file``
    a converter writes (``make`` says how)."""
    name: str
    url: Optional[str]
    label_map: str
    trained_on: str
    exclude: Tuple[str, ...] = field(default_factory=tuple)
    config: Optional[str] = None
    file: Optional[str] = None
    make: Optional[str] = None

    @property
    def file_name(self) -> str:
        if self.file:
            return osp.basename(self.file)
        return osp.basename(urllib.parse.urlparse(self.url).path)

    @property
    def hash_prefix(self) -> Optional[str]:
        """The SHA-256 prefix its file name carries (None: no check)."""
        return hash_prefix(self.file_name)


def hash_prefix(file_name: str) -> Optional[str]:
    match = HASH_IN_NAME.search(file_name)
    return match.group(1) if match and match.group(1) else None


def metafile_path() -> Path:
    return Path(os.environ.get(METAFILE_ENV) or METAFILE)


@lru_cache(maxsize=8)
def _read(path: str, mtime: float) -> Dict[str, ZooCheckpoint]:
    import yaml
    try:
        data = yaml.safe_load(Path(path).read_text(encoding='utf-8'))
    except (OSError, yaml.YAMLError) as error:
        raise DanceStyleError(f'cannot read the model list {path}: '
                              f'{error}') from None
    entries = {}
    for raw in (data or {}).get('Checkpoints') or []:
        try:
            entry = ZooCheckpoint(
                name=raw['name'], url=raw.get('url') or (
                    None if raw.get('file') else raw['url']),
                label_map=raw['label_map'], trained_on=raw['trained_on'],
                exclude=tuple(raw.get('exclude') or ()),
                config=raw.get('config'), file=raw.get('file'),
                make=raw.get('make'))
        except (KeyError, TypeError) as error:
            raise DanceStyleError(
                f'{path}: a Checkpoints entry lacks {error} (each needs '
                'name, url (or file), label_map and trained_on): '
                f'{raw}') from None
        unknown = set(entry.exclude) - set(KINETICS_LISTS)
        if unknown:
            raise DanceStyleError(
                f'{path}: {entry.name} excludes unknown lists '
                f'{sorted(unknown)}; known: {", ".join(KINETICS_LISTS)}')
        entries[entry.name] = entry
    return entries


def checkpoints() -> Dict[str, ZooCheckpoint]:
    """Every named checkpoint, by name."""
    path = metafile_path()
    try:
        mtime = path.stat().st_mtime
    except OSError:
        raise DanceStyleError(f'the model list {path} does not exist'
                              + (f' (set by {METAFILE_ENV})'
                                 if os.environ.get(METAFILE_ENV) else '')
                              ) from None
    return _read(str(path), mtime)


def find(name: str) -> Optional[ZooCheckpoint]:
    """The entry called ``name``, or None."""
    return checkpoints().get(str(name))


def entry_for_file(path: str) -> Optional[ZooCheckpoint]:
    """The entry whose download this file or URL is (same file name), or
    None: a checkpoint downloaded by hand keeps its published name."""
    base = osp.basename(urllib.parse.urlparse(str(path)).path)
    for entry in checkpoints().values():
        if entry.file_name == base:
            return entry
    return None


def for_config(config: str) -> Optional[ZooCheckpoint]:
    """The entry a config fine-tunes from: its ``load_from`` (a name, a URL
    or a file of an entry), else the entry that names the config."""
    from mmengine.config import Config
    load_from = Config.fromfile(str(config)).get('load_from')
    if load_from:
        entry = find(load_from) or entry_for_file(load_from)
        if entry is not None:
            return entry
    wanted = shown(Path(config).resolve())
    for entry in checkpoints().values():
        if entry.config and shown(REPO_ROOT / entry.config) == wanted:
            return entry
    return None


def names() -> str:
    """The names, for messages."""
    return ', '.join(sorted(checkpoints())) or '(none)'
