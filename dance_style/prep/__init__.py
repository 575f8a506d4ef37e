"""Data preparation: Kinetics-700-2020 and Let's Dance to the dance19 dataset.

Stages, each a module with one job and a CLI in ``data_prep/``:

1. :mod:`.kinetics`  read the K700 CSVs, keep the 19 labels, find the clips
   on disk (three layouts), record what is missing;
2. :mod:`.letsdance` group Let's Dance frames into clips, map their classes;
3. :mod:`.normalise` re-encode every kept clip (or frame folder) to H.264,
   short side 256, constant frame rate, short GOP;
4. :mod:`.split`    grouped, stratified, seeded 90/5/5 split;
5. :mod:`.augment`  offline augmentation of the training split;
6. :mod:`.report`   annotation files, manifest, summary table, bar chart.

:mod:`.build` chains them. Every stage is idempotent (finished outputs are
skipped) and writes atomically, so a killed run is finished by running the
same command again.
"""
