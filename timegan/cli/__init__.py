"""Command-line entry points (`timegan-train`, ...); the files in `scripts/` call these."""
