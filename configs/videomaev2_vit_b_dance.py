# VideoMAE V2 ViT-B/16, distilled from ViT-g on Kinetics-710 and fine-tuned
# on Kinetics-400 (mmaction2's vit-base-p16_videomaev2-vit-g-dist-k710-pre_
# 16x4x1_kinetics-400 checkpoint), fine-tuned on dance19 with the authors'
# fine-tuning recipe. mmaction2 ships VideoMAE V2 for testing only; the
# recipe is that of OpenGVLab/VideoMAEv2 run_class_finetuning.py (its
# defaults, and scripts/finetune/vit_b_k400_ft.sh): AdamW, lr 1e-3 per 256
# clips, betas (0.9, 0.999), weight decay 0.05, layer-wise lr decay 0.75,
# drop path 0.1, 5 warm-up epochs then a cosine to 1e-6, mixup 0.8 /
# cutmix 1.0 (one of them per batch), label smoothing 0.1, random erasing
# 0.25, 16 frames every 4th.
# Its head is a Kinetics-400 one: 15 of the 19 labels get their rows by
# class name (KineticsHeadHook), the other 4 start fresh.
_base_ = [
    '_base_/models/videomaev2_vit_b.py', '_base_/datasets/dance19_video.py',
    '_base_/default_runtime.py'
]

# mmaction2 model zoo (README): 86.6 top-1 / 97.3 top-5 on Kinetics-400,
# 16 frames, 5 clips x 3 crops; 180 GFLOPs per view.
load_from = (
    'https://download.openmmlab.com/mmaction/v1.0/recognition/videomaev2/'
    'vit-base-p16_videomaev2-vit-g-dist-k710-pre_16x4x1_kinetics-400/'
    'vit-base-p16_videomaev2-vit-g-dist-k710-pre_16x4x1_kinetics-400_'
    '20230510-3e7f93b2.pth')

model = dict(
    cls_head=dict(label_smooth_eps=0.1),
    data_preprocessor=dict(
        # the authors' mixup (alpha 0.8) or cutmix (alpha 1.0), switching
        # with probability 0.5, on every training batch
        blending=dict(
            type='RandomBatchAugment',
            augments=[
                dict(type='MixupBlending', alpha=0.8, num_classes=19),
                dict(type='CutmixBlending', alpha=1.0, num_classes=19)
            ],
            probs=[0.5, 0.5])))

# ---- pipelines: 16 frames, every 4th ---------------------------------------
train_pipeline = [
    dict(type='DecordInit', io_backend='disk'),
    dict(type='SampleFrames', clip_len=16, frame_interval=4, num_clips=1),
    dict(type='DecordDecode'),
    dict(type='Resize', scale=(-1, 256)),
    # the authors' RandAugment (rand-m7-n4) needs torchvision, which this
    # stack does not install (README, "The stack"): left out
    dict(type='RandomResizedCrop'),
    dict(type='Resize', scale=(224, 224), keep_ratio=False),
    dict(type='Flip', flip_ratio=0.5),
    dict(type='RandomErasing', erase_prob=0.25, mode='rand'),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs')
]
val_pipeline = [
    dict(type='DecordInit', io_backend='disk'),
    dict(
        type='SampleFrames',
        clip_len=16,
        frame_interval=4,
        num_clips=1,
        test_mode=True),
    dict(type='DecordDecode'),
    dict(type='Resize', scale=(-1, 224)),
    dict(type='CenterCrop', crop_size=224),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs')
]
test_pipeline = [
    dict(type='DecordInit', io_backend='disk'),
    # 5 clips x 3 crops = 15 views per video (mmaction2's test config)
    dict(
        type='SampleFrames',
        clip_len=16,
        frame_interval=4,
        num_clips=5,
        test_mode=True),
    dict(type='DecordDecode'),
    dict(type='Resize', scale=(-1, 224)),
    dict(type='ThreeCrop', crop_size=224),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs')
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=val_pipeline))
test_dataloader = dict(dataset=dict(pipeline=test_pipeline))

# ---- schedule ---------------------------------------------------------------
train_cfg = dict(
    type='EpochBasedTrainLoop', max_epochs=30, val_begin=1, val_interval=1)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
optim_wrapper = dict(
    # mmaction2's layer-wise decay: block i gets lr x 0.75^(12 - i), the
    # patch embedding 0.75^13, the head 1 (the authors' assigner)
    constructor='LearningRateDecayOptimizerConstructor',
    optimizer=dict(
        type='AdamW', lr=1e-3, betas=(0.9, 0.999), weight_decay=0.05),
    paramwise_cfg=dict(decay_rate=0.75, decay_type='layer_wise',
                       num_layers=12))
param_scheduler = [
    dict(
        type='LinearLR',
        start_factor=1e-3,
        by_epoch=True,
        begin=0,
        end=5,
        convert_to_iter_based=True),
    dict(
        type='CosineAnnealingLR',
        eta_min=1e-6,
        by_epoch=True,
        begin=5,
        convert_to_iter_based=True)
]
# the authors scale lr (and its floor) by total batch / 256; mmengine scales
# the optimizer's lr the same way
auto_scale_lr = dict(enable=True, base_batch_size=256)
