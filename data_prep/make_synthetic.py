"""Generate the synthetic dance dataset: 19 classes that differ by motion only.

Three formats. ``mmaction`` (default): a ready dataset, Kinetics-style
videos plus mmaction2 annotation lists. ``kinetics`` and ``letsdance``:
miniature *source* downloads in the real on-disk formats (Kinetics-700-2020
CSVs + clips in one of three layouts; Let's Dance JPEG frames), broken on
purpose as real downloads are, for data_prep/build_dataset.py. Re-running
skips finished clips.

    python data_prep/make_synthetic.py                       # 30/5/5 clips per class
    python data_prep/make_synthetic.py --classes 12,17,"tap dancing" --size 64x96
    python data_prep/make_synthetic.py --format kinetics --layout underscores --out data/raw/k700
    python data_prep/make_synthetic.py --format letsdance --out data/raw/letsdance
"""
import argparse

from dance_style.classes import DANCE19_CLASSES, NUM_CLASSES, label_of
from dance_style.cli import run_cli
from dance_style.errors import DanceStyleError
from dance_style.synthetic import describe, generate_dataset
from dance_style.synthetic.sources import (KINETICS_LAYOUTS, LETSDANCE_MOTION,
                                           format_kinetics_tree, format_letsdance_tree,
                                           write_kinetics_tree, write_letsdance_tree)


def parse_classes(text):
    """'0,12,tap dancing,robot_dancing' -> sorted label indices; None for 'all'."""
    if text is None or text.strip().lower() == 'all':
        return None
    labels = []
    for item in (part.strip() for part in text.split(',')):
        if not item:
            continue
        if item.isdigit():
            if int(item) >= NUM_CLASSES:
                raise DanceStyleError(f'--classes: index {item} out of range 0..{NUM_CLASSES - 1}')
            labels.append(int(item))
        else:
            try:     # mmaction's downloader spells folders with underscores
                labels.append(label_of(item.replace('_', ' ')))
            except ValueError as error:
                raise DanceStyleError(f'--classes: {error}') from None
    if not labels:
        raise DanceStyleError('--classes is empty; give indices or names, or leave it out for all')
    return sorted(set(labels))


def parse_size(text):
    """'64' -> (64, 64); '64x96' -> (64, 96) as (height, width)."""
    parts = text.lower().replace('*', 'x').split('x')
    try:
        values = [int(p) for p in parts]
    except ValueError:
        values = []
    if len(values) == 1:
        values *= 2
    if len(values) != 2:
        raise DanceStyleError(f'--size {text!r}: give one int (square) or HEIGHTxWIDTH, e.g. 64x96')
    return tuple(values)


def build_parser():
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('--out', default='data/synthetic',
                   help='dataset root; videos/ and annotations/ go under it (default: %(default)s)')
    p.add_argument('--clips-per-class', type=int, default=30,
                   help='train clips per class (default: %(default)s)')
    p.add_argument('--val-per-class', type=int, default=5,
                   help='validation clips per class (default: %(default)s)')
    p.add_argument('--test-per-class', type=int, default=5,
                   help='test clips per class (default: %(default)s)')
    p.add_argument('--classes', default=None,
                   help='comma list of class indices (0..18) or names, e.g. "1,12,tap dancing" '
                        '(default: all 19; labels keep their 0..18 indices)')
    p.add_argument('--size', default='64',
                   help='frame size in px: one int for square or HEIGHTxWIDTH (default: %(default)s)')
    p.add_argument('--frames', type=int, default=48,
                   help='frames per clip (default: %(default)s, i.e. 3 s at 16 fps)')
    p.add_argument('--fps', type=float, default=16.0,
                   help='frame rate; motion is defined in seconds (default: %(default)s)')
    p.add_argument('--seed', type=int, default=0,
                   help='dataset seed; clip k of class c is fixed by (seed, c, k) (default: %(default)s)')
    p.add_argument('--workers', type=int, default=1,
                   help='parallel render processes (default: %(default)s)')
    p.add_argument('--no-progress', action='store_true', help='no progress bar')
    p.add_argument('--format', choices=('mmaction', 'kinetics', 'letsdance'),
                   default='mmaction',
                   help='mmaction: ready dataset + lists; kinetics / letsdance: a miniature '
                        'source download for data_prep/build_dataset.py (default: %(default)s)')
    p.add_argument('--layout', choices=KINETICS_LAYOUTS, default='spaces',
                   help='kinetics format: folders train/<label with spaces>/ (official), '
                        'videos_train/<label_with_underscores>/ (mmaction2) or flat '
                        '(default: %(default)s)')
    p.add_argument('--clean', action='store_true',
                   help='kinetics / letsdance formats: no missing, corrupt or too-short '
                        'clips, no malformed CSV rows')
    p.add_argument('--seconds', type=float, default=10.0,
                   help="letsdance format: clip length; frames at 24/25/30 fps "
                        '(default: %(default)s, as the real clips)')
    p.add_argument('--describe', action='store_true',
                   help='print the choreography that defines each class and exit')
    return p


def format_table(counts):
    """Class x split table of clip counts, with totals."""
    splits = list(counts)
    names = list(next(iter(counts.values())))
    width = max(len('class'), *(len(n) for n in names))
    rows = [f'{"label":>5}  {"class":<{width}}' + ''.join(f'{s:>7}' for s in splits)]
    for name in names:
        rows.append(f'{DANCE19_CLASSES.index(name):>5}  {name:<{width}}'
                    + ''.join(f'{counts[s][name]:>7}' for s in splits))
    rows.append(f'{"":>5}  {"total":<{width}}'
                + ''.join(f'{sum(counts[s].values()):>7}' for s in splits))
    return '\n'.join(rows)


def write_kinetics(args):
    result = write_kinetics_tree(
        args.out, layout=args.layout, clips_per_class=args.clips_per_class,
        val_per_class=args.val_per_class, classes=parse_classes(args.classes),
        size=parse_size(args.size), num_frames=args.frames, fps=args.fps, seed=args.seed,
        broken=not args.clean, workers=args.workers, progress=not args.no_progress)
    print(format_kinetics_tree(result, args.out))
    return 0


def write_letsdance(args):
    classes = dict(LETSDANCE_MOTION)
    if args.classes:
        keep = set(parse_classes(args.classes) or range(NUM_CLASSES))
        classes = {k: v for k, v in classes.items() if v in keep}
    result = write_letsdance_tree(
        args.out, clips_per_class=args.clips_per_class, classes=classes,
        size=parse_size(args.size), seconds=args.seconds, seed=args.seed,
        broken=not args.clean, workers=args.workers, progress=not args.no_progress)
    print(format_letsdance_tree(result, args.out))
    return 0


def main(argv=None):
    args = build_parser().parse_args(argv)
    if args.describe:
        for label, name in enumerate(DANCE19_CLASSES):
            print(f'{label:>2} {name:<22} {describe(label)}')
        return 0
    try:
        if args.format == 'kinetics':
            return write_kinetics(args)
        if args.format == 'letsdance':
            return write_letsdance(args)
        result = generate_dataset(
            args.out, clips_per_class=args.clips_per_class, val_per_class=args.val_per_class,
            test_per_class=args.test_per_class, classes=parse_classes(args.classes),
            size=parse_size(args.size), num_frames=args.frames, fps=args.fps, seed=args.seed,
            workers=args.workers, progress=not args.no_progress)
    except DanceStyleError:
        raise
    except ValueError as error:       # bad numbers: one line, not a traceback
        raise DanceStyleError(str(error)) from None
    print(format_table(result['counts']))
    print(f'\n{result["written"]} clips written, {result["skipped"]} already there; '
          f'videos under {result["video_root"]}')
    for split, path in result['annotations'].items():
        print(f'{split:>5} list: {path}')
    return 0


if __name__ == '__main__':
    run_cli(main)
