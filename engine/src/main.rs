fn main() -> std::process::ExitCode {
    assay_engine::cli::main()
}
