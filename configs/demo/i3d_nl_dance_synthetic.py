# The main job on a laptop CPU: the I3D R50 NonLocal of configs/
# i3d_nl_dance.py (same architecture, dataset class and metrics) trained from
# scratch on the embedded synthetic dataset with small clips, on a laptop
# CPU (its time: docs/results/demo.json). tools/demo.py (make demo) writes synthetic Kinetics-700 and Let's
# Dance downloads and builds data/synthetic_dance19 from them with the real
# data path (data_prep/build_dataset.py --short-side 64 --fps 16).
_base_ = [
    '../_base_/models/i3d_r50_nl.py', '../_base_/datasets/synthetic_video.py',
    '../_base_/schedules/adamw_scratch.py', '../_base_/default_runtime.py'
]

model = dict(
    # From scratch, each residual block starts as an identity (its last BN at
    # zero), as in Goyal et al. 2017: a 50-layer 3D net then trains from the
    # first iteration instead of sitting at chance (without it the loss stayed
    # near ln 19, chance). The NonLocal blocks start as identities too
    # (ResNet3dIdentityNL).
    backbone=dict(zero_init_residual=True),
    cls_head=dict(dropout_ratio=0.2966))  # as configs/i3d_nl_dance.py

# The learning rate is the from-scratch schedule's (AdamW 1e-3, one warm-up
# epoch), not tuned on the demo's clips: an earlier 2e-3 was chosen by test
# top-1 and is withdrawn. Tune it on the validation clips with the sweep
# (docs/sweep.md).
# 16 epochs of the training clips the demo builds, at batch 8, chosen on
# the validation clips (docs/results/demo_schedule.json, 2 CPU cores, float32,
# about 72 s an epoch): at 11 epochs validation top-1 was 66.7 % and still
# climbing 2-5 points an epoch; 16 epochs reached 81.2 %; a rate of 2e-3
# over 11 epochs, 65.0 %. Twenty minutes or so of a laptop CPU (tools/demo.py
# trains in bfloat16 autocast where the CPU computes it right,
# docs/precision.md).
train_cfg = dict(max_epochs=16)
# A checkpoint with AdamW's state is large (hundreds of MB): keep the last
# one (for --resume) and the best, not 3 + best.
default_hooks = dict(
    logger=dict(interval=10), checkpoint=dict(max_keep_ckpts=1))
randomness = dict(seed=0)
