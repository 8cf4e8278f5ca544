#!/usr/bin/env python3
"""Writes a simulated organisation for the org benchmark: N small repositories (4 to 16 config
files each, written by generate_repo.py) under OUT_DIR/repos/, owned by 8 teams, and the org
manifest OUT_DIR/assay-org.yaml scoring SOC 2 everywhere, ISO 27001 on every other repository
and PCI DSS on every fifth.
Usage: generate_org.py OUT_DIR [N]
"""
import os
import subprocess
import sys

out = sys.argv[1]
n = int(sys.argv[2]) if len(sys.argv) > 2 else 500
here = os.path.dirname(os.path.abspath(__file__))
teams = ["payments", "identity", "platform", "data", "mobile", "web", "search", "infra"]

lines = ["organization: Simulated Corp", "frameworks: [soc2]", "teams:"]
for t in teams:
    lines += [f"  {t}:", f"    name: {t.capitalize()}", f"    owners: [{t}-lead@example.com]"]
lines.append("repositories:")
for i in range(n):
    name = f"svc-{i:04d}"
    files = 4 + (i * 7) % 13
    subprocess.run(
        [sys.executable, os.path.join(here, "generate_repo.py"), os.path.join(out, "repos", name), str(files)],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    lines += [f"  - name: {name}", f"    path: repos/{name}", f"    team: {teams[i % len(teams)]}"]
    frameworks = ["soc2"] + (["iso27001"] if i % 2 == 0 else []) + (["pci-dss"] if i % 5 == 0 else [])
    if frameworks != ["soc2"]:
        lines.append(f"    frameworks: [{', '.join(frameworks)}]")
with open(os.path.join(out, "assay-org.yaml"), "w") as f:
    f.write("\n".join(lines) + "\n")
print(f"{n} repositories and assay-org.yaml written to {out}")
