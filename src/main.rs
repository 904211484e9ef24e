//! The `archsim` binary. Natively: the command line, or the desktop app when run without a subcommand
//! (all of it lives in the library, see `archsim::cli`).

#[cfg(not(target_arch = "wasm32"))]
fn main() -> std::process::ExitCode {
    archsim::cli::main()
}

// The web build's entry point belongs to the UI (wasm-bindgen runs `main` from `init()`).
#[cfg(target_arch = "wasm32")]
fn main() {}
