"""Export a saved model for a phone: `workshop export PATH [--format FORMAT] [--quantize none|dynamic|int8]`.

Writes models/x.tflite next to models/x.keras (or .npz; x-dynamic.tflite, x-int8.tflite when
quantized; --format saved_model: the folder x_saved_model/), then proves it in the same run:
the exported model goes through the LiteRT interpreter on the test split and is compared
with the saved model (workshop/export.py). Exit 1, nothing written, if a float export's
outputs differ by more than float32 rounding allows (1e-5, times the largest output where
that is over 1).
"""

import json

QUANTIZE = ("none", "dynamic", "int8")  # workshop/litert.py's; not imported here, to keep `--help` quick


def add_arguments(p):
    p.add_argument("path", help="a model saved by `workshop train ... --save PATH` (.keras or .npz)")
    p.add_argument("--format", default="litert", choices=("litert", "saved_model"),
                   help="litert: a .tflite for phones (default); saved_model: a folder for TensorFlow Serving")
    p.add_argument("--quantize", default="none", choices=QUANTIZE,
                   help="none: float32 (default); dynamic: int8 weights; int8: int8 weights and activations, "
                        "calibrated on training examples")
    p.add_argument("--out", help="where to write (default: next to the model, e.g. models/x.tflite)")
    p.add_argument("--data-dir", help="dataset cache (default datasets/)")
    p.add_argument("--json", action="store_true", help="also print the result as one JSON object on the last line")


def kilobytes(n: int) -> str:
    return f"{n / 1000:.1f} kB"


def percent(x) -> str:
    return f"{100 * x:.2f} %"


def report(r: dict) -> list[str]:
    """The lines `workshop export` prints for export()'s result `r`."""
    kind = "LiteRT" if r["format"] == "litert" else "SavedModel"
    precision = {"none": "float32", "dynamic": "int8 weights (dynamic range)", "int8": "int8 (full integer)"}
    source = "NumPy" if r["source"].endswith(".npz") else "Keras"
    lines = [f"{r['source']} ({r['model']}, {r['api']} level, {r['dataset']}) -> {r['path']}: "
             f"{kind}, {precision[r['quantize']]}, {kilobytes(r['bytes'])} "
             f"(the .{r['source'].rsplit('.', 1)[-1]}: {kilobytes(r['source_bytes'])})"]
    if r["format"] == "litert":
        lines.append(f"  ops             {', '.join(r['ops'])}: all LiteRT builtins, no TensorFlow ops needed")
    lines.append(f"  checked on the {r['dataset']} test split ({r['examples']} examples) through the "
                 f"{'LiteRT interpreter' if r['format'] == 'litert' else 'reloaded SavedModel'}:")
    bound = (f"float32 rounding allows {r['allowed_diff']:.1e}" if r["allowed_diff"] is not None
             else "rounded on purpose: judged by accuracy")
    lines.append(f"  largest |{kind} - {source}| output  {r['max_abs_diff']:.1e}  ({bound})")
    if r["source_accuracy"] is not None:
        change = 100 * (r["exported_accuracy"] - r["source_accuracy"])
        lines.append(f"  test accuracy   {source} {percent(r['source_accuracy'])}   {kind} "
                     f"{percent(r['exported_accuracy'])}   ({change:+.2f} points)")
    else:
        lines.append(f"  test loss       {source} {r['source_loss']:.4f}   {kind} {r['exported_loss']:.4f}")
    if r["float_bytes"]:
        lines.append(f"  file size       float32 .tflite {kilobytes(r['float_bytes'])} -> {kilobytes(r['bytes'])} "
                     f"({r['bytes'] / r['float_bytes']:.2f}x)")
    lines.append(f"  exported in {r['export_seconds']:.1f} s, checked in {r['check_seconds']:.1f} s")
    return lines


def run(args) -> int:
    from workshop.export import export
    result = export(args.path, args.format, args.quantize, args.out, args.data_dir)
    print("\n".join(report(result)))
    if args.json:
        print(json.dumps(result))
    return 0


def table(results: list[dict]) -> str:
    """export() results side by side, one row each: format, quantization, size, largest output
    difference, and the test score before and after."""
    rows = [f"{'format':12}{'quantize':10}{'size':>10}{'max |diff|':>12}   test accuracy: saved -> exported"]
    for r in results:
        score = (f"{percent(r['source_accuracy'])} -> {percent(r['exported_accuracy'])}"
                 if r["source_accuracy"] is not None else f"loss {r['source_loss']:.4f} -> {r['exported_loss']:.4f}")
        rows.append(f"{r['format']:12}{r['quantize']:10}{kilobytes(r['bytes']):>10}{r['max_abs_diff']:>12.1e}   "
                    f"{score}")
    return "\n".join(rows)
