#![recursion_limit = "256"]
//! Entry point: configuration, logging, and wiring. Everything else is in the library.

use clap::Parser;
use server::{
    config::{Command, Config},
    demo,
};
use std::process::ExitCode;
use tracing_subscriber::{fmt, EnvFilter};

/// Many small allocations a message (frames, JSON, rows) on every thread: mimalloc's
/// per-thread free lists cost less than glibc's arenas here (issue 13).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> ExitCode {
    let config = Config::parse();
    let filter = EnvFilter::try_new(&config.log).unwrap_or_else(|_| EnvFilter::new("info"));
    if config.log_json {
        fmt().with_env_filter(filter).json().init();
    } else {
        fmt().with_env_filter(filter).init();
    }
    if let Some(Command::Admin(command)) = config.command.clone() {
        return admin(&config, command).await;
    }
    match run(config).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("{e}");
            ExitCode::FAILURE
        }
    }
}

/// `server admin ...`: on the server's database, then exit. The outcome (a one-time
/// password included) goes to standard output only, never to the log.
async fn admin(config: &Config, command: server::config::AdminCommand) -> ExitCode {
    let store = match server::open_store(config).await {
        Ok(store) => store,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let read_password = || {
        let mut line = String::new();
        std::io::stdin().read_line(&mut line).map(|_| line)
    };
    match server::admin_cli::run(store.as_ref(), command, read_password).await {
        Ok(text) => {
            println!("{text}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run(config: Config) -> Result<(), Box<dyn std::error::Error>> {
    let (router, services) = server::build(&config).await?;
    let listener = tokio::net::TcpListener::bind(config.addr).await?;
    let addr = listener.local_addr()?;
    tracing::info!(%addr, database = services.store.backend(), "listening");
    if config.demo {
        println!("{}", demo::logins_text(&addr.to_string()));
    }
    let streams = services.clone();
    let shutdown = async move {
        shutdown_signal().await;
        streams.stopping.send_replace(true);
    };
    server::serve(listener, router, shutdown).await?;
    services.email.stop();
    services.webhooks.stop();
    tracing::info!("stopped");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
}
