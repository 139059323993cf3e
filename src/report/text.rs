//! The terminal report: the incident told in a few lines an on-call
//! engineer can act on, then the details. Colour only when asked (the
//! binary decides: a terminal and no `NO_COLOR`).

use super::summary::*;
use super::words::printable;
use super::words::{group, human_bytes, human_lag, plural, shorten};
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
        for (i, part) in wrap(&line, WIDTH - 8).into_iter().enumerate() {
            writeln!(out, "{}{part}", if i == 0 { "" } else { "        " })?;
        }
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
                for k in s.candidates.iter().filter(|k| k.view_of.is_none()) {
                    cause(&c, k, false, &s.candidates, &s.templates, out)?;
                }
            }
        }
        Some(top) => {
            for (i, part) in wrap(&story(s, top), WIDTH - 2).into_iter().enumerate() {
                let part = if i == 0 { c.bold(part) } else { part.to_string() };
                writeln!(out, "{part}")?;
            }
            writeln!(out)?;
            writeln!(
                out,
                "{} (confidence {:.0}%)",
                c.bold("Most likely cause"),
                s.incident.confidence * 100.0
            )?;
            cause(&c, top, true, &s.causes, &s.templates, out)?;
            // views of a cause are told with it, not as candidates
            let others: Vec<&Cause> = s.causes[1..].iter().filter(|k| k.view_of.is_none()).collect();
            if !others.is_empty() {
                writeln!(out, "\n{}", c.bold("Other candidates"))?;
                for k in others {
                    cause(&c, k, false, &s.causes, &s.templates, out)?;
                }
            }
        }
    }
    if !s.signatures.is_empty() {
        let w_sys = s.signatures.iter().map(|x| x.system.len()).max().unwrap_or(6).max(6);
        let w_sig = s.signatures.iter().map(|x| x.signature.len()).max().unwrap_or(9).max(9);
        // one date for all: times of day only, the date in the heading
        let date = |t: &Option<String>| t.as_deref().filter(|t| t.len() > 11).map(|t| t[..11].to_string());
        let dates: std::collections::BTreeSet<Option<String>> =
            s.signatures.iter().flat_map(|x| [date(&x.first_seen), date(&x.last_seen)]).collect();
        let one_day = match dates.iter().next() {
            Some(Some(d)) if dates.len() == 1 => Some(d.trim_end_matches('T').to_string()),
            _ => None,
        };
        let shown = |t: &Option<String>| -> String {
            match (&one_day, t.as_deref()) {
                (Some(_), Some(t)) => t[11..].to_string(),
                (None, Some(t)) => t.to_string(),
                (_, None) => "-".into(),
            }
        };
        let w_time = if one_day.is_some() { 13 } else { 24 };
        match &one_day {
            Some(d) => writeln!(out, "\n{} (all on {d})", c.bold("Signatures seen"))?,
            None => writeln!(out, "\n{}", c.bold("Signatures seen"))?,
        }
        writeln!(
            out,
            "  {:w_sys$}  {:w_sig$}  {:>6}  {:w_time$}  last",
            "system", "signature", "count", "first"
        )?;
        let mut rows: Vec<&SignatureCount> = s.signatures.iter().collect();
        rows.sort_by(|a, b| a.first_seen.cmp(&b.first_seen));
        for r in rows {
            writeln!(
                out,
                "  {:w_sys$}  {:w_sig$}  {:>6}  {:w_time$}  {}",
                r.system,
                r.signature,
                group(r.count),
                shown(&r.first_seen),
                shown(&r.last_seen)
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
            let line = format!(
                "{}: {} file{}, {} lines, {} events, clock offset {} ms{}{}",
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
            );
            for (i, part) in wrap(&line, WIDTH - 4).into_iter().enumerate() {
                writeln!(out, "{}{part}", if i == 0 { "  " } else { "    " })?;
            }
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

/// The paragraph a tired engineer acts on: what failed first, where, when
/// (on the corrected clock and in the reader's zone), what changed just
/// before, what followed and how fast, how sure, and where to start.
fn story(s: &Summary, k: &Cause) -> String {
    let mut p = format!("In short: {} failed first: \"{}\" ({})", k.system, k.title, k.category);
    if let Some(first) = k.first_seen.as_deref() {
        p.push_str(&format!(", from {}", readers_time(first)));
    }
    p.push_str(&format!(", {} time{}.", group(k.count), plural(k.count as usize)));
    if let Some(n) = k.changes_before.last() {
        p.push_str(&format!(" {} before, {} logged a {}.", human_lag(n.before_ms), n.system, n.kind.words()));
    }
    if let Some(e) = k.effects.first() {
        p.push_str(&format!(
            " Then {} series followed, the first {} later in {}.",
            k.effects.len(),
            human_lag(e.lag_ms),
            e.system
        ));
    }
    p.push_str(&format!(" Confidence {:.0}%.", s.incident.confidence * 100.0));
    if !k.advice.is_empty() {
        p.push_str(" Start with step 1 below.");
    }
    p
}

/// A corrected UTC time as "19:07:07.272 UTC (20:07:07 your time)": the
/// time of day of the reader's zone (the machine's) beside it when it
/// differs.
fn readers_time(rfc: &str) -> String {
    let Ok(t) = chrono::DateTime::parse_from_rfc3339(rfc) else { return rfc.to_string() };
    let utc = t.with_timezone(&chrono::Utc);
    let local = utc.with_timezone(&chrono::Local);
    let day = utc.format("%Y-%m-%d %H:%M:%S%.3f UTC").to_string();
    if local.offset().local_minus_utc() == 0 {
        day
    } else {
        format!("{day} ({} your time, UTC{})", local.format("%H:%M:%S"), local.format("%:z"))
    }
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
        for n in &mut c.changes_before {
            p(&mut n.system);
            p(&mut n.file);
            p(&mut n.text);
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

/// The text report's width: evidence and advice wrap to it.
const WIDTH: usize = 80;

/// `text` in pieces of at most `width` characters, broken at a space in
/// the second half of each piece where there is one, else cut; no
/// character is lost but the spaces at the breaks.
fn wrap(text: &str, width: usize) -> Vec<&str> {
    let width = width.max(20);
    let mut out = Vec::new();
    let mut rest = text;
    while rest.chars().count() > width {
        // byte offset just past `width` characters
        let cut = rest.char_indices().nth(width).map_or(rest.len(), |(i, _)| i);
        // a space in the second half of the piece, else a hard cut (a
        // JSON line is cut like a terminal would, not at its first space)
        let half = rest.char_indices().nth(width / 2).map_or(0, |(i, _)| i);
        let at = match rest[..cut].rfind(' ') {
            Some(sp) if sp >= half && sp > 0 => sp,
            _ => cut,
        };
        out.push(rest[..at].trim_end());
        rest = rest[at..].trim_start_matches(' ');
    }
    if !rest.is_empty() || out.is_empty() {
        out.push(rest);
    }
    out
}

/// The last time, without its date when it is the first's date.
fn until<'a>(first: Option<&str>, last: Option<&'a str>) -> &'a str {
    match (first, last) {
        (Some(f), Some(l)) if f.len() > 11 && l.len() > 11 && f.as_bytes()[..11] == l.as_bytes()[..11] => {
            &l[11..]
        }
        (_, Some(l)) => l,
        _ => "-",
    }
}

/// Effects listed under a cause; the rest are counted.
const EFFECTS_LISTED: usize = 8;

fn cause(
    c: &Paint,
    k: &Cause,
    full: bool,
    all: &[Cause],
    templates: &[TemplateCount],
    out: &mut dyn Write,
) -> io::Result<()> {
    let status = if k.http_status.is_empty() {
        String::new()
    } else {
        format!(", HTTP {}", k.http_status.iter().map(u16::to_string).collect::<Vec<_>>().join("/"))
    };
    // the headline, with its tag at the end when it fits in the width and
    // on a line of its own when not; the title wraps under itself
    let lead = format!("  #{} {} in {}: ", k.rank, k.category, k.system);
    let tag = format!("[{}] score {:.2}", k.signature, k.score);
    let one_line = lead.chars().count() + k.title.chars().count() + 1 + tag.chars().count() <= WIDTH;
    let title = wrap(&k.title, WIDTH.saturating_sub(lead.chars().count()).max(30));
    for (i, part) in title.iter().enumerate() {
        if i == 0 {
            write!(
                out,
                "  {} {} in {}: {part}",
                c.red(&format!("#{}", k.rank)),
                c.bold(&k.category),
                c.bold(&k.system)
            )?;
        } else {
            write!(out, "     {part}")?;
        }
        if one_line {
            write!(out, " {}", c.dim(&tag))?;
        }
        writeln!(out)?;
    }
    if !one_line {
        writeln!(out, "     {}", c.dim(&tag))?;
    }
    if let Some(onset) = k.onset.as_deref().filter(|o| Some(*o) != k.first_seen.as_deref()) {
        writeln!(out, "     rose above its baseline at {onset}")?;
    }
    writeln!(
        out,
        "     first {}, {} time{} until {}{}",
        k.first_seen.as_deref().unwrap_or("(no time)"),
        group(k.count),
        plural(k.count as usize),
        until(k.first_seen.as_deref(), k.last_seen.as_deref()),
        status
    )?;
    let views: Vec<String> = views_of(all, k.rank)
        .map(|v| {
            // its lag is the effect's: onset to onset
            let lag = (k.effects.iter())
                .find(|e| e.system == v.system && e.signature == v.signature)
                .map(|e| format!(", +{}", human_lag(e.lag_ms)))
                .unwrap_or_default();
            format!("{} {} ({} time{}{lag})", v.system, v.signature, group(v.count), plural(v.count as usize))
        })
        .collect();
    if !views.is_empty() {
        let line = format!("the same failure, also seen as: {}", views.join(", "));
        for (i, part) in wrap(&line, WIDTH - 7).into_iter().enumerate() {
            writeln!(out, "{}{part}", if i == 0 { "     " } else { "       " })?;
        }
    }
    if !full {
        return Ok(());
    }
    let why = format!(
        "why: severity {:.2}, novelty {:.2}, specificity {:.2}, role {:.2}, onset {:.2}, rise {:.2}, explains {:.2}, prior {:.2}",
        k.score_parts.severity,
        k.score_parts.novelty,
        k.score_parts.specificity,
        k.score_parts.role,
        k.score_parts.onset,
        k.score_parts.rise,
        k.score_parts.explains,
        k.score_parts.prior
    );
    for (i, part) in wrap(&why, WIDTH - 10).into_iter().enumerate() {
        writeln!(out, "{}{}", if i == 0 { "     " } else { "          " }, c.dim(part))?;
    }
    if !k.changes_before.is_empty() {
        writeln!(out, "     just before:")?;
        for n in &k.changes_before {
            writeln!(out, "       -{:<8} {} {}", human_lag(n.before_ms), n.system, n.kind.words())?;
            for part in wrap(&format!("{}:{}", n.file, n.line), WIDTH - 17) {
                writeln!(out, "                 {part}")?;
            }
            for part in wrap(&n.text, WIDTH - 17) {
                writeln!(out, "                 {}", c.dim(part))?;
            }
        }
    }
    if !k.effects.is_empty() {
        writeln!(out, "     then:")?;
        for e in k.effects.iter().take(EFFECTS_LISTED) {
            // a template by its text, never by its cluster hash
            let what = match template_of(templates, &e.system, &e.signature) {
                Some(t) => format!("\"{}\"", shorten(&t.template, 37)),
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
            writeln!(out, "       {}:{}", e.file, e.line)?;
            for (i, line) in e.text.lines().enumerate() {
                // a trace's later lines are indented under its first
                let indent = if i == 0 { "         " } else { "           " };
                for part in wrap(line, WIDTH - indent.len()) {
                    writeln!(out, "{indent}{part}")?;
                }
            }
        }
    }
    if !k.advice.is_empty() {
        writeln!(out, "     what to do:")?;
        for (i, a) in k.advice.iter().take(6).enumerate() {
            for (j, part) in wrap(a, WIDTH - 10).into_iter().enumerate() {
                if j == 0 {
                    writeln!(out, "       {}. {part}", i + 1)?;
                } else {
                    writeln!(out, "          {part}")?;
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn wrap_breaks_at_spaces_and_cuts_long_words() {
        let t = "one two three four five six seven eight nine ten eleven twelve";
        let parts = super::wrap(t, 20);
        assert!(parts.iter().all(|p| p.chars().count() <= 20), "{parts:?}");
        assert_eq!(parts.join(" "), t);
        let long = "x".repeat(45);
        assert_eq!(super::wrap(&long, 20).concat(), long);
        assert_eq!(super::wrap("", 20), vec![""]);
        assert_eq!(super::wrap("é".repeat(30).as_str(), 20)[0].chars().count(), 20);
        // a space early in the piece does not leave a short line
        let json = format!("{{\"a\":\"b c\",\"d\":\"{}\"}}", "e".repeat(40));
        assert_eq!(super::wrap(&json, 20)[0].chars().count(), 20);
    }
}
