"""Heads sliced by class name: the 19-class dance head from a Kinetics head.

A Kinetics checkpoint is a dance-style classifier before any training: its
classifier has a row for each of our labels (19 of 19 in a Kinetics-700 or
Kinetics-710 head, 15 of 19 in a Kinetics-400 head). mmengine's
``load_from`` skips a head whose shape differs and leaves it random; here
the 19 rows are taken from the checkpoint's head by class name instead, in
the row order of mmaction2's model-zoo label maps
(``annotations/kinetics/label_map_k{400,700,710}.txt``). Classes the head
lacks keep the model's own freshly initialised rows.

One mechanism, :class:`KineticsHeadHook` (in every config's runtime),
serves two uses:

* **zero-training baseline**: ``tools/test.py CONFIG KINETICS_CHECKPOINT``
  scores dance19 with the sliced rows; for a head that lacks classes,
  :class:`CoveredClassesMetric` adds the figures over the classes it has;
* **warm start**: fine-tuning from a Kinetics checkpoint starts the head
  from those rows instead of random weights.

``tools/predict.py`` slices the same way (:func:`slice_head`).
"""
from functools import lru_cache
from typing import Dict, List, Optional, Sequence

import numpy as np
from mmaction.registry import HOOKS, METRICS
from mmengine.evaluator import BaseMetric
from mmengine.hooks import Hook
from mmengine.logging import MessageHub

from .classes import DANCE19_CLASSES
from .resources import KINETICS_LABEL_MAPS, require

# rows of a head -> the label map giving their class names
LABEL_MAP_FILES = {400: 'label_map_k400.txt', 700: 'label_map_k700.txt',
                   710: 'label_map_k710.txt'}
DEFAULT_HEAD = 'cls_head.fc_cls'
# where the slice is kept for the metric and the transfer summary
INFO_KEY = 'kinetics_head'


@lru_cache(maxsize=None)
def kinetics_classes(rows: int) -> tuple:
    """The class names of a Kinetics head with ``rows`` rows, in row order
    (KeyError for a size that is no Kinetics layout)."""
    path = require(KINETICS_LABEL_MAPS / LABEL_MAP_FILES[rows])
    names = tuple(line.strip() for line in
                  path.read_text(encoding='utf-8').splitlines()
                  if line.strip())
    assert len(names) == rows, (path, len(names))
    return names


def head_rows(source: Sequence[str], target: Sequence[str] = DANCE19_CLASSES
              ) -> List[Optional[int]]:
    """For each target class, its row in a head over ``source`` (None when
    the source has no such class). Names are compared exactly: ours are
    verbatim Kinetics-700 labels."""
    index = {name: row for row, name in enumerate(source)}
    return [index.get(name) for name in target]


def slice_head(state: Dict, fresh: Dict, head: str = DEFAULT_HEAD,
               classes: Sequence[str] = DANCE19_CLASSES) -> Optional[dict]:
    """Replace a Kinetics head in ``state`` (a checkpoint's tensors) by the
    rows of ``classes``, in place.

    ``fresh`` is the model's own state dict: its rows stand in for classes
    the Kinetics head lacks, and its shapes say what the model expects.
    Does nothing, and returns None, when the checkpoint's head already has
    the model's shape or its row count is no Kinetics layout (400, 700,
    710). Otherwise returns what was done: ``layout``, ``head``, ``rows``
    (class -> source row) and ``fresh`` (classes that kept fresh rows).
    """
    weight = f'{head}.weight'
    if weight not in state or weight not in fresh:
        return None
    source = state[weight]
    if tuple(source.shape) == tuple(fresh[weight].shape) or \
            source.shape[0] not in LABEL_MAP_FILES or \
            tuple(source.shape[1:]) != tuple(fresh[weight].shape[1:]) or \
            fresh[weight].shape[0] != len(classes):
        return None
    rows = head_rows(kinetics_classes(source.shape[0]), classes)
    for key in (weight, f'{head}.bias'):
        if key not in state or key not in fresh:
            continue
        sliced = fresh[key].detach().clone().to(state[key].dtype)
        for target, row in enumerate(rows):
            if row is not None:
                sliced[target] = state[key][row]
        state[key] = sliced
    return dict(layout=f'Kinetics-{source.shape[0]}', head=head,
                rows={name: row for name, row in zip(classes, rows)},
                fresh=[name for name, row in zip(classes, rows)
                       if row is None])


def format_slice(info: dict) -> str:
    """One line: what the head got."""
    taken = len(info['rows']) - len(info['fresh'])
    line = (f'{info["head"]}: {taken} of {len(info["rows"])} rows taken from '
            f'the {info["layout"]} head by class name')
    if info['fresh']:
        line += (f'; not in that head, initialised afresh: '
                 f'{", ".join(info["fresh"])}')
    return line


def _unwrap(model):
    from mmengine.model import is_model_wrapper
    return model.module if is_model_wrapper(model) else model


@HOOKS.register_module()
class KineticsHeadHook(Hook):
    """Slice a Kinetics checkpoint's head to our classes, by name, whenever
    the Runner loads a checkpoint (``load_from`` for fine-tuning and for
    ``tools/test.py``; a resumed run's own 19-row head is left alone).

    mmengine calls ``after_load_checkpoint`` before it copies the tensors
    into the model, so the sliced head loads like any other tensor. The
    slice is logged in one line and kept in the message hub for
    :class:`CoveredClassesMetric` and the transfer summary.

    Args:
        head (str): Prefix of the classifier's ``weight``/``bias`` in the
            state dict. Defaults to ``cls_head.fc_cls`` (mmaction2's I3D,
            SlowFast, TimeSformer and UniFormer heads).
        classes (Sequence[str]): Class names in label order. Defaults to
            the 19 dance styles.
    """

    priority = 'VERY_HIGH'

    def __init__(self, head: str = DEFAULT_HEAD,
                 classes: Sequence[str] = DANCE19_CLASSES) -> None:
        self.head = head
        self.classes = tuple(classes)

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        """Rewrite the checkpoint's head rows in place."""
        state = checkpoint.get('state_dict', checkpoint)
        # a checkpoint saved from a DDP-wrapped model: mmengine strips the
        # prefix only after this hook
        prefix = 'module.' if f'module.{self.head}.weight' in state else ''
        view = {k[len(prefix):]: v for k, v in state.items()
                if k.startswith(prefix)}
        info = slice_head(view, _unwrap(runner.model).state_dict(), self.head,
                          self.classes)
        if info is None:
            return
        for suffix in ('weight', 'bias'):
            key = f'{self.head}.{suffix}'
            if key in view:
                state[prefix + key] = view[key]
        runner.message_hub.update_info(INFO_KEY, info)
        runner.logger.info(format_slice(info))


@METRICS.register_module()
class CoveredClassesMetric(BaseMetric):
    """Top-1, top-5 and mean class accuracy over the classes a sliced
    Kinetics head covers, when it lacks some (a Kinetics-400 head has 15 of
    the 19): the fair zero-training figures, since the rows of the missing
    classes are untrained. Only clips of covered classes count, and only
    the covered classes' scores compete.

    Reports nothing when no head was sliced, or the head had every class.
    ``tools/test.py`` adds it; keys ``covered/top1``, ``covered/top5``,
    ``covered/mean1``, ``covered/classes``.

    Args:
        collect_device (str): Device for gathering results across ranks.
        prefix (str, optional): Metric name prefix. Defaults to 'covered'.
    """

    default_prefix = 'covered'

    def process(self, data_batch, data_samples: Sequence[dict]) -> None:
        """Keep each video's label and scores."""
        for sample in data_samples:
            self.results.append((
                int(sample['gt_label'].item()),
                sample['pred_score'].detach().cpu().float().numpy()))

    def compute_metrics(self, results: list) -> Dict[str, float]:
        """The figures over covered classes, or {} when all are covered."""
        info = MessageHub.get_current_instance().get_info(INFO_KEY)
        if not info or not info['fresh'] or not results:
            return {}
        names = list(info['rows'])
        covered = [i for i, name in enumerate(names)
                   if name not in info['fresh']]
        labels = np.array([label for label, _ in results])
        scores = np.stack([score for _, score in results])
        keep = np.isin(labels, covered)
        if not keep.any():
            return {'classes': float(len(covered))}
        column = {label: i for i, label in enumerate(covered)}
        truth = np.array([column[label] for label in labels[keep]])
        ranked = np.argsort(-scores[keep][:, covered], axis=1)
        top1 = ranked[:, 0] == truth
        top5 = (ranked[:, :5] == truth[:, None]).any(axis=1)
        per_class = [top1[truth == c].mean() for c in np.unique(truth)]
        return {'top1': float(top1.mean()), 'top5': float(top5.mean()),
                'mean1': float(np.mean(per_class)),
                'classes': float(len(covered))}
