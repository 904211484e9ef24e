//! Importers on hand-written files in each tool's own format (tests/import/), the mapping they report,
//! and the scenarios they give: each validates and runs.

use archsim::interop::{self, Format, Import};
use archsim::model::{KindTag, NodeKind};
use archsim::sim::Simulation;

fn import_file(name: &str) -> Import {
    let path = format!("tests/import/{name}");
    let text = std::fs::read_to_string(&path).unwrap();
    interop::import(None, &text, &path).unwrap_or_else(|e| panic!("{e}"))
}

fn kinds(i: &Import) -> Vec<(String, KindTag)> {
    i.scenario
        .nodes
        .iter()
        .map(|n| (n.id.clone(), n.kind.tag()))
        .collect()
}

fn edges(i: &Import) -> Vec<(String, String)> {
    i.scenario
        .edges
        .iter()
        .map(|e| (e.from.clone(), e.to.clone()))
        .collect()
}

fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
    v.iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

/// The scenario validates and a short run serves requests end to end.
fn runs(i: &Import) {
    assert!(i.problems.is_empty(), "{}", i.summary());
    let mut s = i.scenario.clone();
    s.duration_s = 10.0;
    s.warmup_s = 1.0;
    let mut sim = Simulation::new(&s).unwrap();
    sim.run_to_end();
    let r = sim.report();
    assert!(r.requests.succeeded > 100, "{:?}", r.requests);
}

#[test]
fn mermaid_flowchart() {
    let i = import_file("checkout.mmd");
    use KindTag::*;
    let want = [
        ("shoppers", Client),
        ("cloudfront", Cache),
        ("alb", LoadBalancer),
        ("checkout_api", Service),
        ("catalog_api", Service),
        ("redis", Cache),
        ("postgres", Database),
        ("kafka_orders", Queue),
        ("fulfilment_worker", Service),
        ("payment_provider", Service),
    ];
    let want: Vec<(String, KindTag)> = want.iter().map(|(a, k)| (a.to_string(), *k)).collect();
    assert_eq!(kinds(&i), want);
    assert_eq!(
        edges(&i),
        pairs(&[
            ("shoppers", "cloudfront"),
            ("cloudfront", "alb"),
            ("alb", "checkout_api"),
            ("alb", "catalog_api"),
            ("checkout_api", "redis"),
            ("redis", "postgres"),
            ("checkout_api", "kafka_orders"),
            ("kafka_orders", "fulfilment_worker"),
            ("fulfilment_worker", "postgres"),
            ("catalog_api", "postgres"),
            ("checkout_api", "payment_provider"),
        ])
    );
    // The rate in the label, the CDN approximation and the default services are listed.
    let NodeKind::Client(c) = &i.scenario.nodes[0].kind else {
        panic!()
    };
    assert_eq!(c.rate_rps, 500.0);
    let guessed: Vec<&str> = i
        .mappings
        .iter()
        .filter(|m| m.guessed)
        .map(|m| m.id.as_str())
        .collect();
    assert_eq!(
        guessed,
        [
            "cloudfront",
            "checkout_api",
            "catalog_api",
            "fulfilment_worker",
            "payment_provider"
        ]
    );
    assert_eq!(i.mappings[0].rule, "id \"users\" has \"users\"");
    assert_eq!(i.skipped.len(), 1, "{}", i.summary());
    assert!(i.skipped[0].what.contains("Payments"));
    runs(&i);
}

#[test]
fn mermaid_architecture_in_a_markdown_doc() {
    let i = import_file("design-doc.md");
    use KindTag::*;
    let k = kinds(&i);
    assert_eq!(
        k.iter().map(|(_, k)| *k).collect::<Vec<_>>(),
        [Client, Service, Cache, Database, Service, Queue]
    );
    assert_eq!(k[0].0, "gateway");
    // The junction is a bend point: web reaches the cache and the job queue through it.
    let got: std::collections::BTreeSet<(String, String)> = edges(&i).into_iter().collect();
    let want: std::collections::BTreeSet<(String, String)> = pairs(&[
        ("gateway", "web_tier"),
        ("redis_feed_cache", "photos_db"),
        ("sqs_jobs", "thumbnailer"),
        ("thumbnailer", "photos_db"),
        ("web_tier", "redis_feed_cache"),
        ("web_tier", "sqs_jobs"),
    ])
    .into_iter()
    .collect();
    assert_eq!(got, want);
    // Positions follow the sides: web is right of the gateway.
    let pos = |id: &str| i.scenario.node(id).unwrap().pos.unwrap();
    assert!(pos("web_tier").0 > pos("gateway").0);
    assert_eq!(pos("web_tier").1, pos("gateway").1);
    assert_eq!(i.skipped.len(), 2, "two groups: {}", i.summary());
    runs(&i);
}

#[test]
fn drawio_compressed_with_eight_boxes() {
    let i = import_file("shop.drawio");
    use KindTag::*;
    assert_eq!(
        kinds(&i),
        [
            ("mobile_users", Client),
            ("nginx", LoadBalancer),
            ("storefront", Service),
            ("cart_service", Service),
            ("memcached", Cache),
            ("product_catalog", Database),
            ("rabbitmq", Queue),
            ("order_writer", Service),
        ]
        .iter()
        .map(|(a, k)| (a.to_string(), *k))
        .collect::<Vec<_>>()
    );
    let NodeKind::Client(c) = &i.scenario.nodes[0].kind else {
        panic!()
    };
    assert_eq!(c.rate_rps, 1200.0);
    assert_eq!(i.mappings[5].rule, "shape \"cylinder3\" is a cylinder");
    assert_eq!(i.mappings[6].rule, "label \"RabbitMQ\" has \"rabbitmq\"");
    // Positions are the boxes' centres, moved so the drawing starts at (100, 80).
    let pos = |id: &str| i.scenario.node(id).unwrap().pos.unwrap();
    assert_eq!(pos("nginx"), (100.0 + 220.0 - 55.0, 80.0 + 280.0 - 130.0));
    // Skipped, each with its reason: the free text, the dangling arrow, the database's arrow out,
    // the second page.
    let what: Vec<&str> = i.skipped.iter().map(|s| s.what.as_str()).collect();
    assert_eq!(what.len(), 4, "{}", i.summary());
    assert!(
        i.skipped
            .iter()
            .any(|s| s.place.starts_with("element 'e9'") && s.reason.contains("database"))
    );
    assert!(
        i.skipped
            .iter()
            .any(|s| s.place.starts_with("element 'e10'") && s.reason.contains("end"))
    );
    assert!(i.skipped.iter().any(|s| s.what == "page 'Notes'"));
    assert!(i.skipped.iter().any(|s| s.what.starts_with("text 'v3")));
    assert_eq!(i.scenario.edges.len(), 8);
    runs(&i);
}

#[test]
fn drawio_plain_xml_reads_the_same() {
    let xml = std::fs::read_to_string("tests/import/shop-page.xml").unwrap();
    let plain = interop::import(Some(Format::Drawio), &xml, "shop-page.xml").unwrap();
    let packed = import_file("shop.drawio");
    assert_eq!(plain.scenario.nodes, packed.scenario.nodes);
    assert_eq!(plain.scenario.edges, packed.scenario.edges);
}

#[test]
fn excalidraw_boxes_bound_arrows_and_text() {
    let i = import_file("whiteboard.excalidraw");
    use KindTag::*;
    assert_eq!(
        kinds(&i),
        [
            ("browser", Client),
            ("search_api", Service),
            ("index_db", Database),
            ("query_cache", Cache)
        ]
        .iter()
        .map(|(a, k)| (a.to_string(), *k))
        .collect::<Vec<_>>()
    );
    // a3 is unbound but its ends lie on the API and the cache.
    assert_eq!(
        edges(&i),
        pairs(&[
            ("browser", "search_api"),
            ("search_api", "index_db"),
            ("search_api", "query_cache"),
            ("query_cache", "index_db"),
        ])
    );
    let skipped: Vec<&str> = i.skipped.iter().map(|s| s.place.as_str()).collect();
    assert_eq!(
        skipped,
        ["element 'a4'", "element 't-title'", "element 'fd'"]
    );
    runs(&i);
}

#[test]
fn dot_graph() {
    let i = import_file("pipeline.dot");
    use KindTag::*;
    let k = kinds(&i);
    assert_eq!(
        k.iter().map(|(_, k)| *k).collect::<Vec<_>>(),
        [
            Client,
            LoadBalancer,
            Service,
            Queue,
            Service,
            Database,
            Service,
            Service
        ]
    );
    assert_eq!(k[5].0, "time_series_store");
    let NodeKind::Client(c) = &i.scenario.nodes[0].kind else {
        panic!()
    };
    assert_eq!(c.rate_rps, 5000.0);
    // The back arrow `query -> dash` would close a loop: skipped, with the reason.
    assert!(
        i.skipped
            .iter()
            .any(|s| s.what == "arrow query -> dash" && s.reason.contains("loop")),
        "{}",
        i.summary()
    );
    assert_eq!(i.scenario.edges.len(), 7);
    runs(&i);
}

#[test]
fn a_drawing_without_a_client_gets_one_and_says_so() {
    let i = interop::import(
        None,
        "flowchart TD\n  api[Orders API] --> db[(Orders)]\n",
        "x.mmd",
    )
    .unwrap();
    assert_eq!(i.scenario.nodes[0].id, "users");
    assert_eq!(
        edges(&i),
        pairs(&[("orders_api", "orders"), ("users", "orders_api")])
    );
    assert!(
        i.guesses.iter().any(|g| g.contains("no client")),
        "{:?}",
        i.guesses
    );
    runs(&i);
}

#[test]
fn what_is_missing_is_named() {
    // A load balancer with nothing behind it: imported, and the validator's problem is reported.
    let i = interop::import(None, "flowchart LR\n  u[Users] --> lb[nginx]\n", "x.mmd").unwrap();
    assert_eq!(i.problems.len(), 1, "{}", i.summary());
    assert_eq!(i.problems[0].place, "node 'nginx'");
    assert!(i.summary().contains("Before it runs, fix (1)"));
}

#[test]
fn errors_name_the_place() {
    let cases: [(&str, &str, &str); 6] = [
        (
            "a.mmd",
            "flowchart LR\n  a --> b[oops\n",
            "a.mmd: line 2, column 10:",
        ),
        (
            "a.mmd",
            "architecture-beta\n  service a(server)[A]\n  a:R --> L:zz\n",
            "a.mmd: line 3:",
        ),
        (
            "a.drawio",
            "<mxfile>\n<diagram name=\"P\">\n<mxGraphModel><root>\n</mxfile>\n",
            "a.drawio: line 4",
        ),
        (
            "a.drawio",
            "<mxfile><diagram name=\"P\">bm90IGRlZmxhdGU=</diagram></mxfile>",
            "a.drawio: diagram 'P':",
        ),
        (
            "a.excalidraw",
            "{\"type\":\"excalidraw\",\"elements\":[{\"id\":\"a\",\"x\":\"left\"}]}",
            "a.excalidraw: element #1:",
        ),
        (
            "a.dot",
            "digraph {\n  a -> b\n  c -> -> d\n}\n",
            "a.dot: line 3:",
        ),
    ];
    for (file, text, want) in cases {
        let e = interop::import(None, text, file).unwrap_err().to_string();
        assert!(e.starts_with(want), "{e}\nwanted it to start with {want}");
    }
    let e = interop::import(None, "hello", "notes.txt").unwrap_err();
    assert!(e.message.contains("not a diagram"));
}

#[test]
fn detects_the_format() {
    assert_eq!(
        Format::detect("x.txt", "graph TD\n a-->b"),
        Some(Format::Mermaid)
    );
    assert_eq!(
        Format::detect("x.txt", "graph G { a -- b }"),
        Some(Format::Dot)
    );
    assert_eq!(
        Format::detect("x.txt", "strict digraph { a -> b }"),
        Some(Format::Dot)
    );
    assert_eq!(
        Format::detect("x.json", "{\"type\":\"excalidraw\"}"),
        Some(Format::Excalidraw)
    );
    assert_eq!(Format::detect("x.xml", "<mxfile/>"), Some(Format::Drawio));
    assert_eq!(
        Format::detect("doc.md", "# t\n```mermaid\nflowchart LR\n```"),
        Some(Format::Mermaid)
    );
}

/// docs/import.md lists every word and shape of the mapping table.
#[test]
fn the_documented_table_is_the_table() {
    let doc = std::fs::read_to_string("docs/import.md").unwrap();
    for r in interop::mapping::RULES {
        for w in r.words {
            assert!(
                doc.contains(&format!("`{w}`")),
                "docs/import.md does not list `{w}`"
            );
        }
    }
    for (s, _) in interop::mapping::SHAPE_RULES {
        assert!(
            doc.contains(&format!("`{s}`")),
            "docs/import.md does not list shape `{s}`"
        );
    }
}

/// CDN boxes become the documented stand-in, a cache in front of their origin, and each is listed as a
/// guess in the words of docs/import.md's table, until archsim has a CDN kind.
#[test]
fn cdn_boxes_map_to_the_documented_stand_in() {
    let text = "flowchart LR\n  users[Users 200 rps] --> edge[CDN]\n  edge --> cf[CloudFront]\n  cf --> ak[Akamai edge]\n  ak --> fa[Fastly]\n  fa --> api[Orders API]\n  api --> db[(Postgres)]\n";
    let i = interop::import(None, text, "cdn.mmd").unwrap_or_else(|e| panic!("{e}"));
    let cdns: Vec<&interop::Mapped> = i
        .mappings
        .iter()
        .filter(|m| ["CDN", "CloudFront", "Akamai edge", "Fastly"].contains(&m.label.as_str()))
        .collect();
    assert_eq!(cdns.len(), 4, "{}", i.summary());
    let summary = i.summary();
    let guesses = &summary[summary.find("Guessed (").expect("no guesses listed")..];
    for m in cdns {
        assert_eq!(m.kind, KindTag::Cache, "{}", m.label);
        assert!(m.guessed, "{} is not listed as a guess", m.label);
        assert!(
            guesses.contains(&format!(
                "'{}' ({}): CDN → Cache until archsim has a CDN kind",
                m.id, m.label
            )),
            "{summary}"
        );
    }
    let doc = std::fs::read_to_string("docs/import.md").unwrap();
    assert!(doc.contains("\"CDN → Cache until archsim has a CDN kind\""));
    assert!(interop::mapping::CDN_STAND_IN.starts_with("CDN → Cache until archsim has a CDN kind"));
    runs(&i);
}
