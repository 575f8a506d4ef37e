# VideoMAE V2 ViT-B/16 (Wang et al., CVPR 2023), distilled from ViT-g on
# Kinetics-710, as mmaction2 1.2.0's vit-base-p16_videomaev2-vit-g-dist-
# k710-pre_16x4x1_kinetics-400 config, with the 19 dance classes.
model = dict(
    type='Recognizer3D',
    backbone=dict(
        type='VisionTransformer',
        img_size=224,
        patch_size=16,
        embed_dims=768,
        depth=12,
        num_heads=12,
        mlp_ratio=4,
        qkv_bias=True,
        num_frames=16,
        norm_cfg=dict(type='LN', eps=1e-6),
        # stochastic depth of the authors' fine-tuning (run_class_finetuning
        # .py --drop_path 0.1); inactive at test time
        drop_path_rate=0.1),
    cls_head=dict(
        type='TimeSformerHead',
        num_classes=19,  # annotations/label_map.txt
        in_channels=768,
        average_clips='prob'),
    data_preprocessor=dict(
        type='ActionDataPreprocessor',
        mean=[123.675, 116.28, 103.53],  # ImageNet
        std=[58.395, 57.12, 57.375],
        format_shape='NCTHW'))
