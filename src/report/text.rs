//! The terminal report: the incident told in a few lines an on-call
//! engineer can act on, then the details. Colour only when asked (the
//! binary decides: a terminal and no `NO_COLOR`).

use super::summary::*;
use super::words::printable;
use super::words::{group, human_bytes, human_lag, plural};
use crate::correlate::skew::ClockMethod;
use anstyle::{AnsiColor, Style};
use std::io::{self, Write};

struct Paint {
    on: bool,
}

impl Paint {
    fn p(&self, style: Style, text: &str) -> String {
        if self.on {
            format!("{}{}{}", style.render(), text, style.render_reset())
        } else {
            text.to_string()
        }
    }
    fn bold(&self, t: &str) -> String {
        self.p(Style::new().bold(), t)
    }
    fn red(&self, t: &str) -> String {
        self.p(Style::new().bold().fg_color(Some(AnsiColor::Red.into())), t)
    }
    fn yellow(&self, t: &str) -> String {
        self.p(Style::new().fg_color(Some(AnsiColor::Yellow.into())), t)
    }
    fn dim(&self, t: &str) -> String {
        self.p(Style::new().dimmed(), t)
    }
}

/// Writes the text report. Text from the logs and file names is shown
/// with control characters escaped, so a log line cannot retitle or clear
/// the reader's terminal, nor a file name forge a line (JSON stays exact).
pub fn render(s: &Summary, color: bool, out: &mut dyn Write) -> io::Result<()> {
    let clean = printable_summary(s);
    let s = &clean;
    let c = Paint { on: color };
    writeln!(
        out,
        "{} {} system{}, {} file{}, {}, {} lines, {} events in {:.2} s",
        c.bold("faultline:"),
        s.systems.len(),
        plural(s.systems.len()),
        s.stats.files,
        plural(s.stats.files as usize),
        human_bytes(s.stats.bytes),
        group(s.stats.lines),
        group(s.stats.events),
        s.stats.elapsed_ms as f64 / 1000.0
    )?;
    if let (Some(a), Some(b)) = (&s.window.start, &s.window.end) {
        writeln!(out, "window: {a} .. {b}")?;
    }
    if let Some(line) = clocks_line(s) {
        writeln!(out, "{line}")?;
    }
    if let Some(b) = &s.baseline {
        let span = match (&b.window.start, &b.window.end) {
            (Some(a), Some(z)) => format!(", {a} .. {z}"),
            _ => String::new(),
        };
        writeln!(
            out,
            "baseline: {} file{}, {} lines{span}; what is as frequent there is background",
            b.files,
            plural(b.files as usize),
            group(b.lines)
        )?;
    }
    if let Some(h) = &s.history {
        writeln!(out, "history: {}", h.headline())?;
    }
    writeln!(out)?;
    match s.causes.first() {
        None => {
            writeln!(
                out,
                "{} (confidence {:.0}%)",
                c.bold("No incident: nothing rose above what is normal for these logs"),
                s.incident.confidence * 100.0
            )?;
            if !s.candidates.is_empty() {
                writeln!(out, "\n{}", c.bold("Weaker candidates"))?;
                for k in &s.candidates {
                    cause(&c, k, false, &s.templates, out)?;
                }
            }
        }
        Some(top) => {
            writeln!(
                out,
                "{} (confidence {:.0}%)",
                c.bold("Most likely cause"),
                s.incident.confidence * 100.0
            )?;
            cause(&c, top, true, &s.templates, out)?;
            if s.causes.len() > 1 {
                writeln!(out, "\n{}", c.bold("Other candidates"))?;
                for k in &s.causes[1..] {
                    cause(&c, k, false, &s.templates, out)?;
                }
            }
        }
    }
    if !s.signatures.is_empty() {
        writeln!(out, "\n{}", c.bold("Signatures seen"))?;
        let w_sys = s.signatures.iter().map(|x| x.system.len()).max().unwrap_or(6).max(6);
        let w_sig = s.signatures.iter().map(|x| x.signature.len()).max().unwrap_or(9).max(9);
        writeln!(out, "  {:w_sys$}  {:w_sig$}  {:>7}  {:24}  last", "system", "signature", "count", "first")?;
        let mut rows: Vec<&SignatureCount> = s.signatures.iter().collect();
        rows.sort_by(|a, b| a.first_seen.cmp(&b.first_seen));
        for r in rows {
            writeln!(
                out,
                "  {:w_sys$}  {:w_sig$}  {:>7}  {:24}  {}",
                r.system,
                r.signature,
                group(r.count),
                r.first_seen.as_deref().unwrap_or("-"),
                r.last_seen.as_deref().unwrap_or("-")
            )?;
        }
    }
    if !s.systems.is_empty() {
        writeln!(out, "\n{}", c.bold("Systems"))?;
        for sys in &s.systems {
            let zone = sys
                .assumed_timezone
                .as_deref()
                .map(|z| match sys.timezone_inferred {
                    true => format!(", zoneless times read as {z} (inferred from the zoned systems' clocks)"),
                    false => format!(", zoneless times read as {z}"),
                })
                .unwrap_or_default();
            writeln!(
                out,
                "  {}: {} file{}, {} lines, {} events, clock offset {} ms{}{}",
                sys.name,
                sys.files,
                plural(sys.files as usize),
                group(sys.lines),
                group(sys.events),
                sys.clock_offset_ms,
                if sys.time_formats.is_empty() {
                    String::new()
                } else {
                    format!(", times: {}", sys.time_formats.join(", "))
                },
                zone
            )?;
        }
    }
    let skipped = s.skipped.iter().map(|n| (&n.file, &n.reason));
    let warned = s.warnings.iter().map(|n| (&n.file, &n.reason));
    for (title, notes) in [("Skipped", skipped.collect::<Vec<_>>()), ("Warnings", warned.collect())] {
        if !notes.is_empty() {
            writeln!(out, "\n{}", c.yellow(title))?;
            for (file, reason) in notes {
                writeln!(out, "  {file}: {reason}")?;
            }
        }
    }
    Ok(())
}

/// The summary with every string that comes from the inputs made
/// printable.
fn printable_summary(s: &Summary) -> Summary {
    let mut s = s.clone();
    let p = |t: &mut String| {
        if let std::borrow::Cow::Owned(o) = printable(t) {
            *t = o;
        }
    };
    for c in s.causes.iter_mut().chain(s.candidates.iter_mut()) {
        p(&mut c.title);
        p(&mut c.system);
        p(&mut c.signature);
        for e in &mut c.evidence {
            p(&mut e.file);
            // evidence keeps its line breaks (a hit shown under its head)
            e.text = e.text.split('\n').map(|l| printable(l).into_owned()).collect::<Vec<_>>().join("\n");
        }
        for e in &mut c.effects {
            p(&mut e.system);
            p(&mut e.signature);
        }
    }
    for g in &mut s.signatures {
        p(&mut g.system);
    }
    for t in &mut s.templates {
        p(&mut t.template);
        p(&mut t.system);
    }
    for x in &mut s.systems {
        p(&mut x.name);
    }
    for n in &mut s.skipped {
        p(&mut n.file);
        p(&mut n.reason);
    }
    for n in &mut s.warnings {
        p(&mut n.file);
        p(&mut n.reason);
    }
    s
}

/// "clocks: on the crm clock; erp +4.2 s (50 shared requests)".
fn clocks_line(s: &Summary) -> Option<String> {
    let reference = s.systems.iter().find(|x| x.clock_method == ClockMethod::Reference)?;
    let others: Vec<String> = s
        .systems
        .iter()
        .filter(|x| x.clock_method != ClockMethod::Reference)
        .map(|x| match x.clock_method {
            ClockMethod::None => format!("{} not joined (no usable shared requests)", x.name),
            ClockMethod::Override => {
                format!("{} {:+.3} s (given)", x.name, x.clock_offset_ms as f64 / 1000.0)
            }
            _ => format!(
                "{} {:+.3} s ({} shared requests)",
                x.name,
                x.clock_offset_ms as f64 / 1000.0,
                x.clock_pairs
            ),
        })
        .collect();
    Some(format!("clocks: times are on the {} clock; {}", reference.name, others.join(", ")))
}

/// Effects listed under a cause; the rest are counted.
const EFFECTS_LISTED: usize = 8;

/// `text` cut to `max` characters, with an ellipsis.
fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_string()
    } else {
        format!("{}…", text.chars().take(max - 1).collect::<String>())
    }
}

fn cause(
    c: &Paint,
    k: &Cause,
    full: bool,
    templates: &[TemplateCount],
    out: &mut dyn Write,
) -> io::Result<()> {
    let status = if k.http_status.is_empty() {
        String::new()
    } else {
        format!(", HTTP {}", k.http_status.iter().map(u16::to_string).collect::<Vec<_>>().join("/"))
    };
    writeln!(
        out,
        "  {} {} in {}: {} {}",
        c.red(&format!("#{}", k.rank)),
        c.bold(&k.category),
        c.bold(&k.system),
        k.title,
        c.dim(&format!("[{}] score {:.2}", k.signature, k.score))
    )?;
    if let Some(onset) = k.onset.as_deref().filter(|o| Some(*o) != k.first_seen.as_deref()) {
        writeln!(out, "     rose above its baseline at {onset}")?;
    }
    writeln!(
        out,
        "     first {}, {} time{} until {}{}",
        k.first_seen.as_deref().unwrap_or("(no time)"),
        group(k.count),
        plural(k.count as usize),
        k.last_seen.as_deref().unwrap_or("-"),
        status
    )?;
    if !full {
        return Ok(());
    }
    writeln!(
        out,
        "     {}",
        c.dim(&format!(
            "why: severity {:.2}, novelty {:.2}, specificity {:.2}, role {:.2}, onset {:.2}, rise {:.2}, explains {:.2}, prior {:.2}",
            k.score_parts.severity,
            k.score_parts.novelty,
            k.score_parts.specificity,
            k.score_parts.role,
            k.score_parts.onset,
            k.score_parts.rise,
            k.score_parts.explains,
            k.score_parts.prior
        ))
    )?;
    if !k.effects.is_empty() {
        writeln!(out, "     then:")?;
        for e in k.effects.iter().take(EFFECTS_LISTED) {
            // a template by its text, never by its cluster hash
            let what = match templates.iter().find(|t| t.cluster == e.signature && t.system == e.system) {
                Some(t) => format!("\"{}\"", shorten(&t.template, 60)),
                None => e.signature.clone(),
            };
            writeln!(
                out,
                "       +{:<8} {} {} ({}, {} time{})",
                human_lag(e.lag_ms),
                e.system,
                what,
                e.category,
                group(e.count),
                plural(e.count as usize)
            )?;
        }
        if k.effects.len() > EFFECTS_LISTED {
            writeln!(out, "       and {} more (all in the JSON summary)", k.effects.len() - EFFECTS_LISTED)?;
        }
    }
    if !k.evidence.is_empty() {
        writeln!(out, "     evidence:")?;
        for e in &k.evidence {
            let mut lines = e.text.lines();
            writeln!(out, "       {}:{}  {}", e.file, e.line, lines.next().unwrap_or(""))?;
            for more in lines {
                writeln!(out, "         {more}")?;
            }
        }
    }
    if !k.advice.is_empty() {
        writeln!(out, "     what to do:")?;
        for (i, a) in k.advice.iter().take(6).enumerate() {
            writeln!(out, "       {}. {a}", i + 1)?;
        }
    }
    Ok(())
}
