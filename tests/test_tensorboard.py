"""TensorBoard: every level writes every dashboard, a real server shows them, `workshop runs`
reads them back. The logs are read with TensorBoard's own reader, as the server reads them."""

import importlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from werkzeug.test import Client

from tests.conftest import terminal_signals
from workshop.config import RunOptions, TrainConfig

LEVELS = ("numpy", "raw", "layers", "keras")
ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def tags(folder) -> dict:
    """{plugin name: set of tags} of the event files in `folder` (not its sub-folders)."""
    from workshop.tensorboard.run_table import load_events
    acc = load_events(Path(folder))
    if acc is None:  # no event files here
        return {}
    out = {}
    for tag in acc.Tags()["tensors"]:
        out.setdefault(acc.SummaryMetadata(tag).plugin_data.plugin_name, set()).add(tag)
    return out


def last_text(folder, tag) -> str:
    from workshop.tensorboard.run_table import load_events
    return load_events(Path(folder)).Tensors(tag)[-1].tensor_proto.string_val[0].decode()


def train_into(logdir, experiment="train", batch_summaries=False, run_name=None, **overrides):
    from workshop.training.train import train
    return train(TrainConfig.tiny(**overrides), RunOptions(logdir=str(logdir), experiment=experiment, verbose=0,
                                                           data_dir=str(Path(logdir).parent / "datasets"),
                                                           batch_summaries=batch_summaries, run_name=run_name))


def in_process(plugin_class, logdir):
    """A TensorBoard plugin reading `logdir` in this process, through the reader the server uses."""
    from tensorboard.backend.event_processing import data_provider, plugin_event_multiplexer
    from tensorboard.plugins import base_plugin
    multiplexer = plugin_event_multiplexer.EventMultiplexer()
    multiplexer.AddRunsFromDirectory(str(logdir))
    multiplexer.Reload()
    provider = data_provider.MultiplexerDataProvider(multiplexer, str(logdir))
    return plugin_class(base_plugin.TBContext(logdir=str(logdir), data_provider=provider, multiplexer=multiplexer))


def ask(plugin, route, **request):
    """What the plugin's `route` answers the browser: GET, or POST when given json=...; parsed JSON."""
    client = Client(plugin.get_plugin_apps()[route])
    response = client.post(route, **request) if "json" in request else client.get(route, **request)
    assert response.status_code == 200, response.get_data(as_text=True)
    return json.loads(response.get_data(as_text=True))


@pytest.fixture(scope="module")
def logs(tmp_path_factory):
    """One 3-epoch tiny mlp run at each level (experiment "levels": one module's logs, curves to
    look at), and a cnn run when the cnn exists (experiment "cnn"). Returns (logdir, {api or "cnn": summary})."""
    logdir = tmp_path_factory.mktemp("tb") / "logs"
    runs = {api: train_into(logdir, api=api, epochs=3, experiment="levels") for api in LEVELS}
    try:
        importlib.import_module("workshop.algorithms.cnn_keras")
        runs["cnn"] = train_into(logdir, model="cnn", api="keras", epochs=1, max_examples=128, experiment="cnn")
    except ImportError:
        pass
    return logdir, runs


@pytest.mark.parametrize("api", LEVELS)
def test_every_level_writes_every_dashboard(logs, api):
    run_dir = Path(logs[1][api]["run_dir"])
    train, val, top = tags(run_dir / "train"), tags(run_dir / "validation"), tags(run_dir)
    assert {"epoch_loss", "epoch_accuracy", "epoch_learning_rate"} <= train["scalars"]
    assert {"epoch_loss", "epoch_accuracy"} <= val["scalars"]
    if api == "keras":  # keras.callbacks.TensorBoard(histogram_freq=1): its own tags
        assert len(train["histograms"]) == 4 and all(t.endswith("/histogram") for t in train["histograms"])
    else:
        assert train["histograms"] == {f"weights/dense_{i}/{w}" for i in (0, 1) for w in ("kernel", "bias")}
    assert val["images"] == {"predictions/confusion_matrix", "predictions/mistakes"}
    assert val["text"] == {"confusion_matrix_table"}
    assert train["text"] == {"model_summary", "config"}
    assert {"test/loss", "test/accuracy", "run/wall_seconds"} <= top["scalars"]
    assert "_hparams_/session_start_info" in top["hparams"]
    from workshop.tensorboard.run_table import load_events
    # the op graph of one training step (tf.summary.graph): train_step (raw, layers), model.train_step (keras)
    assert load_events(run_dir / "train").Tags()["graph"] == (api != "numpy")
    config = (run_dir / "projector_config.pbtxt").read_text()
    assert "metadata.tsv" in config and "sprite.png" in config
    rows = (run_dir / "metadata.tsv").read_text().splitlines()
    assert rows[0] == "true\tpredicted" and len(rows) > 100
    assert json.loads(last_text(run_dir / "train", "config").replace("\n    ", "\n"))["api"] == api


def test_keras_and_layers_write_the_same_scalar_tags(logs):
    """The custom loops write the epoch curves Keras's callback writes (it adds its curves against
    iterations), so a keras run and a layers run are two lines on one chart."""
    keras_dir, layers_dir = (Path(logs[1][api]["run_dir"]) for api in ("keras", "layers"))
    for sub in ("train", "validation", ""):
        epoch = lambda run: {t for t in tags(run / sub)["scalars"] if not t.startswith("evaluation_")}  # noqa: E731
        assert epoch(keras_dir) == epoch(layers_dir), sub


def test_a_one_cycle_run_charts_its_learning_rate_at_every_level_as_keras_reads_it(tmp_path):
    """epoch_learning_rate of a one-cycle run: at the keras level Keras's own TensorBoard callback
    reads it off the optimizer after each epoch; the custom loops write the same values."""
    from tensorboard.util.tensor_util import make_ndarray
    from workshop.tensorboard.run_table import load_events
    charted = {}
    for api in ("raw", "layers", "keras"):
        run = train_into(tmp_path / "logs", api=api, epochs=3, schedule="onecycle", learning_rate=0.1)
        points = load_events(Path(run["run_dir"]) / "train").Tensors("epoch_learning_rate")
        assert [p.step for p in points] == [0, 1, 2], api
        charted[api] = [float(make_ndarray(p.tensor_proto)) for p in points]
    assert charted["raw"] == pytest.approx(charted["keras"], rel=1e-6)
    assert charted["layers"] == pytest.approx(charted["keras"], rel=1e-6)
    rates = charted["keras"]
    assert 0 < rates[0] <= 0.1 and rates[-1] == pytest.approx(0, abs=1e-9) and rates == sorted(rates, reverse=True)


@pytest.mark.parametrize("api", ["raw", "layers", "keras"])
def test_batch_summaries_write_one_point_per_training_step(tmp_path, api):
    """--batch-summaries: every one of the 2 x 8 batches gets a point (the keras level: one step per call)."""
    from tensorboard.util.tensor_util import make_ndarray
    from workshop.tensorboard.run_table import load_events
    run = train_into(tmp_path / "logs", api=api, epochs=2, max_examples=256, batch_summaries=True)
    points = load_events(Path(run["run_dir"]) / "train").Tensors("batch_loss")
    assert [p.step for p in points] == list(range(1, 17))
    assert all(np.isfinite(float(make_ndarray(p.tensor_proto))) for p in points)


def test_confusion_matrix_agrees_with_the_validation_accuracy(logs):
    summary = logs[1]["keras"]
    table = last_text(Path(summary["run_dir"]) / "validation", "confusion_matrix_table")
    counts = np.array([[int(c) for c in row.split("|")[2:-1]] for row in table.splitlines()[2:]])
    assert counts.shape == (10, 10)
    assert np.trace(counts) / counts.sum() == pytest.approx(summary["val_accuracy"], abs=1e-6)


def test_hparams_hold_the_settings(logs):
    from workshop.tensorboard.run_table import load_events, read_hparams
    summary = logs[1]["raw"]
    hparams = read_hparams(load_events(Path(summary["run_dir"])))
    assert hparams["model"] == "mlp" and hparams["api"] == "raw" and hparams["dataset"] == "digits"
    assert hparams["learning_rate"] == pytest.approx(summary["learning_rate"])
    assert hparams["batch_size"] == summary["batch_size"] and hparams["optimizer"] == summary["optimizer"]


def test_projector_offers_only_the_runs_with_labels_and_thumbnails(logs):
    """The Projector looks for a checkpoint in each run folder and in its parent: one in a run folder
    made its train/ and validation/ runs too, without labels or thumbnails, and one of them the default."""
    from tensorboard.plugins.projector.projector_plugin import ProjectorPlugin
    projector = in_process(ProjectorPlugin, Path(logs[0]) / "levels")
    runs = ask(projector, "/runs")
    assert sorted(runs) == sorted(Path(logs[1][api]["run_dir"]).name for api in LEVELS)
    config = ask(projector, "/info", query_string={"run": runs[0]})  # the run the Projector opens on
    (embedding,) = config["embeddings"]
    assert (embedding["metadataPath"], embedding["sprite"]["imagePath"]) == ("metadata.tsv", "sprite.png")
    points, dims = (int(n) for n in embedding["tensorShape"])
    assert dims == 16  # TrainConfig.tiny's hidden layer: the features the model computed last
    tensor = Client(projector.get_plugin_apps()["/tensor"]).get("/tensor", query_string={
        "run": runs[0], "name": embedding["tensorName"]}).get_data()
    assert len(tensor) == points * dims * 4  # float32, served from the run's own files
    assert len((Path(logs[0]) / "levels" / runs[0] / "metadata.tsv").read_text().splitlines()) == points + 1


@pytest.fixture(scope="module")
def sweep(tmp_path_factory):
    """A sweep of `workshop train`'s own keras runs of the mlp (2 learning rates x 2 hidden widths), each
    run one tiny epoch. Returns (the experiment's folder, the sweep's table). (The studio lesson sweeps
    with TensorBoard's hparams API in its own cells: tests/test_notebooks.py runs it.)"""
    import itertools

    import pandas as pd
    root = tmp_path_factory.mktemp("sweep")
    rows = []
    for learning_rate, hidden in itertools.product((0.05, 0.2), (16, 64)):
        s = train_into(root / "logs", "studio", run_name=f"mlp-lr{learning_rate}-h{hidden}", model="mlp", api="keras",
                       learning_rate=learning_rate, hidden=(hidden,), epochs=1)
        rows.append({"learning_rate": learning_rate, "hidden": hidden, "run_dir": s["run_dir"]})
    return root / "logs" / "studio", pd.DataFrame(rows)


def test_hparams_show_every_swept_hyperparameter_on_an_ordered_axis(sweep):
    """What the HParams dashboard gets, from the sweep's event files: each swept setting a number
    (an ordered axis) spanning the swept values, among the first five (the ones shown)."""
    from tensorboard.plugins.hparams.hparams_plugin import HParamsPlugin
    from workshop.tensorboard.run_table import find_runs, load_events, read_hparams
    folder, table = sweep
    experiment = ask(in_process(HParamsPlugin, folder), "/experiment", json={"experimentName": ""})
    infos = {info["name"]: info for info in experiment["hparamInfos"]}
    for name in ("learning_rate", "hidden"):
        assert infos[name]["type"] == "DATA_TYPE_FLOAT64" and infos[name]["differs"], infos[name]
        domain = infos[name]["domainInterval"]
        assert (domain["minValue"], domain["maxValue"]) == (table[name].min(), table[name].max())
    assert {"learning_rate", "hidden"} <= {info["name"] for info in experiment["hparamInfos"][:5]}
    assert infos["epochs"]["type"] == "DATA_TYPE_FLOAT64" and "dropout" not in infos  # an mlp has no dropout
    rows = {(h["learning_rate"], h["hidden"]) for h in (read_hparams(load_events(run)) for run in find_runs(folder))}
    assert len(rows) == len(table) == 4  # no two sweep rows alike
    names = {Path(run).name.rsplit("-", 2)[0] for run in table["run_dir"]}  # without the time stamp
    assert names == {f"mlp-lr{lr}-h{h}" for lr, h in zip(table["learning_rate"], table["hidden"])}


def test_config_text_shows_only_the_settings_the_model_uses(logs):
    def config(run):
        return json.loads(last_text(Path(logs[1][run]["run_dir"]) / "train", "config").replace("\n    ", "\n"))
    mlp, numpy_mlp = config("keras"), config("numpy")
    assert mlp["hidden"] == [16] and "dropout" not in mlp and None not in mlp.values()
    assert not {"precision", "jit_compile", "threads", "steps_per_execution"} & set(numpy_mlp)  # no TensorFlow
    if "cnn" in logs[1]:
        cnn = config("cnn")
        assert cnn["dropout"] == 0.5 and "hidden" not in cnn


def test_layers_cnn_summary_lists_its_layers_in_the_order_they_run_with_their_shapes():
    """The layers-level CNN (a keras.Model subclass) against the keras level's Sequential of the same
    layers, whose shapes Keras knows: the same rows, in the same order."""
    from workshop.algorithms import cnn_keras, cnn_layers
    from workshop.algorithms.shapes import kernel_shapes
    from workshop.algorithms.weights import initial_weights
    from workshop.training.views import KerasView
    config = TrainConfig(model="cnn", api="layers").resolved()
    weights = initial_weights(kernel_shapes("cnn", (8, 8, 1), 10), 0)
    text = KerasView(cnn_layers.create(config, (8, 8, 1), 10, weights)).summary_text()
    sequential = cnn_keras.create(config, (8, 8, 1), 10, weights)
    expected = [[f"{layer.name} ({type(layer).__name__})", str(tuple(layer.output.shape)), f"{layer.count_params():,}"]
                for layer in sequential.layers]
    rows = [re.split(r"\s{2,}", line.strip()) for line in text.splitlines() if line.split(" ")[0] in
            {layer.name for layer in sequential.layers}]
    assert rows == expected and "?" not in text


def test_every_picture_and_text_carries_a_description(logs):
    """The dashboards Keras's callback does not write say what they show (the "i" beside a card)."""
    from workshop.tensorboard.run_table import load_events
    run_dir = Path(logs[1]["layers"]["run_dir"])
    for sub in ("train", "validation", ""):
        events = load_events(run_dir / sub)
        for tag in events.Tags()["tensors"]:
            meta = events.SummaryMetadata(tag)
            if meta.plugin_data.plugin_name in ("images", "text") or tag.startswith("test/"):
                assert meta.summary_description, (sub, tag)


def test_time_series_shows_the_loss_and_accuracy_before_any_picture(logs):
    """TensorBoard opens on Time Series: charts grouped by the tag's first part, the groups sorted
    by name, the first two open. Our pictures (images, histograms) come after the training curves
    (keras.callbacks.TensorBoard names its histograms after the model: "cnn/..." is Keras's choice)."""
    groups = {}
    for summary in logs[1].values():
        for sub in ("train", "validation", ""):
            for plugin, names in tags(Path(summary["run_dir"]) / sub).items():
                ours = [name for name in names if not name.endswith("/histogram")]
                groups.setdefault(plugin, set()).update(name.split("/")[0] for name in ours)
    order = sorted(groups["scalars"] | groups["images"] | groups["histograms"])
    first_picture = min(order.index(group) for group in groups["images"] | groups["histograms"])
    assert order[0] == "epoch_accuracy" and order.index("epoch_loss") < first_picture, order


def test_mistakes_captions_read_at_the_size_tensorboard_shows_the_grid():
    """TensorBoard fits a picture into its card, about 370 x 190 px: there the captions' digits
    must stay legible (at least 5 px high)."""
    from workshop.tensorboard import pictures
    grid = pictures.digit_grid(np.zeros((24, 8, 8, 1)), ["5→9 92%"] * 24)[0]  # blank digits: the ink is captions
    ink = np.flatnonzero((grid.min(axis=2) < 128).any(axis=1))
    first_line = ink[:np.argmax(np.diff(ink) > 1) + 1]
    height, width = grid.shape[:2]
    assert len(first_line) * min(370 / width, 190 / height) >= 5


def test_confusion_figure_and_filter_grid_are_pictures_tf_summary_takes():
    """uint8 RGB (1, H, W, 3): the batch of one image tf.summary.image writes; darker cells for larger counts."""
    from workshop.tensorboard import pictures
    counts = np.diag(np.arange(100, 200, 10))
    figure = pictures.confusion_figure(counts, [str(c) for c in range(10)], "epoch 1")
    grid = pictures.filter_grid(np.random.default_rng(0).normal(size=(3, 3, 1, 16)))
    for picture in (figure, grid):
        assert picture.dtype == np.uint8 and picture.ndim == 4 and picture.shape[0] == 1 and picture.shape[3] == 3
    assert np.array_equal(pictures.confusion_matrix([0, 1, 1, 2], [0, 1, 2, 2], 3),
                          [[1, 0, 0], [0, 1, 1], [0, 0, 1]])


def test_cnn_gets_a_filter_grid(logs):
    if "cnn" not in logs[1]:
        pytest.skip("workshop.algorithms.cnn_keras does not import yet")
    train = tags(Path(logs[1]["cnn"]["run_dir"]) / "train")
    assert "filters/conv_0" in train["images"]
    assert any("conv" in tag for tag in train["histograms"])  # Keras's callback's histograms


def test_regression_gets_scalars_and_histograms_only(tmp_path):
    run_dir = Path(train_into(tmp_path / "logs", model="linear", api="numpy", epochs=1)["run_dir"])
    train, val = tags(run_dir / "train"), tags(run_dir / "validation")
    assert set(train) == {"scalars", "histograms"} and set(val) == {"scalars"}
    assert set(tags(run_dir)) == {"scalars"} and not (run_dir / "projector_config.pbtxt").exists()


def test_dashboards_work_on_their_own(tmp_path):
    """Dashboards takes what it shows in its constructor (a view, the data): no model, no loop needed."""
    from workshop.tensorboard.dashboards import Dashboards
    from workshop.tensorboard.writers import RunWriters
    logits = np.eye(3, dtype=np.float32)[[0, 1, 2, 2]]  # predicts 0, 1, 2, 2
    view = SimpleNamespace(predict=lambda x: logits, weight_names=["dense_0/bias"],
                           get_weights=lambda: [np.zeros(3, np.float32)])
    data = SimpleNamespace(x_val=np.zeros((4, 8, 8, 1)), y_val=np.array([0, 1, 1, 2]), class_names=("a", "b", "c"))
    writers = RunWriters(tmp_path)
    Dashboards(writers, view, data, "classify", {}, texts=False).on_epoch_end(0)
    writers.close()
    assert tags(tmp_path / "validation") == {"images": {"predictions/confusion_matrix", "predictions/mistakes"},
                                             "text": {"confusion_matrix_table"}}
    assert tags(tmp_path / "train") == {"histograms": {"weights/dense_0/bias"}}
    table = last_text(tmp_path / "validation", "confusion_matrix_table")
    assert "| **b** | 0 | 1 | 1 |" in table


def test_a_wait_at_the_progress_line_buys_no_pictures(tmp_path, monkeypatch, capsys):
    """The pictures are drawn within 2 % of the time an epoch takes to train. `workshop bench` holds
    each run at its progress line while the others train (a notebook may too): the dashboards come
    before that line, so the wait is not counted as training. Here every line waits an hour, on
    the dashboards' clock: still pictures after the first and the last epoch only."""
    from workshop.tensorboard import dashboards
    from workshop.tensorboard.run_table import load_events
    from workshop.training import progress
    from workshop.training.train import train
    waited = [0.0]
    monkeypatch.setattr(dashboards, "time", SimpleNamespace(perf_counter=lambda: time.perf_counter() + waited[0]))
    line = progress.ProgressLines.on_epoch_end

    def line_then_wait(self, epoch, logs=None):
        line(self, epoch, logs)
        waited[0] += 3600.0

    monkeypatch.setattr(progress.ProgressLines, "on_epoch_end", line_then_wait)
    summary = train(TrainConfig.tiny(model="mlp", epochs=5),
                    RunOptions(logdir=str(tmp_path / "logs"), verbose=1, data_dir=str(tmp_path / "datasets")))
    drawn = load_events(Path(summary["run_dir"]) / "validation").Tensors("predictions/confusion_matrix")
    assert [event.step for event in drawn] == [0, 4]
    assert capsys.readouterr().out.count("Epoch ") == 5


def test_workshop_runs_prints_every_run_with_its_final_metrics(tmp_path, capsys):
    from workshop.cli import main
    logdir = tmp_path / "logs"
    summaries = [train_into(logdir, api=api, epochs=2, experiment="two") for api in ("numpy", "keras")]
    assert main(["runs", "--logdir", str(logdir), "--csv", str(tmp_path / "runs.csv")]) == 0
    printed = capsys.readouterr().out
    import pandas as pd
    table = pd.read_csv(tmp_path / "runs.csv").set_index("run")
    for s in summaries:
        name = Path(s["run_dir"]).name
        assert name in printed
        row = table.loc[name]
        assert (row.experiment, row.model, row.api, row.dataset, row.epochs) == ("two", "mlp", s["api"], "digits", 2)
        for key in ("train_loss", "train_accuracy", "val_loss", "val_accuracy", "test_accuracy"):
            assert row[key] == pytest.approx(s[key], rel=1e-5), key
        assert 0 < row.wall_seconds < s["wall_seconds"]


def test_pick_port_moves_off_a_busy_port():
    from workshop.tensorboard.server import LOOPBACK, pick_port
    with socket.socket() as busy:
        busy.bind((LOOPBACK, 0))
        busy.listen()
        taken = busy.getsockname()[1]
        assert pick_port(LOOPBACK, taken) != taken


def test_start_beside_prints_the_url_and_stops(tmp_path, capsys):
    from workshop.tensorboard.server import start_beside
    server = start_beside(tmp_path / "logs")
    assert "http://127.0.0.1:" in capsys.readouterr().out
    server.stop()
    assert server.process.poll() is not None


@pytest.fixture(scope="module")
def server(logs):
    """TensorBoard on one module's logs (the "levels" experiment), as the workshop's commands serve one."""
    from workshop.tensorboard.server import start
    with start(Path(logs[0]) / "levels", port=0) as running:  # port 0: a free one
        yield running.wait_ready()


def get_json(server, path):
    with urllib.request.urlopen(server.url + path, timeout=10) as response:
        return json.load(response)


def test_server_lists_the_runs_and_their_tags(server, logs):
    names = {Path(logs[1][api]["run_dir"]).name for api in LEVELS}
    runs = set(get_json(server, "data/runs"))
    assert {f"{n}/{sub}" for n in names for sub in ("train", "validation")} | names <= runs
    scalars = get_json(server, "data/plugin/scalars/tags")
    assert all("epoch_loss" in scalars[f"{n}/train"] for n in names)
    assert all("test/accuracy" in scalars[n] for n in names)


def active_dashboards(server, wanted) -> set:
    """The dashboards the server lists as active, asked until `wanted` are (at most 10 s): the
    Projector decides in a background thread that the first listing starts, so it is off at first."""
    for _ in range(20):
        listing = get_json(server, "data/plugins_listing")
        active = {name for name, plugin in listing.items() if plugin["enabled"]}
        if wanted <= active:
            break
        time.sleep(0.5)
    return active


def test_server_has_every_dashboard_active(server):
    wanted = {"scalars", "histograms", "distributions", "images", "text", "graphs", "hparams", "projector"}
    assert wanted <= active_dashboards(server, wanted)


def test_tensorboard_command_stops_cleanly_on_ctrl_c(tmp_path):
    process = subprocess.Popen([sys.executable, "-m", "workshop", "tensorboard", "--logdir", str(tmp_path),
                                "--port", "0"], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True, start_new_session=True, preexec_fn=terminal_signals)
    try:
        first = process.stdout.readline()
        assert first.startswith("TensorBoard at http://127.0.0.1:"), first
        os.killpg(process.pid, signal.SIGINT)  # what Ctrl-C sends: to the whole process group
        assert process.wait(timeout=30) == 0
    finally:
        if process.poll() is None:
            process.kill()


@pytest.mark.browser
def test_a_learner_sees_the_curves_first_and_a_projector_with_labels(server, logs, tmp_path):
    """Headless Chromium on one module's TensorBoard. The first screen: the loss and the accuracy of a
    keras run and a layers run (one line over the other), side by side; the Graphs tab of a run at
    each TensorFlow level draws its graph without an error; then the Projector: the run it opens on
    has thumbnails and labels. Screenshots go to a folder the test
    prints, and are copied to $WORKSHOP_SCREENSHOTS when that is set."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no chromium at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright
    from workshop.tensorboard.server import first_screen
    runs = [Path(logs[1][api]["run_dir"]).name for api in ("keras", "layers")]
    shots = tmp_path / "screenshots"
    shots.mkdir()
    print(f"screenshots in {shots}")
    assert "projector" in active_dashboards(server, {"projector"})  # its tab is there when the page loads
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            page.goto(server.url + first_screen(runs="keras|layers"))
            cards = [page.locator("tf-scalar-card", has_text=tag).first for tag in ("epoch_loss", "epoch_accuracy")]
            for card in cards:
                card.wait_for(timeout=30_000)
            for run in runs:
                page.get_by_text(f"{run}/validation").first.wait_for(timeout=30_000)
            page.wait_for_timeout(1500)  # let the charts draw their lines
            page.screenshot(path=str(shots / "first_screen.png"))
            boxes = [card.bounding_box() for card in cards]
            assert all(box["y"] + box["height"] <= 900 for box in boxes), boxes  # both on the first screen
            page.goto(server.url + "#graphs")
            page.locator("svg .node").first.wait_for(state="attached", timeout=60_000)
            for api in ("raw", "layers", "keras"):  # the op graph of one training step, at every TF level
                page.locator("tf-graph-controls paper-dropdown-menu").first.click()  # the Run menu
                item = page.locator("paper-item", has_text=f"{Path(logs[1][api]['run_dir']).name}/train").first
                item.evaluate("item => item.click()")  # the menu scrolls: the item may lie below its fold
                page.wait_for_timeout(3000)
                page.locator("svg .node").first.wait_for(state="attached", timeout=60_000)
                text = page.locator("body").inner_text()
                assert "Graph visualization failed" not in text and "Malformed" not in text, api
                page.screenshot(path=str(shots / f"graph_{api}.png"))

            page.goto(server.url + "#projector")
            projector = page.frame_locator("iframe").frame_locator("iframe")  # the plugin's page, then the app
            projector.get_by_text("metadata.tsv").first.wait_for(state="attached", timeout=30_000)
            panel = projector.locator("vz-projector-data-panel")
            assert panel.evaluate("panel => panel.selectedRun") in {Path(s["run_dir"]).name for s in logs[1].values()}
            for _ in range(60):  # the labels are read after the points: then "true" is a colouring
                if panel.evaluate("panel => (panel.colorOptions || []).some(option => option.name === 'true')"):
                    break
                page.wait_for_timeout(500)
            panel.evaluate("panel => { panel.selectedColorOptionName = 'true'; }")  # colour by the true class
            page.wait_for_timeout(2000)
            page.screenshot(path=str(shots / "projector.png"))
        finally:
            browser.close()
    assert all((shots / name).stat().st_size > 20_000 for name in ("first_screen.png", "graph_raw.png",
                                                                   "graph_keras.png", "projector.png"))
    if os.environ.get("WORKSHOP_SCREENSHOTS"):
        keep = Path(os.environ["WORKSHOP_SCREENSHOTS"])
        keep.mkdir(parents=True, exist_ok=True)
        for shot in shots.iterdir():
            shutil.copy(shot, keep / shot.name)
