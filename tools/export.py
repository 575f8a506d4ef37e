"""Export a checkpoint: ``python tools/export.py CONFIG CHECKPOINT OUT``.

Writes the recognizer's tensor forward (normalisation, backbone, head,
softmax; input (N, 3, T, H, W) RGB 0..255, output class probabilities) as
TorchScript or ONNX, then runs the exported file and PyTorch on the same
clips and fails if they disagree beyond --atol.
"""
import argparse

from dance_style.cli import ConfigOptionsAction, run_cli
from dance_style.errors import DanceStyleError
from dance_style.export import FORMATS


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Export a trained recognizer to TorchScript or ONNX.')
    parser.add_argument('config', help='config the model was trained with')
    parser.add_argument('checkpoint', help='checkpoint to export: a .pth '
                        'file, a URL, or a name of configs/metafile.yml')
    parser.add_argument('out', help='file to write (.pt or .onnx)')
    parser.add_argument('--format', choices=FORMATS,
                        help='default: from OUT\'s extension (.onnx: onnx, '
                        'else torchscript)')
    parser.add_argument('--shape', type=int, nargs=3, metavar=('T', 'H', 'W'),
                        help='frames, height, width of one clip (default: '
                        'the test pipeline\'s)')
    parser.add_argument('--batch', type=int, default=2,
                        help='clips in the check batch (default 2)')
    parser.add_argument('--atol', type=float, default=1e-4,
                        help='largest allowed probability difference '
                        'between PyTorch and the export (default 1e-4)')
    parser.add_argument('--cfg-options', nargs='+',
                        action=ConfigOptionsAction,
                        help='override config keys, key=value')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    # after --help and argument errors, which need no torch or mmaction
    from dance_style.register import register_all_modules
    register_all_modules()
    import torch
    from dance_style.config import prepare
    from dance_style.export import (build_classifier, export, input_shape,
                                    run_exported)
    from dance_style.predict import load_recognizer
    cfg = prepare(args.config, cfg_options=args.cfg_options)
    fmt = args.format or ('onnx' if args.out.endswith('.onnx')
                          else 'torchscript')
    frames, height, width = args.shape or input_shape(cfg)
    # refuses a checkpoint that does not fit the config, tensor for tensor
    model = load_recognizer(cfg, args.checkpoint, device='cpu')
    classifier = build_classifier(model, cfg)
    generator = torch.Generator().manual_seed(0)
    example = torch.rand((args.batch, 3, frames, height, width),
                         generator=generator) * 255
    export(classifier, example, fmt, args.out)
    # a batch size other than the traced one checks the dynamic batch axis
    check = torch.rand((args.batch + 1, 3, frames, height, width),
                       generator=generator) * 255
    with torch.no_grad():
        expected = classifier(check)
    got = run_exported(args.out, fmt, check)
    diff = float((expected - got).abs().max())
    print(f'{fmt}: {args.out}\ninput (N, 3, {frames}, {height}, {width}) '
          f'RGB 0..255 -> probabilities (N, {expected.shape[1]})\n'
          f'max |PyTorch - export| on {len(check)} random clips: {diff:.2e}')
    if diff > args.atol:
        raise DanceStyleError(
            f'the export disagrees with PyTorch by {diff:.2e} > --atol '
            f'{args.atol}')
    return 0


if __name__ == '__main__':
    run_cli(main)
