//! Renderers: [`Summary`] → bytes, for people (text, and an HTML page with
//! a timeline), tickets and chat (Markdown) and programs (JSON).
//! Renderers are sinks: they never compute, only present.

mod html;
mod markdown;
pub mod summary;
mod text;
mod words;

pub use summary::Summary;
pub use words::printable;

use crate::config::Format;
use std::io::{self, Write};

/// Writes the summary in the given format.
pub fn render(summary: &Summary, format: Format, color: bool, out: &mut dyn Write) -> io::Result<()> {
    match format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut *out, summary).map_err(io::Error::other)?;
            out.write_all(b"\n")
        }
        Format::Text => text::render(summary, color, out),
        Format::Markdown => markdown::render(summary, out),
        Format::Html => html::render(summary, out),
    }
}
