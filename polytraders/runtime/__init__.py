"""The runtime: folds over time, the risk gate, the OMS loop, envelopes and run metrics.

Plain Python and polars, free of Dagster; ``polytraders.defs`` wires it into assets.
"""
