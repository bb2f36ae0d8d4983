"""The data sets: every source loads what its files hold, and every broken file is one clear line."""

from __future__ import annotations

import gzip
import subprocess
import sys
from importlib.resources import files
from pathlib import Path

import numpy as np
import pytest

from exmachina.data import builtin, datasets, formats
from exmachina.data.dataset import DataSet


def semeion_line(label: int, pixels: list[float] | None = None) -> str:
    pixels = pixels if pixels is not None else [float((i * 7 + label) % 3 == 0) for i in range(256)]
    one_hot = [1 if i == label else 0 for i in range(10)]
    return " ".join(f"{p:.4f}" for p in pixels) + " " + " ".join(map(str, one_hot)) + " \n"


def idx_bytes(array: np.ndarray) -> bytes:
    """An IDX file of unsigned bytes as the MNIST distribution writes it."""
    header = bytes([0, 0, 0x08, array.ndim]) + b"".join(int(n).to_bytes(4, "big") for n in array.shape)
    return header + array.astype(np.uint8).tobytes()


def write_mnist(folder: Path, images: np.ndarray, labels: np.ndarray, prefix: str = "train",
                zipped: bool = True) -> None:
    ending = ".gz" if zipped else ""
    for kind, array in (("images-idx3", images), ("labels-idx1", labels)):
        name = f"{prefix}-{kind}-ubyte{ending}"
        raw = idx_bytes(array)
        (folder / name).write_bytes(gzip.compress(raw) if zipped else raw)


# -- Semeion -------------------------------------------------------------------------------------


def test_semeion_reads_pixels_and_one_hot_labels(tmp_path):
    path = tmp_path / "semeion.data"
    path.write_text(semeion_line(3) + semeion_line(0) + "\n" + semeion_line(9))
    data = datasets.load(f"semeion:{path}")
    assert data.inputs.shape == (3, 256)
    assert data.labels.tolist() == [3, 0, 9]
    assert data.classes == list(range(10))
    assert data.inputs[0].tolist() == [float((i * 7 + 3) % 3 == 0) for i in range(256)]
    assert data.origin(2) == f"{path}, line 4"  # the blank line still counts


@pytest.mark.parametrize("line, complaint", [
    (" ".join(["0"] * 265), "line 2: expected 266 fields"),
    (" ".join(["0"] * 255 + ["x"] + ["0"] * 9 + ["1"]), "line 2, field 256: 'x' is not a number"),
    (" ".join(["0"] * 256 + ["1", "1"] + ["0"] * 8), "line 2: the last 10 fields must be a one-hot label"),
])
def test_semeion_names_the_bad_line(tmp_path, line, complaint):
    path = tmp_path / "bad.data"
    path.write_text(semeion_line(1) + line + "\n")
    with pytest.raises(ValueError, match=complaint):
        datasets.load(f"semeion:{path}")


def test_semeion_empty_or_missing_file(tmp_path):
    (tmp_path / "empty.data").write_text("")
    with pytest.raises(ValueError, match="empty.data: no examples"):
        datasets.load(f"semeion:{tmp_path / 'empty.data'}")
    with pytest.raises(ValueError, match="missing.data: No such file"):
        datasets.load(f"semeion:{tmp_path / 'missing.data'}")


# -- MNIST ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("zipped", [True, False])
def test_mnist_reads_idx_files_gzipped_or_not(tmp_path, zipped):
    rng = np.random.default_rng(1)
    images = rng.integers(0, 256, (7, 4, 5))
    labels = np.array([3, 1, 4, 1, 5, 9, 2])
    write_mnist(tmp_path, images, labels, zipped=zipped)
    write_mnist(tmp_path, images[:2], labels[:2], prefix="t10k", zipped=not zipped)
    data = datasets.load(f"mnist:{tmp_path}")
    assert data.inputs.shape == (9, 20)
    # files are read in name order: t10k before train
    assert data.labels.tolist() == [3, 1, 3, 1, 4, 1, 5, 9, 2]
    np.testing.assert_array_equal(data.inputs[2:], images.reshape(7, 20) / 255.0)
    assert data.classes == list(range(10))


def test_mnist_bad_magic_number(tmp_path):
    write_mnist(tmp_path, np.zeros((2, 3, 3)), np.array([0, 1]), zipped=False)
    images = tmp_path / "train-images-idx3-ubyte"
    images.write_bytes(b"\x00\x00\x09\x03" + images.read_bytes()[4:])  # 0x09: signed bytes
    with pytest.raises(ValueError, match=r"train-images-idx3-ubyte: bad magic number 00000903, expected 00000803"):
        datasets.load(f"mnist:{tmp_path}")


def test_mnist_truncated_body_names_the_record(tmp_path):
    write_mnist(tmp_path, np.ones((4, 3, 3)), np.array([0, 1, 2, 3]))
    images = tmp_path / "train-images-idx3-ubyte.gz"
    raw = gzip.decompress(images.read_bytes())
    images.write_bytes(gzip.compress(raw[:-10]))  # the third image loses one byte, the fourth all nine
    complaint = r"truncated: 4x3x3 values need 36 bytes, found 26 \(record 3 of 4 is incomplete\)"
    with pytest.raises(ValueError, match=complaint):
        datasets.load(f"mnist:{tmp_path}")


def test_mnist_damaged_gzip_and_missing_labels(tmp_path):
    write_mnist(tmp_path, np.ones((2, 2, 2)), np.array([0, 1]))
    images = tmp_path / "train-images-idx3-ubyte.gz"
    images.write_bytes(images.read_bytes()[:15])
    with pytest.raises(ValueError, match="damaged gzip data"):
        datasets.load(f"mnist:{tmp_path}")
    (tmp_path / "train-labels-idx1-ubyte.gz").unlink()
    with pytest.raises(ValueError, match="no matching label file train-labels-idx1-ubyte.gz"):
        datasets.load(f"mnist:{tmp_path}")


def test_mnist_labels_and_images_must_agree(tmp_path):
    write_mnist(tmp_path, np.ones((3, 2, 2)), np.array([0, 1]))
    with pytest.raises(ValueError, match="2 labels for the 3 images"):
        datasets.load(f"mnist:{tmp_path}")


def test_mnist_empty_directory(tmp_path):
    with pytest.raises(ValueError, match="no MNIST image files"):
        datasets.load(f"mnist:{tmp_path}")
    with pytest.raises(ValueError, match="no such directory"):
        datasets.load(f"mnist:{tmp_path / 'nowhere'}")


# -- CSV -----------------------------------------------------------------------------------------


def test_csv_with_word_labels_in_any_column(tmp_path):
    path = tmp_path / "flowers.csv"
    path.write_text("petal,species,sepal\n1.5,setosa,2\n4.5,virginica, 3.5\n\n1.4,setosa,2.5\n")
    data = datasets.load(f"csv:{path}", label="species")
    assert data.inputs.tolist() == [[1.5, 2.0], [4.5, 3.5], [1.4, 2.5]]
    assert data.labels.tolist() == ["setosa", "virginica", "setosa"]
    assert data.classes == ["setosa", "virginica"]
    assert data.origin(2) == f"{path}, line 5"


def test_csv_whole_number_labels_become_integers(tmp_path):
    path = tmp_path / "numbers.csv"
    path.write_text("a,b,class\n0,1,3\n1,0,1\n")
    data = datasets.load(f"csv:{path}")
    assert data.labels.tolist() == [3, 1]
    assert data.classes == [1, 3]


@pytest.mark.parametrize("text, complaint", [
    ("", "empty file"),
    ("a,b,label\n", "no examples after the header row"),
    ("a,b,label\n1,2,x\n1,2\n", "line 3: expected 3 fields"),
    ("a,b,label\n1,2,x\n1,two,y\n", "line 3, column 'b': 'two' is not a number"),
    ("a,b,label\n1,,x\n", "line 2, column 'b': '' is not a number"),
    ("a,b,label\n1,2,\n", "line 2, column 'label': empty label"),
])
def test_csv_names_the_bad_line_and_column(tmp_path, text, complaint):
    path = tmp_path / "bad.csv"
    path.write_text(text)
    with pytest.raises(ValueError, match=complaint):
        datasets.load(f"csv:{path}")


def test_csv_unknown_label_column(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("a,b\n1,2\n")
    with pytest.raises(ValueError, match="no column named 'c'; the columns are a, b"):
        datasets.load(f"csv:{path}", label="c")


def test_csv_binary_file_is_refused(tmp_path):
    path = tmp_path / "t.csv"
    path.write_bytes(b"a,b\n1,2\n\xff\xfe\n")
    with pytest.raises(ValueError, match="line 3: not UTF-8 text"):
        datasets.load(f"csv:{path}")


# -- generated sets ------------------------------------------------------------------------------


@pytest.mark.parametrize("name, ones", [("and", [3]), ("or", [1, 2, 3]), ("nand", [0, 1, 2]), ("xor", [1, 2])])
def test_truth_tables(name, ones):
    data = datasets.load(name)
    assert data.inputs.tolist() == [[0, 0], [0, 1], [1, 0], [1, 1]]
    assert np.flatnonzero(data.labels).tolist() == ones
    learn, test = datasets.split(data, 0.2)
    assert learn.tolist() == test.tolist() == [0, 1, 2, 3]


@pytest.mark.parametrize("name", builtin.PLANES)
def test_planes_are_seeded_balanced_and_scaled(name):
    data = datasets.load(name, points=300, spread=0.1, seed=4)
    again = datasets.load(name, points=300, spread=0.1, seed=4)
    other = datasets.load(name, points=300, spread=0.1, seed=5)  # without spread a spiral is always the same
    np.testing.assert_array_equal(data.inputs, again.inputs)
    assert not np.array_equal(data.inputs, other.inputs)
    assert data.inputs.shape == (300, 2)
    assert 0.3 < data.labels.mean() < 0.7
    assert np.abs(data.inputs).max() < 1.5


def test_circle_classes_are_inside_and_outside():
    data = datasets.load("circle", points=400)
    radius = np.hypot(*data.inputs.T) * builtin.PLANE_SCALE
    assert (radius[data.labels == 1] < 2.5).all() and (radius[data.labels == 0] > 3.5).all()


def test_xor2d_classes_are_quadrants():
    data = datasets.load("xor2d", points=400)
    assert ((data.inputs[:, 0] * data.inputs[:, 1] >= 0) == (data.labels == 1)).all()


def test_spread_blurs_the_classes():
    clean = datasets.load("circle", points=2000, seed=1)
    blurred = datasets.load("circle", points=2000, seed=1, spread=0.5)
    inside = np.hypot(*blurred.inputs.T) * builtin.PLANE_SCALE < 2.5
    assert ((np.hypot(*clean.inputs.T) * builtin.PLANE_SCALE < 2.5) == (clean.labels == 1)).all()
    assert (inside != (blurred.labels == 1)).mean() > 0.05


@pytest.mark.parametrize("source, complaint", [
    ("nothing", "unknown data 'nothing'"),
    ("semeion:", "give a path"),
    ("xor:file", "unknown data"),
])
def test_unknown_sources(source, complaint):
    with pytest.raises(ValueError, match=complaint):
        datasets.load(source)


def test_points_and_spread_are_checked():
    with pytest.raises(ValueError, match="--points must be at least 4"):
        datasets.load("gauss", points=2)
    with pytest.raises(ValueError, match="--spread must be between 0 and 1"):
        datasets.load("gauss", spread=-0.1)


# -- digits and splitting ------------------------------------------------------------------------


def test_digits_are_scaled_to_one():
    data = datasets.load("digits")
    assert data.inputs.shape == (1797, 64)
    assert data.inputs.min() == 0.0 and data.inputs.max() == 1.0


def test_split_is_stratified_seeded_and_disjoint():
    data = datasets.load("digits")
    learn, test = datasets.split(data, 0.2, seed=3)
    assert len(test) == 360 and len(learn) == 1437
    assert not set(learn.tolist()) & set(test.tolist())
    counts = np.bincount(data.labels[test], minlength=10)
    share = np.bincount(data.labels, minlength=10) * 0.2
    assert np.abs(counts - share).max() <= 1
    assert datasets.split(data, 0.2, seed=3)[1].tolist() == test.tolist()
    assert datasets.split(data, 0.2, seed=4)[1].tolist() != test.tolist()
    assert len(datasets.split(data, 0.0)[1]) == 0
    with pytest.raises(ValueError, match="--test-fraction must be at least 0 and below 1"):
        datasets.split(data, 1.0)


@pytest.mark.subprocess
def test_learning_from_built_in_data_split_in_two_never_imports_scikit_learn(tmp_path):
    """Importing scikit-learn costs about a second: the shipped tables and the split do without it."""
    without = "import sys; sys.modules['sklearn'] = None; from exmachina.cli import app; app()"
    done = subprocess.run([sys.executable, "-c", without, "learn", "--data", "iris", "--epochs", "1"],
                          capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "virginica" in done.stdout

LABELLED = {  # labels as the data sets hold them: classes even and uneven, ties in their shares, words
    "digits": lambda rng: datasets.load("digits").labels,
    "iris words": lambda rng: datasets.load("iris").labels,
    "uneven": lambda rng: rng.choice([0, 1, 2, 3], size=101, p=[0.55, 0.3, 0.1, 0.05]),
    "two of each": lambda rng: np.repeat(np.arange(7), 2),
    "one of a class": lambda rng: np.array([0] * 20 + [1] * 19 + [2]),  # too rare to stratify: at random
}


@pytest.mark.parametrize("labelled", LABELLED)
def test_the_split_holds_back_the_very_examples_scikit_learn_would(labelled):
    """`split` draws what `train_test_split` draws for the same seed (stratified where it can be),
    without importing scikit-learn."""
    from sklearn.model_selection import train_test_split

    labels = LABELLED[labelled](np.random.default_rng(0))
    data = DataSet("t", np.zeros((len(labels), 1)), labels, sorted(set(labels.tolist())))
    words = labels.astype(str)
    _, counts = np.unique(words, return_counts=True)
    for fraction in (0.05, 0.2, 0.37, 0.5, 0.9):
        tested = int(np.ceil(fraction * len(labels)))
        strata = words if counts.min() >= 2 and min(tested, len(labels) - tested) >= len(counts) else None
        for seed in (0, 1, 7, 2026):
            learn, test = datasets.split(data, fraction, seed)
            expected = train_test_split(np.arange(len(labels)), test_size=tested, random_state=seed, stratify=strata)
            assert [learn.tolist(), test.tolist()] == [sorted(side.tolist()) for side in expected], (fraction, seed)


# -- built in: no download ---------------------------------------------------------------------------


def test_semeion_ships_in_the_package_whole():
    import hashlib

    packed = (files("exmachina") / "data" / "semeion.data.gz").read_bytes()
    assert len(packed) < 2_886_516 / 20  # a small fraction of the 2.9 MB file
    assert hashlib.sha256(gzip.decompress(packed)).hexdigest() == (
        "8fcb0cc6c0e569860b789491407c2bd60dd7c29b6d619894c12e7ea0907c954c")  # the shared file's sha256
    assert "CC BY 4.0" in (files("exmachina") / "data" / "README.md").read_text()
    data = datasets.load("semeion")
    assert data.name == "semeion" and data.inputs.shape == (1593, 256) and data.classes == list(range(10))
    assert set(np.unique(data.inputs)) == {0.0, 1.0} and np.bincount(data.labels).min() >= 150
    assert data.origin(7) == "semeion, line 8"


@pytest.mark.parametrize("name, shape, classes", [
    ("iris", (150, 4), ["setosa", "versicolor", "virginica"]),
    ("wine", (178, 13), [0, 1, 2]),
])
def test_iris_and_wine_come_from_scikit_learn_to_be_standardised(name, shape, classes):
    data = datasets.load(name)
    assert data.inputs.shape == shape and data.classes == classes
    assert sorted(set(data.labels.tolist())) == classes
    assert data.defaults["scale"] == "standard"
    assert "scale" not in datasets.load("digits").defaults  # pixels are 0..1 already
    with pytest.raises(ValueError, match=f"--label names a column of a CSV file; --data {name} has none"):
        datasets.load(name, label="species")


@pytest.mark.parametrize("name", ["digits", "iris", "wine"])
def test_the_shipped_tables_are_scikit_learns_to_the_bit(name):
    import sklearn.datasets

    table = getattr(sklearn.datasets, f"load_{name}")()
    data = datasets.load(name)
    np.testing.assert_array_equal(data.inputs, table.data / (16.0 if name == "digits" else 1.0), strict=True)
    labels = table.target_names[table.target] if name == "iris" else table.target
    assert data.labels.tolist() == labels.tolist() and data.labels.dtype == (object if name == "iris" else np.int64)
    assert name in (files("exmachina") / "data" / "README.md").read_text()


def test_a_csv_table_is_standardised_by_default(tmp_path):
    (tmp_path / "t.csv").write_text("a,b,label\n1,1000,x\n2,3000,y\n")
    assert datasets.load(f"csv:{tmp_path / 't.csv'}").defaults["scale"] == "standard"


def test_a_gzipped_semeion_file_reads_like_the_plain_one(tmp_path):
    text = semeion_line(3) + semeion_line(5)
    (tmp_path / "s.data").write_text(text)
    (tmp_path / "s.data.gz").write_bytes(gzip.compress(text.encode()))
    plain, packed = formats.semeion(tmp_path / "s.data"), formats.semeion(tmp_path / "s.data.gz")
    assert np.array_equal(plain.inputs, packed.inputs) and packed.labels.tolist() == [3, 5]
