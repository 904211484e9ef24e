//! UI tests (egui_kittest) of what the canvas shows while a design runs: request dots on every edge that
//! carries traffic (the default edge's hop of 0.25 ms included), and node badges that never cover another
//! node, however tightly the nodes are packed.
#![cfg(feature = "gui")]

use crate::common::ui::{H, apply, harness, node_ids, set_duration};
use archsim::ui::{Command, RunState};
use egui_kittest::kittest::Queryable;

/// Runs `h` as the app runs by default (10 simulated seconds per second, about 60 frames a second) for
/// `frames` frames, calling `look` after each.
fn run_frames(h: &mut H, frames: usize, mut look: impl FnMut(&H)) {
    set_duration(h, 600.0);
    apply(h, Command::SetSpeed(10.0));
    h.get_by_label("Run").click();
    for _ in 0..frames {
        std::thread::sleep(std::time::Duration::from_millis(16));
        h.run_steps(1);
        look(h);
    }
    assert_eq!(h.state().runner().state, RunState::Running);
}

#[test]
fn every_edge_that_carries_traffic_shows_request_dots() {
    let mut h = harness();
    h.run_steps(2);
    apply(&mut h, Command::LoadPreset("chat".into()));
    let edges = h.state().scenario().edges.len();
    assert!(edges >= 10, "chat has {edges} edges");
    // Per edge, over the last second of animation (60 frames): the frames in which it had a dot, and
    // those with a dot in its middle half (seen crossing, not only appearing at one end).
    let mut frames_with_dots = vec![0usize; edges];
    let mut frames_mid = vec![0usize; edges];
    let mut frame = 0;
    run_frames(&mut h, 240, |h| {
        frame += 1;
        if frame > 180 {
            for (i, along) in h.state().dots_on_edges().iter().enumerate() {
                frames_with_dots[i] += usize::from(!along.is_empty());
                frames_mid[i] += usize::from(along.iter().any(|a| (0.25..=0.75).contains(a)));
            }
        }
    });
    eprintln!("frames with dots {frames_with_dots:?}, in the middle {frames_mid:?}");
    let s = h.state().scenario().clone();
    let runner = h.state().runner();
    let snap = runner.snapshot.as_ref().expect("running");
    for (i, e) in s.edges.iter().enumerate() {
        let k = runner.edge_index(&e.from, &e.to).unwrap();
        let rps = snap.edges[k].throughput_rps;
        assert!(rps > 0.0, "{} -> {} carries no traffic", e.from, e.to);
        // A dot crosses in at least 0.6 s and a lane takes a new one every 0.1 s: an edge with traffic
        // has dots in nearly every frame (55 to 60 of 60 measured on each chat edge, a dot in the middle
        // half in 36 to 60; 30 and 20 leave room).
        assert!(
            frames_with_dots[i] >= 30 && frames_mid[i] >= 20,
            "{} -> {} ({rps:.0}/s, latency {:?}) had dots in {} of 60 frames, {} in its middle",
            e.from,
            e.to,
            e.latency_ms,
            frames_with_dots[i],
            frames_mid[i]
        );
    }
}

/// Nine nodes packed in a 3 x 3 grid, 18 points apart sideways and 14 up and down (at 100%): the middle
/// one has another node on every side.
const PACKED: &str = r#"(
    nodes: [
        (id: "users", kind: Client(rate_rps: 200), pos: (0.0, 0.0)),
        (id: "lb", kind: LoadBalancer(), pos: (150.0, 0.0)),
        (id: "app1", kind: Service(), pos: (300.0, 0.0)),
        (id: "app2", kind: Service(), pos: (0.0, 70.0)),
        (id: "app3", kind: Service(), pos: (150.0, 70.0)),
        (id: "app4", kind: Service(), pos: (300.0, 70.0)),
        (id: "db1", kind: Database(), pos: (0.0, 140.0)),
        (id: "db2", kind: Database(), pos: (150.0, 140.0)),
        (id: "db3", kind: Database(), pos: (300.0, 140.0)),
    ],
    edges: [
        (from: "users", to: "lb"),
        (from: "lb", to: "app1"), (from: "lb", to: "app2"), (from: "lb", to: "app3"), (from: "lb", to: "app4"),
        (from: "app1", to: "db1"), (from: "app2", to: "db1"), (from: "app3", to: "db2"), (from: "app4", to: "db3"),
    ],
)"#;

#[test]
fn badges_never_cover_another_node() {
    let mut h = harness();
    h.run_steps(2);
    apply(
        &mut h,
        Command::OpenText {
            name: "packed.ron".into(),
            text: PACKED.into(),
        },
    );
    let ids = node_ids(&h);
    assert_eq!(
        ids.len(),
        9,
        "{:?}",
        h.state().messages().collect::<Vec<_>>()
    );
    let mut checked = 0;
    run_frames(&mut h, 40, |h| {
        let rects: Vec<(String, egui::Rect)> = ids
            .iter()
            .map(|id| (id.clone(), h.state().node_screen_rect(id).unwrap()))
            .collect();
        for (owner, badge) in h.state().badge_rects() {
            for (id, r) in &rects {
                assert!(
                    id == owner || !badge.intersects(*r),
                    "{owner}'s badge {badge:?} covers {id} {r:?}"
                );
            }
            checked += 1;
        }
    });
    // Every node ran and had a badge, and the packing was tight: a badge above the middle node, where it
    // went before, would have covered the load balancer.
    assert_eq!(h.state().badge_rects().len(), 9);
    assert!(checked >= 9 * 30, "{checked} badges checked");
    let mid = h.state().node_screen_rect("app3").unwrap();
    let lb = h.state().node_screen_rect("lb").unwrap();
    let above = egui::Rect::from_min_max(
        egui::pos2(mid.left(), mid.top() - 22.0),
        egui::pos2(mid.right(), mid.top() - 4.0),
    );
    assert!(
        above.intersects(lb),
        "the grid is not tight: {mid:?} {lb:?}"
    );
}
