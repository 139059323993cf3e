//! The summary as GitHub-flavoured Markdown, for a ticket or a chat
//! message: a headline and one paragraph that say what failed first, where,
//! when and how sure we are; what followed; the evidence in fenced blocks;
//! the first steps as a list; then a table of the other candidates and the
//! clocks, folded. Short enough to act on without scrolling past the top.

use super::summary::*;
use super::words::{group, human_lag, plural, shorten};
use std::io::{self, Write};

/// How many effects and candidates are listed before "and N more".
const LISTED: usize = 6;
/// How many troubleshooting steps are listed.
const STEPS: usize = 4;

/// Writes the Markdown report.
pub fn render(s: &Summary, out: &mut dyn Write) -> io::Result<()> {
    match s.causes.first() {
        Some(top) => {
            writeln!(
                out,
                "## {} failure in {} ({}% sure)\n",
                top.category,
                top.system,
                percent(s.incident.confidence)
            )?;
            writeln!(out, "{}\n", story(s, top))?;
            changes_before(top, out)?;
            effects(s, top, out)?;
            evidence(top, out)?;
            if !top.advice.is_empty() {
                writeln!(out, "**What to do**\n")?;
                for (i, a) in top.advice.iter().take(STEPS).enumerate() {
                    writeln!(out, "{}. {}", i + 1, inline(a))?;
                }
                if top.advice.len() > STEPS {
                    writeln!(out, "\n{} more steps in the JSON summary.", top.advice.len() - STEPS)?;
                }
                writeln!(out)?;
            }
            let others: Vec<Cause> = s.causes[1..].iter().filter(|k| k.view_of.is_none()).cloned().collect();
            table("Other candidates", &others, out)?;
        }
        None => {
            writeln!(out, "## No incident ({}% sure there is one)\n", percent(s.incident.confidence))?;
            writeln!(
                out,
                "Nothing rose above what is normal for these logs ({} files, {} lines{}).\n",
                group(s.stats.files),
                group(s.stats.lines),
                window(s)
            )?;
            let others: Vec<Cause> = s.candidates.iter().filter(|k| k.view_of.is_none()).cloned().collect();
            table("Weaker candidates", &others, out)?;
        }
    }
    if let Some(h) = &s.history {
        writeln!(out, "_History: {}._\n", inline(&h.headline()))?;
    }
    details(s, out)
}

/// The change records just before the cause.
fn changes_before(c: &Cause, out: &mut dyn Write) -> io::Result<()> {
    if c.changes_before.is_empty() {
        return Ok(());
    }
    writeln!(out, "**Just before**\n")?;
    for n in &c.changes_before {
        writeln!(
            out,
            "- {} before, in {}: {} ({}:{})",
            human_lag(n.before_ms),
            inline(&n.system),
            n.kind.words(),
            code(&n.file),
            n.line
        )?;
        writeln!(out, "  {}", code(&shorten(&n.text, 160)))?;
    }
    writeln!(out)
}

fn percent(x: f64) -> u32 {
    (x * 100.0).round().clamp(0.0, 100.0) as u32
}

fn window(s: &Summary) -> String {
    match (&s.window.start, &s.window.end) {
        (Some(a), Some(b)) => format!(", {a} .. {b}"),
        _ => String::new(),
    }
}

/// The paragraph: what, where, when, how often, with which status.
fn story(s: &Summary, c: &Cause) -> String {
    let mut p = format!("**{}** in **{}** ({})", inline(&c.title), inline(&c.system), code(&c.signature));
    if let Some(first) = &c.first_seen {
        p.push_str(&format!(", first at {first}"));
    }
    p.push_str(&format!(", {} time{}", group(c.count), plural(c.count as usize)));
    if let Some(last) = &c.last_seen {
        p.push_str(&format!(" until {last}"));
    }
    if !c.http_status.is_empty() {
        let st: Vec<String> = c.http_status.iter().map(u16::to_string).collect();
        p.push_str(&format!(", HTTP {}", st.join("/")));
    }
    p.push('.');
    let skewed: Vec<String> = (s.systems.iter())
        .filter(|x| x.clock_offset_ms != 0)
        .map(|x| format!("{} {:+.3} s", x.name, x.clock_offset_ms as f64 / 1000.0))
        .collect();
    if !skewed.is_empty() {
        p.push_str(&format!(" Times are on one corrected clock ({}).", skewed.join(", ")));
    }
    let views: Vec<String> = views_of(&s.causes, c.rank)
        .map(|v| {
            format!(
                "{} in {} ({} time{})",
                code(&v.signature),
                inline(&v.system),
                group(v.count),
                plural(v.count as usize)
            )
        })
        .collect();
    if !views.is_empty() {
        p.push_str(&format!(" The same failure is also seen as {}.", views.join(", ")));
    }
    p
}

fn effects(s: &Summary, c: &Cause, out: &mut dyn Write) -> io::Result<()> {
    if c.effects.is_empty() {
        return Ok(());
    }
    writeln!(out, "**What followed**\n")?;
    for e in c.effects.iter().take(LISTED) {
        // templates by their text, never by their cluster hash
        let what = match template_of(&s.templates, &e.system, &e.signature) {
            Some(t) => code(&shorten(&t.template, 90)),
            None => code(&e.signature),
        };
        writeln!(
            out,
            "- +{} in {}: {what} ({}, {} time{})",
            human_lag(e.lag_ms),
            inline(&e.system),
            e.category,
            group(e.count),
            plural(e.count as usize)
        )?;
    }
    if c.effects.len() > LISTED {
        writeln!(out, "- and {} more", c.effects.len() - LISTED)?;
    }
    writeln!(out)
}

fn evidence(c: &Cause, out: &mut dyn Write) -> io::Result<()> {
    if c.evidence.is_empty() {
        return Ok(());
    }
    writeln!(out, "**Evidence**\n")?;
    for e in &c.evidence {
        writeln!(out, "{}", code(&format!("{}:{}", e.file, e.line)))?;
        let fence = fence_for(&e.text);
        writeln!(out, "{fence}text\n{}\n{fence}\n", e.text)?;
    }
    Ok(())
}

fn table(title: &str, rows: &[Cause], out: &mut dyn Write) -> io::Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    writeln!(out, "**{title}**\n")?;
    writeln!(out, "| # | system | category | what | first seen | count | score |")?;
    writeln!(out, "|---|---|---|---|---|---:|---:|")?;
    for c in rows.iter().take(LISTED) {
        writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {:.2} |",
            c.rank,
            cell(&c.system),
            c.category,
            cell(&shorten(&c.title, 100)),
            c.first_seen.as_deref().unwrap_or("-"),
            group(c.count),
            c.score
        )?;
    }
    if rows.len() > LISTED {
        writeln!(out, "\nand {} more in the JSON summary.", rows.len() - LISTED)?;
    }
    writeln!(out)
}

/// Systems, clocks and anything skipped, folded away.
fn details(s: &Summary, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "<details><summary>Systems, clocks and inputs</summary>\n")?;
    writeln!(out, "| system | files | lines | events | clock offset | how | zone |")?;
    writeln!(out, "|---|---:|---:|---:|---:|---|---|")?;
    for x in &s.systems {
        writeln!(
            out,
            "| {} | {} | {} | {} | {:+.3} s | {} | {} |",
            cell(&x.name),
            x.files,
            group(x.lines),
            group(x.events),
            x.clock_offset_ms as f64 / 1000.0,
            serde_json::to_value(x.clock_method)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default(),
            match (&x.assumed_timezone, x.timezone_inferred) {
                (Some(z), true) => format!("{} (inferred)", cell(z)),
                (Some(z), false) => cell(z),
                (None, _) => "written".into(),
            }
        )?;
    }
    let notes: Vec<String> =
        (s.skipped.iter().map(|n| format!("- skipped {}: {}", code(&n.file), inline(&n.reason))))
            .chain(s.warnings.iter().map(|n| format!("- {}: {}", code(&n.file), inline(&n.reason))))
            .collect();
    if !notes.is_empty() {
        writeln!(out, "\n{}", notes.join("\n"))?;
    }
    if let Some(c) = s.causes.first() {
        writeln!(out, "\nFingerprint of the cause (one ticket per incident): {}", code(&c.fingerprint))?;
    }
    writeln!(out, "\n</details>")
}

/// A fence longer than any run of backticks in the text.
fn fence_for(text: &str) -> String {
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    "`".repeat(longest.max(2) + 1)
}

/// An inline code span: backticks longer than any run inside, one line.
fn code(text: &str) -> String {
    let text = text.replace(['\n', '\r', '\t'], " ");
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let ticks = "`".repeat(longest + 1);
    let pad = if text.starts_with('`') || text.ends_with('`') { " " } else { "" };
    format!("{ticks}{pad}{text}{pad}{ticks}")
}

/// Text for a table cell: one line, pipes escaped.
fn cell(text: &str) -> String {
    inline(text).replace('|', "\\|")
}

/// Text inside a paragraph: one line, no HTML, no stray emphasis.
fn inline(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '\n' | '\r' | '\t' => out.push(' '),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '*' | '_' | '`' | '[' | ']' | '\\' => {
                out.push('\\');
                out.push(ch);
            }
            _ => out.push(ch),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_in_log_text_stays_text() {
        assert_eq!(cell("a|b <x> *y* [z]"), "a\\|b &lt;x&gt; \\*y\\* \\[z\\]");
        assert_eq!(fence_for("no ticks"), "```");
        assert_eq!(fence_for("has ``` inside"), "````");
        assert_eq!(shorten("abcdef", 3), "abc…");
        assert_eq!(shorten("abc", 3), "abc");
        assert_eq!(code("auth.invalid_token"), "`auth.invalid_token`");
        assert_eq!(code("a `b` c"), "``a `b` c``");
    }
}
