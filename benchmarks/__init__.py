"""The richtypes benchmark suite: ``python -m benchmarks`` (see ``benchmarks/README.md``).

Each workload runs in a fresh process (``benchmarks._worker``) beside raw
baselines doing the same work to disk and, when installed, the reference SDK
``wandb`` in offline mode. Results come out as a table, JSON and Markdown.
"""
