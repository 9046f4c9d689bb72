"""Evaluation: the Q&A set, the runner with its baselines, benchmarks and the quality gate."""
