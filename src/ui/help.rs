//! The help panel: every keyboard shortcut and mouse gesture.

use egui::Ui;

/// Shortcuts, as (keys, what).
pub const SHORTCUTS: &[(&str, &str)] = &[
    ("Space", "Run / pause"),
    ("S", "Step 0.1 simulated seconds"),
    ("R", "Reset the run"),
    ("F", "Zoom to fit"),
    ("Del / Backspace", "Delete selection"),
    ("Ctrl+D", "Duplicate selection"),
    ("Ctrl+A", "Select all"),
    ("F2", "Rename selected node"),
    ("Esc", "Clear selection"),
    ("Ctrl+Z", "Undo"),
    ("Ctrl+Shift+Z / Ctrl+Y", "Redo"),
    ("Ctrl+N", "New scenario"),
    ("Ctrl+O", "Open…"),
    ("Ctrl+P", "Presets…"),
    ("Ctrl+S", "Save"),
    ("Ctrl+Shift+S", "Save as…"),
    ("F1", "This help"),
    ("F12", "Frame-time overlay"),
];

/// Mouse gestures, as (gesture, what).
pub const GESTURES: &[(&str, &str)] = &[
    ("Drag from palette", "Add a component"),
    ("Double-click canvas", "Add the last palette kind"),
    ("Drag node handle -> node", "Connect (refused ones say why)"),
    ("Click / Shift-click", "Select / add to selection"),
    ("Shift-drag empty space", "Rubber-band select"),
    ("Drag empty space", "Pan (also middle or right drag)"),
    ("Wheel / pinch", "Zoom"),
    ("Right-click", "Context menu"),
];

/// Draws the help panel.
pub fn help_ui(ui: &mut Ui) {
    egui::Grid::new("help_keys")
        .num_columns(2)
        .striped(true)
        .spacing([18.0, 4.0])
        .show(ui, |ui| {
            for (k, what) in SHORTCUTS {
                ui.monospace(*k);
                ui.label(*what);
                ui.end_row();
            }
        });
    ui.add_space(8.0);
    ui.strong("Mouse");
    egui::Grid::new("help_mouse")
        .num_columns(2)
        .striped(true)
        .spacing([18.0, 4.0])
        .show(ui, |ui| {
            for (k, what) in GESTURES {
                ui.label(*k);
                ui.label(*what);
                ui.end_row();
            }
        });
}
