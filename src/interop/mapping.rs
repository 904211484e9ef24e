//! The mapping table: which words in a box's label, icon or shape make it which node kind. The same
//! table is printed in `docs/import.md` (a test keeps the two in step).
//!
//! Order of precedence, first match wins: a class named after a kind (`:::database`), then the label,
//! then the icon, then the shape, then the source id; a box that matches nothing becomes a Service and
//! is listed as a guess. Within one text, the rules are tried in table order, product names first, so
//! "Redis user sessions" is a cache and "users DB" a database.

use crate::model::KindTag;

/// One row of the table: any of `words` in the text gives `kind`.
#[derive(Clone, Copy, Debug)]
pub struct Rule {
    /// The node kind.
    pub kind: KindTag,
    /// Whole words (or, from four letters on, word beginnings: `postgres` matches `PostgreSQL`);
    /// entries with a space match as a phrase.
    pub words: &'static [&'static str],
    /// Why it is only an approximation, when it is one (shown with the mapping).
    pub note: Option<&'static str>,
}

/// What a CDN box becomes, said with its mapping and in the import's guesses: archsim has no CDN kind yet,
/// and a cache in front of the origin is the nearest behaviour (hits answered at the edge, misses passed on).
pub const CDN_STAND_IN: &str =
    "CDN → Cache until archsim has a CDN kind: a cache in front of its origin, hit ratio 0.8";

/// The label and icon rules, in the order they are tried.
pub const RULES: &[Rule] = &[
    Rule {
        kind: KindTag::Cache,
        words: &[
            "redis",
            "memcached",
            "memcache",
            "valkey",
            "elasticache",
            "varnish",
        ],
        note: None,
    },
    Rule {
        kind: KindTag::Database,
        words: &[
            "postgres",
            "postgresql",
            "mysql",
            "mariadb",
            "dynamodb",
            "dynamo",
            "cassandra",
            "mongodb",
            "mongo",
            "aurora",
            "rds",
            "cockroachdb",
            "spanner",
            "sqlite",
            "bigtable",
            "scylla",
        ],
        note: None,
    },
    Rule {
        kind: KindTag::Queue,
        words: &[
            "kafka", "sqs", "rabbitmq", "rabbit", "kinesis", "pulsar", "nats", "activemq",
            "pubsub", "pub sub", "sns",
        ],
        note: None,
    },
    Rule {
        kind: KindTag::LoadBalancer,
        words: &["nginx", "haproxy", "alb", "elb", "nlb", "envoy", "traefik"],
        note: None,
    },
    Rule {
        kind: KindTag::Cache,
        words: &["cdn", "cloudfront", "akamai", "fastly", "cloudflare"],
        note: Some(CDN_STAND_IN),
    },
    Rule {
        kind: KindTag::Gateway,
        words: &["api gateway", "apigateway", "kong", "apigee", "tyk"],
        note: None,
    },
    Rule {
        kind: KindTag::RateLimiter,
        words: &[
            "rate limiter",
            "rate limit",
            "ratelimiter",
            "ratelimit",
            "limiter",
            "throttle",
            "throttling",
        ],
        note: None,
    },
    Rule {
        kind: KindTag::LoadBalancer,
        words: &["load balancer", "loadbalancer", "balancer", "lb", "ingress"],
        note: None,
    },
    Rule {
        kind: KindTag::Cache,
        words: &["cache", "caches", "caching"],
        note: None,
    },
    Rule {
        kind: KindTag::Queue,
        words: &[
            "queue",
            "queues",
            "mq",
            "broker",
            "topic",
            "event bus",
            "stream",
        ],
        note: None,
    },
    Rule {
        kind: KindTag::Database,
        words: &[
            "database",
            "databases",
            "db",
            "dbs",
            "datastore",
            "sql",
            "nosql",
            "storage",
            "disk",
        ],
        note: None,
    },
    Rule {
        kind: KindTag::Client,
        words: &[
            "users",
            "user",
            "client",
            "clients",
            "browser",
            "browsers",
            "mobile",
            "customer",
            "customers",
            "visitor",
            "visitors",
            "people",
            "internet",
            "actor",
            "person",
            "ios",
            "android",
        ],
        note: None,
    },
];

/// Shapes (in the source's words) that say the kind when no label rule matched.
pub const SHAPE_RULES: &[(&str, KindTag)] = &[
    ("cylinder", KindTag::Database),
    ("cyl", KindTag::Database),
    ("datastore", KindTag::Database),
    ("database", KindTag::Database),
    ("db", KindTag::Database),
    ("actor", KindTag::Client),
    ("umlactor", KindTag::Client),
    ("person", KindTag::Client),
    ("queue", KindTag::Queue),
];

/// Where a match was found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    /// A class named after the kind.
    Class,
    /// The label.
    Label,
    /// The icon.
    Icon,
    /// The shape.
    Shape,
    /// The source id.
    Id,
}

impl Source {
    fn name(self) -> &'static str {
        match self {
            Source::Class => "class",
            Source::Label => "label",
            Source::Icon => "icon",
            Source::Shape => "shape",
            Source::Id => "id",
        }
    }
}

/// The kind a box gets, and the rule that gave it.
#[derive(Clone, Debug, PartialEq)]
pub struct Decision {
    /// The node kind.
    pub kind: KindTag,
    /// The rule in words, e.g. `label "Redis" has "redis"`, or why it is a guess.
    pub rule: String,
    /// True when no rule matched (a Service by default) or the rule is an approximation.
    pub guessed: bool,
    /// The approximation, when the rule is one (e.g. [`CDN_STAND_IN`]).
    pub note: Option<&'static str>,
}

/// A kind by its snake_case name (`load_balancer`) or its variant name (`LoadBalancer`).
pub fn kind_by_name(name: &str) -> Option<KindTag> {
    let n: String = name
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_ascii_lowercase();
    KindTag::ALL
        .into_iter()
        .find(|k| k.as_str().replace('_', "") == n)
}

/// Decides a box's kind from its classes, label, icon, shape and source id (see the module doc).
pub fn decide(
    classes: &[String],
    label: &str,
    icon: Option<&str>,
    shape: Option<&str>,
    id: &str,
) -> Decision {
    for c in classes {
        if let Some(kind) = kind_by_name(c) {
            return Decision {
                kind,
                rule: format!("class \"{c}\""),
                guessed: false,
                note: None,
            };
        }
    }
    let texts = [
        (Source::Label, Some(label)),
        (Source::Icon, icon),
        (Source::Shape, shape),
    ];
    for (source, text) in texts {
        let Some(text) = text else { continue };
        if let Some(d) = by_words(source, text) {
            return d;
        }
        if source == Source::Shape
            && let Some(d) = by_shape(text)
        {
            return d;
        }
    }
    if let Some(d) = by_words(Source::Id, id) {
        return d;
    }
    Decision {
        kind: KindTag::Service,
        rule: "no rule matched; a Service by default".into(),
        guessed: true,
        note: None,
    }
}

fn by_words(source: Source, text: &str) -> Option<Decision> {
    let mut tokens = tokens(text);
    // Whole words as written too, so `HAProxy` and `CloudFront` match before their humps are split.
    let joined_tokens = format!(" {} ", tokens.join(" "));
    for w in text.split(|c: char| !c.is_alphanumeric()) {
        let w = w.to_lowercase();
        if !w.is_empty() && !tokens.contains(&w) {
            tokens.push(w);
        }
    }
    if tokens.is_empty() {
        return None;
    }
    let joined = joined_tokens;
    for rule in RULES {
        for &w in rule.words {
            let hit = if w.contains(' ') {
                joined.contains(&format!(" {w} "))
            } else {
                tokens
                    .iter()
                    .any(|t| t == w || (w.len() >= 4 && t.starts_with(w)))
            };
            if hit {
                return Some(Decision {
                    kind: rule.kind,
                    rule: match rule.note {
                        Some(n) => format!("{} \"{text}\" has \"{w}\" ({n})", source.name()),
                        None => format!("{} \"{text}\" has \"{w}\"", source.name()),
                    },
                    guessed: rule.note.is_some(),
                    note: rule.note,
                });
            }
        }
    }
    None
}

fn by_shape(shape: &str) -> Option<Decision> {
    let tokens = tokens(shape);
    SHAPE_RULES
        .iter()
        .find(|(s, _)| tokens.iter().any(|t| t == s || t.starts_with(s)))
        .map(|&(s, kind)| Decision {
            kind,
            rule: format!("shape \"{shape}\" is a {s}"),
            guessed: false,
            note: None,
        })
}

/// Lower-case words of `text`: split at anything but letters and digits and at camelCase humps
/// (`UserDB` is `user db`), so short words like `db` match only as whole words.
pub fn tokens(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut prev: Option<char> = None;
    let chars: Vec<char> = text.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_alphanumeric() {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            prev = None;
            continue;
        }
        if let Some(p) = prev {
            let next_lower = chars.get(i + 1).is_some_and(|n| n.is_lowercase());
            let hump = (p.is_lowercase() && c.is_uppercase())
                || (p.is_uppercase() && c.is_uppercase() && next_lower);
            if hump && !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
        }
        cur.extend(c.to_lowercase());
        prev = Some(c);
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(label: &str) -> KindTag {
        decide(&[], label, None, None, "").kind
    }

    #[test]
    fn table_examples() {
        for (label, k) in [
            ("Redis", KindTag::Cache),
            ("Memcached pool", KindTag::Cache),
            ("PostgreSQL primary", KindTag::Database),
            ("MySQL", KindTag::Database),
            ("DynamoDB", KindTag::Database),
            ("Cassandra ring", KindTag::Database),
            ("Kafka", KindTag::Queue),
            ("Amazon SQS", KindTag::Queue),
            ("RabbitMQ", KindTag::Queue),
            ("nginx", KindTag::LoadBalancer),
            ("ALB", KindTag::LoadBalancer),
            ("ELB", KindTag::LoadBalancer),
            ("HAProxy", KindTag::LoadBalancer),
            ("Users", KindTag::Client),
            ("Web browser", KindTag::Client),
            ("Mobile app", KindTag::Client),
            ("Order service", KindTag::Service),
            ("UserDB", KindTag::Database),
            ("Redis user sessions", KindTag::Cache),
            ("users DB", KindTag::Database),
            ("Global search", KindTag::Service),
            ("Rate limiter", KindTag::RateLimiter),
            ("API Gateway", KindTag::Gateway),
            ("Kong", KindTag::Gateway),
        ] {
            assert_eq!(kind(label), k, "{label}");
        }
    }

    #[test]
    fn precedence_and_guesses() {
        let d = decide(&[], "Orders", None, Some("cylinder"), "x");
        assert_eq!((d.kind, d.guessed), (KindTag::Database, false));
        let d = decide(&["queue".into()], "Redis", None, None, "x");
        assert_eq!(d.kind, KindTag::Queue);
        let d = decide(&[], "Checkout", None, None, "x");
        assert_eq!((d.kind, d.guessed), (KindTag::Service, true));
        let d = decide(&[], "CloudFront", None, None, "x");
        assert_eq!((d.kind, d.guessed), (KindTag::Cache, true));
        let d = decide(&[], "Orders", Some("logos:postgresql"), None, "x");
        assert_eq!(d.kind, KindTag::Database);
        assert_eq!(kind_by_name("LoadBalancer"), Some(KindTag::LoadBalancer));
        assert_eq!(kind_by_name("rate_limiter"), Some(KindTag::RateLimiter));
    }

    #[test]
    fn tokens_split_humps() {
        assert_eq!(tokens("UserDB"), ["user", "db"]);
        assert_eq!(tokens("HTTPServer x-y"), ["http", "server", "x", "y"]);
    }
}
