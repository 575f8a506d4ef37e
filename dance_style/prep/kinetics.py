"""Stage 1: the dance clips of Kinetics-700-2020, found on disk.

Reads the annotation CSVs (official ``train.csv`` / ``validate.csv``, or
mmaction2's renamed ``kinetics_train.csv`` / ``kinetics_val.csv``), keeps the
rows of the 19 dance labels, and finds each clip's file. Clips are found by
file name (``<youtube_id>_<start:06d>_<end:06d>.<ext>``) anywhere under the
root, so every layout in the wild works without a flag:

* ``train/<label with spaces>/...``  (the official tarballs)
* ``videos_train/<label_with_underscores>/...``  (mmaction2's downloader)
* one flat folder.

About 10 % of Kinetics clips are missing from any downloaded copy (deleted
YouTube videos); they are recorded as 'missing' and counted per class.
"""
import collections
import csv
import os
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple, Union

from ..classes import DANCE19_CLASSES
from ..errors import DanceStyleError
from .records import SourceClip

VIDEO_EXTENSIONS = ('.mp4', '.mkv', '.webm', '.avi', '.mov', '.m4v')
# File names per split, official first; looked for in the root and in
# root/annotations. Kinetics' test split has no labels and is not used.
CSV_NAMES = {
    'train': ('train.csv', 'kinetics_train.csv', 'kinetics700_train.csv'),
    'validate': ('validate.csv', 'val.csv', 'kinetics_val.csv',
                 'kinetics700_val.csv'),
}
REQUIRED_COLUMNS = ('label', 'youtube_id', 'time_start', 'time_end')
LAYOUTS = ('label folders with spaces', 'label folders with underscores',
           'flat or other folders')


def find_csvs(root: Union[str, Path]) -> List[Path]:
    """The labelled annotation CSVs under ``root`` (train, then validate)."""
    root = Path(root)
    found = []
    for names in CSV_NAMES.values():
        for folder in (root, root / 'annotations'):
            hit = next((folder / n for n in names if (folder / n).is_file()),
                       None)
            if hit:
                found.append(hit)
                break
    if not found:
        wanted = ', '.join(CSV_NAMES['train'] + CSV_NAMES['validate'])
        raise DanceStyleError(
            f'no Kinetics annotation CSV under {root} or {root}/annotations '
            f'(looked for {wanted}).\nPoint --kinetics-root at the folder '
            'holding the K700-2020 download, or pass the files with '
            '--kinetics-csv.')
    return found


def csv_role(path: Union[str, Path]) -> str:
    """'train' or 'validate' from a CSV's file name (CSV_NAMES), else ''."""
    name = Path(path).name
    return next((role for role, names in CSV_NAMES.items() if name in names),
                '')


# values of the CSVs' own 'split' column
SPLIT_VALUES = {'train': 'train', 'validate': 'validate', 'val': 'validate'}


def clip_id_of(youtube_id: str, start: int, end: int) -> str:
    """Kinetics' clip file stem."""
    return f'{youtube_id}_{start:06d}_{end:06d}'


def read_csv(path: Union[str, Path], labels: Sequence[str] = DANCE19_CLASSES
             ) -> Tuple[List[SourceClip], collections.Counter]:
    """Rows of ``labels`` from one Kinetics CSV, and counts of what was read.

    A malformed row becomes a 'malformed' record naming the file and line,
    and reading goes on. Counts: 'rows', 'dance', 'other_labels',
    'malformed'.
    """
    path = Path(path)
    role = csv_role(path)
    wanted = {name: i for i, name in enumerate(labels)}
    counts = collections.Counter()
    records = []
    with open(path, newline='', encoding='utf-8') as handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        columns = {name.strip(): i for i, name in enumerate(header or [])}
        missing = [c for c in REQUIRED_COLUMNS if c not in columns]
        if missing:
            raise DanceStyleError(
                f'{path}: header {header!r} lacks {", ".join(missing)}; a '
                'Kinetics CSV starts with "label,youtube_id,time_start,'
                'time_end,split" (test.csv has no labels and is not used).')
        for row in reader:
            line = reader.line_num
            if not row or not any(field.strip() for field in row):
                continue
            counts['rows'] += 1
            origin = f'{path}:{line}'
            label = row[columns['label']].strip() \
                if len(row) > columns['label'] else ''
            problem = _row_problem(row, columns, len(header))
            if problem is None and label not in wanted:
                counts['other_labels'] += 1
                continue
            if problem is not None:
                counts['malformed'] += 1
                records.append(SourceClip(
                    dataset='kinetics700', clip_id=f'{path.name}:{line}',
                    group='', original_label=label,
                    label=wanted.get(label), origin=origin).fail(
                        'malformed', f'{origin}: {problem}'))
                continue
            counts['dance'] += 1
            youtube_id = row[columns['youtube_id']].strip()
            start = int(row[columns['time_start']])
            end = int(row[columns['time_end']])
            stated = row[columns['split']].strip().lower() \
                if 'split' in columns else ''
            records.append(SourceClip(
                dataset='kinetics700',
                clip_id=clip_id_of(youtube_id, start, end),
                group=youtube_id, original_label=label, label=wanted[label],
                origin=origin, source_split=SPLIT_VALUES.get(stated, role)))
    return records, counts


def _row_problem(row, columns, width) -> Optional[str]:
    """Why a CSV row cannot be used, or None."""
    if len(row) != width:
        return f'{len(row)} fields, the header has {width}: {",".join(row)!r}'
    youtube_id = row[columns['youtube_id']].strip()
    if not youtube_id or '/' in youtube_id or ' ' in youtube_id:
        return f'bad youtube_id {youtube_id!r}'
    for name in ('time_start', 'time_end'):
        value = row[columns[name]].strip()
        if not value.isdigit():
            return f'{name} {value!r} is not a whole number of seconds'
    if int(row[columns['time_end']]) <= int(row[columns['time_start']]):
        return 'time_end is not after time_start'
    return None


def index_videos(root: Union[str, Path]) -> Dict[str, List[Path]]:
    """Every video file under ``root`` by file stem (one walk of the tree;
    about a second per 100k files). Hidden files (our temp files) are
    skipped."""
    index = collections.defaultdict(list)
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith('.'))
        for name in files:
            stem, ext = os.path.splitext(name)
            if ext.lower() in VIDEO_EXTENSIONS and not name.startswith('.'):
                index[stem].append(Path(folder) / name)
    return index


def layout_of(path: Path, label: str) -> str:
    """Which of LAYOUTS a found clip's folder follows ('' when it cannot
    tell: a one-word label's folder is the same in both spellings)."""
    if path.parent.name == label:
        return LAYOUTS[0] if ' ' in label else ''
    if path.parent.name == label.replace(' ', '_'):
        return LAYOUTS[1]
    return LAYOUTS[2]


def check_root(root: Union[str, Path]) -> Path:
    """``root`` as a Path, or the error that it is not a folder."""
    root = Path(root)
    if not root.is_dir():
        raise DanceStyleError(
            f'Kinetics root not found: {root}\nPass the folder of your '
            'K700-2020 download with --kinetics-root (or leave the flag out '
            'to build from Let\'s Dance alone).')
    return root


def collect(root: Union[str, Path], csv_files: Optional[Sequence] = None
            ) -> Tuple[List[SourceClip], dict]:
    """Stage 1: every dance row of the CSVs, with its file or 'missing'.

    Returns the records and a summary dict: per-CSV counts, found/missing per
    class, layouts seen, duplicates.
    """
    root = check_root(root)
    csv_files = [Path(p) for p in csv_files] if csv_files else find_csvs(root)
    records, per_csv = [], {}
    for path in csv_files:
        rows, counts = read_csv(path)
        records += rows
        per_csv[str(path)] = dict(counts)
    index = index_videos(root)
    seen = set()
    layouts = collections.Counter()
    for record in records:
        if record.status != 'ok':
            continue
        if record.clip_id in seen:
            record.fail('duplicate', f'{record.origin}: clip listed again '
                        '(train.csv and validate.csv, or twice in one)')
            continue
        seen.add(record.clip_id)
        candidates = index.get(record.clip_id, [])
        if not candidates:
            record.fail('missing', f'no file named {record.clip_id}.* under '
                        f'{root} (deleted from YouTube, or not downloaded)')
            continue
        # several copies: prefer the one filed under its own label
        candidates = sorted(candidates, key=lambda p: (
            layout_of(p, record.original_label) == LAYOUTS[2], str(p)))
        record.source = str(candidates[0])
        layouts[layout_of(candidates[0], record.original_label)] += 1
    # one-word labels ('breakdancing') fit both folder spellings: count them
    # with whichever the other labels show
    ambiguous = layouts.pop('', 0)
    if ambiguous:
        folders = [k for k in LAYOUTS[:2] if layouts[k]]
        layouts[max(folders, key=layouts.get) if folders else LAYOUTS[0]] += \
            ambiguous
    summary = dict(csv=per_csv, layouts=dict(layouts),
                   found=_per_class(records, 'ok'),
                   missing=_per_class(records, 'missing'))
    return records, summary


def _per_class(records, status) -> Dict[str, int]:
    counts = collections.Counter(r.original_label for r in records
                                 if r.status == status)
    return {name: counts.get(name, 0) for name in DANCE19_CLASSES}
