"""The draw of the examples held back to test: scikit-learn's `train_test_split`, the very same
examples for the same seed, without importing scikit-learn (which costs every command that splits
data about a second of start-up). tests/test_datasets.py checks it against `train_test_split`.

The draws follow scikit-learn's `ShuffleSplit` and `StratifiedShuffleSplit`, with a NumPy
`RandomState` seeded as its `random_state` is.
"""

from __future__ import annotations

import numpy as np


def shuffled(examples: int, tested: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Indices to learn from and to test, `tested` of them drawn at random."""
    order = np.random.RandomState(seed).permutation(examples)
    return np.sort(order[tested:]), np.sort(order[:tested])


def stratified(labels: np.ndarray, tested: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Indices to learn from and to test, each class held back in its share of `tested`.

    Every class needs two examples at least, and as many examples on each side as there are classes.
    """
    rng = np.random.RandomState(seed)
    _, codes, counts = np.unique(labels, return_inverse=True, return_counts=True)
    by_class = np.split(np.argsort(codes, kind="stable"), np.cumsum(counts)[:-1])
    learned = _shares(counts, len(labels) - tested, rng)
    held = _shares(counts - learned, tested, rng)
    learn, test = [], []
    for members, n_learn, n_test in zip(by_class, learned, held):
        drawn = members.take(rng.permutation(len(members)), mode="clip")
        learn.extend(drawn[:n_learn])
        test.extend(drawn[n_learn:n_learn + n_test])
    return np.sort(np.array(learn, dtype=np.int64)), np.sort(np.array(test, dtype=np.int64))


def _shares(counts: np.ndarray, draws: int, rng: np.random.RandomState) -> np.ndarray:
    """How many of `draws` come from each class: its share rounded down, then one more for the
    classes with the largest remainders, ties broken at random (scikit-learn's `_approximate_mode`)."""
    exact = counts / counts.sum() * draws
    shares = np.floor(exact)
    missing = int(draws - shares.sum())
    remainder = exact - shares
    for value in np.sort(np.unique(remainder))[::-1]:
        if missing <= 0:
            break
        (tied,) = np.where(remainder == value)
        chosen = rng.choice(tied, size=min(len(tied), missing), replace=False)
        shares[chosen] += 1
        missing -= len(chosen)
    return shares.astype(int)
