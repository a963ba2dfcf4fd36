"""Private numba kernels, one file per family. Never imported by users; see _config.py for the flag policy."""
