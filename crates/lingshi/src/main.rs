//! `lingshi`: the one binary of the platform. `serve` runs it, `migrate` prepares the
//! database, `admin` manages staff and lists missions, `demo` seeds demonstration data.

mod backups;
mod config;
mod http_server;
mod interview_config;
mod payment_config;
mod rotation;
mod setup;

use clap::{Parser, Subcommand};
use lingshi_domain::order::StaffRole;
use lingshi_web::service::staff as staff_service;

/// mimalloc, not glibc's malloc: under load a third of an order read went to malloc, free and
/// their arena locks (docs/DECISIONS.md, throughput).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(name = "lingshi", about = "Lingshi consular-services platform", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the platform (migrates and seeds first).
    Serve,
    /// Apply database migrations and exit.
    Migrate,
    /// Seed the missions directory and the demo staff account, and exit.
    Demo,
    /// Administration tasks.
    #[command(subcommand)]
    Admin(Admin),
    /// Photo tools.
    #[command(subcommand)]
    Photo(Photo),
    /// Print the API's OpenAPI 3.1 document (what `/openapi.json` serves).
    Openapi,
}

#[derive(Subcommand)]
enum Photo {
    /// Check a passport photo against the consular specification and print each rule.
    Check {
        /// A JPEG or PNG file.
        file: std::path::PathBuf,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
        /// Language of the explanations: zh or en.
        #[arg(long, default_value = "zh")]
        lang: String,
    },
}

#[derive(Subcommand)]
enum Admin {
    /// Restore a backup into an empty installation (no SQLite database yet, or an empty
    /// PostgreSQL database, and no files), under the master key it was taken with.
    Restore {
        /// The backup's directory.
        from: std::path::PathBuf,
    },
    #[command(flatten)]
    OnDatabase(AdminTask),
}

/// The administration tasks that work on an existing database.
#[derive(Subcommand)]
enum AdminTask {
    /// Create a staff member; prints the generated password if none is given.
    CreateStaff {
        #[arg(long)]
        username: String,
        #[arg(long)]
        name: String,
        /// reviewer, issuer, cashier, mission_admin or system_admin
        #[arg(long)]
        role: String,
        /// Mission id (e.g. be-embassy); none for a system administrator.
        #[arg(long)]
        mission: Option<String>,
        /// Read from LINGSHI_STAFF_PASSWORD if set; otherwise generated and printed.
        #[arg(long, env = "LINGSHI_STAFF_PASSWORD", hide_env_values = true)]
        password: Option<String>,
    },
    /// Disable a staff member and end their sessions.
    DisableStaff {
        #[arg(long)]
        username: String,
    },
    /// Re-enable a disabled staff member.
    EnableStaff {
        #[arg(long)]
        username: String,
    },
    /// List staff members.
    ListStaff,
    /// List the missions directory.
    ListMissions,
    /// Check the audit log's hash chain from its first row; fails naming the first broken row.
    AuditVerify,
    /// Copy the database and the file store, consistently and while the platform runs, into
    /// a new directory (SQLite: VACUUM INTO; PostgreSQL: pg_dump). The master key is not in it.
    Backup {
        /// Where to write the backup; must not exist or be empty.
        to: std::path::PathBuf,
    },
    /// Seal every stored value and file again under a new master key (made as master.key.next,
    /// or LINGSHI_NEXT_MASTER_KEY), with the platform stopped. Resumable: if interrupted, run
    /// it again. The old key is set aside for the backups taken under it.
    RotateKey {
        /// Rows per transaction.
        #[arg(long, default_value_t = 500, value_parser = clap::value_parser!(i64).range(1..=100_000))]
        batch: i64,
    },
    /// Reconcile each configured payment provider's bill of a day (China's day) with the
    /// payments and refunds recorded, then print the differences recorded for that day.
    Reconcile {
        /// The bill's date, YYYY-MM-DD.
        #[arg(long)]
        date: chrono::NaiveDate,
    },
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let outcome = config::Config::from_env().map_err(anyhow::Error::from).and_then(|config| {
        setup::init_tracing(&config.log_filter);
        let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
        runtime.block_on(run(cli.command, config))
    });
    match outcome {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            // One readable line with its causes, not a backtrace: this is what an operator sees.
            eprintln!("lingshi: {error:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run(command: Command, config: config::Config) -> anyhow::Result<()> {
    match command {
        Command::Serve => setup::serve(config).await,
        Command::Migrate => {
            setup::ensure_database_exists(&config)?;
            let db = setup::open_database(&config).await?;
            println!("migrations applied: {}", lingshi_storage::migrate::run(&db).await?);
            Ok(())
        }
        Command::Demo => {
            let db = setup::prepare_database(&config).await?;
            setup::announce_demo_admin(&db).await
        }
        Command::Photo(Photo::Check { file, json, lang }) => photo_check(&file, json, &lang),
        Command::Openapi => {
            println!("{}", serde_json::to_string_pretty(&lingshi_web::api::openapi::document())?);
            Ok(())
        }
        Command::Admin(Admin::Restore { from }) => backups::restore(&config, &from).await,
        Command::Admin(Admin::OnDatabase(admin)) => {
            setup::ensure_database_exists(&config)?;
            let db = setup::prepare_database(&config).await?;
            run_admin(admin, &config, &db).await
        }
    }
}

async fn run_admin(admin: AdminTask, config: &config::Config, db: &lingshi_storage::Db) -> anyhow::Result<()> {
    match admin {
        AdminTask::CreateStaff { username, name, role, mission, password } => {
            let role = StaffRole::from_code(&role).ok_or_else(|| {
                anyhow::anyhow!("unknown role {role:?}: use reviewer, issuer, cashier, mission_admin or system_admin")
            })?;
            let generated = password.is_none();
            let password = match password {
                Some(p) => p,
                None => lingshi_web::auth::new_token().map_err(|_| anyhow::anyhow!("random generator failed"))?[..16]
                    .to_owned(),
            };
            let spec = staff_service::StaffSpec {
                username: &username,
                display_name: &name,
                role,
                mission_id: mission.as_deref(),
                password: &password,
            };
            staff_service::create(db, &spec, None).await?;
            println!("created {} ({})", username, role.code());
            if generated {
                println!("password (shown once): {password}");
            }
        }
        AdminTask::DisableStaff { username } => {
            staff_service::set_disabled(db, &username, true, (None, None)).await?;
            println!("disabled {username}; their sessions have ended");
        }
        AdminTask::EnableStaff { username } => {
            staff_service::set_disabled(db, &username, false, (None, None)).await?;
            println!("enabled {username}");
        }
        AdminTask::ListStaff => {
            for member in lingshi_storage::staff::list(db).await? {
                let state = if member.disabled { "disabled" } else { "active" };
                let mission = member.mission_id.as_deref().unwrap_or("-");
                println!(
                    "{}\t{}\t{}\t{}\t{}",
                    member.username,
                    member.role.code(),
                    mission,
                    state,
                    member.display_name
                );
            }
        }
        AdminTask::ListMissions => {
            for mission in lingshi_storage::missions::list(db).await? {
                println!("{}\t{}\t{}\t{}", mission.id, mission.continent.code(), mission.country_code, mission.name.en);
            }
        }
        AdminTask::AuditVerify => match lingshi_storage::audit::verify(db).await? {
            lingshi_storage::audit::ChainCheck::Intact { rows } => println!("audit chain intact: {rows} rows"),
            lingshi_storage::audit::ChainCheck::BrokenAt { seq } => {
                anyhow::bail!("audit chain broken at row {seq}: it, or a row before it, was changed or removed")
            }
        },
        AdminTask::Reconcile { date } => reconcile(config, db, date).await?,
        AdminTask::Backup { to } => backups::backup(config, db, &to).await?,
        AdminTask::RotateKey { batch } => rotation::rotate_key(config, db, batch).await?,
    }
    Ok(())
}

/// `admin reconcile`: each configured merchant's bill of `date` against our record, then
/// every difference recorded for that day (in demo mode, those the running platform found
/// with its simulators' bills).
async fn reconcile(config: &config::Config, db: &lingshi_storage::Db, date: chrono::NaiveDate) -> anyhow::Result<()> {
    use lingshi_web::service::payments::reconcile;
    let providers = setup::configured_providers(config)?;
    if providers.is_empty() {
        println!("no payment merchant is configured: showing what the platform recorded for {date}");
    }
    for client in providers {
        let provider = client.provider().code();
        match reconcile::reconcile(db, client.as_ref(), date).await {
            Ok(run) => println!("{provider}: {} bill lines, {} differences", run.lines, run.differences.len()),
            Err(error) if error.code() == "bill_not_offered" => {
                println!("{provider}: no bill over its API (Antom's reports come by SFTP)");
            }
            Err(error) => anyhow::bail!("{provider}: the bill of {date} could not be reconciled ({})", error.code()),
        }
    }
    let differences = lingshi_storage::reconciliation::differences(db, Some(date)).await?;
    for d in &differences {
        let amount = |minor: Option<i64>| {
            minor.map_or_else(
                || "-".to_owned(),
                |m| lingshi_domain::mission::Money { minor: m, currency: d.currency.clone() }.display(),
            )
        };
        println!(
            "{}\t{}\t{}\t{}\tours {}\ttheirs {}",
            d.bill_date,
            d.provider,
            d.kind,
            d.reference,
            amount(d.ours_minor),
            amount(d.theirs_minor)
        );
    }
    println!("{} differences on {date}", differences.len());
    Ok(())
}

/// Prints the photo check of `file`; exits with failure when the file cannot be checked.
fn photo_check(file: &std::path::Path, as_json: bool, lang: &str) -> anyhow::Result<()> {
    use lingshi_web::i18n::{Catalogs, Locale};
    let bytes = std::fs::read(file).map_err(|e| anyhow::anyhow!("cannot read {}: {e}", file.display()))?;
    let locale = Locale::from_tag(lang).unwrap_or_default();
    let catalogs = Catalogs::load();
    let report = lingshi_web::service::photo::check_bytes(&bytes, lingshi_photo::IntakeLimits::PHOTO).map_err(|e| {
        let code = e.fields().first().map_or(e.code(), |f| f.code);
        anyhow::anyhow!("{}", catalogs.error(locale, code))
    })?;
    let view = lingshi_web::service::photo::report_view(&report, &catalogs, locale);
    if as_json {
        println!("{}", serde_json::to_string_pretty(&view)?);
        return Ok(());
    }
    for rule in view["rules"].as_array().into_iter().flatten() {
        let verdict = rule["verdict"].as_str().unwrap_or("");
        let word_key = format!("photo_check_{verdict}");
        let word = catalogs.text(locale, &word_key);
        let measured = match rule["measured"].as_f64() {
            Some(value) => format!(" [{value} {}]", rule["unit_name"].as_str().unwrap_or("")),
            None => String::new(),
        };
        println!(
            "{:<18} {word}: {}{measured}",
            rule["rule"].as_str().unwrap_or(""),
            rule["requirement"].as_str().unwrap_or("")
        );
    }
    if let Some(crop) = report.suggested_crop {
        println!("suggested crop: x={} y={} width={} height={}", crop.x, crop.y, crop.width, crop.height);
    }
    Ok(())
}
