//! `cargo xtask run | test | bench | postgres`: the project's automation, in Rust.
//!
//! Each command installs what it needs on a fresh machine and skips what is
//! already there at the right version (see `tools`).

mod bench;
mod console;
mod load_bench;
mod nginx;
mod pg_bench;
mod postgres;
mod run;
mod server;
mod sip;
mod sip_bench;
mod steps;
mod test;
mod tools;

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let command = args.next().unwrap_or_default();
    let rest: Vec<String> = args.collect();
    let root = workspace_root();
    std::env::set_current_dir(&root).expect("cannot enter the workspace root");
    tools::extend_path(&root);
    let result = match command.as_str() {
        "run" => run::run(&root, &rest),
        "test" => test::test(&root),
        "bench" => bench::bench(&root, &rest),
        "build" => run::build_console(&root),
        "postgres" => postgres::check(&root),
        "sip" => run::build_server(None).and_then(|()| {
            let (ok, c) = sip::suite(&root, &run::server_binary(None), &root.join("dist"));
            println!("{} passed, {} failed", c.passed, c.failed);
            if ok {
                Ok(())
            } else {
                Err("the SIP suite failed".into())
            }
        }),
        _ => {
            eprintln!(
                "usage: cargo xtask <command>\n\n  run [ARGS…]   build the console and serve it (ARGS go to `sipauth serve`)\n  test          run every check and test, as CI does\n  bench [sip | postgres | console]\n                measure bundle, API, console, SIP rates and PostgreSQL into BENCHMARKS.md (sip, postgres, console: only that section)\n  build         build the console in release into dist/\n  postgres      check the PostgreSQL migrations in a throwaway cluster (installs postgresql)\n  sip           only the SIP suite (Kamailio + SIPp matrix on SQLite, then two Kamailio nodes on PostgreSQL; needs kamailio, sipp; installs postgresql)"
            );
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask {command}: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The directory holding the workspace's Cargo.toml (xtask's parent).
fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace")
        .to_path_buf()
}
