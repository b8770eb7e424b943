"""A run killed at any moment (SIGKILL: no clean-up of any kind) continues with `--resume` and
ends with the weights of a run never stopped, at every level; its TensorBoard run goes on in
the same folder without a step logged twice."""

import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from conftest import ROOT
from workshop import saving
from workshop.config import RunOptions, TrainConfig
from workshop.errors import UsageError, WorkshopError
from workshop.training import checkpoints
from workshop.training.speed import apply_threads
from workshop.training.train import resume_settings, train

# (model, level, epochs, extra flags): the MLP with Adam (its moments and step count must come
# back) at every level; the CNN for dropout, whose random masks must continue where they stopped
# the MLP's epochs on digits take 20-50 ms, dashboards included: 12 of them leave the kill time to land
CASES = [("mlp", "numpy", 12, ()), ("mlp", "raw", 12, ()), ("mlp", "layers", 12, ()), ("mlp", "keras", 12, ()),
         ("cnn", "raw", 4, ("--batch-size", "256")), ("cnn", "keras", 4, ("--batch-size", "256"))]


def weights_of(path):
    model, _ = saving.load(path)
    return model.params if path.suffix == ".npz" else model.get_weights()


def events(folder: Path) -> list[tuple[str, int]]:
    """(tag, step) of every summary in the event files of `folder`, read raw (no de-duplication)."""
    from tensorboard.backend.event_processing.event_file_loader import EventFileLoader
    return [(value.tag, event.step) for path in sorted(folder.glob("events.out.tfevents.*"))
            for event in EventFileLoader(str(path)).Load() for value in event.summary.value]


def kill_after_some_epochs(args, logdir: Path, epochs: int) -> Path:
    """Start `workshop train ARGS`, SIGKILL it at a random moment after a random epoch; its run folder."""
    process = subprocess.Popen([sys.executable, "-m", "workshop", "train", *args], cwd=ROOT,
                               env={**os.environ, "WORKSHOP_LOGDIR": str(logdir)},
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    target = random.randint(1, epochs - 2)
    deadline = time.monotonic() + 120
    first_seen = {}  # epochs done -> when the checkpoint first said so: how long an epoch takes
    try:
        while time.monotonic() < deadline and process.poll() is None:
            found = list(logdir.glob(f"*/*/{checkpoints.FILE}"))
            done = int(eval_epochs(found[0])) if found else 0
            first_seen.setdefault(done, time.monotonic())
            if done >= target:
                seen = sorted(first_seen.items())[-2:]  # an epoch of a digits MLP can take 10 ms
                epoch = (seen[1][1] - seen[0][1]) / (seen[1][0] - seen[0][0]) if len(seen) == 2 else 0.05
                # anywhere in the next epoch, its checkpoint write included
                time.sleep(random.uniform(0, min(epoch, 0.05)))
                break
            time.sleep(0.002)
        assert process.poll() is None, f"the run ended before it could be killed: {process.stderr.read()[-2000:]}"
        process.send_signal(signal.SIGKILL)
        process.wait(30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    return found[0].parent


def eval_epochs(path: Path) -> int:
    import json
    try:
        with np.load(path) as saved:
            return json.loads(str(saved["meta"]))["epochs_done"]
    except (OSError, ValueError, KeyError):
        return 0


@pytest.mark.parametrize("model,api,epochs,extra", CASES, ids=[f"{m}-{a}" for m, a, _, _ in CASES])
def test_a_killed_run_resumes_to_the_weights_of_a_run_never_stopped(model, api, epochs, extra, tmp_path):
    suffix = ".npz" if api == "numpy" else ".keras"
    # the killed run computes on as many threads as this process does (its pool is fixed by now):
    # a sum split over 1 or 2 threads rounds differently, and the runs must agree to 1e-6
    threads = apply_threads(1) or len(os.sched_getaffinity(0))  # 1, unless this process's pool was fixed earlier
    flags = ["--epochs", str(epochs), "--optimizer", "adam", "--lr", "0.003", "--threads", str(threads), *extra]
    logdir = tmp_path / "logs"
    run_dir = kill_after_some_epochs([model, "--api", api, *flags, "--experiment", "killed"], logdir, epochs)
    stopped_at = eval_epochs(run_dir / checkpoints.FILE)
    assert 1 <= stopped_at < epochs

    config = TrainConfig(model=model, api=api, epochs=epochs, optimizer="adam", learning_rate=0.003,
                         batch_size=int(extra[1]) if extra else None)
    resumed = train(config, RunOptions(experiment="killed", logdir=str(logdir), resume=True, verbose=0,
                                       save=str(tmp_path / f"resumed{suffix}")))
    never_stopped = train(config, RunOptions(experiment="whole", logdir=str(logdir), verbose=0,
                                             save=str(tmp_path / f"whole{suffix}")))

    assert resumed["run_dir"] == str(run_dir) and resumed["epochs"] == epochs
    pairs = list(zip(weights_of(tmp_path / f"resumed{suffix}"), weights_of(tmp_path / f"whole{suffix}"), strict=True))
    print(f"{model}-{api}: killed after epoch {stopped_at} of {epochs}; largest weight difference "
          f"{max(float(np.max(np.abs(a - b))) for a, b in pairs):.1e}")  # shown with pytest -s
    for a, b in pairs:
        np.testing.assert_allclose(a, b, atol=1e-6, rtol=0)
    assert resumed["val_loss"] == pytest.approx(never_stopped["val_loss"], abs=1e-6)
    assert not (run_dir / checkpoints.FILE).exists()  # finished: nothing left to resume

    # TensorBoard: one value per epoch and tag, in the same folder, none twice
    for folder in ("train", "validation"):
        logged = events(run_dir / folder)
        assert [s for t, s in logged if t == "epoch_loss"] == list(range(epochs)), (stopped_at, logged)
        assert not [k for k, n in Counter(logged).items() if n > 1], stopped_at
    writers = {p.name.split(".")[5] for p in (run_dir / "train").glob("events.out.tfevents.*")}  # by process id
    assert len(writers) == 2  # the killed run's and the resumed run's


def test_a_resume_with_other_settings_is_refused_and_a_damaged_checkpoint_is_never_used(tmp_path):
    config, logdir = TrainConfig(model="mlp", api="numpy", epochs=3), tmp_path / "logs"
    run_dir = logdir / "t" / "mlp-numpy-digits-20260101-000000"
    run_dir.mkdir(parents=True)
    before = {**resume_settings(config.resolved(), RunOptions()), "learning_rate": 0.5}
    checkpoint = checkpoints.EpochCheckpoint(run_dir, settings=before)
    checkpoint.restore([np.full(2, 7, np.float32)])
    checkpoint.on_epoch_end(0, {"loss": 1.0})
    with pytest.raises(UsageError, match=r"started with learning_rate=0.5: resume it with the same settings"):
        train(config, RunOptions(experiment="t", logdir=str(logdir), resume=True, verbose=0))

    # a write the kill cut short is the .partial file: it is dropped, the last whole checkpoint is used
    (run_dir / (checkpoints.FILE + ".partial")).write_bytes(b"PK\x03\x04 half")
    weights = np.zeros(2, np.float32)
    assert checkpoints.EpochCheckpoint(run_dir).restore([weights]) == 1
    assert weights.tolist() == [7, 7] and not (run_dir / (checkpoints.FILE + ".partial")).exists()
    # a checkpoint damaged by other means is refused by name, never half-read
    (run_dir / checkpoints.FILE).write_bytes((run_dir / checkpoints.FILE).read_bytes()[:100])
    with pytest.raises(WorkshopError, match="damaged"):
        checkpoints.EpochCheckpoint(run_dir).restore([weights])
    # ... while a new run (no --resume) is not stopped by it
    assert train(config, RunOptions(experiment="t", logdir=str(logdir), verbose=0))["epochs"] == 3


def test_a_checkpoint_that_finds_the_disk_full_names_its_file_and_keeps_the_last_one(tmp_path, monkeypatch):
    """write() on a full disk raises an OSError that names no file: the one-line error needs one."""
    checkpoint = checkpoints.EpochCheckpoint(tmp_path)
    checkpoint.restore([np.zeros(3, np.float32)])
    checkpoint.on_epoch_end(0)
    kept = checkpoint.path.read_bytes()

    def full(*args, **kwargs):
        raise OSError(28, os.strerror(28))
    monkeypatch.setattr(checkpoints.np, "savez", full)
    with pytest.raises(OSError) as failed:
        checkpoint.on_epoch_end(1)
    assert failed.value.errno == 28 and failed.value.filename == str(checkpoint.path)
    assert checkpoint.path.read_bytes() == kept and sorted(p.name for p in tmp_path.iterdir()) == [checkpoints.FILE]


def test_resume_with_nothing_to_resume_starts_a_new_run(tmp_path, capsys):
    summary = train(TrainConfig(model="linear", api="numpy", epochs=2),
                    RunOptions(logdir=str(tmp_path / "logs"), resume=True, verbose=0))
    assert summary["epochs"] == 2 and Path(summary["run_dir"]).is_dir()
    assert "starting a new run" in capsys.readouterr().err


def test_a_stopped_run_says_how_to_continue_it(tmp_path):
    """SIGTERM (a closed terminal, `kill`) or Ctrl-C: the run unwinds, keeps its finished epochs and
    prints the command that continues it."""
    logdir = tmp_path / "logs"
    # epochs enough to outlast a busy machine's pauses: 200 took 4 s once the dashboards became cheap, and a
    # test process left waiting that long found the run over (Popen.send_signal sends nothing to a process that ended)
    process = subprocess.Popen([sys.executable, "-m", "workshop", "train", "mlp", "--api", "numpy", "--epochs", "10000",
                                "--experiment", "stopped"], cwd=ROOT, env={**os.environ, "WORKSHOP_LOGDIR": str(logdir)},
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    for line in process.stdout:
        if line.startswith("Epoch "):  # one epoch done (its checkpoint follows within milliseconds)
            break
    while not list(logdir.glob(f"stopped/*/{checkpoints.FILE}")):
        time.sleep(0.01)
    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 128 + signal.SIGTERM, err
    assert "Traceback" not in err
    hint, stopped = err.strip().splitlines()[-2:]
    assert hint.endswith("train mlp --api numpy --epochs 10000 --experiment stopped --resume continues it"), hint
    assert stopped == "workshop: stopped by SIGTERM"
    (run_dir,) = (logdir / "stopped").iterdir()
    assert eval_epochs(run_dir / checkpoints.FILE) >= 1



SWALLOWING = """
import os, signal, sys
from keras.src import backend
from workshop.cli import main
calls, is_tensor = [0], backend.is_tensor

def landing_in_keras_bare_except(x):  # what Keras's pythonify_logs calls inside `try: ... except: pass`
    calls[0] += 1
    try:
        if calls[0] == 400:  # a few epochs in
            os.kill(os.getpid(), signal.SIGTERM)  # the CLI's handler raises Stopped here, at the next bytecode
        return is_tensor(x)
    except BaseException:
        print("swallowed here", flush=True)
        raise
backend.is_tensor = landing_in_keras_bare_except
sys.exit(main(["train", "mlp", "--api", "numpy", "--epochs", "100", "--experiment", "swallowed"]))
"""


def test_a_stop_signal_that_keras_swallows_still_stops_the_run(tmp_path):
    """Keras turns every batch's logs into floats inside a bare `except:`: a SIGTERM landing there
    vanished, and the run trained on, deaf to the next SIGTERM (the first set them to be ignored)."""
    logdir = tmp_path / "logs"
    r = subprocess.run([sys.executable, "-c", SWALLOWING], cwd=ROOT, env={**os.environ, "WORKSHOP_LOGDIR": str(logdir)},
                       capture_output=True, text=True, timeout=120)
    assert "swallowed here" in r.stdout, r.stdout  # the signal did land inside Keras's `except:`
    assert r.returncode == 128 + signal.SIGTERM, r.stdout[-1000:] + r.stderr[-2000:]
    assert "Traceback" not in r.stderr and r.stderr.strip().endswith("workshop: stopped by SIGTERM"), r.stderr
    (run_dir,) = (logdir / "swallowed").iterdir()
    assert 1 <= eval_epochs(run_dir / checkpoints.FILE) < 100  # stopped, its finished epochs kept

def test_a_resumed_runs_event_files_sort_after_the_interrupted_ones(tmp_path):
    """TensorBoard reads event files in name order, a name starting with the second its writer opened:
    resumed within the same second, the new file must still come last (else steps 1.. come before 0)."""
    stamp = int(time.time())
    (tmp_path / "train").mkdir()
    (tmp_path / "train" / f"events.out.tfevents.{stamp}.host.99999.0.v2").write_bytes(b"")
    checkpoints.after_event_files(tmp_path)
    assert int(time.time()) > stamp


# -- a resumed run is judged as if it had never stopped, and never loses its checkpoint ---------------------------

KILLED_AT = """
import json, os, signal, sys
from workshop.config import RunOptions, TrainConfig
from workshop.training import checkpoints
from workshop.training.train import train
kill_at, config, options = int(sys.argv[1]), json.loads(sys.argv[2]), json.loads(sys.argv[3])
save = checkpoints.EpochCheckpoint._save

def save_then_die(self, meta, arrays):  # SIGKILL the moment epoch `kill_at`'s checkpoint is on disk
    save(self, meta, arrays)
    if meta["epochs_done"] == kill_at:
        os.kill(os.getpid(), signal.SIGKILL)
checkpoints.EpochCheckpoint._save = save_then_die
train(TrainConfig(**config), RunOptions(**options))
"""


def killed_at(epoch: int, config: TrainConfig, options: RunOptions) -> Path:
    """train(config, options) in a process SIGKILLed right after epoch `epoch`'s checkpoint; its run folder."""
    import json
    from dataclasses import asdict
    r = subprocess.run([sys.executable, "-c", KILLED_AT, str(epoch), json.dumps(asdict(config)),
                        json.dumps(asdict(options))], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert r.returncode == -signal.SIGKILL, r.stderr[-2000:]
    (found,) = Path(options.logdir).glob(f"{options.experiment}/*/{checkpoints.FILE}")
    assert eval_epochs(found) == epoch
    return found.parent


@pytest.mark.slow
def test_a_run_killed_late_is_not_judged_diverged_when_it_resumes(tmp_path, monkeypatch):
    """The issue's CNN at small scale: 64 digits, batches of 8, Adam, killed after epoch 75 or 86 of 90. The
    resumed run's first logged loss is its first batch alone (the loops run it alone), which for a trained
    CNN is over 100 times below the epoch's mean: the guard used it as its reference and stopped the run as
    "the loss rose from 6.82e-05 to 0.0166", deleting resume.npz. Now it ends with the weights of a run never
    stopped, to 1e-6."""
    from workshop.training import guards
    threads = apply_threads(1) or len(os.sched_getaffinity(0))  # as in the test above: the same rounding
    config = TrainConfig(model="cnn", api="layers", epochs=90, max_examples=64, batch_size=8)
    quick = {"verbose": 0, "dashboards": False, "threads": threads}  # the dashboards change no weight
    never_stopped = train(config, RunOptions(experiment="whole", logdir=str(tmp_path / "whole"),
                                             save=str(tmp_path / "whole.keras"), **quick))
    assert never_stopped["epochs"] == 90
    seen = {}  # what the guard saw after the resume: the first batch logged, and the first epoch's mean
    batch_end, epoch_end = guards.StopOnDivergence.on_train_batch_end, guards.StopOnDivergence.on_epoch_end

    def first_batch(self, batch, logs=None):
        seen.setdefault("batch", float(logs["loss"]))
        return batch_end(self, batch, logs)

    def first_epoch(self, epoch, logs=None):
        seen.setdefault("epoch", float(logs["loss"]))
        return epoch_end(self, epoch, logs)
    monkeypatch.setattr(guards.StopOnDivergence, "on_train_batch_end", first_batch)
    monkeypatch.setattr(guards.StopOnDivergence, "on_epoch_end", first_epoch)
    for kill_at in (75, 86):
        seen.clear()
        logdir = tmp_path / f"killed-{kill_at}"
        run_dir = killed_at(kill_at, config, RunOptions(experiment="late", logdir=str(logdir), **quick))
        resumed = train(config, RunOptions(experiment="late", logdir=str(logdir), resume=True,
                                           save=str(tmp_path / f"resumed-{kill_at}.keras"), **quick))
        assert seen["epoch"] > 100 * seen["batch"], seen  # the case the guard misjudged: a reference from one batch
        assert resumed["run_dir"] == str(run_dir) and resumed["epochs"] == 90
        for a, b in zip(weights_of(tmp_path / f"resumed-{kill_at}.keras"), weights_of(tmp_path / "whole.keras"),
                        strict=True):
            np.testing.assert_allclose(a, b, atol=1e-6, rtol=0)
        assert not (run_dir / checkpoints.FILE).exists()  # finished: nothing left to resume


def test_the_guard_of_a_resumed_run_compares_epoch_means_with_the_first_epochs():
    """The reference is epoch 1's mean, kept in the checkpoint's history; a batch logged after the resume is not."""
    from types import SimpleNamespace

    from workshop.training.guards import StopOnDivergence
    checkpoint = SimpleNamespace(history={"loss": [2.3, 1.1, 0.5]})
    guard = StopOnDivergence(learning_rate=0.005, chance=0.1)
    guard.set_model(SimpleNamespace(stop_training=False))
    guard.resumes_from(checkpoint)
    guard.on_epoch_begin(376)
    guard.on_train_batch_end(0, {"loss": 3.87e-06})  # the numbers
    guard.on_epoch_end(376, {"loss": 0.00874, "accuracy": 1.0})
    assert guard.message is None and not guard.model.stop_training
    guard.on_epoch_end(377, {"loss": 231.0, "accuracy": 0.5})  # a real blow-up: above 100 times epoch 1's 2.3
    assert guard.model.stop_training
    assert guard.message.startswith("the loss rose from 2.3 (epoch 1's mean) to 231 by epoch 378"), guard.message

    fresh = StopOnDivergence(learning_rate=0.1)  # a new run: its first epoch against its first batch,
    fresh.set_model(SimpleNamespace(stop_training=False))  # the epochs after against the first epoch's mean
    fresh.on_epoch_begin(0)
    fresh.on_train_batch_end(0, {"loss": 2.0})
    fresh.on_epoch_end(0, {"loss": 1.0})
    fresh.on_epoch_begin(1)
    fresh.on_train_batch_end(0, {"loss": 1e-6})
    fresh.on_epoch_end(1, {"loss": 99.0})
    assert fresh.message is None
    fresh.on_epoch_end(2, {"loss": 101.0})
    assert fresh.message.startswith("the loss rose from 1 (epoch 1's mean) to 101 by epoch 3"), fresh.message


def test_a_diverged_run_keeps_the_checkpoint_it_resumed_from(tmp_path, monkeypatch):
    """A run that diverges after --resume keeps resume.npz as it found it (the earlier process's epochs); a new run
    that diverges leaves none (not worth resuming)."""
    from workshop.training import guards
    from workshop.training.guards import TrainingDiverged
    logdir = tmp_path / "logs"
    config = TrainConfig(model="mlp", api="numpy", epochs=6, max_examples=128, hidden=(8,))
    run_dir = killed_at(3, config, RunOptions(experiment="t", logdir=str(logdir), verbose=0))
    before = (run_dir / checkpoints.FILE).read_bytes()
    monkeypatch.setattr(guards.StopOnDivergence.__init__, "__defaults__", (None, 1e-9, 3))  # any loss "rose"
    with pytest.raises(TrainingDiverged, match=r"resume.npz still holds the 3 epochs this run resumed from"):
        train(config, RunOptions(experiment="t", logdir=str(logdir), resume=True, verbose=0))
    assert (run_dir / checkpoints.FILE).read_bytes() == before
    with pytest.raises(TrainingDiverged) as fresh:
        train(config, RunOptions(experiment="new", logdir=str(logdir), verbose=0))
    assert "resume.npz" not in str(fresh.value) and not list((logdir / "new").glob(f"*/{checkpoints.FILE}"))
