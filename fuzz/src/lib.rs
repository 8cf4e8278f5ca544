//! Mutation fuzzing of every assay parser and loader on the stable toolchain.
//!
//! [`targets`] holds one function per parser or loader; [`mutate`] makes inputs from the
//! [`seeds`] (the repository's own fixtures); [`worker`] runs a target's inputs in a child
//! process under a stack size, an address-space cap and a per-input watchdog; [`supervisor`]
//! re-executes the binary as a worker per target, saves what killed it under
//! `fuzz/artifacts/`, and restarts it. Inputs that once failed are kept under
//! `fuzz/regressions/<target>/` and replayed by `cargo test -p assay-fuzz`.

pub mod mutate;
pub mod rng;
pub mod seeds;
pub mod supervisor;
pub mod targets;
pub mod worker;
