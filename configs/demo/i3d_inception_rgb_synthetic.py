# Two-Stream I3D on a laptop CPU, RGB stream: the Inception-v1 I3D of
# configs/i3d_inception_rgb_dance.py (same backbone, dataset class, metrics
# and tools) trained from scratch on the embedded synthetic dataset, with the
# clips of the I3D NonLocal demo (16 frames every 2nd at 56 px).
# tools/demo.py two-stream (make two-stream) runs it with the flow stream
# (i3d_inception_flow_synthetic.py) and fuses the two.
_base_ = [
    '../_base_/models/i3d_inception.py',
    '../_base_/datasets/synthetic_video.py',
    '../_base_/schedules/adamw_scratch.py', '../_base_/default_runtime.py'
]

# Half of the stem's filters start as temporal derivatives, blind to a
# still scene (dance_style/models/motion_init.py). The synthetic styles
# differ only in motion while each clip's look is random; from Kaiming's
# filters this stream fitted the look and stayed at chance for 12 epochs
# (docs/two_stream.md). Initialisation only: same architecture, same
# checkpoint keys.
model = dict(backbone=dict(stem_motion_share=0.5))

train_cfg = dict(max_epochs=12)
default_hooks = dict(
    logger=dict(interval=10), checkpoint=dict(max_keep_ckpts=1))
randomness = dict(seed=0)
