"""Two-Stream I3D end to end on the synthetic data: flow extraction, RGB and
flow streams trained and tested through the tools, late fusion; the flow
dataset's checks; the study-size flow config on real flow frames."""
import json
import re
import shutil

import numpy as np
import pytest

from conftest import REPO, run_tool
from dance_style.errors import DanceStyleError

RGB_CONFIG = REPO / 'tests' / 'configs' / 'tiny_inception_rgb.py'
FLOW_CONFIG = REPO / 'tests' / 'configs' / 'tiny_inception_flow.py'
CHANCE = 1 / 3  # the easy 3-class subset


@pytest.fixture(scope='session')
def flow_dataset(easy_dataset, tmp_path_factory):
    """A copy of the easy dataset with Farneback flow extracted by the
    function behind data_prep/extract_flow.py (tests/test_flow.py runs the
    command itself); the copy keeps other tests' data as is."""
    from dance_style.prep.flow_dataset import extract_dataset_flow
    data = tmp_path_factory.mktemp('two stream') / 'easy data'
    shutil.copytree(easy_dataset, data)
    summary = extract_dataset_flow(data, method='farneback', workers=2,
                                   progress=False)
    assert summary['extracted'] == 156 and not summary['failed']
    return data


@pytest.fixture(scope='session')
def two_stream_run(flow_dataset, tmp_path_factory):
    """Both streams trained, tested with --dump, and fused."""
    work = tmp_path_factory.mktemp('streams')
    dumps = {}
    # one dataset folder for both streams: --data-root points each config's
    # lists (dance19_*.txt, dance19_flow_*.txt) and clips at it
    for stream, config in (('rgb', RGB_CONFIG), ('flow', FLOW_CONFIG)):
        run_tool('tools/train.py', config, '--work-dir', work / stream,
                 '--seed', '0', '--data-root', flow_dataset)
        checkpoint = next((work / stream).glob('best_*.pth'))
        dumps[stream] = work / f'{stream}.npz'
        run_tool('tools/test.py', config, checkpoint, '--work-dir',
                 work / stream, '--dump', dumps[stream], '--data-root',
                 flow_dataset)
    proc = run_tool('tools/fuse_scores.py', dumps['rgb'], dumps['flow'],
                    '--json', work / 'fused.json', '--out',
                    work / 'fused.npz')
    return dict(work=work, dumps=dumps, stdout=proc.stdout,
                metrics=json.loads((work / 'fused.json').read_text()))


def test_both_streams_and_their_fusion_beat_chance(two_stream_run):
    metrics = two_stream_run['metrics']
    rgb, flow = (metrics['inputs'][str(two_stream_run['dumps'][s])]
                 for s in ('rgb', 'flow'))
    fused = metrics['fused']
    print(f'top-1 rgb {rgb["top1"]:.3f} flow {flow["top1"]:.3f} '
          f'fused {fused["top1"]:.3f}')  # shown with pytest -s
    # 24 held-out clips; chance is 1/3. Motion defines the classes, so the
    # flow stream must learn them; the fusion must keep what it learnt.
    # Measured (4 epochs): flow 19/24, fused 19/24, rgb 15/24 (6 epochs:
    # 23, 23, 17). The bar, 16/24 (twice chance), leaves three clips. The RGB
    # stream's bar is issue 16's to raise (it does not learn 19 classes).
    assert flow['top1'] >= 16 / 24
    assert rgb['top1'] > CHANCE
    assert fused['top1'] >= 16 / 24
    assert re.search(r'fused\s+[\d.]+%', two_stream_run['stdout'])


def test_fused_scores_are_the_mean_of_the_streams(two_stream_run):
    dumps = two_stream_run['dumps']
    rgb, flow = (np.load(dumps[s]) for s in ('rgb', 'flow'))
    fused = np.load(two_stream_run['work'] / 'fused.npz')
    assert rgb['scores'].shape == flow['scores'].shape == (24, 19)
    np.testing.assert_allclose(fused['scores'],
                               (rgb['scores'] + flow['scores']) / 2,
                               rtol=1e-6)
    # rows are matched by clip: a video and its flow folder share the name
    assert [v.rsplit('/', 1)[-1] for v in flow['videos']] == [
        v.rsplit('/', 1)[-1][:-len('.mp4')] for v in rgb['videos']]


def test_flow_stream_checkpoint_has_two_input_channels(two_stream_run):
    import torch
    checkpoint = next((two_stream_run['work'] / 'flow').glob('best_*.pth'))
    state = torch.load(checkpoint, map_location='cpu')['state_dict']
    assert state['backbone.Conv3d_1a_7x7.conv3d.weight'].shape == (
        64, 2, 7, 7, 7)
    assert state['cls_head.fc_cls.weight'].shape == (19, 1024)


def test_predict_refuses_the_flow_stream_clearly(two_stream_run,
                                                 flow_dataset):
    checkpoint = next((two_stream_run['work'] / 'flow').glob('best_*.pth'))
    video = next((flow_dataset / 'videos').rglob('*.mp4'))
    proc = run_tool('tools/predict.py', FLOW_CONFIG, checkpoint, video,
                    check=False)
    assert proc.returncode == 2
    assert 'optical-flow config' in proc.stderr


def test_study_flow_config_trains_on_flow_frames(flow_dataset, tmp_path):
    """configs/i3d_inception_flow_dance.py at full size (64 frames at
    224 px) on one clip: the path a user takes on dance19."""
    lists = {}
    for split in ('train', 'test'):
        first = (flow_dataset / 'annotations' / f'dance19_flow_{split}.txt'
                 ).read_text().splitlines()[0]
        lists[split] = tmp_path / f'{split}.txt'
        # one clip to train on (one full-size step), one clip to test
        lists[split].write_text(first + '\n')
    options = ['load_from=None', 'train_cfg.max_epochs=1']
    for split in ('train', 'test'):
        options += [f'{split}_dataloader.dataset.ann_file={lists[split]}',
                    f'{split}_dataloader.batch_size=1',
                    f'{split}_dataloader.num_workers=0',
                    f'{split}_dataloader.persistent_workers=False']
    work = tmp_path / 'work'
    config = REPO / 'configs' / 'i3d_inception_flow_dance.py'
    # no validation: --no-validate drops the val loop
    run_tool('tools/train.py', config, '--work-dir', work, '--no-validate',
             '--data-root', flow_dataset, '--cfg-options', *options)
    # 1 snippet x 3 crops of the 12 test views keeps the CPU time sane
    proc = run_tool('tools/test.py', config, work / 'epoch_1.pth',
                    '--work-dir', work, '--data-root', flow_dataset,
                    '--cfg-options', *options,
                    'test_dataloader.dataset.pipeline.0.num_clips=1')
    assert re.search(r'top-1:\s+[\d.]+ %', proc.stdout)
    assert '1/1' in proc.stdout + proc.stderr  # the one test clip


def write_flow_list(tmp_path, lines):
    folder = tmp_path / 'flow' / 'tap dancing' / 'clip one'
    folder.mkdir(parents=True, exist_ok=True)
    ann = tmp_path / 'flow_list.txt'
    ann.write_text(''.join(f'{line}\n' for line in lines))
    return ann


def build_flow_dataset(ann, root):
    from dance_style.datasets import DanceRawframeDataset
    return DanceRawframeDataset(
        ann_file=str(ann), data_prefix=dict(img=str(root)), pipeline=[],
        modality='Flow', filename_tmpl='flow_{}_{:05d}.jpg')


def test_flow_dataset_reads_folders_with_spaces(tmp_path):
    ann = write_flow_list(tmp_path, ['flow/tap dancing/clip one 31 17'])
    dataset = build_flow_dataset(ann, tmp_path)
    info = dataset.get_data_info(0)
    assert info['frame_dir'] == str(tmp_path / 'flow/tap dancing/clip one')
    assert (info['total_frames'], info['label'], info['modality']) == (
        31, 17, 'Flow')


@pytest.mark.parametrize('line,message', [
    ('clip_one 17', 'expected "<frame folder> <frames> '
     '<label>"'),
    ('flow/tap dancing/clip one x 17', 'frame count'),
    ('flow/tap dancing/clip one 31 19', 'outside 0..18'),
    ('flow/tap dancing/clip two 31 3', 'frame folders'),
])
def test_flow_dataset_bad_lines_are_clear_errors(tmp_path, line, message):
    ann = write_flow_list(tmp_path, [line])
    with pytest.raises(DanceStyleError, match=re.escape(message)):
        build_flow_dataset(ann, tmp_path)


def test_missing_flow_list_says_how_to_make_it(tmp_path):
    with pytest.raises(DanceStyleError, match='extract_flow.py'):
        build_flow_dataset(tmp_path / 'none.txt', tmp_path)


def test_video_key_keeps_dots_of_flow_folders():
    from dance_style.fusion import video_key
    assert video_key('videos/a b/x.y.mp4') == video_key('flow/a b/x.y')
    assert video_key('flow/a b/x.y') == 'x.y'
