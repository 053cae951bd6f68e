"""Benchmarks: they print measurements and ratios against baselines run in the same process;
they never fail a build. See the README's "Performance" section."""
