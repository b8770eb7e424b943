"""Introduction demos, in the order the lesson tells them (introduction.md).

    neurons.py      the perceptron rule, backprop by hand vs GradientTape, linear regression, SGD vs batch
    features.py     hand-made edge filters and fingerprints vs filters learned by optimization
    overfitting.py  train / validation / test, and a validation curve turning up
"""

from workshop.lessons import features, neurons, overfitting


def run(ctx) -> dict:
    results = neurons.run(ctx)
    ctx.say("Feature engineering vs learned features (8 vs 1):")
    results["features"] = features.run(ctx)
    ctx.say("Splits and overfitting:")
    results["overfitting"] = overfitting.run(ctx)
    return results
