//! A quick slice of the importer fuzzing (the long run: `cargo run --release --example fuzz_import`):
//! mutated real files never panic, and errors name a place in the file.

use super::mutate;

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

/// Found by the long run (`examples/fuzz_import.rs`, seed 1, 100,000 mutants of `checkout.mmd`): a label
/// with a character wider than a byte just before a rate, or within 12 bytes after an `&`, made the rate
/// reader and the entity decoder slice inside that character and panic.
#[test]
fn wide_characters_next_to_rates_and_ampersands_do_not_panic() {
    let rate = |label: &str| {
        let text = format!("flowchart LR\n  u[{label}] --> api[API]\n");
        let i = archsim::interop::import(None, &text, "rates.mmd").unwrap();
        let archsim::model::NodeKind::Client(c) = &i.scenario.nodes[0].kind else {
            panic!("{label}: not a client")
        };
        c.rate_rps
    };
    // 'é' right before the number: the number still reads; inside it: no number, the default rate.
    assert_eq!(rate("Usersé50 rps"), 50.0);
    assert_eq!(rate("users 50é rps"), 100.0);
    assert_eq!(rate("users 1,500 rps"), 1500.0);
    for text in [
        "flowchart LR\n  a[&abcdefghijé] --> b\n",
        "flowchart LR\n  a[R&D 😀 team] --> b\n",
    ] {
        check(
            Some(archsim::interop::Format::Mermaid),
            "wide.mmd",
            text.as_bytes(),
        )
        .unwrap();
    }
}
