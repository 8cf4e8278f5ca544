#!/usr/bin/env python3
"""Writes a JSON Lines audit log of about SIZE_MB megabytes with a valid SHA-256 hash chain
(RFC 8785 canonical JSON: for these ASCII events with integer values it equals sorted-key,
separator-free json.dumps) and personal data and secrets seeded into 1 event in 1,000.

Usage: generate_audit_log.py PATH [SIZE_MB]
"""
import hashlib
import json
import sys

path = sys.argv[1]
size = int(sys.argv[2] if len(sys.argv) > 2 else 1024) * 1024 * 1024

ACTIONS = ["read", "update", "login", "grant-role", "delete", "list"]
SEEDS = [
    "jane.roe@contoso.org",
    "4111 1111 1111 1111",
    "DE89370400440532013000",
    "123-45-6789",
    "AKIAIOSFODNN7EXAMPLE",
    "+44 20 7946 0958",
]


def canonical(event):
    return json.dumps(event, sort_keys=True, separators=(",", ":"))


prev = "0" * 64
written = 0
i = 0
with open(path, "w") as out:
    while written < size:
        seconds = i * 3  # one event every 3 seconds
        day, rest = divmod(seconds, 86400)
        event = {
            "timestamp": "2024-%02d-%02dT%02d:%02d:%02dZ"
            % (1 + day // 28 % 12, 1 + day % 28, rest // 3600, rest // 60 % 60, rest % 60),
            "actor": "svc-%04d" % (i % 5000),
            "action": ACTIONS[i % len(ACTIONS)],
            "resource": "/api/v2/orders/%d/items/%d" % (i % 100000, i % 7),
            "outcome": "failure" if i % 97 == 0 else "success",
            "request_id": "%032x" % (i * 2654435761 % (1 << 128)),
            "latency_ms": i % 1500,
            "prev_hash": prev,
        }
        if i % 1000 == 999:
            event["detail"] = "contact " + SEEDS[(i // 1000) % len(SEEDS)]
        prev = hashlib.sha256(canonical(event).encode()).hexdigest()
        event["hash"] = prev
        line = json.dumps(event, separators=(",", ":")) + "\n"
        out.write(line)
        written += len(line)
        i += 1
print(f"{i} events, {written} bytes")
