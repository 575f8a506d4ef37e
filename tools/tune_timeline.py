"""Choose the timeline's segment settings on generated validation videos.

    python tools/tune_timeline.py CONFIG CHECKPOINT [--videos 24]
        [--size 80x80]
        [--json docs/results/timeline_settings.json]

Writes ``--videos`` long videos of 3 styles each (generated dancers whose
true segments are known, seeds from ``--seed``: none of the suite's),
scores each one's windows once with the model, and evaluates every setting
of smoothing, switch penalty and unsure threshold on them
(dance_style/timeline_tuning.py says how a setting is scored and chosen,
and why the grid has no minimum length). Prints the table, the choice and
how the choice does on each video when made on the others (leave one out,
also for the former grid of minimum lengths); ``--json OUT`` writes them as
a run record. Pass the chosen values to tools/predict.py --timeline and
tools/serve.py as --smooth, --switch-penalty, --min-segment and
--unsure-below.
"""
import argparse

from dance_style.cli import ConfigOptionsAction, parse_size, run_cli
from dance_style.infer_precision import add_precision_flag
from dance_style.timeline_tuning import SIZE, VIDEOS, format_settings


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Choose --smooth, --switch-penalty and --unsure-below '
        'of the style timeline on generated validation videos.')
    parser.add_argument('config', help='the model\'s config file')
    parser.add_argument('checkpoint', help='the model\'s checkpoint (file, '
                        'URL or a name of configs/metafile.yml)')
    parser.add_argument('--videos', type=int, default=VIDEOS,
                        help='validation videos to generate (default '
                        '%(default)s; each about 40 windows: seconds with '
                        'the demo model, minutes with a large one)')
    parser.add_argument('--seed', type=int, default=1000,
                        help='first dancer seed; video i uses SEED+i '
                        '(default 1000, apart from the tests\' seeds)')
    parser.add_argument('--classes', type=int, nargs='+',
                        help='labels (0-18) the videos\' styles are drawn '
                        'from (default: all 19)')
    parser.add_argument('--size', default='x'.join(map(str, SIZE)),
                        metavar='HxW',
                        help='the videos\' frame, HEIGHTxWIDTH in pixels: '
                        'that of the videos the settings are for (default '
                        '%(default)s, a wide frame; tools/demo.py tunes at '
                        'its timeline video\'s 80x80)')
    parser.add_argument('--stride', type=float, default=1.0,
                        help='a window every STRIDE s, as the timeline '
                        '(default 1)')
    parser.add_argument('--work-dir', default='work_dirs/tune_timeline',
                        help='where the validation videos are written '
                        '(default %(default)s)')
    parser.add_argument('--json', metavar='OUT',
                        help='also write the figures as a run record to OUT '
                        '(docs/results/NAME.json for one the docs cite)')
    add_precision_flag(parser)
    parser.add_argument('--device', default='cpu',
                        help='cpu, or cuda:0 ... (default cpu)')
    parser.add_argument('--cfg-options', nargs='+',
                        action=ConfigOptionsAction,
                        help='config overrides, key=value')
    return parser.parse_args(argv)


def format_rows(result) -> str:
    lines = ['| smooth | switch penalty | min segment (s) | unsure below | '
             'right styles | right count | boundary error (s) | time right |',
             '|---|---|---|---|---|---|---|---|']
    for row in result['rows']:
        mark = ' (chosen)' if row is result['chosen'] else ''
        lines.append(f'| {row["smooth"]} | {row["switch_penalty"]:g} | '
                     f'{row["min_segment"]:g} | {row["unsure_below"]:g} | '
                     f'{row["videos_styles_right"]}/{len(result["plan"])} | '
                     f'{row["videos_count_right"]}/{len(result["plan"])} | '
                     f'{row["boundary_error_s"]:.2f} | '
                     f'{100 * row["time_right"]:.1f} %{mark} |')
    return '\n'.join(lines)


def format_left_out(result) -> str:
    """The leave-one-out figures, of the grid and of the former one."""
    def figures(out):
        return (f'right styles in {out["videos_styles_right"]}, right '
                f'count in {out["videos_count_right"]} of {out["videos"]}')
    line = ('each video scored with the setting chosen on the others: ' +
            figures(result['leave_one_out']))
    if 'former_grid' in result:
        line += (' (the former grid of minimum lengths: ' +
                 figures(result['former_grid']['leave_one_out']) + ')')
    return line


def main(argv=None):
    args = parse_args(argv)
    from pathlib import Path

    from dance_style import records
    from dance_style.config import prepare
    from dance_style.errors import DanceStyleError
    from dance_style.predict import load_recognizer
    from dance_style.register import register_all_modules
    from dance_style.timeline_tuning import tune
    register_all_modules()
    if args.videos < 1:
        raise DanceStyleError(f'--videos must be at least 1; got '
                              f'{args.videos}')
    size = parse_size(args.size)
    command = records.command_line(
        None if argv is None else ['python', 'tools/tune_timeline.py',
                                   *map(str, argv)])
    cfg = prepare(args.config, cfg_options=args.cfg_options)
    model = load_recognizer(cfg, args.checkpoint, device=args.device)
    # the precision the timeline will run in, so that its settings are
    # chosen on the scores it will see
    from dance_style.infer_precision import choose_precision, use_precision
    use_precision(model, choose_precision(model, args.precision,
                                          args.device))
    result = tune(model, Path(args.work_dir), args.videos, args.seed,
                  stride=args.stride, labels=args.classes, size=size)
    print(format_rows(result))
    print(f'chosen on {args.videos} validation videos: '
          f'{format_settings(result["chosen"])}')
    print(format_left_out(result))
    if args.json:
        figures = dict(result, config=str(args.config),
                       checkpoint=str(args.checkpoint))
        path = records.write_record(args.json, figures, command)
        print(f'run record written to {path}')
    return 0


if __name__ == '__main__':
    run_cli(main)
