fn main() -> std::process::ExitCode {
    // Like other command-line tools, stop quietly when the reader of stdout goes away
    // (`assay … | head`) instead of panicking on the failed write.
    #[cfg(unix)]
    #[allow(unsafe_code)]
    // SAFETY: restoring the default disposition of SIGPIPE before any thread starts.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    assay_engine::cli::main()
}
