//! The lessons of the two-region presets (issue 15): a region outage fails every request until the health
//! checks notice, active-passive for every user and active-active only for the dead region's users; the
//! standby must be sized for the whole load; active-active costs more. Figures from the CLI at the seed as
//! shipped are in each preset's description; the bounds here are loose around them.

use archsim::model::{self, Scenario, presets};

use crate::common::{edge_report, node_report, run, run_at};

fn preset(name: &str, sets: &[&str]) -> Scenario {
    let mut s = presets::load_preset(name).unwrap().unwrap();
    for spec in sets {
        model::apply_override(&mut s, spec).unwrap();
    }
    assert!(model::validate(&s).is_empty());
    s
}

#[test]
fn a_region_outage_fails_everyone_active_passive_and_one_region_active_active() {
    let ap = run(&preset("two_region_active_passive", &[]));
    let aa = run(&preset("two_region_active_active", &[]));
    // Detection: probes at 50, 60 and 70 s fail, so 25 s of the region's traffic fails.
    for r in [&ap, &aa] {
        let h = node_report(r, "dns").health.as_ref().unwrap();
        assert_eq!(
            (h[0].backend.as_str(), h[0].at_s, h[0].up),
            ("east_lb", 70.0, false)
        );
        assert!(h[1].up && h[1].at_s == 120.0, "{h:?}");
    }
    let (f_ap, f_aa) = (ap.requests.failed, aa.requests.failed);
    assert!(
        (24_000..26_000).contains(&f_ap),
        "active-passive failed {f_ap}"
    );
    assert!(
        (14_000..16_000).contains(&f_aa),
        "active-active failed {f_aa}"
    );
    // Active-passive sends the west coast across the continent; active-active serves it at home.
    assert!(edge_report(&aa, "dns", "west_lb").calls > 80_000);
    assert!(
        ap.latency_ms.p50 > aa.latency_ms.p50 + 15.0,
        "{} vs {}",
        ap.latency_ms.p50,
        aa.latency_ms.p50
    );
    // Both bills are known and active-active's is higher.
    let cost = |r: &archsim::metrics::Report| r.cost.as_ref().unwrap().monthly;
    assert!(
        cost(&aa) > cost(&ap) * 1.2,
        "{} vs {}",
        cost(&aa),
        cost(&ap)
    );
    // Calls crossed regions only after the failover (and in active-passive for the west users all along).
    let t = ap.topology.as_ref().unwrap();
    assert_eq!(
        t.regions[0].nodes,
        ["users_east", "east_lb", "east_api", "east_db"]
    );
}

#[test]
fn the_warm_standby_overflows_at_one_and_a_half_x_where_active_active_holds() {
    let ap = run_at(&preset("two_region_active_passive", &[]), 1.5);
    let aa = run_at(&preset("two_region_active_active", &[]), 1.5);
    assert!(
        ap.requests.rejected > 5_000,
        "standby refused {}",
        ap.requests.rejected
    );
    assert_eq!(aa.requests.rejected, 0);
}

#[test]
fn faster_health_checks_shorten_the_failover() {
    let fast = run(&preset(
        "two_region_active_passive",
        &["dns.health_check.interval_s=2"],
    ));
    // Probes every 2 s: marked down at 50 s, 5 s after the outage.
    assert!(
        (4_000..6_500).contains(&fast.requests.failed),
        "{}",
        fast.requests.failed
    );
}

#[test]
fn file_upload_cdn_a_full_purge_stampedes_the_origin_and_the_shield_absorbs_an_edge_purge() {
    let s = preset("file_upload_cdn", &[]);
    let r = run(&s);
    let series = |r: &archsim::metrics::Report, id: &str| {
        r.series.nodes.iter().find(|n| n.id == id).unwrap().clone()
    };
    let origin = series(&r, "object_store");
    let before: f64 = origin.utilization[30..70].iter().sum::<f64>() / 40.0;
    assert!(
        (0.45..0.8).contains(&before),
        "origin busy {before} before the purge"
    );
    // The purge at 70 s: the edges' hit ratio falls to 0, the origin saturates and queues.
    let cdn = series(&r, "cdn");
    assert!(
        cdn.hit_ratio[70] < 0.1,
        "edge hit ratio {}",
        cdn.hit_ratio[70]
    );
    let hot = origin.utilization[70..76]
        .iter()
        .filter(|&&u| u > 0.97)
        .count();
    assert!(hot >= 4, "origin saturated for {hot} of 6 s");
    let q = origin.queue_len[70..80].iter().copied().fold(0.0, f64::max);
    assert!(q > 100.0, "origin queue {q}");
    // Purging the edges alone: the shield takes the refill, the origin never saturates.
    let mut edges_only = s.clone();
    edges_only.faults.retain(|f| f.target != "shield");
    let r2 = run(&edges_only);
    let calm = series(&r2, "object_store").utilization[70..80]
        .iter()
        .copied()
        .fold(0.0, f64::max);
    assert!(calm < 0.9, "origin at {calm} with the shield");
    assert!(r2.latency_ms.p99 < r.latency_ms.p99 * 0.6);
    // The CDN's bill is its egress, far above the origin's.
    let c = r.cost.as_ref().unwrap();
    let node = |id: &str| c.nodes.iter().find(|n| n.id == id).unwrap();
    assert!(node("cdn").egress_monthly > 50_000.0);
    assert!(node("cdn").egress_monthly > 100.0 * node("object_store").monthly);
    // Edge misses cross the Atlantic for the European users: counted between regions.
    assert!(r.topology.as_ref().unwrap().cross_region_calls > 10_000);
}

#[test]
fn file_upload_cdn_an_outage_of_the_cdn_fails_over_to_the_shield() {
    let mut s = preset("file_upload_cdn", &[]);
    s.faults = vec![archsim::model::Fault {
        at_s: 70.0,
        duration_s: 20.0,
        target: "cdn".into(),
        kind: archsim::model::FaultKind::Crash(Default::default()),
    }];
    let r = run(&s);
    let h = node_report(&r, "dns").health.as_ref().unwrap();
    // Probes every 5 s, two failed in a row: marked down at 75 s.
    assert_eq!(
        (h[0].backend.as_str(), h[0].at_s, h[0].up),
        ("cdn", 75.0, false)
    );
    // About 5 s of downloads fail (95% of 1,000/s), then the shield takes them.
    assert!(
        (4_000..6_000).contains(&r.requests.failed),
        "{}",
        r.requests.failed
    );
    assert!(edge_report(&r, "dns", "shield").calls > 15_000);
    let u = &r
        .series
        .nodes
        .iter()
        .find(|n| n.id == "object_store")
        .unwrap()
        .utilization;
    let during: f64 = u[78..88].iter().sum::<f64>() / 10.0;
    let before: f64 = u[30..70].iter().sum::<f64>() / 40.0;
    assert!(
        during > before + 0.1,
        "origin {during} during, {before} before"
    );
}
