//! The activity of the series over the window, in equal time buckets: what
//! the HTML timeline draws as sparklines. Bounded by series and buckets,
//! never by events: a run of a hundred thousand events is still
//! [`MAX_SERIES`] rows of [`BUCKETS`] counts.

use super::series::{describe, Kind, Series};
use crate::catalog::Catalog;
use crate::report::summary::{rfc3339, Activity, ActivityRow};

/// Buckets across the window.
pub const BUCKETS: usize = 120;
/// Rows kept: the causes listed first, then the busiest series.
pub const MAX_SERIES: usize = 40;

/// The activity of `series` over `[lo, hi]`; `first` are the series
/// indices to keep before any other (the causes listed).
pub(super) fn activity(
    catalog: &Catalog,
    systems: &[String],
    series: &[Series<'_>],
    first: &[usize],
    lo: i64,
    hi: i64,
) -> Activity {
    let span = (hi - lo).max(1);
    let bucket_ms = (span + BUCKETS as i64 - 1) / BUCKETS as i64;
    let mut order: Vec<usize> = first.to_vec();
    let mut rest: Vec<usize> = (0..series.len()).filter(|i| !first.contains(i)).collect();
    rest.sort_by_key(|&i| (std::cmp::Reverse(series[i].occ.len()), i));
    order.extend(rest);
    let mut rows: Vec<ActivityRow> = Vec::new();
    for i in order {
        let s = &series[i];
        let words = describe(catalog, &s.kind);
        let system = &systems[s.system as usize];
        // the two views of a signature are one row
        let row = match rows.iter().position(|r| r.system == *system && r.signature == words.id) {
            Some(at) => &mut rows[at],
            None if rows.len() < MAX_SERIES => {
                rows.push(ActivityRow {
                    system: system.clone(),
                    signature: words.id.clone(),
                    category: words.category.to_string(),
                    template: match &s.kind {
                        Kind::Template(_, text) => text.clone(),
                        Kind::Signature(..) => String::new(),
                    },
                    total: 0,
                    counts: vec![0; BUCKETS],
                });
                rows.last_mut().expect("just pushed")
            }
            None => continue,
        };
        for t in s.occ.iter().filter_map(|o| o.shown_ts()) {
            let b = (((t - lo).max(0) / bucket_ms) as usize).min(BUCKETS - 1);
            row.counts[b] += 1;
            row.total += 1;
        }
    }
    Activity { start: rfc3339(lo), bucket_ms, rows }
}
