# I3D ResNet-50 with NonLocal blocks, dot-product mode (Wang et al. 2018), as
# mmaction2's i3d_imagenet-pretrained-r50-nl-dot-product config.
_base_ = ['i3d_r50.py']

model = dict(
    backbone=dict(
        # mmaction2's ResNet3d, except that a from-scratch init keeps the
        # NonLocal blocks identity mappings, as mmcv builds them (upstream
        # re-initialises them randomly, and the model then does not learn
        # from scratch); checkpoints and ImageNet inflation load as upstream
        # (dance_style/models/resnet3d.py)
        type='ResNet3dIdentityNL',
        # 5 NonLocal blocks: every other block of res3 and res4
        non_local=((0, 0, 0), (0, 1, 0, 1), (0, 1, 0, 1, 0, 1), (0, 0, 0)),
        non_local_cfg=dict(
            sub_sample=True,
            use_scale=False,
            norm_cfg=dict(type='BN3d', requires_grad=True),
            mode='dot_product')))
