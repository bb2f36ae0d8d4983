"""The network and its engines: `Network` (in `network`), `Blueprint` (topology as data), the matrix
engine, the examples' encoding, the score, model files, and scikit-learn's estimators.
"""
