//! In-memory counters and histograms exported in Prometheus text format at `/metrics`. Plain
//! mutex-guarded maps: the hot path takes one uncontended lock per request.

use std::collections::HashMap;
use std::fmt::Write;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

/// Upper bounds (seconds) of the latency histogram buckets.
const BUCKETS: [f64; 12] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
];

#[derive(Default)]
pub struct Metrics {
    routes: Mutex<HashMap<String, RouteStats>>,
    jobs: Mutex<HashMap<(String, &'static str), u64>>,
}

#[derive(Default)]
struct RouteStats {
    /// (method, status) -> count; a handful per route, so a vector beats a map.
    responses: Vec<(String, u16, u64)>,
    buckets: [u64; BUCKETS.len()],
    count: u64,
    sum_secs: f64,
}

impl Metrics {
    pub fn record_request(&self, method: &str, route: &str, status: u16, elapsed: Duration) {
        let mut routes = self.routes.lock().unwrap_or_else(PoisonError::into_inner);
        let stats = match routes.get_mut(route) {
            Some(stats) => stats,
            None => routes.entry(route.to_string()).or_default(),
        };
        match stats
            .responses
            .iter_mut()
            .find(|(m, s, _)| m == method && *s == status)
        {
            Some((_, _, n)) => *n += 1,
            None => stats.responses.push((method.to_string(), status, 1)),
        }
        let secs = elapsed.as_secs_f64();
        if let Some(i) = BUCKETS.iter().position(|upper| secs <= *upper) {
            stats.buckets[i] += 1;
        }
        stats.count += 1;
        stats.sum_secs += secs;
    }

    pub fn job_finished(&self, kind: &str, outcome: &'static str) {
        let mut jobs = self.jobs.lock().unwrap_or_else(PoisonError::into_inner);
        *jobs.entry((kind.to_string(), outcome)).or_default() += 1;
    }

    /// The Prometheus exposition; `gauges` are (name, labels, value) read at scrape time.
    pub fn render(&self, gauges: &[(&str, String, f64)]) -> String {
        let mut out = String::new();
        let routes = self.routes.lock().unwrap_or_else(PoisonError::into_inner);
        let mut names: Vec<&String> = routes.keys().collect();
        names.sort();

        out.push_str("# HELP http_requests_total HTTP responses by route, method and status.\n");
        out.push_str("# TYPE http_requests_total counter\n");
        for route in &names {
            for (method, status, n) in &routes[*route].responses {
                let _ = writeln!(
                    out,
                    "http_requests_total{{route=\"{route}\",method=\"{method}\",status=\"{status}\"}} {n}"
                );
            }
        }
        out.push_str(
            "# HELP http_request_duration_seconds Time to produce a response, by route.\n",
        );
        out.push_str("# TYPE http_request_duration_seconds histogram\n");
        for route in &names {
            let stats = &routes[*route];
            let mut cumulative = 0;
            for (upper, n) in BUCKETS.iter().zip(stats.buckets) {
                cumulative += n;
                let _ = writeln!(
                    out,
                    "http_request_duration_seconds_bucket{{route=\"{route}\",le=\"{upper}\"}} {cumulative}"
                );
            }
            let _ = writeln!(
                out,
                "http_request_duration_seconds_bucket{{route=\"{route}\",le=\"+Inf\"}} {}",
                stats.count
            );
            let _ = writeln!(
                out,
                "http_request_duration_seconds_sum{{route=\"{route}\"}} {}",
                stats.sum_secs
            );
            let _ = writeln!(
                out,
                "http_request_duration_seconds_count{{route=\"{route}\"}} {}",
                stats.count
            );
        }
        drop(routes);

        out.push_str(
            "# HELP jobs_finished_total Job runs by kind and outcome (done, retry, dead).\n",
        );
        out.push_str("# TYPE jobs_finished_total counter\n");
        let jobs = self.jobs.lock().unwrap_or_else(PoisonError::into_inner);
        let mut finished: Vec<_> = jobs.iter().collect();
        finished.sort();
        for ((kind, outcome), n) in finished {
            let _ = writeln!(
                out,
                "jobs_finished_total{{kind=\"{kind}\",outcome=\"{outcome}\"}} {n}"
            );
        }
        drop(jobs);

        let mut last_name = "";
        for (name, labels, value) in gauges {
            if *name != last_name {
                let _ = writeln!(out, "# TYPE {name} gauge");
                last_name = name;
            }
            let labels = if labels.is_empty() {
                String::new()
            } else {
                format!("{{{labels}}}")
            };
            let _ = writeln!(out, "{name}{labels} {value}");
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counters_and_cumulative_buckets() {
        let metrics = Metrics::default();
        metrics.record_request("GET", "/healthz", 200, Duration::from_micros(300));
        metrics.record_request("GET", "/healthz", 200, Duration::from_millis(20));
        metrics.job_finished("email.send", "retry");
        let text = metrics.render(&[("jobs", "state=\"queued\"".into(), 3.0)]);
        assert!(
            text.contains(
                "http_requests_total{route=\"/healthz\",method=\"GET\",status=\"200\"} 2"
            )
        );
        assert!(
            text.contains(
                "http_request_duration_seconds_bucket{route=\"/healthz\",le=\"0.0005\"} 1"
            )
        );
        assert!(
            text.contains(
                "http_request_duration_seconds_bucket{route=\"/healthz\",le=\"0.025\"} 2"
            )
        );
        assert!(text.contains("jobs_finished_total{kind=\"email.send\",outcome=\"retry\"} 1"));
        assert!(text.contains("jobs{state=\"queued\"} 3"));
    }
}
