"""Where the Kinetics train lists are on disk.

A checkpoint's pretraining lists (``k400``, ``k600``, ``k700``: the train
lists of Kinetics-400, -600 and -700 / -700-2020, the names of
``configs/metafile.yml``'s ``exclude``) are the official annotation CSVs
(``label,youtube_id,time_start,time_end,split``, K400's sometimes with a
trailing ``is_cc``). They are found as the real downloads lay them out:

* DeepMind's tarballs: ``kinetics400/train.csv``, ``kinetics600/...``,
  ``kinetics700_2020/train.csv``;
* mmaction2's ``download_annotations.sh``:
  ``kinetics400/annotations/kinetics_train.csv``;
* the CVDF copies: ``k400/annotations/train.csv``,
  ``k700-2020/annotations/train.csv``;

i.e. a folder whose name, ignoring case and ``-``/``_``, is
``kinetics400``, ``k400``, ``kinetics7002020`` ..., inside
``--kinetics-root`` or beside it, holding (itself or in ``annotations/``)
``train.csv``, ``kinetics_train.csv`` or ``kinetics400_train.csv``. The
``--kinetics-root`` download's own train CSV is the Kinetics-700-2020
train list. Or the user names a file: ``--exclude-from k400=PATH``.
"""
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

from ..errors import DanceStyleError

LISTS = ('k400', 'k600', 'k700')  # dance_style.zoo.KINETICS_LISTS's keys
# The official annotation downloads of each list (train.csv inside), for
# the message that says where to get a missing one: DeepMind's tarballs
# (what mmaction2's download_annotations.sh fetches) and the CVDF copy.
DOWNLOADS = {
    'k400': ('https://storage.googleapis.com/deepmind-media/Datasets/'
             'kinetics400.tar.gz',
             'https://s3.amazonaws.com/kinetics/400/annotations/train.csv'),
    'k600': ('https://storage.googleapis.com/deepmind-media/Datasets/'
             'kinetics600.tar.gz',
             'https://s3.amazonaws.com/kinetics/600/annotations/train.csv'),
    'k700': ('https://storage.googleapis.com/deepmind-media/Datasets/'
             'kinetics700_2020.tar.gz',
             'https://s3.amazonaws.com/kinetics/700_2020/annotations/'
             'train.csv'),
}
# Names compared in lower case without separators ("Kinetics-700_2020" ->
# "kinetics7002020"): a version folder, and a train CSV's stem, which may
# name its version itself (kinetics400_train.csv, k700_2020_train.csv).
VERSION_FOLDER = re.compile(r'^(?:kinetics|k)(400|600|700)(?:2020)?$')
TRAIN_FILE = re.compile(r'^(?:(?:kinetics|k)(400|600|700)?(?:2020)?)?train$')
ANNOTATION_FOLDERS = ('annotations', 'annotation')
# the clip list's NAME=PATH form; a path that merely contains '=' exists
NAMED = re.compile(r'^(?P<name>[A-Za-z0-9_.-]+)=(?P<path>.+)$')


@dataclass(frozen=True)
class ListFile:
    """One file the split checks val and test against."""
    path: Path
    name: Optional[str]  # k400/k600/k700; None: a list of the user's own
    how: str  # 'given', 'found in --kinetics-root', ...

    @property
    def label(self) -> str:
        """How the split's rule and the summary name it."""
        return f'{self.path.name} ({self.name})' if self.name else \
            self.path.name


def _normal(name: str) -> str:
    return re.sub(r'[^a-z0-9]', '', name.lower())


def folder_version(name: str) -> Optional[str]:
    """'k400' for a folder called kinetics400, K400, Kinetics-400 ..."""
    match = VERSION_FOLDER.match(_normal(name))
    return f'k{match[1]}' if match else None


def train_file(name: str) -> Tuple[bool, Optional[str]]:
    """Whether a file name is a Kinetics train CSV, and the version it
    names itself (None: the folder's)."""
    if not name.lower().endswith('.csv'):
        return False, None
    match = TRAIN_FILE.match(_normal(name[:-4]))
    return (True, f'k{match[1]}' if match[1] else None) if match else \
        (False, None)


def _train_csvs(folder: Path, descend: bool = True
                ) -> List[Tuple[Path, Optional[str]]]:
    """Train CSVs in ``folder`` and (``descend``) its annotations/."""
    found, subfolders = [], []
    try:
        # one pass, a stat only for likely names: a flat Kinetics root
        # holds hundreds of thousands of clips beside its CSVs
        with os.scandir(folder) as entries:
            for entry in entries:
                is_train, version = train_file(entry.name)
                if is_train and entry.is_file():
                    found.append((Path(entry.path), version))
                elif descend and entry.name.lower() in ANNOTATION_FOLDERS \
                        and entry.is_dir():
                    subfolders.append(Path(entry.path))
    except OSError:  # absent or unreadable: nothing found there
        return []
    for sub in sorted(subfolders):
        found += _train_csvs(sub, descend=False)
    return sorted(found)


def _version_folders(base: Path, skip: Path) -> List[Path]:
    try:
        with os.scandir(base) as entries:
            folders = [Path(e.path) for e in entries
                       if folder_version(e.name) and e.is_dir()]
    except OSError:
        return []
    return sorted(f for f in folders if f.resolve() != skip.resolve())


@dataclass
class Search:
    """What :func:`find_lists` found, and where it looked (for the error
    that names a missing list)."""
    root: Path
    found: Dict[str, List[ListFile]]
    empty_folders: List[Path]  # version folders without a train CSV

    def places(self, name: str) -> str:
        """Where ``name`` was looked for, in words."""
        number = name[1:]
        seen = [f for f in self.empty_folders
                if folder_version(f.name) == name]
        text = (
            f'looked for train.csv, kinetics_train.csv or kinetics{number}'
            f'_train.csv in folders named like kinetics{number}, k{number} '
            f'or Kinetics-{number}' + ('(-2020)' if name == 'k700' else '')
            + f' (any case; -, _ or nothing between) inside {self.root} and '
            f'beside it in {self.root.parent}, and in their annotations/ '
            'folders')
        if name == 'k700':
            text += (f'; and for the download\'s own train.csv in {self.root}'
                     ' and its annotations/')
        if seen:
            text += '; found ' + ', '.join(map(str, seen)) + \
                ' but no train CSV in ' + ('it' if len(seen) == 1 else 'them')
        return text


def find_lists(kinetics_root) -> Search:
    """Every Kinetics train list found in and beside ``kinetics_root``, by
    list name (several files for one list are all used)."""
    root = Path(kinetics_root)
    found: Dict[str, List[ListFile]] = {}
    seen = set()

    def add(path: Path, name: str, how: str) -> None:
        if path.resolve() not in seen:
            seen.add(path.resolve())
            found.setdefault(name, []).append(ListFile(path, name, how))

    # the Kinetics-700-2020 download itself: its train CSV is that list
    for path, version in _train_csvs(root):
        add(path, version or 'k700', "the --kinetics-root download's own")
    folders = []
    for base, where in ((root, 'in'), (root.parent, 'beside')):
        for folder in _version_folders(base, skip=root):
            hits = _train_csvs(folder)
            if not hits:
                folders.append(folder)
            for path, version in hits:
                add(path, version or folder_version(folder.name),
                    f'found {where} --kinetics-root')
    return Search(root, found, folders)


def path_version(path: Path) -> Optional[str]:
    """The list a given train CSV is, by its name or its folders
    (kinetics400/annotations/train.csv: k400); None for other files."""
    is_train, version = train_file(path.name)
    if not is_train:
        return None
    for folder in list(path.parents)[:2]:
        version = version or folder_version(folder.name)
    return version


def parse_given(values: Sequence[str]) -> List[ListFile]:
    """``--exclude-from`` values: ``k400=PATH`` names the list a file is;
    a plain path is a list of its own (its list known when its name and
    folders say it)."""
    files = []
    for value in map(str, values or ()):
        match = NAMED.match(value)
        if match and not Path(value).exists():
            name = match['name'].lower()
            if name not in LISTS:
                raise DanceStyleError(
                    f'--exclude-from {value}: unknown list {match["name"]!r}; '
                    f'name one of {", ".join(LISTS)} (e.g. k400=/data/'
                    'kinetics400/train.csv), or give the path alone')
            files.append(ListFile(Path(match['path']), name, 'given'))
            continue
        path = Path(value)
        version = path_version(path)
        files.append(ListFile(path, version, 'given' + (
            f', {version} by its name' if version else '')))
    for listed in files:
        if not listed.path.is_file():
            raise DanceStyleError(
                f'--exclude-from {listed.path}: no such file. Pass the '
                'annotation CSVs or lists the checkpoint was pretrained on '
                '(e.g. k400=/data/kinetics400/train.csv).')
    return files
