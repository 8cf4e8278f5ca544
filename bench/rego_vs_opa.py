"""Helper of bench/rego-vs-opa.sh.

generate DIR N   writes DIR/policy/k8s.rego and N Kubernetes manifests under DIR/manifests
opa DIR THREADS  evaluates the policy over the manifests with OPA's engine (the PyPI package
                 opa-golib-python-bindings), rule by rule as conftest does, and prints
                 "<documents> <seconds> <failures> <warnings>" for the evaluation alone
                 (the manifests are parsed before the clock starts)
"""

import concurrent.futures
import os
import random
import sys
import time

POLICY = """package main

containers contains c if some c in input.spec.template.spec.containers

containers contains c if some c in input.spec.containers

deny contains msg if {
  some c in containers
  c.securityContext.privileged
  msg := sprintf("%s/%s: container %s is privileged", [input.kind, input.metadata.name, c.name])
}

deny_latest contains msg if {
  some c in containers
  not regex.match(`:[^:/]+$`, c.image)
  msg := sprintf("%s/%s: image %s has no tag", [input.kind, input.metadata.name, c.image])
}

deny_latest contains msg if {
  some c in containers
  endswith(c.image, ":latest")
  msg := sprintf("%s/%s: image %s uses latest", [input.kind, input.metadata.name, c.image])
}

warn contains msg if {
  some c in containers
  not c.resources.limits.memory
  msg := sprintf("%s/%s: container %s has no memory limit", [input.kind, input.metadata.name, c.name])
}

required_labels := {"app", "team"}

warn_labels contains msg if {
  missing := required_labels - {k | some k, _ in object.get(input.metadata, "labels", {})}
  count(missing) > 0
  msg := sprintf("%s/%s: missing labels %v", [input.kind, input.metadata.name, sort(missing)])
}

exception contains ["latest"] if input.metadata.labels.team == "sandbox"
"""

RULES = ["deny", "deny_latest", "warn", "warn_labels"]


def manifest(i, rng):
    images = ["nginx", "nginx:latest", "registry.example.com/api:1.%d.0" % (i % 9), "redis:7"]
    lines = ["apiVersion: apps/v1", "kind: Deployment", "metadata:", "  name: app-%d" % i, "  labels:"]
    lines.append("    app: app-%d" % i)
    if rng.random() < 0.8:
        lines.append("    team: %s" % rng.choice(["payments", "search", "sandbox"]))
    lines += ["spec:", "  replicas: 2", "  template:", "    spec:", "      containers:"]
    for c in range(rng.randint(1, 3)):
        lines += ["        - name: c%d" % c, "          image: %s" % rng.choice(images)]
        if rng.random() < 0.1:
            lines += ["          securityContext:", "            privileged: true"]
        if rng.random() < 0.7:
            lines += ["          resources:", "            limits:", "              memory: 256Mi"]
    return "\n".join(lines) + "\n"


def generate(directory, n):
    rng = random.Random(7)
    os.makedirs(os.path.join(directory, "policy"), exist_ok=True)
    with open(os.path.join(directory, "policy", "k8s.rego"), "w") as f:
        f.write(POLICY)
    manifests = os.path.join(directory, "manifests")
    for i in range(n):
        sub = os.path.join(manifests, "ns%02d" % (i % 50))
        os.makedirs(sub, exist_ok=True)
        with open(os.path.join(sub, "app-%05d.yaml" % i), "w") as f:
            f.write(manifest(i, rng))


def run_opa(directory, threads):
    import yaml
    from opa_bindings.engine import OpaEngine

    docs = []
    for root, _, files in os.walk(os.path.join(directory, "manifests")):
        for name in files:
            with open(os.path.join(root, name)) as f:
                docs.extend(d for d in yaml.safe_load_all(f) if d is not None)
    with open(os.path.join(directory, "policy", "k8s.rego")) as f:
        policy = f.read()

    def evaluate(chunk):
        engine = OpaEngine()
        engine.add_policy("k8s.rego", policy)
        failures = warnings = 0
        for doc in chunk:
            exceptions = engine.eval_document("main.exception", doc)
            for rule in RULES:
                name = rule.split("_", 1)[1] if "_" in rule else ""
                if any(name in entry for entry in exceptions):
                    continue
                results = engine.eval_document("main." + rule, doc)
                if rule.startswith("warn"):
                    warnings += len(results)
                else:
                    failures += len(results)
        engine.close()
        return failures, warnings

    chunks = [docs[i::threads] for i in range(threads)]
    start = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(threads) as pool:
        totals = list(pool.map(evaluate, chunks))
    seconds = time.perf_counter() - start
    print(len(docs), round(seconds, 3), sum(t[0] for t in totals), sum(t[1] for t in totals))


if __name__ == "__main__":
    if sys.argv[1] == "generate":
        generate(sys.argv[2], int(sys.argv[3]))
    else:
        run_opa(sys.argv[2], int(sys.argv[3]))
