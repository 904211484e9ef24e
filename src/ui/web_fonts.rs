//! The browser build's fonts. The web bundle has a size budget (docs/benchmarks.md), and egui's two
//! default fonts in full are a sixth of it, most of it scripts archsim's text never shows; so the web
//! build carries copies cut down: the proportional font (all of the UI's text) to Latin, punctuation,
//! arrows, maths and a few symbol blocks, the monospace one (field and key names, the paste box) to
//! ASCII, Latin-1, punctuation and a few symbols (`scripts/subset-fonts.sh` makes them; assets/fonts/web/
//! has them and their licences). Monospace text takes a character it lacks from the proportional font
//! (the family order below); a character outside both is still drawn, by the browser's own fonts through
//! eframe's canvas fallback, so nothing a person types is lost. The desktop app keeps egui's fonts in full.

use std::sync::Arc;

use egui::{FontData, FontDefinitions, FontFamily, FontTweak};

const SANS: &[u8] = include_bytes!("../../assets/fonts/web/ArchsimSans-Light.ttf");
const MONO: &[u8] = include_bytes!("../../assets/fonts/web/ArchsimMono-Regular.ttf");
const ICONS: &[u8] = include_bytes!("../../assets/fonts/web/egui-icons.ttf");

/// egui's default font setup (`FontDefinitions::default()` with `default_fonts`), with the cut-down
/// copies: same families, same order, same tweak.
pub fn definitions() -> FontDefinitions {
    let mut defs = FontDefinitions::empty();
    defs.font_data
        .insert("Hack".into(), Arc::new(FontData::from_static(MONO)));
    defs.font_data
        .insert("Ubuntu-Light".into(), Arc::new(FontData::from_static(SANS)));
    defs.font_data.insert(
        "egui-icons".into(),
        Arc::new(FontData::from_static(ICONS).tweak(FontTweak {
            scale: 0.90,
            ..Default::default()
        })),
    );
    let names = |v: &[&str]| v.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
    defs.families.insert(
        FontFamily::Monospace,
        names(&["Hack", "Ubuntu-Light", "egui-icons"]),
    );
    defs.families.insert(
        FontFamily::Proportional,
        names(&["Ubuntu-Light", "egui-icons"]),
    );
    defs
}
