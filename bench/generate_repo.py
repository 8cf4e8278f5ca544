#!/usr/bin/env python3
"""Writes a synthetic repository of N config files for the scan benchmark.

Mix (by count): 40% Kubernetes manifests (multi-document), 40% Terraform AWS, 10% Dockerfiles,
10% GitHub Actions workflows. Every fourth resource is insecure, so every control has work.
With --declarations, the declaration files of the sample repository are added too, with what
they point at: ai-systems.yaml (2 systems, model cards, notices, a monitoring plan and a rule
file with their metrics), processing-activities.yaml (data-subject request endpoints) with the
OpenAPI file documenting them, and an attestations/ folder.
Usage: generate_repo.py OUT_DIR [N] [--declarations]
"""
import os
import shutil
import sys

args = [a for a in sys.argv[1:] if not a.startswith("--")]
declarations = "--declarations" in sys.argv[1:]
out = args[0]
n = int(args[1]) if len(args) > 1 else 10_000
# Paths of the sample repository copied by --declarations (files or folders).
SAMPLE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures", "sample-repo")
DECLARATIONS = ["ai-systems.yaml", "docs/ai", "monitoring", "processing-activities.yaml", "api", "attestations"]

K8S = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: svc-{i}
  namespace: team-{t}
spec:
  replicas: 2
  selector:
    matchLabels: {{app: svc-{i}}}
  template:
    metadata:
      labels: {{app: svc-{i}}}
    spec:
      hostNetwork: {bad}
      securityContext:
        runAsNonRoot: {good}
      containers:
        - name: app
          image: registry.example.com/svc-{i}:{tag}
          securityContext:
            privileged: {bad}
          resources:
            limits: {{cpu: "1", memory: 256Mi}}
---
apiVersion: v1
kind: Service
metadata:
  name: svc-{i}
  namespace: team-{t}
spec:
  selector: {{app: svc-{i}}}
  ports: [{{port: 80, targetPort: 8080}}]
"""

TF = """resource "aws_s3_bucket" "b{i}" {{
  bucket = "bucket-{i}"
  acl    = "{acl}"
{encryption}}}

resource "aws_db_instance" "db{i}" {{
  engine            = "postgres"
  instance_class    = "db.t3.micro"
  allocated_storage = 20
  storage_encrypted = {good}
}}

resource "aws_security_group" "sg{i}" {{
  name        = "sg-{i}"
  description = "service {i}"
  ingress {{
    from_port   = {port}
    to_port     = {port}
    protocol    = "tcp"
    cidr_blocks = ["{cidr}"]
  }}
}}
"""

ENC = """  server_side_encryption_configuration {
    rule {
      apply_server_side_encryption_by_default {
        sse_algorithm = "aws:kms"
      }
    }
  }
"""

DOCKER = """FROM {base}
WORKDIR /app
COPY . .
RUN make build
{user}ENTRYPOINT ["/app/run"]
"""

GHA = """name: ci-{i}
on: [push]
{perms}jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@{ref}
      - run: make test
"""

for i in range(n):
    bad = i % 4 == 0
    kind = i % 10
    if kind < 4:
        path = f"k8s/team-{i % 50}/svc-{i}.yaml"
        text = K8S.format(i=i, t=i % 50, bad=str(bad).lower(), good=str(not bad).lower(),
                          tag="latest" if bad else "1.2.3")
    elif kind < 8:
        path = f"terraform/stack-{i % 50}/main-{i}.tf"
        text = TF.format(i=i, acl="public-read" if bad else "private", encryption="" if bad else ENC,
                         good=str(not bad).lower(), port=22 if bad else 443,
                         cidr="0.0.0.0/0" if bad else "10.0.0.0/8")
    elif kind == 8:
        path = f"services/svc-{i}/Dockerfile"
        text = DOCKER.format(base="ubuntu:latest" if bad else "debian:12.5-slim", user="" if bad else "USER 10001\n")
    else:
        path = f"wf/svc-{i}/.github/workflows/ci.yml"
        text = GHA.format(i=i, perms="" if bad else "permissions:\n  contents: read\n",
                          ref="v4" if bad else "b4ffde65f46336ab88eb53be808477a3936bae11")
    full = os.path.join(out, path)
    os.makedirs(os.path.dirname(full), exist_ok=True)
    with open(full, "w") as f:
        f.write(text)
extra = 0
if declarations:
    for rel in DECLARATIONS:
        src, dst = os.path.join(SAMPLE, rel), os.path.join(out, rel)
        if os.path.isdir(src):
            shutil.copytree(src, dst, dirs_exist_ok=True)
            extra += sum(len(files) for _, _, files in os.walk(src))
        else:
            os.makedirs(os.path.dirname(dst) or out, exist_ok=True)
            shutil.copyfile(src, dst)
            extra += 1
print(f"wrote {n} files to {out}" + (f" and {extra} declaration files" if declarations else ""))
