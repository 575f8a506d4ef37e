"""``test(cfg, checkpoint)``: multi-view testing plus a per-class report."""
import json
import os
import os.path as osp
import sys
from typing import Dict, Optional

from mmengine.config import Config

from .config import prepare, set_work_dir
from .fileio import write_text_atomic
from .train import build_runner, release_runner

# The AccMetric keys that tools/test.py prints, with their display names.
HEADLINE_METRICS = (('acc/top1', 'top-1'), ('acc/top5', 'top-5'),
                    ('acc/mean1', 'mean class accuracy'))


def apply_test_args(cfg: Config,
                    config_path: str,
                    checkpoint: str,
                    work_dir: Optional[str] = None,
                    cfg_options: Optional[dict] = None,
                    launcher: str = 'none',
                    dump: Optional[str] = None,
                    data_root: Optional[str] = None) -> Config:
    """Point a config at a checkpoint and add the per-class report, and
    with ``dump`` a ``.npz`` of every video's scores (for late fusion).
    ``data_root`` points every split at one dataset folder."""
    from .checkpoints import resolve_checkpoint, use_entry
    checkpoint, entry = resolve_checkpoint(checkpoint)  # a name: downloaded
    cfg.launcher = launcher
    set_work_dir(cfg, config_path, work_dir)
    cfg.load_from = checkpoint
    cfg.resume = False
    prepare(cfg, data_root, cfg_options)
    if cfg.get('load_from') != checkpoint:
        # the CHECKPOINT argument is what is tested: a load_from among the
        # options (shared with a training command, say) would test other
        # weights, or random ones for load_from=None
        print(f'--cfg-options load_from={cfg.get("load_from")} ignored: '
              f'testing the CHECKPOINT argument, {checkpoint}',
              file=sys.stderr)
        cfg.load_from = checkpoint
    use_entry(cfg, entry)
    evaluators = cfg.test_evaluator
    if isinstance(evaluators, dict):
        evaluators = [evaluators]
    evaluators = [e for e in evaluators if e.get('type') not in
                  ('PerClassReport', 'CoveredClassesMetric')]
    evaluators.append(dict(type='PerClassReport', out_dir=cfg.work_dir))
    # a Kinetics head without some of our classes (zero-training baseline
    # of a Kinetics-400 checkpoint): the figures over the classes it has
    evaluators.append(dict(type='CoveredClassesMetric'))
    if dump:
        evaluators.append(dict(type='DumpScores', out_file=dump))
        _pack_filenames(cfg.test_dataloader.dataset.pipeline)
    cfg.test_evaluator = evaluators
    return cfg


def _pack_filenames(pipeline) -> None:
    """Carry each video's file name (or rawframe folder, for flow) to the
    metrics (PackActionInputs drops it by default), so a dump says which
    score row is which video."""
    for step in pipeline:
        if step.get('type') == 'PackActionInputs':
            keys = tuple(step.get('meta_keys', ('img_shape', 'img_key',
                                                'video_id', 'timestamp')))
            step['meta_keys'] = keys + tuple(
                k for k in ('filename', 'frame_dir') if k not in keys)


def test(cfg: Config, summary: Optional[list] = None) -> Dict[str, float]:
    """Run the test loop of ``cfg`` (``load_from`` is the checkpoint),
    write ``test_metrics.json`` into the work dir and return the metrics.
    ``summary``, a list, gets the transfer summary's lines: what the head
    got from a Kinetics head (rows taken by name, rows fresh), or that the
    checkpoint's head is the model's own.

    A checkpoint that does not fit the model, after a Kinetics head is
    sliced, is refused before testing (mmengine would load what fits and
    warn): :func:`dance_style.transfer.read_fitting`, as predict does."""
    from .kinetics_heads import _unwrap, format_slice
    from .transfer import read_fitting
    os.makedirs(cfg.work_dir, exist_ok=True)
    runner = build_runner(cfg)
    try:
        _, sliced, _ = read_fitting(_unwrap(runner.model), cfg, cfg.load_from)
        if summary is not None:
            summary.append(format_slice(sliced) if sliced else
                           'head: the checkpoint\'s own, one row per class')
        metrics = {k: float(v) for k, v in runner.test().items()}
    finally:
        release_runner(runner)  # a caller may test again in this process
    write_text_atomic(osp.join(cfg.work_dir, 'test_metrics.json'),
                      json.dumps(metrics, indent=2) + '\n')
    return metrics


def format_metrics(metrics: Dict[str, float]) -> str:
    """The headline lines tools/test.py prints (percentages), and the
    figures over the classes a sliced Kinetics head covers, if reported."""
    lines = []
    for key, name in HEADLINE_METRICS:
        if key in metrics:
            lines.append(f'{name:>20}: {100 * metrics[key]:6.2f} %')
    if 'covered/top1' in metrics:
        lines.append(f'over the {int(metrics["covered/classes"])} classes the '
                     'checkpoint\'s head covers (the others have untrained '
                     'rows):')
        for key, name in HEADLINE_METRICS:
            key = key.replace('acc/', 'covered/')
            if key in metrics:
                lines.append(f'{name:>20}: {100 * metrics[key]:6.2f} %')
    return '\n'.join(lines)
