//! Apache httpd 2.4's directive table (`grammar/apache-directives.txt`): every directive's
//! module and the contexts it is allowed in.

use foldhash::HashMap;
use std::sync::OnceLock;

/// Where a directive stands, as Apache's context checks see it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Place {
    /// The main server configuration.
    Server,
    /// Inside `<VirtualHost>`.
    Vhost,
    /// Inside `<Directory>`, `<Location>`, `<Files>`, `<Proxy>`, `<If>` and their `Match` forms.
    Directory,
}

impl Place {
    /// The table's token.
    pub fn token(self) -> &'static str {
        match self {
            Place::Server => "server",
            Place::Vhost => "vhost",
            Place::Directory => "directory",
        }
    }
}

/// One directive's definition (a directive several modules define has several).
#[derive(Clone, Debug)]
pub struct Definition {
    /// The module's source file (`mod_proxy.c`).
    pub module: &'static str,
    /// The places it is allowed (`server`, `vhost`, `directory`, `htaccess`).
    pub contexts: Vec<&'static str>,
}

/// The table.
#[derive(Debug, Default)]
pub struct Directives {
    /// Lower-case name (containers with their `<`) to its definitions.
    pub by_name: HashMap<String, (&'static str, Vec<Definition>)>,
    /// Module source file to `LoadModule` identifier.
    pub load_names: HashMap<&'static str, &'static str>,
    /// `LoadModule` identifier to module source file.
    pub sources: HashMap<&'static str, &'static str>,
    /// Modules compiled into Debian's apache2: always loaded.
    pub builtin: foldhash::HashSet<&'static str>,
}

/// The table, parsed once.
pub fn directives() -> &'static Directives {
    static TABLE: OnceLock<Directives> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut table = Directives::default();
        let mut section = "";
        for line in include_str!("../../grammar/apache-directives.txt").lines() {
            if line.starts_with('#') || line.trim().is_empty() {
                continue;
            }
            if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
                section = name;
                continue;
            }
            let fields: Vec<&'static str> = line.split('\t').collect();
            match (section, fields.as_slice()) {
                ("directives", [name, module, contexts, ..]) => {
                    let entry = table.by_name.entry(name.to_ascii_lowercase()).or_insert((name, Vec::new()));
                    entry.1.push(Definition { module, contexts: contexts.split(',').collect() });
                }
                ("modules", [module, load_name, rest @ ..]) => {
                    table.load_names.insert(module, load_name);
                    table.sources.insert(load_name, module);
                    if rest.first() == Some(&"builtin") {
                        table.builtin.insert(module);
                    }
                }
                _ => {}
            }
        }
        table
    })
}

/// Containers that make a directory context.
pub const DIRECTORY_CONTAINERS: [&str; 11] = [
    "directory",
    "directorymatch",
    "files",
    "filesmatch",
    "location",
    "locationmatch",
    "proxy",
    "proxymatch",
    "if",
    "elseif",
    "else",
];

impl Directives {
    /// The definitions of a directive (`ProxyPass`) or container (`<VirtualHost`), by any case.
    pub fn get(&self, name: &str) -> Option<&(&'static str, Vec<Definition>)> {
        self.by_name.get(&name.to_ascii_lowercase())
    }

    /// The source file of a module named either way (`mod_proxy.c` or `proxy_module`, a
    /// leading `!` ignored), when the table knows it.
    pub fn module_source(&self, module: &str) -> Option<&'static str> {
        let module = module.trim_start_matches('!');
        self.load_names.get_key_value(module).map(|(source, _)| *source).or_else(|| self.sources.get(module).copied())
    }
}
