"""No silently wrong result: a label column that is not classes is refused, `predict` takes the
columns a model learned by their names, a scaling that overflows is never saved, nothing is saved
that cannot be loaded, and an estimator that diverges says so."""

from __future__ import annotations

import csv
import json
import resource
import subprocess

import numpy as np
import pytest

from exmachina import Network
from exmachina.data import formats
from exmachina.data.scaling import Scaling
from exmachina.network.blueprint import Blueprint
from exmachina.network.estimators import NeuronClassifier, NeuronRegressor

from test_cli import EXMACHINA, assert_refused, environment, run


def write(path, header, rows) -> None:
    with open(path, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)


def three_classes(n: int = 90, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Two features on very different scales, a class that only the first one tells, and noise."""
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 3
    return np.column_stack([y + rng.normal(0, 0.2, n), rng.normal(0, 100, n)]), y


# -- the label column ------------------------------------------------------------------------------


@pytest.mark.subprocess
def test_a_measurement_in_the_last_column_is_refused_naming_the_column_and_label(tmp_path):
    x, y = three_classes(150)
    write(tmp_path / "d.csv", ["a", "label", "b"], [[a, c, b] for (a, b), c in zip(x, y)])
    result = run("learn", "--data", "csv:d.csv", "--save", "m.json", cwd=tmp_path)
    assert_refused(result, "d.csv: the label column, 'b' (the last, by default) holds 150 different values",
                   "real numbers, a measurement", "name the column of classes with --label (the others are a, label)")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["d.csv"]


@pytest.mark.parametrize("column, given, fragment", [
    ("id", False, "more classes than half its rows"),  # an identifier last: 60 whole numbers, one a row
    ("b", True, "--label b holds 60 different values"),  # a measurement, named by mistake
    ("huge", False, "more classes than half its rows"),  # whole numbers past 64 bits, once a crash
])
def test_labels_that_are_not_classes_are_refused(tmp_path, column, given, fragment):
    x, y = three_classes(60)
    rows = [[a, b, c, 10**30 + i, i] for i, ((a, b), c) in enumerate(zip(x, y))]
    header = ["a", "b", "label", "huge", "id"]
    order = [h for h in header if h != column] + [column]
    write(tmp_path / "d.csv", order, [[row[header.index(h)] for h in order] for row in rows])
    with pytest.raises(ValueError, match=fragment):
        formats.table(tmp_path / "d.csv", column if given else None)
    assert formats.table(tmp_path / "d.csv", "label").classes == [0, 1, 2]  # naming the classes works


def test_few_classes_in_real_numbers_and_many_classes_with_examples_each_are_learned(tmp_path):
    write(tmp_path / "d.csv", ["a", "grade"], [[i, [0.5, 1.5, 2.5][i % 3]] for i in range(30)])
    assert formats.table(tmp_path / "d.csv").classes == ["0.5", "1.5", "2.5"]
    write(tmp_path / "e.csv", ["a", "digit"], [[i, i % 20] for i in range(60)])  # 20 classes, 3 examples each
    assert len(formats.table(tmp_path / "e.csv").classes) == 20
    write(tmp_path / "f.csv", ["a", "label"], [[i, 10**30 + i % 2] for i in range(20)])
    assert formats.table(tmp_path / "f.csv").classes == [str(10**30), str(10**30 + 1)]  # words, not a crash


# -- predict takes the columns by name -------------------------------------------------------------


@pytest.mark.subprocess
def test_predict_takes_the_columns_the_model_learned_by_name(tmp_path):
    x, y = three_classes()
    write(tmp_path / "d.csv", ["first", "second", "kind"], [[a, b, c] for (a, b), c in zip(x, y)])
    learned = run("learn", "--data", "csv:d.csv", "--epochs", "30", "--save", "m.json", cwd=tmp_path)
    assert learned.returncode == 0, learned.stderr
    model = json.loads((tmp_path / "m.json").read_text())
    assert model["features"] == ["first", "second"] and model["label"] == "kind"
    # the same examples with the columns the other way round, the label first
    write(tmp_path / "r.csv", ["kind", "second", "first"], [[c, b, a] for (a, b), c in zip(x, y)])
    straight = run("predict", "m.json", "--data", "csv:d.csv", "--output", "a.csv", cwd=tmp_path)
    reversed_ = run("predict", "m.json", "--data", "csv:r.csv", "--output", "b.csv", cwd=tmp_path)
    assert straight.returncode == reversed_.returncode == 0, reversed_.stderr
    assert (tmp_path / "a.csv").read_text() == (tmp_path / "b.csv").read_text()
    accuracy = straight.stdout.splitlines()[-2]
    assert accuracy.startswith("accuracy: ") and accuracy in reversed_.stdout
    assert float(accuracy.split()[1].rstrip("%")) > 80
    # a column the model never learned from is refused, not silently taken for a feature
    write(tmp_path / "x.csv", ["first", "id", "second"], [[a, i, b] for i, (a, b) in enumerate(x)])
    assert_refused(run("predict", "m.json", "--data", "csv:x.csv", cwd=tmp_path),
                   "x.csv: the model did not learn from the column 'id'")
    # a file that names none of them: taken in order, as before names were kept, and said so
    write(tmp_path / "u.csv", ["u", "v"], x[:3])
    unnamed = run("predict", "m.json", "--data", "csv:u.csv", cwd=tmp_path)
    assert unnamed.returncode == 0 and unnamed.stderr.startswith(
        "note: u.csv names none of the columns the model learned from (first, second): its columns are taken in "
        "their order"), unnamed.stderr


def test_columns_missing_or_repeated_are_refused_by_name(tmp_path):
    net = Network.layered([2, 3, 2], seed=1)
    net.blueprint.classes, net.blueprint.features, net.blueprint.label = [0, 1], ["first", "second"], "kind"
    write(tmp_path / "m.csv", ["first", "kind"], [[1, 0]])
    with pytest.raises(ValueError, match="no column named 'second': the model learned from the columns first, second"):
        formats.table(tmp_path / "m.csv", features=net.blueprint.features, known_label="kind")
    write(tmp_path / "t.csv", ["first", "second", "second"], [[1, 2, 3]])
    with pytest.raises(ValueError, match="two columns are named 'second'"):
        formats.table(tmp_path / "t.csv", features=net.blueprint.features, known_label="kind")


@pytest.mark.parametrize("suffix", [".json", ".npz"])
def test_the_model_file_keeps_the_feature_names_and_the_label_and_older_files_still_load(tmp_path, suffix):
    net = Network.layered([2, 3, 2], seed=1)
    net.blueprint.features, net.blueprint.label = ["é", "[b]"], "kind"
    net.save(tmp_path / f"m{suffix}")
    again = Blueprint.load(tmp_path / f"m{suffix}")
    assert again.features == ["é", "[b]"] and again.label == "kind"
    net.blueprint.features = net.blueprint.label = None
    net.save(tmp_path / f"none{suffix}")
    assert Blueprint.load(tmp_path / f"none{suffix}").features is None
    if suffix == ".json":  # a file written before the names were kept
        fields = json.loads((tmp_path / "m.json").read_text())
        del fields["features"], fields["label"]
        (tmp_path / "old.json").write_text(json.dumps(fields))
        assert Blueprint.load(tmp_path / "old.json").features is None


@pytest.mark.parametrize("change, fragment", [
    ({"features": ["a"]}, "1 feature names but 2 sensors"),
    ({"features": ["a", "a"]}, "\"features\" names an input twice"),
    ({"features": [1, 2]}, "\"features\" must be null or a list of names"),
    ({"label": 3}, "\"label\" must be null or the name of a column"),
])
def test_wrong_feature_names_in_a_model_are_one_line(tmp_path, change, fragment):
    Network.layered([2, 3, 2], seed=1).save(tmp_path / "m.json")
    fields = json.loads((tmp_path / "m.json").read_text()) | change
    (tmp_path / "m.json").write_text(json.dumps(fields))
    with pytest.raises(ValueError, match=fragment.replace("[", r"\[")):
        Blueprint.load(tmp_path / "m.json")


# -- overflow, and nothing saved that cannot be loaded --------------------------------------------


@pytest.mark.subprocess
def test_values_near_the_largest_float_are_scaled_learned_saved_and_loaded(tmp_path):
    x, y = three_classes()
    write(tmp_path / "d.csv", ["big", "noise", "label"], [[a * 1e200, b, c] for (a, b), c in zip(x, y)])
    result = run("learn", "--data", "csv:d.csv", "--epochs", "20", "--save", "m.json", "--report", "r.json",
                 cwd=tmp_path)
    assert result.returncode == 0 and "Model saved to m.json" in result.stdout, result.stderr
    assert json.loads((tmp_path / "r.json").read_text())["test_accuracy"] > 0.8  # not silently at chance
    assert Network.load(tmp_path / "m.json").blueprint.scaling.factor[0] > 1e199


@pytest.mark.subprocess
def test_a_feature_that_no_float_can_scale_is_refused_by_name_and_nothing_is_saved(tmp_path):
    write(tmp_path / "d.csv", ["wide", "label"], [[(-1) ** i * 1.7e308, i % 2] for i in range(20)])
    result = run("learn", "--data", "csv:d.csv", "--scale", "minmax", "--save", "m.json", cwd=tmp_path)
    assert_refused(result, "feature 'wide' runs from -1.7e+308 to 1.7e+308: too large to scale (minmax)")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["d.csv"]


def test_predicting_a_value_the_scaling_makes_infinite_is_refused_not_answered_with_nan():
    net = Network.layered([1, 2, 2], seed=1)
    net.blueprint.scaling = Scaling.learn("standard", np.array([[0.0], [1e-10]]))
    with pytest.raises(ValueError, match="too large for the model's scaling"):
        net.predict([[1e300]])


@pytest.mark.parametrize("spoil, fragment", [
    (lambda b: setattr(b, "scaling", Scaling("standard", np.zeros(2), np.array([np.inf, 1.0]))), "scaling cannot be"),
    (lambda b: setattr(b, "training", {"train_accuracy": float("nan")}), "cannot be written as JSON"),
    (lambda b: setattr(b, "training", {"epochs": "three"}), "epochs must be a number"),
    (lambda b: setattr(b, "classes", ["a", "a"]), "names a class twice"),
    (lambda b: setattr(b, "classes", [object(), 1]), "cannot be written as JSON"),
    (lambda b: setattr(b, "features", ["x", 2]), "list of names"),
])
@pytest.mark.parametrize("suffix", [".json", ".npz"])
def test_nothing_is_saved_that_cannot_be_loaded(tmp_path, spoil, fragment, suffix):
    net = Network.layered([2, 3, 2], seed=1)
    spoil(net.blueprint)
    with pytest.raises(ValueError, match=f"nothing was saved: .*{fragment}"):
        net.save(tmp_path / f"m{suffix}")
    assert list(tmp_path.iterdir()) == []


def test_numpy_class_labels_are_saved_as_the_numbers_they_are(tmp_path):
    net = Network.layered([2, 3, 2], seed=1)
    net.blueprint.classes = list(np.array([3, 7]))
    net.save(tmp_path / "m.json")
    assert Network.load(tmp_path / "m.json").classes == [3, 7]


# -- the estimators --------------------------------------------------------------------------------


@pytest.mark.filterwarnings("ignore:overflow encountered", "ignore:invalid value encountered")
def test_an_estimator_that_diverges_raises_and_is_left_unfitted():
    x, y = three_classes(30)
    regressor = NeuronRegressor(hidden=(4,), activation="identity", learning_rate=100.0, epochs=5, engine="matrix")
    with pytest.raises(ValueError, match="the weights diverged while learning.*lower learning_rate than 100"):
        regressor.fit(x, y * 1e3)
    assert not hasattr(regressor, "network_")


def test_an_estimator_too_big_for_memory_is_refused_before_it_is_built():
    with pytest.raises(ValueError, match=r"would need about .* of memory .* is available"):
        NeuronClassifier(hidden=(10**6, 10**6)).fit(np.zeros((4, 3)), [0, 1, 0, 1])


# -- memory, on every path -------------------------------------------------------------------------


@pytest.mark.subprocess
def test_layers_derived_from_a_wide_csv_are_checked_against_memory_under_ulimit_v(tmp_path):
    """300,000 columns make layers 300000,32,2 (9.6 M synapses, about 2 GiB to learn): under an
    address-space limit of 2 GiB that is refused, naming the estimate, before a network is built."""
    columns = 300_000
    with open(tmp_path / "wide.csv", "w") as f:
        f.write(",".join(f"c{i}" for i in range(columns)) + ",label\n")
        for row in range(4):
            f.write(",".join(["1"] * columns) + f",{row % 2}\n")
    limit = 2 << 30

    def limited() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    result = subprocess.run([*EXMACHINA, "learn", "--data", "csv:wide.csv", "--save", "m.json"], capture_output=True,
                            text=True, cwd=tmp_path, env=environment(), timeout=300, preexec_fn=limited)
    assert_refused(result, "csv:wide.csv's 300,000 features and 2 classes make layers 300000,32,2: 9,600,064 "
                           "synapses and 300,034 neurons would need about", "is available")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["wide.csv"]
