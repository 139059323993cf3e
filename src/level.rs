//! The one vocabulary of log levels: the words, letters and numbers that
//! loggers write for a level, and what each means.
//!
//! Events (`event::level`), the miner's header fields (`mine::fields`) and
//! the matcher's extra literals (`matcher`, the words it searches so that
//! error lines no signature names can be mined) all read this table, so a
//! level one of them knows is known to all (a `level=panic` line is found,
//! given a level and mined alike).

/// A log level, as far as it can be told.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// No level found.
    Unknown,
    /// TRACE/DEBUG/FINE/VERBOSE.
    Debug,
    /// INFO/NOTICE/CONFIG.
    Info,
    /// WARN/WARNING.
    Warn,
    /// ERROR/ERR/SEVERE/FAILURE.
    Error,
    /// FATAL/CRITICAL/ALERT/EMERG/PANIC.
    Fatal,
}

/// One level word.
struct Word {
    /// Upper case; matched without regard to case.
    word: &'static [u8],
    level: Level,
    /// Searched by the matcher (lower case, as a substring): the words
    /// that find every warning and error line between them, without words
    /// that are mostly parts of others (`err` in `stderr`, `alert` in a
    /// message's prose).
    searched: bool,
}

const fn w(word: &'static [u8], level: Level, searched: bool) -> Word {
    Word { word, level, searched }
}

/// Every level word: log4j/logback/slf4j, Python logging, syslog
/// priorities (RFC 5424 names), java.util.logging, .NET (Microsoft's
/// console logger writes `trce dbug info warn fail crit`, Serilog's
/// three-letter form `VRB DBG INF WRN ERR FTL`), Go (log15 writes `EROR`
/// and `DBUG`) and Rust loggers, Maven.
const WORDS: [Word; 31] = [
    w(b"TRACE", Level::Debug, false),
    w(b"DEBUG", Level::Debug, false),
    w(b"DBG", Level::Debug, false),
    w(b"FINE", Level::Debug, false),
    w(b"FINER", Level::Debug, false),
    w(b"FINEST", Level::Debug, false),
    w(b"VERBOSE", Level::Debug, false),
    w(b"INFO", Level::Info, false),
    w(b"INFORMATION", Level::Info, false),
    w(b"NOTICE", Level::Info, false),
    w(b"CONFIG", Level::Info, false),
    w(b"WARN", Level::Warn, true),
    w(b"WARNING", Level::Warn, false),
    w(b"ERROR", Level::Error, true),
    w(b"ERR", Level::Error, false),
    w(b"SEVERE", Level::Error, true),
    w(b"FAILURE", Level::Error, false),
    w(b"FATAL", Level::Fatal, true),
    w(b"CRITICAL", Level::Fatal, true),
    w(b"CRIT", Level::Fatal, false),
    w(b"ALERT", Level::Fatal, false),
    w(b"EMERG", Level::Fatal, true),
    w(b"EMERGENCY", Level::Fatal, false),
    w(b"PANIC", Level::Fatal, true),
    w(b"TRCE", Level::Debug, false),
    w(b"DBUG", Level::Debug, false),
    w(b"INF", Level::Info, false),
    w(b"WRN", Level::Warn, false),
    w(b"FAIL", Level::Error, false),
    w(b"EROR", Level::Error, false),
    w(b"FTL", Level::Fatal, false),
];

/// The level words that Microsoft's console logger writes in lower case
/// before a colon at the head of a record (`fail: Orders.Worker[0]`);
/// the ones not found by a searched word are searched with their colon.
const DOTNET_CONSOLE: [&[u8]; 6] = [b"trce", b"dbug", b"info", b"warn", b"fail", b"crit"];

/// Whether `word`, followed by a colon, is one of the .NET console
/// logger's level names (lower case, as it writes them).
pub fn is_dotnet_console(word: &[u8]) -> bool {
    DOTNET_CONSOLE.contains(&word)
}

/// A syslog priority's severity as journald's JSON export writes it
/// (`"PRIORITY":"3"`): 0 emerg, 1 alert, 2 crit, 3 err, 4 warning,
/// 5 notice, 6 info, 7 debug.
pub fn syslog_severity(word: &[u8]) -> Option<Level> {
    match word {
        b"0" | b"1" | b"2" => Some(Level::Fatal),
        b"3" => Some(Level::Error),
        b"4" => Some(Level::Warn),
        b"5" | b"6" => Some(Level::Info),
        b"7" => Some(Level::Debug),
        _ => None,
    }
}

/// The level a word names (`ERROR`, `warning`, `Crit`), in any case.
pub fn word(word: &[u8]) -> Option<Level> {
    WORDS.iter().find(|x| x.word.eq_ignore_ascii_case(word)).map(|x| x.level)
}

/// The level a one-letter code names: klog/glog's `I W E F` header
/// letter, Android logcat's `V D I W E F`.
pub fn letter(b: u8) -> Option<Level> {
    match b {
        b'V' | b'D' => Some(Level::Debug),
        b'I' => Some(Level::Info),
        b'W' => Some(Level::Warn),
        b'E' => Some(Level::Error),
        b'F' => Some(Level::Fatal),
        _ => None,
    }
}

/// Pino and Bunyan's numeric levels: 10 trace, 20 debug, 30 info, 40
/// warn, 50 error, 60 fatal.
pub fn number(word: &[u8]) -> Option<Level> {
    match word {
        b"10" | b"20" => Some(Level::Debug),
        b"30" => Some(Level::Info),
        b"40" => Some(Level::Warn),
        b"50" => Some(Level::Error),
        b"60" => Some(Level::Fatal),
        _ => None,
    }
}

/// The numeric levels of warnings and worse (see [`number`]).
const WARNING_OR_WORSE_NUMBERS: [&str; 3] = ["40", "50", "60"];

/// What the matcher searches besides the catalog, lower case: the searched
/// words, the .NET console's `fail:` and `crit:`, and the numeric levels of
/// warnings and worse as Pino and journald's JSON write them.
pub fn searched_literals() -> impl Iterator<Item = String> {
    let words = WORDS.iter().filter(|x| x.searched).map(|x| String::from_utf8_lossy(x.word).to_lowercase());
    // the .NET names of warnings and worse that no searched word finds
    let dotnet = DOTNET_CONSOLE
        .iter()
        .filter(|d| {
            WORDS.iter().any(|x| x.word.eq_ignore_ascii_case(d) && x.level >= Level::Warn && !x.searched)
        })
        .map(|d| format!("{}: ", String::from_utf8_lossy(d)));
    let numbers = WARNING_OR_WORSE_NUMBERS.iter().map(|n| format!("\"level\":{n}"));
    let priorities = ["0", "1", "2", "3", "4"].into_iter().map(|p| format!("\"priority\":\"{p}\""));
    words.chain(dotnet).chain(numbers).chain(priorities)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_warning_or_worse_word_is_found_by_a_searched_literal() {
        let searched: Vec<String> = searched_literals().collect();
        for x in WORDS.iter().filter(|x| x.level >= Level::Warn) {
            let lower = String::from_utf8_lossy(x.word).to_lowercase();
            // the words left out are the short forms and prose words
            let covered = searched.iter().any(|s| lower.contains(s.as_str()));
            let short_or_prose =
                matches!(x.word, b"ERR" | b"CRIT" | b"ALERT" | b"FAILURE" | b"WRN" | b"EROR" | b"FTL");
            assert!(covered || short_or_prose || x.word == b"FAIL", "{lower}");
        }
        assert!(searched.iter().any(|s| s == "panic"), "level=panic lines are searched");
        assert!(searched.iter().any(|s| s == "\"level\":50"));
        assert!(searched.iter().any(|s| s == "fail: ") && searched.iter().any(|s| s == "\"priority\":\"3\""));
        assert!(syslog_severity(b"3") == Some(Level::Error) && syslog_severity(b"8").is_none());
        assert!(!searched.iter().any(|s| s == "\"level\":30"));
        assert!(WARNING_OR_WORSE_NUMBERS.iter().all(|n| number(n.as_bytes()) >= Some(Level::Warn)));
    }

    #[test]
    fn words_letters_and_numbers() {
        assert_eq!(word(b"warning"), Some(Level::Warn));
        assert_eq!(word(b"Crit"), Some(Level::Fatal));
        assert_eq!(word(b"FINEST"), Some(Level::Debug));
        assert_eq!(word(b"ERRORS"), None);
        assert_eq!(letter(b'E'), Some(Level::Error));
        assert_eq!(letter(b'X'), None);
        assert_eq!(number(b"50"), Some(Level::Error));
        assert_eq!(number(b"55"), None);
        assert!(Level::Fatal > Level::Error && Level::Warn > Level::Info);
    }
}
