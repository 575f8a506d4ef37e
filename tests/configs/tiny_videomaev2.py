# configs/videomaev2_vit_s_dance.py at test size: the same model type, head,
# recipe (layer-wise lr decay, mixup/cutmix, label smoothing, random erasing)
# and pipeline steps, with a 2-block, 64-wide ViT on 64 px frames. The zoo
# layout at full size is checked in tests/test_backbones.py; the data comes
# from --data-root, the length from train_cfg.max_epochs (tests: 1).
_base_ = [
    '../../configs/videomaev2_vit_s_dance.py', '_base_/small_clips.py'
]

model = dict(
    backbone=dict(img_size=64, embed_dims=64, depth=2, num_heads=2),
    cls_head=dict(in_channels=64))
optim_wrapper = dict(paramwise_cfg=dict(num_layers=2))  # = depth

# the full config's steps at 64 px (a 72 px short side for the random crop)
__open = dict(type='DecordInit', io_backend='disk')
__clips = dict(type='SampleFrames', clip_len=16, frame_interval=4)
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
    dict(type='Flip', flip_ratio=0.5),
    dict(type='RandomErasing', erase_prob=0.25, mode='rand'), *__pack
]
val_pipeline = [
    __open, dict(__clips, num_clips=1, test_mode=True), *__test_decode,
    dict(type='CenterCrop', crop_size=64), *__pack
]
test_pipeline = [
    __open, dict(__clips, num_clips=5, test_mode=True), *__test_decode,
    dict(type='ThreeCrop', crop_size=64), *__pack
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline), **_base_.loader)
val_dataloader = dict(dataset=dict(pipeline=val_pipeline), **_base_.loader)
test_dataloader = dict(dataset=dict(pipeline=test_pipeline), **_base_.loader)
load_from = None
