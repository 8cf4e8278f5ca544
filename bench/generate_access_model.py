#!/usr/bin/env python3
"""Writes a synthetic Cedar access model for bench/cedar-vs-cedarpy.sh.

Usage: generate_access_model.py DIR N_USERS

DIR/access/ gets policies.cedar and entities.json following the conventions of the built-in
access controls: User principals in nested Group parents, Environment::"production" with
Service children, and the actions read, deploy, approve and admin. The model is fixed by a
seed, so two runs write the same bytes.
"""
import json
import os
import random
import sys

TEAMS = 100
SERVICES = 100


def main() -> None:
    out, n_users = sys.argv[1], int(sys.argv[2])
    rng = random.Random(1729)
    entities = [
        {"uid": {"type": "Group", "id": "engineering"}, "attrs": {}, "parents": []},
        {"uid": {"type": "Group", "id": "prod-admins"}, "attrs": {}, "parents": []},
        {"uid": {"type": "Group", "id": "deployers"}, "attrs": {}, "parents": []},
        {"uid": {"type": "Group", "id": "change-reviewers"}, "attrs": {}, "parents": []},
        {"uid": {"type": "Environment", "id": "production"}, "attrs": {}, "parents": []},
    ]
    for t in range(TEAMS):
        entities.append({"uid": {"type": "Group", "id": f"team-{t}"}, "attrs": {},
                         "parents": [{"type": "Group", "id": "engineering"}]})
    for s in range(SERVICES):
        entities.append({"uid": {"type": "Service", "id": f"svc-{s}"}, "attrs": {"tier": s % 3},
                         "parents": [{"type": "Environment", "id": "production"}]})
    for u in range(n_users):
        parents = [{"type": "Group", "id": f"team-{t}"} for t in rng.sample(range(TEAMS), 2)]
        if u < 5:
            parents.append({"type": "Group", "id": "prod-admins"})
        roll = rng.random()
        if roll < 0.05:
            parents.append({"type": "Group", "id": "deployers"})
        elif roll < 0.08:
            parents.append({"type": "Group", "id": "change-reviewers"})
        attrs = {"mfa": u < 5 or rng.random() < 0.95, "shared": rng.random() < 0.002,
                 "suspended": rng.random() < 0.01, "level": rng.randrange(1, 10)}
        if u == 5:
            # A shared deploy login: the shared-account control must find it.
            parents.append({"type": "Group", "id": "deployers"})
            attrs.update(shared=True, suspended=False, level=9)
        entities.append({"uid": {"type": "User", "id": f"u{u:06d}"}, "attrs": attrs,
                         "parents": parents})

    policies = []
    for t in range(TEAMS):
        policies.append(
            f'@id("team-{t}-read")\n'
            f'permit (principal in Group::"team-{t}", action == Action::"read", '
            f'resource in Service::"svc-{t % SERVICES}");\n')
    policies += [
        '@id("admins-administer")\npermit (principal in Group::"prod-admins", '
        'action == Action::"admin", resource in Environment::"production");\n',
        '@id("deployers-deploy")\npermit (principal in Group::"deployers", '
        'action == Action::"deploy", resource in Environment::"production") '
        'when { principal.level >= 3 };\n',
        '@id("reviewers-approve")\npermit (principal in Group::"change-reviewers", '
        'action == Action::"approve", resource in Environment::"production");\n',
        '@id("no-self-approval")\nforbid (principal in Group::"deployers", '
        'action == Action::"approve", resource);\n',
        '@id("admin-needs-mfa")\nforbid (principal, action == Action::"admin", resource) '
        'unless { principal.mfa };\n',
        '@id("suspended")\nforbid (principal, action, resource) when { principal.suspended };\n',
        # A release manager who may approve and deploy: separation of duties must catch it.
        '@id("release-manager")\npermit (principal == User::"u000006", '
        'action in [Action::"approve", Action::"deploy"], resource in Environment::"production");\n',
    ]
    os.makedirs(os.path.join(out, "access"), exist_ok=True)
    with open(os.path.join(out, "access", "policies.cedar"), "w") as f:
        f.write("\n".join(policies))
    with open(os.path.join(out, "access", "entities.json"), "w") as f:
        f.write("[\n" + ",\n".join(json.dumps(e) for e in entities) + "\n]\n")


if __name__ == "__main__":
    main()
