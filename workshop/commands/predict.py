"""Predict the digits in image files with a saved model: `workshop predict PATH IMAGE... [--json]`.

Any PNG or JPEG (8 or 16 bits, transparent or not), any size, the digit anywhere on it:
it is turned grayscale, inverted if it is dark on light, cropped to the ink and placed as
the model's training digits were placed (MNIST's 20-pixel box centred by its mass for a
28x28 model; see workshop/predict.py). An unreadable file gets
one error line on stderr, an image with no digit in it (one plain shade: blank, or 1x1)
one warning line; the others are still predicted. The exit status is 1 if a file was
unreadable or no image held a digit, else 0.
"""

import json
import sys


def add_arguments(p):
    p.add_argument("path", help="a .keras model saved by `workshop train ... --save PATH`, or its .tflite "
                                "(`workshop export`)")
    p.add_argument("images", nargs="+", metavar="IMAGE", help="PNG or JPEG files of digits")
    p.add_argument("--json", action="store_true", help="also print the results as one JSON object on the last line")


def format_result(r: dict) -> str:
    top = ", ".join(f"{label} {100 * p:.1f} %" for label, p in r["top"])
    return f"{r['path']}: {r['label']} ({100 * r['probability']:.1f} %)   top {len(r['top'])}: {top}"


def run(args) -> int:
    from workshop.predict import load_model, predict_images
    model, meta = load_model(args.path)
    results = predict_images(model, meta, args.images)
    for r in results:
        if "error" in r:
            print(f"workshop: error: {r['error']}", file=sys.stderr)
        elif "warning" in r:
            print(f"workshop: warning: {r['warning']}", file=sys.stderr)
        else:
            print(format_result(r))
    if args.json:
        print(json.dumps({"model": args.path, "predictions": results}))
    if any("error" in r for r in results):
        return 1
    return 0 if any("label" in r for r in results) else 1  # all blank: nothing was predicted
