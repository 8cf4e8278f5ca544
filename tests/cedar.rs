//! End-to-end tests of Cedar checks: `assay scan` over repositories holding an access model
//! (Cedar policies, entities, schema, template links).

use crate::common;

use std::path::Path;

use common::{assay, control, findings, fixture, json, requirement};
use serde_json::Value;
use sha2::{Digest, Sha256};

fn scan(repo: &Path, catalog: &Path) -> Value {
    let out = common::scan_catalog(repo, catalog, &["--format", "json", "--soft-fail"]);
    common::exited(&out, 0);
    json(&out)
}

/// The one finding of a control over a one-model repository, checked for its status.
fn only<'a>(results: &'a Value, id: &str, status: &str) -> &'a Value {
    let all = control(results, id)["findings"].as_array().unwrap();
    assert_eq!(all.len(), 1, "{id}: {all:#?}");
    assert_eq!(all[0]["status"], status, "{id}: {:#?}", all[0]);
    assert_eq!(all[0]["resource"], "access model access/");
    &all[0]
}

fn message(finding: &Value) -> &str {
    finding["message"].as_str().unwrap()
}

fn location(finding: &Value) -> (&str, Option<u64>) {
    (
        finding["location"]["path"].as_str().unwrap(),
        finding["location"]["line"].as_u64(),
    )
}

/// Each question kind passes on one control and fails on another; failures name the
/// offending principals and the allowing policies (`@id`, Cedar's `policy0`, `link:<id>`)
/// with file:line, and point at the first allowing policy.
#[test]
fn every_question_kind_passes_and_fails() {
    let r = scan(&fixture("cedar/repo"), &fixture("cedar/catalog"));

    let f = only(&r, "cedar-who-can-pass", "pass");
    assert_eq!(
        message(f),
        "1 principal(s) may perform Action::\"approve\" on Environment::\"production\", as required: User::\"eve\""
    );
    let f = only(&r, "cedar-nobody-can-pass", "pass");
    assert_eq!(
        message(f),
        "no `User` may perform Action::\"delete\" on Database::\"prod-db\""
    );
    only(&r, "cedar-sod-pass", "pass");

    // A template link grants gus admin on production: outside the admins group.
    let f = only(&r, "cedar-who-can-fail", "fail");
    assert_eq!(
        message(f),
        "1 principal(s) outside Group::\"admins\" may perform Action::\"admin\" on Environment::\"production\": User::\"gus\" (by `link:gus-oncall` at access/links.json:2)"
    );
    assert_eq!(location(f), ("access/links.json", Some(2)));

    // Two assertions broken at once: the count, and chen's `mfa = false` (with the line of
    // chen's entity).
    let f = only(&r, "cedar-who-can-limits", "fail");
    assert!(
        message(f).starts_with("4 principals may perform Action::\"deploy\" on Environment::\"production\", more than the 1 allowed: User::\"amara\" (by `engineers-deploy` at access/policies.cedar:4),"),
        "{}",
        message(f)
    );
    assert!(
        message(f).ends_with("; 1 principal(s) allowed to perform Action::\"deploy\" on Environment::\"production\" lack mfa = true: User::\"chen\" (access/entities.json:7) has mfa = false"),
        "{}",
        message(f)
    );
    assert_eq!(location(f), ("access/policies.cedar", Some(4)));

    // `actions: any` and a `when` filter: the contractor may read the database through an
    // unnamed policy (Cedar's id, numbered across files in path order).
    let f = only(&r, "cedar-nobody-can-fail", "fail");
    assert_eq!(
        message(f),
        "1 principal(s) may perform any action on Database::\"prod-db\": User::\"finn\" (Action::\"read\" by `policy0` at access/contractors.cedar:2)"
    );
    assert_eq!(location(f), ("access/contractors.cedar", Some(2)));

    let f = only(&r, "cedar-sod-fail", "fail");
    assert_eq!(
        message(f),
        "1 principal(s) may perform both Action::\"admin\" and Action::\"deploy\" on Environment::\"production\": User::\"amara\" (Action::\"admin\" by `admins-administer` at access/policies.cedar:1; Action::\"deploy\" by `engineers-deploy` at access/policies.cedar:4)"
    );

    // The evidence is the sha256 of every file of the model.
    let mut digests: Vec<String> = [
        "contractors.cedar",
        "entities.json",
        "links.json",
        "policies.cedar",
    ]
    .iter()
    .map(|f| {
        let bytes = std::fs::read(fixture("cedar/repo/access").join(f)).unwrap();
        hex::encode(Sha256::digest(bytes))
    })
    .collect();
    digests.sort();
    assert_eq!(f["evidence"], serde_json::json!(digests));
}

/// The built-in access controls judge a repository's model in a plain `assay scan`, and the
/// terminal output names the allowing policy's file and line.
#[test]
fn builtin_access_controls_show_in_a_scan() {
    let out = assay()
        .arg("scan")
        .arg(fixture("cedar/repo"))
        .args(["--format", "json"])
        .output()
        .unwrap();
    let r = json(&out);
    let group = findings(&r, "access-privileged-group", "fail");
    assert_eq!(group.len(), 1);
    assert!(
        message(group[0]).contains("outside Group::\"prod-admins\""),
        "{}",
        message(group[0])
    );
    assert_eq!(findings(&r, "access-prod-change-sod", "pass").len(), 1);
    let cc61 = requirement(&r, "soc2", "CC6.1");
    assert!(cc61["controls"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c == "access-privileged-group"));

    let text = assay()
        .arg("scan")
        .arg(fixture("cedar/repo"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&text.stdout);
    assert!(stdout.contains("access-privileged-group"), "{stdout}");
    assert!(stdout.contains("access/policies.cedar:1"), "{stdout}");
}

/// A policy that does not parse makes the model's finding an error naming file:line:column.
#[test]
fn a_parse_error_names_file_line_and_column() {
    let r = scan(&fixture("cedar/parse-error"), &fixture("cedar/catalog"));
    for c in r["controls"].as_array().unwrap() {
        let f = &c["findings"][0];
        assert_eq!(f["status"], "error", "{c:#?}");
        assert_eq!(
            f["message"],
            "the access model cannot be read: policies.cedar:3:25: unexpected token `>`"
        );
        assert_eq!(f["location"]["line"], 3);
    }
}

/// With a schema, every validation error is reported with its position and Cedar's hint.
#[test]
fn schema_validation_errors_are_located() {
    let r = scan(&fixture("cedar/schema-invalid"), &fixture("cedar/catalog"));
    let f = &control(&r, "cedar-sod-pass")["findings"][0];
    assert_eq!(f["status"], "error");
    assert_eq!(
        f["message"],
        "the policies fail validation against the schema: policy `department-deploy` at policies.cedar:6:8: for policy `policy1`, attribute `departmnt` on entity type `User` not found (did you mean `department`?)"
    );
    assert_eq!(f["location"]["path"], "policies.cedar");
    assert_eq!(f["location"]["line"], 6);

    // Entities that do not conform to the schema: an error at the offending entity.
    let dir = tempfile::tempdir().unwrap();
    for file in ["org.cedarschema", "policies.cedar"] {
        std::fs::copy(
            fixture("cedar/schema-invalid").join(file),
            dir.path().join(file),
        )
        .unwrap();
    }
    std::fs::write(
        dir.path().join("policies.cedar"),
        "permit (principal in Group::\"admins\", action == Action::\"admin\", resource);\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("entities.json"),
        "[\n  {\"uid\": {\"type\": \"Group\", \"id\": \"admins\"}, \"attrs\": {}, \"parents\": []},\n  {\"uid\": {\"type\": \"User\", \"id\": \"amara\"}, \"attrs\": {\"department\": 7}, \"parents\": []}\n]\n",
    )
    .unwrap();
    let r = scan(dir.path(), &fixture("cedar/catalog"));
    let f = &control(&r, "cedar-sod-pass")["findings"][0];
    assert_eq!(f["status"], "error");
    let message = f["message"].as_str().unwrap();
    assert!(
        message.starts_with("the entities do not conform to the schema: entities.json:3:1: "),
        "{message}"
    );
    assert!(message.contains("department"), "{message}");
    assert_eq!(f["location"]["line"], 3);
}

/// An entity file that is not JSON is a scan error with file:line:column, and the model's
/// findings are errors rather than answers about half a model.
#[test]
fn unreadable_entities_are_reported_and_the_model_is_not_judged() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        fixture("cedar/repo/access/policies.cedar"),
        dir.path().join("policies.cedar"),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("entities.json"),
        "[\n  {\"uid\": {\"type\": \"User\" \"id\": \"a\"}}\n]\n",
    )
    .unwrap();
    let r = scan(dir.path(), &fixture("cedar/catalog"));
    let error = &r["errors"][0];
    assert_eq!(error["path"], "entities.json");
    assert_eq!(
        (error["line"].as_u64(), error["column"].as_u64()),
        (Some(2), Some(27))
    );
    assert!(error["hint"]
        .as_str()
        .unwrap()
        .contains("JSON array of Cedar entities"));
    let f = &control(&r, "cedar-who-can-pass")["findings"][0];
    assert_eq!(f["status"], "error");
    assert!(
        f["message"]
            .as_str()
            .unwrap()
            .contains("the access model is incomplete: `entities.json`"),
        "{f:#?}"
    );
}

/// `collectors.access` in assay.yaml names the files of the model when they do not follow
/// the naming convention.
#[test]
fn a_configured_model_is_read_from_assay_yaml() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("authz")).unwrap();
    std::fs::create_dir_all(root.join("directory")).unwrap();
    std::fs::copy(
        fixture("cedar/repo/access/policies.cedar"),
        root.join("authz/main.cedar"),
    )
    .unwrap();
    std::fs::copy(
        fixture("cedar/repo/access/entities.json"),
        root.join("directory/people.json"),
    )
    .unwrap();
    std::fs::write(
        root.join("assay.yaml"),
        "builtin: false\ncollectors:\n  access:\n    policies: [\"authz/*.cedar\"]\n    entities: [directory/people.json]\n",
    )
    .unwrap();
    let out = assay()
        .arg("scan")
        .arg(root)
        .arg("--controls")
        .arg(fixture("cedar/catalog"))
        .args(["--format", "json"])
        .output()
        .unwrap();
    let r = json(&out);
    let f = &control(&r, "cedar-sod-fail")["findings"][0];
    assert_eq!(f["status"], "fail");
    assert_eq!(f["resource"], "access model collectors.access");
    assert!(message(f).contains("`admins-administer` at authz/main.cedar:1"));

    std::fs::write(
        root.join("assay.yaml"),
        "collectors:\n  access:\n    polices: [\"authz/*.cedar\"]\n",
    )
    .unwrap();
    let out = assay().arg("scan").arg(root).output().unwrap();
    let stderr = common::exited(&out, 2);
    assert!(
        stderr.contains("assay.yaml:3:5: error: unknown key `polices`"),
        "{stderr}"
    );
}

/// Mistakes in a control's Cedar question stop the run with control.yaml:line:column.
#[test]
fn a_bad_question_is_located_in_the_control() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("bad");
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::write(
        folder.join("control.yaml"),
        concat!(
            "id: bad\ntitle: t\ndescription: d\nfamily: access\nseverity: high\nremediation: r\n",
            "check:\n  cedar:\n    who_can:\n      principal_types: [User]\n",
            "      action: Action::deploy\n",
            "      resource: 'Environment::\"production\"'\n",
            "      when: principal.shared ==\n",
            "      max_principals: 2\n",
        ),
    )
    .unwrap();
    let out = common::scan_catalog(fixture("cedar/repo"), dir.path(), &[]);
    let stderr = common::exited(&out, 2);
    assert!(
        stderr.contains("control.yaml:11:7: error: invalid entity uid `Action::deploy`"),
        "{stderr}"
    );
    assert!(stderr.contains("single-quote the whole uid"), "{stderr}");
    assert!(
        stderr.contains("control.yaml:13:7: error: invalid Cedar expression"),
        "{stderr}"
    );
}
