# I3D ResNet-50 (Carreira & Zisserman inflation of a 2D ResNet-50), as
# mmaction2 1.2.0's _base_/models/i3d_r50.py, with the 19 dance classes.
model = dict(
    type='Recognizer3D',
    backbone=dict(
        type='ResNet3d',
        # mmaction2's default 'torchvision://resnet50' needs torchvision and
        # the network at weight init, before load_from applies (and no
        # torchvision imports beside torch 2.13: docs/development.md, "The
        # stack").
        # Whole models come from load_from; pass a local 2D ResNet-50 .pth
        # here (with pretrained2d=True) for ImageNet inflation.
        pretrained=None,
        pretrained2d=True,
        depth=50,
        conv1_kernel=(5, 7, 7),
        conv1_stride_t=2,
        pool1_stride_t=2,
        conv_cfg=dict(type='Conv3d'),
        norm_eval=False,
        # which 3x3 convs are inflated to 3x3x3, per stage (1 = inflate)
        inflate=((1, 1, 1), (1, 0, 1, 0), (1, 0, 1, 0, 1, 0), (0, 1, 0)),
        zero_init_residual=False),
    cls_head=dict(
        type='I3DHead',
        num_classes=19,  # the study's dance styles, annotations/label_map.txt
        in_channels=2048,
        spatial_type='avg',
        dropout_ratio=0.5,
        init_std=0.01,
        # test views are averaged as probabilities (10 clips x 3 crops)
        average_clips='prob'),
    data_preprocessor=dict(
        type='ActionDataPreprocessor',
        # ImageNet RGB statistics, which the Kinetics checkpoints expect
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        format_shape='NCTHW'))
