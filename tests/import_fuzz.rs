//! A quick slice of the importer fuzzing (the long run: `cargo run --release --example fuzz_import`):
//! mutated real files never panic, and errors name a place in the file.

#[path = "support/mutate.rs"]
mod mutate;

use mutate::{CORPUS, Rng, check, mutate};

/// Mutants per corpus file in `cargo test`.
const QUICK: usize = 300;

#[test]
fn mutated_diagrams_never_panic() {
    for (i, (path, format)) in CORPUS.iter().enumerate() {
        let seed_file = std::fs::read(path).unwrap();
        check(Some(*format), path, &seed_file).unwrap();
        let mut rng = Rng(i as u64 + 1);
        for k in 0..QUICK {
            let m = mutate(&mut rng, &seed_file);
            // Half with the format given, half detected from the text.
            let format = (k % 2 == 0).then_some(*format);
            if let Err(e) = check(format, path, &m) {
                panic!(
                    "{path} mutant {k}: {e}\n--- input ---\n{}",
                    String::from_utf8_lossy(&m)
                );
            }
        }
    }
}

#[test]
fn hostile_inputs_are_refused_quickly() {
    let deep = format!("digraph {{ {} }}", "subgraph { ".repeat(10_000));
    assert!(archsim::interop::import(None, &deep, "deep.dot").is_err());
    let nested_xml = format!("<mxfile>{}</mxfile>", "<a>".repeat(10_000));
    assert!(archsim::interop::import(None, &nested_xml, "deep.drawio").is_err());
    let many: String = (0..300)
        .map(|i| format!("  n{i} --> n{}\n", i + 1))
        .collect();
    let e =
        archsim::interop::import(None, &format!("flowchart LR\n{many}"), "many.mmd").unwrap_err();
    assert!(e.message.contains("at most 200"), "{e}");
}
