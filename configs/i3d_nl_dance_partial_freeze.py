# I3D R50 NonLocal fine-tuned from Kinetics-400 with the lower layers kept:
# the stem and the first residual stage frozen (their generic edge and
# motion filters are what a small dataset cannot improve), and the rest of
# the backbone learning at a tenth of the head's rate, so the freshly
# initialised 19-class head adapts before it drags the features along.
# The frozen stages are frozen when the backbone is built, before mmengine
# wraps it in DistributedDataParallel (upstream ResNet3d froze them later, in
# train(), and DDP then stopped at the second iteration waiting for their
# gradients: mmaction2 issue #646); tests/test_distributed.py trains this
# config on 2 processes.
_base_ = ['i3d_nl_dance.py']

model = dict(
    backbone=dict(
        frozen_stages=1,  # stem + res2: requires_grad False, BN in eval
        norm_eval=False))

optim_wrapper = dict(
    paramwise_cfg=dict(
        # lr x 0.1 for every backbone parameter; the head keeps the base lr
        custom_keys=dict(backbone=dict(lr_mult=0.1))))
