"""Running the platform: backups, restores and the keys' fingerprints checked at start."""
