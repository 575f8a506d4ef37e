"""Stage 6: annotation files, the manifest, a summary table and a chart.

* ``<ann dir>/dance19_{train,val,test}.txt``: mmaction2 VideoDataset lists,
  ``<path relative to the dataset root> <label 0..18>``; the path may hold
  spaces (``DanceVideoDataset`` splits at the last one). Offline-augmented
  copies appear in the training list only.
* ``<root>/manifest.csv``: one row per source clip, kept or not, with
  what became of it and why; a val or test clip's ``pretraining_check``
  says which pretraining lists its video was checked against, and which
  it was not (``dance_style.prep.exclusion``).
* ``<root>/class_counts.png``: clips per class and split.
"""
import collections
import csv
import io
from pathlib import Path
from typing import Dict, List

from ..classes import DANCE19_CLASSES
from ..fileio import atomic_path, write_text_atomic
from .records import STATUSES, SourceClip
from .split import RULES, SPLITS

MANIFEST_COLUMNS = ('dataset', 'clip_id', 'group', 'original_label', 'label',
                    'label_name', 'source_split', 'protocol', 'split',
                    'split_rule', 'pretraining_check', 'fps_rule',
                    'status', 'reason', 'source', 'outputs', 'origin')


def annotation_lines(records: List[SourceClip]) -> Dict[str, List[str]]:
    """The lines of each split's annotation file, sorted."""
    lines = {split: [] for split in SPLITS}
    for record in records:
        if record.status != 'ok' or not record.split:
            continue
        for path in [record.output] + list(record.augmented):
            lines[record.split].append(f'{path} {record.label}')
    return {split: sorted(rows) for split, rows in lines.items()}


def write_annotations(records: List[SourceClip], ann_dir: Path) -> Dict[str, str]:
    """Write the three lists; returns their paths."""
    paths = {}
    for split, rows in annotation_lines(records).items():
        path = Path(ann_dir) / f'dance19_{split}.txt'
        write_text_atomic(path, ''.join(row + '\n' for row in rows))
        paths[split] = str(path)
    return paths


def write_manifest(records: List[SourceClip], path: Path,
                   protocol: str = '', check_note: str = '') -> None:
    """One CSV row per source clip, in a stable order; kept clips name the
    evaluation protocol their split was made under, val and test clips
    what their video was checked against (``check_note``)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=MANIFEST_COLUMNS,
                            lineterminator='\n')
    writer.writeheader()
    for r in sorted(records, key=lambda r: (r.dataset, r.clip_id)):
        writer.writerow(dict(
            dataset=r.dataset, clip_id=r.clip_id, group=r.group,
            original_label=r.original_label,
            label='' if r.label is None else r.label,
            label_name='' if r.label is None else DANCE19_CLASSES[r.label],
            source_split=r.source_split,
            protocol=protocol if r.status == 'ok' and r.split else '',
            split=r.split if r.status == 'ok' else '',
            split_rule=r.split_rule if r.status == 'ok' else '',
            pretraining_check=check_note if r.status == 'ok'
            and r.split in ('val', 'test') else '',
            fps_rule=r.fps_rule,
            status=r.status,
            reason=r.reason, source=r.source,
            outputs=';'.join(([r.output] if r.output else []) + r.augmented),
            origin=r.origin))
    write_text_atomic(path, buffer.getvalue())


def count_table(records: List[SourceClip]) -> Dict[str, Dict[str, int]]:
    """{class name: {train, train_aug, val, test, total}} of kept clips
    (train counts source clips; train_aug their augmented copies)."""
    table = {name: dict(train=0, train_aug=0, val=0, test=0, total=0)
             for name in DANCE19_CLASSES}
    for r in records:
        if r.status != 'ok' or not r.split:
            continue
        row = table[DANCE19_CLASSES[r.label]]
        row[r.split] += 1
        row['train_aug'] += len(r.augmented)
        row['total'] += 1 + len(r.augmented)
    return table


def skipped_table(records: List[SourceClip]) -> Dict[str, Dict[str, int]]:
    """{dataset: {status: clips}} of everything not kept."""
    table = collections.defaultdict(collections.Counter)
    for r in records:
        if r.status != 'ok':
            table[r.dataset][r.status] += 1
    return {d: {s: c[s] for s in STATUSES if c[s]} for d, c in
            sorted(table.items())}


def format_summary(records: List[SourceClip]) -> str:
    """The class x split table, then what was skipped and why."""
    table = count_table(records)
    width = max(len(n) for n in DANCE19_CLASSES)
    columns = ('train', 'train_aug', 'val', 'test', 'total')
    lines = [f'{"label":>5}  {"class":<{width}}'
             + ''.join(f'{c:>10}' for c in columns)]
    for label, name in enumerate(DANCE19_CLASSES):
        lines.append(f'{label:>5}  {name:<{width}}'
                     + ''.join(f'{table[name][c]:>10}' for c in columns))
    lines.append(f'{"":>5}  {"total":<{width}}' + ''.join(
        f'{sum(row[c] for row in table.values()):>10}' for c in columns))
    empty = [n for n, row in table.items() if row['total'] and
             (row['val'] == 0 or row['test'] == 0)]
    if empty:
        lines.append('warning: no val or test clips for ' + ', '.join(empty)
                     + ' (too few source videos for the split ratios)')
    skipped = skipped_table(records)
    if skipped:
        total = sum(sum(c.values()) for c in skipped.values())
        lines.append(f'\nskipped {total} source clips (reasons per clip in '
                     'manifest.csv):')
        for dataset, counts in skipped.items():
            lines.append(f'  {dataset}: ' + ', '.join(
                f'{status} {n}' for status, n in counts.items()))
    return '\n'.join(lines)


def _source_of(record: SourceClip) -> str:
    if record.dataset == 'kinetics700':
        return f'Kinetics {record.source_split or "(split unknown)"}'
    return "Let's Dance" if record.dataset == 'letsdance' else record.dataset


def format_split_summary(records: List[SourceClip], summary: dict) -> str:
    """Stage 4's report: the protocol, where each source's clips went, what
    each rule placed, the pretraining lists read and the overall shares."""
    protocol = summary['protocol']
    lines = [f'protocol {protocol}: ' + (
        'val and test only from Kinetics validate clips and Let\'s Dance; '
        'Kinetics train clips (what Kinetics checkpoints were trained on) in '
        'train only' if protocol == 'leakfree' else
        "the study's pooled split: Kinetics train clips may land in val and "
        'test (optimistic for Kinetics-pretrained models)')]
    check = summary.get('pretraining_check', {})
    known = {f['path']: f for f in check.get('lists', [])}
    for path, read in summary.get('exclude_from', {}).items():
        source = known.get(path, {})
        lines.append(f'  pretraining list {path}: {read["ids"]} videos'
                     + (f', {read["unreadable_lines"]} lines without a clip'
                        if read['unreadable_lines'] else '')
                     + (f' ({source["list"]}, {source["how"]})'
                        if source.get('list') else ''))
    table = collections.defaultdict(collections.Counter)
    for r in records:
        if r.status == 'ok' and r.split:
            table[_source_of(r)][r.split] += 1
    width = max([len(k) for k in table] + [6])
    lines.append(f'  {"source":<{width}}' + ''.join(
        f'{s:>8}' for s in SPLITS))
    for source, counts in sorted(table.items()):
        lines.append(f'  {source:<{width}}' + ''.join(
            f'{counts[s]:>8}' for s in SPLITS))
    totals = {s: sum(c[s] for c in table.values()) for s in SPLITS}
    total = max(sum(totals.values()), 1)
    lines.append(f'  {"total":<{width}}' + ''.join(
        f'{totals[s]:>8}' for s in SPLITS) + '   (' + ', '.join(
        f'{s} {100 * totals[s] / total:.1f} %' for s in SPLITS) + ')')
    for key, n in summary.get('rules', {}).items():
        lines.append(f'  rule: {n} clips: ' + RULES[key].format(
            source='named above'))
    lines += ['  ' + line for line in format_check_warning(summary)]
    return '\n'.join(lines)


def format_check_warning(split_summary: dict) -> List[str]:
    """The warning of the split's ``pretraining_check``, if it has one:
    what val and test were not checked against."""
    warning = split_summary.get('pretraining_check', {}).get('warning')
    return [f'warning: {warning}.'] if warning else []


def plot_counts(records: List[SourceClip], path: Path) -> None:
    """Horizontal bars per class: train, its augmented copies, val, test."""
    import matplotlib
    matplotlib.use('Agg')  # no display on servers; must precede pyplot
    import matplotlib.pyplot as plt
    import numpy as np

    table = count_table(records)
    names = list(DANCE19_CLASSES)
    y = np.arange(len(names))
    fig, ax = plt.subplots(figsize=(8, 7))
    left = np.zeros(len(names))
    for column, colour in (('train', '#4c72b0'), ('train_aug', '#a6bddb'),
                           ('val', '#dd8452'), ('test', '#55a868')):
        values = np.array([table[n][column] for n in names])
        if column == 'train_aug' and not values.any():
            continue
        ax.barh(y, values, left=left, color=colour, label=column)
        left += values
    ax.set_yticks(y, names)
    ax.invert_yaxis()
    ax.set_xlabel('clips')
    ax.set_title('dance19: clips per class and split')
    ax.legend(loc='upper center', bbox_to_anchor=(0.5, -0.07), ncol=4,
              frameon=False)
    fig.tight_layout()
    with atomic_path(path, suffix='.tmp.png') as tmp:
        fig.savefig(tmp, dpi=80, format='png')
    plt.close(fig)


def format_kinetics_summary(summary: dict) -> str:
    """Stage 1's table: clips found and missing per class, CSVs, layouts."""
    lines = []
    for path, counts in summary['csv'].items():
        lines.append(f'{path}: {counts.get("rows", 0)} rows, '
                     f'{counts.get("dance", 0)} of the 19 labels, '
                     f'{counts.get("malformed", 0)} malformed')
    width = max(len(n) for n in DANCE19_CLASSES)
    lines.append(f'{"class":<{width}}  {"found":>6}  {"missing":>7}')
    for name in DANCE19_CLASSES:
        lines.append(f'{name:<{width}}  {summary["found"][name]:>6}  '
                     f'{summary["missing"][name]:>7}')
    found, missing = (sum(summary[k].values()) for k in ('found', 'missing'))
    share = 100 * missing / max(found + missing, 1)
    lines.append(f'{"total":<{width}}  {found:>6}  {missing:>7}  '
                 f'({share:.1f} % missing)')
    lines.append('layouts: ' + (', '.join(
        f'{k} ({v})' for k, v in summary['layouts'].items()) or 'none'))
    return '\n'.join(lines)


def format_letsdance_summary(records: List[SourceClip], summary: dict) -> str:
    """Stage 2's table: Let's Dance clips per class and where they went."""
    kept = sum(r.status == 'ok' for r in records)
    lines = [f"Let's Dance: {len(records)} clips in "
             f"{len(summary['clips_per_letsdance_class'])} classes, {kept} "
             'kept' + (f" (class folders in {summary['rgb_folder']})"
                       if summary.get('rgb_folder') else '')]
    for name, count in sorted(summary['clips_per_letsdance_class'].items()):
        mapped = next((r.label for r in records if r.original_label == name),
                      None)
        target = 'dropped' if mapped is None else f'-> label {mapped}'
        lines.append(f'  {name:<10} {count:>4} clips  {target}')
    if summary['ignored_files']:
        lines.append(f"  {summary['ignored_files']} files not named "
                     '<video>_<start>_<frame>.jpg were ignored')
    if summary.get('usual_rate_clips'):
        lines.append(f"  {summary['usual_rate_clips']} clips with a frame "
                     'count no standard rate gives: read at 30 fps, kept '
                     'shorter than 10 s (manifest.csv: fps_rule)')
    return '\n'.join(lines)

