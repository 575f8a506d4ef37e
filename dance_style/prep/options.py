"""Command-line flags of the data preparation stages, declared once and
shared by the stage scripts and ``data_prep/build_dataset.py``."""
import argparse

from ..resources import shown
from . import augment, letsdance, normalise, split


def add_root(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        '--out', default='data/dance19',
        help='dataset root: videos/, manifest.csv, class_counts.png and the '
        'stage hand-over file prep/records.jsonl go here (default: '
        '%(default)s)')


def add_kinetics(parser) -> None:
    parser.add_argument(
        '--kinetics-root',
        help='the Kinetics-700-2020 download: CSVs (train.csv/validate.csv or '
        'kinetics_train.csv/kinetics_val.csv, in it or in annotations/) and '
        'the clips in any folder layout under it')
    parser.add_argument(
        '--kinetics-csv', nargs='+', metavar='CSV',
        help='annotation CSVs to use instead of the ones found under '
        '--kinetics-root')


def add_letsdance(parser) -> None:
    parser.add_argument(
        '--letsdance-root',
        help="the Let's Dance download: the folder holding "
        'rgb/<class>/<video>_<start>_<frame>.jpg')
    parser.add_argument(
        '--letsdance-map', default=str(letsdance.DEFAULT_MAP),
        help="Let's Dance class -> dance19 label table (default: "
        f'{shown(letsdance.DEFAULT_MAP)})')
    parser.add_argument(
        '--letsdance-clip-seconds', type=float, default=letsdance.CLIP_SECONDS,
        help="the standard length of a Let's Dance clip: a clip of "
        'SECONDS x 24/25/30/50/60 frames (or one more; +-1 %% at 50/60) '
        'has that rate; any other '
        'count is read at 30 fps and kept as long as it is (manifest: '
        'fps_rule); default: %(default)s')


def add_normalise(parser) -> None:
    parser.add_argument(
        '--short-side', type=int, default=normalise.DEFAULT_SHORT_SIDE,
        help='short side of the normalised videos in px; larger sources are '
        'scaled down, smaller ones kept (default: %(default)s)')
    parser.add_argument(
        '--fps', type=float, default=normalise.DEFAULT_FPS,
        help='constant frame rate of the normalised videos; 0 keeps each '
        "source's own rate (default: %(default)s)")
    parser.add_argument(
        '--min-seconds', type=float, default=normalise.DEFAULT_MIN_SECONDS,
        help='clips shorter than this are skipped as too_short (default: '
        '%(default)s)')
    parser.add_argument(
        '--crf', type=int, default=normalise.DEFAULT_CRF,
        help='x264 quality, lower is better and bigger (default: '
        '%(default)s)')
    parser.add_argument(
        '--preset', default=normalise.DEFAULT_PRESET,
        help='x264 speed preset, ultrafast .. veryslow (default: '
        '%(default)s)')
    add_workers(parser)


def add_workers(parser) -> None:
    if any(a.dest == 'workers' for a in parser._actions):
        return
    parser.add_argument(
        '--workers', type=int, default=2,
        help='processes encoding in parallel (default: %(default)s)')
    parser.add_argument('--no-progress', action='store_true',
                        help='no progress bars')


def add_split(parser) -> None:
    parser.add_argument(
        '--split', default='90,5,5',
        help='train,val,test ratios, grouped by source video and stratified '
        'by class; under --protocol leakfree the Kinetics validate clips are '
        'shared between val and test in the ratio of the last two (default: '
        '%(default)s, the study\'s)')
    parser.add_argument('--seed', type=int, default=0,
                        help='split seed (default: %(default)s)')
    parser.add_argument(
        '--protocol', choices=split.PROTOCOLS, default=split.DEFAULT_PROTOCOL,
        help='leakfree: val and test only from Kinetics validate clips and '
        "Let's Dance (Kinetics train clips are what Kinetics checkpoints were "
        'trained on, so they go to train only; val:test as --split says); '
        "study: the study's pooled split of all clips, to reproduce its "
        'numbers (default: %(default)s)')
    parser.add_argument(
        '--exclude-from', nargs='+', metavar='[NAME=]CSV',
        help='annotation files a checkpoint was pretrained on (Kinetics '
        'CSVs with a youtube_id column, or lists of <youtube_id>_<start>_'
        '<end> clips): every clip of a video listed there stays out of val '
        'and test (in train; manifest.csv says why). NAME=CSV says which '
        'Kinetics train list a file is (k400, k600, k700), for --for-config')


def add_pretraining_check(parser, lookup_root: bool = False) -> None:
    """--for-config and its escape hatch; ``lookup_root`` adds
    --kinetics-root for a stage that has none of its own (split.py)."""
    parser.add_argument(
        '--for-config', nargs='+', metavar='CONFIG',
        help='the configs this dataset is for: the Kinetics train lists '
        "their checkpoints were trained on (configs/metafile.yml's "
        'Checkpoints) are required, from --exclude-from NAME=CSV or found '
        'in or beside --kinetics-root (kinetics400/train.csv, k400/'
        'annotations/train.csv, ...), and no video of theirs reaches val '
        'or test; a missing one is an error before any work')
    parser.add_argument(
        '--allow-pretraining-overlap', action='store_true',
        help='with --for-config: build even though a list its checkpoint '
        'was trained on is missing; the summary and every val/test row of '
        'manifest.csv (pretraining_check) then say that val and test were '
        'not checked against it')
    if lookup_root:
        parser.add_argument(
            '--kinetics-root',
            help='the Kinetics-700-2020 download, where --for-config looks '
            'for the lists (in it and beside it)')


def add_augment(parser) -> None:
    parser.add_argument(
        '--augment', default='none',
        help='offline copies of every training clip: a comma list of '
        f'{", ".join(augment.AUGMENTATIONS)}, "all" or "none" (default: '
        '%(default)s; the training configs augment online instead)')
    parser.add_argument(
        '--color-jitter', default=','.join(
            str(v) for v in augment.DEFAULT_COLOR_JITTER),
        help='brightness,contrast,saturation,hue of the "color" copy '
        "(mmaction2's ColorJitter; default: %(default)s)")
    parser.add_argument(
        '--noise-sigma', type=float, default=augment.DEFAULT_NOISE_SIGMA,
        help='Gaussian noise of the "noise" copy, grey levels (default: '
        '%(default)s)')
    add_workers(parser)


def add_annotations(parser) -> None:
    parser.add_argument(
        '--ann-dir', metavar='DIR',
        help='where dance19_{train,val,test}.txt go; not given (None): the '
        'dataset root\'s list folder, where --data-root looks, '
        'annotations/ for data/dance19 (which the real-data configs read) '
        'and OUT/annotations for any other --out')


def normalise_options(args) -> dict:
    return dict(short_side=args.short_side, fps=args.fps,
                min_seconds=args.min_seconds, crf=args.crf,
                preset=args.preset, workers=args.workers,
                progress=not args.no_progress)


def augment_options(args) -> dict:
    from ..errors import DanceStyleError
    try:
        jitter = tuple(float(v) for v in args.color_jitter.split(','))
    except ValueError:
        jitter = ()
    if len(jitter) != 4:
        raise DanceStyleError(
            f'--color-jitter {args.color_jitter!r}: give brightness,contrast,'
            'saturation,hue, e.g. 0.4,0.4,0.4,0.1')
    return dict(color_jitter=jitter, noise_sigma=args.noise_sigma,
                crf=getattr(args, 'crf', normalise.DEFAULT_CRF),
                preset=getattr(args, 'preset', normalise.DEFAULT_PRESET),
                workers=args.workers, progress=not args.no_progress)


def split_ratios(args):
    return split.parse_ratios(args.split)


def build_parser(description: str = 'Build the dance19 dataset from '
                 "Kinetics-700-2020 and Let's Dance.") -> argparse.ArgumentParser:
    """Every flag of ``data_prep/build_dataset.py`` (the whole chain)."""
    parser = argparse.ArgumentParser(
        description=description,
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    add_root(parser)
    add_kinetics(parser)
    add_letsdance(parser)
    add_normalise(parser)
    add_split(parser)
    add_pretraining_check(parser)
    add_augment(parser)
    add_annotations(parser)
    return parser
