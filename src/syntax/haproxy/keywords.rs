//! HAProxy 2.6's keyword table (`grammar/haproxy-keywords.txt`): which keywords each section
//! accepts, and how many argument words each `bind`/`server` option takes.

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
}

/// The table, parsed once.
pub fn keywords() -> &'static Keywords {
    static TABLE: OnceLock<Keywords> = OnceLock::new();
    TABLE.get_or_init(|| Keywords::parse(include_str!("../../../grammar/haproxy-keywords.txt")))
}

impl Keywords {
    fn parse(text: &'static str) -> Keywords {
        let mut table = Keywords::default();
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
            let (key, rest) = line.split_once('\t').map_or((line.trim(), ""), |(k, r)| (k.trim(), r.trim()));
            match section {
                "sections" => {
                    table.sections.insert(key);
                }
                "proxy" => {
                    let key = match key.strip_suffix(" (no)") {
                        Some(key) => {
                            table.negatable.insert(key);
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
                    table.proxy.insert(key, cells);
                }
                "bind" | "server" => {
                    let args = rest.parse().unwrap_or(0);
                    let map = if section == "bind" { &mut table.bind } else { &mut table.server };
                    map.insert(key, args);
                }
                "removed" => {
                    // `grace` is still a global keyword; only its proxy form was removed.
                    if key == "grace" {
                        continue;
                    }
                    table.removed.insert(key, rest);
                }
                s if s.starts_with("http-") || s.starts_with("tcp-") => {
                    table.actions.entry(s).or_default().push(key);
                }
                s => {
                    let key = match key.strip_suffix(" (no)") {
                        Some(key) => {
                            table.negatable.insert(key);
                            key
                        }
                        None => key,
                    };
                    table.plain.entry(s).or_default().insert(key);
                }
            }
        }
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

    /// Whether a rule action (`deny`, `set-var(txn.x)`) is known for a rule keyword.
    pub fn knows_action(&self, rule: &str, action: &str) -> Option<bool> {
        let actions = self.actions.get(rule)?;
        // Lua scripts register their own actions at run time.
        if action.starts_with("lua.") {
            return Some(true);
        }
        Some(actions.iter().any(|a| match a.strip_suffix('*') {
            Some(prefix) => action.starts_with(prefix),
            None => *a == action,
        }))
    }
}

/// The options of a `bind`, `server` or `default-server` line, each with its argument words.
pub fn options<'s>(statement: &'s Statement<'_>) -> Vec<(WordRef<'s>, Words<'s>)> {
    let table = keywords();
    let (skip, known) = match statement.keyword().map(|k| k.text) {
        Some("bind") => (1, &table.bind),
        Some("server") => (2, &table.server),
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
