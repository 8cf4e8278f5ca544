//! The supervisor and the replay catch each way a worker can die: panic, stack overflow,
//! allocation past the address-space cap, and an input that never returns.

use std::process::Command;

fn fuzz() -> Command {
    Command::new(env!("CARGO_BIN_EXE_assay-fuzz"))
}

#[test]
fn run_saves_the_input_and_reason_of_each_crash() {
    let artifacts = tempfile::tempdir().unwrap();
    let out = fuzz()
        .args(["run", "--total-seconds", "6", "--artifacts"])
        .arg(artifacts.path())
        .args(["selftest-panic", "selftest-overflow", "selftest-alloc"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    for (target, trigger, reason) in [
        ("selftest-panic", "panic", "selftest panic"),
        ("selftest-overflow", "overflow", "overflowed its stack"),
        (
            "selftest-alloc",
            "alloc",
            "memory allocation of 3221225472 bytes failed",
        ),
    ] {
        let dir = artifacts.path().join(target);
        let saved: Vec<_> = std::fs::read_dir(&dir)
            .unwrap_or_else(|_| panic!("no artifacts for {target}: {stdout}"))
            .flatten()
            .map(|e| e.path())
            .collect();
        let input = saved
            .iter()
            .find(|p| p.extension().is_none())
            .expect("the input is saved");
        assert!(input
            .file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with("crash-"));
        assert_eq!(std::fs::read(input).unwrap(), trigger.as_bytes());
        let why = std::fs::read_to_string(input.with_extension("txt")).unwrap();
        assert!(why.contains(reason), "{target}: {why}");
        assert!(stdout.contains(target), "{stdout}");
    }
}

#[test]
fn replay_fails_on_a_hang_and_passes_a_harmless_input() {
    let dir = tempfile::tempdir().unwrap();
    let (hang, fine) = (dir.path().join("hang"), dir.path().join("fine"));
    std::fs::write(&hang, "hang").unwrap();
    std::fs::write(&fine, "fine").unwrap();
    let replay = |inputs: &[&std::path::Path]| {
        fuzz()
            .args(["replay", "--target", "selftest-hang", "--scratch"])
            .arg(dir.path().join("scratch"))
            .args(inputs)
            .output()
            .unwrap()
    };
    // The first input of a worker is allowed longer; the hang comes second.
    let out = replay(&[&fine, &hang]);
    assert_eq!(out.status.code(), Some(86));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("timeout: one input ran longer than 10 s")
    );
    assert!(replay(&[&fine]).status.success());
}
