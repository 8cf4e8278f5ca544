//! Evidence packs received from others for `assay verify`: the manifest of a pack folder, and
//! a whole pack archive. The archive target's input is the uncompressed tar, gzipped before
//! verification, so that mutations reach the tar reader instead of failing the gzip checksum.

use std::io::Write;

use assay_engine::pack::digest::sha256_hex;
use assay_engine::pack::evidence::Keep;
use assay_engine::pack::manifest::{
    EvidenceEntry, FileEntry, Manifest, ManifestBody, ScanTimes, ToolInfo, FORMAT, MANIFEST_FILE,
    RESULTS_FILE,
};
use assay_engine::pack::sign::{parse_signing_key, sign};
use assay_engine::pack::verify::{verify, VerifyOptions};
use flate2::write::GzEncoder;
use flate2::Compression;

use super::{write, Target};

/// The results file of the seed packs.
const RESULTS: &[u8] = b"{\"summary\": {\"score\": 100}}\n";
/// The evidence file of the seed packs.
const EVIDENCE: &[u8] = b"replicas: 3\n";

pub fn targets() -> Vec<Target> {
    vec![
        Target {
            name: "pack-manifest",
            about: "manifest.json of a pack folder, checked by pack::verify::verify",
            fixtures: |p| p.ends_with(MANIFEST_FILE),
            seeds: || manifests().into_iter().map(|m| m.to_bytes()).collect(),
            tokens: &[
                "\"path\": ",
                "\"../",
                "\"sha256\": ",
                "\"size\": ",
                "\"signature\": ",
                "\"previous_root\": ",
            ],
            run: |sandbox, input| {
                let dir = sandbox.with_file(MANIFEST_FILE, input);
                write(&dir, RESULTS_FILE, RESULTS);
                write(&dir, &evidence_path(), EVIDENCE);
                let _ = verify(&dir, VerifyOptions::default());
            },
        },
        Target {
            name: "pack-archive",
            about:
                "a pack .tar.gz (the input is the tar), read and checked by pack::verify::verify",
            fixtures: |p| p.ends_with(".tar"),
            seeds: || manifests().iter().map(tar_of).collect(),
            tokens: &["ustar", "././@LongLink", "../", "manifest.json"],
            run: |sandbox, input| {
                let dir = sandbox.fresh();
                let path = dir.join("pack.tar.gz");
                let mut gz = GzEncoder::new(Vec::new(), Compression::fast());
                gz.write_all(input).expect("gzip in memory");
                std::fs::write(&path, gz.finish().expect("gzip in memory"))
                    .expect("write the archive");
                let _ = verify(&path, VerifyOptions::default());
            },
        },
    ]
}

fn evidence_path() -> String {
    format!("evidence/{}", sha256_hex(EVIDENCE))
}

/// A valid pack manifest over [`RESULTS`] and [`EVIDENCE`], unsigned and signed.
fn manifests() -> Vec<Manifest> {
    let entry = |path: String, bytes: &[u8]| FileEntry {
        path,
        sha256: sha256_hex(bytes),
        size: bytes.len() as u64,
    };
    let body = ManifestBody {
        format: FORMAT.to_string(),
        tool: ToolInfo {
            name: "assay".into(),
            version: "0.1.0".into(),
        },
        catalog_digest: sha256_hex(b"catalog"),
        scan: ScanTimes {
            started_at: "2026-01-01T00:00:00Z".into(),
            finished_at: "2026-01-01T00:00:01Z".into(),
            commit: Some("0123456789abcdef0123456789abcdef01234567".into()),
            repository: None,
        },
        previous_root: Some(sha256_hex(b"previous")),
        parts: vec![sha256_hex(b"shard")],
        files: vec![
            entry(evidence_path(), EVIDENCE),
            entry(RESULTS_FILE.into(), RESULTS),
        ],
        evidence: vec![EvidenceEntry {
            path: "deploy/app.yaml".into(),
            sha256: sha256_hex(EVIDENCE),
            size: EVIDENCE.len() as u64,
            redacted_sha256: sha256_hex(EVIDENCE),
            collected_at: "2026-01-01T00:00:01Z".into(),
            redactions: Vec::new(),
            keep: Keep::FullRedacted,
            lines: Vec::new(),
        }],
        evidence_mismatches: Vec::new(),
    };
    let unsigned = body.seal();
    let mut signed = unsigned.clone();
    let key = parse_signing_key(&"07".repeat(32), "seed key").expect("a valid key");
    sign(&mut signed, &key);
    vec![unsigned, signed]
}

/// The pack of `manifest` as an uncompressed tar, laid out as `pack::archive::write` does.
fn tar_of(manifest: &Manifest) -> Vec<u8> {
    let mut tar = tar::Builder::new(Vec::new());
    let files = [
        (MANIFEST_FILE.to_string(), manifest.to_bytes()),
        (RESULTS_FILE.to_string(), RESULTS.to_vec()),
        (evidence_path(), EVIDENCE.to_vec()),
    ];
    for (name, bytes) in files {
        let mut header = tar::Header::new_gnu();
        header.set_size(bytes.len() as u64);
        header.set_mode(0o644);
        tar.append_data(&mut header, name, bytes.as_slice())
            .expect("tar in memory");
    }
    tar.into_inner().expect("tar in memory")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_packs_verify() {
        let dir = tempfile::tempdir().unwrap();
        for (i, manifest) in manifests().iter().enumerate() {
            let path = dir.path().join(format!("{i}.tar.gz"));
            let mut gz = GzEncoder::new(Vec::new(), Compression::fast());
            gz.write_all(&tar_of(manifest)).unwrap();
            std::fs::write(&path, gz.finish().unwrap()).unwrap();
            let verified = verify(&path, VerifyOptions::default()).unwrap();
            assert_eq!(verified.files, 2);
        }
    }
}
