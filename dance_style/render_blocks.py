"""The tables of the README and docs/ that :mod:`dance_style.render` draws
from run records (``<!-- block NAME -->``). Each function reads its records
and returns Markdown; none measures anything."""
from typing import Callable, Dict

from .records import read_record

# NAME -> function returning the block's Markdown (ending in a newline)
BLOCKS: Dict[str, Callable[[], str]] = {}


def block(name: str):
    """Register a block renderer under ``name``."""
    def register(function):
        BLOCKS[name] = function
        return function
    return register

CHANCE = 1 / 19


def _pct(value) -> str:
    return f'{100 * value:.1f} %'


def _views(figures: Dict) -> str:
    clips, crop = figures['chosen_views']
    return f'{clips} x {crop}'


def _source(name: str, record: Dict) -> str:
    return (f'[`docs/results/{name}.json`](docs/results/{name}.json): '
            f'`{record["command"]}`, commit {record["commit"]}, '
            f'{record["date"]}, {record["machine"]["cpu"]}, '
            f'{record["machine"]["cores"]} cores')


@block('results')
def results_table() -> str:
    """The README's results: the demo and the two streams, validation and
    test side by side."""
    demo = read_record('demo')
    stream = read_record('two_stream')
    rows = [('I3D R50 NonLocal (`make demo`)', demo['figures'], 'acc/')]
    names = {'rgb': 'Inception I3D, RGB stream (`make two-stream`)',
             'flow': 'Inception I3D, optical-flow stream'}
    rows += [(names[s], stream['figures'][s], 'acc/') for s in names]
    lines = ['| model | test views (chosen on validation) | validation top-1 '
             '| test top-1 | test top-5 | test mean class |',
             '| --- | --- | ---: | ---: | ---: | ---: |']
    for name, figures, prefix in rows:
        val, test = figures['validation'], figures['test']
        lines.append(f'| {name} | {_views(figures)} | '
                     f'{_pct(val[prefix + "top1"])} | '
                     f'{_pct(test[prefix + "top1"])} | '
                     f'{_pct(test[prefix + "top5"])} | '
                     f'{_pct(test[prefix + "mean1"])} |')
    fused = stream['figures']['fused']
    lines.append(f'| Two-stream: RGB + flow, equal weights (the paper\'s) | '
                 f'each stream\'s | {_pct(fused["validation"]["top1"])} | '
                 f'{_pct(fused["test"]["top1"])} | '
                 f'{_pct(fused["test"]["top5"])} | '
                 f'{_pct(fused["test"]["mean_class"])} |')
    sizes = demo['figures']['dataset']
    lines += ['', f'{sizes["val"]} validation and {sizes["test"]} test clips '
              f'of 19 classes (chance {_pct(CHANCE)}), '
              f'{sizes["train"]} training clips. Records: '
              f'{_source("demo", demo)}; {_source("two_stream", stream)}.']
    return '\n'.join(lines) + '\n'


@block('view-choice')
def view_choice() -> str:
    """Every candidate's validation figures, per demo model."""
    lines = ['| model | clips x crop | views per video | validation top-1 '
             '| validation mean class | chosen |',
             '| --- | --- | ---: | ---: | ---: | --- |']
    models = [('I3D R50 NonLocal', read_record('demo')['figures'])]
    stream = read_record('two_stream')['figures']
    models += [('RGB stream', stream['rgb']), ('flow stream', stream['flow'])]
    for name, figures in models:
        for row in figures['candidates']:
            chosen = [row['clips'], row['crop']] == list(
                figures['chosen_views'])
            configured = [row['clips'], row['crop']] == list(
                figures['configured_views'])
            mark = ('**chosen**' if chosen else '') + (
                ' (the config\'s)' if configured else '')
            lines.append(
                f'| {name} | {row["clips"]} x {row["crop"]} | '
                f'{row["views"]} | {_pct(row["validation"]["acc/top1"])} | '
                f'{_pct(row["validation"]["acc/mean1"])} | {mark.strip()} |')
    return '\n'.join(lines) + '\n'


@block('configs')
def configs_table() -> str:
    """The configs table (tools/compare_models.py's record)."""
    from .benchmark.compare import table_from_record
    return table_from_record(read_record('compare'))


@block('pretraining-lists')
def pretraining_lists() -> str:
    """What each config's build must exclude: drawn from the metafile, not
    measured."""
    from .prep.exclusion_readme import metafile_configs, readme_table
    return readme_table(metafile_configs())


@block('serve-load')
def serve_load() -> str:
    """docs/serve_load.md: the web page under load (tools/benchmark.py
    --what serve), and the same run with one malloc arena."""
    from .benchmark.serve import render_markdown
    others = ['serve_load_malloc_arena_max_1']
    return render_markdown('serve_load', read_record('serve_load'),
                           [(name, read_record(name)) for name in others])


@block('records')
def records_index() -> str:
    """docs/results.md: every record, what ran and where."""
    from .records import RESULTS
    lines = ['| record | command | commit | date | machine |',
             '| --- | --- | --- | --- | --- |']
    for path in sorted(RESULTS.glob('*.json')):
        record = read_record(path)
        machine = record['machine']
        where = machine if isinstance(machine, str) else (
            f'{machine["cpu"]}, {machine["cores"]} cores' +
            (f', {machine["gpu"]}' if machine.get('gpu') else ''))
        lines.append(f'| [{path.stem}](results/{path.name}) | '
                     f'`{record["command"]}` | {record["commit"]} | '
                     f'{record["date"]} | {where} |')
    return '\n'.join(lines) + '\n'
