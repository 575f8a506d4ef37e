"""What a sweep leaves behind: a table, a summary, the best config, plots.

``best_config.py`` is Python that ``tools/train.py`` runs, built from what
the study's database holds; a shared database may hold anything. So the
best trial's overrides are rebuilt from the search space
(:meth:`.space.SearchSpace.replay`, which refuses names and values the
space does not define), every text in the header is quoted with ``repr``,
and the file is written only if it parses as plain settings: assignments
of literals and ``dict(...)``, no other call, name or statement.
"""
import ast
import json
import warnings
from pathlib import Path
from typing import Any, Dict, List

from ..errors import DanceStyleError
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


def _shown(text: Any) -> str:
    """``text`` on one line: as it is when printable, else its ``repr``
    (a name or value read from the database may hold line breaks or
    terminal escapes)."""
    text = str(text)
    return text if text.isprintable() else repr(text)


def _format_value(value) -> str:
    if isinstance(value, float):
        return f'{value:.4g}'
    return _shown(value).replace('|', '\\|')


def markdown_table(rows: List[Dict]) -> str:
    """The trials as a Markdown table (printed and written as trials.md)."""
    names = sorted({name for row in rows for name in row['params']})
    header = ['trial', 'state', 'top-1', 'epochs'] + [
        _format_value(name) for name in names]
    lines = ['| ' + ' | '.join(header) + ' |',
             '|' + '---|' * len(header)]
    for row in rows:
        value = '' if row['value'] is None else f"{100 * row['value']:.2f}"
        cells = [str(row['number']), row['state'], value,
                 str(row['epochs_trained'])]
        cells += [_format_value(row['params'].get(name, '')) for name in names]
        lines.append('| ' + ' | '.join(cells) + ' |')
    return '\n'.join(lines) + '\n'


# what a config file may consist of: ``name = <literal>``, where dicts may
# be written dict(key=...), as mmengine's Config.dump writes them
_DATA_NODES = (ast.Module, ast.Assign, ast.Name, ast.Constant, ast.Dict,
               ast.List, ast.Tuple, ast.Call, ast.keyword, ast.UnaryOp,
               ast.USub, ast.UAdd, ast.Load, ast.Store)


def check_plain_data(text: str, name: str) -> None:
    """Refuse ``text`` unless it is a config of plain settings: top-level
    assignments of numbers, strings, booleans, None, lists, tuples, dicts
    and ``dict(key=value)``; nothing that runs (an import, another call, a
    name other than ``dict``)."""
    try:
        tree = ast.parse(text)
    except SyntaxError as error:
        raise DanceStyleError(
            f'{name} would not be valid Python (line {error.lineno}: '
            f'{error.msg}); not written')
    for node in ast.walk(tree):
        allowed = isinstance(node, _DATA_NODES) and not (
            isinstance(node, ast.Assign)
            and not all(isinstance(t, ast.Name) for t in node.targets)
            or isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)
            and node.id != 'dict'
            or isinstance(node, ast.Call) and (
                not isinstance(node.func, ast.Name)
                or node.func.id != 'dict' or node.args)
            or isinstance(node, ast.keyword) and node.arg is None)
        if not allowed:
            source = (ast.get_source_segment(text, node) or '').splitlines()
            raise DanceStyleError(
                f'{name} would hold code, not only settings: line '
                f'{getattr(node, "lineno", "?")}, '
                f'{(source or [""])[0][:120]!r}; not written')


def best_overrides(study, trial, settings) -> Dict[str, Any]:
    """The overrides of ``trial``, rebuilt from its parameters through the
    search space and checked against the ones it stored."""
    from .space import SearchSpace
    space = SearchSpace.from_file(settings.space_file)
    what = f'trial {trial.number} of study {study.study_name!r}'
    overrides = space.replay(trial.params, what)
    if 'overrides' in trial.user_attrs:
        space.check_stored(trial.user_attrs['overrides'], overrides, what)
    return overrides


def write_best_config(study, settings, out: Path) -> bool:
    """The best trial's full config as a file ``tools/train.py`` runs.

    Written in full (not as ``_base_`` + overrides) so that it runs from
    anywhere, with a header saying where it came from. The trial's work dir
    and experiment name are dropped: a new run gets its own. Raises
    DanceStyleError, writing nothing, when the trial holds a parameter or
    override the search space does not define.
    """
    from .study import trial_config
    complete = [t for t in study.get_trials(deepcopy=False)
                if t.state.name == 'COMPLETE']
    if not complete:
        return False
    best = study.best_trial
    overrides = best_overrides(study, best, settings)
    cfg = trial_config(settings, overrides, work_dir=None,
                       experiment_name=None)
    cfg.pop('work_dir', None)
    header = [
        f'# Best trial of Optuna study {study.study_name!r}: trial '
        f'{int(best.number)}, validation {settings.monitor!r} '
        f'{float(best.value):.4f}',
        f'# from {_shown(settings.config)} with these overrides:',
    ]
    header += [f'#   {path!r}: {value!r}' for path, value in overrides.items()]
    if settings.cfg_options:
        header.append('# and --cfg-options')
        header += [f'#   {key!r}: {value!r}'
                   for key, value in settings.cfg_options.items()]
    header.append(f'# Train it: python tools/train.py {_shown(out)}')
    # Config.dump writes to a path; going through a temp file keeps the
    # header and the body in one atomic write
    with atomic_path(out, suffix='.tmp.py') as tmp:
        cfg.dump(tmp)
        text = '\n'.join(header) + '\n\n' + Path(tmp).read_text(
            encoding='utf-8')
        check_plain_data(text, str(out))
        Path(tmp).write_text(text, encoding='utf-8')
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
    summary. Safe to call again (the files are rewritten atomically).
    A best trial that :func:`write_best_config` refuses raises its
    DanceStyleError after the other files are written."""
    out_dir = Path(settings.study_dir)
    rows = trial_rows(study)
    summary = summarize(study)
    summary['best_config'] = None
    refused = None
    try:
        if write_best_config(study, settings, out_dir / 'best_config.py'):
            summary['best_config'] = str(out_dir / 'best_config.py')
    except DanceStyleError as error:
        # the other outputs are still written, and an earlier run's best
        # config removed (it is not this study's best); the command fails
        refused = error
        summary['best_config_refused'] = str(error)
        (out_dir / 'best_config.py').unlink(missing_ok=True)
    summary['plots_skipped'] = write_plots(study, out_dir)
    write_text_atomic(out_dir / 'trials.md', markdown_table(rows))
    write_text_atomic(out_dir / 'trials.json',
                      json.dumps(rows, indent=2, default=str) + '\n')
    write_text_atomic(out_dir / 'summary.json',
                      json.dumps(summary, indent=2, default=str) + '\n')
    if refused is not None:
        raise refused
    return summary
