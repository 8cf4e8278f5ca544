#!/usr/bin/env python3
"""Writes a CycloneDX 1.5 JSON SBOM of about SIZE_MB megabytes: components with a supplier,
license, hash, purl, external references and properties (the last two, like the description,
are not read by assay), one dependency entry per component and a vulnerability every 50
components. With --spdx, an SPDX 2.3 JSON document instead: packages with a supplier, licenses,
a checksum, a purl and a description, and one DEPENDS_ON relationship per package.

Usage: generate_sbom.py PATH [SIZE_MB] [--spdx]
"""
import json
import sys

args = [a for a in sys.argv[1:] if a != "--spdx"]
path = args[0]
size = int(args[1] if len(args) > 1 else 100) * 1000 * 1000
spdx = "--spdx" in sys.argv[1:]

LICENSES = ["MIT", "Apache-2.0", "BSD-3-Clause", "ISC", "MIT OR Apache-2.0"]


def component(i):
    ref = f"pkg:npm/component-{i}@1.{i % 97}.{i % 13}"
    license = LICENSES[i % len(LICENSES)]
    entry = {"expression": license} if " " in license else {"license": {"id": license}}
    return {
        "type": "library",
        "bom-ref": ref,
        "supplier": {"name": f"Supplier {i % 300}", "url": [f"https://supplier{i % 300}.example"]},
        "name": f"component-{i}",
        "version": f"1.{i % 97}.{i % 13}",
        "description": "A generated component used to measure the memory of an SBOM scan.",
        "licenses": [entry],
        "hashes": [{"alg": "SHA-256", "content": f"{i:064x}"}],
        "purl": ref,
        "externalReferences": [
            {"type": "website", "url": f"https://component-{i}.example"},
            {"type": "vcs", "url": f"https://git.example/component-{i}.git"},
        ],
        "properties": [
            {"name": "cdx:npm:package:path", "value": f"node_modules/component-{i}"},
            {"name": "syft:package:foundBy", "value": "javascript-package-cataloger"},
        ],
    }


def vulnerability(i):
    return {
        "id": f"CVE-2024-{10000 + i}",
        "source": {"name": "NVD", "url": f"https://nvd.nist.gov/vuln/detail/CVE-2024-{10000 + i}"},
        "ratings": [{"source": {"name": "NVD"}, "score": 5.0 + i % 5, "severity": "medium", "method": "CVSSv31"}],
        "description": "A generated vulnerability.",
        "published": "2024-01-01T00:00:00Z",
        "analysis": {"state": "not_affected" if i % 2 else "in_triage"},
        "affects": [{"ref": f"pkg:npm/component-{i * 50}@1.{i * 50 % 97}.{i * 50 % 13}"}],
    }


def package(i):
    return {
        "SPDXID": f"SPDXRef-Package-{i}",
        "name": f"component-{i}",
        "versionInfo": f"1.{i % 97}.{i % 13}",
        "supplier": f"Organization: Supplier {i % 300}",
        "downloadLocation": f"https://registry.example/component-{i}.tgz",
        "filesAnalyzed": False,
        "licenseConcluded": LICENSES[i % len(LICENSES)],
        "licenseDeclared": LICENSES[i % len(LICENSES)],
        "copyrightText": "NOASSERTION",
        "description": "A generated package used to measure the memory of an SBOM scan.",
        "checksums": [{"algorithm": "SHA256", "checksumValue": f"{i:064x}"}],
        "externalRefs": [{"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl",
                          "referenceLocator": f"pkg:npm/component-{i}@1.{i % 97}.{i % 13}"}],
    }


def write_spdx(out):
    head = {
        "spdxVersion": "SPDX-2.3",
        "dataLicense": "CC0-1.0",
        "SPDXID": "SPDXRef-DOCUMENT",
        "name": "app",
        "documentNamespace": "https://sbom.example/app-1.0",
        "creationInfo": {"created": "2024-01-01T00:00:00Z",
                         "creators": ["Tool: generator-1.0", "Organization: Acme"]},
        "documentDescribes": ["SPDXRef-Package-0"],
    }
    text = json.dumps(head, indent=2)
    out.write(text[: text.rindex("}")].rstrip() + ',\n  "packages": [\n')
    written, count = len(text), 0
    # Each package comes with its relationship (about 150 bytes).
    while written < size:
        block = json.dumps(package(count), indent=2).replace("\n", "\n    ")
        out.write((",\n    " if count else "    ") + block)
        written += len(block) + 150
        count += 1
    out.write('\n  ],\n  "relationships": [\n')
    for i in range(count - 1):
        relationship = {"spdxElementId": f"SPDXRef-Package-{i}", "relationshipType": "DEPENDS_ON",
                        "relatedSpdxElement": f"SPDXRef-Package-{i + 1}"}
        out.write(("," if i else "") + "\n    " + json.dumps(relationship))
    out.write("\n  ]\n}\n")


def write_cyclonedx(out):
    head = {
        "bomFormat": "CycloneDX",
        "specVersion": "1.5",
        "serialNumber": "urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79",
        "version": 1,
        "metadata": {
            "timestamp": "2024-01-01T00:00:00Z",
            "tools": {"components": [{"group": "acme", "name": "generator", "version": "1.0"}]},
            "authors": [{"name": "Build"}],
            "component": {"type": "application", "bom-ref": "app", "name": "app", "version": "1.0",
                          "purl": "pkg:generic/app@1.0", "supplier": {"name": "Acme"}},
        },
    }
    text = json.dumps(head, indent=2)
    out.write(text[: text.rindex("}")].rstrip() + ',\n  "components": [\n')
    written, count = len(text), 0
    # Each component comes with its dependency entry (about 130 bytes) and, one in 50, a
    # vulnerability (about 500 bytes).
    while written < size:
        block = json.dumps(component(count), indent=2).replace("\n", "\n    ")
        out.write((",\n    " if count else "    ") + block)
        written += len(block) + 100 + (520 if count % 50 == 0 else 0)
        count += 1
    out.write('\n  ],\n  "dependencies": [\n')
    for i in range(count):
        ref = f"pkg:npm/component-{i}@1.{i % 97}.{i % 13}"
        after = f"pkg:npm/component-{i + 1}@1.{(i + 1) % 97}.{(i + 1) % 13}"
        deps = [after] if i + 1 < count else []
        out.write(("," if i else "") + "\n    " + json.dumps({"ref": ref, "dependsOn": deps}))
    out.write('\n  ],\n  "vulnerabilities": [\n')
    out.write(",\n".join("    " + json.dumps(vulnerability(i)) for i in range(count // 50)))
    out.write("\n  ]\n}\n")


with open(path, "w") as out:
    if spdx:
        write_spdx(out)
    else:
        write_cyclonedx(out)
