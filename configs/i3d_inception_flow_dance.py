# Two-Stream I3D, optical-flow stream: Inception-v1 I3D on the TV-L1 flow of
# data_prep/extract_flow.py (2 channels, x and y), fine-tuned from its
# Kinetics-400 weights with the RGB stream's schedule
# (configs/i3d_inception_rgb_dance.py). docs/two_stream.md has the whole
# sequence: extract flow, train both streams, test both, fuse.
_base_ = [
    '_base_/models/i3d_inception_flow.py', '_base_/datasets/dance19_flow.py',
    '_base_/schedules/sgd_finetune.py', '_base_/default_runtime.py'
]

# Convert the public flow weights once (pytorch-i3d models/flow_imagenet.pt,
# or kinetics-i3d's flow_imagenet checkpoint exported to .npz):
#   python tools/convert_i3d_checkpoint.py flow_imagenet.pt \
#       checkpoints/i3d_inception_flow_kinetics400.pth
load_from = 'checkpoints/i3d_inception_flow_kinetics400.pth'

model = dict(cls_head=dict(dropout_ratio=0.2966))  # Optuna best (study)
optim_wrapper = dict(optimizer=dict(type='SGD', lr=7.87e-4))  # Optuna best
train_cfg = dict(max_epochs=10)
