"""LiteRT files (TensorFlow Lite's new name): a Keras model in, a `.tflite` a phone can run out, and back.

    keras.Model --convert()--> .tflite bytes: one flatbuffer, the ops and the weights
    --with_metadata()--> the same, carrying workshop.json (what saving.py puts in a .keras:
                         model, dataset, classes), sealed with a sha256 of the whole file
    --load(path)--> LiteRTModel: forward(x) -> outputs, run by ai_edge_litert's Interpreter,
                    the runtime a phone app embeds

Quantization, TFLiteConverter's post-training options:
    none     float32 weights and arithmetic: Keras's numbers, to float rounding.
    dynamic  int8 weights, a scale per output channel (4x smaller; tensors under 1,024 weights stay
             float); activations stay float between ops, and the ops that can quantize them to int8
             on the fly. No data needed.
    int8     full integer: int8 weights and activations, int32 biases, int8 input and output (their
             scale and zero point are in the file), as integer-only phone accelerators and
             microcontrollers need.
             The converter measures each activation's range on a representative dataset, drawn
             from the training split (never the test split, which judges the result).
Only builtin ops may be used (`TFLITE_BUILTINS`): a phone's runtime has no TensorFlow (Flex,
SELECT_TF_OPS) kernels, so the converter refuses a model that would need them, and `ops()`
reads the file's op list so that nothing else can slip through. TensorFlow is imported by
`convert` only: reading and running a `.tflite` need ai_edge_litert alone.
"""

import hashlib
import json
import os
import re
import struct
import tempfile
from pathlib import Path

import numpy as np

from workshop import hints
from workshop.errors import WorkshopError
from workshop.quiet import filtered_stderr

MARKER = "workshop.json"  # the metadata entry's name, as inside a .keras
IDENTIFIER = b"TFL3"  # bytes 4-8 of every LiteRT flatbuffer
QUANTIZE = ("none", "dynamic", "int8")
BATCH = 256  # examples per interpreter call: MNIST's CNN activations for 10,000 at once would take ~1 GB
# What `workshop export` writes, checked before LiteRT's C++ reads a byte (`check_structure`): the ops of
# its models (dense and convolution layers, pooling, the flatten's reshape and its batch-size arithmetic,
# int8's (de)quantization), one graph, and tensors of bounded size. A file that passes cannot make the
# interpreter allocate more than a few hundred MB at BATCH examples a call.
EXPORTED_OPS = frozenset({"CONV_2D", "FULLY_CONNECTED", "MAX_POOL_2D", "PACK", "RESHAPE", "SHAPE", "STRIDED_SLICE",
                          "QUANTIZE", "DEQUANTIZE"})
MAX_ACTIVATIONS = 1 << 20  # elements per example, every computed tensor together (the 28x28 CNN: ~37,000)
MAX_WEIGHTS = 1 << 28  # elements of one constant tensor: a 1 GB float32 kernel
MAX_FILE = 1 << 31  # bytes: a flatbuffer cannot be larger


def convert(model, quantize: str = "none", representative=None) -> bytes:
    """The .tflite bytes of keras.Model `model` (input (batch, *shape) float32, batch left free).

    representative: float32 (n, *shape) training examples, needed for `int8`. Raises
    WorkshopError if the model needs ops that are not LiteRT builtins.
    """
    from workshop.tf_env import tf
    builtins = tf.lite.OpsSet.TFLITE_BUILTINS_INT8 if quantize == "int8" else tf.lite.OpsSet.TFLITE_BUILTINS
    options = {"target_spec": {"supported_ops": [builtins]}}  # Keras would also allow SELECT_TF_OPS: a phone has none
    if quantize != "none":
        options["optimizations"] = [tf.lite.Optimize.DEFAULT]
    if quantize == "int8":
        options.update(representative_dataset=lambda: ([x[None]] for x in representative),
                       inference_input_type=tf.int8, inference_output_type=tf.int8)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "model.tflite"
        try:
            with quiet_stderr(drop=lambda line: True):  # its progress notes; a failure's reason is in the exception
                model.export(str(path), format="litert", verbose=False, **options)
        except Exception as e:  # tf.lite's ConverterError and friends
            needs = re.search(r"TF Select ops: ([^\n]+)", str(e))
            reason = (f"it needs TensorFlow ops that LiteRT has no builtin kernel for: {needs[1].strip()}" if needs
                      else (str(e).strip().splitlines() or [type(e).__name__])[0])
            raise WorkshopError(f"the {model.name} model cannot be exported with LiteRT builtin ops only ({reason}); "
                                "a phone's runtime has no TensorFlow ops to fall back on") from None
        return path.read_bytes()


def _schema():
    from ai_edge_litert import schema_py_generated
    return schema_py_generated


def with_metadata(content: bytes, meta: dict) -> bytes:
    """`content` carrying `meta` as its workshop.json metadata entry, sealed: meta's "sha256" is the
    digest of the whole file with those 64 digits zeroed, so a damaged byte anywhere shows (`sealed`)."""
    import flatbuffers
    schema = _schema()
    model = schema.ModelT.InitFromObj(schema.Model.GetRootAs(content, 0))
    text = json.dumps({**meta, "sha256": "0" * 64}).encode()
    model.buffers.append(schema.BufferT(data=np.frombuffer(text, np.uint8)))
    model.metadata = [m for m in (model.metadata or []) if m.name != MARKER.encode()]
    model.metadata.append(schema.MetadataT(name=MARKER, buffer=len(model.buffers) - 1))
    builder = flatbuffers.Builder(len(content) + len(text) + 1024)
    builder.Finish(model.Pack(builder), file_identifier=IDENTIFIER)
    packed = bytes(builder.Output())
    digest = hashlib.sha256(packed).hexdigest()  # the same length as the zeros: nothing moves
    return packed.replace(f'"sha256": "{"0" * 64}"'.encode(), f'"sha256": "{digest}"'.encode())


def sealed(content: bytes) -> bool | None:
    """True if the file is as `with_metadata` wrote it, False if a byte changed since, None if it has no seal."""
    found = re.search(rb'"sha256": "([0-9a-f]{64})"', content)
    if found is None:
        return None
    zeroed = content[:found.start(1)] + b"0" * 64 + content[found.end(1):]
    return hashlib.sha256(zeroed).hexdigest().encode() == found[1]


def metadata(content: bytes) -> dict | None:
    """The workshop.json of a verified flatbuffer, parsed (None if it has none)."""
    model = _schema().Model.GetRootAs(content, 0)
    for i in range(model.MetadataLength()):
        entry = model.Metadata(i)
        if entry.Name() == MARKER.encode():
            return json.loads(model.Buffers(entry.Buffer()).DataAsNumpy().tobytes())
    return None


def ops(content: bytes) -> tuple[list[str], list[str]]:
    """(builtin op names, custom op names) the model uses, each sorted. Flex (TensorFlow) ops are
    custom ops named Flex<Op>: a phone's runtime has no kernel for them."""
    schema = _schema()
    names = {code: name for name, code in vars(schema.BuiltinOperator).items() if not name.startswith("_")}
    model = schema.Model.GetRootAs(content, 0)
    builtin, custom = set(), set()
    for i in range(model.OperatorCodesLength()):
        code = model.OperatorCodes(i)
        number = max(code.BuiltinCode(), code.DeprecatedBuiltinCode())  # the old int8 field caps at 127
        if number == schema.BuiltinOperator.CUSTOM:
            custom.add((code.CustomCode() or b"?").decode())
        else:
            builtin.add(names.get(number, str(number)))
    return sorted(builtin), sorted(custom)


def check_structure(content: bytes, meta: dict) -> str | None:
    """What makes `content` something `workshop export` never writes, or None: one graph of EXPORTED_OPS,
    with one input of (batch, *meta's input_shape) and one output; every dimension fixed but the batch;
    the computed tensors at most MAX_ACTIVATIONS elements an example together, a constant one at most
    MAX_WEIGHTS. Read in Python from the flatbuffer (a malformed one raises ValueError), before any
    C++ sees it: the seal proves no origin (anyone can compute a sha256), these bounds hold anyway."""
    schema = _schema()
    try:
        model = schema.Model.GetRootAs(content, 0)
        if model.SubgraphsLength() != 1:
            return f"it holds {model.SubgraphsLength()} graphs, where an export holds one"
        builtin, custom = ops(content)
        foreign = sorted(set(builtin) - EXPORTED_OPS) + [f"custom {name}" for name in custom]
        if foreign:
            return f"it uses ops an export never does ({', '.join(foreign[:5])})"
        graph = model.Subgraphs(0)
        if graph.InputsLength() != 1 or graph.OutputsLength() != 1:
            return "it does not have one input and one output"
        activations = 0
        for i in range(graph.TensorsLength()):
            tensor = graph.Tensors(i)
            dims = [int(d) for d in (tensor.ShapeSignatureAsNumpy() if tensor.ShapeSignatureLength()
                                     else tensor.ShapeAsNumpy() if tensor.ShapeLength() else [])]
            if any(d < 0 for d in dims[1:]) or (dims and dims[0] < -1):
                return f"its tensor {i} has a dimension left free besides the batch ({dims})"
            elements = 1
            for d in dims:
                elements *= max(d, 1)
            buffer = model.Buffers(tensor.Buffer()) if tensor.Buffer() < model.BuffersLength() else None
            constant = buffer is not None and (buffer.DataLength() > 0 or buffer.Size() > 0)
            if constant and elements > MAX_WEIGHTS:
                return f"its constant tensor {i} has {elements:,} elements"
            activations += 0 if constant else elements
        if activations > MAX_ACTIVATIONS:
            return (f"its computed tensors hold {activations:,} elements an example (an export's: at most "
                    f"{MAX_ACTIVATIONS:,})")
        shape = [int(d) for d in graph.Tensors(graph.Inputs(0)).ShapeSignatureAsNumpy()]
        if shape[1:] != list(meta["input_shape"]):
            return f"its input is {shape[1:]}, not the {list(meta['input_shape'])} its {MARKER} names"
    except (ValueError, IndexError, TypeError, struct.error) as e:  # offsets out of the buffer, and the like
        return f"its flatbuffer is malformed ({type(e).__name__})"
    return None


class LiteRTModel:
    """A .tflite model run by the LiteRT interpreter, as an app would run it.

    forward(x float32 (batch, *input_shape)) -> float32 (batch, outputs): the same face as the
    numpy level's models, so predict and evaluate use it unchanged. An int8 model's input is
    quantized and its output dequantized here, with the scale and zero point stored in the file.
    """

    def __init__(self, content: bytes):
        from ai_edge_litert.interpreter import Interpreter
        self.content = content  # the interpreter reads the bytes in place: keep them alive
        self.interpreter = Interpreter(model_content=content, num_threads=os.cpu_count() or 1)
        (self.input,), (self.output,) = self.interpreter.get_input_details(), self.interpreter.get_output_details()
        self._batch = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        return np.concatenate([self._run(np.asarray(x[i:i + BATCH], np.float32)) for i in range(0, len(x), BATCH)])

    def _run(self, x: np.ndarray) -> np.ndarray:
        it = self.interpreter
        if self._batch != len(x):  # the batch dimension is free (-1): size the tensors for this one
            it.resize_tensor_input(self.input["index"], [len(x), *self.input["shape"][1:]])
            with quiet_stderr():  # "INFO: Created TensorFlow Lite XNNPACK delegate for CPU."
                it.allocate_tensors()
            self._batch = len(x)
        it.set_tensor(self.input["index"], _quantized(x, self.input))
        it.invoke()
        return _dequantized(it.get_tensor(self.output["index"]), self.output)


def _quantized(x, detail):
    scale, zero = detail["quantization"]
    if detail["dtype"] == np.float32:
        return x
    info = np.iinfo(detail["dtype"])
    return np.clip(np.round(x / scale + zero), info.min, info.max).astype(detail["dtype"])


def _dequantized(y, detail):
    scale, zero = detail["quantization"]
    return y.astype(np.float32) if detail["dtype"] == np.float32 else ((y.astype(np.float32) - zero) * scale)


def load(path) -> tuple[LiteRTModel, dict]:
    """(model, meta) of a .tflite written by `workshop export`; WorkshopError, one line, for a missing,
    damaged or foreign file. The checks go from cheap to thorough, and LiteRT's C++ reads no byte
    the seal has not vouched for."""
    from workshop import saving
    path = Path(path)
    again = f"export it again with `{hints.command('export MODEL')}`"
    if not path.is_file():
        raise WorkshopError(f"{path}: no such model file; {again}")
    if path.stat().st_size > MAX_FILE:
        raise WorkshopError(f"{path} is not a LiteRT model (over {MAX_FILE // 2**30} GiB, larger than a "
                            f"flatbuffer can be); {again}")
    content = path.read_bytes()
    if content[4:8] != IDENTIFIER:
        raise WorkshopError(f"{path} is not a LiteRT model (a .tflite file carries the mark TFL3 in bytes 4-8); "
                            f"{again}")
    seal = sealed(content)
    if seal is False:
        raise WorkshopError(f"{path} is damaged: its bytes no longer match the checksum written when it was "
                            f"exported; {again}")
    # Everything below is read in Python first: LiteRT's C++ sees only a file shaped like an export
    not_ours = f"{path} was not made by `{hints.command('export')}`"
    try:
        meta = metadata(content) if seal else None
    except (ValueError, IndexError, TypeError, struct.error):  # json's errors are ValueErrors too
        meta = None
    if meta is None:
        raise WorkshopError(f"{not_ours} (no sealed {MARKER} inside), so its classes and input are unknown; {again}")
    exported = meta.get("exported") if isinstance(meta, dict) else None
    source = Path(str(exported.get("from"))) if isinstance(exported, dict) else Path(".keras")
    try:  # the checks saving.py makes of the model it was exported from
        saving.check_meta(source, meta)
    except WorkshopError:
        raise WorkshopError(f"{path}: its {MARKER} does not describe a model of this workshop; {again}") from None
    odd = check_structure(content, meta)
    if odd:
        raise WorkshopError(f"{not_ours}: {odd}; refusing to run it; {again}")
    try:  # the interpreter verifies the flatbuffer; one example through it finds what the verifier cannot
        model = LiteRTModel(content)
        model.forward(np.zeros((1, *model.input["shape"][1:]), np.float32))
    except (ValueError, RuntimeError) as e:
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise WorkshopError(f"{path} is damaged: LiteRT cannot load it ({first}); {again}") from None
    return model, meta


def _info(line: str) -> bool:
    return line.startswith(("INFO: ", "I0000 "))


def quiet_stderr(drop=_info):
    """Drop the lines `drop` picks (by default the interpreter's INFO lines) from what C++ writes
    straight to file descriptor 2 meanwhile; every other line (warnings, errors) is passed on."""
    return filtered_stderr(drop)
