//! The command line: arguments become `Options` once, then the run and the exit code.

use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};

use crate::config;
use crate::diagnostic::{Applicability, Severity};
use crate::report::{self, Report};
use crate::rules::{self, ALL};
use crate::source::FileKind;
use crate::Options;

/// Exit code: usage error, unreadable PATH or internal error.
const EXIT_USAGE: u8 = 2;

/// `atl-lint --version`: the version, and the commit and build date when built from git.
const VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), env!("ATL_LINT_BUILD"));

#[derive(Parser, Debug)]
#[command(
    name = "atl-lint",
    version = VERSION,
    about = "Lint reverse-proxy setups in front of Atlassian applications (HAProxy, Apache httpd, nginx, Tomcat server.xml, bitbucket.properties)",
    args_conflicts_with_subcommands = true
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    lint: LintArgs,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Print a rule's documentation (markdown).
    Explain {
        /// The rule id.
        rule: String,
    },
    /// List every rule: id, severity, formats, summary.
    Rules {
        /// Output format.
        #[arg(long, short = 'f', value_enum, default_value_t = CatalogueFormat::Text)]
        format: CatalogueFormat,
    },
    /// Print a shell's completion script (bash, zsh, fish, elvish, powershell).
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff), as `man -l -` reads it.
    Manpage,
    /// Print the resolved topology: public URL → frontend → route → connector → app.
    Graph {
        /// Files and directories to read.
        #[arg(default_value = ".")]
        paths: Vec<PathBuf>,
        /// Output format.
        #[arg(long, short = 'f', value_enum, default_value_t = GraphFormat::Text)]
        format: GraphFormat,
        /// What to read, as for linting.
        #[command(flatten)]
        read: ReadArgs,
    },
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
enum GraphFormat {
    Text,
    Dot,
    Mermaid,
}

/// What a run reads: the lint and `graph` take the same.
#[derive(Args, Debug)]
struct ReadArgs {
    /// Config file (default: `.atl-lint.toml` in the first PATH's directory or a parent).
    #[arg(long, value_name = "FILE", conflicts_with = "no_config")]
    config: Option<PathBuf>,
    /// Read no config file.
    #[arg(long)]
    no_config: bool,
    /// Declare an app's base URL (APP: jira, confluence, bitbucket, bamboo, crowd, or a
    /// context path; without APP, the only app found). Repeatable.
    #[arg(long, value_name = "[APP=]URL")]
    base_url: Vec<String>,
    /// The directory that stands for `/` when a configuration names an absolute path, and
    /// under which absolute PATHs are read (a server image, a backup).
    #[arg(long, value_name = "DIR")]
    root: Option<PathBuf>,
    /// Check referenced files on this machine (certificates) and look where Atlassian
    /// applications keep their configuration (default: on when a PATH is absolute and
    /// outside any git work tree).
    #[arg(long, conflicts_with = "no_live")]
    live: bool,
    /// Do not check this machine.
    #[arg(long)]
    no_live: bool,
    /// Leave out what this gitignore-style glob matches under a directory PATH (`build/`,
    /// `*.bak`, `roles/legacy/**`). Repeatable; a PATH named itself is always linted.
    #[arg(long, value_name = "GLOB")]
    exclude: Vec<String>,
    /// Walk what `.gitignore` and `.ignore` files leave out too.
    #[arg(long)]
    no_ignore: bool,
}

impl ReadArgs {
    /// `--live` / `--no-live`, or neither.
    fn live(&self) -> Option<bool> {
        match (self.live, self.no_live) {
            (true, _) => Some(true),
            (_, true) => Some(false),
            _ => None,
        }
    }

    /// The config file of a run over `paths`.
    fn config(&self, paths: &[PathBuf]) -> Result<config::Config, String> {
        let config = run_config(self.config.as_deref(), self.no_config, self.root.as_deref(), paths)?;
        for glob in self.exclude.iter().chain(&config.exclude) {
            crate::discover::Filter::check(glob)?;
        }
        Ok(config)
    }
}

#[derive(Args, Debug)]
struct LintArgs {
    /// Files and directories to lint (`-` for standard input).
    #[arg(default_value = ".")]
    paths: Vec<PathBuf>,
    /// Report format.
    #[arg(short = 'f', long, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// Write the report to FILE (a human summary still goes to stderr).
    #[arg(short = 'o', long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Exit 1 when any reported finding is at or above this (default: the config file's
    /// `fail-on`, else `warning`).
    #[arg(long, value_enum)]
    fail_on: Option<FailOn>,
    /// Report only findings at or above this.
    #[arg(long, value_enum, default_value_t = Level::Info)]
    min_severity: Level,
    /// Run only these rules.
    #[arg(long, value_delimiter = ',', value_name = "RULE,...")]
    select: Option<Vec<String>>,
    /// Skip these rules.
    #[arg(long, value_delimiter = ',', value_name = "RULE,...")]
    ignore: Vec<String>,
    /// Colour (honours NO_COLOR and FORCE_COLOR).
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    color: Color,
    /// No summary line.
    #[arg(short, long)]
    quiet: bool,
    /// The format of standard input.
    #[arg(long, value_enum, value_name = "KIND")]
    stdin_kind: Option<StdinKind>,
    /// The file name standard input is reported under.
    #[arg(long, value_name = "NAME")]
    stdin_filename: Option<String>,
    /// Report findings even where an ignore comment suppresses them.
    #[arg(long)]
    no_ignore_comments: bool,
    /// What to read.
    #[command(flatten)]
    read: ReadArgs,
    /// Exit 2 when no PATH holds a file atl-lint reads (by default a note, and exit 0).
    #[arg(long)]
    require_files: bool,
    /// Print how many findings each rule has, instead of the findings.
    #[arg(long)]
    statistics: bool,
    /// Write `[[ignore-finding]]` entries for every current finding to FILE (a config file;
    /// its other content is kept), and exit 0.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["fix", "fix_only", "diff"])]
    write_baseline: Option<PathBuf>,
    /// Apply the safe fixes to the files, then report what remains (in live mode, only when
    /// given explicitly).
    #[arg(long)]
    fix: bool,
    /// Apply the unsafe fixes too (they change what users see: a host name, a scheme, a
    /// path); with `--diff`, show them.
    #[arg(long)]
    unsafe_fixes: bool,
    /// Print the fixes as a unified diff (to `-o FILE` when given) and change no file; exit 1
    /// when there is any.
    #[arg(long, conflicts_with_all = ["fix", "fix_only"])]
    diff: bool,
    /// Apply the fixes and report nothing else; exit 0.
    #[arg(long)]
    fix_only: bool,
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
enum Format {
    Human,
    /// One line a finding: `path:line:col: severity[rule] message`.
    Concise,
    Json,
    Sarif,
    Github,
    /// GitLab Code Quality JSON.
    Gitlab,
    /// Bitbucket Code Insights: a report and its annotations.
    Bitbucket,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum CatalogueFormat {
    Text,
    Json,
    Markdown,
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
enum FailOn {
    Error,
    Warning,
    Info,
    Never,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum Level {
    Error,
    Warning,
    Info,
}

impl From<Level> for Severity {
    fn from(level: Level) -> Self {
        match level {
            Level::Error => Severity::Error,
            Level::Warning => Severity::Warning,
            Level::Info => Severity::Info,
        }
    }
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum Color {
    Auto,
    Always,
    Never,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum StdinKind {
    Haproxy,
    Apache,
    Tomcat,
    Properties,
    Nginx,
    Compose,
}

impl From<StdinKind> for FileKind {
    fn from(kind: StdinKind) -> Self {
        match kind {
            StdinKind::Haproxy => FileKind::Haproxy,
            StdinKind::Apache => FileKind::Apache,
            StdinKind::Tomcat => FileKind::TomcatServerXml,
            StdinKind::Properties => FileKind::BitbucketProperties,
            StdinKind::Nginx => FileKind::Nginx,
            StdinKind::Compose => FileKind::Compose,
        }
    }
}

/// Runs the command line and returns the exit code.
pub fn run() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            let _ = err.print();
            return ExitCode::from(if err.use_stderr() { EXIT_USAGE } else { 0 });
        }
    };
    match cli.command {
        Some(Command::Explain { rule }) => explain(&rule),
        Some(Command::Rules { format }) => {
            let text = match format {
                CatalogueFormat::Text => catalogue_text(),
                CatalogueFormat::Json => catalogue_json(),
                CatalogueFormat::Markdown => catalogue_markdown(),
            };
            print_stdout(&text);
            ExitCode::SUCCESS
        }
        Some(Command::Completions { shell }) => {
            let mut out = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "atl-lint", &mut out);
            print_stdout(&String::from_utf8_lossy(&out));
            ExitCode::SUCCESS
        }
        Some(Command::Manpage) => {
            print_stdout(&manpage());
            ExitCode::SUCCESS
        }
        Some(Command::Graph { paths, format, read }) => {
            let config = match read.config(&paths) {
                Ok(config) => config,
                Err(message) => return usage_error(&message),
            };
            let live = read.live();
            let options = Options {
                paths,
                base_urls: read.base_url,
                config,
                root: read.root,
                live,
                exclude: read.exclude,
                no_ignore: read.no_ignore,
                ..Options::default()
            };
            let format = match format {
                GraphFormat::Text => report::graph::GraphFormat::Text,
                GraphFormat::Dot => report::graph::GraphFormat::Dot,
                GraphFormat::Mermaid => report::graph::GraphFormat::Mermaid,
            };
            match crate::graph(&options, format) {
                Ok(text) => {
                    print_stdout(&text);
                    ExitCode::SUCCESS
                }
                Err(err) => usage_error(&err.to_string()),
            }
        }
        None => lint(cli.lint),
    }
}

/// The manual page, `atl-lint.1`, generated from the command line's own definition.
pub fn manpage() -> String {
    let mut out = Vec::new();
    // Writing into memory cannot fail.
    let _ = clap_mangen::Man::new(Cli::command()).render(&mut out);
    String::from_utf8_lossy(&out).into_owned()
}

fn usage_error(message: &str) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::from(EXIT_USAGE)
}

/// Checks rule ids given on the command line, suggesting the nearest known ones.
fn check_rule_ids<'a>(ids: impl IntoIterator<Item = &'a String>) -> Result<(), String> {
    for id in ids {
        if rules::find(id).is_none() {
            return Err(unknown_rule_message(id));
        }
    }
    Ok(())
}

fn unknown_rule_message(id: &str) -> String {
    // A rule named by the start of its id (`connector-secure`) first, then by spelling.
    let ids = || ALL.iter().map(|r| r.meta().id);
    let started: Vec<&str> = ids().filter(|known| id.len() >= 4 && known.starts_with(id)).collect();
    let near = if started.is_empty() { rules::nearest(id, ids(), (id.len() / 3).max(3)) } else { started };
    match near.as_slice() {
        [] => format!("unknown rule `{id}` (`atl-lint rules` lists them)"),
        ids => format!(
            "unknown rule `{id}`; did you mean {}?",
            ids.iter().take(3).map(|i| format!("`{i}`")).collect::<Vec<_>>().join(", ")
        ),
    }
}

/// What `lint` and `graph` share: the `--root` checked, and the config file named, found
/// or refused, then read.
fn run_config(
    explicit: Option<&Path>,
    no_config: bool,
    root: Option<&Path>,
    paths: &[PathBuf],
) -> Result<config::Config, String> {
    if let Some(config) = explicit {
        match std::fs::metadata(config) {
            Ok(metadata) if metadata.is_file() => {}
            Ok(_) => return Err(format!("config file `{}` is not a regular file", config.display())),
            Err(_) => return Err(format!("config file `{}` does not exist", config.display())),
        }
    }
    if let Some(root) = root {
        if !root.is_dir() {
            return Err(format!("--root `{}` is not a directory", root.display()));
        }
    }
    let config_path = if no_config { None } else { config::find(explicit, paths) };
    if let (Some(found), None) = (&config_path, explicit) {
        if !config::stays_in_its_directory(found) {
            return Err(format!(
                "config file `{}` leads outside its directory; not read (name it with `--config`, or `--no-config`)",
                found.display()
            ));
        }
    }
    let ids: Vec<&str> = ALL.iter().map(|r| r.meta().id).collect();
    Ok(config_path.as_deref().map(|path| config::load(path, &ids)).transpose()?.unwrap_or_default())
}

/// The subcommands, for a mistyped one given where a PATH may stand.
const COMMANDS: [&str; 5] = ["explain", "rules", "graph", "completions", "manpage"];

/// A first PATH that does not exist but is spelt like a subcommand (`atl-lint explian x`):
/// the usage error that says so.
fn mistyped_command(paths: &[PathBuf]) -> Option<String> {
    let first = paths.first()?.to_str()?;
    if first.contains(['/', '.']) || first.is_empty() || Path::new(first).exists() {
        return None;
    }
    let near = crate::suggest::nearest(first, COMMANDS, 2);
    let command = near.first()?;
    Some(format!(
        "unknown command `{first}`; did you mean `atl-lint {command}`? (to lint a file of that name, write `./{first}`)"
    ))
}

fn lint(args: LintArgs) -> ExitCode {
    if let Some(message) = mistyped_command(&args.paths) {
        return usage_error(&message);
    }
    let ids = args.select.iter().flatten().chain(args.ignore.iter());
    if let Err(message) = check_rule_ids(ids) {
        return usage_error(&message);
    }
    let mut config = match args.read.config(&args.paths) {
        Ok(config) => config,
        Err(message) => return usage_error(&message),
    };
    let fail_on = match (args.fail_on, config.fail_on.as_deref()) {
        (Some(fail_on), _) => fail_on,
        (None, Some(text)) => FailOn::from_str(text, true).unwrap_or(FailOn::Warning),
        (None, None) => FailOn::Warning,
    };
    let mut ignore = config.ignore.clone();
    ignore.extend(args.ignore.iter().cloned());
    if args.write_baseline.is_some() {
        // A baseline lists every current finding, accepted ones included.
        config.ignored_findings.clear();
    }
    let options = Options {
        paths: args.paths.clone(),
        select: args.select.clone().or_else(|| config.select.clone()),
        ignore,
        min_severity: Some(args.min_severity.into()),
        stdin_kind: args.stdin_kind.map(FileKind::from),
        stdin_filename: args.stdin_filename.clone(),
        base_urls: args.read.base_url.clone(),
        no_ignore_comments: args.no_ignore_comments,
        root: args.read.root.clone(),
        live: args.read.live(),
        config,
        now: None,
        exclude: args.read.exclude.clone(),
        no_ignore: args.read.no_ignore,
        overlay: Default::default(),
    };
    let fixing = args.fix || args.fix_only || (args.unsafe_fixes && !args.diff);
    if (fixing || args.diff) && args.paths.iter().any(|p| p.as_os_str() == "-") {
        return usage_error("fixes are written to files: standard input cannot be fixed");
    }
    let mut report = match crate::lint(&options) {
        Ok(report) => report,
        Err(err) => return usage_error(&err.to_string()),
    };
    if let Some(file) = &args.write_baseline {
        return write_baseline(&report, file, args.quiet);
    }
    if fixing || args.diff {
        if fixing && !args.diff && report.live && !args.fix {
            return usage_error(
                "live mode: fixes are written to this machine's files only with `--fix` given explicitly",
            );
        }
        let most = if args.unsafe_fixes { Applicability::Unsafe } else { Applicability::Safe };
        let mut outcome = crate::fix::plan(&options, report, most);
        let notes = std::mem::take(&mut outcome.notes);
        let files = outcome.changes.len();
        if args.diff {
            let diff = shown_diff(&outcome.diff());
            match &args.output {
                Some(output) => {
                    if outcome.original.reads(output) && !is_link(output) {
                        return usage_error(&format!(
                            "refusing to write the diff over `{}`, a file being linted",
                            output.display()
                        ));
                    }
                    if let Err(err) = write_new(output, |file| file.write_all(diff.as_bytes())) {
                        return usage_error(&format!("cannot write `{}`: {err}", output.display()));
                    }
                }
                None => print_stdout(&diff),
            }
            print_notes(&outcome, &notes);
            if !args.quiet {
                eprintln!("would fix {} in {}", plural(outcome.fixed, "finding"), plural(files, "file"));
            }
            return ExitCode::from(u8::from(files > 0));
        }
        let written = crate::fix::write(&outcome.changes);
        print_notes(&outcome, &notes);
        if let Err(problems) = written {
            // Nothing, or not all, was written: what is on disk is not what was checked.
            print_notes(&outcome, &problems);
            return ExitCode::from(EXIT_USAGE);
        }
        if !args.quiet {
            eprintln!("fixed {} in {}", plural(outcome.fixed, "finding"), plural(files, "file"));
        }
        if args.fix_only {
            return ExitCode::SUCCESS;
        }
        report = outcome.into_after();
    }
    // Paths compared whole: a file found under `.` is named `sites/a.conf`, not `./sites/a.conf`.
    let whole = |path: &Path| crate::discover::normalize(&std::path::absolute(path).unwrap_or(path.to_path_buf()));
    let linted: Vec<PathBuf> = report.linted_files().map(|f| whole(f.path())).collect();
    let empty: Vec<String> = args
        .paths
        .iter()
        .filter(|p| {
            // An absolute PATH is read under `--root`.
            let read = match (&args.read.root, p.strip_prefix("/")) {
                (Some(root), Ok(relative)) => root.join(relative),
                _ => p.to_path_buf(),
            };
            let read = whole(&read);
            p.as_os_str() != "-" && !linted.iter().any(|f| f.starts_with(&read))
        })
        .map(|p| format!("`{}`", p.display()))
        .collect();
    if !empty.is_empty() {
        let note = format!(
            "{} {} no file atl-lint reads (proxy configurations, server.xml, bitbucket.properties, their templates)",
            empty.join(", "),
            if empty.len() == 1 { "holds" } else { "hold" }
        );
        if args.require_files {
            return usage_error(&note);
        }
        if !args.quiet {
            eprintln!("note: {note}");
        }
    }
    let terminal = args.output.is_none() && io::stdout().is_terminal();
    let color = use_color(args.color, terminal);
    let links = use_links(terminal, |name| std::env::var(name).ok());
    // Written as it is rendered: a report can be many times the size of its input.
    let fail_at = fail_on.severity();
    let write_report = |out: &mut dyn Write| match args.format {
        _ if args.statistics && args.format == Format::Json => report::concise::write_statistics_json(&report, out),
        _ if args.statistics => report::concise::write_statistics(&report, out, links),
        Format::Human => report::human::write(&report, report::human::Style { color, width: width(), links }, out),
        Format::Concise => report::concise::write(&report, out, links),
        Format::Json => report::json::write(&report, out),
        Format::Sarif => report::sarif::write(&report, out),
        Format::Github => report::github::write(&report, out),
        Format::Gitlab => report::gitlab::write(&report, out),
        Format::Bitbucket => report::bitbucket::write(&report, out, fail_at),
    };
    if let Some(output) = &args.output {
        // A symbolic link is refused as such when written (whatever it leads to).
        if report.reads(output) && !is_link(output) {
            return usage_error(&format!(
                "refusing to write the report over `{}`, a file being linted",
                output.display()
            ));
        }
        if let Err(err) = write_new(output, |file| write_report(file)) {
            return usage_error(&format!("cannot write `{}`: {err}", output.display()));
        }
    } else {
        let mut out = io::BufWriter::new(io::stdout().lock());
        // As `print_stdout`: a closed pipe is not an error of the run.
        let _ = write_report(&mut out).and_then(|()| out.flush());
    }
    let for_people = matches!(args.format, Format::Human | Format::Concise) || args.statistics;
    if !args.quiet && (for_people || args.output.is_some()) {
        eprintln!("{}", report.summary_line());
    }
    exit_code(&report, fail_on)
}

/// Notes on fixes, as any text from the input is printed: secrets of the files before and
/// after masked, control characters escaped.
fn print_notes(outcome: &crate::fix::Outcome, notes: &[String]) {
    if notes.is_empty() {
        return;
    }
    let (before, after) = (outcome.original.redactor(), outcome.after().redactor());
    for note in notes {
        eprintln!("note: {}", report::escape_controls(&after.scrub(&before.scrub(note))));
    }
}

/// `1 finding`, `2 findings`.
fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// A diff as printed: control characters escaped but a line's own carriage return.
fn shown_diff(diff: &str) -> String {
    let mut out = String::with_capacity(diff.len());
    for line in diff.split_inclusive('\n') {
        let (body, end) = match line.strip_suffix("\r\n") {
            Some(body) => (body, "\r\n"),
            None => line.strip_suffix('\n').map_or((line, ""), |body| (body, "\n")),
        };
        out.push_str(&report::escape_controls(body));
        out.push_str(end);
    }
    out
}

/// Whether a path is a symbolic link (writing refuses those with their own message).
fn is_link(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink())
}

/// `--write-baseline FILE`: every current finding as an `[[ignore-finding]]` entry, the
/// file's other content kept (an earlier baseline replaced).
fn write_baseline(report: &Report, file: &Path, quiet: bool) -> ExitCode {
    if report.reads(file) && !is_link(file) {
        return usage_error(&format!("refusing to write the baseline over `{}`, a file being linted", file.display()));
    }
    let dir = file.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let existing = match writable(file) {
        Ok(true) => match config::read(file) {
            Ok(text) => text,
            Err(message) => return usage_error(&message),
        },
        Ok(false) => String::new(),
        Err(err) => return usage_error(&format!("cannot write `{}`: {err}", file.display())),
    };
    let text = config::with_baseline(&existing, &report::baseline::entries(report, dir));
    if let Err(err) = write_new(file, |out| out.write_all(text.as_bytes())) {
        return usage_error(&format!("cannot write `{}`: {err}", file.display()));
    }
    if !quiet {
        eprintln!("wrote {} accepted finding(s) to {}", report.diagnostics.len(), file.display());
    }
    ExitCode::SUCCESS
}

/// Whether a file the user asked to write exists (`Ok(false)`: it will be created); an
/// error when it is a symbolic link or not a regular file, which are never written
/// through: a repository can commit `atl-lint.sarif -> ~/.bashrc`.
fn writable(path: &Path) -> io::Result<bool> {
    match std::fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => Err(io::Error::other("it is a symbolic link; not written through")),
        Ok(m) if !m.is_file() => Err(io::Error::other("it is not a regular file")),
        Ok(_) => Ok(true),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(e),
    }
}

/// Writes a report or baseline: refuses a link or a file that is not regular, opens without
/// following a link swapped in meanwhile (`O_NOFOLLOW`), and checks the opened handle.
fn write_new(path: &Path, write: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> io::Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    writable(path)?;
    let file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .mode(0o644)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_NOCTTY | libc::O_CLOEXEC)
        .open(path)?;
    if !file.metadata()?.is_file() {
        return Err(io::Error::other("it is not a regular file"));
    }
    file.set_len(0)?;
    let mut out = io::BufWriter::new(file);
    write(&mut out)?;
    out.flush()
}

impl FailOn {
    /// The least severity that fails the run; `None` for `never`.
    fn severity(self) -> Option<Severity> {
        match self {
            FailOn::Error => Some(Severity::Error),
            FailOn::Warning => Some(Severity::Warning),
            FailOn::Info => Some(Severity::Info),
            FailOn::Never => None,
        }
    }
}

fn exit_code(report: &Report, fail_on: FailOn) -> ExitCode {
    let Some(threshold) = fail_on.severity() else {
        return ExitCode::SUCCESS;
    };
    match report.worst() {
        Some(worst) if worst >= threshold => ExitCode::from(1),
        _ => ExitCode::SUCCESS,
    }
}

fn use_color(choice: Color, terminal: bool) -> bool {
    match choice {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => {
            let set = |name: &str| std::env::var_os(name).is_some_and(|v| !v.is_empty() && v != "0");
            if set("FORCE_COLOR") {
                true
            } else if set("NO_COLOR") {
                false
            } else {
                terminal
            }
        }
    }
}

/// Whether rule ids are printed as OSC 8 hyperlinks: `FORCE_HYPERLINK` decides when set
/// (`0` turns them off); otherwise only on a terminal known to show them (iTerm2, WezTerm,
/// VS Code, Windows Terminal, kitty, foot, GNOME Terminal and other VTE terminals from 0.50,
/// Konsole, Ghostty, Alacritty), never in CI logs, and never on a terminal that is unknown:
/// one that does not know OSC 8 may print the escape as text.
fn use_links(terminal: bool, var: impl Fn(&str) -> Option<String>) -> bool {
    if let Some(force) = var("FORCE_HYPERLINK").filter(|v| !v.is_empty()) {
        return force != "0";
    }
    if !terminal || var("CI").is_some() || var("TERM").is_some_and(|t| t == "dumb") {
        return false;
    }
    let program = var("TERM_PROGRAM").unwrap_or_default();
    let term = var("TERM").unwrap_or_default();
    ["iTerm.app", "WezTerm", "vscode", "ghostty", "Hyper", "Tabby", "rio"].contains(&program.as_str())
        || ["xterm-kitty", "xterm-ghostty", "foot", "alacritty", "wezterm"].iter().any(|t| term.starts_with(t))
        || var("WT_SESSION").is_some()
        || var("KONSOLE_VERSION").is_some()
        || var("DOMTERM").is_some()
        || var("VTE_VERSION").and_then(|v| v.parse::<u32>().ok()).is_some_and(|v| v >= 5000)
}

/// The width the human report wraps at: `COLUMNS` when set (shells set it but rarely export
/// it), else the terminal's own width when standard output is one, else 100.
fn width() -> usize {
    let columns = std::env::var("COLUMNS").ok().and_then(|c| c.parse().ok());
    let terminal = || terminal_size::terminal_size_of(io::stdout()).map(|(w, _)| usize::from(w.0));
    columns.or_else(terminal).map_or(100, |w: usize| w.max(40))
}

/// Writes to stdout; a closed pipe ends the output quietly.
fn print_stdout(text: &str) {
    let mut out = io::stdout().lock();
    let _ = out.write_all(text.as_bytes()).and_then(|()| out.flush());
}

fn explain(id: &str) -> ExitCode {
    let Some(page) = rule_page(id) else {
        return usage_error(&unknown_rule_message(id));
    };
    print_stdout(&page);
    ExitCode::SUCCESS
}

/// A rule's documentation page (markdown), as `explain` prints it and `docs/rules/<id>.md`
/// holds it.
pub fn rule_page(id: &str) -> Option<String> {
    let meta = rules::find(id)?.meta();
    let formats: Vec<&str> = meta.formats.iter().map(|f| f.name()).collect();
    let fix = rules::fixes::availability(meta.id).unwrap_or("Fix is not available.");
    Some(format!(
        "# {}\n\nDefault severity: {}. Reads: {}. {fix}\n\n{}\n",
        meta.id,
        meta.severity,
        formats.join(", "),
        meta.markdown().trim_end()
    ))
}

fn catalogue_text() -> String {
    let mut out = String::new();
    for rule in ALL {
        let meta = rule.meta();
        let formats: Vec<&str> = meta.formats.iter().map(|f| f.name()).collect();
        out.push_str(&format!(
            "{:<34} {:<8} {:<40} {}\n",
            meta.id,
            meta.severity.name(),
            formats.join(","),
            meta.summary()
        ));
    }
    out
}

fn catalogue_json() -> String {
    let rules: Vec<serde_json::Value> = ALL
        .iter()
        .map(|rule| {
            let meta = rule.meta();
            serde_json::json!({
                "id": meta.id,
                "severity": meta.severity.name(),
                "scope": meta.scope,
                "formats": meta.formats.iter().map(|f| f.name()).collect::<Vec<_>>(),
                "summary": meta.summary(),
                "fix": rules::fixes::availability(meta.id),
            })
        })
        .collect();
    let mut out = serde_json::to_string_pretty(&rules).unwrap_or_default();
    out.push('\n');
    out
}

/// The rule table as markdown, as the README shows it.
pub fn catalogue_markdown() -> String {
    let mut out = String::from("| rule | severity | reads | what it flags |\n|---|---|---|---|\n");
    for rule in ALL {
        let meta = rule.meta();
        let formats: Vec<&str> = meta.formats.iter().map(|f| f.name()).collect();
        out.push_str(&format!(
            "| `{}` | {} | {} | {} |\n",
            meta.id,
            meta.severity.name(),
            formats.join(", "),
            meta.summary().replace('|', "\\|")
        ));
    }
    out
}
