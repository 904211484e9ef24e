//! `archsim check` as CI uses it: exit codes (0 met, 3 broken, 1 invalid file, 2 usage), the Markdown
//! summary, and JUnit XML checked against the rules of the common JUnit schema (the Ant/Jenkins
//! `junit-4.xsd`, restated in `junit_problems`).

use std::collections::BTreeMap;
use std::path::PathBuf;

use quick_xml::Reader;
use quick_xml::events::Event;

use crate::common::cli::{archsim, stdout, temp_path as temp};

/// The url_shortener preset with its SLO checked at 1x and 10x (it breaks at 10x), 8 s runs.
fn breaking_file() -> PathBuf {
    let text = include_str!("../../scenarios/url_shortener.ron")
        .replace("slo: (loads: [1.0]", "slo: (loads: [1.0, 10.0]")
        .replace("duration_s: 60.0", "duration_s: 8.0")
        .replace("warmup_s: 5.0", "warmup_s: 2.0");
    assert!(text.contains("loads: [1.0, 10.0]"));
    let p = temp("url_10x.ron");
    std::fs::write(&p, text).unwrap();
    p
}

/// One element: its name, attributes and child elements' names, in order.
struct Element {
    name: String,
    attrs: BTreeMap<String, String>,
    children: Vec<String>,
}

fn elements(xml: &str) -> Vec<Element> {
    let mut reader = Reader::from_str(xml);
    let mut out: Vec<Element> = Vec::new();
    let mut stack: Vec<usize> = Vec::new();
    loop {
        let ev = reader.read_event().expect("well-formed XML");
        let (start, empty) = match &ev {
            Event::Start(e) => (Some(e.clone()), false),
            Event::Empty(e) => (Some(e.clone()), true),
            Event::End(_) => {
                stack.pop();
                (None, false)
            }
            Event::Eof => break,
            _ => (None, false),
        };
        if let Some(e) = start {
            let name = String::from_utf8_lossy(e.name().as_ref()).into_owned();
            let attrs = e
                .attributes()
                .map(|a| {
                    let a = a.expect("well-formed attribute");
                    (
                        String::from_utf8_lossy(a.key.as_ref()).into_owned(),
                        String::from_utf8_lossy(&a.value).into_owned(),
                    )
                })
                .collect();
            if let Some(&parent) = stack.last() {
                out[parent].children.push(name.clone());
            }
            out.push(Element {
                name,
                attrs,
                children: Vec::new(),
            });
            if !empty {
                stack.push(out.len() - 1);
            }
        }
    }
    assert!(stack.is_empty(), "every element is closed");
    out
}

/// The rules of the JUnit schema (junit-4.xsd as Jenkins and Ant define it) that a report must obey:
/// root `testsuites` holding only `testsuite`s; a `testsuite` needs `name` and `tests`, may carry only
/// name, tests, failures, errors, skipped, disabled, time, timestamp, hostname, id, package, and holds
/// properties?, testcase*, system-out?, system-err? in that order; a `testcase` needs `name`, may carry
/// name, classname, time, assertions, status, and holds skipped / error / failure / system-out /
/// system-err; a `failure` carries only message and type. Counts are non-negative integers, times
/// decimals; here also: each suite's `tests` and `failures` match its test cases.
fn junit_problems(xml: &str) -> Vec<String> {
    let els = elements(xml);
    let mut p = Vec::new();
    let allowed = |e: &Element, names: &[&str], p: &mut Vec<String>| {
        for k in e.attrs.keys() {
            if !names.contains(&k.as_str()) {
                p.push(format!("<{}> has attribute {k}, not in the schema", e.name));
            }
        }
    };
    let int = |e: &Element, k: &str, p: &mut Vec<String>| {
        if let Some(v) = e.attrs.get(k)
            && v.parse::<u64>().is_err()
        {
            p.push(format!(
                "<{}> {k}=\"{v}\" is not a non-negative integer",
                e.name
            ));
        }
    };
    let dec = |e: &Element, p: &mut Vec<String>| {
        if let Some(v) = e.attrs.get("time")
            && !v.parse::<f64>().is_ok_and(|x| x.is_finite() && x >= 0.0)
        {
            p.push(format!("<{}> time=\"{v}\" is not a decimal", e.name));
        }
    };
    match els.first() {
        Some(root) if root.name == "testsuites" => {
            allowed(
                root,
                &["name", "time", "tests", "failures", "disabled", "errors"],
                &mut p,
            );
            if root.children.iter().any(|c| c != "testsuite") {
                p.push("testsuites holds something other than testsuite".into());
            }
        }
        _ => p.push("the root is not <testsuites>".into()),
    }
    for (i, e) in els.iter().enumerate() {
        match e.name.as_str() {
            "testsuite" => {
                allowed(
                    e,
                    &[
                        "name",
                        "tests",
                        "failures",
                        "errors",
                        "skipped",
                        "disabled",
                        "time",
                        "timestamp",
                        "hostname",
                        "id",
                        "package",
                    ],
                    &mut p,
                );
                for k in ["name", "tests"] {
                    if !e.attrs.contains_key(k) {
                        p.push(format!("testsuite without required {k}"));
                    }
                }
                for k in ["tests", "failures", "errors", "skipped", "disabled"] {
                    int(e, k, &mut p);
                }
                dec(e, &mut p);
                let rank = |c: &str| match c {
                    "properties" => 0,
                    "testcase" => 1,
                    "system-out" => 2,
                    "system-err" => 3,
                    _ => 9,
                };
                let ranks: Vec<i32> = e.children.iter().map(|c| rank(c)).collect();
                if ranks.contains(&9) || ranks.windows(2).any(|w| w[0] > w[1]) {
                    p.push(format!(
                        "testsuite children out of schema order: {:?}",
                        e.children
                    ));
                }
                // Count its test cases and their failures.
                let cases: Vec<&Element> = els[i + 1..]
                    .iter()
                    .take_while(|x| x.name != "testsuite")
                    .filter(|x| x.name == "testcase")
                    .collect();
                let failed = cases
                    .iter()
                    .filter(|c| c.children.iter().any(|n| n == "failure"))
                    .count();
                if e.attrs.get("tests") != Some(&cases.len().to_string()) {
                    p.push(format!(
                        "testsuite tests={:?} but {} cases",
                        e.attrs.get("tests"),
                        cases.len()
                    ));
                }
                if e.attrs.get("failures") != Some(&failed.to_string()) {
                    p.push(format!(
                        "testsuite failures={:?} but {failed} failed",
                        e.attrs.get("failures")
                    ));
                }
            }
            "testcase" => {
                allowed(
                    e,
                    &["name", "classname", "time", "assertions", "status"],
                    &mut p,
                );
                if !e.attrs.contains_key("name") {
                    p.push("testcase without required name".into());
                }
                dec(e, &mut p);
                for c in &e.children {
                    if !["skipped", "error", "failure", "system-out", "system-err"]
                        .contains(&c.as_str())
                    {
                        p.push(format!("testcase holds <{c}>"));
                    }
                }
            }
            "failure" | "error" => allowed(e, &["message", "type"], &mut p),
            "testsuites" if i == 0 => {}
            other => p.push(format!("element <{other}> is not in the schema")),
        }
    }
    p
}

#[test]
fn the_junit_rules_catch_broken_reports() {
    // The checker itself must fail on what the schema forbids.
    let bad = r#"<testsuites><testsuite name="x" tests="2" failures="0"><testcase classname="c"/><foo/></testsuite></testsuites>"#;
    let problems = junit_problems(bad);
    assert!(
        problems.iter().any(|p| p.contains("without required name")),
        "{problems:?}"
    );
    assert!(
        problems
            .iter()
            .any(|p| p.contains("<foo>") || p.contains("order")),
        "{problems:?}"
    );
    assert!(
        problems.iter().any(|p| p.contains("tests=")),
        "{problems:?}"
    );
}

#[test]
fn a_met_slo_exits_0_and_says_so() {
    let o = archsim(&["check", "scenarios/url_shortener.ron"]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let out = stdout(&o);
    assert!(
        out.contains("## archsim check: 1 scenario, every SLO met"),
        "{out}"
    );
    assert!(
        out.contains("| scenarios/url_shortener.ron | p99 at 1x | <= 100.0 ms |"),
        "{out}"
    );
}

#[test]
fn a_broken_slo_exits_3_names_the_node_and_writes_valid_junit() {
    let file = breaking_file();
    let xml_path = temp("check.xml");
    let md_path = temp("check.md");
    let f = file.to_str().unwrap();
    let o = archsim(&[
        "check",
        f,
        "scenarios/power_of_two.ron",
        "--junit",
        xml_path.to_str().unwrap(),
        "--markdown",
        md_path.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(3), "{}", stdout(&o));
    let out = stdout(&o);
    assert!(out.contains("1 with a broken SLO"), "{out}");
    assert!(out.contains("**FAIL**"), "{out}");
    assert!(
        out.contains("at 10x is") && out.contains("`app` broke first"),
        "{out}"
    );
    assert_eq!(std::fs::read_to_string(&md_path).unwrap(), out);
    let xml = std::fs::read_to_string(&xml_path).unwrap();
    let problems = junit_problems(&xml);
    assert!(problems.is_empty(), "{problems:?}\n{xml}");
    let els = elements(&xml);
    assert_eq!(els.iter().filter(|e| e.name == "testsuite").count(), 2);
    let failures: Vec<&Element> = els.iter().filter(|e| e.name == "failure").collect();
    assert!(!failures.is_empty());
    assert!(
        failures
            .iter()
            .all(|e| e.attrs["message"].contains("app broke first"))
    );
}

#[test]
fn invalid_files_exit_1_and_usage_errors_2() {
    let bad = temp("bad_slo.ron");
    std::fs::write(
        &bad,
        include_str!("../../scenarios/url_shortener.ron")
            .replace("p99_ms: 100.0,", "p99_ms: -5.0,"),
    )
    .unwrap();
    let o = archsim(&["check", bad.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("slo.p99_ms`: is -5; allowed: > 0"), "{err}");
    assert_eq!(archsim(&["check"]).status.code(), Some(2));
}
