//! Output files written whole: a regular file (or a new one) is written
//! beside, synced and renamed over the path, so a reader never sees half of
//! it and a failure leaves the old one; a device or FIFO (`/dev/stdout`,
//! `/dev/full`, a pipe to an uploader) is written as it is, never replaced
//! by a rename. Reports (`-o FILE`) and partials (`--partial FILE`) are
//! written this way.

use std::io::{self, Write};
use std::path::Path;

/// Writes `path` with `write`, which gets an unbuffered writer (buffer it).
/// Returns the bytes written.
pub fn write_whole(path: &Path, write: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> io::Result<u64> {
    let special = std::fs::metadata(path).is_ok_and(|m| !m.is_file());
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let tmp =
        if special { path.to_path_buf() } else { path.with_file_name(format!(".{name}.faultline-tmp")) };
    let mut bytes = 0;
    let written = std::fs::File::create(&tmp).and_then(|file| {
        let mut counted = Counted { inner: file, bytes: &mut bytes };
        write(&mut counted)?;
        if special {
            Ok(())
        } else {
            counted.inner.sync_all()
        }
    });
    let done = written.and_then(|_| if special { Ok(()) } else { std::fs::rename(&tmp, path) });
    if let Err(e) = done {
        if !special {
            let _ = std::fs::remove_file(&tmp);
        }
        return Err(e);
    }
    Ok(bytes)
}

/// A writer that counts what passes through it.
struct Counted<'a, W> {
    inner: W,
    bytes: &'a mut u64,
}

impl<W: Write> Write for Counted<'_, W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        *self.bytes += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_write_leaves_the_old_file_and_no_temporary() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("report.json");
        std::fs::write(&path, "old").unwrap();
        let got = write_whole(&path, |w: &mut dyn Write| {
            w.write_all(b"half")?;
            Err(io::Error::other("disk gone"))
        });
        assert!(got.is_err());
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "old");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
        assert_eq!(write_whole(&path, |w| w.write_all(b"new")).unwrap(), 3);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new");
    }
}
