"""Reports from run folders: leaderboard, plots, significance, sample browser."""
