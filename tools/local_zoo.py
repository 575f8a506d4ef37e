"""A stand-in model zoo on 127.0.0.1, to rehearse named checkpoints offline.

    python tools/local_zoo.py uniformerv2-b16-k710-k700 --out /tmp/zoo
    DANCE_STYLE_METAFILE=/tmp/zoo/metafile.yml \\
        python tools/predict.py configs/uniformerv2_b16_k710_dance.py \\
        uniformerv2-b16-k710-k700 video.mp4

For each NAME of configs/metafile.yml it writes a checkpoint in that
entry's zoo layout (its config's model, every tensor random, the head with
as many rows as the entry's label map), published as the zoo does (the
file name ends in its SHA-256 prefix), and a metafile listing the same
names with URLs on this server; then serves them until Ctrl-C. The tools
then download, verify, slice and load exactly as from the real zoo; only
the answers are meaningless (random weights). README, "Classify a dance
video now", says how it was run.
"""
import argparse
import hashlib
import http.server
import os
from pathlib import Path

from dance_style.cli import run_cli


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Serve random-weight stand-ins of named checkpoints on '
        '127.0.0.1, with a metafile for DANCE_STYLE_METAFILE.')
    parser.add_argument('names', nargs='+', metavar='NAME',
                        help='names of configs/metafile.yml to stand in for')
    parser.add_argument('--out', required=True,
                        help='folder for the checkpoints and metafile.yml')
    parser.add_argument('--port', type=int, default=8765,
                        help='port on 127.0.0.1 (default 8765)')
    parser.add_argument('--no-serve', action='store_true',
                        help='write the files and exit (serve them with '
                        'any HTTP server under /models/)')
    return parser.parse_args(argv)


def stand_in(entry, folder: Path) -> Path:
    """A random-weight checkpoint in ``entry``'s zoo layout, published
    under a name carrying its hash; returns its path."""
    import torch
    from mmaction.apis import init_recognizer
    from mmengine.config import Config

    from dance_style.fileio import atomic_path
    from dance_style.kinetics_heads import kinetics_classes
    from dance_style.resources import REPO_ROOT
    cfg = Config.fromfile(str(REPO_ROOT / entry.config))
    cfg.model.cls_head.num_classes = len(kinetics_classes(entry.label_map))
    torch.manual_seed(0)
    state = init_recognizer(cfg, None, device='cpu').state_dict()
    raw = folder / f'{entry.name}.tmp'
    with atomic_path(str(raw), suffix='.part') as tmp:
        torch.save({'meta': {'stand_in_for': entry.url}, 'state_dict': state},
                   tmp)
    digest = hashlib.sha256(raw.read_bytes()).hexdigest()
    stem = entry.file_name.rsplit('-', 1)[0]
    target = folder / f'{stem}-{digest[:8]}.pth'
    os.replace(raw, target)
    return target


def main(argv=None):
    args = parse_args(argv)
    from dance_style.register import register_all_modules
    register_all_modules()
    from dance_style import zoo
    from dance_style.errors import DanceStyleError
    from dance_style.fileio import write_text_atomic
    out = Path(args.out)
    models = out / 'models'
    models.mkdir(parents=True, exist_ok=True)
    lines = ['# stand-ins served by tools/local_zoo.py (random weights)',
             'Checkpoints:']
    for name in args.names:
        entry = zoo.find(name)
        if entry is None:
            raise DanceStyleError(f'no checkpoint named {name}; names: '
                                  f'{zoo.names()}')
        path = stand_in(entry, models)
        print(f'{name}: {path} ({path.stat().st_size / 2**20:.0f} MB)')
        lines += [f'  - name: {entry.name}',
                  f'    url: http://127.0.0.1:{args.port}/models/{path.name}',
                  f'    label_map: {entry.label_map}',
                  '    trained_on: nothing (a random-weight stand-in for '
                  f'{entry.name})',
                  f'    exclude: [{", ".join(entry.exclude)}]',
                  f'    config: {entry.config}']
    write_text_atomic(str(out / 'metafile.yml'), '\n'.join(lines) + '\n')
    print(f'metafile: {out / "metafile.yml"} (DANCE_STYLE_METAFILE)')
    if args.no_serve:
        return 0
    handler = lambda *a, **k: http.server.SimpleHTTPRequestHandler(  # noqa
        *a, directory=str(out), **k)
    with http.server.ThreadingHTTPServer(('127.0.0.1', args.port),
                                         handler) as server:
        print(f'serving http://127.0.0.1:{args.port}/models/ (Ctrl-C stops)',
              flush=True)
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == '__main__':
    run_cli(main)
