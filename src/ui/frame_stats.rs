//! Frame-time statistics: the numbers behind the debug overlay and `archsim open --frame-stats`, the desktop
//! app's frame-time benchmark (a benchmark, not a test: it measures the real window, drawing included).

use web_time::Instant;

/// How often a summary line is printed, seconds of wall time.
const WINDOW_S: f64 = 2.0;

/// Collects per-frame CPU times (eframe's `cpu_usage`: everything the app, egui and the GL driver do for a
/// frame except the buffer swap) and the time spent in the app's own code; summarises them every two seconds.
#[derive(Debug, Default)]
pub struct FrameStats {
    cpu_ms: Vec<f32>,
    ui_ms: Vec<f32>,
    window_start: Option<Instant>,
    frames: u32,
    sim_s_at_start: f64,
}

impl FrameStats {
    /// Records one frame: eframe's CPU time for the previous frame and the time the previous frame spent in
    /// the app's own code. Returns a summary line once per window.
    pub fn record(&mut self, cpu_ms: Option<f32>, ui_ms: f32, sim_s: f64) -> Option<String> {
        let now = Instant::now();
        let Some(start) = self.window_start else {
            self.window_start = Some(now);
            self.sim_s_at_start = sim_s;
            return None;
        };
        self.frames += 1;
        if let Some(ms) = cpu_ms {
            self.cpu_ms.push(ms);
        }
        self.ui_ms.push(ui_ms);
        let wall_s = (now - start).as_secs_f64();
        if wall_s < WINDOW_S {
            return None;
        }
        let line = format!(
            "{}  (app code: mean {:.2} ms, max {:.2} ms)",
            summary_line(
                &mut self.cpu_ms,
                self.frames,
                wall_s,
                sim_s - self.sim_s_at_start
            ),
            self.ui_ms.iter().sum::<f32>() / self.ui_ms.len().max(1) as f32,
            self.ui_ms.iter().copied().fold(0.0, f32::max)
        );
        self.cpu_ms.clear();
        self.ui_ms.clear();
        self.frames = 0;
        self.window_start = Some(now);
        self.sim_s_at_start = sim_s;
        Some(line)
    }
}

/// `frames 120  fps 60.0  cpu mean 3.1 ms  p99 5.0 ms  max 6.2 ms  simulated 2.00 s in 2.00 s`.
fn summary_line(cpu_ms: &mut [f32], frames: u32, wall_s: f64, sim_s: f64) -> String {
    cpu_ms.sort_by(f32::total_cmp);
    let n = cpu_ms.len();
    let (mean, p99, max) = if n == 0 {
        (f32::NAN, f32::NAN, f32::NAN)
    } else {
        let p99_index = ((n as f64 * 0.99).ceil() as usize).clamp(1, n) - 1;
        (
            cpu_ms.iter().sum::<f32>() / n as f32,
            cpu_ms[p99_index],
            cpu_ms[n - 1],
        )
    };
    format!(
        "frames {frames}  fps {:.1}  cpu mean {mean:.2} ms  p99 {p99:.2} ms  max {max:.2} ms  simulated {sim_s:.2} s in {wall_s:.2} s",
        frames as f64 / wall_s
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_has_mean_p99_and_max() {
        let mut xs: Vec<f32> = (1..=100).map(|i| i as f32).collect();
        let line = summary_line(&mut xs, 100, 2.0, 1.5);
        assert!(line.contains("fps 50.0"), "{line}");
        assert!(line.contains("cpu mean 50.50 ms"), "{line}");
        assert!(line.contains("p99 99.00 ms"), "{line}");
        assert!(line.contains("max 100.00 ms"), "{line}");
        assert!(line.contains("simulated 1.50 s in 2.00 s"), "{line}");
    }
}
