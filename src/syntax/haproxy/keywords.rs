//! HAProxy's keyword tables: which keywords each section accepts and how many argument words
//! each `bind`/`server` option takes (`grammar/haproxy-keywords.txt`, HAProxy 2.6), and the
//! release lines of those that not every supported line has (`grammar/haproxy-versions.txt`,
//! 2.4 to 3.2). The table holds every keyword of every line; [`Keywords::lines`] says which
//! lines have one.

use foldhash::{HashMap, HashSet};
use std::sync::OnceLock;

use super::{Statement, WordRef, Words};

/// Whether a proxy section type accepts a keyword.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cell {
    /// Accepted.
    Allowed,
    /// Accepted in a named `defaults` section only.
    NamedDefaultsOnly,
    /// Accepted but ignored, with a warning.
    Ignored,
    /// Refused.
    Rejected,
}

/// The proxy section types in the table's column order.
pub const PROXY_COLUMNS: [&str; 4] = ["defaults", "frontend", "listen", "backend"];

/// An HAProxy release line, `(major, minor)`.
pub type Line = (u32, u32);

/// The release lines that have a keyword: from `first` to `last` (`None`: every line since).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Lines {
    /// The first line that has it.
    pub first: Line,
    /// The last line that has it.
    pub last: Option<Line>,
}

impl Lines {
    /// Whether the line `line` has the keyword.
    pub fn has(&self, line: Line) -> bool {
        self.first <= line && self.last.is_none_or(|last| line <= last)
    }
}

/// The whole table.
#[derive(Debug, Default)]
pub struct Keywords {
    /// Section keywords.
    pub sections: HashSet<&'static str>,
    /// Keywords per non-proxy section (`global`, `userlist`, ...).
    pub plain: HashMap<&'static str, HashSet<&'static str>>,
    /// Proxy keywords (one to three words) with a cell per proxy section type.
    pub proxy: HashMap<&'static str, [Cell; 4]>,
    /// `bind` options and their argument counts (-1: variable).
    pub bind: HashMap<&'static str, i32>,
    /// `server`/`default-server` options and their argument counts.
    pub server: HashMap<&'static str, i32>,
    /// Rule actions per rule keyword (`http-request`, `tcp-request content`); a trailing `*`
    /// is a prefix match (`set-var*` matches `set-var(txn.x)`).
    pub actions: HashMap<&'static str, Vec<&'static str>>,
    /// Removed keywords and HAProxy's hint for each.
    pub removed: HashMap<&'static str, &'static str>,
    /// Keywords that take a `no` (or `default`) prefix.
    pub negatable: HashSet<&'static str>,
    /// The proxy keywords that end in `*` (a prefix match of several words), kept apart so
    /// that a lookup that misses does not scan the whole table.
    proxy_prefixes: Vec<(&'static str, &'static str, [Cell; 4])>,
    /// The first words of the keywords of several words (`timeout`, `option`, `stats`): a
    /// statement starting with any other word needs a one-word lookup only.
    multi_word: HashSet<&'static str>,
    /// The release lines of the keywords not every supported line has, by table section
    /// (`sections`, `proxy`, `bind`, `server`, `global`, `http-request`, ...) and keyword.
    lines: HashMap<(&'static str, &'static str), Lines>,
}

/// The table, parsed once.
pub fn keywords() -> &'static Keywords {
    static TABLE: OnceLock<Keywords> = OnceLock::new();
    TABLE.get_or_init(|| {
        Keywords::parse(
            include_str!("../../../grammar/haproxy-keywords.txt"),
            include_str!("../../../grammar/haproxy-versions.txt"),
        )
    })
}

/// `2.4` as a release line.
fn line_of(text: &str) -> Option<Line> {
    let (major, minor) = text.split_once('.')?;
    Some((major.parse().ok()?, minor.parse().ok()?))
}

/// `3.0+`, `2.4-2.8` or `2.6` (that line only) as release lines.
fn lines_of(text: &str) -> Option<Lines> {
    if let Some(first) = text.strip_suffix('+') {
        return Some(Lines { first: line_of(first)?, last: None });
    }
    let (first, last) = text.split_once('-').unwrap_or((text, text));
    Some(Lines { first: line_of(first)?, last: Some(line_of(last)?) })
}

impl Keywords {
    fn parse(base: &'static str, versions: &'static str) -> Keywords {
        let mut table = Keywords::default();
        table.read(base, false);
        table.read(versions, true);
        let mut prefixes: Vec<(&'static str, &'static str, [Cell; 4])> = table
            .proxy
            .iter()
            .filter_map(|(k, cells)| Some((k.strip_suffix('*').filter(|p| p.contains(' '))?, *k, *cells)))
            .collect();
        prefixes.sort_by_key(|(prefix, _, _)| *prefix);
        table.proxy_prefixes = prefixes;
        let keys = table.proxy.keys().chain(table.removed.keys()).chain(table.plain.values().flatten());
        table.multi_word = keys.filter_map(|k| Some(k.split_once(' ')?.0)).collect();
        table
    }

    /// Reads one table into this one; a keyword already known keeps its first entry.
    fn read(&mut self, text: &'static str, versioned: bool) {
        let mut section = "";
        for line in text.lines() {
            let line = line.trim_end();
            if line.trim().is_empty() || line.trim_start().starts_with('#') {
                continue;
            }
            if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
                section = name;
                continue;
            }
            // A line of the versions table starts with the release lines that have the keyword.
            let (lines, line) = match versioned {
                true => match line.split_once('\t') {
                    Some((lines, rest)) => (lines_of(lines.trim()), rest),
                    None => continue,
                },
                false => (None, line),
            };
            let (key, rest) = line.split_once('\t').map_or((line.trim(), ""), |(k, r)| (k.trim(), r.trim()));
            if let Some(lines) = lines {
                let bare = key.strip_suffix(" (no)").unwrap_or(key);
                self.lines.insert((section, bare), lines);
                if self.has_entry(section, bare) {
                    continue;
                }
            }
            match section {
                "sections" => {
                    self.sections.insert(key);
                }
                "proxy" => {
                    let key = match key.strip_suffix(" (no)") {
                        Some(key) => {
                            self.negatable.insert(key);
                            key
                        }
                        None => key,
                    };
                    let mut cells = [Cell::Rejected; 4];
                    for (cell, mark) in cells.iter_mut().zip(rest.split_whitespace()) {
                        *cell = match mark {
                            "X" => Cell::Allowed,
                            "!" => Cell::NamedDefaultsOnly,
                            "i" => Cell::Ignored,
                            _ => Cell::Rejected,
                        };
                    }
                    self.proxy.insert(key, cells);
                }
                "bind" | "server" => {
                    let args = rest.parse().unwrap_or(0);
                    let map = if section == "bind" { &mut self.bind } else { &mut self.server };
                    map.insert(key, args);
                }
                "removed" => {
                    // `grace` is still a global keyword; only its proxy form was removed.
                    if key == "grace" {
                        continue;
                    }
                    self.removed.insert(key, rest);
                }
                s if s.starts_with("http-") || s.starts_with("tcp-") => {
                    self.actions.entry(s).or_default().push(key);
                }
                s => {
                    let key = match key.strip_suffix(" (no)") {
                        Some(key) => {
                            self.negatable.insert(key);
                            key
                        }
                        None => key,
                    };
                    self.plain.entry(s).or_default().insert(key);
                }
            }
        }
    }

    /// Whether a section of the table already has an entry for `key`.
    fn has_entry(&self, section: &str, key: &str) -> bool {
        match section {
            "sections" => self.sections.contains(key),
            "proxy" => self.proxy.contains_key(key),
            "bind" => self.bind.contains_key(key),
            "server" => self.server.contains_key(key),
            "removed" => self.removed.contains_key(key),
            s if s.starts_with("http-") || s.starts_with("tcp-") => {
                self.actions.get(s).is_some_and(|actions| actions.contains(&key))
            }
            s => self.plain.get(s).is_some_and(|keys| keys.contains(key)),
        }
    }

    /// The release lines that have `key` of a table section (`sections`, `proxy`, `bind`,
    /// `server`, `global`, `http-request`, ...); `None` when every supported line has it.
    pub fn lines(&self, section: &str, key: &str) -> Option<Lines> {
        self.lines.get(&(section, key)).copied()
    }

    /// How many words a keyword lookup of up to `max` words needs to try for a statement.
    pub fn lookup_width(&self, statement: &Statement<'_>, max: usize) -> usize {
        match statement.keyword() {
            Some(keyword) if self.multi_word.contains(keyword.text) => max,
            _ => max.min(1),
        }
    }

    /// The proxy keyword a statement uses (longest match of one to three words), with the
    /// number of words it spans.
    pub fn proxy_keyword(&self, statement: &Statement<'_>) -> Option<(&'static str, usize, [Cell; 4])> {
        let found = statement.longest_keyword(self.lookup_width(statement, 3), |key| {
            if let Some((k, cells)) = self.proxy.get_key_value(key) {
                return Some((*k, *cells));
            }
            // `http-check set-var*` matches `http-check set-var(txn.x)`.
            self.proxy_prefixes.iter().find(|(prefix, _, _)| key.starts_with(prefix)).map(|(_, k, cells)| (*k, *cells))
        });
        found.map(|((key, cells), n)| (key, n, cells))
    }

    /// The keyword of a non-proxy section a statement uses (one or two words), if known.
    pub fn plain_keyword(&self, section: &str, statement: &Statement<'_>) -> Option<&'static str> {
        let known = self.plain.get(section)?;
        statement.longest_keyword(self.lookup_width(statement, 2), |key| known.get(key).copied()).map(|(key, _)| key)
    }

    /// Whether any section of the table knows the statement's keyword.
    pub fn known_anywhere(&self, statement: &Statement<'_>) -> bool {
        let Some(keyword) = statement.keyword() else { return false };
        self.proxy_keyword(statement).is_some() || self.plain.values().any(|k| k.contains(keyword.text))
    }

    /// The table entry (`deny`, `set-var*`) that a rule action matches, when one does.
    pub fn action_entry(&self, rule: &str, action: &str) -> Option<&'static str> {
        let actions = self.actions.get(rule)?;
        actions.iter().copied().find(|a| match a.strip_suffix('*') {
            Some(prefix) => action.starts_with(prefix),
            None => *a == action,
        })
    }

    /// Whether a rule action (`deny`, `set-var(txn.x)`) is known for a rule keyword.
    pub fn knows_action(&self, rule: &str, action: &str) -> Option<bool> {
        self.actions.get(rule)?;
        // Lua scripts register their own actions at run time.
        Some(action.starts_with("lua.") || self.action_entry(rule, action).is_some())
    }
}

/// The options of a `bind`, `server`, `server-template` or `default-server` line, each with its argument words.
pub fn options<'s>(statement: &'s Statement<'_>) -> Vec<(WordRef<'s>, Words<'s>)> {
    let table = keywords();
    let (skip, known) = match statement.keyword().map(|k| k.text) {
        Some("bind") => (1, &table.bind),
        Some("server") => (2, &table.server),
        Some("server-template") => (3, &table.server),
        Some("default-server") => (0, &table.server),
        _ => return Vec::new(),
    };
    let args = statement.args();
    let mut out = Vec::new();
    let mut i = skip;
    while let Some(word) = args.get(i) {
        let end = match known.get(word.text).copied() {
            // A variable count (`source addr [usesrc addr]`): up to the next known option.
            Some(-1) => {
                let rest = args.from(i + 1);
                i + 1 + rest.iter().position(|w| known.contains_key(w.text)).unwrap_or(rest.len()).max(1)
            }
            Some(count) => i + 1 + usize::try_from(count).unwrap_or(0),
            None => i + 1,
        }
        .min(args.len());
        out.push((word, args.slice(i + 1, end)));
        i = end;
    }
    out
}
