"""`make bench`: measured figures beside their baselines and targets."""
