//! Targets that fail on purpose, one per way a worker can die, so that tests can show the
//! supervisor and the replay catch each. They are not part of [`super::all`].

use super::{texts, Target};

/// Recurses until the stack runs out (the condition is never true, but the compiler
/// cannot know).
fn overflow(depth: u64) -> u64 {
    let frame = std::hint::black_box([depth; 32]);
    if std::hint::black_box(depth) == u64::MAX {
        return 0;
    }
    overflow(depth + 1).wrapping_add(frame[7])
}

pub fn targets() -> Vec<Target> {
    vec![
        Target {
            name: "selftest-panic",
            about: "panics on the input `panic`",
            fixtures: |_| false,
            seeds: || texts(&["panic"]),
            tokens: &[],
            run: |_, input| assert!(input != b"panic", "selftest panic"),
        },
        Target {
            name: "selftest-overflow",
            about: "overflows its stack on the input `overflow`",
            fixtures: |_| false,
            seeds: || texts(&["overflow"]),
            tokens: &[],
            run: |_, input| {
                if input == b"overflow" {
                    std::hint::black_box(overflow(0));
                }
            },
        },
        Target {
            name: "selftest-alloc",
            about: "allocates past the address-space cap on the input `alloc`",
            fixtures: |_| false,
            seeds: || texts(&["alloc"]),
            tokens: &[],
            run: |_, input| {
                if input == b"alloc" {
                    std::hint::black_box(Vec::<u8>::with_capacity(3 << 30));
                }
            },
        },
        Target {
            name: "selftest-hang",
            about: "never returns on the input `hang`",
            fixtures: |_| false,
            seeds: || texts(&["hang"]),
            tokens: &[],
            run: |_, input| {
                if input == b"hang" {
                    loop {
                        std::thread::sleep(std::time::Duration::from_millis(50));
                    }
                }
            },
        },
    ]
}
