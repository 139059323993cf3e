//! The summary as one self-contained HTML page (inline CSS, SVG and a few
//! lines of JS; nothing fetched): the story at the top, then a timeline per
//! system on the corrected clock (each series as a sparkline of its
//! activity, the cause's onset, the effects at their lags, the changes just
//! before, the clock offsets), the evidence and the steps, the other
//! candidates, the signatures and the inputs. It draws the summary's
//! bucketed [`Activity`], never one mark per event, so a run of 100k events
//! is as light as one of a hundred.

use super::summary::*;
use super::words::{group, human_lag, plural, shorten};
use std::fmt::Write as _;
use std::io::{self, Write};

/// The drawing's width in SVG units (it scales to the page).
const W: f64 = 1000.0;
/// Left margin for the row labels.
const LABEL: f64 = 230.0;
/// Height of one sparkline row.
const ROW: f64 = 26.0;

/// Writes the HTML report.
pub fn render(s: &Summary, out: &mut dyn Write) -> io::Result<()> {
    let mut h = String::with_capacity(64 * 1024);
    let title = match s.causes.first() {
        Some(c) => format!("{} failure in {} — faultline", c.category, c.system),
        None => "No incident — faultline".to_string(),
    };
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">\n\
         <title>{}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<main>\n",
        esc(&title)
    );
    headline(s, &mut h);
    timeline(s, &mut h);
    if let Some(c) = s.causes.first() {
        cause_details(s, c, &mut h);
    }
    let others: Vec<Cause> = (if s.causes.is_empty() { &s.candidates[..] } else { &s.causes[1..] })
        .iter()
        .filter(|k| k.view_of.is_none())
        .cloned()
        .collect();
    candidates(if s.causes.is_empty() { "Weaker candidates" } else { "Other candidates" }, &others, &mut h);
    signatures(s, &mut h);
    inputs(s, &mut h);
    let _ = write!(
        h,
        "<footer>faultline · {} · {} files, {} lines, {} events in {:.2} s</footer>\n</main>\n<script>{JS}</script>\n</body>\n</html>\n",
        esc(&s.generated_at),
        group(s.stats.files),
        group(s.stats.lines),
        group(s.stats.events),
        s.stats.elapsed_ms as f64 / 1000.0
    );
    out.write_all(h.as_bytes())
}

fn headline(s: &Summary, h: &mut String) {
    let pct = (s.incident.confidence * 100.0).round().clamp(0.0, 100.0);
    match s.causes.first() {
        Some(c) => {
            let _ = write!(
                h,
                "<header class=\"bad\"><h1>{} failure in {}</h1><p class=\"conf\">{pct:.0}% sure this is an incident</p>\n<p class=\"story\"><b>{}</b> in <b>{}</b> (<code>{}</code>)",
                esc(&c.category),
                esc(&c.system),
                esc(&c.title),
                esc(&c.system),
                esc(&c.signature)
            );
            if let Some(first) = &c.first_seen {
                let _ = write!(h, ", first at <time>{}</time>", esc(first));
            }
            let _ = write!(h, ", {} time{}", group(c.count), plural(c.count as usize));
            if let Some(last) = &c.last_seen {
                let _ = write!(h, " until <time>{}</time>", esc(last));
            }
            if !c.http_status.is_empty() {
                let st: Vec<String> = c.http_status.iter().map(u16::to_string).collect();
                let _ = write!(h, ", HTTP {}", st.join("/"));
            }
            h.push('.');
            let views: Vec<String> = views_of(&s.causes, c.rank)
                .map(|v| format!("<code>{}</code> in {}", esc(&v.signature), esc(&v.system)))
                .collect();
            if !views.is_empty() {
                let _ = write!(h, " The same failure is also seen as {}.", views.join(", "));
            }
            if let Some(n) = c.changes_before.last() {
                let _ = write!(
                    h,
                    " {} before it, {} logged a {}.",
                    human_lag(n.before_ms),
                    esc(&n.system),
                    esc(n.kind.words())
                );
            }
            if let Some(e) = c.effects.first() {
                let _ = write!(
                    h,
                    " Then {} more series followed, the first {} later in {}.",
                    c.effects.len(),
                    human_lag(e.lag_ms),
                    esc(&e.system)
                );
            }
            h.push_str("</p></header>\n");
        }
        None => {
            let _ = write!(
                h,
                "<header class=\"ok\"><h1>No incident</h1><p class=\"conf\">{pct:.0}% sure there is one</p>\n<p class=\"story\">Nothing rose above what is normal for these logs ({} files, {} lines).</p></header>\n",
                group(s.stats.files),
                group(s.stats.lines)
            );
        }
    }
}

/// Milliseconds since the epoch of an RFC 3339 time.
fn ms(t: &str) -> Option<i64> {
    chrono::DateTime::parse_from_rfc3339(t).ok().map(|d| d.timestamp_millis())
}

fn timeline(s: &Summary, h: &mut String) {
    let (Some(a), Some(act)) = (s.activity.as_ref().and_then(|a| ms(&a.start)), s.activity.as_ref()) else {
        return;
    };
    let buckets = act.rows.first().map_or(1, |r| r.counts.len()).max(1);
    let b = s.window.end.as_deref().and_then(ms).unwrap_or(a + act.bucket_ms * buckets as i64).max(a + 1);
    let span = (b - a) as f64;
    let x = |t: i64| LABEL + (t - a).clamp(0, b - a) as f64 / span * (W - LABEL - 10.0);
    let cause = s.causes.first();
    let onset = cause.and_then(|c| c.onset.as_deref().or(c.first_seen.as_deref())).and_then(ms);
    h.push_str("<section><h2>Timeline <small>(one corrected clock)</small></h2>\n");
    for sys in &s.systems {
        let rows: Vec<&ActivityRow> = act.rows.iter().filter(|r| r.system == sys.name).collect();
        let clock = match sys.clock_offset_ms {
            0 => "reference clock".to_string(),
            o => format!("clock {:+.3} s corrected", o as f64 / 1000.0),
        };
        let _ = writeln!(
            h,
            "<h3>{} <small>{} · {} events · {} file{}</small></h3>",
            esc(&sys.name),
            clock,
            group(sys.events),
            sys.files,
            plural(sys.files as usize)
        );
        let height = 22.0 + ROW * rows.len().max(1) as f64;
        let _ = write!(
            h,
            "<div class=\"scroll\"><svg class=\"lane\" viewBox=\"0 0 {W} {height}\" preserveAspectRatio=\"xMinYMin meet\" role=\"img\" aria-label=\"activity of {}\">",
            esc(&sys.name)
        );
        axis(h, a, b, &x, height);
        if rows.is_empty() {
            let _ = write!(h, "<text x=\"{LABEL}\" y=\"36\" class=\"muted\">no events</text>");
        }
        for (i, r) in rows.iter().enumerate() {
            let y0 = 18.0 + ROW * i as f64;
            let peak = r.counts.iter().copied().max().unwrap_or(0).max(1) as f64;
            let is_cause = cause.is_some_and(|c| c.system == r.system && c.signature == r.signature);
            let label = if r.template.is_empty() { r.signature.clone() } else { shorten(&r.template, 30) };
            let _ = write!(
                h,
                "<text x=\"4\" y=\"{:.1}\" class=\"lbl{}\">{}<title>{} · {} · {} time{}</title></text>",
                y0 + ROW * 0.62,
                if is_cause { " hot" } else { "" },
                esc(&shorten(&label, 32)),
                esc(&r.signature),
                esc(&r.category),
                group(r.total),
                plural(r.total as usize)
            );
            let bw = (W - LABEL - 10.0) / buckets as f64;
            let mut d = format!("M{LABEL:.1},{:.1}", y0 + ROW - 3.0);
            for (k, &n) in r.counts.iter().enumerate() {
                let y = y0 + ROW - 3.0 - (n as f64 / peak) * (ROW - 6.0);
                let _ = write!(
                    d,
                    " L{:.1},{y:.1} L{:.1},{y:.1}",
                    LABEL + bw * k as f64,
                    LABEL + bw * (k + 1) as f64
                );
            }
            let _ = write!(d, " L{:.1},{:.1} Z", W - 10.0, y0 + ROW - 3.0);
            let _ = write!(
                h,
                "<path d=\"{d}\" class=\"spark {}\"><title>{} · peak {} per {}</title></path>",
                if is_cause { "hot".to_string() } else { format!("cat-{}", esc(&r.category)) },
                esc(&label),
                peak as u64,
                human_lag(act.bucket_ms)
            );
        }
        if let (Some(c), Some(t)) = (cause, onset) {
            let _ = write!(
                h,
                "<line x1=\"{0:.1}\" x2=\"{0:.1}\" y1=\"14\" y2=\"{height}\" class=\"onset\"><title>onset of {1} in {2}: {3}</title></line>",
                x(t),
                esc(&c.signature),
                esc(&c.system),
                esc(c.onset.as_deref().or(c.first_seen.as_deref()).unwrap_or(""))
            );
            for e in c.effects.iter().filter(|e| e.system == sys.name) {
                let Some(i) = rows.iter().position(|r| r.signature == e.signature) else { continue };
                let y = 18.0 + ROW * i as f64 + ROW / 2.0;
                let _ = write!(
                    h,
                    "<circle cx=\"{:.1}\" cy=\"{y:.1}\" r=\"4\" class=\"effect\"><title>+{} {} ({} times)</title></circle>",
                    x(t + e.lag_ms),
                    human_lag(e.lag_ms),
                    esc(&e.signature),
                    group(e.count)
                );
            }
            for n in c.changes_before.iter().filter(|n| n.system == sys.name) {
                let Some(at) = ms(&n.at) else { continue };
                let cx = x(at);
                let _ = write!(
                    h,
                    "<path d=\"M{cx:.1},6 l5,6 l-5,6 l-5,-6 Z\" class=\"change\"><title>{} {} before: {}</title></path>",
                    esc(n.kind.words()),
                    human_lag(n.before_ms),
                    esc(&shorten(&n.text, 120))
                );
            }
        }
        h.push_str("</svg></div>\n");
    }
    let _ = writeln!(
        h,
        "<p class=\"legend\"><span class=\"k onset\"></span> onset of the cause <span class=\"k effect\"></span> what followed <span class=\"k change\"></span> change just before · one bucket = {}</p></section>",
        human_lag(act.bucket_ms)
    );
}

/// Time ticks along the top of a lane.
fn axis(h: &mut String, a: i64, b: i64, x: &dyn Fn(i64) -> f64, height: f64) {
    let span = b - a;
    let steps = [
        1_000, 5_000, 15_000, 60_000, 300_000, 600_000, 900_000, 1_800_000, 3_600_000, 10_800_000,
        21_600_000, 43_200_000, 86_400_000,
    ];
    let step = steps.into_iter().find(|&st| span / st <= 8).unwrap_or(86_400_000 * 7);
    let mut t = (a / step + 1) * step;
    while t < b {
        let label = chrono::DateTime::from_timestamp_millis(t)
            .map(|d| d.format(if step < 60_000 { "%H:%M:%S" } else { "%H:%M" }).to_string())
            .unwrap_or_default();
        let _ = write!(
            h,
            "<line x1=\"{0:.1}\" x2=\"{0:.1}\" y1=\"12\" y2=\"{height}\" class=\"tick\"/><text x=\"{0:.1}\" y=\"10\" class=\"tk\">{label}</text>",
            x(t)
        );
        t += step;
    }
}

fn cause_details(s: &Summary, c: &Cause, h: &mut String) {
    h.push_str("<section><h2>The cause</h2>\n");
    let _ = writeln!(
        h,
        "<p class=\"parts\">score {:.2} — severity {:.2}, novelty {:.2}, specificity {:.2}, role {:.2}, onset {:.2}, rise {:.2}, explains {:.2}, prior {:.2} · fingerprint <code>{}</code></p>",
        c.score,
        c.score_parts.severity,
        c.score_parts.novelty,
        c.score_parts.specificity,
        c.score_parts.role,
        c.score_parts.onset,
        c.score_parts.rise,
        c.score_parts.explains,
        c.score_parts.prior,
        esc(&c.fingerprint)
    );
    if !c.changes_before.is_empty() {
        h.push_str("<h3>Just before</h3><ul class=\"changes\">");
        for n in &c.changes_before {
            let _ = write!(
                h,
                "<li><b>{} before</b>, {} in {} <span class=\"where\">{}:{}</span><pre>{}</pre></li>",
                human_lag(n.before_ms),
                esc(n.kind.words()),
                esc(&n.system),
                esc(&n.file),
                n.line,
                esc(&n.text)
            );
        }
        h.push_str("</ul>\n");
    }
    if !c.effects.is_empty() {
        h.push_str("<h3>What followed</h3><div class=\"scroll\"><table><thead><tr><th>after</th><th>system</th><th>what</th><th>category</th><th class=\"n\">count</th></tr></thead><tbody>");
        for e in &c.effects {
            let what = match template_of(&s.templates, &e.system, &e.signature) {
                Some(t) => shorten(&t.template, 90),
                None => e.signature.clone(),
            };
            let _ = write!(
                h,
                "<tr><td>+{}</td><td>{}</td><td><code>{}</code></td><td>{}</td><td class=\"n\">{}</td></tr>",
                human_lag(e.lag_ms),
                esc(&e.system),
                esc(&what),
                esc(&e.category),
                group(e.count)
            );
        }
        h.push_str("</tbody></table></div>\n");
    }
    if !c.evidence.is_empty() {
        h.push_str("<h3>Evidence</h3>");
        for e in &c.evidence {
            let _ =
                write!(h, "<p class=\"where\">{}:{}</p><pre>{}</pre>", esc(&e.file), e.line, esc(&e.text));
        }
        h.push('\n');
    }
    if !c.advice.is_empty() {
        h.push_str("<h3>What to do</h3><ol>");
        for a in &c.advice {
            let _ = write!(h, "<li>{}</li>", esc(a));
        }
        h.push_str("</ol>\n");
    }
    h.push_str("</section>\n");
}

fn candidates(title: &str, rows: &[Cause], h: &mut String) {
    if rows.is_empty() {
        return;
    }
    let _ = write!(h, "<section><h2>{title}</h2><div class=\"scroll\"><table><thead><tr><th>#</th><th>system</th><th>category</th><th>what</th><th>first seen</th><th class=\"n\">count</th><th class=\"n\">score</th></tr></thead><tbody>");
    for c in rows {
        let _ = write!(
            h,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{} <code>{}</code></td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{:.2}</td></tr>",
            c.rank,
            esc(&c.system),
            esc(&c.category),
            esc(&shorten(&c.title, 90)),
            esc(&c.signature),
            esc(c.first_seen.as_deref().unwrap_or("-")),
            group(c.count),
            c.score
        );
    }
    h.push_str("</tbody></table></div></section>\n");
}

fn signatures(s: &Summary, h: &mut String) {
    if s.signatures.is_empty() && s.templates.is_empty() {
        return;
    }
    h.push_str("<section><h2>Signatures and templates seen</h2><input id=\"filter\" type=\"search\" placeholder=\"filter\" aria-label=\"filter the table\"><div class=\"scroll\"><table id=\"sigs\"><thead><tr><th>system</th><th>what</th><th>category</th><th class=\"n\">count</th><th>first</th></tr></thead><tbody>");
    for g in &s.signatures {
        let _ = write!(
            h,
            "<tr><td>{}</td><td><code>{}</code></td><td>{}</td><td class=\"n\">{}</td><td>{}</td></tr>",
            esc(&g.system),
            esc(&g.signature),
            esc(&g.category),
            group(g.count),
            esc(g.first_seen.as_deref().unwrap_or("-"))
        );
    }
    for t in &s.templates {
        let _ = write!(
            h,
            "<tr><td>{}</td><td><code>{}</code></td><td>other</td><td class=\"n\">{}</td><td>{}</td></tr>",
            esc(&t.system),
            esc(&shorten(&t.template, 120)),
            group(t.count),
            esc(t.first_seen.as_deref().unwrap_or("-"))
        );
    }
    h.push_str("</tbody></table></div></section>\n");
}

fn inputs(s: &Summary, h: &mut String) {
    h.push_str("<section><h2>Systems and clocks</h2><div class=\"scroll\"><table><thead><tr><th>system</th><th class=\"n\">files</th><th class=\"n\">lines</th><th class=\"n\">events</th><th class=\"n\">clock offset</th><th>shared requests</th><th>zone</th></tr></thead><tbody>");
    for x in &s.systems {
        let _ = write!(
            h,
            "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{:+.3} s</td><td>{}</td><td>{}</td></tr>",
            esc(&x.name),
            x.files,
            group(x.lines),
            group(x.events),
            x.clock_offset_ms as f64 / 1000.0,
            x.clock_pairs,
            esc(x.assumed_timezone.as_deref().unwrap_or("written"))
        );
    }
    h.push_str("</tbody></table></div>");
    let notes: Vec<String> = (s.skipped.iter().map(|n| format!("skipped {}: {}", n.file, n.reason)))
        .chain(s.warnings.iter().map(|n| format!("{}: {}", n.file, n.reason)))
        .collect();
    if !notes.is_empty() {
        h.push_str("<h3>Skipped and warnings</h3><ul class=\"warn\">");
        for n in notes {
            let _ = write!(h, "<li>{}</li>", esc(&n));
        }
        h.push_str("</ul>");
    }
    h.push_str("</section>\n");
}

/// Text as HTML: the five special characters escaped, control characters
/// shown as `\u{..}` so that log bytes can never become markup.
fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\n' | '\t' => out.push(ch),
            c if c.is_control() => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    out
}

const CSS: &str = r#"
:root{--fg:#1d2430;--muted:#667085;--bg:#fff;--line:#e4e7ec;--hot:#d92d20;--eff:#f79009;--chg:#2e90fa;--ok:#12b76a}
@media (prefers-color-scheme:dark){:root{--fg:#e6e8ec;--muted:#98a2b3;--bg:#111418;--line:#2a2f37}}
*{box-sizing:border-box}body{margin:0;background:var(--bg);color:var(--fg);font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
main{max-width:1200px;margin:0 auto;padding:16px}
header{border-left:6px solid var(--hot);padding:4px 16px;margin-bottom:16px}header.ok{border-color:var(--ok)}
h1{font-size:1.5em;margin:.2em 0}h2{font-size:1.2em;border-bottom:1px solid var(--line);padding-bottom:4px;margin-top:1.6em}
h3{font-size:1em;margin:1em 0 .3em}small,.muted,.conf,.where,.legend,footer{color:var(--muted)}
.story{font-size:1.05em;max-width:70em}
code,pre,time{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.9em}
pre{background:rgba(127,127,127,.1);padding:8px;border-radius:4px;white-space:pre-wrap;word-break:break-all;margin:.2em 0 .8em}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:4px 8px;border-bottom:1px solid var(--line);vertical-align:top}
td.n,th.n{text-align:right}.scroll{overflow-x:auto}
svg.lane{width:100%;height:auto;display:block;margin-bottom:6px}
.lbl{font-size:12px;fill:var(--fg)}.lbl.hot{fill:var(--hot);font-weight:600}.tk{font-size:10px;fill:var(--muted);text-anchor:middle}
.tick{stroke:var(--line);stroke-width:1}.spark{fill:rgba(102,112,133,.35);stroke:#667085;stroke-width:.6}
.spark.hot{fill:rgba(217,45,32,.35);stroke:var(--hot)}.onset{stroke:var(--hot);stroke-width:2;stroke-dasharray:4 3}
.effect{fill:var(--eff);stroke:#fff;stroke-width:1}.change{fill:var(--chg)}
.legend .k{display:inline-block;width:12px;height:12px;margin:0 4px 0 12px;vertical-align:middle;border-radius:2px}
.legend .k.onset{background:var(--hot)}.legend .k.effect{background:var(--eff);border-radius:6px}.legend .k.change{background:var(--chg);transform:rotate(45deg)}
#filter{margin:4px 0 8px;padding:4px 8px;width:16em;max-width:100%}
ul.changes{padding-left:1.2em}.warn li{color:#b54708}
footer{margin:2em 0 1em;font-size:.85em}
@media (max-width:600px){body{font-size:14px}main{padding:8px}svg.lane{min-width:760px}}
"#;

const JS: &str = r#"
(function(){
  var f=document.getElementById('filter');
  if(!f){return;}
  f.addEventListener('input',function(){
    var q=f.value.toLowerCase();
    var rows=document.querySelectorAll('#sigs tbody tr');
    for(var i=0;i<rows.length;i++){rows[i].style.display=rows[i].textContent.toLowerCase().indexOf(q)<0?'none':'';}
  });
})();
"#;

#[cfg(test)]
mod tests {
    use super::esc;

    #[test]
    fn log_text_never_becomes_markup() {
        assert_eq!(esc("<script>x</script>&\"'"), "&lt;script&gt;x&lt;/script&gt;&amp;&quot;&#39;");
        assert_eq!(esc("a\u{1b}[31m"), "a\\u{1b}[31m");
    }
}
