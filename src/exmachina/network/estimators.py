"""scikit-learn estimators: the neuron network as a classifier or a regressor that `clone`,
`Pipeline`, `GridSearchCV` and `cross_val_score` can use like any other.

The parameters are only stored by `__init__`, as scikit-learn requires; `fit` checks them. The
learned network is `network_` (an `exmachina.Network`, whose model file keeps the scaling).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.utils import check_random_state
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from ..data.scaling import Scaling
from . import memory
from .examples import probabilities
from .network import Network


class NeuronEstimator(BaseEstimator):
    """What both estimators share: their settings, building the network from the data, and learning
    by passes.

    `hidden` gives the sizes of the hidden layers; `loss` None is the estimator's own
    (cross_entropy for the classifier, mse for the regressor); inputs are scaled as `scale` says
    (standard, minmax or none), learned from the training examples.
    """

    LOSS = "mse"

    def __init__(self, hidden: int | Sequence[int] = (32,), activation: str = "sigmoid", loss: str | None = None,
                 learning_rate: float = 0.1, epochs: int = 10, batch_size: int = 1, scale: str = "standard",
                 engine: str = "actors", random_state: int | None = 0) -> None:
        self.hidden = hidden
        self.activation = activation
        self.loss = loss
        self.learning_rate = learning_rate
        self.epochs = epochs
        self.batch_size = batch_size
        self.scale = scale
        self.engine = engine
        self.random_state = random_state

    def _loss(self) -> str:
        return self.LOSS if self.loss is None else self.loss

    def _learn(self, x: np.ndarray, targets: np.ndarray, outputs: int, epochs: int, fresh: bool) -> None:
        if fresh:
            hidden = [self.hidden] if isinstance(self.hidden, int | np.integer) else list(self.hidden)
            layers = [x.shape[1], *hidden, outputs]
            memory.affordable(layers, f"{x.shape[1]:,} features, hidden={self.hidden!r} and {outputs:,} outputs "
                                      f"make layers {','.join(map(str, layers))}")
            self.seed_ = _seed(self.random_state)
            self.network_ = Network.layered([x.shape[1], *hidden, outputs], self.activation,
                                            self._output_activation(), self._loss(), seed=self.seed_)
            self.network_.blueprint.scaling = Scaling.learn(self.scale, x)
            self.passes_ = 0
        self.network_.fit(x, targets, epochs=epochs, learning_rate=self.learning_rate,
                          batch_size=self.batch_size, seed=self.seed_ + self.passes_, engine=self.engine)
        self.passes_ += epochs
        blueprint = self.network_.blueprint
        if not (np.isfinite(blueprint.weights).all() and np.isfinite(blueprint.biases).all()):
            del self.network_  # not fitted: it would only predict NaN
            raise ValueError(f"the weights diverged while learning (they are no longer all finite numbers); try a "
                             f"lower learning_rate than {self.learning_rate:g}, such as {self.learning_rate / 10:g}")

    def _outputs(self, inputs: Any) -> np.ndarray:
        check_is_fitted(self, "network_")
        x = validate_data(self, inputs, reset=False, dtype=np.float64)
        return self.network_.predict(x, engine=self.engine)

    def _output_activation(self) -> str | None:
        return None


class NeuronClassifier(ClassifierMixin, NeuronEstimator):
    """A classifier whose every neuron is its own process: one output neuron per class."""

    LOSS = "cross_entropy"

    def fit(self, X: Any, y: Any) -> NeuronClassifier:
        """Learn `epochs` passes over the examples, from new weights."""
        x, y = validate_data(self, X, y, dtype=np.float64)
        check_classification_targets(y)
        self.classes_ = np.unique(y)
        self._learn_classes(x, y, self.epochs, fresh=True)
        return self

    def partial_fit(self, X: Any, y: Any, classes: Any = None) -> NeuronClassifier:
        """One more pass over these examples; the first call names every class (`classes`)."""
        fresh = not hasattr(self, "network_")
        x, y = validate_data(self, X, y, dtype=np.float64, reset=fresh)
        check_classification_targets(y)
        if fresh:
            if classes is None:
                raise ValueError("the first call to partial_fit needs classes=[...]: every class it will see")
            self.classes_ = np.unique(classes)
        self._learn_classes(x, y, 1, fresh)
        return self

    def _learn_classes(self, x: np.ndarray, y: np.ndarray, epochs: int, fresh: bool) -> None:
        if len(self.classes_) < 2:
            raise ValueError(f"a classifier needs at least 2 classes; the labels hold one class, {self.classes_[0]}")
        unknown = np.setdiff1d(y, self.classes_)
        if len(unknown):
            raise ValueError(f"label {unknown.tolist()[0]!r} is not one of the classes {self.classes_.tolist()}")
        self._learn(x, np.searchsorted(self.classes_, y), len(self.classes_), epochs, fresh)

    def predict_proba(self, X: Any) -> np.ndarray:
        """Each class's probability: the softmax of the outputs (cross_entropy), else the outputs
        made to sum to one."""
        return probabilities(self._outputs(X), self._loss())

    def predict(self, X: Any) -> np.ndarray:
        check_is_fitted(self, "network_")
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]


class NeuronRegressor(RegressorMixin, NeuronEstimator):
    """A regressor whose every neuron is its own process: one identity output neuron per target."""

    def fit(self, X: Any, y: Any) -> NeuronRegressor:
        """Learn `epochs` passes over the examples, from new weights."""
        x, y = validate_data(self, X, y, dtype=np.float64, multi_output=True, y_numeric=True)
        self.single_target_ = y.ndim == 1
        self._learn(x, _column(y), _column(y).shape[1], self.epochs, fresh=True)
        return self

    def partial_fit(self, X: Any, y: Any) -> NeuronRegressor:
        """One more pass over these examples (the first call builds the network)."""
        fresh = not hasattr(self, "network_")
        x, y = validate_data(self, X, y, dtype=np.float64, multi_output=True, y_numeric=True, reset=fresh)
        if not fresh and _column(y).shape[1] != self.network_.outputs:
            raise ValueError(f"y has {_column(y).shape[1]} targets per example; this regressor learned "
                             f"{self.network_.outputs}")
        if fresh:
            self.single_target_ = y.ndim == 1
        self._learn(x, _column(y), _column(y).shape[1], 1, fresh)
        return self

    def predict(self, X: Any) -> np.ndarray:
        outputs = self._outputs(X)
        return outputs[:, 0] if self.single_target_ else outputs

    def _output_activation(self) -> str | None:
        return "identity"

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags


def _column(y: np.ndarray) -> np.ndarray:
    return y.reshape(len(y), -1)


def _seed(random_state: Any) -> int:
    """A whole-number seed from scikit-learn's random_state (a number, None or a RandomState)."""
    if isinstance(random_state, int | np.integer):
        return int(random_state)
    return int(check_random_state(random_state).randint(2**31 - 1))
