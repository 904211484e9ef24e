//! Scenario files: round trip, and clear errors for bad input.

use std::path::{Path, PathBuf};

use archsim::analysis::queueing;
use archsim::model::{self, Dist, LbPolicy, NodeKind, Problem, Scenario, ScenarioError};

#[test]
fn preset_parses_and_round_trips() {
    let text = std::fs::read_to_string("scenarios/url_shortener.ron").unwrap();
    let s = model::from_str(&text, "url_shortener.ron").unwrap();
    assert_eq!(s.nodes.len(), 5);
    let again = model::from_str(&model::to_string(&s), "again").unwrap();
    assert_eq!(s, again);
}

// ---- every file under scenarios/ ----------------------------------------------------------------------

/// Every `.ron` file under `scenarios/`, recursively, sorted.
fn scenario_files() -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "ron") {
                out.push(path);
            }
        }
    }
    let mut files = Vec::new();
    walk(Path::new("scenarios"), &mut files);
    files.sort();
    files
}

#[test]
fn every_scenario_file_loads_validates_and_round_trips() {
    let files = scenario_files();
    let names: Vec<String> = files.iter().map(|p| p.display().to_string()).collect();
    for expected in [
        "scenarios/url_shortener.ron",
        "scenarios/news_feed.ron",
        "scenarios/job_scheduler.ron",
        "scenarios/theory/mm1_rho05.ron",
        "scenarios/theory/mm1_rho08.ron",
        "scenarios/theory/mm1_rho09.ron",
        "scenarios/theory/mmc8_rho09.ron",
        "scenarios/theory/md1_rho08.ron",
        "scenarios/theory/mm1k_k10_rho09.ron",
    ] {
        assert!(
            names.iter().any(|n| n == expected),
            "{expected} is missing: {names:?}"
        );
    }
    for path in &files {
        let s = model::load(path).unwrap_or_else(|e| panic!("{e}"));
        assert!(
            !s.description.trim().is_empty(),
            "{}: describe the scenario",
            path.display()
        );
        let again =
            model::from_str(&model::to_string(&s), "again").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            s,
            again,
            "{} does not survive a save and reload",
            path.display()
        );
    }
}

fn service(s: &Scenario, id: &str) -> model::ServiceParams {
    match &s.node(id).unwrap_or_else(|| panic!("no node {id}")).kind {
        NodeKind::Service(p) => p.clone(),
        other => panic!("{id} is not a service: {other:?}"),
    }
}

fn client_rate_rps(s: &Scenario) -> f64 {
    s.nodes
        .iter()
        .map(|n| match &n.kind {
            NodeKind::Client(c) => c.rate_rps,
            _ => 0.0,
        })
        .sum()
}

/// The theory files' descriptions quote the closed-form answer; recompute it from the file's own parameters
/// so that a parameter change without a description change (or the reverse) fails here.
#[test]
fn theory_scenarios_state_their_closed_form_answers() {
    let dir = Path::new("scenarios/theory");
    let mut seen = 0;
    // The load-balancing model has no single-queue closed form; tests/theory.rs checks it against the
    // supermarket model. Replication lag is a database's, checked by tests/replication.rs.
    let single_queue = |p: &Path| {
        !p.file_name().is_some_and(|f| {
            let f = f.to_string_lossy();
            f.starts_with("power_of_two") || f.starts_with("replication")
        })
    };
    for path in scenario_files()
        .iter()
        .filter(|p| p.starts_with(dir) && single_queue(p))
    {
        seen += 1;
        let s = model::load(path).unwrap();
        let file = path.display();
        assert_eq!(s.nodes.len(), 2, "{file}: one client, one service");
        for e in &s.edges {
            assert_eq!(
                e.latency_ms,
                Dist::constant(0.0),
                "{file}: only the queue may count"
            );
        }
        let server = service(&s, "server");
        assert_eq!(server.replicas, 1, "{file}");
        assert_eq!(server.error_probability, 0.0, "{file}");
        let lambda_rps = client_rate_rps(&s);
        let mean_s = server.service_time_ms.mean().unwrap() / 1000.0;
        let mu_rps = 1.0 / mean_s;
        let rho = queueing::utilization(lambda_rps, mu_rps, server.workers).unwrap();

        // Enough customers for a tight tolerance: 2 M after the warm-up, 4 M near saturation.
        let customers = lambda_rps * (s.duration_s - s.warmup_s);
        let needed = if rho > 0.89 { 4.0e6 } else { 2.0e6 };
        assert!(
            customers >= needed,
            "{file}: {customers} customers, want >= {needed}"
        );
        assert!(
            customers <= needed * 1.05,
            "{file}: {customers} customers is more than needed"
        );
        let warm_share = s.warmup_s / s.duration_s;
        assert!(
            (0.005..=0.02).contains(&warm_share),
            "{file}: warm-up is {warm_share} of the run"
        );

        let expected = match (
            &server.service_time_ms,
            server.workers,
            server.queue_capacity,
        ) {
            (Dist::Exponential { .. }, 1, 1_000_000) => {
                format!(
                    "W = 1/(mu-lambda) = {:.0} ms",
                    queueing::mm1_mean_sojourn_s(lambda_rps, mu_rps).unwrap() * 1e3
                )
            }
            (Dist::Exponential { .. }, c, 1_000_000) => {
                format!(
                    "= {:.2} ms mean wait",
                    queueing::mmc_mean_wait_s(c, lambda_rps, mu_rps).unwrap() * 1e3
                )
            }
            (Dist::Constant { .. }, 1, 1_000_000) => {
                format!(
                    "= {:.0} ms mean wait",
                    queueing::md1_mean_wait_s(lambda_rps, mean_s).unwrap() * 1e3
                )
            }
            (Dist::Exponential { .. }, 1, q) => {
                let p = queueing::mm1k_blocking_probability(lambda_rps, mu_rps, q + 1).unwrap();
                format!("= {p:.4} (")
            }
            other => panic!("{file}: no closed form known for {other:?}"),
        };
        assert!(
            s.description.contains(&expected),
            "{file}: description should contain {expected:?}"
        );
    }
    assert_eq!(seen, 6, "one test per theory file");
}

#[test]
fn design_presets_have_the_documented_shape() {
    let feed = model::load(Path::new("scenarios/news_feed.ron")).unwrap();
    for id in [
        "users",
        "lb",
        "feed",
        "timeline_cache",
        "posts_db",
        "fanout_queue",
        "fanout_worker",
    ] {
        assert!(feed.node(id).is_some(), "news_feed needs {id}");
    }
    match &feed.node("timeline_cache").unwrap().kind {
        NodeKind::Cache(c) => assert_eq!(c.hit_ratio, 0.95),
        k => panic!("{k:?}"),
    }
    match &feed.node("posts_db").unwrap().kind {
        NodeKind::Database(d) => assert!(d.read_replicas >= 1),
        k => panic!("{k:?}"),
    }

    let jobs = model::load(Path::new("scenarios/job_scheduler.ron")).unwrap();
    for id in ["submitters", "api", "jobs_queue", "worker_pool", "jobs_db"] {
        assert!(jobs.node(id).is_some(), "job_scheduler needs {id}");
    }
    // The story at 10x: the worker pool saturates first. Its 1x utilization, estimated from the parameters
    // (jobs/s x (run time + result write + one round trip) / consumers), must sit in the 20-50% band.
    let pool = service(&jobs, "worker_pool");
    let jobs_rps = 200.0;
    let hold_ms = pool.service_time_ms.mean().unwrap() + 3.0 + 0.5;
    let util = jobs_rps * hold_ms / 1000.0 / f64::from(pool.replicas * pool.workers);
    assert!((0.2..=0.5).contains(&util), "worker pool at 1x: {util}");
    assert!(util * 10.0 > 1.0, "10x must saturate the worker pool");
}

// ---- bad input: syntax -------------------------------------------------------------------------------

/// A small valid scenario; tests break it one way at a time. Line numbers matter below.
const BASE: &str = r#"(
    version: 1,
    name: "test",
    duration_s: 10.0,
    warmup_s: 1.0,
    nodes: [
        (id: "users", kind: Client(rate_rps: 100.0, timeout_ms: 500.0)),
        (id: "lb", kind: LoadBalancer(policy: RoundRobin)),
        (id: "app", kind: Service(replicas: 2, workers: 4, service_time_ms: Exponential(mean: 5.0), error_probability: 0.01)),
        (id: "db", kind: Database()),
    ],
    edges: [
        (from: "users", to: "lb"),
        (from: "lb", to: "app"),
        (from: "app", to: "db"),
    ],
)"#;

fn base() -> Scenario {
    model::from_str(BASE, "base.ron").unwrap_or_else(|e| panic!("{e}"))
}

/// `BASE` with one substring replaced (which must occur).
fn edit(from: &str, to: &str) -> String {
    assert!(BASE.contains(from), "BASE has no {from:?}");
    BASE.replacen(from, to, 1)
}

/// 1-based line and column where `needle` starts in `text`.
fn position_of(text: &str, needle: &str) -> (usize, usize) {
    let at = text.find(needle).unwrap();
    let line = text[..at].matches('\n').count() + 1;
    let col = at - text[..at].rfind('\n').map_or(0, |i| i + 1) + 1;
    (line, col)
}

fn syntax_error(text: &str) -> (usize, usize, String, String) {
    match model::from_str(text, "bad.ron") {
        Err(e @ ScenarioError::Syntax { .. }) => {
            let shown = e.to_string();
            let ScenarioError::Syntax {
                line, col, message, ..
            } = e
            else {
                unreachable!()
            };
            (line, col, message, shown)
        }
        other => panic!("expected a syntax error, got {other:?}"),
    }
}

#[test]
fn base_is_valid() {
    let s = base();
    assert_eq!(s.nodes.len(), 4);
    assert!(model::validate(&s).is_empty());
}

#[test]
fn syntax_error_reports_line_and_column() {
    // A missing comma after `duration_s: 10.0`: the parser notices at the next field.
    let text = edit("duration_s: 10.0,", "duration_s: 10.0");
    let (line, col, _, shown) = syntax_error(&text);
    let (want_line, want_col) = position_of(&text, "warmup_s");
    assert_eq!((line, col), (want_line, want_col), "{shown}");
    assert!(
        shown.starts_with(&format!("bad.ron:{want_line}:{want_col}: ")),
        "{shown}"
    );

    // An unclosed string runs to the end of the file; the error still points into the file.
    let text = edit("\"test\"", "\"test");
    let (line, _, _, shown) = syntax_error(&text);
    assert!((3..=text.lines().count()).contains(&line), "{shown}");
}

#[test]
fn unknown_field_is_named_with_its_position() {
    let text = edit("replicas: 2", "replica: 2");
    let (line, col, message, shown) = syntax_error(&text);
    assert!(message.contains("replica"), "{shown}");
    assert!(
        message.contains("replicas"),
        "should list the real field names: {shown}"
    );
    let (want_line, want_col) = position_of(&text, "replica:");
    assert_eq!(line, want_line, "{shown}");
    assert!(
        (want_col..=want_col + "replica".len()).contains(&col),
        "{shown}"
    );

    // The same at the top level.
    let text = edit("name:", "nmae:");
    let (line, _, message, shown) = syntax_error(&text);
    assert!(message.contains("nmae"), "{shown}");
    assert_eq!(line, 3, "{shown}");
}

#[test]
fn wrong_types_and_unknown_variants_are_syntax_errors() {
    for (from, to, needle) in [
        ("policy: RoundRobin", "policy: Fastest", "Fastest"),
        ("kind: LoadBalancer(", "kind: Balancer(", "Balancer"),
        ("replicas: 2", "replicas: -1", "replicas: -1"),
        (
            "replicas: 2",
            "replicas: 99999999999",
            "replicas: 99999999999",
        ),
        (
            "timeout_ms: 500.0",
            "timeout_ms: \"soon\"",
            "timeout_ms: \"soon\"",
        ),
        ("Exponential(mean: 5.0)", "Exponential(avg: 5.0)", "avg"),
    ] {
        let text = edit(from, to);
        let (line, _, _, shown) = syntax_error(&text);
        assert_eq!(line, position_of(&text, needle).0, "{shown}");
    }
    let (_, _, message, shown) = syntax_error(&edit("policy: RoundRobin", "policy: Fastest"));
    assert!(
        message.contains("Fastest") && message.contains("PowerOfTwo"),
        "{shown}"
    );
    // RON's own message does not name the field; the position does, and so does the added hint.
    for (from, to, field) in [
        ("replicas: 2", "replicas: -1", "replicas"),
        ("replicas: 2", "replicas: 99999999999", "replicas"),
        ("timeout_ms: 500.0", "timeout_ms: \"soon\"", "timeout_ms"),
    ] {
        let (_, _, message, shown) = syntax_error(&edit(from, to));
        assert!(message.ends_with(&format!("(field `{field}`)")), "{shown}");
    }
    // No hint where the position is not on a value.
    let (_, _, message, shown) = syntax_error(&edit("duration_s: 10.0,", "duration_s: 10.0"));
    assert_eq!(message, "Expected comma", "{shown}");
}

#[test]
fn no_input_panics() {
    // Every truncation and every single-character deletion of a valid file: an error or a scenario, never a
    // panic, and syntax positions always inside the text.
    let lines = BASE.lines().count() + 1;
    let mut variants: Vec<String> = (0..BASE.len())
        .filter(|&i| BASE.is_char_boundary(i))
        .map(|i| BASE[..i].to_owned())
        .collect();
    variants.extend(
        (0..BASE.len())
            .filter(|&i| BASE.is_char_boundary(i))
            .map(|i| {
                let mut s = BASE.to_owned();
                s.remove(i);
                s
            }),
    );
    variants.extend(
        [
            "",
            "(",
            ")",
            "()",
            "[]",
            "\u{0}",
            "(nodes: [(id: \"x\")])",
            "(version: 4294967296)",
        ]
        .map(String::from),
    );
    for v in &variants {
        if let Err(ScenarioError::Syntax { line, col, .. }) = model::from_str(v, "cut.ron") {
            assert!(
                (1..=lines).contains(&line) && col >= 1,
                "{line}:{col} out of range for {v:?}"
            );
        }
    }
    // Non-finite numbers parse (RON has them) and are then refused by validation.
    for (from, to) in [
        ("rate_rps: 100.0", "rate_rps: NaN"),
        ("rate_rps: 100.0", "rate_rps: inf"),
        ("duration_s: 10.0", "duration_s: inf"),
        ("mean: 5.0", "mean: NaN"),
    ] {
        assert!(
            matches!(
                model::from_str(&edit(from, to), "x"),
                Err(ScenarioError::Invalid { .. })
            ),
            "{to}"
        );
    }
}

// ---- bad input: meaning ------------------------------------------------------------------------------

/// The validation problems of `text` (which must parse), and the whole error as shown to the user.
fn invalid(text: &str) -> (Vec<Problem>, String) {
    match model::from_str(text, "bad.ron") {
        Err(e @ ScenarioError::Invalid { .. }) => {
            let shown = e.to_string();
            let ScenarioError::Invalid { problems, .. } = e else {
                unreachable!()
            };
            (problems, shown)
        }
        other => panic!("expected validation problems, got {other:?}"),
    }
}

/// Exactly one problem, shown as `place, field `field`: ...` and containing every one of `words`.
fn one_problem(text: &str, place: &str, field: &str, words: &[&str]) -> Problem {
    let (problems, shown) = invalid(text);
    assert_eq!(problems.len(), 1, "{shown}");
    let p = problems.into_iter().next().unwrap();
    assert_eq!(
        (p.place.as_str(), p.field.as_str()),
        (place, field),
        "{shown}"
    );
    let line = p.to_string();
    assert!(
        line.starts_with(&format!("{place}, field `{field}`: ")),
        "{line}"
    );
    for w in words {
        assert!(line.contains(w), "{line:?} should mention {w:?}");
    }
    assert!(shown.starts_with("bad.ron: 1 problem(s):\n  - "), "{shown}");
    p
}

#[test]
fn edge_naming_an_unknown_node() {
    let p = one_problem(
        &edit(r#"(from: "app", to: "db")"#, r#"(from: "app", to: "dbb")"#),
        "edge 'app -> dbb'",
        "to",
        &["'dbb'", "does not exist"],
    );
    assert_eq!(p.node_id(), None);
    one_problem(
        &edit(
            r#"(from: "app", to: "db"),"#,
            r#"(from: "app", to: "db"), (from: "ghost", to: "db"),"#,
        ),
        "edge 'ghost -> db'",
        "from",
        &["'ghost'", "does not exist"],
    );
}

#[test]
fn negative_rate() {
    let p = one_problem(
        &edit("rate_rps: 100.0", "rate_rps: -5.0"),
        "node 'users'",
        "rate_rps",
        &["-5", "allowed: 0 to"],
    );
    assert_eq!(p.node_id(), Some("users"));
}

#[test]
fn empty_batch_and_no_rows() {
    one_problem(
        &edit("rate_rps: 100.0,", "arrival: Batch(count: 0),"),
        "node 'users'",
        "arrival.count",
        &["is 0", "allowed: 1 to"],
    );
    one_problem(
        &edit("kind: Database()", "kind: Database(optimistic: (rows: 0))"),
        "node 'db'",
        "optimistic.rows",
        &["is 0", "allowed: 1 to"],
    );
    // And the limits' other end, and a typo inside the new struct.
    one_problem(
        &edit(
            "kind: Database()",
            "kind: Database(optimistic: (rows: 2000000))",
        ),
        "node 'db'",
        "optimistic.rows",
        &["2000000", "1000000"],
    );
    let (_, _, message, _) = syntax_error(&edit(
        "kind: Database()",
        "kind: Database(optimistic: (row: 3))",
    ));
    assert!(message.contains("row"), "{message}");
}

#[test]
fn probability_out_of_range() {
    one_problem(
        &edit("error_probability: 0.01", "error_probability: 1.7"),
        "node 'app'",
        "error_probability",
        &["1.7", "between 0 and 1"],
    );
}

#[test]
fn bad_distribution_parameter_names_the_override_path() {
    one_problem(
        &edit("Exponential(mean: 5.0)", "Exponential(mean: -5.0)"),
        "node 'app'",
        "service_time_ms.mean",
        &["-5", ">= 0", "Exponential"],
    );
    one_problem(
        &edit("Exponential(mean: 5.0)", "Uniform(min: 4.0, max: 2.0)"),
        "node 'app'",
        "service_time_ms.max",
        &["2", "min (4)"],
    );
}

#[test]
fn newer_format_version_is_refused() {
    one_problem(
        &edit("version: 1", "version: 99"),
        "scenario",
        "version",
        &["99", "newer archsim", "up to 1"],
    );
    one_problem(
        &edit("version: 1", "version: 0"),
        "scenario",
        "version",
        &["0"],
    );
    // A newer file may also use fields this version has never heard of: still a version problem, not a
    // confusing "unexpected field".
    let text = edit("version: 1", "version: 2").replacen(
        "warmup_s: 1.0,",
        "warmup_s: 1.0, retries: (max: 3),",
        1,
    );
    let text = text.replacen("workers: 4,", "workers: 4, autoscale: true,", 1);
    one_problem(&text, "scenario", "version", &["2", "newer archsim"]);
}

#[test]
fn duplicate_ids() {
    one_problem(
        &edit(
            r#"(id: "db", kind: Database()),"#,
            r#"(id: "db", kind: Database()), (id: "db", kind: Database()),"#,
        ),
        "node 'db'",
        "id",
        &["more than one node"],
    );
}

#[test]
fn cycle() {
    let text = edit(
        r#"(id: "db", kind: Database()),"#,
        r#"(id: "db", kind: Database()), (id: "auth", kind: Service()),"#,
    )
    .replacen(
        r#"(from: "app", to: "db"),"#,
        r#"(from: "app", to: "auth"), (from: "auth", to: "app"),"#,
        1,
    );
    one_problem(
        &text,
        "scenario",
        "edges",
        &["cycle ('app' -> 'auth' -> 'app')"],
    );
}

#[test]
fn edge_into_a_client() {
    one_problem(
        &edit(
            r#"(from: "app", to: "db"),"#,
            r#"(from: "app", to: "db"), (from: "app", to: "users"),"#,
        ),
        "edge 'app -> users'",
        "to",
        &["'users'", "client"],
    );
}

#[test]
fn edge_out_of_a_database() {
    let (problems, shown) = invalid(&edit(
        r#"(from: "app", to: "db"),"#,
        r#"(from: "app", to: "db"), (from: "db", to: "lb"),"#,
    ));
    // It would also close a loop; the kind rule is the one to report (the cycle check waits for it).
    assert_eq!(problems.len(), 1, "{shown}");
    let line = problems[0].to_string();
    assert!(
        line.starts_with("edge 'db -> lb', field `from`: "),
        "{line}"
    );
    assert!(
        line.contains("'db' is a database") && line.contains("never calls out"),
        "{line}"
    );
}

#[test]
fn every_problem_is_reported_at_once() {
    let text = edit("rate_rps: 100.0", "rate_rps: -1.0")
        .replacen("error_probability: 0.01", "error_probability: 2.0", 1)
        .replacen(r#"to: "db")"#, r#"to: "nowhere")"#, 1);
    let (problems, shown) = invalid(&text);
    assert_eq!(problems.len(), 3, "{shown}");
    assert!(shown.starts_with("bad.ron: 3 problem(s):\n"), "{shown}");
    assert_eq!(shown.lines().count(), 4, "{shown}");
}

#[test]
fn queue_consumers_must_be_services() {
    let text = edit(
        r#"(id: "db", kind: Database()),"#,
        r#"(id: "db", kind: Database()), (id: "q", kind: Queue()),"#,
    )
    .replacen(
        r#"(from: "app", to: "db"),"#,
        r#"(from: "app", to: "q"), (from: "q", to: "db"),"#,
        1,
    );
    one_problem(
        &text,
        "edge 'q -> db'",
        "to",
        &["'db' is a database", "consumers must be services"],
    );
}

#[test]
fn io_error_names_the_file() {
    let e = model::load(Path::new("scenarios/does_not_exist.ron")).unwrap_err();
    assert!(matches!(e, ScenarioError::Io { .. }));
    assert!(
        e.to_string().starts_with("scenarios/does_not_exist.ron: "),
        "{e}"
    );
}

// ---- --set overrides ---------------------------------------------------------------------------------

fn set(s: &mut Scenario, spec: &str) -> Result<(), String> {
    model::apply_override(s, spec).map_err(|e| {
        assert!(matches!(e, ScenarioError::Override { .. }), "{e:?}");
        let shown = e.to_string();
        assert!(shown.starts_with(&format!("--set {spec}: ")), "{shown}");
        shown
    })
}

#[test]
fn override_counts_floats_and_enums() {
    let mut s = base();
    set(&mut s, "app.replicas=4").unwrap();
    assert_eq!(service(&s, "app").replicas, 4);
    set(&mut s, "app.service_time_ms.mean=3").unwrap();
    assert_eq!(service(&s, "app").service_time_ms, Dist::exp(3.0));
    set(&mut s, "lb.policy=PowerOfTwo").unwrap();
    assert!(
        matches!(&s.node("lb").unwrap().kind, NodeKind::LoadBalancer(p) if p.policy == LbPolicy::PowerOfTwo)
    );
    set(
        &mut s,
        "app.service_time_ms=LogNormal(mean: 4.0, std_dev: 2.0)",
    )
    .unwrap();
    assert_eq!(
        service(&s, "app").service_time_ms,
        Dist::LogNormal {
            mean: 4.0,
            std_dev: 2.0
        }
    );
    set(&mut s, " db.read_replicas = 2 ").unwrap();
    set(&mut s, "users.timeout_ms=250").unwrap();
    set(&mut s, "users.arrival=Bursty(on_s: 1.0, off_s: 4.0)").unwrap();
    assert!(model::validate(&s).is_empty(), "{:?}", model::validate(&s));
    set(&mut s, "users.timeout_ms=none").unwrap();
    match &s.node("users").unwrap().kind {
        NodeKind::Client(c) => assert_eq!(c.timeout_ms, None),
        k => panic!("{k:?}"),
    }
    // Overrides work on the shipped files too.
    let mut shortener = model::load(Path::new("scenarios/url_shortener.ron")).unwrap();
    set(&mut shortener, "app.workers=32").unwrap();
    assert_eq!(service(&shortener, "app").workers, 32);
}

#[test]
fn override_unknown_node_names_it_and_lists_the_nodes() {
    let mut s = base();
    let e = set(&mut s, "nope.x=1").unwrap_err();
    assert!(
        e.contains("no node 'nope'") && e.contains("users, lb, app, db"),
        "{e}"
    );
    assert_eq!(s, base(), "a failed override changes nothing");
}

#[test]
fn override_unknown_field_names_it_and_lists_the_fields() {
    let mut s = base();
    let e = set(&mut s, "app.bogus=1").unwrap_err();
    assert!(
        e.contains("'app' has no field 'bogus'") && e.contains("replicas") && e.contains("workers"),
        "{e}"
    );
    let e = set(&mut s, "app.service_time_ms.value=1").unwrap_err();
    assert!(
        e.contains("'app.service_time_ms' has no field 'value'") && e.contains("mean"),
        "{e}"
    );
    assert_eq!(s, base());
}

#[test]
fn override_bad_values() {
    let mut s = base();
    // A count cannot hold -1, so the override itself refuses it, naming node, field and value.
    let e = set(&mut s, "app.replicas=-1").unwrap_err();
    assert!(
        e.contains("node 'app', field `replicas`: is -1") && e.contains("whole number"),
        "{e}"
    );
    let e = set(&mut s, "app.workers=2.5").unwrap_err();
    assert!(e.contains("node 'app', field `workers`: is 2.5"), "{e}");
    let e = set(&mut s, "lb.policy=Fastest").unwrap_err();
    assert!(
        e.contains("node 'lb', field `policy`")
            && e.contains("Fastest")
            && e.contains("PowerOfTwo"),
        "{e}"
    );
    let e = set(&mut s, "app.replicas=inf").unwrap_err();
    assert!(e.contains("inf"), "{e}");
    assert!(
        set(&mut s, "app.replicas")
            .unwrap_err()
            .contains("NODE.FIELD=VALUE")
    );
    assert!(
        set(&mut s, "app=3")
            .unwrap_err()
            .contains("NODE.FIELD=VALUE")
    );
    assert_eq!(s, base(), "failed overrides change nothing");
}

#[test]
fn override_out_of_range_values_are_caught_by_validate() {
    let mut s = base();
    set(&mut s, "app.replicas=0").unwrap();
    set(&mut s, "app.error_probability=1.7").unwrap();
    set(&mut s, "app.service_time_ms.mean=-2").unwrap();
    set(&mut s, "users.rate_rps=-10").unwrap();
    let problems: Vec<String> = model::validate(&s).iter().map(|p| p.to_string()).collect();
    for want in [
        "node 'app', field `replicas`: is 0",
        "node 'app', field `error_probability`: is 1.7",
        "node 'app', field `service_time_ms.mean`: is -2",
        "node 'users', field `rate_rps`: is -10",
    ] {
        assert!(
            problems.iter().any(|p| p.starts_with(want)),
            "{want:?} not in {problems:#?}"
        );
    }
}

#[test]
fn documented_syntax_parses() {
    // The example in docs/scenario-format.md, verbatim.
    let doc = std::fs::read_to_string("docs/scenario-format.md").unwrap();
    let example = doc
        .split("```ron\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("docs/scenario-format.md has a ```ron example");
    let s = model::from_str(example, "docs example").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(service(&s, "app").workers, 16);
    match &s.node("db").unwrap().kind {
        NodeKind::Database(d) => assert_eq!(d, &model::DatabaseParams::default()),
        k => panic!("{k:?}"),
    }
    // Conventions the document promises: integer literals for floats, bare Some, maps, struct variants,
    // comments and trailing commas, every field but id/kind/from/to optional.
    let text = r#"(
        nodes: [
            (id: "c", kind: Client(rate_rps: 100, arrival: Bursty(on_s: 1, off_s: 4.0), timeout_ms: 250,
                classes: [(name: "read", weight: 9), (name: "write", weight: 1)])),
            /* a cache that never caches writes */
            (id: "cache", kind: Cache(class_hit_ratio: {"write": 0.0}), pos: (10, 20.5)),
            (id: "db", kind: Database()), // all defaults
        ],
        edges: [(from: "c", to: "cache"), (from: "cache", to: "db", latency_ms: Pareto(scale: 1, shape: 2.5),),],
    )"#;
    let s = model::from_str(text, "conventions").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        (s.version, s.duration_s, s.warmup_s, s.seed),
        (1, 60.0, 5.0, 1)
    );
    match &s.node("c").unwrap().kind {
        NodeKind::Client(c) => {
            assert_eq!(c.rate_rps, 100.0);
            assert_eq!(c.timeout_ms, Some(250.0));
        }
        k => panic!("{k:?}"),
    }
    assert_eq!(s.edges[0].latency_ms, model::default_edge_latency());
}
