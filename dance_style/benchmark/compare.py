"""``tools/compare_models.py``: every dance config side by side.

For each config it measures, on this machine: parameters, forward GFLOPs of
one test view (torch's FlopCounterMode), the number of test views, and the
latency of one video (all its views as one batch, as ``tools/test.py``
feeds them) on the CPU and, where present, on the GPU. Given checkpoints and
one test list, it also tests each of them on that list (top-1, top-5, mean
class). What cannot be measured here (publishers' figures, the study's)
comes from ``configs/metafile.yml``, cited as such. Each config's epochs and
the learning rate of each parameter group at its documented batch are read
from the config whenever the table is drawn (:mod:`dance_style.recipe`).

Output: a run record (:mod:`dance_style.records`: the figures under
``figures``, with the command, commit, date, machine and a CPU probe) and a
Markdown table. The README's configs table is the ``configs`` block of
:mod:`dance_style.render_blocks`, drawn from ``docs/results/compare.json``
by :func:`table_from_record`.
"""
import hashlib
import json
import time
from pathlib import Path
from typing import Dict, List, Optional

from ..errors import DanceStyleError
from ..recipe import describe, effective_rates
from ..resources import CONFIGS, REPO_ROOT, shown

METAFILE = CONFIGS / 'metafile.yml'
CROPS = {'CenterCrop': 1, 'ThreeCrop': 3, 'TenCrop': 10}


def load_metafile(path: Path = METAFILE) -> List[dict]:
    """The configs to compare, in table order, with their cited figures
    (the metafile's ``Configs``)."""
    import yaml
    entries = yaml.safe_load(Path(path).read_text(encoding='utf-8'))['Configs']
    for entry in entries:
        if not (REPO_ROOT / entry['config']).is_file():
            raise DanceStyleError(f'{path}: {entry["config"]} does not exist')
    return entries


def views_per_video(cfg) -> int:
    """Clips x crops of the config's test pipeline (the views of a
    video)."""
    clips, crops = 1, 1
    for step in cfg.test_dataloader.dataset.pipeline:
        if step['type'] in ('SampleFrames', 'UniformSample'):
            clips = step.get('num_clips', 1)
        crops = CROPS.get(step['type'], crops)
    return clips * crops


def view_shape(cfg) -> tuple:
    """(C, T, H, W) of one test view."""
    from ..export import input_shape
    channels = cfg.model.backbone.get('in_channels', 3)
    return (channels, ) + tuple(input_shape(cfg))


def schedule(entry: dict) -> dict:
    """Epochs and each parameter group's learning rate of ``entry``'s
    config at its documented batch (``gpus`` of the metafile entry, 1 for
    a config it does not list)."""
    from ..config import load_config
    cfg = load_config(str(REPO_ROOT / entry['config']))
    return effective_rates(cfg, entry.get('gpus', 1))


def _model_key(cfg) -> str:
    """Configs that differ only in training settings measure alike."""
    text = json.dumps([cfg.model.to_dict() if hasattr(cfg.model, 'to_dict')
                       else cfg.model, view_shape(cfg), views_per_video(cfg)],
                      sort_keys=True, default=str)
    return hashlib.sha1(text.encode()).hexdigest()


def video_latency(model, shape, views: int, device, iters: int = 1) -> float:
    """Seconds for one video: ``views`` clips in one batch, probabilities
    averaged; one untimed single-view call first."""
    import torch
    from .speed import synchronize
    with torch.no_grad():
        model.cls_head(model.backbone(torch.zeros((1, ) + shape,
                                                  device=device)))
        clips = torch.randn((views, ) + shape, device=device)
        synchronize(device)
        start = time.perf_counter()
        for _ in range(iters):
            model.cls_head(model.backbone(clips)).softmax(-1).mean(0)
        synchronize(device)
    return (time.perf_counter() - start) / iters


def measure(config: str, devices: List[str], iters: int = 1,
            cache: Optional[Dict] = None) -> dict:
    """Size, cost and latency of one config's model (cached by model)."""
    import torch
    from mmaction.registry import MODELS

    from .speed import flops_per_clip
    from ..config import load_config
    cfg = load_config(str(REPO_ROOT / config))
    key = _model_key(cfg)
    if cache is not None and key in cache:
        return dict(cache[key], same_as=cache[key]['config'], config=config)
    shape, views = view_shape(cfg), views_per_video(cfg)
    result = dict(config=config, view_shape=list(shape), views=views,
                  latency_s={})
    for name in devices:
        device = torch.device(name)
        # random weights: cost and speed do not depend on them (and a
        # config's init may need files, e.g. a 2D ImageNet ResNet-50)
        model = MODELS.build(cfg.model).to(device).eval()
        if 'params_m' not in result:
            result['params_m'] = sum(p.numel() for p in
                                     model.parameters()) / 1e6
            result['gflops_per_view'] = flops_per_clip(model, shape,
                                                       device) / 1e9
        result['latency_s'][name] = video_latency(model, shape, views,
                                                  device, iters)
        del model
    if cache is not None:
        cache[key] = result
    return result


def measure_accuracy(config: str, checkpoint: str, ann_file: str,
                     data_root: Optional[str], work_dir: Path) -> dict:
    """top-1, top-5 and mean class of ``checkpoint`` on ``ann_file`` (a
    relative path that is not there is looked for under ``data_root``)."""
    from ..config import load_config
    if data_root and not Path(ann_file).is_absolute() and \
            not Path(ann_file).exists():
        ann_file = str(Path(data_root) / ann_file)
    if not Path(ann_file).is_file():
        raise DanceStyleError(f'--ann-file {ann_file}: no such file')
    from ..evaluate import apply_test_args, test
    cfg = load_config(str(REPO_ROOT / config))
    cfg = apply_test_args(
        cfg, str(REPO_ROOT / config), checkpoint, work_dir=str(work_dir),
        data_root=data_root,
        cfg_options={'test_dataloader.dataset.ann_file': ann_file})
    metrics = test(cfg)
    return dict(checkpoint=checkpoint, list=ann_file,
                top1=100 * metrics['acc/top1'], top5=100 * metrics['acc/top5'],
                mean1=100 * metrics['acc/mean1'])


def _cited(figures: Optional[dict]) -> str:
    if not figures:
        return ''
    text = f'{figures["top1"]:.2f} / {figures["top5"]:.2f}'
    return text + (f' ({figures["dataset"]})' if 'dataset' in figures else '')


def markdown_table(rows: List[dict], meta: dict) -> str:
    """The README's configs table: measured columns and cited ones."""
    devices = meta['devices']
    head = ['config', 'model', 'recipe', 'epochs',
            'batch: GPUs x clips', 'lr per parameter group at that batch',
            'params (M)', 'GFLOPs / view', 'test views'] + [
                f'{d.upper()} s / video' for d in devices] + [
                'zoo top-1 / top-5 (cited)', 'study top-1 / top-5 (cited)',
                'measured top-1 / top-5 / mean']
    lines = ['| ' + ' | '.join(head) + ' |',
             '| ' + ' | '.join(['---'] * len(head)) + ' |']
    for row in rows:
        accuracy = row.get('accuracy')
        measured = (f'{accuracy["top1"]:.2f} / {accuracy["top5"]:.2f} / '
                    f'{accuracy["mean1"]:.2f}' if accuracy else '')
        rates = row.get('schedule')
        cells = [f'`{row["config"]}`', row.get('model', ''),
                 row.get('recipe', ''), str(rates['epochs']) if rates else '',
                 *describe(rates), f'{row["params_m"]:.2f}',
                 f'{row["gflops_per_view"]:.1f}', str(row['views'])]
        cells += [f'{row["latency_s"][d]:.2f}' for d in devices]
        cells += [_cited(row.get('zoo')), _cited(row.get('study')),
                  measured]
        lines.append('| ' + ' | '.join(cells) + ' |')
    lines.append('')
    lines.append(
        f'Measured by `tools/compare_models.py` on {meta["date"]}, '
        f'{meta["machine"]}: parameters with the 19-class head, forward '
        'GFLOPs of one test view (FlopCounterMode: convolutions and matmuls, '
        '2 FLOPs per multiply-add, so about twice the "FLOPs" of mmaction2\'s '
        'model zoo, which counts multiply-adds), one video = all its test '
        'views in one batch, random weights. Zoo figures are the '
        "publishers' on their own dataset, not dance19; study figures are "
        'the study\'s, on its pooled split. Epochs and rates are read from '
        'each config when the table is drawn: the rate of each parameter '
        'group at the peak of the schedule (after any warm-up), as the '
        'config\'s optimizer constructor (lr_mult, layer decay) and '
        'auto_scale_lr set it for the batch the recipe is meant for '
        '(`gpus` in configs/metafile.yml x the config\'s clips per GPU); '
        '"lr as set": the rate does not follow the batch.' + (
            f' Measured accuracy: on `{meta["list"]}`.' if meta.get('list')
            else ''))
    return '\n'.join(lines) + '\n'


def recite(result: dict) -> dict:
    """An earlier run's measurements (a record's figures) with the
    metafile's current model, recipe and cited figures."""
    entries = {e['config']: e for e in load_metafile()}
    rows = []
    for row in result['rows']:
        cited = entries.get(row['config'], {})
        row = {k: v for k, v in row.items()
               if k not in ('model', 'recipe', 'zoo', 'study', 'gpus')}
        row = dict(row, **cited)
        # read from the config as it is now, not from the record
        row['schedule'] = schedule(row)
        rows.append(row)
    return dict(result, rows=rows)


def machine_text(machine: Dict) -> str:
    """A record's machine in the table's words."""
    text = machine['cpu']
    if machine.get('cores'):
        text += f', {machine["cores"]} cores'
    if machine.get('gpu'):
        text += f', {machine["gpu"]}'
    return text


def table_from_record(record: Dict) -> str:
    """The configs table of the run record ``record``: its measurements,
    its date and machine, and the metafile's current citations and the
    configs' current recipes (:func:`recite`)."""
    result = recite(record['figures'])
    meta = dict(result['meta'], date=record['date'][:10],
                machine=machine_text(record['machine']))
    return markdown_table(result['rows'], meta)


def compare(configs: Optional[List[str]] = None,
            checkpoints: Optional[Dict[str, str]] = None,
            ann_file: Optional[str] = None, data_root: Optional[str] = None,
            iters: int = 1, work_dir: Path = Path('work_dirs/compare'),
            log=print) -> dict:
    """Measure every config of the metafile (or ``configs``); returns the
    figures of the run record, ``{'meta': ..., 'rows': [...]}`` (the
    record holds the date and the machine)."""
    import torch
    from tqdm import tqdm
    entries = load_metafile()
    if configs:
        known = {e['config']: e for e in entries}
        wanted = [shown(Path(c).resolve()) for c in configs]
        missing = [c for c in configs if not Path(c).is_file()]
        if missing:
            raise DanceStyleError(f'config not found: {", ".join(missing)}')
        # a config of the user's own is measured too, without cited figures
        # (those come from the metafile)
        entries = [known.get(c, {'config': c}) for c in wanted]
    checkpoints = {shown(Path(k).resolve()): v
                   for k, v in (checkpoints or {}).items()}
    if checkpoints and not ann_file:
        raise DanceStyleError('--checkpoint needs --ann-file: the one test '
                              'list every checkpoint is scored on')
    devices = ['cpu'] + (['cuda'] if torch.cuda.is_available() else [])
    cache: Dict = {}
    rows = []
    for entry in tqdm(entries, desc='configs', unit='config'):
        row = dict(entry, **measure(entry['config'], devices, iters, cache))
        row['schedule'] = schedule(entry)
        if entry['config'] in checkpoints:
            row['accuracy'] = measure_accuracy(
                entry['config'], checkpoints[entry['config']], ann_file,
                data_root, work_dir / Path(entry['config']).stem)
        rows.append(row)
        log(f'{entry["config"]}: {row["params_m"]:.2f} M, '
            f'{row["gflops_per_view"]:.1f} GFLOPs/view x {row["views"]}, '
            + ', '.join(f'{d} {s:.2f} s/video'
                        for d, s in row['latency_s'].items()))
    meta = dict(devices=devices, list=ann_file, iters=iters)
    return dict(meta=meta, rows=rows)
