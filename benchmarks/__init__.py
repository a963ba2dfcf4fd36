"""fastdip's benchmark runner: ``python -m benchmarks`` (``make bench``).

Times each fastdip operation and the same operation in every installed peer (OpenCV, scikit-image,
scipy, numpy, Pillow) in one process, on the same deterministic inputs, and appends the table to
``benchmarks/RESULTS.md``. What is compared comes from ``tests/_comparisons.py``, the table the reference
tests read too (STYLE.md principle 13). Run it from the repository root.
"""
