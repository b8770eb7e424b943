"""Every input has bounds (issue 26): numbers out of range, files made to exhaust memory (a zip or gzip
bomb, a .tflite with a huge intermediate tensor, a download that does not stop), paths that climb out
of --logdir, two processes on one run. Each gets one line, never a traceback, before the cost is paid,
and nothing made earlier is lost.

What must be shown not to allocate runs in a subprocess whose peak memory is read back (`measured`).
"""

import os
import subprocess
import sys
import tempfile
from types import SimpleNamespace

import numpy as np
import pytest

from conftest import ROOT, assert_one_line_error

MB = 1024  # ru_maxrss is in kB on Linux


# Spawns the command and writes its peak resident memory (kB, from wait4) to the file argv[1]. A process
# spawned straight from pytest would count pytest's own pages (TensorFlow's, once imported) in its peak: the
# kernel carries the high-water mark across fork and exec. Spawned from this small Python, it starts afresh.
MEASURE = """
import os, subprocess, sys
process = subprocess.Popen(sys.argv[2:])
_, status, usage = os.wait4(process.pid, 0)
open(sys.argv[1], "w").write(str(usage.ru_maxrss))
sys.exit(os.waitstatus_to_exitcode(status) % 256)
"""


def measured(*args, timeout=300, env=None) -> SimpleNamespace:
    """`python -m workshop ARGS` in a subprocess: returncode, stdout, stderr, and its peak resident
    memory in kB (its own, from wait4)."""
    with tempfile.TemporaryDirectory() as folder:
        peak = os.path.join(folder, "peak")
        r = subprocess.run([sys.executable, "-c", MEASURE, peak, sys.executable, "-m", "workshop", *map(str, args)],
                           cwd=ROOT, capture_output=True, text=True, timeout=timeout, env={**os.environ, **(env or {})})
        with open(peak) as f:
            return SimpleNamespace(returncode=r.returncode, stdout=r.stdout, stderr=r.stderr, max_rss_kb=int(f.read()))


def run_main(capsys, *args):
    from workshop.cli import main
    capsys.readouterr()
    try:
        code = main([str(a) for a in args])
    except SystemExit as e:  # argparse's usage errors
        code = e.code
    out = capsys.readouterr()
    return SimpleNamespace(returncode=code, stdout=out.out, stderr=out.err)


# -- numbers out of range: one line, before anything starts ------------------------------------------------------

@pytest.mark.parametrize("args,line", [
    (["--api", "numpy", "--seed", "-1"], "--seed must be a whole number from 0 to 2147483647, got -1"),
    (["--api", "keras", "--seed", str(2**31)], "--seed must be a whole number from 0 to 2147483647, got 2147483648"),
    (["--api", "raw", "--threads", "99999999999"], "--threads must be 0 (auto) or a count up to 1024 (this "
                                                   f"machine has {os.cpu_count()} cores), got 99999999999"),
    (["--api", "raw", "--threads", "-2"], "--threads must be 0 (auto) or a count up to 1024"),
])
def test_numbers_out_of_range_are_one_line(capsys, args, line):
    r = run_main(capsys, "train", "mlp", *args)
    assert line in assert_one_line_error(r, 2)


@pytest.mark.parametrize("api", ["numpy", "keras"])
def test_a_model_too_large_for_memory_is_refused_before_allocating(api, tmp_path):
    """--hidden 2000000000: 150 billion weights. Refused with its size, before a byte of it exists (the process
    peaks at what Python and NumPy take: under 200 MB; allocating was `Unable to allocate 954. GiB`, or the
    kernel's OOM killer)."""
    r = measured("train", "mlp", "--api", api, "--hidden", "2000000000", "--logdir", tmp_path / "logs")
    line = assert_one_line_error(r, 2)
    assert line.startswith("workshop: error: this mlp has 150,000,000,010 weights on digits (--hidden 2000000000): "
                           "training it needs at least 2.4 TB (16 bytes a weight), more than the "), line
    assert line.endswith("of memory free here; choose smaller --hidden sizes"), line
    assert r.max_rss_kb < 200 * MB, r.max_rss_kb
    assert not (tmp_path / "logs").exists()


def test_the_size_check_counts_every_layer(monkeypatch):
    """Weights and biases of every layer, against the memory free: a model just over it is refused, one under
    it passes."""
    from workshop import config
    from workshop.errors import UsageError
    weights = 64 * 1000 + 1000 + 1000 * 500 + 500 + 500 * 10 + 10  # --hidden 1000 500 on digits (8x8, 10 classes)
    monkeypatch.setattr(config, "memory_bytes", lambda: 16 * weights)
    config.TrainConfig(model="mlp", hidden=(1000, 500)).resolved()
    monkeypatch.setattr(config, "memory_bytes", lambda: 16 * weights - 1)
    with pytest.raises(UsageError, match=f"this mlp has {weights:,} weights on digits"):
        config.TrainConfig(model="mlp", hidden=(1000, 500)).resolved()


# -- a .tflite not made by `workshop export`: refused before LiteRT's interpreter reads it -----------------------

META = {"model": "mlp", "api": "keras", "dataset": "digits", "input_shape": [8, 8, 1], "classes": 10,
        "class_names": [str(d) for d in range(10)], "hidden": [16], "task": "classify",
        "exported": {"from": "mlp.keras", "format": "litert", "quantize": "none"}}


def converted(function) -> bytes:
    """The .tflite bytes of a tf.function of x float32 (batch, 8, 8, 1), as TensorFlow's converter writes them."""
    from workshop.tf_env import tf

    class Module(tf.Module):
        pass
    module = Module()
    module.f = tf.function(function, input_signature=[tf.TensorSpec([None, 8, 8, 1], tf.float32)])
    converter = tf.lite.TFLiteConverter.from_concrete_functions([module.f.get_concrete_function()], module)
    return converter.convert()


def bomb(x):
    """3 kB of graph whose one intermediate is 20000 x 20000 float32: 1.6 GB the moment it runs."""
    from workshop.tf_env import tf
    big = tf.broadcast_to(tf.reshape(x[:1, 0, 0, 0], [1, 1]), [20000, 20000])
    return tf.reduce_sum(big, axis=1, keepdims=True)[:1] * 0 + tf.zeros([tf.shape(x)[0], 10])


def dense(x):
    from workshop.tf_env import tf
    return tf.matmul(tf.reshape(x, [-1, 64]), tf.ones([64, 10]))


def declared_huge(content: bytes) -> bytes:
    """`content` with a computed tensor declared (batch, 20000, 20000): the ops an export uses, one huge tensor."""
    import flatbuffers
    import numpy as np

    from workshop import litert
    schema = litert._schema()
    model = schema.ModelT.InitFromObj(schema.Model.GetRootAs(content, 0))
    graph = model.subgraphs[0]
    computed = next(t for i, t in enumerate(graph.tensors)
                    if model.buffers[t.buffer].data is None and i not in graph.inputs)
    computed.shape = np.array([1, 20000, 20000], np.int32)
    computed.shapeSignature = np.array([-1, 20000, 20000], np.int32)
    builder = flatbuffers.Builder(len(content) + 1024)
    builder.Finish(model.Pack(builder), file_identifier=litert.IDENTIFIER)
    return bytes(builder.Output())


@pytest.mark.parametrize("case", ["forged seal", "no seal", "allowed ops, a huge tensor"])
def test_a_tflite_not_made_by_export_is_refused_before_the_interpreter(tmp_path, case):
    """Before the fix a sealed 3.7 kB bomb was evaluated at a peak of 3.3 GB (32 s), an unsealed one refused after
    1.6 GB: the seal is a sha256 anyone can compute, so the check is what the file holds, read in Python."""
    from workshop import litert
    path = tmp_path / "model.tflite"
    if case == "forged seal":
        path.write_bytes(litert.with_metadata(converted(bomb), META))
        words = "it uses ops an export never does (ADD, BROADCAST_TO, FILL, MUL, SUM); refusing to run it"
    elif case == "no seal":
        path.write_bytes(converted(bomb))
        words = "(no sealed workshop.json inside)"
    else:
        path.write_bytes(litert.with_metadata(declared_huge(converted(dense)), META))
        words = "its computed tensors hold 400,000,"
    assert litert.sealed(path.read_bytes()) is (None if case == "no seal" else True)
    r = measured("evaluate", path, "--data-dir", tmp_path / "datasets")
    line = assert_one_line_error(r, 1)
    assert f"{path} was not made by `" in line and words in line, line
    assert r.max_rss_kb < 200 * MB, r.max_rss_kb  # no interpreter, no TensorFlow: Python and NumPy


def test_a_tflite_shaped_like_an_export_still_runs(tmp_path):
    """The structure check passes the shapes an export has (here a dense layer the converter wrote itself)."""
    from workshop import litert
    path = tmp_path / "model.tflite"
    path.write_bytes(litert.with_metadata(converted(dense), META))
    model, meta = litert.load(path)
    assert model.forward(np.ones((3, 8, 8, 1), np.float32)).tolist() == [[64.0] * 10] * 3
