"""Entity resolution: normalise, block, score, cluster, merge and unmerge."""
