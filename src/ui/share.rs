//! Share links in the app: "Copy link" puts the current scenario into a link (`BASE#s=1.<payload>`, see
//! [`crate::model::share`]); opening such a link loads it, and a link that cannot be opened says why in a
//! window.

use egui::{Context, RichText};

use crate::model::share;

use super::app::App;
use super::document::Document;
use super::theme::Theme;

impl App {
    /// Copies a link to the current scenario to the clipboard. In the browser the link points at this page;
    /// natively at `ARCHSIM_SHARE_BASE`, else the local site of `scripts/web.sh serve`.
    pub(super) fn copy_link(&mut self, ctx: &Context, run: bool) {
        let mut link = share::link(&base_url(), &self.doc.scenario);
        link.push_str(&link_options(self.runner.load, run));
        let size = link.len();
        ctx.copy_text(link.clone());
        self.last_link = Some(link);
        if size > share::MAX_FRAGMENT_BYTES {
            self.toast(
                ctx,
                format!(
                    "Copied a link of {size} bytes: too long to open (at most {} bytes)",
                    share::MAX_FRAGMENT_BYTES
                ),
            );
        } else {
            self.toast(ctx, format!("Link copied ({size} characters)"));
        }
    }

    /// Opens the scenario of a share link's fragment, at the link's load and running if it says so, or
    /// shows why it cannot.
    pub(super) fn open_link(&mut self, ctx: &Context, fragment: &str) {
        let (scenario_part, options) = match split_options(fragment) {
            Ok(x) => x,
            Err(e) => {
                self.link_error = Some(e);
                return;
            }
        };
        match share::decode(scenario_part) {
            Ok(s) => {
                let name = s.name.clone();
                self.replace(Document::new(s, None));
                self.link_error = None;
                if let Some(load) = options.load {
                    self.runner.set_load(load);
                }
                if options.run {
                    self.runner.run(&self.doc.scenario);
                }
                self.toast(
                    ctx,
                    format!(
                        "Opened the shared scenario '{name}' at {:.1}x load{}",
                        self.runner.load,
                        if options.run { ", running" } else { "" }
                    ),
                );
            }
            Err(e) => self.link_error = Some(e.to_string()),
        }
    }

    /// The "cannot open this link" window, while there is one.
    pub(super) fn link_error_ui(&mut self, ctx: &Context) {
        let Some(msg) = self.link_error.clone() else {
            return;
        };
        let modal = egui::Modal::new(egui::Id::unique("link_error")).show(ctx, |ui| {
            ui.set_width(420.0);
            ui.heading("Cannot open this link");
            ui.add_space(4.0);
            let t = Theme::from_visuals(ui.visuals());
            ui.label(RichText::new(&msg).color(t.error));
            ui.add_space(4.0);
            ui.label("The scenario you had is still open.");
            ui.add_space(8.0);
            ui.button("OK").clicked()
        });
        if modal.inner || modal.should_close() {
            self.link_error = None;
        }
    }
}

/// What a link asks for besides its scenario: `&load=10` (the load multiplier, 0.1 to 20 like the slider)
/// and `&run=1` (start running at once).
#[derive(Debug, Default, PartialEq)]
pub struct LinkOptions {
    /// Load multiplier to open at.
    pub load: Option<f64>,
    /// Start running.
    pub run: bool,
}

/// The `&...` tail that carries `load` (left out at 1x) and `run`.
pub fn link_options(load: f64, run: bool) -> String {
    let mut s = String::new();
    if (load - 1.0).abs() > 1e-9 {
        s.push_str(&format!("&load={}", (load * 100.0).round() / 100.0));
    }
    if run {
        s.push_str("&run=1");
    }
    s
}

/// Splits `s=1.<payload>&load=10&run=1` into the scenario part and its options; an option that is not
/// understood, or out of range, is an error naming it (never silently ignored).
pub fn split_options(fragment: &str) -> Result<(&str, LinkOptions), String> {
    let fragment = fragment.trim_start_matches('#');
    let mut parts = fragment.split('&');
    let scenario = parts.next().unwrap_or_default();
    let mut o = LinkOptions::default();
    for p in parts.filter(|p| !p.is_empty()) {
        match p.split_once('=') {
            Some(("load", v)) => match v.parse::<f64>() {
                Ok(x) if (0.1..=20.0).contains(&x) => o.load = Some(x),
                _ => {
                    return Err(format!(
                        "this link's load '{v}' is not a multiplier from 0.1 to 20"
                    ));
                }
            },
            Some(("run", "1")) => o.run = true,
            Some(("run", "0")) => o.run = false,
            _ => {
                return Err(format!(
                    "this link has an option the app does not know: '{p}' (known: load=0.1..20, run=0|1)"
                ));
            }
        }
    }
    Ok((scenario, o))
}

/// Where copied links point.
fn base_url() -> String {
    #[cfg(target_arch = "wasm32")]
    {
        super::web::page_url()
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        share::native_base_url(None)
    }
}
