"""Trains Calcflow's example model on Calcflow's own data: the xtb total energies that
GET /api/v1/export/results?analysis=total_energy&format=jsonl gives, fitted per element by least
squares. With --seed-with-xtb, a few xtb single points of small molecules are added (run here with
Debian's xtb), so that a new Calcflow with nothing to export still gets a working model. The manifest
(weights.json) records the export's SHA-256 and the calculation ids it learned from."""
import argparse
import hashlib
import json
import os
import re
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import model as energy  # noqa: E402

HARTREE_EV = 27.211386245988

SEEDS = {
    "H2": "2\n\nH 0 0 0\nH 0 0 0.74\n",
    "H2O": "3\n\nO 0 0 0.117\nH 0 0.757 -0.467\nH 0 -0.757 -0.467\n",
    "NH3": "4\n\nN 0 0 0.11\nH 0 0.94 -0.26\nH 0.81 -0.47 -0.26\nH -0.81 -0.47 -0.26\n",
    "CH4": "5\n\nC 0 0 0\nH 0.63 0.63 0.63\nH -0.63 -0.63 0.63\nH -0.63 0.63 -0.63\nH 0.63 -0.63 -0.63\n",
    "CO2": "3\n\nC 0 0 0\nO 0 0 1.16\nO 0 0 -1.16\n",
    "N2": "2\n\nN 0 0 0\nN 0 0 1.10\n",
    "HCN": "3\n\nH 0 0 -1.07\nC 0 0 0\nN 0 0 1.16\n",
    "CH3OH": "6\n\nC -0.05 0.66 0\nO -0.05 -0.76 0\nH -1.09 0.98 0\nH 0.44 1.08 0.89\nH 0.44 1.08 -0.89\nH 0.87 -1.09 0\n",
    "C2H6": "8\n\nC 0 0 0.76\nC 0 0 -0.76\nH 1.02 0 1.16\nH -0.51 0.88 1.16\nH -0.51 -0.88 1.16\nH -1.02 0 -1.16\nH 0.51 0.88 -1.16\nH 0.51 -0.88 -1.16\n",
}


def xtb_energy(xyz, xtb="/usr/bin/xtb"):
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "molecule.xyz")
        with open(path, "w") as file:
            file.write(xyz)
        output = subprocess.run([xtb, path], cwd=folder, capture_output=True, text=True, timeout=120).stdout
    match = re.search(r"TOTAL ENERGY\s+(-?\d+\.\d+)\s+Eh", output)
    if not match:
        raise RuntimeError("xtb printed no total energy")
    return float(match.group(1)) * HARTREE_EV


def exported(api, token, ca_file):
    request = urllib.request.Request(api.rstrip("/") + "/api/v1/export/results?analysis=total_energy&format=jsonl",
                                     headers={"Authorization": f"Bearer {token}"})
    context = ssl.create_default_context(cafile=ca_file) if ca_file else None
    with urllib.request.urlopen(request, context=context, timeout=120) as response:
        return response.read()


def sign_in(api, email, password, ca_file):
    request = urllib.request.Request(api.rstrip("/") + "/api/v1/auth/login", method="POST",
                                     data=json.dumps({"email": email, "password": password}).encode(),
                                     headers={"Content-Type": "application/json"})
    context = ssl.create_default_context(cafile=ca_file) if ca_file else None
    with urllib.request.urlopen(request, context=context, timeout=60) as response:
        return json.load(response)["access_token"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--output", required=True, help="where weights.json goes")
    parser.add_argument("--api", help="Calcflow's URL, e.g. https://127.0.0.1:8443")
    parser.add_argument("--email", help="who signs in to export")
    parser.add_argument("--password-file", help="that user's password, in a file")
    parser.add_argument("--ca-file", help="the CA bundle that signed the API's certificate")
    parser.add_argument("--seed-with-xtb", action="store_true", help="add xtb single points of small molecules")
    arguments = parser.parse_args()

    samples, calculation_ids, export_hash = [], [], None
    if arguments.api:
        with open(arguments.password_file) as file:
            password = file.read().strip()
        body = exported(arguments.api, sign_in(arguments.api, arguments.email, password, arguments.ca_file), arguments.ca_file)
        export_hash = hashlib.sha256(body).hexdigest()
        for line in body.decode().splitlines():
            row = json.loads(line)
            value = (row.get("data") or {}).get("value")
            if row.get("engine") == "xtb" and row.get("formula") and isinstance(value, (int, float)):
                samples.append((row["formula"], float(value)))
                calculation_ids.append(row["calculation_id"])
    seed_samples = 0
    if arguments.seed_with_xtb:
        for formula, xyz in SEEDS.items():
            samples.append((formula, xtb_energy(xyz)))
            seed_samples += 1
    if not samples:
        sys.exit("nothing to train on: no xtb total energies with a molecule's formula to export, and no --seed-with-xtb")
    fitted = energy.fit(samples)
    manifest = {"model": fitted, "analysis": "total_energy", "unit": "eV", "engine": "xtb", "export_sha256": export_hash,
                "calculation_ids": calculation_ids, "seed_samples": seed_samples, "samples": len(samples),
                "trained_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    with open(arguments.output, "w") as file:
        json.dump(manifest, file, indent=2)
    print(f"trained on {len(samples)} samples ({len(calculation_ids)} exported, {seed_samples} seed): "
          f"elements {', '.join(fitted['elements'])}, RMSE {fitted['rmse']:.3f} eV -> {arguments.output}")


if __name__ == "__main__":
    main()
