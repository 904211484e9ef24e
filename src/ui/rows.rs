//! The inspector's row helpers, one set for every panel: a row is a label (with its hover text) and one
//! widget in a two-column grid, the widget labelled by the label so kittests and screen readers find it by
//! name. Each returns whether the value changed.

use std::ops::RangeInclusive;

use egui::{DragValue, Slider, SliderClamping, Ui};

/// A labelled row holding the widget `add` draws.
pub(super) fn row(
    ui: &mut Ui,
    label: &str,
    hint: &str,
    add: impl FnOnce(&mut Ui) -> egui::Response,
) -> bool {
    let l = ui.label(label).on_hover_text(hint);
    let r = add(ui).labelled_by(l.id).on_hover_text(hint);
    ui.end_row();
    r.changed()
}

/// A whole number on a slider up to `max_slider` (logarithmic above 100); typing goes past it, validation
/// names a value out of range.
pub(super) fn count(ui: &mut Ui, label: &str, hint: &str, v: &mut u32, max_slider: u32) -> bool {
    row(ui, label, hint, |ui| {
        ui.add(
            Slider::new(v, 0..=max_slider)
                .logarithmic(max_slider > 100)
                .clamping(SliderClamping::Never),
        )
    })
}

/// A probability on a 0 to 1 slider.
pub(super) fn prob(ui: &mut Ui, label: &str, hint: &str, v: &mut f64) -> bool {
    row(ui, label, hint, |ui| {
        ui.add(Slider::new(v, 0.0..=1.0).clamping(SliderClamping::Never))
    })
}

/// A switch for an optional setting: ticking it sets `value` to `make()`, unticking clears it.
pub(super) fn switch_row_ui<T>(
    ui: &mut Ui,
    label: &str,
    hover: &str,
    value: &mut Option<T>,
    make: impl FnOnce() -> T,
) -> bool {
    let mut on = value.is_some();
    let l = ui.label(label).on_hover_text(hover);
    let changed = ui.checkbox(&mut on, "").labelled_by(l.id).changed();
    if changed {
        *value = on.then(make);
    }
    ui.end_row();
    changed
}

/// A whole-number field limited to `range`.
pub(super) fn count_row_ui(
    ui: &mut Ui,
    label: &str,
    hover: &str,
    v: &mut u32,
    range: RangeInclusive<u32>,
) -> bool {
    row(ui, label, hover, |ui| {
        ui.add(
            DragValue::new(v)
                .clamp_existing_to_range(false)
                .range(range),
        )
    })
}

/// A number field with its unit (`suffix`, e.g. " ms"): dragging moves it by `speed` per point within
/// `range`; a typed value outside it is kept for validation to name.
pub(super) fn number_row_ui(
    ui: &mut Ui,
    label: &str,
    hover: &str,
    v: &mut f64,
    range: RangeInclusive<f64>,
    speed: f64,
    suffix: &str,
) -> bool {
    row(ui, label, hover, |ui| {
        ui.add(
            DragValue::new(v)
                .clamp_existing_to_range(false)
                .speed(speed)
                .range(range)
                .suffix(suffix),
        )
    })
}
