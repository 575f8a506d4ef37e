# Inception-v1 I3D (Carreira & Zisserman 2017), the RGB stream of the study's
# primary model, Two-Stream I3D. The flow stream (configs/
# i3d_inception_flow_dance.py) sets in_channels=2 and 2-channel statistics.
model = dict(
    type='Recognizer3D',
    backbone=dict(
        type='InceptionI3d',  # dance_style/models/inception_i3d.py
        in_channels=3,
        # whole models come from load_from (tools/convert_i3d_checkpoint.py
        # converts the public ones); a local 2D Inception-v1 (torchvision's
        # GoogLeNet .pth) here with pretrained2d=True inflates it instead
        pretrained=None,
        pretrained2d=True),
    cls_head=dict(
        type='I3DHead',
        num_classes=19,  # the study's dance styles, annotations/label_map.txt
        in_channels=1024,
        spatial_type='avg',
        # the paper's dropout keep probability 0.5 (kinetics-i3d)
        dropout_ratio=0.5,
        init_std=0.01,
        average_clips='prob'),
    data_preprocessor=dict(
        type='ActionDataPreprocessor',
        # the public I3D and Inception-v1 weights take pixels scaled to
        # [-1, 1], not ImageNet-standardised ones
        mean=[127.5, 127.5, 127.5],
        std=[127.5, 127.5, 127.5],
        format_shape='NCTHW'))
