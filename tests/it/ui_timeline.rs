//! UI tests (egui_kittest) of the fault timeline under the charts: a scheduled fault is a bar that a drag
//! moves and a drag on its right end resizes, one undo step per drag, saved in the file.
#![cfg(feature = "gui")]

use archsim::model::{CrashParams, Fault, FaultKind};
use archsim::ui::{App, Command, Edit};
use egui::{Event, Modifiers, PointerButton, Pos2, vec2};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

fn harness() -> Harness<'static, App> {
    Harness::builder()
        .with_size(egui::vec2(1280.0, 800.0))
        .build_ui_state(|ui, app: &mut App| app.ui_root(ui), App::default())
}

fn apply(h: &mut Harness<'static, App>, cmd: Command) {
    let ctx = h.ctx.clone();
    h.state_mut().apply(&ctx, cmd);
    h.run_steps(2);
}

fn crash(at_s: f64, duration_s: f64) -> Fault {
    Fault {
        at_s,
        duration_s,
        target: "app".into(),
        kind: FaultKind::Crash(CrashParams::default()),
    }
}

/// Presses at `from`, moves in steps to `to` and releases, a frame per step, as a hand would.
fn drag(h: &mut Harness<'static, App>, from: Pos2, to: Pos2) {
    h.event(Event::PointerMoved(from));
    h.run_steps(1);
    h.event(Event::PointerButton {
        pos: from,
        button: PointerButton::Primary,
        pressed: true,
        modifiers: Modifiers::default(),
    });
    h.run_steps(1);
    for k in 1..=8 {
        h.event(Event::PointerMoved(from + (to - from) * (k as f32 / 8.0)));
        h.run_steps(1);
    }
    h.event(Event::PointerButton {
        pos: to,
        button: PointerButton::Primary,
        pressed: false,
        modifiers: Modifiers::default(),
    });
    h.run_steps(2);
}

#[test]
fn dragging_a_fault_bar_moves_it_and_its_right_end_resizes_it() {
    let mut h = harness();
    h.run_steps(2);
    apply(
        &mut h,
        Command::Edit(Edit::SetFaults(vec![crash(20.0, 10.0)])),
    );
    apply(&mut h, Command::EndGesture);
    let bar = h.get_by_label("Fault bar Crash app").rect();
    // The bar spans 10 of the axis's 60 s: its width gives the scale, points per simulated second.
    let px_per_s = bar.width() / 10.0;
    assert!(px_per_s > 5.0, "bar {bar:?}");

    // Drag the body 12 s to the right: the start moves, the duration stays.
    let from = bar.center() - vec2(bar.width() * 0.25, 0.0);
    drag(&mut h, from, from + vec2(12.0 * px_per_s, 0.0));
    let f = h.state().scenario().faults.clone();
    assert_eq!(f.len(), 1);
    let said: Vec<String> = h.state().messages().map(str::to_owned).collect();
    assert!(
        (f[0].at_s - 32.0).abs() <= 0.5,
        "moved to {:?} {bar:?} {said:?}",
        f[0]
    );
    assert_eq!(f[0].duration_s, 10.0);
    assert_eq!(
        f[0].at_s % 0.5,
        0.0,
        "snapped to half seconds: {}",
        f[0].at_s
    );
    let moved_at = f[0].at_s;

    // Drag the right end 5 s further: the duration grows, the start stays.
    let grip = h.get_by_label("Resize Crash app").rect();
    drag(
        &mut h,
        grip.center(),
        grip.center() + vec2(5.0 * px_per_s, 0.0),
    );
    let f = h.state().scenario().faults.clone();
    assert_eq!(f[0].at_s, moved_at);
    assert!(
        (f[0].duration_s - 15.0).abs() <= 0.5,
        "resized to {:?}",
        f[0]
    );

    // Saved in the file.
    let dir = std::env::temp_dir().join(format!("archsim-ui-timeline-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("dragged.ron").display().to_string();
    apply(&mut h, Command::SaveAs(path.clone()));
    apply(&mut h, Command::New);
    apply(&mut h, Command::Open(path));
    assert_eq!(h.state().scenario().faults, f);

    // Each drag was one undo step: two undos give back the fault as scheduled.
    apply(
        &mut h,
        Command::Edit(Edit::SetFaults(vec![crash(20.0, 10.0)])),
    );
    apply(&mut h, Command::EndGesture);
    let bar = h.get_by_label("Fault bar Crash app").rect();
    let from = bar.center() - vec2(bar.width() * 0.25, 0.0);
    drag(&mut h, from, from + vec2(6.0 * px_per_s, 0.0));
    assert!(h.state().scenario().faults[0].at_s > 20.0);
    apply(&mut h, Command::Undo);
    assert_eq!(h.state().scenario().faults, vec![crash(20.0, 10.0)]);
    let _ = std::fs::remove_dir_all(dir);
}
