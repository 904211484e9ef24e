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
    pub(super) fn copy_link(&mut self, ctx: &Context) {
        let link = share::link(&base_url(), &self.doc.scenario);
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

    /// Opens the scenario of a share link's fragment, or shows why it cannot.
    pub(super) fn open_link(&mut self, ctx: &Context, fragment: &str) {
        match share::decode(fragment) {
            Ok(s) => {
                let name = s.name.clone();
                self.replace(Document::new(s, None));
                self.link_error = None;
                self.toast(ctx, format!("Opened the shared scenario '{name}'"));
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
