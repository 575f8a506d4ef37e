"""Heads sliced by class name: the 19-class dance head from a Kinetics head.

A Kinetics checkpoint is a dance-style classifier before any training: its
classifier has a row for each of our labels (19 of 19 in a Kinetics-700 or
Kinetics-710 head, 15 of 19 in a Kinetics-400 head). mmengine's
``load_from`` skips a head whose shape differs and leaves it random; here
the 19 rows are taken from the checkpoint's head by class name instead.
The row order of a head is never guessed from its size (publishers order
the same classes differently): it is a named label map of
``annotations/kinetics/`` (:data:`LABEL_MAPS`), given by the checkpoint's
entry in ``configs/metafile.yml``, by ``head_label_map`` in the config (or
``--cfg-options``), or by the checkpoint's own ``meta``. A head of another
size with none of these is refused. Classes the head lacks keep the
model's own freshly initialised rows.

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
from .errors import DanceStyleError
from .resources import KINETICS_LABEL_MAPS, require

# label map name -> the file of class names in a head's row order
# (annotations/kinetics/README.md says where each comes from)
LABEL_MAPS = {
    'k400': 'label_map_k400.txt',  # mmaction2 = deepmind/kinetics-i3d
    'k600': 'label_map_k600.txt',  # deepmind/kinetics-i3d (alphabetical)
    'k700': 'label_map_k700.txt',  # mmaction2
    'k710': 'label_map_k710.txt',  # mmaction2 (UniFormerV2's)
    'k710-mmaction2': 'label_map_k710.txt',
    'k710-videomaev2': 'label_map_k710_videomaev2.txt',  # VideoMAE V2's
}
# head_label_map=fresh: fine-tune with the head initialised afresh
FRESH = 'fresh'
DEFAULT_HEAD = 'cls_head.fc_cls'
# where the slice is kept for the metric and the transfer summary
INFO_KEY = 'kinetics_head'


@lru_cache(maxsize=None)
def kinetics_classes(label_map: str) -> tuple:
    """The class names of the label map ``label_map`` (a name of
    :data:`LABEL_MAPS`), in row order."""
    if label_map not in LABEL_MAPS:
        raise DanceStyleError(
            f'unknown head label map {label_map!r}; known: '
            f'{", ".join(LABEL_MAPS)} (annotations/kinetics/README.md)')
    path = require(KINETICS_LABEL_MAPS / LABEL_MAPS[label_map])
    return tuple(line.strip() for line in
                 path.read_text(encoding='utf-8').splitlines()
                 if line.strip())


def unknown_head(rows: int, source: str) -> DanceStyleError:
    """The refusal for a head whose class order nobody named."""
    return DanceStyleError(
        f'{source} has a {rows}-row classifier head, and nothing says in '
        'which class order its rows are (publishers order the same classes '
        'differently, so its size is no answer). Name its label map: '
        '--cfg-options head_label_map=NAME, NAME one of '
        f'{", ".join(LABEL_MAPS)} (annotations/kinetics/README.md), or add '
        'the checkpoint to configs/metafile.yml with its label_map; for '
        f'fine-tuning, head_label_map={FRESH} starts the head afresh.')


def head_rows(source: Sequence[str], target: Sequence[str] = DANCE19_CLASSES
              ) -> List[Optional[int]]:
    """For each target class, its row in a head over ``source`` (None when
    the source has no such class). Names are compared exactly: ours are
    verbatim Kinetics-700 labels."""
    index = {name: row for row, name in enumerate(source)}
    return [index.get(name) for name in target]


def slice_head(state: Dict, fresh: Dict, head: str = DEFAULT_HEAD,
               classes: Sequence[str] = DANCE19_CLASSES,
               label_map: Optional[str] = None,
               source_name: str = 'the checkpoint') -> Optional[dict]:
    """Replace a Kinetics head in ``state`` (a checkpoint's tensors) by the
    rows of ``classes``, in place, reading its row order from the label
    map named ``label_map``.

    ``fresh`` is the model's own state dict: its rows stand in for classes
    the Kinetics head lacks, and its shapes say what the model expects.
    Does nothing, and returns None, when the checkpoint's head already has
    the model's shape, when its features differ (another model: the fit
    check names it), or when ``label_map`` is ``fresh``. Raises
    DanceStyleError for a head of another size without a label map, or
    with one of another size. Otherwise returns what was done: ``layout``,
    ``head``, ``rows`` (class -> source row) and ``fresh`` (classes that
    kept fresh rows).
    """
    weight = f'{head}.weight'
    if weight not in state or weight not in fresh:
        return None
    source = state[weight]
    if tuple(source.shape) == tuple(fresh[weight].shape) or \
            tuple(source.shape[1:]) != tuple(fresh[weight].shape[1:]) or \
            fresh[weight].shape[0] != len(classes) or label_map == FRESH:
        return None
    if not label_map:
        raise unknown_head(source.shape[0], source_name)
    names = kinetics_classes(label_map)
    if len(names) != source.shape[0]:
        raise DanceStyleError(
            f'head_label_map {label_map} lists {len(names)} classes, but '
            f'the head of {source_name} has {source.shape[0]} rows: it is '
            'not that head\'s label map')
    rows = head_rows(names, classes)
    for key in (weight, f'{head}.bias'):
        if key not in state or key not in fresh:
            continue
        sliced = fresh[key].detach().clone().to(state[key].dtype)
        for target, row in enumerate(rows):
            if row is not None:
                sliced[target] = state[key][row]
        state[key] = sliced
    return dict(layout=label_map, source_rows=int(source.shape[0]), head=head,
                rows={name: row for name, row in zip(classes, rows)},
                fresh=[name for name, row in zip(classes, rows)
                       if row is None])


def head_label_map(cfg, meta: Optional[dict]) -> Optional[str]:
    """The label map of a checkpoint's head: ``head_label_map`` of the
    config (set from the checkpoint's metafile entry when it has one, or by
    the user), else the one the checkpoint's ``meta`` names (written by
    tools/convert_i3d_checkpoint.py), else None."""
    return (cfg.get('head_label_map') if cfg is not None else None) or \
        (meta or {}).get('head_label_map')


def format_slice(info: dict) -> str:
    """One line: what the head got."""
    taken = len(info['rows']) - len(info['fresh'])
    line = (f'{info["head"]}: {taken} of {len(info["rows"])} rows taken by '
            f'class name from the {info.get("source_rows", "")}-row head '
            f'(label map {info["layout"]})')
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
        meta = checkpoint.get('meta') if 'state_dict' in checkpoint else None
        info = slice_head(view, _unwrap(runner.model).state_dict(), self.head,
                          self.classes,
                          label_map=head_label_map(runner.cfg, meta),
                          source_name=str(runner.cfg.get('load_from')))
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
