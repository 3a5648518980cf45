"""Test-sheet generator shared by tests/scan and benchmarks/scan_bench.py: paints realistic
marks where a layout says and degrades the page like copiers and phones do. Not used by
the scanner itself."""
