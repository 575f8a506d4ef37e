"""Stage 5: offline augmentation of the training split (the study's recipe).

    python data_prep/augment.py --out data/dance19 --augment hflip,vflip,color,noise

Copies go beside the originals as <clip>__<name>.mp4 and into the training
list only. The training configs augment online by default instead (README).
"""
import argparse

from dance_style.cli import run_cli
from dance_style.prep import build, options
from dance_style.prep.augment import parse_augmentations


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    options.add_root(parser)
    options.add_augment(parser)
    parser.add_argument('--crf', type=int, default=23,
                        help='x264 quality of the copies (default: %(default)s)')
    parser.add_argument('--preset', default='fast',
                        help='x264 speed preset (default: %(default)s)')
    args = parser.parse_args(argv)
    result = build.augment(args.out, parse_augmentations(args.augment),
                           **options.augment_options(args))
    print('augmented copies: ' + (', '.join(
        f'{k} {v}' for k, v in result['counts'].items()) or 'none'))
    for failure in result['failures']:
        print(f'  failed: {failure}')
    return 0


if __name__ == '__main__':
    run_cli(main)
