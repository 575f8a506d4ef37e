# configs/uniformerv2_b16_k710_dance.py at test size: the same model type,
# head, recipe and pipeline steps, with a 2-layer, 64-wide UniFormerV2 on
# 64 px frames (its positional embedding is tied to the input size, so the
# crops follow). The zoo layout at full size is checked in
# tests/test_backbones.py; the data comes from --data-root, the length
# from train_cfg.max_epochs (tests: 1).
_base_ = [
    '../../configs/uniformerv2_b16_k710_dance.py', '_base_/small_clips.py'
]

model = dict(
    backbone=dict(
        input_resolution=64,
        width=64,
        layers=2,
        heads=2,
        return_list=[0, 1],
        n_layers=2,
        n_dim=64,
        n_head=2,
        mlp_dropout=[0.5, 0.5]),
    cls_head=dict(in_channels=64))

# the full config's steps at 64 px (a 72 px short side for the random crop)
__open = dict(type='DecordInit', io_backend='disk')
__clips = dict(type='UniformSample', clip_len=8)
__test_decode = [
    dict(type='DecordDecode'),
    dict(type='Resize', scale=(-1, 64))
]
__pack = [
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs')
]
train_pipeline = [
    __open, dict(__clips, num_clips=1), dict(type='DecordDecode'),
    dict(type='Resize', scale=(-1, 72)),
    dict(type='RandomResizedCrop'),
    dict(type='Resize', scale=(64, 64), keep_ratio=False),
    dict(type='Flip', flip_ratio=0.5), *__pack
]
val_pipeline = [
    __open, dict(__clips, num_clips=1, test_mode=True), *__test_decode,
    dict(type='CenterCrop', crop_size=64), *__pack
]
test_pipeline = [
    __open, dict(__clips, num_clips=4, test_mode=True), *__test_decode,
    dict(type='ThreeCrop', crop_size=64), *__pack
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline), **_base_.loader)
val_dataloader = dict(dataset=dict(pipeline=val_pipeline), **_base_.loader)
test_dataloader = dict(dataset=dict(pipeline=test_pipeline), **_base_.loader)
load_from = None  # tests give a generated zoo-layout checkpoint
