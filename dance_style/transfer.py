"""Transfer learning made visible: what a ``load_from`` checkpoint gave.

mmengine loads ``load_from`` with ``strict=False`` and reports mismatches
as a long warning that is easy to miss, so a fine-tuning run can silently
start from scratch (a wrong checkpoint, a renamed module). The hook here
compares the loaded model with the checkpoint and logs one line: how many
tensors came from it, which were skipped (shape differs: initialised
afresh), which the model has but the file lacks, and which the file has but
the model does not use. A Kinetics head sliced to our classes by
:class:`dance_style.kinetics_heads.KineticsHeadHook` counts as loaded, and
the line says how many rows it gave.

Answers (``tools/predict.py``, its timeline, the web page, ``tools/test.py``)
need every tensor instead: :func:`read_fitting` reads a checkpoint, slices a
Kinetics head, and refuses one that does not fit the model
(:func:`require_fit`).
"""
from typing import Dict, List, Optional, Tuple

import torch
from mmaction.registry import HOOKS
from mmengine.dist import is_main_process
from mmengine.hooks import Hook

from .checkpoints import read_checkpoint, read_tensors
from .classes import DANCE19_CLASSES
from .errors import DanceStyleError
from .kinetics_heads import (DEFAULT_HEAD, FRESH, INFO_KEY, format_slice,
                             head_label_map, slice_head)

# What a checkpoint that fits may lack: BatchNorm's step counter. Checkpoints
# of PyTorch < 0.4.1 and model-zoo files converted from them have none; it
# only matters for momentum=None, and torch fills it in (0) on loading. A
# Runner checkpoint of tools/train.py holds exactly the model's state_dict
# (the data preprocessor's mean and std are non-persistent buffers).
OPTIONAL_MISSING = ('.num_batches_tracked',)
SHOWN = 4  # names per kind in a refusal


def compare_state_dicts(model_state: Dict[str, torch.Tensor],
                        checkpoint_state: Dict[str, torch.Tensor]
                        ) -> Dict[str, List[str]]:
    """Sort the tensors into loaded / skipped / missing / unused.

    loaded: same name and shape in both; skipped: same name, other shape
    (not loaded); missing: only in the model; unused: only in the file.
    """
    loaded, skipped, missing = [], [], []
    for name, tensor in model_state.items():
        source = checkpoint_state.get(name)
        if source is None:
            missing.append(name)
        elif tuple(source.shape) != tuple(tensor.shape):
            skipped.append(f'{name} {list(source.shape)}->'
                           f'{list(tensor.shape)}')
        else:
            loaded.append(name)
    unused = [name for name in checkpoint_state if name not in model_state]
    return dict(loaded=loaded, skipped=skipped, missing=missing,
                unused=unused)


def summary_line(source: str, parts: Dict[str, List[str]]) -> str:
    """The one line the run log gets."""
    def names(items, limit=4):
        shown = ', '.join(items[:limit])
        return shown + (f', ... ({len(items) - limit} more)'
                        if len(items) > limit else '')

    line = (f'load_from {source}: {len(parts["loaded"])} tensors loaded, '
            f'{len(parts["skipped"])} skipped (shape differs; initialised '
            'afresh)')
    if parts['skipped']:
        line += f' [{names(parts["skipped"])}]'
    line += f', {len(parts["missing"])} missing from the checkpoint'
    if parts['missing']:
        line += f' [{names(parts["missing"])}]'
    line += f', {len(parts["unused"])} in the checkpoint but unused'
    if parts['unused']:
        line += f' [{names(parts["unused"])}]'
    return line


def misfit(model_state: Dict[str, torch.Tensor],
           checkpoint_state: Dict[str, torch.Tensor]
           ) -> Dict[str, List[str]]:
    """:func:`compare_state_dicts` less ``loaded`` and the tensors a fitting
    checkpoint may lack (:data:`OPTIONAL_MISSING`): all empty when it fits."""
    parts = compare_state_dicts(model_state, checkpoint_state)
    return dict(skipped=parts['skipped'], unused=parts['unused'],
                missing=[name for name in parts['missing']
                         if not name.endswith(OPTIONAL_MISSING)])


def require_fit(model_state: Dict[str, torch.Tensor],
                checkpoint_state: Dict[str, torch.Tensor],
                checkpoint: str, config: str) -> None:
    """Refuse (DanceStyleError) a checkpoint whose tensors are not the
    model's, name for name and shape for shape: the counts, the first names
    of each kind and the likely cause."""
    parts = misfit(model_state, checkpoint_state)
    if not any(parts.values()):
        return
    lines = [f'{checkpoint} does not fit {config}: '
             f'{len(parts["missing"])} tensors of the model missing from '
             f'the checkpoint, {len(parts["unused"])} in the checkpoint '
             f'that the model lacks, {len(parts["skipped"])} of another '
             'shape (checkpoint->model)']
    for kind, title in (('missing', 'missing'), ('unused', 'unexpected'),
                        ('skipped', 'other shape')):
        if parts[kind]:
            more = len(parts[kind]) - SHOWN
            lines.append(f'  {title}: {", ".join(parts[kind][:SHOWN])}'
                         + (f', ... ({more} more)' if more > 0 else ''))
    lines.append(
        'It is a checkpoint of another model or another config (e.g. '
        'trained with --cfg-options model.backbone.base_channels=32: pass '
        'the same options). Use the config the training run wrote next to '
        'its checkpoints (work_dirs/<run>/<config name>.py), or the '
        'checkpoint of this config.')
    raise DanceStyleError('\n'.join(lines))


def read_fitting(model, cfg, checkpoint: str
                 ) -> Tuple[Dict[str, torch.Tensor], Optional[dict], dict]:
    """The tensors of ``checkpoint`` for ``model`` (built from ``cfg``),
    with a Kinetics head sliced to our classes as the config's
    :class:`KineticsHeadHook` does; refused unless they fit the model
    exactly (:func:`require_fit`). Returns the tensors, the slice (None
    when no head was sliced) and the checkpoint's meta. One check for
    predict, the timeline, the web page and ``tools/test.py``."""
    tensors, meta = read_checkpoint(checkpoint)
    hook = next((h for h in cfg.get('custom_hooks', [])
                 if h.get('type') == 'KineticsHeadHook'), {})
    fresh = model.state_dict()
    label_map = head_label_map(cfg, meta)
    if label_map == FRESH:  # a fine-tuning option: answers need a head
        label_map = None
    sliced = slice_head(tensors, fresh, hook.get('head', DEFAULT_HEAD),
                        hook.get('classes', DANCE19_CLASSES), label_map,
                        source_name=str(checkpoint))
    require_fit(fresh, tensors, checkpoint,
                getattr(cfg, 'filename', None) or 'the config')
    return tensors, sliced, meta


@HOOKS.register_module()
class TransferSummaryHook(Hook):
    """Log what ``load_from`` contributed to the model, in one line, when a
    run starts from a checkpoint (not when it resumes).

    Example: ``load_from i3d_..._kinetics400.pth: 322 tensors loaded,
    0 skipped (shape differs; initialised afresh), 0 missing from the
    checkpoint, 0 in the checkpoint but unused; cls_head.fc_cls: 15 of 19
    rows taken from the Kinetics-400 head by class name; not in that head,
    initialised afresh: cumbia, moon walking, mosh pit dancing, square
    dancing``.

    A run where fewer than half of the model's tensors were loaded also
    gets a warning: that is almost always the wrong checkpoint.
    """

    priority = 'VERY_HIGH'

    def before_train(self, runner) -> None:
        source = runner.cfg.get('load_from')
        if not source or runner.cfg.get('resume') or not is_main_process():
            return
        from mmengine.model import is_model_wrapper
        model = runner.model.module if is_model_wrapper(
            runner.model) else runner.model
        tensors = read_tensors(source)
        sliced = runner.message_hub.get_info(INFO_KEY)
        if sliced:  # compare with what was loaded: the sliced head
            slice_head(tensors, model.state_dict(), sliced['head'],
                       list(sliced['rows']), sliced['layout'])
        parts = compare_state_dicts(model.state_dict(), tensors)
        line = summary_line(source, parts)
        if sliced:
            line += f'; {format_slice(sliced)}'
        runner.logger.info(line)
        total = len(model.state_dict())
        if len(parts['loaded']) < total / 2:
            runner.logger.warning(
                f'only {len(parts["loaded"])} of {total} tensors came from '
                f'{source}: is it a checkpoint of this architecture?')
