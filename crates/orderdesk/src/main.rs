//! `orderdesk`: parse the command line, set up logging, run, and report any
//! failure as one line.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = orderdesk::Cli::parse();
    let filter = std::env::var("ORDERDESK_LOG").unwrap_or_else(|_| cli.default_log().to_owned());
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
        .with_writer(std::io::stderr)
        // A log line that cannot be written (stderr is a file on a full disk
        // or past a file-size limit) is dropped. The default reports it with
        // `eprintln!`, which panics on that same failure and took down the
        // request being logged (found by the disk-full fault test).
        .log_internal_errors(false)
        .init();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(orderdesk::run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
