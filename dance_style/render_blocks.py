"""The tables of the README and docs/ that :mod:`dance_style.render` draws
from run records (``<!-- block NAME -->``). Each function reads its records
and returns Markdown; none measures anything."""
from pathlib import Path
from typing import Callable, Dict, List, Optional

from .records import read_record, record_path

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


# what a page says where a demo has no record under the held-out rule yet
PENDING = ('not measured yet under the held-out rule: its earlier figures '
           'came from test views chosen on the test clips and were '
           'withdrawn; `{command}` measures them, and '
           '`python tools/render_results.py` draws them here')
COMMANDS = {'demo': 'python tools/demo.py --record docs/results/demo.json',
            'two_stream': 'python tools/demo.py two-stream --record '
                          'docs/results/two_stream.json'}


def _optional(name: str) -> Optional[Dict]:
    """The record ``name``, or None when no run has written it yet (a
    record that exists but is broken is still an error)."""
    if not record_path(name).is_file():
        return None
    return read_record(name)


def _pending(name: str) -> str:
    return PENDING.format(command=COMMANDS[name])


def _row(name: str, figures: Dict, views: str, val: Dict, test: Dict,
         prefix: str = 'acc/', mean: str = 'acc/mean1') -> str:
    return (f'| {name} | {views} | {_pct(val[prefix + "top1"])} | '
            f'{_pct(test[prefix + "top1"])} | {_pct(test[prefix + "top5"])} '
            f'| {_pct(test[mean])} |')


def _stream_rows(stream: Dict, names: Dict[str, str]) -> List[str]:
    """The rows of both streams and of their equal-weight fusion."""
    rows = [_row(names[s], stream['figures'][s],
                 _views(stream['figures'][s]),
                 stream['figures'][s]['validation'],
                 stream['figures'][s]['test']) for s in ('rgb', 'flow')]
    fused = stream['figures']['fused']
    rows.append(_row(names['fused'], fused, 'each stream\'s',
                     fused['validation'], fused['test'], prefix='',
                     mean='mean_class'))
    return rows


HEADER = ['| model | test views (chosen on validation) | validation top-1 '
          '| test top-1 | test top-5 | test mean class |',
          '| --- | --- | ---: | ---: | ---: | ---: |']


@block('results')
def results_table() -> str:
    """The README's results: the demo and the two streams, validation and
    test side by side."""
    demo = read_record('demo')
    figures = demo['figures']
    lines = HEADER + [_row('I3D R50 NonLocal (`make demo`)', figures,
                           _views(figures), figures['validation'],
                           figures['test'])]
    stream = _optional('two_stream')
    sources = [_source('demo', demo)]
    if stream is None:
        lines.append('| Two-stream I3D, RGB + optical flow (`make '
                     'two-stream`) | | | | | |')
        note = f' Two-stream: {_pending("two_stream")}.'
    else:
        lines += _stream_rows(stream, {
            'rgb': 'Inception I3D, RGB stream (`make two-stream`)',
            'flow': 'Inception I3D, optical-flow stream',
            'fused': 'Two-stream: RGB + flow, equal weights (the paper\'s)'})
        sources.append(_source('two_stream', stream))
        note = ''
    sizes = figures['dataset']
    lines += ['', f'{sizes["val"]} validation and {sizes["test"]} test clips '
              f'of 19 classes (chance {_pct(CHANCE)}), '
              f'{sizes["train"]} training clips. Records: '
              f'{"; ".join(sources)}.{note}']
    return '\n'.join(lines) + '\n'


@block('two-stream')
def two_stream_measured() -> str:
    """docs/two_stream.md's measured figures, or that there are none yet."""
    stream = _optional('two_stream')
    if stream is None:
        return f'Two-stream is {_pending("two_stream")}.\n'
    machine = stream['machine']
    figures = stream['figures']
    weights = figures['fused_val_weights']
    lines = [
        f"`make two-stream`'s last run, record "
        f'[`two_stream`](results/two_stream.json) ({stream["date"]}, commit '
        f'{stream["commit"]}, {machine["cores"]} CPU cores of '
        f'{machine["cpu"]}, trained in {figures["precision"]}), in '
        f'{figures["seconds"] / 60:.0f} min. Each stream\'s test views are '
        'chosen on the validation clips; the test clips are scored once. '
        f'Chance is {_pct(CHANCE)}.', ''] + HEADER
    lines += _stream_rows(stream, {
        'rgb': 'RGB (Inception I3D from scratch, `stem_motion_share=0.5`)',
        'flow': 'optical flow (Farneback, the same network with 2 input '
                'channels)',
        'fused': '**fused, equal weights (the paper\'s)**'})
    lines.append(
        f'| fused, weights chosen on the validation clips (rgb '
        f'{weights["weights"][0]:.1f}, flow {weights["weights"][1]:.1f}) | '
        f'each stream\'s | — | {_pct(weights["top1"])} | '
        f'{_pct(weights["top5"])} | {_pct(weights["mean_class"])} |')
    return '\n'.join(lines) + '\n'


def _agreement(row: Dict) -> str:
    """A candidate's top-1 agreement with the configured views on the
    validation clips; records written before it was measured lack it."""
    if 'agreement_with_configured' not in row:
        return 'not recorded'
    return _pct(row['agreement_with_configured'])


@block('view-choice')
def view_choice() -> str:
    """Every candidate's validation figures, per demo model."""
    lines = ['| model | clips x crop | views per video | validation top-1 '
             '| validation mean class | same top-1 as the config\'s views '
             '| chosen |',
             '| --- | --- | ---: | ---: | ---: | ---: | --- |']
    models = [('I3D R50 NonLocal', read_record('demo')['figures'])]
    stream = _optional('two_stream')
    if stream is not None:
        models += [('RGB stream', stream['figures']['rgb']),
                   ('flow stream', stream['figures']['flow'])]
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
                f'{_pct(row["validation"]["acc/mean1"])} | '
                f'{_agreement(row)} | {mark.strip()} |')
    if stream is None:
        lines += ['', f'Two-stream: {_pending("two_stream")}.']
    return '\n'.join(lines) + '\n'


@block('suite')
def suite_time() -> str:
    """How long the suite took in its last timed run (tools/time_suite.py,
    which .ci/run runs), or that none is recorded yet."""
    suite = _optional('suite')
    if suite is None:
        return ('No timed run of `make test` is recorded yet '
                '(`python tools/time_suite.py` writes '
                '`docs/results/suite.json`).\n')
    figures, machine = suite['figures'], suite['machine']
    return (f'The last timed run of `{figures["command_run"]}` '
            f'(`docs/results/suite.json`: {suite["date"]}, commit '
            f'{suite["commit"]}) took {figures["make_test_seconds"]:.0f} s, '
            f'{figures["passed"]} tests passed, on {machine["cores"]} cores '
            f'of {machine["cpu"]}.\n')


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


@block('decoders')
def decoders_table() -> str:
    """docs/performance.md: decord, PyAV and torchcodec on normalised
    clips (tools/benchmark.py --what decoders)."""
    record = _optional('decoders')
    if record is None:
        return ('Not measured yet: `python tools/benchmark.py --what decoders '
                '--json docs/results/decoders.json` measures it.\n')
    figures = record['figures']
    samplings = figures['samplings']
    lines = ['| decoder | ' + ' | '.join(f'{s}: clips/s' for s in samplings)
             + ' | frames against decord\'s | formats it fails on |',
             '| --- | ' + ' | '.join('---' for _ in samplings) + ' | --- | --- |']
    for name, row in figures['decoders'].items():
        if 'unavailable' in row:
            lines.append(f'| {name} | ' + ' | '.join('' for _ in samplings)
                         + f' | not loadable here: `{row["unavailable"]}` | |')
            continue
        rates = ' | '.join(f'{row["clips_per_s"][s]:.1f}' for s in samplings)
        frames = row['frames']
        if not frames:
            same = 'the reference'
        else:
            worst = max(f.get('max_abs_diff', 256) for f in frames.values())
            share = min(f.get('equal_share', 0) for f in frames.values())
            same = ('equal, pixel for pixel' if worst == 0 else
                    f'{100 * share:.2f} % of pixels equal, at most {worst} '
                    'apart')
        fails = ', '.join(f.split(':')[0] for f in row['format_failures'])
        lines.append(f'| {name} | {rates} | {same} | {fails or "none"} |')
    machine = record['machine']
    lines.append('')
    lines.append(
        f'{figures["clips"]} clips of {figures["seconds"]:g} s, '
        f'{figures["source_size"][1]}x{figures["source_size"][0]} '
        f'normalised to short side {figures["short_side"]} at '
        f'{figures["fps"]:g} fps; one thread each; '
        f'[`docs/results/decoders.json`](results/decoders.json): '
        f'`{record["command"]}`, commit {record["commit"]}, '
        f'{record["date"]}, {machine["cpu"]}, {machine["cores"]} cores.')
    return '\n'.join(lines) + '\n'


PATH_NAMES = {'fp32': 'float32 eager', 'channels_last': 'channels-last',
              'bf16': 'bfloat16 autocast',
              'bf16_weights': 'bfloat16 weights (the default)',
              'compile': 'torch.compile', 'onnxruntime': 'ONNX Runtime'}


@block('paths')
def paths_table() -> str:
    """docs/performance.md: one test view of each model through each CPU
    inference path (tools/benchmark.py --what paths)."""
    record = _optional('inference_paths')
    if record is None:
        return ('Not measured yet: `python tools/benchmark.py --what paths '
                '--json docs/results/inference_paths.json` measures it.\n')
    figures = record['figures']
    peak = figures['peak']
    lines = ['| model | GFLOPs per view | path | s per view | speed-up | '
             'GFLOP/s | share of peak | scores against float32 | right |',
             '| --- | --- | --- | --- | --- | --- | --- | --- | --- |']
    for model in figures['models']:
        name = Path(model['config']).name
        for row in model['paths']:
            label = PATH_NAMES.get(row['path'], row['path'])
            if 'error' in row:
                lines.append(f'| {name} | {model["gflops_per_view"]:.1f} | '
                             f'{label} | failed: `{row["error"]}` | | | | | |')
                continue
            dev = row['deviation']
            lines.append(
                f'| {name} | {model["gflops_per_view"]:.1f} | {label} | '
                f'{row["seconds_per_view"]:.3f} | {row["speedup"]:.2f}x | '
                f'{row["gflops"]:.0f} | {100 * row["share_of_peak"]:.0f} % | '
                f'{dev["relative"]:.1e}'
                f'{"" if dev["same_top1"] else ", another top-1"} | '
                f'{"yes" if row["right"] else "no"} |')
    machine = record['machine']
    stated = (f'{peak["threads"]} cores x {peak["flops_per_cycle"]} FLOPs '
              f'per cycle x {peak["clock_ghz"]} GHz = '
              f'{peak["stated_gflops"]} GFLOP/s stated'
              if peak.get('stated_gflops') else 'no stated peak')
    repeats = {row.get('repeats') for model in figures['models']
               for row in model['paths']} - {None}
    lines += ['', f'Each model\'s paths timed in turns, '
              f'{"/".join(str(r) for r in sorted(repeats))} rounds, the '
              'median per path. '
              f'Peak: {peak["peak_gflops"]} GFLOP/s float32, the larger '
              f'of {stated} and {peak["matmul_gflops"]} GFLOP/s measured by a '
              'float32 2048x2048 matrix product on every thread. Right: '
              'top-1 the same as float32 eager\'s, and log-probabilities '
              f'within {figures["tolerance"]["fp32"]:g} (float32 paths) or '
              f'{figures["tolerance"]["bf16"]:g} (bfloat16) of the spread '
              'of float32\'s. '
              f'[`docs/results/inference_paths.json`](results/'
              f'inference_paths.json): `{record["command"]}`, commit '
              f'{record["commit"]}, {record["date"]}, {machine["cpu"]}, '
              f'{machine["cores"]} cores; GPU: {figures["gpu"]}.']
    return '\n'.join(lines) + '\n'
