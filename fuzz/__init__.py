"""Time-boxed fuzz targets (outside the default test run). See README.md, "Fuzzing"."""
