"""What a sweep leaves behind: a table, a summary, the best config, plots."""
import json
import warnings
from pathlib import Path
from typing import Dict, List

from ..fileio import atomic_path, write_text_atomic

STATES = ('COMPLETE', 'PRUNED', 'FAIL', 'RUNNING', 'WAITING')


def trial_rows(study) -> List[Dict]:
    """One plain dict per trial, in trial-number order."""
    rows = []
    for trial in sorted(study.get_trials(deepcopy=False),
                        key=lambda t: t.number):
        rows.append({
            'number': trial.number,
            'state': trial.state.name,
            'value': trial.value,
            'epochs_trained': trial.user_attrs.get('epochs_trained', 0),
            'params': dict(trial.params),
            'error': trial.user_attrs.get('error', ''),
            'work_dir': trial.user_attrs.get('work_dir', ''),
        })
    return rows


def summarize(study) -> Dict:
    """Counts per state, epochs trained, the best trial."""
    rows = trial_rows(study)
    summary = {
        'study': study.study_name,
        'trials': len(rows),
        'states': {state: sum(r['state'] == state for r in rows)
                   for state in STATES},
        'epochs_trained': sum(r['epochs_trained'] for r in rows),
        'best': None,
    }
    complete = [r for r in rows if r['state'] == 'COMPLETE']
    if complete:
        best = study.best_trial
        summary['best'] = {
            'number': best.number, 'value': best.value,
            'params': dict(best.params),
            'work_dir': best.user_attrs.get('work_dir', ''),
        }
    return summary


def _format_value(value) -> str:
    if isinstance(value, float):
        return f'{value:.4g}'
    return str(value)


def markdown_table(rows: List[Dict]) -> str:
    """The trials as a Markdown table (printed and written as trials.md)."""
    names = sorted({name for row in rows for name in row['params']})
    header = ['trial', 'state', 'top-1', 'epochs'] + names
    lines = ['| ' + ' | '.join(header) + ' |',
             '|' + '---|' * len(header)]
    for row in rows:
        value = '' if row['value'] is None else f"{100 * row['value']:.2f}"
        cells = [str(row['number']), row['state'], value,
                 str(row['epochs_trained'])]
        cells += [_format_value(row['params'].get(name, '')) for name in names]
        lines.append('| ' + ' | '.join(cells) + ' |')
    return '\n'.join(lines) + '\n'


def write_best_config(study, settings, out: Path) -> bool:
    """The best trial's full config as a file ``tools/train.py`` runs.

    Written in full (not as ``_base_`` + overrides) so that it runs from
    anywhere, with a header saying where it came from. The trial's work dir
    and experiment name are dropped: a new run gets its own.
    """
    from .study import trial_config
    complete = [t for t in study.get_trials(deepcopy=False)
                if t.state.name == 'COMPLETE']
    if not complete:
        return False
    best = study.best_trial
    overrides = json.loads(best.user_attrs['overrides'])
    cfg = trial_config(settings, overrides, work_dir=None,
                       experiment_name=None)
    cfg.pop('work_dir', None)
    header = [
        f'# Best trial of Optuna study {study.study_name!r}: trial '
        f'{best.number}, validation {settings.monitor} {best.value:.4f}',
        f'# from {settings.config} with these overrides:',
    ]
    header += [f'#   {path} = {value!r}' for path, value in overrides.items()]
    if settings.cfg_options:
        header.append('# and --cfg-options')
        header += [f'#   {key}={value!r}'
                   for key, value in settings.cfg_options.items()]
    header.append(f'# Train it: python tools/train.py {out}')
    # Config.dump writes to a path; going through a temp file keeps the
    # header and the body in one atomic write
    with atomic_path(out, suffix='.tmp.py') as tmp:
        cfg.dump(tmp)
        body = Path(tmp).read_text(encoding='utf-8')
        Path(tmp).write_text('\n'.join(header) + '\n\n' + body,
                             encoding='utf-8')
    return True


def write_plots(study, out_dir: Path) -> List[str]:
    """Optimisation history, learning curves of every trial (pruned ones
    end early) and parameter importance as PNGs; returns what could not be
    drawn and why (too few trials is normal early in a study)."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    import optuna
    from optuna.visualization import matplotlib as optuna_plots
    skipped = []
    plots = {
        'optimization_history.png': optuna_plots.plot_optimization_history,
        'intermediate_values.png': optuna_plots.plot_intermediate_values,
        # PED-ANOVA: Optuna's default evaluator (fANOVA) needs scikit-learn,
        # which nothing else here uses
        'param_importances.png': lambda s: optuna_plots.plot_param_importances(
            s, evaluator=optuna.importance.PedAnovaImportanceEvaluator()),
    }
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')  # ExperimentalWarning on each plot
        for name, plot in plots.items():
            try:
                axes = plot(study)
            except (ValueError, RuntimeError, ZeroDivisionError) as error:
                skipped.append(f'{name}: {error}')
                continue
            figure = axes.get_figure()
            figure.set_size_inches(8, 5)
            figure.tight_layout()
            with atomic_path(out_dir / name, suffix='.tmp.png') as tmp:
                figure.savefig(tmp, dpi=100)
            plt.close(figure)
    return skipped


def write_report(study, settings) -> Dict:
    """Every output of a sweep, into the study folder; returns the
    summary. Safe to call again (the files are rewritten atomically)."""
    out_dir = Path(settings.study_dir)
    rows = trial_rows(study)
    summary = summarize(study)
    summary['best_config'] = None
    if write_best_config(study, settings, out_dir / 'best_config.py'):
        summary['best_config'] = str(out_dir / 'best_config.py')
    summary['plots_skipped'] = write_plots(study, out_dir)
    write_text_atomic(out_dir / 'trials.md', markdown_table(rows))
    write_text_atomic(out_dir / 'trials.json',
                      json.dumps(rows, indent=2, default=str) + '\n')
    write_text_atomic(out_dir / 'summary.json',
                      json.dumps(summary, indent=2, default=str) + '\n')
    return summary
