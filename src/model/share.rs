//! Share links: a scenario packed into a URL fragment, `#s=1.<payload>`, where `1` is the link format
//! version and the payload is the scenario's RON text, deflated (raw DEFLATE) and encoded as URL-safe
//! base64 without padding.
//!
//! A link comes from anyone, so decoding is bounded at every step: the fragment's size, the inflated
//! size (a bounded inflate, so a zip bomb stops at the limit), the number of nodes and edges, the total
//! client rate and the duration; then the normal [`validate`] applies. No UI here.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use super::{NodeKind, Scenario, parse, to_string, validate};

/// The link format version this build writes and the newest it reads.
pub const LINK_VERSION: u32 = 1;
/// The fragment key: links look like `BASE#s=1.<payload>`.
pub const FRAGMENT_KEY: &str = "s=";
/// Largest encoded fragment accepted, in bytes (64 KiB).
pub const MAX_FRAGMENT_BYTES: usize = 64 * 1024;
/// Largest inflated scenario text accepted, in bytes (256 KiB).
pub const MAX_TEXT_BYTES: usize = 256 * 1024;
/// Most nodes a shared scenario may have.
pub const MAX_NODES: usize = 200;
/// Most edges a shared scenario may have.
pub const MAX_EDGES: usize = 1000;
/// Largest total client rate of a shared scenario, in requests per second (all clients together).
pub const MAX_TOTAL_RATE_RPS: f64 = 100_000.0;
/// Longest simulated duration of a shared scenario, in seconds (one hour).
pub const MAX_DURATION_S: f64 = 3600.0;
/// Where natively copied links point unless `ARCHSIM_SHARE_BASE` says otherwise: the local site that
/// `scripts/web.sh serve` serves.
pub const DEFAULT_BASE_URL: &str = "http://127.0.0.1:8080/";

/// Why a link was refused; the message is shown to the person who opened it.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ShareError {
    /// The fragment is not `s=<version>.<payload>`.
    #[error("this is not an archsim link (expected '#s=1.…')")]
    NotALink,
    /// Made by a newer archsim.
    #[error(
        "this link uses link format {0}, but this archsim reads only up to format {LINK_VERSION}: open it with a newer archsim"
    )]
    NewerVersion(String),
    /// Longer than [`MAX_FRAGMENT_BYTES`].
    #[error("this link is too long ({0} bytes; at most {MAX_FRAGMENT_BYTES} are accepted)")]
    TooLong(usize),
    /// Not valid URL-safe base64.
    #[error("this link is damaged (its data is not valid base64): was it cut off when copied?")]
    BadBase64,
    /// Not valid deflate data, or inflates past [`MAX_TEXT_BYTES`].
    #[error("this link is damaged (its data does not unpack): was it cut off when copied?")]
    BadDeflate,
    /// Inflates past [`MAX_TEXT_BYTES`].
    #[error("this link's scenario is too large (more than {MAX_TEXT_BYTES} bytes unpacked)")]
    TooLarge,
    /// Not UTF-8 text.
    #[error("this link is damaged (its scenario is not text)")]
    NotText,
    /// The text is not a scenario.
    #[error("this link's scenario does not load: {0}")]
    Parse(String),
    /// Over one of the limits above (nodes, edges, rate, duration).
    #[error("this link's scenario is over the limits for shared links: {0}")]
    OverLimit(String),
    /// The scenario loads but is not valid.
    #[error("this link's scenario is not valid: {0}")]
    Invalid(String),
}

/// The fragment (without `#`) that carries `scenario`: `s=1.<payload>`.
pub fn encode(scenario: &Scenario) -> String {
    encode_text(&to_string(scenario))
}

/// The fragment (without `#`) that carries this RON text.
pub fn encode_text(ron_text: &str) -> String {
    let packed = miniz_oxide::deflate::compress_to_vec(ron_text.as_bytes(), 9);
    format!(
        "{FRAGMENT_KEY}{LINK_VERSION}.{}",
        URL_SAFE_NO_PAD.encode(packed)
    )
}

/// A full link: `base` (anything before a `#` is kept) followed by `#s=1.<payload>`.
pub fn link(base: &str, scenario: &Scenario) -> String {
    let base = base.split('#').next().unwrap_or(base);
    format!("{base}#{}", encode(scenario))
}

/// The base URL of links made outside the browser: `explicit`, else the `ARCHSIM_SHARE_BASE` environment
/// variable, else [`DEFAULT_BASE_URL`].
pub fn native_base_url(explicit: Option<String>) -> String {
    explicit
        .or_else(|| std::env::var("ARCHSIM_SHARE_BASE").ok())
        .filter(|b| !b.trim().is_empty())
        .unwrap_or_else(|| DEFAULT_BASE_URL.to_owned())
}

/// Does this URL fragment (with or without the leading `#`) look like a share link?
pub fn is_link(fragment: &str) -> bool {
    fragment.trim_start_matches('#').starts_with(FRAGMENT_KEY)
}

/// The scenario RON text carried by a fragment (with or without `#`), bounded but not yet parsed.
pub fn decode_text(fragment: &str) -> Result<String, ShareError> {
    let frag = fragment.trim_start_matches('#');
    if frag.len() > MAX_FRAGMENT_BYTES {
        return Err(ShareError::TooLong(frag.len()));
    }
    let rest = frag
        .strip_prefix(FRAGMENT_KEY)
        .ok_or(ShareError::NotALink)?;
    let (version, payload) = rest.split_once('.').ok_or(ShareError::NotALink)?;
    if version.is_empty() || !version.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ShareError::NotALink);
    }
    // All digits: a number too large for u32 is still a (much) newer format, not a foreign link.
    let version: u32 = match version.parse() {
        Ok(v) => v,
        Err(_) => return Err(ShareError::NewerVersion(version.to_owned())),
    };
    if version > LINK_VERSION {
        return Err(ShareError::NewerVersion(version.to_string()));
    }
    if version == 0 {
        return Err(ShareError::NotALink);
    }
    let packed = URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .map_err(|_| ShareError::BadBase64)?;
    let bytes = miniz_oxide::inflate::decompress_to_vec_with_limit(&packed, MAX_TEXT_BYTES)
        .map_err(|e| {
            if e.status == miniz_oxide::inflate::TINFLStatus::HasMoreOutput {
                ShareError::TooLarge
            } else {
                ShareError::BadDeflate
            }
        })?;
    String::from_utf8(bytes).map_err(|_| ShareError::NotText)
}

/// The scenario carried by a fragment: decoded, parsed, checked against the share limits and validated.
pub fn decode(fragment: &str) -> Result<Scenario, ShareError> {
    let text = decode_text(fragment)?;
    let scenario = parse(&text, "shared link").map_err(|e| ShareError::Parse(e.to_string()))?;
    check_limits(&scenario)?;
    let problems = validate(&scenario);
    if let Some(first) = problems.first() {
        let more = match problems.len() {
            1 => String::new(),
            n => format!(" (and {} more problems)", n - 1),
        };
        return Err(ShareError::Invalid(format!("{first}{more}")));
    }
    Ok(scenario)
}

/// The share limits: nodes, edges, total client rate, duration.
pub fn check_limits(s: &Scenario) -> Result<(), ShareError> {
    if s.nodes.len() > MAX_NODES {
        return Err(ShareError::OverLimit(format!(
            "{} nodes (at most {MAX_NODES})",
            s.nodes.len()
        )));
    }
    if s.edges.len() > MAX_EDGES {
        return Err(ShareError::OverLimit(format!(
            "{} edges (at most {MAX_EDGES})",
            s.edges.len()
        )));
    }
    let rate: f64 = s
        .nodes
        .iter()
        .filter_map(|n| {
            if let NodeKind::Client(c) = &n.kind {
                Some(c.rate_rps)
            } else {
                None
            }
        })
        .sum();
    if rate.is_nan() || rate > MAX_TOTAL_RATE_RPS {
        return Err(ShareError::OverLimit(format!(
            "clients send {rate} requests/s in all (at most {MAX_TOTAL_RATE_RPS})"
        )));
    }
    if s.duration_s.is_nan() || s.duration_s > MAX_DURATION_S {
        return Err(ShareError::OverLimit(format!(
            "duration_s is {} (at most {MAX_DURATION_S})",
            s.duration_s
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::presets;

    fn preset() -> Scenario {
        presets::load_preset("url_shortener")
            .expect("preset exists")
            .expect("preset loads")
    }

    #[test]
    fn round_trip() {
        let s = preset();
        let frag = encode(&s);
        assert!(frag.starts_with("s=1."), "{frag}");
        assert!(
            frag[4..]
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'),
            "URL-safe, no padding: {frag}"
        );
        assert_eq!(decode(&frag).expect("decodes"), s);
        assert_eq!(decode(&format!("#{frag}")).expect("with #"), s);
        let l = link("http://x/y/index.html#old", &s);
        assert_eq!(l, format!("http://x/y/index.html#{frag}"));
    }

    #[test]
    fn newer_version_is_refused() {
        let frag = encode(&preset()).replacen("s=1.", "s=2.", 1);
        assert_eq!(decode(&frag), Err(ShareError::NewerVersion("2".into())));
        // A version too large for any integer type is still "newer", not "not a link".
        let huge = frag.replacen("s=2.", "s=99999999999999999999.", 1);
        assert_eq!(
            decode(&huge),
            Err(ShareError::NewerVersion("99999999999999999999".into()))
        );
        assert!(decode(&frag).unwrap_err().to_string().contains("newer"));
    }

    #[test]
    fn not_a_link() {
        for f in ["", "#", "x=1.abc", "s=abc", "s=1", "s=0.abc", "s=-1.abc"] {
            assert_eq!(decode(f), Err(ShareError::NotALink), "{f:?}");
        }
    }

    #[test]
    fn corrupt_base64() {
        assert_eq!(decode("s=1.!!!garbage"), Err(ShareError::BadBase64));
    }

    #[test]
    fn corrupt_deflate() {
        let frag = format!("s=1.{}", URL_SAFE_NO_PAD.encode([0xffu8; 40]));
        assert_eq!(decode(&frag), Err(ShareError::BadDeflate));
        // A truncated link: the deflate stream ends early.
        let good = encode(&preset());
        let cut = &good[..good.len() / 2];
        assert!(
            matches!(
                decode(cut),
                Err(ShareError::BadDeflate | ShareError::BadBase64)
            ),
            "{:?}",
            decode(cut)
        );
    }

    #[test]
    fn oversized_fragment_is_refused_before_decoding() {
        let frag = format!("s=1.{}", "A".repeat(MAX_FRAGMENT_BYTES));
        assert!(matches!(decode(&frag), Err(ShareError::TooLong(_))));
    }

    #[test]
    fn zip_bomb_stops_at_the_limit() {
        // 4 MiB of spaces deflate to a few KiB: well under the fragment limit, far over the text limit.
        let bomb = " ".repeat(4 * 1024 * 1024);
        let frag = encode_text(&bomb);
        assert!(frag.len() < MAX_FRAGMENT_BYTES, "{}", frag.len());
        assert_eq!(decode(&frag), Err(ShareError::TooLarge));
    }

    #[test]
    fn too_many_nodes() {
        let mut s = preset();
        let template = s.nodes.last().expect("has nodes").clone();
        for i in 0..MAX_NODES {
            let mut n = template.clone();
            n.id = format!("extra{i}");
            s.nodes.push(n);
        }
        let err = decode(&encode(&s)).unwrap_err();
        assert!(matches!(err, ShareError::OverLimit(_)), "{err}");
        assert!(err.to_string().contains("nodes"), "{err}");
    }

    #[test]
    fn too_much_traffic_or_time() {
        let mut s = preset();
        for n in &mut s.nodes {
            if let NodeKind::Client(c) = &mut n.kind {
                c.rate_rps = MAX_TOTAL_RATE_RPS * 2.0;
            }
        }
        assert!(matches!(decode(&encode(&s)), Err(ShareError::OverLimit(_))));
        let mut s = preset();
        s.duration_s = MAX_DURATION_S * 2.0;
        assert!(matches!(decode(&encode(&s)), Err(ShareError::OverLimit(_))));
    }

    #[test]
    fn invalid_scenario_is_refused() {
        let mut s = preset();
        s.warmup_s = s.duration_s + 1.0;
        assert!(matches!(decode(&encode(&s)), Err(ShareError::Invalid(_))));
        assert!(matches!(
            decode(&encode_text("not ron at all (")),
            Err(ShareError::Parse(_))
        ));
    }
}
