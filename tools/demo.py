"""The demos on the embedded synthetic dataset: ``python tools/demo.py``
(``make demo``) and ``python tools/demo.py two-stream`` (``make
two-stream``). The work happens in dance_style.demo.

main (default): synthetic Kinetics-700-2020 and Let's Dance downloads ->
data_prep/build_dataset.py's chain -> train I3D R50 NonLocal from scratch
-> test -> predict a held-out clip -> training curves.
two-stream: the same dataset (built when missing) -> optical flow -> train
the RGB and the flow Inception I3D -> test both -> late fusion.
"""
import argparse
from pathlib import Path

from dance_style.cli import ConfigOptionsAction, run_cli
from dance_style.demo import DemoSettings
from dance_style.views import parse_view


def parse_args(argv=None):
    defaults = DemoSettings()
    parser = argparse.ArgumentParser(
        description='Run a demo on the embedded synthetic dataset, start '
        'to end.')
    parser.add_argument('demo', nargs='?', choices=('main', 'two-stream'),
                        default='main',
                        help='main: I3D R50 NonLocal (make demo); two-stream: '
                        'RGB + optical-flow Inception I3D (make two-stream)')
    parser.add_argument('--raw-dir', type=Path, default=defaults.raw,
                        help='synthetic downloads (default %(default)s)')
    parser.add_argument('--data-root', '--data-dir', dest='data_root',
                        type=Path, default=defaults.data,
                        help='the built dataset, read by every stage '
                        '(default %(default)s)')
    parser.add_argument('--work-dir', type=Path,
                        help='outputs (default work_dirs/demo, or '
                        'work_dirs/two_stream)')
    parser.add_argument('--clips-per-class', type=int,
                        default=defaults.clips_per_class,
                        help='Kinetics train.csv clips per class (default '
                        '%(default)s)')
    parser.add_argument('--val-per-class', type=int,
                        default=defaults.val_per_class,
                        help='Kinetics validate.csv clips per class (default '
                        '%(default)s)')
    parser.add_argument('--letsdance-clips', type=int,
                        default=defaults.letsdance_clips,
                        help="Let's Dance clips per class (default "
                        '%(default)s)')
    parser.add_argument('--flow-method', choices=('farneback', 'tvl1'),
                        default=defaults.flow_method,
                        help='two-stream: optical flow method (default '
                        '%(default)s; tvl1 is the paper\'s, ~30x slower)')
    parser.add_argument('--precision', choices=('auto', 'bf16', 'fp32'),
                        default=defaults.precision,
                        help='training precision: auto (default) trains in '
                        'bfloat16 autocast (train.py --amp) only where the '
                        'CPU has AVX512-BF16 or AMX and a check of the '
                        'model (seconds, cached) finds bf16 right and faster '
                        'than float32; float32 elsewhere. bf16 is refused '
                        'where that check fails')
    parser.add_argument('--record', type=Path,
                        help='write the run record (command, commit, date, '
                        'machine, CPU probe, figures) here instead of '
                        'WORK_DIR/record.json; the README\'s figures are '
                        'rendered from docs/results/demo.json and '
                        'docs/results/two_stream.json')
    parser.add_argument('--view-candidates', nargs='+', type=parse_view,
                        default=defaults.view_candidates, metavar='VIEWS',
                        help='the test views (CLIPSxCROP, CROP one of '
                        'CenterCrop, ThreeCrop, TenCrop) chosen among on the '
                        'validation clips, the config\'s own always among '
                        'them (default: %s)' % ' '.join(
                            f'{clips}x{crop}'
                            for clips, crop in defaults.view_candidates))
    parser.add_argument('--timeline-videos', type=int,
                        default=defaults.timeline_videos, metavar='N',
                        help='generated long videos the timeline\'s segment '
                        'settings are chosen on before the three-style video '
                        '(default %(default)s)')
    parser.add_argument('--cfg-options', nargs='+',
                        action=ConfigOptionsAction,
                        help='config overrides, key=value, for every stage '
                        'that builds the model: training, test, prediction '
                        'and timeline (e.g. train_cfg.max_epochs=2)')
    args = parser.parse_args(argv)
    if args.timeline_videos < 1:
        parser.error(f'--timeline-videos must be at least 1; got '
                     f'{args.timeline_videos}')
    return args


def main(argv=None):
    args = parse_args(argv)
    settings = DemoSettings(
        raw=args.raw_dir, data=args.data_root, work_dir=args.work_dir,
        clips_per_class=args.clips_per_class,
        val_per_class=args.val_per_class,
        letsdance_clips=args.letsdance_clips, flow_method=args.flow_method,
        cfg_options=args.cfg_options or {}, precision=args.precision,
        record=args.record, view_candidates=args.view_candidates,
        timeline_videos=args.timeline_videos)
    from dance_style.demo import run_main, run_two_stream
    (run_two_stream if args.demo == 'two-stream' else run_main)(settings)
    return 0


if __name__ == '__main__':
    run_cli(main)
