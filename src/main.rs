//! The `faultline` binary: parse the command line, call the library, map
//! the result to an exit status (0 no cause, 1 causes, 2 error). A closed
//! stdout (`| head`) ends the run quietly with 0.

mod cli;
mod terminal;

use clap::Parser;
use std::io::{IsTerminal, Write};
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(err) if is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("faultline: {err:#}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: cli::Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        cli::Command::Scan(args) => terminal::scan(*args),
        cli::Command::Merge(args) => terminal::merge(*args),
        cli::Command::Mine(args) => terminal::mine(args),
        cli::Command::Patterns(cmd) => terminal::patterns(cmd),
        cli::Command::History(args) => terminal::history(args),
        cli::Command::Completions { shell } => {
            let mut out = stdout();
            clap_complete::generate(
                shell,
                &mut <cli::Cli as clap::CommandFactory>::command(),
                "faultline",
                &mut out,
            );
            out.flush()?;
            Ok(ExitCode::SUCCESS)
        }
        cli::Command::Man => {
            let mut out = stdout();
            clap_mangen::Man::new(<cli::Cli as clap::CommandFactory>::command()).render(&mut out)?;
            out.flush()?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|e| {
        e.downcast_ref::<std::io::Error>().is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            || e.downcast_ref::<faultline::error::Error>().is_some_and(|fe| {
                matches!(fe, faultline::error::Error::Output(io) if io.kind() == std::io::ErrorKind::BrokenPipe)
            })
    })
}

/// Writes to stdout, locked and buffered.
pub fn stdout() -> impl Write {
    std::io::BufWriter::with_capacity(64 * 1024, std::io::stdout().lock())
}

/// Is stdout a terminal?
pub fn stdout_is_terminal() -> bool {
    std::io::stdout().is_terminal()
}
