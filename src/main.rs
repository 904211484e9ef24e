//! The `archsim` binary. Natively: the command line, or the desktop app when run without a subcommand
//! (all of it lives in the library, see `archsim::cli`). In the browser: the web app.

#[cfg(not(target_arch = "wasm32"))]
fn main() -> std::process::ExitCode {
    archsim::cli::main()
}

// The JS functions of the web build live in the library; naming them here keeps them in the binary's
// exports (wasm-bindgen runs `main` from `init()`).
#[cfg(target_arch = "wasm32")]
pub use archsim::ui::web::{archsim_report_json, archsim_run, archsim_run_json, archsim_state};

#[cfg(target_arch = "wasm32")]
fn main() {
    archsim::ui::web::start();
}
