"""The scikit-learn estimators: scikit-learn's own checks, and the tools people use them with.

scikit-learn skips one of its checks here, for both estimators: `check_array_api_input` runs only
when the environment sets SCIPY_ARRAY_API=1 before SciPy is imported, and the estimators compute
with NumPy alone (they do not claim array API support). The checks on pandas frames run: pandas is
a test dependency. No check is expected to fail.
"""

from __future__ import annotations

import pickle

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import load_iris, load_wine, make_regression
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler
from sklearn.utils.estimator_checks import parametrize_with_checks

from exmachina import Network, NeuronClassifier, NeuronRegressor


@parametrize_with_checks([NeuronClassifier(), NeuronRegressor()])
def test_scikit_learn_checks(estimator, check):
    check(estimator)


def test_probabilities_sum_to_one_and_agree_with_predict():
    iris = load_iris()
    net = NeuronClassifier(hidden=8, epochs=20).fit(iris.data, iris.target_names[iris.target])
    probabilities = net.predict_proba(iris.data)
    assert probabilities.shape == (150, 3) and np.allclose(probabilities.sum(axis=1), 1)
    assert (net.classes_[probabilities.argmax(axis=1)] == net.predict(iris.data)).all()
    assert net.score(iris.data, iris.target_names[iris.target]) > 0.9
    squared = NeuronClassifier(hidden=8, loss="squared", activation="sigmoid", learning_rate=0.5, epochs=20)
    assert np.allclose(squared.fit(iris.data, iris.target).predict_proba(iris.data).sum(axis=1), 1)


def test_partial_fit_learns_a_pass_at_a_time_as_fit_does():
    wine = load_wine()
    stepwise = NeuronClassifier()
    with pytest.raises(ValueError, match="needs classes="):
        stepwise.partial_fit(wine.data, wine.target)
    scores = []
    for _ in range(3):
        stepwise.partial_fit(wine.data, wine.target, classes=[0, 1, 2])
        scores.append(stepwise.score(wine.data, wine.target))
    assert scores[-1] >= scores[0] and scores[-1] > 0.9
    once = NeuronClassifier(epochs=1).fit(wine.data, wine.target)  # a first partial_fit is one pass of fit
    first = NeuronClassifier().partial_fit(wine.data, wine.target, classes=[0, 1, 2])
    assert np.array_equal(once.network_.blueprint.weights, first.network_.blueprint.weights)
    with pytest.raises(ValueError, match="label 7 is not one of the classes"):
        stepwise.partial_fit(wine.data[:2], [0, 7])
    x, y = make_regression(n_samples=80, n_features=3, noise=1, random_state=0)
    regressor = NeuronRegressor()
    errors = [np.mean((regressor.partial_fit(x, y / 100).predict(x) - y / 100) ** 2) for _ in range(4)]
    assert errors[-1] < errors[0]


def test_raw_wine_in_cross_validation_is_standardised_inside_the_estimator():
    wine = load_wine()
    scores = cross_val_score(NeuronClassifier(), wine.data, wine.target, cv=3)
    assert scores.mean() >= 0.95
    raw = cross_val_score(NeuronClassifier(scale="none"), wine.data, wine.target, cv=3)
    assert raw.mean() < scores.mean()


def test_pipeline_grid_search_clone_and_pickle():
    iris = load_iris()
    pipeline = make_pipeline(MinMaxScaler(), NeuronClassifier(scale="none", epochs=15))
    search = GridSearchCV(pipeline, {"neuronclassifier__hidden": [(2,), (8,)],
                                     "neuronclassifier__learning_rate": [0.1, 0.3]}, cv=3)
    search.fit(iris.data, iris.target)
    assert search.best_score_ > 0.9 and len(search.cv_results_["params"]) == 4
    twin = clone(search.best_estimator_)
    assert twin.get_params()["neuronclassifier__hidden"] == search.best_params_["neuronclassifier__hidden"]
    assert not hasattr(twin[-1], "network_")
    again = pickle.loads(pickle.dumps(search.best_estimator_))
    assert np.array_equal(again.predict_proba(iris.data), search.best_estimator_.predict_proba(iris.data))


def test_regressor_learns_one_or_several_targets():
    x, y = make_regression(n_samples=200, n_features=4, n_targets=2, noise=0.1, random_state=1)
    y = y / y.std(axis=0)
    both = NeuronRegressor(epochs=30).fit(x, y)
    assert both.predict(x).shape == (200, 2) and both.score(x, y) > 0.9
    one = NeuronRegressor(epochs=30).fit(x, y[:, 0])
    assert one.predict(x).shape == (200,) and one.score(x, y[:, 0]) > 0.9


def test_bad_settings_are_named_when_fitting():
    iris = load_iris()
    for estimator, complaint in ((NeuronClassifier(scale="log"), "--scale 'log' is unknown"),
                                 (NeuronClassifier(activation="cubic"), "cubic"),
                                 (NeuronClassifier(learning_rate=-1), "learning rate must be a positive number")):
        with pytest.raises(ValueError, match=complaint):
            estimator.fit(iris.data, iris.target)


def test_a_list_where_a_blueprint_belongs_is_a_type_error_at_once():
    with pytest.raises(TypeError, match=r"Network takes a Blueprint, not list; .*Network.layered\(\[4, 8, 3\]\)"):
        Network([4, 8, 3])
