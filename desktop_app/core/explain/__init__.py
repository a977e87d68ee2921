"""Why a model predicts what it does: per-row contributions that add up to its output, and global views.

`treeshap` and `trees` give tree models' exact contributions, `linear` linear models', `contributions`
picks the right one for a fitted pipeline and adds its prepared columns back up to the input columns.
"""
