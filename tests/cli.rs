//! The `archsim` binary as a person uses it: exit codes, messages, JSON output.

use std::path::PathBuf;
use std::process::{Command, Output};

use archsim::model::presets::presets;

fn archsim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_archsim"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("the archsim binary runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A file in Cargo's per-test temporary directory.
fn temp_file(name: &str, text: &str) -> PathBuf {
    let path = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    std::fs::write(&path, text).expect("temp dir is writable");
    path
}

const URL_SHORTENER: &str = include_str!("../scenarios/url_shortener.ron");

#[test]
fn list_shows_every_preset() {
    let o = archsim(&["list"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("url_shortener"), "{out}");
    for p in presets() {
        let line = out
            .lines()
            .find(|l| l.trim_start().starts_with(p.name))
            .unwrap_or_else(|| panic!("{} missing from:\n{out}", p.name));
        assert!(
            line.len() > p.name.len() + 10,
            "no description for {}: {line}",
            p.name
        );
    }
}

#[test]
fn validate_accepts_good_files_and_presets() {
    let o = archsim(&["validate", "scenarios/url_shortener.ron", "url_shortener"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o).matches(": ok").count(), 2, "{}", stdout(&o));
}

#[test]
fn validate_reports_every_problem_and_exits_1() {
    let bad = URL_SHORTENER
        .replace("replicas: 3,", "replicas: 0,")
        .replace("hit_ratio: 0.9,", "hit_ratio: 1.5,");
    assert_ne!(
        bad, URL_SHORTENER,
        "the preset changed: update this test's replacements"
    );
    let bad = temp_file("validate_bad.ron", &bad);
    let syntax = temp_file(
        "validate_syntax.ron",
        "(\n    version: 1,\n    nodes: [ oops ],\n)\n",
    );
    let o = archsim(&[
        "validate",
        "scenarios/url_shortener.ron",
        bad.to_str().unwrap(),
        syntax.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    let (out, err) = (stdout(&o), stderr(&o));
    assert!(out.contains("scenarios/url_shortener.ron: ok"), "{out}");
    assert!(err.contains("validate_bad.ron"), "{err}");
    assert!(
        err.contains("node 'app'") && err.contains("replicas") && err.contains("is 0"),
        "{err}"
    );
    assert!(
        err.contains("node 'cache'") && err.contains("hit_ratio") && err.contains("1.5"),
        "{err}"
    );
    // Syntax errors give file:line:col.
    assert!(err.contains("validate_syntax.ron:3:"), "{err}");
}

#[test]
fn validate_of_a_missing_file_names_it_and_the_presets() {
    let o = archsim(&["validate", "no/such/file.ron"]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(
        err.contains("no/such/file.ron") && err.contains("url_shortener"),
        "{err}"
    );
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(archsim(&["run"]).status.code(), Some(2));
    assert_eq!(archsim(&["validate"]).status.code(), Some(2));
    assert_eq!(archsim(&["frobnicate"]).status.code(), Some(2));
    let o = archsim(&["run", "url_shortener", "--load", "-1"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--load"), "{}", stderr(&o));
    assert_eq!(
        archsim(&["run", "url_shortener", "--load", "0"])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(
        archsim(&["run", "url_shortener", "--load", "inf"])
            .status
            .code(),
        Some(2)
    );
}

#[test]
fn set_with_an_unknown_node_exits_1_and_lists_the_nodes() {
    let o = archsim(&["run", "url_shortener", "--set", "nope.replicas=3"]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(
        err.contains("--set nope.replicas=3") && err.contains("no node 'nope'"),
        "{err}"
    );
    assert!(err.contains("app"), "should list the nodes: {err}");
}

#[test]
fn overrides_are_validated() {
    let o = archsim(&["run", "url_shortener", "--set", "app.replicas=0"]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(
        err.contains("node 'app'") && err.contains("replicas") && err.contains("overrides"),
        "{err}"
    );
    let o = archsim(&["run", "url_shortener", "--duration", "10", "--warmup", "20"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("warmup_s"), "{}", stderr(&o));
}

/// Needs the engine.
#[test]
fn run_json_to_stdout_has_the_documented_fields() {
    let o = archsim(&[
        "run",
        "url_shortener",
        "--duration",
        "3",
        "--warmup",
        "1",
        "--seed",
        "7",
        "--json",
        "-",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("stdout is only JSON");
    assert_eq!(v["scenario"], "URL shortener");
    assert_eq!(v["seed"], 7);
    assert_eq!(v["load"], 1.0);
    assert_eq!(v["sim_time_s"], 3.0);
    assert_eq!(v["warmup_s"], 1.0);
    assert!(
        v["wall_time_s"].as_f64().unwrap() > 0.0,
        "the CLI fills wall_time_s"
    );
    assert!(v["events"].as_u64().unwrap() > 0);
    for f in ["throughput_rps", "offered_rps"] {
        assert!(v[f].as_f64().is_some(), "{f}");
    }
    let q = &v["requests"];
    let n = |f: &str| q[f].as_u64().unwrap_or_else(|| panic!("requests.{f}"));
    assert!(n("offered") > 0);
    assert_eq!(
        n("offered"),
        n("succeeded") + n("failed") + n("timed_out") + n("rejected") + n("in_flight"),
        "conservation"
    );
    for f in ["count", "mean", "p50", "p90", "p99", "p999", "max"] {
        assert!(v["latency_ms"][f].is_number(), "latency_ms.{f}");
    }
    let nodes = v["nodes"].as_array().unwrap();
    let ids: Vec<&str> = nodes.iter().map(|n| n["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["users", "lb", "app", "cache", "db"]);
    for node in nodes {
        for f in [
            "kind",
            "utilization",
            "mean_queue_len",
            "max_queue_len",
            "arrivals",
            "completed",
            "rejected",
            "failed",
            "throughput_rps",
            "mean_in_system",
            "latency_ms",
        ] {
            assert!(!node[f].is_null(), "nodes[].{f} in {node}");
        }
    }
    assert!(v["series"]["t_s"].is_array());
}

/// Needs the engine.
#[test]
fn run_is_deterministic_and_the_text_report_is_readable() {
    let args = [
        "run",
        "url_shortener",
        "--duration",
        "3",
        "--warmup",
        "1",
        "--load",
        "10",
    ];
    let a = archsim(&args);
    assert!(a.status.success(), "{}", stderr(&a));
    let text = stdout(&a);
    for needle in [
        "p50",
        "p99",
        "p99.9",
        "succeeded",
        "rejected",
        "in flight",
        "Busiest node:",
        "app",
        "db",
    ] {
        assert!(text.contains(needle), "missing {needle:?} in:\n{text}");
    }
    // Same seed, same numbers: only the wall-time line may differ.
    let b = archsim(&args);
    let strip = |s: &str| {
        s.lines()
            .filter(|l| !l.contains("wall time"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(strip(&text), strip(&stdout(&b)));
}

/// Needs the engine.
#[test]
fn run_json_to_a_file_also_prints_the_text_report() {
    let path = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("run_report.json");
    let _ = std::fs::remove_file(&path);
    let o = archsim(&[
        "run",
        "url_shortener",
        "--duration",
        "2",
        "--warmup",
        "1",
        "--json",
        path.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("Busiest node:"), "{}", stdout(&o));
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(v["scenario"], "URL shortener");
}
