# Two-Stream I3D on a laptop CPU, flow stream: the Inception-v1 I3D with 2
# input channels of configs/i3d_inception_flow_dance.py (same backbone, flow
# dataset class, metrics and tools) trained from scratch on the optical flow
# of the embedded synthetic dataset (data_prep/extract_flow.py --root
# data/synthetic_dance19, Farneback in the demo). tools/demo.py two-stream
# (make two-stream) runs it with the RGB stream
# (i3d_inception_rgb_synthetic.py) and fuses the two.
_base_ = [
    '../_base_/models/i3d_inception_flow.py',
    '../_base_/datasets/synthetic_flow.py',
    '../_base_/schedules/adamw_scratch.py', '../_base_/default_runtime.py'
]

train_cfg = dict(max_epochs=12)
default_hooks = dict(
    logger=dict(interval=10), checkpoint=dict(max_keep_ckpts=1))
randomness = dict(seed=0)
