//! `bordersim report`: one SVG a test engineer looks at instead of reading tables.
//!
//! Top: the scene in the scenario's local east/north frame — the border line, the sensors
//! (radars as triangles with their coverage, AIS receivers as diamonds), each truth path in
//! grey with its start marked, each fused track in its own colour, and the alerts the agent
//! raised as red rings labelled with their kind. Bottom: GOSPA per scan over time, with the
//! missed and false counts, from the same scorer as `bordersim score`.
//!
//! Plain SVG 1.1 text, no scripts, no external resources: it opens in any browser and can be
//! attached to a test report as it is.

use crate::score::{LabelledPosition, ScanScore};
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// A point of the scene, metres east and north of the scenario origin.
pub type Point = (f64, f64);

/// A sensor drawn on the scene.
#[derive(Debug, Clone, PartialEq)]
pub struct SensorMark {
    /// Name, shown beside it.
    pub name: String,
    /// Where it is.
    pub at: Point,
    /// Coverage radius, metres (drawn as a faint circle).
    pub range_m: f64,
    /// A radar (triangle) or an AIS receiver (diamond).
    pub radar: bool,
}

/// What an area of the scene is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AreaKind {
    /// Land (filled).
    Land,
    /// A port area.
    Port,
    /// A watched zone (outlined in red).
    Zone,
}

impl AreaKind {
    fn class(self) -> &'static str {
        match self {
            AreaKind::Land => "land",
            AreaKind::Port => "port",
            AreaKind::Zone => "zone",
        }
    }

    /// Fill, fill opacity, stroke, dash.
    fn style(self) -> (&'static str, f64, &'static str, &'static str) {
        match self {
            AreaKind::Land => ("#e9dfc4", 1.0, "#b9a77d", "none"),
            AreaKind::Port => ("#6b8fb3", 0.15, "#4a6f94", "4 3"),
            AreaKind::Zone => ("#d00000", 0.06, "#d00000", "6 4"),
        }
    }
}

/// A polygon drawn on the scene, under everything else.
#[derive(Debug, Clone, PartialEq)]
pub struct AreaMark {
    /// Name, shown in it (zones and ports).
    pub name: String,
    /// Land, port or zone.
    pub kind: AreaKind,
    /// Its ring.
    pub ring: Vec<Point>,
}

/// An alert drawn on the scene.
#[derive(Debug, Clone, PartialEq)]
pub struct AlertMark {
    /// Alert kind, e.g. `dark_target`.
    pub kind: String,
    /// Where it was raised.
    pub at: Point,
}

/// Everything the picture shows.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReportInput {
    /// Title line.
    pub title: String,
    /// Border polyline.
    pub border: Vec<Point>,
    /// Land, ports and zones.
    pub areas: Vec<AreaMark>,
    /// Sensors.
    pub sensors: Vec<SensorMark>,
    /// Truth rows (`truth.csv`).
    pub truth: Vec<LabelledPosition>,
    /// Fused track rows (a tracks CSV).
    pub tracks: Vec<LabelledPosition>,
    /// Alerts.
    pub alerts: Vec<AlertMark>,
    /// GOSPA per scan.
    pub per_scan: Vec<ScanScore>,
    /// One summary line under the chart (e.g. the score's summary).
    pub summary: String,
}

/// Why no picture could be drawn.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ReportError {
    /// No finite position at all: nothing to scale the scene to.
    #[error("nothing to draw: no finite position in the truth, tracks, border or sensors")]
    Empty,
}

const WIDTH: f64 = 1000.0;
const SCENE_HEIGHT: f64 = 760.0;
const CHART_HEIGHT: f64 = 240.0;
const MARGIN: f64 = 50.0;
/// Distinct, colour-blind-friendly colours (Okabe–Ito, without black and yellow), cycled.
const TRACK_COLOURS: [&str; 6] = [
    "#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00",
];

/// Draws the report.
pub fn render_svg(input: &ReportInput) -> Result<String, ReportError> {
    let scene = SceneScale::fit(input).ok_or(ReportError::Empty)?;
    let height = SCENE_HEIGHT + CHART_HEIGHT + MARGIN;
    let mut svg = String::new();
    // Writing to a String cannot fail; the results are ignored deliberately below.
    let _ = writeln!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" viewBox="0 0 {WIDTH} {height}" font-family="sans-serif" font-size="12">"#
    );
    let _ = writeln!(
        svg,
        r##"<rect width="100%" height="100%" fill="#ffffff"/><text x="{MARGIN}" y="28" font-size="16">{}</text>"##,
        escape(&input.title)
    );
    // Coverage circles reach far beyond the scene (an AIS receiver hears 40 km): clipped to
    // the scene's area so they do not cover the chart.
    let _ = writeln!(
        svg,
        r#"<clipPath id="scene-area"><rect x="0" y="0" width="{WIDTH}" height="{SCENE_HEIGHT}"/></clipPath>"#
    );
    for area in &input.areas {
        let (fill, opacity, stroke, dash) = area.kind.style();
        let _ = writeln!(
            svg,
            r##"<polygon class="{}" clip-path="url(#scene-area)" points="{}" fill="{fill}" fill-opacity="{opacity}" stroke="{stroke}" stroke-dasharray="{dash}"/>"##,
            area.kind.class(),
            points(&scene, area.ring.iter().copied())
        );
        if area.kind != AreaKind::Land {
            let n = area.ring.len().max(1) as f64;
            let centre = area
                .ring
                .iter()
                .fold((0.0, 0.0), |c, p| (c.0 + p.0 / n, c.1 + p.1 / n));
            let (x, y) = scene.map(centre);
            let _ = writeln!(
                svg,
                r##"<text x="{x:.1}" y="{y:.1}" text-anchor="middle" font-size="11" fill="{stroke}">{}</text>"##,
                escape(&area.name)
            );
        }
    }
    draw_scale_bar(&mut svg, &scene);
    for (k, sensor) in input.sensors.iter().enumerate() {
        // Sensors on one mast: their labels one under the other.
        let below = input.sensors[..k]
            .iter()
            .filter(|other| {
                let (a, b) = (scene.map(other.at), scene.map(sensor.at));
                (a.0 - b.0).abs() < 1.0 && (a.1 - b.1).abs() < 1.0
            })
            .count();
        draw_sensor(&mut svg, &scene, sensor, below);
    }
    if input.border.len() >= 2 {
        let _ = writeln!(
            svg,
            r##"<polyline class="border" points="{}" fill="none" stroke="#444" stroke-width="2" stroke-dasharray="10 4 2 4"/>"##,
            points(&scene, input.border.iter().copied())
        );
    }
    for (id, path) in paths(&input.truth) {
        let _ = writeln!(
            svg,
            r##"<polyline class="truth" data-id="{}" points="{}" fill="none" stroke="#999" stroke-width="5" stroke-opacity="0.5"/>"##,
            escape(id),
            points(&scene, path.iter().copied())
        );
        if let Some(&start) = path.first() {
            let (x, y) = scene.map(start);
            let _ = writeln!(
                svg,
                r##"<circle cx="{x:.1}" cy="{y:.1}" r="4" fill="#999"/>"##
            );
        }
    }
    for (k, (id, path)) in paths(&input.tracks).into_iter().enumerate() {
        let colour = TRACK_COLOURS[k % TRACK_COLOURS.len()];
        let _ = writeln!(
            svg,
            r#"<polyline class="track" data-id="{}" points="{}" fill="none" stroke="{colour}" stroke-width="1.5"/>"#,
            escape(id),
            points(&scene, path.iter().copied())
        );
        if let Some(&end) = path.last() {
            let (x, y) = scene.map(end);
            let _ = writeln!(
                svg,
                r#"<text x="{:.1}" y="{:.1}" fill="{colour}">{}</text>"#,
                x + 5.0,
                y - 5.0,
                escape(id)
            );
        }
    }
    for alert in input.alerts.iter().filter(|a| finite(a.at)) {
        let (x, y) = scene.map(alert.at);
        let _ = writeln!(
            svg,
            r##"<g class="alert"><circle cx="{x:.1}" cy="{y:.1}" r="9" fill="none" stroke="#D00000" stroke-width="2.5"/><text x="{:.1}" y="{:.1}" fill="#D00000">{}</text></g>"##,
            x + 12.0,
            y + 4.0,
            escape(&alert.kind)
        );
    }
    draw_legend(&mut svg);
    draw_chart(&mut svg, &input.per_scan, SCENE_HEIGHT + 10.0);
    let _ = writeln!(
        svg,
        r#"<text x="{MARGIN}" y="{:.1}">{}</text>"#,
        height - 12.0,
        escape(&input.summary)
    );
    svg.push_str("</svg>\n");
    Ok(svg)
}

/// Rows grouped by id, each in time order (ids in sorted order, so colours are stable).
fn paths(rows: &[LabelledPosition]) -> BTreeMap<&str, Vec<Point>> {
    let mut by_id: BTreeMap<&str, Vec<(f64, Point)>> = BTreeMap::new();
    for row in rows
        .iter()
        .filter(|r| r.t.is_finite() && finite((r.x, r.y)))
    {
        by_id
            .entry(row.id.as_str())
            .or_default()
            .push((row.t, (row.x, row.y)));
    }
    by_id
        .into_iter()
        .map(|(id, mut timed)| {
            timed.sort_by(|a, b| a.0.total_cmp(&b.0));
            (id, timed.into_iter().map(|(_, p)| p).collect())
        })
        .collect()
}

fn finite(p: Point) -> bool {
    p.0.is_finite() && p.1.is_finite()
}

/// From scene metres to picture pixels: one scale for both axes (a map must not stretch),
/// north up.
struct SceneScale {
    min: Point,
    scale: f64,
    offset: Point,
}

impl SceneScale {
    fn fit(input: &ReportInput) -> Option<SceneScale> {
        let all = input
            .truth
            .iter()
            .chain(&input.tracks)
            .map(|r| (r.x, r.y))
            .chain(input.border.iter().copied())
            .chain(input.sensors.iter().map(|s| s.at))
            .chain(input.alerts.iter().map(|a| a.at))
            .filter(|&p| finite(p));
        let mut bounds: Option<(Point, Point)> = None;
        for (x, y) in all {
            bounds = Some(match bounds {
                None => ((x, y), (x, y)),
                Some(((x0, y0), (x1, y1))) => ((x0.min(x), y0.min(y)), (x1.max(x), y1.max(y))),
            });
        }
        let ((x0, y0), (x1, y1)) = bounds?;
        // A single point still gets a 1 km window.
        let (w, h) = ((x1 - x0).max(1000.0), (y1 - y0).max(1000.0));
        let (avail_w, avail_h) = (WIDTH - 2.0 * MARGIN, SCENE_HEIGHT - 2.0 * MARGIN);
        let scale = (avail_w / w).min(avail_h / h);
        Some(SceneScale {
            min: (x0, y0),
            scale,
            offset: (
                MARGIN + (avail_w - (x1 - x0) * scale) / 2.0,
                MARGIN + (avail_h - (y1 - y0) * scale) / 2.0 + (y1 - y0) * scale,
            ),
        })
    }

    fn map(&self, (x, y): Point) -> (f64, f64) {
        (
            self.offset.0 + (x - self.min.0) * self.scale,
            self.offset.1 - (y - self.min.1) * self.scale,
        )
    }
}

fn points(scene: &SceneScale, path: impl Iterator<Item = Point>) -> String {
    let mut out = String::new();
    for p in path.filter(|&p| finite(p)) {
        let (x, y) = scene.map(p);
        let _ = write!(out, "{x:.1},{y:.1} ");
    }
    out.trim_end().to_string()
}

fn draw_sensor(svg: &mut String, scene: &SceneScale, sensor: &SensorMark, label_line: usize) {
    if !finite(sensor.at) {
        return;
    }
    let (x, y) = scene.map(sensor.at);
    if sensor.range_m.is_finite() && sensor.range_m > 0.0 {
        let _ = writeln!(
            svg,
            r##"<circle clip-path="url(#scene-area)" cx="{x:.1}" cy="{y:.1}" r="{:.1}" fill="#2b6cb0" fill-opacity="0.04" stroke="#2b6cb0" stroke-opacity="0.25"/>"##,
            sensor.range_m * scene.scale
        );
    }
    let shape = if sensor.radar {
        format!(
            "{:.1},{:.1} {:.1},{:.1} {:.1},{:.1}",
            x,
            y - 8.0,
            x - 7.0,
            y + 6.0,
            x + 7.0,
            y + 6.0
        )
    } else {
        format!(
            "{:.1},{:.1} {:.1},{:.1} {:.1},{:.1} {:.1},{:.1}",
            x,
            y - 8.0,
            x + 7.0,
            y,
            x,
            y + 8.0,
            x - 7.0,
            y
        )
    };
    let _ = writeln!(
        svg,
        r##"<g class="sensor"><polygon points="{shape}" fill="#2b6cb0"/><text x="{:.1}" y="{:.1}" fill="#2b6cb0">{}</text></g>"##,
        x + 10.0,
        y + 16.0 + 14.0 * label_line as f64,
        escape(&sensor.name)
    );
}

/// A scale bar of a round length about a fifth of the picture.
fn draw_scale_bar(svg: &mut String, scene: &SceneScale) {
    let target_m = (WIDTH - 2.0 * MARGIN) / 5.0 / scene.scale;
    let magnitude = 10f64.powf(target_m.log10().floor());
    let length_m = [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|f| f * magnitude)
        .rfind(|&m| m <= target_m)
        .unwrap_or(magnitude);
    let px = length_m * scene.scale;
    let (x, y) = (WIDTH - MARGIN - px, SCENE_HEIGHT - 20.0);
    let label = if length_m >= 1000.0 {
        format!("{} km", length_m / 1000.0)
    } else {
        format!("{length_m} m")
    };
    let _ = writeln!(
        svg,
        r##"<g class="scale"><line x1="{x:.1}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}" stroke="#000" stroke-width="2"/><text x="{x:.1}" y="{:.1}">{label}</text><text x="{:.1}" y="60" font-size="14">N ↑</text></g>"##,
        x + px,
        y - 6.0,
        WIDTH - MARGIN - 20.0
    );
}

fn draw_legend(svg: &mut String) {
    let y = SCENE_HEIGHT - 20.0;
    let _ = writeln!(
        svg,
        r##"<g class="legend"><line x1="{MARGIN}" y1="{y}" x2="{}" y2="{y}" stroke="#999" stroke-width="5" stroke-opacity="0.5"/><text x="{}" y="{}">truth</text><line x1="{}" y1="{y}" x2="{}" y2="{y}" stroke="{}" stroke-width="1.5"/><text x="{}" y="{}">fused track</text><circle cx="{}" cy="{y}" r="6" fill="none" stroke="#D00000" stroke-width="2"/><text x="{}" y="{}">alert</text><line x1="{}" y1="{y}" x2="{}" y2="{y}" stroke="#444" stroke-width="2" stroke-dasharray="10 4 2 4"/><text x="{}" y="{}">border</text></g>"##,
        MARGIN + 30.0,
        MARGIN + 35.0,
        y + 4.0,
        MARGIN + 90.0,
        MARGIN + 120.0,
        TRACK_COLOURS[0],
        MARGIN + 125.0,
        y + 4.0,
        MARGIN + 215.0,
        MARGIN + 225.0,
        y + 4.0,
        MARGIN + 270.0,
        MARGIN + 310.0,
        MARGIN + 315.0,
        y + 4.0,
    );
}

/// GOSPA over time, with missed and false track counts on their own axis.
fn draw_chart(svg: &mut String, per_scan: &[ScanScore], top: f64) {
    let (left, right) = (MARGIN + 20.0, WIDTH - MARGIN - 30.0);
    let bottom = top + CHART_HEIGHT - 40.0;
    let scans: Vec<&ScanScore> = per_scan
        .iter()
        .filter(|s| s.t.is_finite() && s.gospa.is_finite())
        .collect();
    let _ = writeln!(
        svg,
        r##"<g class="chart"><line x1="{left}" y1="{bottom}" x2="{right}" y2="{bottom}" stroke="#000"/><line x1="{left}" y1="{top}" x2="{left}" y2="{bottom}" stroke="#000"/><text x="{left}" y="{:.1}">GOSPA (m) per scan</text>"##,
        top - 2.0
    );
    let (Some(first), Some(last)) = (scans.first(), scans.last()) else {
        let _ = writeln!(
            svg,
            r#"<text x="{:.1}" y="{:.1}">no scans scored</text></g>"#,
            left + 10.0,
            top + 40.0
        );
        return;
    };
    let (t0, t1) = (first.t, last.t.max(first.t + 1.0));
    let g_max = scans.iter().map(|s| s.gospa).fold(1.0, f64::max);
    let n_max = scans
        .iter()
        .map(|s| s.missed.max(s.false_tracks))
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let x_of = |t: f64| left + (t - t0) / (t1 - t0) * (right - left);
    let y_of = |v: f64, max: f64| bottom - v / max * (bottom - top - 10.0);
    let line = |value: &dyn Fn(&ScanScore) -> f64, max: f64| {
        let mut out = String::new();
        for s in &scans {
            let _ = write!(out, "{:.1},{:.1} ", x_of(s.t), y_of(value(s), max));
        }
        out.trim_end().to_string()
    };
    let _ = writeln!(
        svg,
        r##"<polyline class="gospa" points="{}" fill="none" stroke="#000" stroke-width="1.5"/>"##,
        line(&|s| s.gospa, g_max)
    );
    let _ = writeln!(
        svg,
        r##"<polyline class="missed" points="{}" fill="none" stroke="#D55E00" stroke-width="1" stroke-dasharray="3 2"/><polyline class="false" points="{}" fill="none" stroke="#0072B2" stroke-width="1" stroke-dasharray="1 2"/>"##,
        line(&|s| s.missed as f64, n_max),
        line(&|s| s.false_tracks as f64, n_max)
    );
    let _ = writeln!(
        svg,
        r##"<text x="{:.1}" y="{:.1}" text-anchor="end">{g_max:.0}</text><text x="{:.1}" y="{bottom}" text-anchor="end">0</text><text x="{left}" y="{:.1}">t = {t0:.0} s</text><text x="{right}" y="{:.1}" text-anchor="end">t = {t1:.0} s</text><text x="{:.1}" y="{:.1}" fill="#D55E00">missed</text><text x="{:.1}" y="{:.1}" fill="#0072B2">false tracks (right axis, max {n_max:.0})</text></g>"##,
        left - 4.0,
        top + 14.0,
        left - 4.0,
        bottom + 16.0,
        bottom + 16.0,
        right - 300.0,
        top + 10.0,
        right - 240.0,
        top + 10.0,
    );
}

/// Text for SVG: the five XML specials escaped.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(t: f64, id: &str, x: f64, y: f64) -> LabelledPosition {
        LabelledPosition {
            t,
            id: id.into(),
            x,
            y,
        }
    }

    fn scan(t: f64, gospa: f64) -> ScanScore {
        ScanScore {
            t,
            gospa,
            localisation: 0.0,
            missed: 0,
            false_tracks: 1,
            n_truth: 1,
            n_tracks: 1,
        }
    }

    fn input() -> ReportInput {
        ReportInput {
            title: "a <test> & more".into(),
            border: vec![(0.0, -1000.0), (0.0, 1000.0)],
            areas: Vec::new(),
            sensors: vec![SensorMark {
                name: "radar".into(),
                at: (-2000.0, 0.0),
                range_m: 5000.0,
                radar: true,
            }],
            truth: vec![row(0.0, "1", 1000.0, 0.0), row(2.0, "1", 0.0, 0.0)],
            tracks: vec![
                row(2.0, "7", 10.0, 5.0),
                row(0.0, "7", 1000.0, 5.0),
                row(2.0, "8", f64::NAN, 5.0),
            ],
            alerts: vec![AlertMark {
                kind: "dark_target".into(),
                at: (0.0, 0.0),
            }],
            per_scan: vec![scan(0.0, 100.0), scan(2.0, 10.0)],
            summary: "gospa_per_truth=10".into(),
        }
    }

    /// Every element opened is closed (a cheap well-formedness check without an XML crate:
    /// the renderer writes no comments, CDATA or processing instructions).
    fn balanced(svg: &str) -> bool {
        let mut depth: i64 = 0;
        for tag in svg.split('<').skip(1) {
            let Some(body) = tag.split('>').next() else {
                return false;
            };
            if body.starts_with('/') {
                depth -= 1;
            } else if !body.ends_with('/') {
                depth += 1;
            }
            if depth < 0 {
                return false;
            }
        }
        depth == 0
    }

    #[test]
    fn areas_are_drawn_with_their_kind_and_zones_named() {
        let mut input = input();
        input.areas = vec![
            AreaMark {
                name: "island".into(),
                kind: AreaKind::Land,
                ring: vec![(-500.0, -500.0), (-200.0, -500.0), (-200.0, -200.0)],
            },
            AreaMark {
                name: "beach <north>".into(),
                kind: AreaKind::Zone,
                ring: vec![(100.0, 100.0), (300.0, 100.0), (300.0, 300.0)],
            },
        ];
        let svg = render_svg(&input).unwrap();
        assert_eq!(svg.matches(r#"<polygon class="land""#).count(), 1);
        assert_eq!(svg.matches(r#"<polygon class="zone""#).count(), 1);
        assert!(svg.contains("beach &lt;north&gt;"), "names are escaped");
        assert!(!svg.contains(">island<"), "land is not labelled");
        assert!(balanced(&svg));
    }

    #[test]
    fn the_picture_has_every_path_alert_and_scan_and_is_well_formed() {
        let svg = render_svg(&input()).unwrap();
        assert!(balanced(&svg), "{svg}");
        assert_eq!(svg.matches(r#"class="truth""#).count(), 1);
        // Track 8 has no finite position: not drawn, and no NaN coordinate anywhere.
        assert_eq!(svg.matches(r#"class="track""#).count(), 1);
        assert!(!svg.contains("NaN"));
        assert_eq!(svg.matches(r#"class="alert""#).count(), 1);
        assert_eq!(svg.matches(r#"class="border""#).count(), 1);
        assert!(svg.contains("a &lt;test&gt; &amp; more"));
        let gospa = svg
            .split(r#"class="gospa" points=""#)
            .nth(1)
            .and_then(|s| s.split('"').next())
            .unwrap();
        assert_eq!(gospa.split(' ').count(), 2);
    }

    #[test]
    fn north_is_up_east_is_right_and_the_map_does_not_stretch() {
        let input = input();
        let scene = SceneScale::fit(&input).unwrap();
        let (ox, oy) = scene.map((0.0, 0.0));
        let (ex, ey) = scene.map((1000.0, 0.0));
        let (nx, ny) = scene.map((0.0, 1000.0));
        assert!(ex > ox && (ey - oy).abs() < 1e-9);
        assert!(ny < oy && (nx - ox).abs() < 1e-9);
        assert!(((ex - ox) - (oy - ny)).abs() < 1e-9);
        // Everything inside the scene's area.
        for p in [(-2000.0, 0.0), (1000.0, 5.0), (0.0, -1000.0), (0.0, 1000.0)] {
            let (x, y) = scene.map(p);
            assert!(
                (MARGIN - 1e-9..=WIDTH - MARGIN + 1e-9).contains(&x),
                "{p:?} → {x}"
            );
            assert!(
                (MARGIN - 1e-9..=SCENE_HEIGHT - MARGIN + 1e-9).contains(&y),
                "{p:?} → {y}"
            );
        }
        // The alert at the origin is drawn where the origin is.
        let svg = render_svg(&input).unwrap();
        assert!(svg.contains(&format!(r#"<circle cx="{ox:.1}" cy="{oy:.1}" r="9""#)));
    }

    #[test]
    fn nothing_finite_is_an_error_and_no_scans_is_said() {
        let empty = ReportInput {
            truth: vec![row(0.0, "1", f64::NAN, 0.0)],
            ..ReportInput::default()
        };
        assert_eq!(render_svg(&empty), Err(ReportError::Empty));
        let one = ReportInput {
            truth: vec![row(0.0, "1", 5.0, 5.0)],
            ..ReportInput::default()
        };
        let svg = render_svg(&one).unwrap();
        assert!(balanced(&svg) && svg.contains("no scans scored"));
    }
}
