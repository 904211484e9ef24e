//! Export: the report as JSON, the time series as CSV, the canvas as PNG.

use std::fmt::Write as _;

use crate::metrics::Report;

/// The report as pretty JSON (the CLI's `--json` format).
pub fn report_json(r: &Report) -> String {
    serde_json::to_string_pretty(r).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
}

/// The time series as CSV: one row per bucket; end-to-end columns, then four per node.
pub fn series_csv(r: &Report) -> String {
    let s = &r.series;
    let mut out = String::from(
        "t_s,offered_rps,succeeded_rps,failed_rps,timed_out_rps,rejected_rps,p50_ms,p95_ms,p99_ms",
    );
    for n in &s.nodes {
        let _ = write!(
            out,
            ",{0}.utilization,{0}.queue_len,{0}.throughput_rps,{0}.p99_ms",
            n.id
        );
    }
    out.push('\n');
    // The series are kept as f32 (widened to f64 in the report): print them at f32 precision, the
    // shortest text that reads back to the same value, so 17.535999298095703 is written 17.536.
    let cell = |v: Option<&f64>| match v {
        Some(x) if x.is_finite() => format!("{}", *x as f32),
        _ => String::new(),
    };
    for i in 0..s.t_s.len() {
        let cols = [
            &s.t_s,
            &s.offered_rps,
            &s.succeeded_rps,
            &s.failed_rps,
            &s.timed_out_rps,
            &s.rejected_rps,
            &s.p50_ms,
            &s.p95_ms,
            &s.p99_ms,
        ];
        let row: Vec<String> = cols.iter().map(|c| cell(c.get(i))).collect();
        out.push_str(&row.join(","));
        for n in &s.nodes {
            for c in [&n.utilization, &n.queue_len, &n.throughput_rps, &n.p99_ms] {
                out.push(',');
                out.push_str(&cell(c.get(i)));
            }
        }
        out.push('\n');
    }
    out
}

/// Writes a file atomically (temporary file beside it, then renamed over it).
#[cfg(not(target_arch = "wasm32"))]
pub fn write_atomic(path: &str, bytes: &[u8]) -> Result<(), String> {
    crate::model::write_atomic(std::path::Path::new(path), bytes)
        .map_err(|e| format!("{path}: {e}"))
}

/// Crops a screenshot to `region` (points) and encodes it as PNG.
pub fn png_bytes(
    shot: &egui::ColorImage,
    region: egui::Rect,
    pixels_per_point: f32,
) -> Result<Vec<u8>, String> {
    let w = shot.width() as f32 / pixels_per_point;
    let h = shot.height() as f32 / pixels_per_point;
    let region = region.intersect(egui::Rect::from_min_size(
        egui::Pos2::ZERO,
        egui::vec2(w, h),
    ));
    if region.width() < 1.0 || region.height() < 1.0 {
        return Err("the canvas is not visible".into());
    }
    let img = shot.region(&region, Some(pixels_per_point));
    let [iw, ih] = img.size;
    let bytes: Vec<u8> = img
        .pixels
        .iter()
        .flat_map(|c| c.to_srgba_unmultiplied())
        .collect();
    let buf = image::RgbaImage::from_raw(iw as u32, ih as u32, bytes)
        .ok_or("screenshot has the wrong size")?;
    let mut png = Vec::new();
    buf.write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .map_err(|e| e.to_string())?;
    Ok(png)
}

#[cfg(test)]
mod tests {
    #[test]
    fn csv_has_header_and_rows() {
        let mut r = crate::metrics::Report::default();
        r.series.t_s = vec![0.0, 1.0];
        r.series.p99_ms = vec![f64::NAN, 3.0];
        let csv = super::series_csv(&r);
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines.len(), 3);
        assert!(lines[0].starts_with("t_s,"));
        assert_eq!(lines[2].split(',').nth(8), Some("3"));
    }

    #[test]
    fn csv_has_no_float_noise() {
        let mut r = crate::metrics::Report::default();
        r.series.t_s = vec![0.0];
        // What an f32 of 17.536 becomes in f64.
        r.series.p50_ms = vec![f64::from(17.536_f32)];
        assert_eq!(f64::from(17.536_f32).to_string(), "17.535999298095703");
        let csv = super::series_csv(&r);
        assert_eq!(
            csv.lines().nth(1).unwrap().split(',').nth(6),
            Some("17.536")
        );
    }
}
