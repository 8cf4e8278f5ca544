//! The worker process: runs one target's inputs under the limits that turn a hostile input's
//! effect into something the supervisor can see. Each input is written to the `current` file
//! before it runs, on a thread with a fixed stack under `catch_unwind`; the process's address
//! space is capped, and a watchdog ends the process when one input runs too long.

use std::io::Write;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::mutate::Mutator;
use crate::rng::Rng;
use crate::seeds::Fixtures;
use crate::targets::{Sandbox, Target};

/// Stack of the thread that runs the inputs.
pub const STACK: usize = 16 << 20;
/// Address-space cap of a worker.
pub const ADDRESS_SPACE: u64 = 2 << 30;
/// One input may run this long.
pub const INPUT_TIMEOUT: Duration = Duration::from_secs(10);
/// The first input of a worker may run this many times [`INPUT_TIMEOUT`].
const FIRST_INPUT_FACTOR: u32 = 6;
/// Exit code of a worker whose input ran past [`INPUT_TIMEOUT`].
pub const EXIT_TIMEOUT: i32 = 86;
/// Exit code of a worker whose input panicked.
pub const EXIT_PANIC: i32 = 87;

/// The files a worker shares with its supervisor, in the worker's folder.
pub struct WorkerFiles {
    pub dir: PathBuf,
}

impl WorkerFiles {
    /// The input running now.
    pub fn current(&self) -> PathBuf {
        self.dir.join("current")
    }
    /// The number of inputs run so far, as decimal text.
    pub fn executions(&self) -> PathBuf {
        self.dir.join("executions")
    }
    /// The worker's standard error, where panics, aborts and timeouts are described.
    pub fn stderr(&self) -> PathBuf {
        self.dir.join("stderr")
    }
}

/// Caps the address space of this process (Unix; elsewhere a no-op) and disables core dumps.
pub fn limit_memory() {
    #[cfg(unix)]
    #[allow(unsafe_code)]
    // SAFETY: setrlimit with valid pointers to initialised rlimit values.
    unsafe {
        let cap = libc::rlimit {
            rlim_cur: ADDRESS_SPACE as libc::rlim_t,
            rlim_max: ADDRESS_SPACE as libc::rlim_t,
        };
        libc::setrlimit(libc::RLIMIT_AS, &cap);
        let none = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        libc::setrlimit(libc::RLIMIT_CORE, &none);
    }
}

/// Ends the process when the running input passes its deadline.
struct Watchdog {
    start: Instant,
    /// Milliseconds since `start` by which the running input must end; `u64::MAX` when none
    /// runs.
    deadline: AtomicU64,
}

impl Watchdog {
    /// Starts the watchdog thread: it ends the process with [`EXIT_TIMEOUT`] when an input
    /// runs past its deadline.
    fn spawn() -> Arc<Watchdog> {
        let dog = Arc::new(Watchdog {
            start: Instant::now(),
            deadline: AtomicU64::new(u64::MAX),
        });
        let watched = Arc::clone(&dog);
        std::thread::spawn(move || loop {
            std::thread::sleep(Duration::from_millis(100));
            let deadline = watched.deadline.load(Ordering::SeqCst);
            if watched.start.elapsed().as_millis() as u64 > deadline {
                eprintln!(
                    "timeout: one input ran longer than {} s",
                    INPUT_TIMEOUT.as_secs()
                );
                std::process::exit(EXIT_TIMEOUT);
            }
        });
        dog
    }

    /// Arms the watchdog for input number `index` of this process. The first one also fills
    /// the target's caches (the built-in catalog, the Rego test inputs), so it gets longer.
    fn begin(&self, index: u64) {
        let allowed = if index == 0 {
            INPUT_TIMEOUT * FIRST_INPUT_FACTOR
        } else {
            INPUT_TIMEOUT
        };
        let deadline = (self.start.elapsed() + allowed).as_millis() as u64;
        self.deadline.store(deadline, Ordering::SeqCst);
    }

    fn end(&self) {
        self.deadline.store(u64::MAX, Ordering::SeqCst);
    }
}

/// Runs `body` on a thread with a [`STACK`]-sized stack; a panic ends the process with
/// [`EXIT_PANIC`] after the panic hook has described it on standard error.
fn on_big_stack(body: impl FnOnce() + Send + 'static) {
    let handle = std::thread::Builder::new()
        .name("fuzz-input".into())
        .stack_size(STACK)
        .spawn(move || catch_unwind(AssertUnwindSafe(body)).is_ok())
        .expect("spawn the input thread");
    if !handle.join().unwrap_or(false) {
        let _ = std::io::stderr().flush();
        std::process::exit(EXIT_PANIC);
    }
}

/// How long a worker fuzzes: whichever of its time and its count of inputs runs out first.
#[derive(Debug, Clone, Copy)]
pub struct Budget {
    pub seconds: f64,
    pub executions: u64,
}

/// Fuzzes `target` within `budget`, starting its input stream at `seed` / `stream`.
pub fn fuzz(
    target: Target,
    repo: &Path,
    files: WorkerFiles,
    seed: u64,
    stream: u64,
    budget: Budget,
) {
    limit_memory();
    let fixtures = Fixtures::scan(repo);
    let mutator = Mutator::new(target.corpus(&fixtures), target.tokens);
    let sandbox = Sandbox::new(&files.dir.join("sandbox"), repo);
    let dog = Watchdog::spawn();
    on_big_stack(move || {
        let mut rng = Rng::derived(seed, target.name, stream);
        let deadline = Instant::now() + Duration::from_secs_f64(budget.seconds);
        let mut executions: u64 = 0;
        let mut reported = Instant::now();
        // The first worker of a target runs every seed as it is, then mutations of them; its
        // restarts (after a finding) go on with mutations only.
        let mut seeds = if stream == 0 {
            mutator.seeds().to_vec()
        } else {
            Vec::new()
        }
        .into_iter();
        while Instant::now() < deadline && executions < budget.executions {
            let input = seeds.next().unwrap_or_else(|| mutator.generate(&mut rng));
            std::fs::write(files.current(), &input).expect("write the current input");
            dog.begin(executions);
            (target.run)(&sandbox, &input);
            dog.end();
            executions += 1;
            if reported.elapsed() > Duration::from_millis(250) {
                std::fs::write(files.executions(), executions.to_string()).ok();
                reported = Instant::now();
            }
        }
        std::fs::write(files.executions(), executions.to_string()).ok();
    });
}

/// Runs `inputs` through `target` once each under the worker's limits, with `scratch` as the
/// sandbox folder; any failure ends the process as in [`fuzz`].
pub fn replay(target: Target, repo: &Path, scratch: &Path, inputs: Vec<Vec<u8>>) {
    limit_memory();
    let sandbox = Sandbox::new(scratch, repo);
    let dog = Watchdog::spawn();
    on_big_stack(move || {
        for (index, input) in inputs.into_iter().enumerate() {
            dog.begin(index as u64);
            (target.run)(&sandbox, &input);
            dog.end();
        }
    });
}
