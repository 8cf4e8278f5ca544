#!/usr/bin/env python3
"""Writes a large synthetic scan for the site benchmark: a repository of config files and a
results document (schemas/results.schema.json) of N_CONTROLS controls and N_FINDINGS findings
pointing at those files, with real sha256 digests, mapped into three frameworks. Finding counts
are skewed: one control holds a fifth of all findings, so its pages paginate deeply.
Usage: generate_site_scan.py OUT_DIR [N_CONTROLS] [N_FINDINGS] [N_FILES]
"""
import hashlib
import json
import os
import sys

out = sys.argv[1]
n_controls = int(sys.argv[2]) if len(sys.argv) > 2 else 1_000
n_findings = int(sys.argv[3]) if len(sys.argv) > 3 else 100_000
n_files = int(sys.argv[4]) if len(sys.argv) > 4 else 5_000

FILE = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: svc-{i}
  namespace: team-{t}
spec:
  replicas: 2
  template:
    spec:
      hostNetwork: {bad}
      containers:
        - name: app
          image: registry.example/app-{i}:1.{i}
          env:
            - name: DB_PASSWORD
              value: from-secret
          securityContext:
            privileged: {bad}
            runAsNonRoot: {good}
          resources:
            limits:
              cpu: 500m
              memory: 256Mi
"""

repo = os.path.join(out, "repo")
files = []
for i in range(n_files):
    rel = f"k8s/team-{i % 40}/svc-{i}.yaml"
    text = FILE.format(i=i, t=i % 40, bad=str(i % 4 == 0).lower(), good=str(i % 4 != 0).lower())
    path = os.path.join(repo, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)
    files.append((rel, hashlib.sha256(text.encode()).hexdigest(), text.count("\n")))

severities = ["critical", "high", "medium", "low", "info"]
big = n_findings // 5
rest = n_findings - big
counts = [big] + [rest // (n_controls - 1)] * (n_controls - 1)
counts[-1] += n_findings - sum(counts)
controls = []
k = 0
summary = dict(controls=n_controls, implemented=0, partial=0, not_implemented=0,
               not_applicable=0, error=0, findings_passed=0, findings_failed=0, findings_error=0)
for c in range(n_controls):
    findings = []
    passed = failed = 0
    for j in range(counts[c]):
        rel, digest, lines = files[k % n_files]
        k += 1
        status = "fail" if (j % 3 == 0) else "pass"
        if status == "fail":
            failed += 1
        else:
            passed += 1
        findings.append({
            "status": status,
            "resource": f"Deployment/team-{k % 40}/svc-{k % n_files}",
            "message": "passed" if status == "pass" else
                       f"container `app` is privileged: `$['spec']['template']['spec']['containers'][0]['securityContext']['privileged']` is `true` (control {c})",
            "location": {"path": rel, "line": 1 + (j * 7) % lines},
            "evidence": [digest],
        })
    findings.sort(key=lambda f: (f["location"]["path"], f["location"]["line"], f["resource"], f["status"], f["message"]))
    total = passed + failed
    score = round(100.0 * passed / total, 2) if total else None
    status = ("not_applicable" if total == 0 else "implemented" if failed == 0
              else "not_implemented" if passed == 0 else "partial")
    summary[status] += 1
    summary["findings_passed"] += passed
    summary["findings_failed"] += failed
    controls.append({
        "id": f"ctl-{c:04d}", "title": f"Synthetic control number {c}",
        "family": f"family-{c % 12}", "severity": severities[c % 5], "status": status,
        "score": score, "passed": passed, "failed": failed, "errors": 0, "waived": 0,
        "warnings": 0, "remediation": "Set privileged to false.", "findings": findings,
    })

frameworks = []
for fw, n_req in [("soc2", 60), ("iso27001", 93), ("gdpr", 40)]:
    reqs = []
    for r in range(n_req):
        ids = [f"ctl-{(r * 7 + x) % n_controls:04d}" for x in range(5)]
        scores = [controls[int(i[4:])]["score"] for i in ids if controls[int(i[4:])]["score"] is not None]
        s = round(sum(scores) / len(scores), 2) if scores else None
        reqs.append({"id": f"{fw.upper()}-{r}.{r % 3}", "title": f"Requirement {r} of {fw}",
                     "score": s, "status": "partial", "controls": ids})
    scored = [r["score"] for r in reqs if r["score"] is not None]
    score = round(sum(scored) / len(scored), 2)
    frameworks.append({"id": fw, "name": fw.upper(), "score": score, "coverage": 100.0,
                       "rating": "green" if score >= 90 else "amber" if score >= 70 else "red",
                       "requirements": reqs})

results = {
    "schema_version": "1.0.0",
    "tool": {"name": "assay", "version": "0.1.0"},
    "scan": {"root": repo, "started_at": "2024-06-01T10:00:00Z", "finished_at": "2024-06-01T10:01:00Z",
             "catalog_digest": "0" * 64, "documents": n_files, "files": n_files},
    "summary": summary, "controls": controls, "frameworks": frameworks, "errors": [], "skipped": [],
}
with open(os.path.join(out, "results.json"), "w") as f:
    json.dump(results, f)
