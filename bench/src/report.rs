//! The figures of a run: a Markdown table on stdout and the same as JSON.

use serde::Serialize;

use crate::load::Outcome;

#[derive(Serialize)]
pub struct Row {
    pub scenario: String,
    pub connections: usize,
    pub requests_per_second: f64,
    /// Throughput as a share of the baseline measured in the same run.
    pub ratio_to_baseline: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub requests: u64,
    pub errors: u64,
    /// Events per second, for ingestion scenarios.
    pub events_per_second: Option<f64>,
    pub peak_rss_mib: f64,
}

impl Row {
    pub fn new(scenario: &str, connections: usize, outcome: &Outcome, baseline: f64, rss: f64) -> Row {
        let rps = outcome.per_second();
        Row {
            scenario: scenario.to_string(),
            connections,
            requests_per_second: rps,
            ratio_to_baseline: if baseline > 0.0 { rps / baseline } else { 1.0 },
            p50_ms: outcome.millis(0.50),
            p99_ms: outcome.millis(0.99),
            requests: outcome.requests,
            errors: outcome.errors,
            events_per_second: None,
            peak_rss_mib: rss,
        }
    }
}

pub fn markdown(rows: &[Row]) -> String {
    let mut out = String::from(
        "| scenario | conns | req/s | × baseline | p50 ms | p99 ms | errors | events/s | peak RSS MiB |\n\
         |---|---:|---:|---:|---:|---:|---:|---:|---:|\n",
    );
    for r in rows {
        let events = r.events_per_second.map_or("".to_string(), |e| format!("{e:.0}"));
        out.push_str(&format!(
            "| {} | {} | {:.0} | {:.2} | {:.2} | {:.2} | {} | {} | {:.0} |\n",
            r.scenario,
            r.connections,
            r.requests_per_second,
            r.ratio_to_baseline,
            r.p50_ms,
            r.p99_ms,
            r.errors,
            events,
            r.peak_rss_mib
        ));
    }
    out
}
