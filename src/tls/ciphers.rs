//! OpenSSL's cipher-string evaluator over `grammar/openssl-ciphers.txt`, and which suites are weak.

/// One TLS cipher suite of `grammar/openssl-ciphers.txt`.
#[derive(Debug)]
pub struct Suite {
    /// OpenSSL's name.
    pub name: &'static str,
    kx: &'static str,
    au: &'static str,
    enc: &'static str,
    bits: u32,
    mac: &'static str,
    proto: &'static str,
    strength: &'static str,
    tags: Vec<&'static str>,
}

impl Suite {
    fn column(&self, column: &str) -> &'static str {
        match column {
            "kx" => self.kx,
            "au" => self.au,
            "enc" => self.enc,
            "mac" => self.mac,
            "proto" => self.proto,
            "strength" => self.strength,
            _ => "",
        }
    }

    /// Whether OpenSSL 1.1.1 or 3.0 has this suite (possibly only in a build or provider
    /// that enables weak ciphers).
    pub fn in_modern_openssl(&self) -> bool {
        self.tags.iter().any(|t| t.starts_with("v3.0") || t.starts_with("v1.1.1"))
    }

    /// Whether OpenSSL 3.0 (as shipped, default provider) has this suite.
    pub fn in_openssl3(&self) -> bool {
        self.tags.contains(&"v3.0")
    }

    /// Why the suite is weak: NULL encryption, anonymous key exchange, EXPORT grade, RC4,
    /// DES, 3DES or an MD5 MAC.
    pub fn weakness(&self) -> Option<&'static str> {
        if self.enc == "None" {
            Some("no encryption")
        } else if self.au == "None" {
            Some("anonymous")
        } else if self.strength == "EXPORT" {
            Some("export grade")
        } else if self.enc.starts_with("RC4") {
            Some("RC4")
        } else if self.enc.starts_with("3DES") {
            Some("3DES")
        } else if self.enc.starts_with("DES") {
            Some("DES")
        } else if self.mac == "MD5" {
            Some("MD5")
        } else {
            None
        }
    }

    /// The strength-class bits OpenSSL combines with `+` (HIGH, MEDIUM, LOW, FIPS share them).
    fn class_bits(&self) -> u8 {
        let class = match self.strength {
            "HIGH" => HIGH_BIT,
            "MEDIUM" => MEDIUM_BIT,
            "LOW" => LOW_BIT,
            "STRONG_NONE" => NONE_BIT,
            _ => EXPORT_BIT,
        };
        class | if self.tags.contains(&"FIPS") { FIPS_BIT } else { 0 }
    }
}

const HIGH_BIT: u8 = 1;
const MEDIUM_BIT: u8 = 2;
const LOW_BIT: u8 = 4;
const FIPS_BIT: u8 = 8;
const NONE_BIT: u8 = 16;
const EXPORT_BIT: u8 = 32;

/// `column=a|b` or `column!=a|b`.
#[derive(Debug)]
struct Clause {
    column: &'static str,
    negated: bool,
    values: Vec<&'static str>,
}

impl Clause {
    fn matches(&self, suite: &Suite) -> bool {
        let hit = match self.column {
            "tag" => self.values.iter().any(|v| suite.tags.contains(v)),
            "bits" => self.values.iter().any(|v| v.parse::<u32>().ok() == Some(suite.bits)),
            column => self.values.contains(&suite.column(column)),
        };
        hit != self.negated
    }
}

/// What an alias stands for.
#[derive(Debug)]
enum Alias {
    /// Suites matching any of these conjunctions.
    Select(Vec<Vec<Clause>>),
    /// Rules processed first when the string starts with the alias (`DEFAULT`).
    Expand(&'static str),
    /// The whole string replaced when it starts with the alias (Suite B).
    SuiteB(&'static str),
    /// Recognised but matching nothing.
    Nothing,
}

/// The cipher table and OpenSSL's aliases over it.
#[derive(Debug)]
pub struct CipherTable {
    suites: Vec<Suite>,
    by_name: foldhash::HashMap<&'static str, usize>,
    aliases: foldhash::HashMap<&'static str, Alias>,
}

/// The table, parsed once.
pub fn ciphers() -> &'static CipherTable {
    static TABLE: std::sync::OnceLock<CipherTable> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| CipherTable::parse(include_str!("../../grammar/openssl-ciphers.txt")))
}

impl CipherTable {
    fn parse(text: &'static str) -> CipherTable {
        let mut table = CipherTable {
            suites: Vec::new(),
            by_name: foldhash::HashMap::default(),
            aliases: foldhash::HashMap::default(),
        };
        let mut renames = Vec::new();
        for line in text.lines() {
            if line.starts_with('#') || line.trim().is_empty() {
                continue;
            }
            if let Some(rest) = line.strip_prefix("= ") {
                let (name, definition) = rest.split_once('\t').unwrap_or((rest, ""));
                // Definitions for OpenSSL 1.0.2 only are not used: atl-lint follows 1.1.1/3.0.
                if !name.contains('@') {
                    table.aliases.insert(name, parse_alias(definition.trim()));
                }
                continue;
            }
            let fields: Vec<&'static str> = line.split('\t').collect();
            if let ["alias", other, name] = fields.as_slice() {
                renames.push((*other, *name));
                continue;
            }
            let [name, _id, proto, kx, au, enc, bits, mac, strength, tags] = fields.as_slice() else { continue };
            table.by_name.insert(name, table.suites.len());
            table.suites.push(Suite {
                name,
                kx,
                au,
                enc,
                bits: bits.parse().unwrap_or(0),
                mac,
                proto,
                strength,
                tags: tags.split(',').collect(),
            });
        }
        for (other, name) in renames {
            if let Some(&index) = table.by_name.get(name) {
                table.by_name.insert(other, index);
            }
        }
        table
    }

    /// The suites a cipher string enables, in OpenSSL's order, over the suites that `keep`
    /// admits (TLS 1.3 suites never: the cipher string does not govern them). `None` when
    /// OpenSSL would reject the string.
    pub fn evaluate(&self, rules: &str, keep: impl Fn(&Suite) -> bool) -> Option<Vec<&Suite>> {
        let universe: Vec<usize> = (0..self.suites.len())
            .filter(|&i| self.suites.get(i).is_some_and(|s| s.proto != "TLSv1.3" && keep(s)))
            .collect();
        let mut state = CipherList {
            order: universe,
            active: vec![false; self.suites.len()],
            killed: vec![false; self.suites.len()],
        };
        let mut rules = rules.trim_start();
        // OpenSSL tries the Suite B keywords in this order, by prefix.
        for name in ["SUITEB128ONLY", "SUITEB128C2", "SUITEB128", "SUITEB192"] {
            if let (true, Some(Alias::SuiteB(list))) = (rules.starts_with(name), self.aliases.get(name)) {
                rules = list;
                break;
            }
        }
        if let Some(rest) = rules.strip_prefix("DEFAULT") {
            if let Some(Alias::Expand(expansion)) = self.aliases.get("DEFAULT") {
                self.apply_rules(expansion, &mut state)?;
                rules = rest;
            }
        }
        self.apply_rules(rules, &mut state)?;
        Some(
            state
                .order
                .iter()
                .filter(|&&i| state.active.get(i).copied().unwrap_or(false))
                .filter_map(|&i| self.suites.get(i))
                .collect(),
        )
    }

    fn apply_rules(&self, rules: &str, state: &mut CipherList) -> Option<()> {
        for item in rules.split([':', ',', ';', ' ']).filter(|i| !i.is_empty()) {
            let (op, body) = match item.as_bytes().first() {
                Some(b'!') => (Op::Kill, item.get(1..)?),
                Some(b'-') => (Op::Del, item.get(1..)?),
                Some(b'+') => (Op::Ord, item.get(1..)?),
                _ => (Op::Add, item),
            };
            if body.is_empty() {
                return None;
            }
            if let Some(command) = body.strip_prefix('@') {
                match command {
                    "STRENGTH" => state.strength_sort(&self.suites),
                    c if c.starts_with("SECLEVEL=")
                        && c.get(9..).and_then(|n| n.parse::<u8>().ok()).is_some_and(|n| n <= 5) => {}
                    _ => return None,
                }
                continue;
            }
            if !body.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '+' | '=' | '_')) {
                return None;
            }
            let Some(selected) = self.select(body) else { continue };
            state.apply(op, &selected);
        }
        Some(())
    }

    /// The suites an item (`A+B+C`) matches, or `None` when OpenSSL ignores the item.
    fn select(&self, body: &str) -> Option<Vec<bool>> {
        let mut selected = vec![true; self.suites.len()];
        let mut class = HIGH_BIT | MEDIUM_BIT | LOW_BIT | FIPS_BIT | NONE_BIT | EXPORT_BIT;
        for part in body.split('+') {
            if let Some(&index) = self.by_name.get(part) {
                let suite = self.suites.get(index)?;
                class &= suite.class_bits();
                for (i, s) in selected.iter_mut().enumerate() {
                    *s &= i == index;
                }
            } else {
                match self.aliases.get(part)? {
                    Alias::Select(disjunction) => {
                        class &= match part {
                            "HIGH" => HIGH_BIT,
                            "MEDIUM" => MEDIUM_BIT,
                            "LOW" => LOW_BIT,
                            "FIPS" => FIPS_BIT | (class & !(HIGH_BIT | MEDIUM_BIT | LOW_BIT | FIPS_BIT)),
                            _ => class,
                        };
                        for (s, suite) in selected.iter_mut().zip(&self.suites) {
                            *s &= disjunction.iter().any(|all| all.iter().all(|clause| clause.matches(suite)));
                        }
                    }
                    Alias::Nothing => selected.iter_mut().for_each(|s| *s = false),
                    Alias::Expand(_) | Alias::SuiteB(_) => return None,
                }
            }
            // HIGH, MEDIUM, LOW and FIPS share one bit-field: combining two drops the item.
            if class == 0 {
                return None;
            }
        }
        Some(selected)
    }
}

fn parse_alias(definition: &'static str) -> Alias {
    if let Some(rules) = definition.strip_prefix("expand ") {
        return Alias::Expand(rules.trim());
    }
    if let Some(list) = definition.strip_prefix("suiteb ") {
        return Alias::SuiteB(list.trim());
    }
    if definition == "none" || definition == "unknown" {
        return Alias::Nothing;
    }
    // `ALL` is written in prose in the table: every suite that encrypts.
    let definition = definition.split("  ").next().unwrap_or(definition);
    let disjunction = definition
        .split(" OR ")
        .map(|conjunction| {
            conjunction
                .split(" & ")
                .filter_map(|clause| {
                    let (column, negated, values) = match clause.split_once("!=") {
                        Some((c, v)) => (c, true, v),
                        None => {
                            let (c, v) = clause.split_once('=')?;
                            (c, false, v)
                        }
                    };
                    Some(Clause { column: column.trim(), negated, values: values.trim().split('|').collect() })
                })
                .collect()
        })
        .collect();
    Alias::Select(disjunction)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Op {
    Add,
    Del,
    Ord,
    Kill,
}

/// OpenSSL's working list: every suite in order, some active, some removed for good.
struct CipherList {
    order: Vec<usize>,
    active: Vec<bool>,
    killed: Vec<bool>,
}

impl CipherList {
    fn is(&self, flags: &[bool], i: usize) -> bool {
        flags.get(i).copied().unwrap_or(false)
    }

    fn apply(&mut self, op: Op, selected: &[bool]) {
        let hit = |i: usize| selected.get(i).copied().unwrap_or(false);
        let chosen: Vec<usize> = self
            .order
            .iter()
            .copied()
            .filter(|&i| hit(i) && !self.is(&self.killed, i))
            .filter(|&i| match op {
                Op::Add => !self.is(&self.active, i),
                Op::Ord | Op::Del => self.is(&self.active, i),
                Op::Kill => true,
            })
            .collect();
        if chosen.is_empty() {
            return;
        }
        let moving: foldhash::HashSet<usize> = chosen.iter().copied().collect();
        let rest: Vec<usize> = self.order.iter().copied().filter(|i| !moving.contains(i)).collect();
        for &i in &chosen {
            if let (Some(active), Some(killed)) = (self.active.get_mut(i), self.killed.get_mut(i)) {
                match op {
                    Op::Add => *active = true,
                    Op::Del => *active = false,
                    Op::Kill => {
                        *active = false;
                        *killed = true;
                    }
                    Op::Ord => {}
                }
            }
        }
        self.order = match op {
            Op::Add | Op::Ord => rest.into_iter().chain(chosen).collect(),
            Op::Del => chosen.into_iter().chain(rest).collect(),
            Op::Kill => rest,
        };
    }

    /// `@STRENGTH`: active suites stably sorted by strength bits, highest first.
    fn strength_sort(&mut self, suites: &[Suite]) {
        let bits = |i: usize| suites.get(i).map_or(0, |s| s.bits);
        let mut levels: Vec<u32> = self.order.iter().map(|&i| bits(i)).collect();
        levels.sort_unstable_by(|a, b| b.cmp(a));
        levels.dedup();
        for level in levels {
            let selected: Vec<bool> = (0..suites.len()).map(|i| bits(i) == level).collect();
            self.apply(Op::Ord, &selected);
        }
    }
}

/// The weak suites a cipher setting leaves enabled (OpenSSL syntax, or a list of IANA/JSSE
/// names as Tomcat and Spring Boot accept), with why each is weak. `None` when the string is
/// not a cipher list OpenSSL accepts.
pub fn weak_ciphers(value: &str) -> Option<Vec<(String, &'static str)>> {
    let names: Vec<&str> = value.split([',', ':', ' ']).map(str::trim).filter(|n| !n.is_empty()).collect();
    if !names.is_empty() && names.iter().all(|n| n.starts_with("TLS_") || n.starts_with("SSL_")) {
        return Some(names.into_iter().filter_map(|n| iana_weakness(n).map(|why| (n.to_string(), why))).collect());
    }
    // OpenSSL 1.1.1/3.0 semantics, over every suite those versions can be built with; the
    // 1.0.2-only suites (EXPORT, some static-DH RC4) follow other DEFAULT rules.
    let enabled = ciphers().evaluate(value, Suite::in_modern_openssl)?;
    Some(enabled.into_iter().filter_map(|s| s.weakness().map(|why| (s.name.to_string(), why))).collect())
}

/// Why an IANA/JSSE suite name (`TLS_RSA_WITH_RC4_128_SHA`) is weak.
fn iana_weakness(name: &str) -> Option<&'static str> {
    let upper = name.to_ascii_uppercase();
    if upper.contains("_WITH_NULL_") || upper.ends_with("_NULL_SHA") || upper.ends_with("_NULL_MD5") {
        Some("no encryption")
    } else if upper.contains("_ANON_") {
        Some("anonymous")
    } else if upper.contains("EXPORT") {
        Some("export grade")
    } else if upper.contains("_RC4_") {
        Some("RC4")
    } else if upper.contains("3DES") || upper.contains("DES_EDE") {
        Some("3DES")
    } else if upper.contains("_DES_") || upper.contains("_DES40_") {
        Some("DES")
    } else if upper.ends_with("_MD5") {
        Some("MD5")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(rules: &str) -> Vec<&'static str> {
        ciphers().evaluate(rules, Suite::in_openssl3).unwrap_or_default().into_iter().map(|s| s.name).collect()
    }

    #[test]
    fn aliases_and_operators_follow_openssl() {
        assert!(names("HIGH:!aNULL:!MD5").contains(&"ECDHE-RSA-AES256-GCM-SHA384"));
        assert!(!names("HIGH:!aNULL").iter().any(|n| n.starts_with("ADH")));
        assert_eq!(names("AES128-SHA:AES256-SHA:-AES128-SHA"), ["AES256-SHA"]);
        assert_eq!(names("AES128-SHA:AES256-SHA:!AES128-SHA:AES128-SHA"), ["AES256-SHA"]);
        assert_eq!(names("AES128-SHA:AES256-SHA:@STRENGTH"), ["AES256-SHA", "AES128-SHA"]);
        assert_eq!(names("AES128-SHA:AES256-SHA:+AES128-SHA"), ["AES256-SHA", "AES128-SHA"]);
        assert!(names("HIGH+FIPS").is_empty(), "HIGH and FIPS share a bit-field");
        assert_eq!(ciphers().evaluate("HIGH:@FOO", |_| true).map(|v| v.len()), None);
    }

    #[test]
    fn weak_suites_are_named_with_the_reason() {
        let weak = weak_ciphers("ALL:!aNULL:!eNULL").unwrap_or_default();
        assert!(weak.iter().any(|(n, why)| n == "RC4-MD5" && *why == "RC4"), "{weak:?}");
        assert_eq!(weak_ciphers("HIGH:!aNULL:!MD5"), Some(Vec::new()));
        assert_eq!(weak_ciphers("DEFAULT"), Some(Vec::new()), "OpenSSL 1.1.1/3.0 DEFAULT leaves nothing weak");
        let null = weak_ciphers("NULL-SHA:AES128-SHA").unwrap_or_default();
        assert_eq!(null, [("NULL-SHA".to_string(), "no encryption")]);
        assert_eq!(
            weak_ciphers("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,TLS_RSA_WITH_RC4_128_SHA"),
            Some(vec![("TLS_RSA_WITH_RC4_128_SHA".to_string(), "RC4")])
        );
    }
}
