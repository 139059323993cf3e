//! Where `faultline mine` spends its time, stage by stage, on one thread:
//! nanoseconds per line of header fitting (the learned layouts of the 8
//! Loghub-2k samples, in the order the bench file has them) and of masking
//! a message into its key. A guide for tuning the hot loops; the speed
//! claim against Drain3 is `benches/mine_vs_drain3.sh`.
//!
//! `cargo bench --bench mine_stages` (`FAULTLINE_SHARED`: folder holding
//! `data/loghub-2k`, default `../shared`)

use faultline::mine::{header, mask};
use std::hint::black_box;
use std::time::Instant;

const DATASETS: [&str; 8] = ["HDFS", "Hadoop", "Spark", "Zookeeper", "BGL", "Apache", "OpenSSH", "HealthApp"];
/// Timed rounds (the best is kept: the machines are shared and noisy),
/// each going over the lines `PASSES` times.
const ROUNDS: usize = 9;
const PASSES: usize = 16;

fn best_ns_per_line(lines: usize, mut f: impl FnMut()) -> f64 {
    let mut best = f64::MAX;
    for _ in 0..ROUNDS {
        let t = Instant::now();
        for _ in 0..PASSES {
            f();
        }
        best = best.min(t.elapsed().as_nanos() as f64 / (lines * PASSES) as f64);
    }
    best
}

fn main() {
    let shared = std::env::var("FAULTLINE_SHARED").unwrap_or_else(|_| "../shared".into());
    let texts: Vec<Vec<u8>> = DATASETS
        .iter()
        .map(|n| {
            let p = format!("{shared}/data/loghub-2k/{n}/{n}_2k.log");
            std::fs::read(&p).unwrap_or_else(|e| panic!("{p}: {e}"))
        })
        .collect();
    let per_set: Vec<Vec<&[u8]>> =
        texts.iter().map(|t| t.split(|&c| c == b'\n').filter(|l| !l.is_empty()).collect()).collect();
    // the layouts as the bench file teaches them: the first from the first
    // dataset, one more from each next one
    let mut layouts = header::Layouts::learn(per_set[0].iter().copied());
    for set in &per_set[1..] {
        layouts.learn_more(set);
    }
    let learn = best_ns_per_line(per_set.len(), || {
        let mut l = header::Layouts::learn(per_set[0].iter().copied());
        for set in &per_set[1..] {
            l.learn_more(set);
        }
        black_box(l);
    });
    let lines: Vec<&[u8]> = per_set.iter().flatten().copied().collect();
    let fitter = header::Fitter::new(layouts.models());
    let mut starts = vec![0usize; lines.len()];
    let fit = best_ns_per_line(lines.len(), || {
        let mut last = None;
        for (s, l) in starts.iter_mut().zip(&lines) {
            *s = black_box(fitter.fit(black_box(l), &mut last)).unwrap_or(0);
        }
    });
    let mut out = Vec::with_capacity(4096);
    let mut off = 0;
    for (n, set) in DATASETS.iter().zip(&per_set) {
        let mut last = None;
        let fit = best_ns_per_line(set.len(), || {
            for l in set {
                black_box(fitter.fit(black_box(l), &mut last));
            }
        });
        let starts = &starts[off..off + set.len()];
        off += set.len();
        let masking = best_ns_per_line(set.len(), || {
            for (l, &s) in set.iter().zip(starts) {
                out.clear();
                mask::mask_message(black_box(&l[s..]), &mut out);
                black_box(&out);
            }
        });
        let head: usize = starts.iter().sum();
        let all: usize = set.iter().map(|l| l.len()).sum();
        println!(
            "  {n:10} fit {fit:6.1} ns/line (header {:3.0} bytes)   mask {masking:6.1} ns/line (message {:3.0} bytes)",
            head as f64 / set.len() as f64,
            (all - head) as f64 / set.len() as f64
        );
    }
    let masking = best_ns_per_line(lines.len(), || {
        for (l, &s) in lines.iter().zip(&starts) {
            out.clear();
            mask::mask_message(black_box(&l[s..]), &mut out);
            black_box(&out);
        }
    });
    let bytes: usize = lines.iter().map(|l| l.len() + 1).sum();
    println!(
        "{} lines, {} layouts, {:.0} bytes per line",
        lines.len(),
        layouts.len(),
        bytes as f64 / lines.len() as f64
    );
    println!("header fit : {fit:6.1} ns/line");
    println!("learning   : {:6.1} us per layout (from 2,000 lines)", learn / 1000.0);
    println!("mask       : {masking:6.1} ns/line (every line masked, no repeat cache)");
}
