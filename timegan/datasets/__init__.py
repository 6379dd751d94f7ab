"""Real data shipped with the package (see README.md in this folder for provenance and licenses)."""
