"""VLSM Workbench model toolchain: bundles, export, quantisation, the compact default model."""
