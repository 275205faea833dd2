//! Live mode: on a server (`atl-lint /etc`), the places Atlassian applications keep their
//! configuration outside `/etc`, found without walking the whole filesystem: the default
//! install and home directories, the homes that services' environment files name, and the
//! Debian/RHEL Tomcat locations. Every place is looked up under `--root`.

use std::path::{Path, PathBuf};

use crate::discover::Scope;

/// Environment files and units are small: a larger one is not read.
const MAX_ENVIRONMENT_FILE: u64 = 1 << 20;

/// Where an application's configuration files sit below a home or install directory.
const BELOW_HOME: [&str; 4] =
    ["conf/server.xml", "shared/bitbucket.properties", "shared/server.xml", "bitbucket.properties"];

/// Fixed places, as glob patterns below the root.
const PLACES: [&str; 7] = [
    "opt/atlassian/*/conf/server.xml",
    "var/atlassian/application-data/*/shared/bitbucket.properties",
    "var/atlassian/application-data/*/shared/server.xml",
    "var/lib/tomcat*/conf/server.xml",
    "usr/share/tomcat*/conf/server.xml",
    "opt/tomcat*/conf/server.xml",
    "srv/tomcat*/conf/server.xml",
];

/// Environment files of services, as glob patterns below the root.
const ENVIRONMENT_FILES: [&str; 5] = [
    "etc/default/*",
    "etc/sysconfig/*",
    "etc/systemd/system/*.service",
    "etc/systemd/system/*.service.d/*.conf",
    "lib/systemd/system/*.service",
];

/// What live mode found: the configuration files, and the home or install directories
/// they belong to.
#[derive(Debug, Default)]
pub struct Found {
    /// Configuration files.
    pub files: Vec<PathBuf>,
    /// Application homes and install directories.
    pub homes: Vec<PathBuf>,
}

/// Looks in every place below the scope's root, reading only what the scope allows.
pub fn locate(scope: &Scope) -> Found {
    let mut found = Found::default();
    for place in PLACES {
        for file in matches(scope, place) {
            let home = file.ancestors().nth(2).map(Path::to_path_buf);
            add(&mut found, file, home);
        }
    }
    for pattern in ENVIRONMENT_FILES {
        for env_file in matches(scope, pattern) {
            let Ok(bytes) = scope.read(&env_file, MAX_ENVIRONMENT_FILE) else { continue };
            for dir in named_directories(&String::from_utf8_lossy(&bytes)) {
                if !dir.starts_with('/') {
                    continue;
                }
                let home = scope.under_root(Path::new(&dir));
                for below in BELOW_HOME {
                    let file = home.join(below);
                    if scope.locate(&file).is_ok_and(|real| real.is_file()) {
                        add(&mut found, file, Some(home.clone()));
                    }
                }
            }
        }
    }
    found
}

fn add(found: &mut Found, file: PathBuf, home: Option<PathBuf>) {
    if !found.files.contains(&file) {
        found.files.push(file);
    }
    if let Some(home) = home.filter(|h| !found.homes.contains(h)) {
        found.homes.push(home);
    }
}

/// Regular files matching `pattern` below the root that the scope allows, sorted.
fn matches(scope: &Scope, pattern: &str) -> Vec<PathBuf> {
    let mut out = scope.expand(&scope.shown_root().join(pattern), false).files;
    out.sort();
    out
}

/// Directories an environment file or unit names: `*_HOME`, `CATALINA_BASE`, `*_INSTALL*`
/// assignments (shell or systemd `Environment=`), and the install directory of an
/// `ExecStart=/opt/x/bin/start.sh`.
fn named_directories(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('#') {
            continue;
        }
        if let Some(command) = line.strip_prefix("ExecStart=") {
            let program = command.trim_start_matches(['-', '@', '+', '!', ':']).split_whitespace().next().unwrap_or("");
            if let Some((install, _)) = program.split_once("/bin/") {
                out.push(install.to_string());
            }
            continue;
        }
        let assignments = line.strip_prefix("Environment=").unwrap_or(line);
        let assignments = assignments.strip_prefix("export ").unwrap_or(assignments);
        for assignment in split_assignments(assignments) {
            let Some((name, value)) = assignment.split_once('=') else { continue };
            let name = name.trim();
            let wanted = name.ends_with("_HOME") || name == "CATALINA_BASE" || name.contains("_INSTALL");
            let value = value.trim().trim_matches(['"', '\'']);
            if wanted && value.starts_with('/') && !value.contains('$') {
                out.push(value.to_string());
            }
        }
    }
    out
}

/// `"A=1" B=2 'C=3 4'`: systemd's quoted assignments (a shell line is one of them).
fn split_assignments(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut quote: Option<char> = None;
    for c in text.chars() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, c) if c.is_whitespace() => {
                if !current.is_empty() {
                    out.push(std::mem::take(&mut current));
                }
            }
            (_, c) => current.push(c),
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::named_directories;

    #[test]
    fn homes_come_from_environment_assignments_and_exec_start() {
        let unit = "[Service]\nEnvironment=\"BITBUCKET_HOME=/data/bitbucket\" JAVA_OPTS=-Xmx1g\nEnvironment=CATALINA_BASE=/srv/jira\nExecStart=/opt/atlassian/bitbucket/bin/start-bitbucket.sh -fg\n# JIRA_HOME=/old\n";
        assert_eq!(named_directories(unit), ["/data/bitbucket", "/srv/jira", "/opt/atlassian/bitbucket"]);
        assert_eq!(named_directories("export JIRA_HOME=\"/var/jira\"\nJIRA_USER=jira\n"), ["/var/jira"]);
    }
}
