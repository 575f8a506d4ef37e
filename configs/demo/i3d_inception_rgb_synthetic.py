# Two-Stream I3D on a laptop CPU, RGB stream: configs/
# i3d_inception_rgb_dance.py (same InceptionI3d, dataset class, metrics and tools) trained from scratch
# on the embedded synthetic dataset with small clips. tools/
# run_two_stream_demo.sh (make two-stream) runs it with the flow stream
# (i3d_inception_flow_synthetic.py) and fuses the two.
_base_ = ['../i3d_inception_rgb_dance.py']

load_from = None  # no checkpoint can be downloaded here: from scratch

data_root = 'data/synthetic_dance19'
ann_root = 'data/synthetic_dance19/annotations'

# 16 frames every 2nd at 56x56, as the I3D NonLocal demo
# (configs/demo/i3d_nl_dance_synthetic.py): the streams and that model see
# the same clips.
train_pipeline = [
    dict(type='DecordInit', io_backend='disk'),
    dict(type='SampleFrames', clip_len=16, frame_interval=2, num_clips=1),
    dict(type='DecordDecode'),
    dict(type='Resize', scale=(-1, 64)),
    dict(
        type='MultiScaleCrop',
        input_size=56,
        scales=(1, 0.875),
        random_crop=False,
        max_wh_scale_gap=0),
    dict(type='Resize', scale=(56, 56), keep_ratio=False),
    dict(type='Flip', flip_ratio=0.5),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs')
]
val_pipeline = [
    dict(type='DecordInit', io_backend='disk'),
    dict(
        type='SampleFrames',
        clip_len=16,
        frame_interval=2,
        num_clips=1,
        test_mode=True),
    dict(type='DecordDecode'),
    dict(type='Resize', scale=(-1, 64)),
    dict(type='CenterCrop', crop_size=56),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs')
]
test_pipeline = [
    dict(type='DecordInit', io_backend='disk'),
    dict(
        type='SampleFrames',
        clip_len=16,
        frame_interval=2,
        num_clips=4,
        test_mode=True),
    dict(type='DecordDecode'),
    dict(type='Resize', scale=(-1, 64)),
    dict(type='CenterCrop', crop_size=56),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs')
]

train_dataloader = dict(
    batch_size=8,
    num_workers=2,
    persistent_workers=True,
    dataset=dict(
        ann_file=f'{ann_root}/dance19_train.txt',
        data_prefix=dict(video=data_root),
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=8,
    num_workers=2,
    persistent_workers=True,
    dataset=dict(
        ann_file=f'{ann_root}/dance19_val.txt',
        data_prefix=dict(video=data_root),
        pipeline=val_pipeline))
test_dataloader = dict(
    batch_size=1,
    num_workers=2,
    persistent_workers=True,
    dataset=dict(
        ann_file=f'{ann_root}/dance19_test.txt',
        data_prefix=dict(video=data_root),
        pipeline=test_pipeline))

# From scratch: AdamW with a one-epoch warm-up, as the NonLocal demo.
model = dict(cls_head=dict(dropout_ratio=0.5))
optim_wrapper = dict(
    optimizer=dict(_delete_=True, type='AdamW', lr=1e-3, weight_decay=1e-4))
train_cfg = dict(max_epochs=12)
param_scheduler = [
    dict(
        type='LinearLR',
        start_factor=0.1,
        by_epoch=True,
        begin=0,
        end=1,
        convert_to_iter_based=True),
    dict(
        type='CosineAnnealingLR',
        T_max=11,
        eta_min=0,
        by_epoch=True,
        begin=1,
        end=12,
        convert_to_iter_based=True)
]
default_hooks = dict(
    logger=dict(interval=10), checkpoint=dict(max_keep_ckpts=1))
randomness = dict(seed=0)
