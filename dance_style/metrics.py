"""Per-class accuracy table and confusion-matrix picture for ``tools/test.py``."""
import csv
import io
import os
import os.path as osp
from typing import Dict, List, Optional, Sequence

import numpy as np
from mmaction.evaluation import ConfusionMatrix
from mmaction.registry import METRICS
from mmengine.evaluator import BaseMetric
from mmengine.logging import MMLogger

from .classes import DANCE19_CLASSES
from .fileio import atomic_path, write_text_atomic


@METRICS.register_module()
class PerClassReport(BaseMetric):
    """Write per-class accuracy and the confusion matrix of a test run.

    Top-1/top-5/mean class accuracy come from mmaction2's ``AccMetric``,
    which runs beside this one; this metric adds what AccMetric does not
    keep: which class is confused with which. On ``compute_metrics`` it writes
    into ``out_dir``:

    * ``per_class_accuracy.md`` and ``.csv``: clips, correct, accuracy per
      class;
    * ``confusion_matrix.png``: rows true class, columns predicted, with
      class names (drawn by mmaction2's ``ConfusionMatrix.plot``);
    * ``confusion_matrix.csv``: the counts.

    Args:
        out_dir (str, optional): Folder for the files; nothing is written
            when None (e.g. during validation). ``tools/test.py`` sets it to
            the work dir.
        class_names (Sequence[str]): Names in label order. Defaults to the
            19 dance styles.
        collect_device (str): Device for gathering results across ranks.
        prefix (str, optional): Metric name prefix.
    """

    default_prefix = 'per_class'

    def __init__(self,
                 out_dir: Optional[str] = None,
                 class_names: Sequence[str] = DANCE19_CLASSES,
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        self.out_dir = out_dir
        self.class_names = list(class_names)

    def process(self, data_batch, data_samples: Sequence[dict]) -> None:
        """Keep the true label and the averaged class scores of each video."""
        for sample in data_samples:
            self.results.append(
                dict(
                    label=int(sample['gt_label'].item()),
                    score=sample['pred_score'].detach().cpu().numpy()))

    def compute_metrics(self, results: List[dict]) -> Dict[str, float]:
        """Build the confusion matrix, write the report files, and return
        the worst class's accuracy (a number worth logging)."""
        labels = np.array([r['label'] for r in results])
        scores = np.stack([r['score'] for r in results])
        num_classes = max(scores.shape[1], len(self.class_names))
        matrix = ConfusionMatrix.calculate(
            scores, labels, num_classes=num_classes).numpy()
        rows = per_class_rows(matrix, self.class_names)
        if self.out_dir:
            paths = write_report(matrix, rows, self.class_names, self.out_dir)
            MMLogger.get_current_instance().info(
                'per-class report: ' + ', '.join(paths))
        present = [r['accuracy'] for r in rows if r['clips'] > 0]
        return {'worst_class_acc': float(min(present)) if present else 0.0}


def per_class_rows(matrix: np.ndarray, class_names: Sequence[str]) -> list:
    """One dict per class: label, name, clips, correct, accuracy (0..1)."""
    rows = []
    for label in range(matrix.shape[0]):
        clips = int(matrix[label].sum())
        correct = int(matrix[label, label])
        name = class_names[label] if label < len(class_names) else str(label)
        rows.append(
            dict(label=label, name=name, clips=clips, correct=correct,
                 accuracy=correct / clips if clips else float('nan')))
    return rows


def write_report(matrix: np.ndarray, rows: list, class_names: Sequence[str],
                 out_dir: str) -> List[str]:
    """Write the Markdown/CSV tables and the PNG; returns the paths."""
    os.makedirs(out_dir, exist_ok=True)
    md_path = osp.join(out_dir, 'per_class_accuracy.md')
    csv_path = osp.join(out_dir, 'per_class_accuracy.csv')
    cm_csv_path = osp.join(out_dir, 'confusion_matrix.csv')
    png_path = osp.join(out_dir, 'confusion_matrix.png')

    lines = ['| label | class | clips | correct | accuracy (%) |',
             '| ---: | --- | ---: | ---: | ---: |']
    for r in rows:
        acc = '-' if r['clips'] == 0 else f"{100 * r['accuracy']:.1f}"
        lines.append(f"| {r['label']} | {r['name']} | {r['clips']} | "
                     f"{r['correct']} | {acc} |")
    write_text_atomic(md_path, '\n'.join(lines) + '\n')
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]),
                            lineterminator='\n')
    writer.writeheader()
    writer.writerows(rows)
    write_text_atomic(csv_path, buffer.getvalue())
    names = [r['name'] for r in rows]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator='\n')
    writer.writerow(['true \\ predicted'] + names)
    for name, counts in zip(names, matrix):
        writer.writerow([name] + [int(c) for c in counts])
    write_text_atomic(cm_csv_path, buffer.getvalue())
    plot_confusion_matrix(matrix, names, png_path)
    return [md_path, csv_path, cm_csv_path, png_path]


def plot_confusion_matrix(matrix: np.ndarray, names: Sequence[str],
                          path: str) -> None:
    """Row-normalised confusion matrix as a PNG with class names."""
    import matplotlib
    matplotlib.use('Agg')  # no display on servers; must precede pyplot
    import matplotlib.pyplot as plt
    import torch

    totals = matrix.sum(axis=1, keepdims=True)
    # Percent of each true class, so rare and common classes read alike.
    normalised = np.where(totals > 0, 100.0 * matrix / np.maximum(totals, 1),
                          0.0).round().astype(np.int64)
    fig = ConfusionMatrix.plot(
        torch.from_numpy(normalised), include_values=True,
        classes=list(names), show=False)
    ax = fig.axes[0]
    # mmaction2 slants the (top) column names by 30 degrees, which makes 19
    # long dance names overlap; upright columns read cleanly.
    plt.setp(ax.get_xticklabels(), rotation=90, ha='center', va='bottom',
             rotation_mode='default')
    ax.set_title('Confusion matrix (% of each true class)', pad=12)
    with atomic_path(path, suffix='.tmp.png') as tmp:
        fig.savefig(tmp, dpi=90, bbox_inches='tight', format='png')
    plt.close(fig)


def true_class_nll(scores: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """-log p(true class) per video. ``scores`` are probabilities (rows sum
    to 1: mmaction2's ``average_clips='prob'``) or raw logits (anything
    else), turned into probabilities with a softmax first."""
    scores = np.asarray(scores, dtype=np.float64)
    is_prob = (scores.min() >= 0
               and np.allclose(scores.sum(axis=1), 1.0, atol=1e-3))
    if not is_prob:
        shifted = scores - scores.max(axis=1, keepdims=True)
        scores = np.exp(shifted)
        scores /= scores.sum(axis=1, keepdims=True)
    picked = scores[np.arange(len(labels)), labels]
    return -np.log(np.clip(picked, 1e-12, None))


@METRICS.register_module()
class ValidationLoss(BaseMetric):
    """Cross-entropy of the validation predictions: the validation loss of
    the study's Table 1, which mmengine's ValLoop does not compute (it runs
    the model in predict mode, without the loss).

    With one clip per video (the validation pipelines here) the score is
    the softmax of the logits, so this is exactly the training loss
    (cross-entropy) on held-out clips, without dropout. With several views
    it is the NLL of their averaged probabilities.

    Logged as ``val_loss`` beside ``acc/top1``; ``tools/plot_curves.py``
    draws it.

    Args:
        collect_device (str): Device for gathering results across ranks.
        prefix (str, optional): Metric name prefix.
    """

    def process(self, data_batch, data_samples: Sequence[dict]) -> None:
        """Keep each video's loss."""
        labels = np.array([int(s['gt_label'].item()) for s in data_samples])
        scores = np.stack([s['pred_score'].detach().cpu().float().numpy()
                           for s in data_samples])
        self.results.extend(float(x) for x in true_class_nll(scores, labels))

    def compute_metrics(self, results: List[float]) -> Dict[str, float]:
        """The mean over videos."""
        return {'val_loss': float(np.mean(results)) if results else 0.0}


@METRICS.register_module()
class DumpScores(BaseMetric):
    """Save each video's class scores for late fusion
    (``tools/test.py --dump``, ``tools/fuse_scores.py``).

    Writes ``out_file`` as a NumPy ``.npz`` (loaded without pickle, unlike
    mmengine's ``DumpResults``): ``scores`` (videos x classes, the averaged
    test-time probabilities), ``labels`` and ``videos`` (file names, or
    frame folders for rawframe datasets), in the
    annotation file's order.

    Args:
        out_file (str): Path of the ``.npz`` to write.
        collect_device (str): Device for gathering results across ranks.
        prefix (str, optional): Metric name prefix.
    """

    def __init__(self, out_file: str, collect_device: str = 'cpu',
                 prefix: Optional[str] = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        if not str(out_file).endswith('.npz'):
            out_file = f'{out_file}.npz'
        self.out_file = out_file

    def process(self, data_batch, data_samples: Sequence[dict]) -> None:
        """Keep label, scores and file name of each video."""
        for sample in data_samples:
            self.results.append(dict(
                label=int(sample['gt_label'].item()),
                score=sample['pred_score'].detach().cpu().float().numpy(),
                # a video file, or a rawframe folder (the flow stream)
                video=str(sample.get('filename', sample.get('frame_dir',
                                                            '')))))

    def compute_metrics(self, results: List[dict]) -> Dict[str, float]:
        """Write the file; returns no metric."""
        with atomic_path(self.out_file, suffix='.tmp.npz') as tmp:
            np.savez(tmp,
                     scores=np.stack([r['score'] for r in results]),
                     labels=np.array([r['label'] for r in results]),
                     videos=np.array([r['video'] for r in results]))
        MMLogger.get_current_instance().info(
            f'scores of {len(results)} videos dumped to {self.out_file}')
        return {}
