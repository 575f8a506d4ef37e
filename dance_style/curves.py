"""Training curves of finished runs: loss and accuracy per epoch.

Reads what mmengine's LocalVisBackend writes into every run folder,
``<work_dir>/<timestamp>/vis_data/scalars.json`` (one JSON object per line):
training lines (``loss``, ``epoch``, ``iter``), :class:`EpochLossHook`'s
``train_loss`` per epoch, and validation lines (``acc/top1``, ``val_loss``)
with ``step`` = epoch. A resumed run has several timestamp folders; later
ones win for the same epoch.
"""
import glob
import json
import os.path as osp
from collections import defaultdict
from typing import Dict, List, Sequence

from .errors import DanceStyleError
from .fileio import atomic_path

COLUMNS = ('train_loss', 'val_loss', 'val_top1')


def scalar_files(work_dir: str) -> List[str]:
    """The run's scalars.json files, oldest first."""
    files = sorted(glob.glob(osp.join(glob.escape(work_dir), '*', 'vis_data',
                                      'scalars.json')))
    if not files:
        raise DanceStyleError(
            f'no training logs in {work_dir}: expected '
            '<work_dir>/<timestamp>/vis_data/scalars.json, which '
            'tools/train.py writes (pass the folder given as --work-dir)')
    return files


def read_curves(work_dir: str) -> Dict[int, Dict[str, float]]:
    """``{epoch: {train_loss, val_loss, val_top1}}`` (keys that were
    logged). Without EpochLossHook's line, the training loss of an epoch is
    the mean of the LoggerHook's records in it."""
    table: Dict[int, Dict[str, float]] = defaultdict(dict)
    logged = defaultdict(list)
    for path in scalar_files(work_dir):
        with open(path, encoding='utf-8') as handle:
            for line in handle:
                try:
                    record = json.loads(line)
                except json.JSONDecodeError:
                    continue  # a line cut off by a killed run
                if 'train_loss' in record:
                    table[int(record['step'])]['train_loss'] = float(
                        record['train_loss'])
                elif 'acc/top1' in record:
                    row = table[int(record['step'])]
                    row['val_top1'] = float(record['acc/top1'])
                    if 'val_loss' in record:
                        row['val_loss'] = float(record['val_loss'])
                elif 'loss' in record and 'epoch' in record:
                    logged[int(record['epoch'])].append(float(record['loss']))
    for epoch, losses in logged.items():
        table[epoch].setdefault('train_loss', sum(losses) / len(losses))
    return dict(sorted(table.items()))


def markdown_table(runs: Dict[str, Dict[int, Dict[str, float]]]) -> str:
    """One Markdown table per run: epoch, losses, validation top-1 (%)."""
    blocks = []
    for name, table in runs.items():
        lines = [f'**{name}**', '',
                 '| epoch | training loss | validation loss | '
                 'validation top-1 (%) |', '| ---: | ---: | ---: | ---: |']
        for epoch, row in table.items():
            cells = [f'{row[k]:.4f}' if k in row else '-'
                     for k in ('train_loss', 'val_loss')]
            top1 = f'{100 * row["val_top1"]:.2f}' if 'val_top1' in row \
                else '-'
            lines.append(f'| {epoch} | {cells[0]} | {cells[1]} | {top1} |')
        blocks.append('\n'.join(lines))
    return '\n\n'.join(blocks) + '\n'


def plot_curves(runs: Dict[str, Dict[int, Dict[str, float]]],
                path: str) -> None:
    """Three panels (training loss, validation loss, validation top-1),
    one line per run."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    figure, axes = plt.subplots(1, 3, figsize=(13, 4))
    titles = ('training loss', 'validation loss', 'validation top-1 (%)')
    for axis, key, title in zip(axes, COLUMNS, titles):
        for name, table in runs.items():
            epochs = [e for e, row in table.items() if key in row]
            values = [table[e][key] * (100 if key == 'val_top1' else 1)
                      for e in epochs]
            if epochs:
                axis.plot(epochs, values, marker='o', label=name)
        axis.set_title(title)
        axis.set_xlabel('epoch')
        axis.grid(alpha=0.3)
    axes[0].legend(fontsize=8)
    figure.tight_layout()
    with atomic_path(path, suffix='.tmp.png') as tmp:
        figure.savefig(tmp, dpi=90, format='png')
    plt.close(figure)


def run_names(work_dirs: Sequence[str]) -> List[str]:
    """Short distinct labels: the folder names (parent/name on clashes)."""
    names = [osp.basename(osp.normpath(d)) for d in work_dirs]
    if len(set(names)) < len(names):
        names = [osp.join(*osp.normpath(d).split(osp.sep)[-2:])
                 for d in work_dirs]
    return names
