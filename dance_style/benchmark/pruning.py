"""What pruning saves in a sweep: the same trials with and without it
(``tools/benchmark.py --what pruning``).

Runs two sweeps of the default search space (the study's lr, dropout and
optimizer) on a small synthetic dataset: one with the median pruner, one
without. Both use random search with the same seed, so they draw the same
parameters in the same order and differ only in what pruning stopped early.
Reports epochs trained, wall time and best validation top-1 of each, and
their ratios.
"""
import shutil
import tempfile
import time
from pathlib import Path
from typing import Dict, Sequence

from ..errors import DanceStyleError
from ..resources import STUDY_SPACE, shown

# The tests' easy 3-class subset: learnable in a few CPU minutes, so good
# and bad trials differ (on 6 or 19 classes every trial of a few epochs
# stays near chance here, and pruning has nothing to tell apart).
EASY_CLASSES = (1, 14, 17)


def _sweep(name: str, pruner: str, config: str, data: str, trials: int,
           epochs: int, seed: int, work_dir: Path,
           startup_trials: int) -> Dict:
    from ..sweep.report import summarize
    from ..sweep.storage import default_storage_url
    from ..sweep.study import SweepSettings, run_worker
    study_dir = work_dir / name
    settings = SweepSettings(
        config=config, space_file=str(STUDY_SPACE), study_name=name,
        storage=default_storage_url(study_dir), study_dir=study_dir,
        n_trials=trials, pruner=pruner, pruner_startup_trials=startup_trials,
        pruner_warmup_epochs=1, sampler='random', seed=seed,
        keep_checkpoints='none', heartbeat_interval=None, data_root=data,
        cfg_options={
            'train_cfg.max_epochs': epochs,
            # a plain cosine over the short run, no warm-up epoch; it ends
            # at max_epochs (mmengine's default end)
            'param_scheduler': [dict(
                type='CosineAnnealingLR', eta_min=0, by_epoch=True,
                begin=0, convert_to_iter_based=True)],
            'custom_hooks': [],
        })
    start = time.perf_counter()
    study, _ = run_worker(settings)
    seconds = time.perf_counter() - start
    summary = summarize(study)
    return {
        'pruner': pruner,
        'trials': summary['trials'],
        'states': summary['states'],
        'epochs_trained': summary['epochs_trained'],
        'wall_s': round(seconds, 1),
        'best_top1': summary['best']['value'] if summary['best'] else None,
        'best_trial': summary['best']['number'] if summary['best'] else None,
    }


def measure_pruning(config: str, trials: int = 12, epochs: int = 5,
                    classes: Sequence[int] = EASY_CLASSES,
                    clips_per_class: int = 40, seed: int = 0,
                    work_dir: str = 'work_dirs/benchmark_pruning',
                    startup_trials: int = 3) -> Dict:
    """Both sweeps of ``config`` on a fresh synthetic dataset of
    ``classes``; ``work_dir`` (replaced) keeps both studies. The median
    pruner lets the first ``startup_trials`` trials finish before it prunes
    any."""
    if not 0 <= startup_trials < trials:
        raise DanceStyleError(
            f'the median pruner lets the first {startup_trials} trials '
            f'finish: with {trials} trials it could prune none; pass '
            '--pruner-startup-trials below --trials')
    from ..register import register_all_modules
    from ..synthetic import generate_dataset
    register_all_modules()
    work = Path(work_dir)
    shutil.rmtree(work, ignore_errors=True)
    with tempfile.TemporaryDirectory() as data:
        generate_dataset(
            data, clips_per_class=clips_per_class, val_per_class=10,
            test_per_class=1, classes=list(classes), size=(64, 64),
            num_frames=48, fps=16.0, seed=seed, workers=2, progress=False)
        results = {
            'config': config, 'search_space': shown(STUDY_SPACE),
            'trials': trials, 'epochs': epochs, 'classes': list(classes),
            'clips_per_class': clips_per_class,
            'pruner_startup_trials': startup_trials,
            'with_pruning': _sweep('median', 'median', config, data, trials,
                                   epochs, seed, work, startup_trials),
            'without_pruning': _sweep('none', 'none', config, data, trials,
                                      epochs, seed, work, startup_trials),
        }
    pruned, full = results['with_pruning'], results['without_pruning']
    results['epochs_ratio'] = round(
        pruned['epochs_trained'] / full['epochs_trained'], 3)
    results['time_ratio'] = round(pruned['wall_s'] / full['wall_s'], 3)
    return results
