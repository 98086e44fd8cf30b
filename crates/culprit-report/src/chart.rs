//! Inline SVG charts for the HTML report: how the suspects narrowed, and when each step
//! ran. Colours come from the page's CSS classes (`good`, `bad`, `skip`).

use super::escape::html;
use super::steps::{StepEntry, VerdictClass};
use super::time::duration;
use std::fmt::Write;

const WIDTH: f64 = 960.0;
const LEFT: f64 = 64.0;
const RIGHT: f64 = 56.0;

/// One point of the narrowing chart: after which candidate, how many suspects were
/// left, and the verdict that left them (`None` for the start).
pub struct Point {
    pub label: String,
    /// The step's number in the journal; `None` for the start.
    pub seq: Option<i64>,
    pub suspects: usize,
    pub verdict: Option<VerdictClass>,
}

/// Suspects left after each search step, on a log scale so that the halvings of a long
/// range read as even steps down.
pub fn narrowing(points: &[Point]) -> String {
    let height = 280.0;
    let (top, bottom) = (28.0, 48.0);
    let plot_w = WIDTH - LEFT - RIGHT;
    let plot_h = height - top - bottom;
    let most = points.iter().map(|p| p.suspects).max().unwrap_or(1).max(1);
    let scale = ((most + 1) as f64).log2().ceil().max(1.0);
    let y = |count: usize| top + plot_h * (1.0 - ((count + 1) as f64).log2() / scale);
    let step = plot_w / (points.len().max(2) - 1) as f64;
    let x = |i: usize| LEFT + step * i as f64;
    let mut svg = format!(
        "<svg class=\"chart\" viewBox=\"0 0 {WIDTH} {height}\" role=\"img\" aria-label=\"suspects left after each step\">\n"
    );
    // The y axis: powers of two, and zero.
    let mut value = 0usize;
    loop {
        let _ = writeln!(
            svg,
            "<line class=\"grid\" x1=\"{LEFT}\" x2=\"{:.1}\" y1=\"{:.1}\" y2=\"{:.1}\"/><text class=\"tick\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{value}</text>",
            WIDTH - RIGHT,
            y(value),
            y(value),
            LEFT - 8.0,
            y(value) + 4.0
        );
        if value >= most {
            break;
        }
        value = if value == 0 { 1 } else { value * 2 };
        if value > most && ((value + 1) as f64).log2() > scale {
            break;
        }
    }
    let _ = writeln!(
        svg,
        "<text class=\"axis\" transform=\"translate(16 {:.1}) rotate(-90)\" text-anchor=\"middle\">suspects left (log scale)</text>",
        top + plot_h / 2.0
    );
    let _ = writeln!(
        svg,
        "<text class=\"axis\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">search steps (numbered as in the timeline), in the order they finished</text>",
        LEFT + plot_w / 2.0,
        height - 8.0
    );
    let mut path = String::new();
    for (i, point) in points.iter().enumerate() {
        if i == 0 {
            let _ = write!(path, "M{:.1} {:.1}", x(0), y(point.suspects));
        } else {
            let _ = write!(path, " H{:.1} V{:.1}", x(i), y(point.suspects));
        }
    }
    let _ = writeln!(svg, "<path class=\"line\" d=\"{path}\"/>");
    let labelled = points.len() <= 32;
    // Candidate names fit under the points only when the points are far apart.
    let named = step >= 100.0;
    for (i, point) in points.iter().enumerate() {
        let class = point.verdict.map_or("start", VerdictClass::word);
        let what = match point.verdict {
            Some(v) => format!(
                "#{} {} was {}",
                point.seq.unwrap_or(0),
                point.label,
                v.word()
            ),
            None => "before the search".to_string(),
        };
        let _ = writeln!(
            svg,
            "<circle class=\"dot {class}\" cx=\"{:.1}\" cy=\"{:.1}\" r=\"6\"><title>{}: {} suspects left</title></circle>",
            x(i),
            y(point.suspects),
            html(&what),
            point.suspects
        );
        if labelled {
            let _ = writeln!(
                svg,
                "<text class=\"count\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text><text class=\"tick\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
                x(i),
                y(point.suspects) - 12.0,
                point.suspects,
                x(i),
                top + plot_h + 20.0,
                match point.seq {
                    Some(seq) if !named => format!("#{seq}"),
                    Some(_) => html(&point.label),
                    None => "start".into(),
                }
            );
        }
    }
    svg.push_str("</svg>\n");
    svg
}

/// Each step as a bar from its start to its end, in lanes where steps overlapped (with
/// several workers), coloured by verdict.
pub fn timeline(steps: &[StepEntry<'_>]) -> String {
    let t0 = steps
        .iter()
        .map(|s| s.row.started)
        .fold(f64::INFINITY, f64::min);
    let t1 = steps
        .iter()
        .map(|s| s.row.finished)
        .fold(f64::NEG_INFINITY, f64::max);
    let span = if t1 > t0 { t1 - t0 } else { 1.0 };
    let lanes = lanes(steps);
    let lane_count = lanes.iter().copied().max().map_or(1, |l| l + 1);
    let (top, lane_h, gap) = (30.0, 26.0, 8.0);
    let height = top + lane_count as f64 * (lane_h + gap) + 36.0;
    let plot_w = WIDTH - LEFT - RIGHT;
    let x = |t: f64| LEFT + plot_w * (t - t0) / span;
    let mut svg = format!(
        "<svg class=\"chart\" viewBox=\"0 0 {WIDTH} {height:.0}\" role=\"img\" aria-label=\"when each step ran\">\n"
    );
    let tick = nice_tick(span);
    let mut at = 0.0;
    while at <= span + 1e-9 {
        let _ = writeln!(
            svg,
            "<line class=\"grid\" x1=\"{0:.1}\" x2=\"{0:.1}\" y1=\"{1:.1}\" y2=\"{2:.1}\"/><text class=\"tick\" x=\"{0:.1}\" y=\"{3:.1}\" text-anchor=\"middle\">{4}</text>",
            x(t0 + at),
            top - 6.0,
            height - 30.0,
            top - 12.0,
            duration(at)
        );
        at += tick;
    }
    for lane in 0..lane_count {
        let _ = writeln!(
            svg,
            "<text class=\"tick\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
            LEFT - 8.0,
            top + lane as f64 * (lane_h + gap) + lane_h / 2.0 + 4.0,
            if lane_count > 1 {
                format!("worker {}", lane + 1)
            } else {
                String::new()
            }
        );
    }
    for (step, lane) in steps.iter().zip(&lanes) {
        let (start, end) = (
            x(step.row.started),
            x(step.row.finished.max(step.row.started)),
        );
        let width = (end - start).max(4.0);
        let y = top + *lane as f64 * (lane_h + gap);
        let class = step.verdict.class.word();
        let _ = writeln!(
            svg,
            "<g><title>#{} {} {}: {} ({})</title><rect class=\"bar {class}\" x=\"{start:.1}\" y=\"{y:.1}\" width=\"{width:.1}\" height=\"{lane_h}\" rx=\"4\"/>",
            step.row.seq,
            html(&step.phase),
            html(&step.label),
            html(&step.verdict.text),
            duration(step.row.finished - step.row.started)
        );
        if width > 46.0 {
            let room = ((width - 10.0) / 7.0) as usize;
            let text: String = format!("#{} {}", step.row.seq, step.label)
                .chars()
                .take(room)
                .collect();
            let _ = writeln!(
                svg,
                "<text class=\"barlabel\" x=\"{:.1}\" y=\"{:.1}\">{}</text>",
                start + 5.0,
                y + lane_h / 2.0 + 4.0,
                html(&text)
            );
        }
        svg.push_str("</g>\n");
    }
    let _ = writeln!(
        svg,
        "<text class=\"axis\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">time since the first step started</text>",
        LEFT + plot_w / 2.0,
        height - 8.0
    );
    svg.push_str("</svg>\n");
    svg
}

/// A lane per step: the first lane free when it started.
fn lanes(steps: &[StepEntry<'_>]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..steps.len()).collect();
    order.sort_by(|&a, &b| steps[a].row.started.total_cmp(&steps[b].row.started));
    let mut free_at: Vec<f64> = Vec::new();
    let mut lanes = vec![0; steps.len()];
    for i in order {
        let row = steps[i].row;
        let lane = match free_at.iter().position(|&t| t <= row.started + 1e-3) {
            Some(lane) => lane,
            None => {
                free_at.push(f64::NEG_INFINITY);
                free_at.len() - 1
            }
        };
        free_at[lane] = row.finished.max(row.started);
        lanes[i] = lane;
    }
    lanes
}

/// A round tick interval giving at most about eight ticks over `span` seconds.
fn nice_tick(span: f64) -> f64 {
    const STEPS: [f64; 16] = [
        0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 15.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0, 3600.0,
        7200.0,
    ];
    STEPS
        .iter()
        .copied()
        .find(|s| span / s <= 8.0)
        .unwrap_or_else(|| (span / 8.0 / 3600.0).ceil() * 3600.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::steps::Verdict;
    use culprit_hunt::journal::StepRow;
    use culprit_hunt::record::StepResult;

    fn row(seq: i64, started: f64, finished: f64) -> StepRow {
        StepRow {
            seq,
            candidate: serde_json::Value::Null,
            result: StepResult::default(),
            started,
            finished,
        }
    }

    fn entry(row: &StepRow) -> StepEntry<'_> {
        StepEntry {
            row,
            phase: "search".into(),
            key: "k".into(),
            label: "<k>".into(),
            detail: String::new(),
            size: None,
            unapplied: Vec::new(),
            cached: false,
            verdict: Verdict {
                class: VerdictClass::Good,
                text: "good".into(),
            },
        }
    }

    #[test]
    fn overlapping_steps_get_their_own_lanes() {
        let rows = [
            row(1, 0.0, 10.0),
            row(2, 0.0, 4.0),
            row(3, 5.0, 9.0),
            row(4, 10.0, 12.0),
        ];
        let steps: Vec<StepEntry> = rows.iter().map(entry).collect();
        assert_eq!(lanes(&steps), vec![0, 1, 1, 0]);
        let svg = timeline(&steps);
        assert_eq!(svg.matches("<rect").count(), 4);
        assert!(!svg.contains("<k>"), "labels are escaped");
    }

    #[test]
    fn ticks_are_round_and_few() {
        assert_eq!(nice_tick(3.0), 0.5);
        assert_eq!(nice_tick(100.0), 15.0);
        assert_eq!(nice_tick(50_000.0), 7200.0);
        assert!(100_000.0 / nice_tick(100_000.0) <= 8.0);
    }

    #[test]
    fn narrowing_plots_every_point() {
        let points: Vec<Point> = [
            (60usize, None),
            (30, Some(VerdictClass::Good)),
            (1, Some(VerdictClass::Bad)),
        ]
        .into_iter()
        .map(|(suspects, verdict)| Point {
            label: "x".into(),
            seq: verdict.map(|_| 1),
            suspects,
            verdict,
        })
        .collect();
        let svg = narrowing(&points);
        assert_eq!(svg.matches("<circle").count(), 3);
        assert!(
            svg.contains(">64<") || svg.contains(">32<"),
            "a power-of-two tick near the top"
        );
    }
}
