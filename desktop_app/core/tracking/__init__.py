"""Experiment tracking: every training run recorded so it can be reproduced, compared and audited."""
