# UniFormerV2-B/16 fine-tuned on dance19 from mmaction2's Kinetics-700
# checkpoint (CLIP ViT-B/16 -> Kinetics-710 -> Kinetics-700), with mmaction2's
# own fine-tuning recipe for a Kinetics-710-pretrained UniFormerV2
# (uniformerv2-base-p16-res224_clip-kinetics710-pre_8xb32-u8_kinetics700-rgb).
# Its head has a row for each of the 19 labels: the KineticsHeadHook takes
# them by class name, so `tools/test.py` with this config and the checkpoint
# alone is the zero-training baseline, and fine-tuning starts from them.
_base_ = [
    '_base_/models/uniformerv2_b16.py', '_base_/datasets/dance19_video.py',
    '_base_/default_runtime.py'
]

# mmaction2 model zoo (metafile): 76.3 top-1 / 92.9 top-5 over the 700
# Kinetics-700 classes, 8 frames, 4 clips x 3 crops; 0.1 TFLOPs per view.
load_from = (
    'https://download.openmmlab.com/mmaction/v1.0/recognition/uniformerv2/'
    'uniformerv2-base-p16-res224_clip-kinetics710-pre_8xb32-u8_kinetics700-'
    'rgb/uniformerv2-base-p16-res224_clip-kinetics710-pre_8xb32-u8_'
    'kinetics700-rgb_20230313-69070837.pth')

# ---- pipelines: 8 frames spread uniformly over the whole clip -------------
train_pipeline = [
    dict(type='DecordInit', io_backend='disk'),
    dict(type='UniformSample', clip_len=8, num_clips=1),
    dict(type='DecordDecode'),
    dict(type='Resize', scale=(-1, 256)),
    # upstream adds PytorchVideoWrapper(op='RandAugment', magnitude=7,
    # num_layers=4) here: it needs pytorchvideo and torchvision, which this
    # stack does not install (README, "The stack"), so it is left out
    dict(type='RandomResizedCrop'),
    dict(type='Resize', scale=(224, 224), keep_ratio=False),
    dict(type='Flip', flip_ratio=0.5),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs')
]
val_pipeline = [
    dict(type='DecordInit', io_backend='disk'),
    dict(type='UniformSample', clip_len=8, num_clips=1, test_mode=True),
    dict(type='DecordDecode'),
    dict(type='Resize', scale=(-1, 224)),
    dict(type='CenterCrop', crop_size=224),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs')
]
test_pipeline = [
    dict(type='DecordInit', io_backend='disk'),
    # 4 clips x 3 crops = 12 views per video, probabilities averaged
    dict(type='UniformSample', clip_len=8, num_clips=4, test_mode=True),
    dict(type='DecordDecode'),
    dict(type='Resize', scale=(-1, 224)),
    dict(type='ThreeCrop', crop_size=224),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs')
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=val_pipeline))
test_dataloader = dict(dataset=dict(pipeline=test_pipeline))

# ---- schedule: mmaction2's, 5 epochs ---------------------------------------
train_cfg = dict(
    type='EpochBasedTrainLoop', max_epochs=5, val_begin=1, val_interval=1)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
optim_wrapper = dict(
    optimizer=dict(
        type='AdamW', lr=2e-6, betas=(0.9, 0.999), weight_decay=0.05),
    paramwise_cfg=dict(norm_decay_mult=0.0, bias_decay_mult=0.0),
    clip_grad=dict(max_norm=20, norm_type=2))
# warm-up over the first epoch from half the rate, then a cosine to half of
# it by the end of the run (mmengine ends it at train_cfg.max_epochs)
param_scheduler = [
    dict(
        type='LinearLR',
        start_factor=0.5,
        by_epoch=True,
        begin=0,
        end=1,
        convert_to_iter_based=True),
    dict(
        type='CosineAnnealingLR',
        eta_min_ratio=0.5,
        by_epoch=True,
        begin=1,
        convert_to_iter_based=True)
]
# lr 2e-6 is for mmaction2's batch of 256 (8 GPUs x 32) and, as upstream,
# scales linearly with the real batch (GPUs x train_dataloader.batch_size)
auto_scale_lr = dict(enable=True, base_batch_size=256)
