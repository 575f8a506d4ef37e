# UniFormerV2-B/16 (Li et al., ICCV 2023): CLIP ViT-B/16 with local and
# global UniBlocks, as mmaction2 1.2.0's uniformerv2-base-p16-res224_clip-
# kinetics710-pre_8xb32-u8_kinetics700-rgb config, with the 19 dance classes.
model = dict(
    type='Recognizer3D',
    backbone=dict(
        type='UniFormerV2',
        input_resolution=224,  # the positional embedding is tied to it
        patch_size=16,
        width=768,
        layers=12,
        heads=12,
        t_size=8,  # frames per clip (UniformSample clip_len)
        dw_reduction=1.5,
        backbone_drop_path_rate=0.,
        temporal_downsample=False,
        no_lmhra=True,
        double_lmhra=True,
        return_list=[8, 9, 10, 11],
        n_layers=4,
        n_dim=768,
        n_head=12,
        mlp_factor=4.,
        drop_path_rate=0.,
        mlp_dropout=[0.5, 0.5, 0.5, 0.5],
        # no CLIP download at build time: the whole network comes from the
        # model-zoo checkpoint in load_from
        clip_pretrained=False,
        pretrained=None),
    cls_head=dict(
        type='UniFormerHead',
        dropout_ratio=0.5,
        num_classes=19,  # annotations/label_map.txt
        in_channels=768,
        # test views averaged as probabilities; the 19 head rows come from
        # the checkpoint's Kinetics head by class name (KineticsHeadHook in
        # default_runtime.py), not from upstream's channel_map init
        average_clips='prob'),
    data_preprocessor=dict(
        type='ActionDataPreprocessor',
        # (0.45, 0.225) x 255 on every channel: PySlowFast's defaults, which
        # the UniFormerV2 authors trained with (DATA.MEAN / DATA.STD of
        # slowfast/config/defaults.py, set by none of their exp/ configs)
        # and mmaction2's uniformerv2 configs copy. Not CLIP's (mean 122.77,
        # 116.75, 104.09; std 68.50, 66.63, 70.32): the Kinetics checkpoints
        # expect these.
        mean=[114.75, 114.75, 114.75],
        std=[57.375, 57.375, 57.375],
        format_shape='NCTHW'))
