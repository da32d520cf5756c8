"""The example model's arithmetic, shared by training and serving: a molecule's energy as a sum of
per-element contributions, fitted by least squares (numpy) on element counts."""
import re

import numpy

FORMULA_PART = re.compile(r"([A-Z][a-z]?)(\d*)")


def element_counts(formula):
    """{"H": 2, "O": 1} for "H2O" (Hill or any order); a formula that is not one raises ValueError."""
    counts = {}
    position = 0
    for match in FORMULA_PART.finditer(formula):
        if match.start() != position:
            break
        element, number = match.group(1), match.group(2)
        counts[element] = counts.get(element, 0) + (int(number) if number else 1)
        position = match.end()
    if position != len(formula) or not counts:
        raise ValueError(f"not a chemical formula: {formula!r}")
    return counts


def formula_of_xyz(text):
    """The Hill formula of an xyz structure's atoms."""
    lines = text.strip().splitlines()
    count = int(lines[0].split()[0])
    counts = {}
    for line in lines[2:2 + count]:
        element = line.split()[0]
        element = element[0].upper() + element[1:].lower()
        counts[element] = counts.get(element, 0) + 1
    hill = "C" in counts
    order = [e for e in ("C", "H") if hill and e in counts] + sorted(e for e in counts if not (hill and e in ("C", "H")))
    return "".join(f"{e}{counts[e] if counts[e] > 1 else ''}" for e in order)


def fit(samples):
    """samples: [(formula, energy)] -> {"elements": [...], "weights": [...], "rmse": x}."""
    elements = sorted({element for formula, _ in samples for element in element_counts(formula)})
    matrix = numpy.array([[element_counts(formula).get(element, 0) for element in elements] for formula, _ in samples], dtype=float)
    energies = numpy.array([energy for _, energy in samples], dtype=float)
    weights, *_ = numpy.linalg.lstsq(matrix, energies, rcond=None)
    residuals = matrix @ weights - energies
    return {"elements": elements, "weights": [float(w) for w in weights], "rmse": float(numpy.sqrt(numpy.mean(residuals ** 2)))}


def predict(model, formula):
    counts = element_counts(formula)
    unknown = sorted(set(counts) - set(model["elements"]))
    if unknown:
        raise ValueError(f"the model was not trained on {', '.join(unknown)}")
    return sum(model["weights"][model["elements"].index(element)] * number for element, number in counts.items())
