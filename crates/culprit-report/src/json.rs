//! The whole session as the journal holds it, for scripts: its row and every step.

use super::Material;
use serde_json::{json, Value};

pub fn render(material: &Material) -> Result<String, serde_json::Error> {
    let session = &material.session;
    let steps: Vec<Value> = material
        .steps
        .iter()
        .map(|s| {
            Ok(json!({
                "seq": s.seq,
                "candidate": s.candidate,
                "result": serde_json::to_value(&s.result)?,
                "started": s.started,
                "finished": s.finished,
            }))
        })
        .collect::<Result<_, serde_json::Error>>()?;
    let doc = json!({
        "session": {
            "id": session.id,
            "kind": session.kind,
            "args": session.args,
            "status": session.status,
            "result": session.result,
        },
        "steps": steps,
        "retried": super::retried(&material.steps),
    });
    let mut text = serde_json::to_string_pretty(&doc)?;
    text.push('\n');
    Ok(text)
}
