//! Reports of a finished session, rendered from the journal alone.
//!
//! A report is read long after the hunt, often by someone who did not run it, so every
//! format works from what the journal kept: the session's arguments and result, and each
//! step's runs and logs. Results written by older versions lack fields; they still
//! render, with what they have.

mod chart;
mod escape;
pub mod excerpt;
mod findings;
mod html;
mod json;
mod junit;
mod markdown;
mod narrowing;
pub mod session_choice;
pub mod step_view;
mod steps;
mod time;

use culprit_hunt::infra::Retried;
use culprit_hunt::journal::{SessionRow, StepRow};
use std::path::PathBuf;

pub use findings::{Findings, Hunt};
pub use steps::StepEntry;

/// The formats `culprit report --format` writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum Format {
    /// A short summary to paste into a bug or a mailing-list reply.
    Md,
    /// The whole session: its row and every step, as the journal holds them.
    Json,
    /// JUnit XML for CI dashboards: one suite per step, one case per run.
    Junit,
    /// One self-contained page: verdict, timeline, charts, evidence excerpts.
    Html,
}

/// Everything a report is made from.
pub struct Material {
    pub session: SessionRow,
    pub steps: Vec<StepRow>,
    /// Log paths are shown relative to this directory when they are below it.
    pub base: PathBuf,
}

/// What every format needs, read once from the material.
pub struct Reading<'a> {
    pub material: &'a Material,
    pub findings: Findings,
    pub steps: Vec<StepEntry<'a>>,
    /// Runs retried after a lab fault, by cause.
    pub retried: Vec<Retried>,
}

impl<'a> Reading<'a> {
    pub fn of(material: &'a Material) -> Reading<'a> {
        let findings = Findings::of(&material.session);
        let steps = steps::entries(material, &findings);
        Reading {
            material,
            findings,
            steps,
            retried: retried(&material.steps),
        }
    }

    pub fn session(&self) -> &SessionRow {
        &self.material.session
    }
}

pub fn render(format: Format, material: &Material) -> Result<String, serde_json::Error> {
    let reading = Reading::of(material);
    Ok(match format {
        Format::Md => markdown::render(&reading),
        Format::Json => json::render(material)?,
        Format::Junit => junit::render(&reading),
        Format::Html => html::render(&reading),
    })
}

/// The runs the session retried after a lab fault, by cause, from its recorded steps
/// (a step answered from an earlier session retried nothing in this one).
pub fn retried(steps: &[StepRow]) -> Vec<Retried> {
    culprit_hunt::infra::retried(
        steps
            .iter()
            .filter(|s| !s.candidate["cached"].as_bool().unwrap_or(false))
            .map(|s| &s.result),
    )
}
