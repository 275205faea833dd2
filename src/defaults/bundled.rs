//! The Tomcat an Atlassian application version ships (`grammar/atlassian-tomcat.txt`), and
//! the application version a unit's defaults install (`jira_version: 8.13.0`,
//! `default['confluence']['version'] = '5.7'`, `$version` of class `crowd`).

use std::sync::OnceLock;

use super::{Origin, Unit};

/// The products whose version a unit may pin, as the table and the defaults name them, and as
/// a message names them.
const PRODUCTS: [(&str, &str); 6] = [
    ("jira", "Jira"),
    ("confluence", "Confluence"),
    ("bitbucket", "Bitbucket"),
    ("stash", "Stash"),
    ("bamboo", "Bamboo"),
    ("crowd", "Crowd"),
];

/// One row: a product's versions `from..=to` ship Tomcat `tomcat`.
struct Row {
    product: &'static str,
    from: (u32, u32),
    /// `None`: every later version; `(n, u32::MAX)`: every `n.x`.
    to: Option<(u32, u32)>,
    tomcat: (u32, u32),
}

/// The table's rows.
fn rows() -> &'static [Row] {
    static ROWS: OnceLock<Vec<Row>> = OnceLock::new();
    ROWS.get_or_init(|| {
        let text = include_str!("../../grammar/atlassian-tomcat.txt");
        text.lines().filter(|l| !l.starts_with('#') && !l.trim().is_empty()).filter_map(row).collect()
    })
}

fn row(line: &'static str) -> Option<Row> {
    let mut fields = line.split('\t');
    let product = fields.next()?;
    let from = major_minor(fields.next()?)?;
    let to = match fields.next()? {
        "*" => None,
        end => match end.strip_suffix(".*") {
            Some(major) => Some((major.parse().ok()?, u32::MAX)),
            None => Some(major_minor(end)?),
        },
    };
    let tomcat = major_minor(fields.next()?)?;
    Some(Row { product, from, to, tomcat })
}

/// `8.13.0` as `(8, 13)`; `9` as `(9, 0)`.
fn major_minor(text: &str) -> Option<(u32, u32)> {
    let mut parts = text.split('.');
    let major = parts.next()?.parse().ok()?;
    let minor = parts.next().map_or(Some(0), |m| m.parse().ok())?;
    Some((major, minor))
}

/// The first `N.N` in a value such as `8.13.0`, `"7.3.5"`, `enterprise-3.13.1` or
/// `confluence-3.2.1_01`.
fn version_in(value: &str) -> Option<(u32, u32)> {
    let bytes = value.as_bytes();
    let start = bytes.iter().position(u8::is_ascii_digit)?;
    let rest = value.get(start..)?;
    let end = rest.find(|c: char| !c.is_ascii_digit() && c != '.').unwrap_or(rest.len());
    let numbers: Vec<&str> = rest.get(..end)?.split('.').filter(|p| !p.is_empty()).collect();
    if numbers.len() < 2 {
        return None;
    }
    Some((numbers.first()?.parse().ok()?, numbers.get(1)?.parse().ok()?))
}

/// The Tomcat line a product's version ships, when the table knows it.
pub fn tomcat_of(product: &str, version: (u32, u32)) -> Option<(u32, u32)> {
    let row =
        rows().iter().find(|r| r.product == product && r.from <= version && r.to.is_none_or(|to| version <= to))?;
    Some(row.tomcat)
}

/// The application a unit's defaults install, and the Tomcat that version ships.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bundled {
    /// The product as a message names it (`Confluence`).
    pub product: &'static str,
    /// The version as the defaults write it (`6.14.3`).
    pub version: String,
    /// The Tomcat line it ships.
    pub tomcat: (u32, u32),
    /// The line that pins the version.
    pub origin: Origin,
}

impl Unit {
    /// The application version the unit's defaults pin, for a file at `path`: when the unit
    /// pins several products (a suite role), the one the path names.
    pub fn bundled(&self, path: &str) -> Option<Bundled> {
        // A role that installs Tomcat itself says which.
        let tomcat = ["tomcat_version", "tomcat.version", "node.tomcat.version", "tomcat::version"];
        if let Some(resolved) = tomcat.iter().find_map(|k| self.variable(k)) {
            let tomcat = version_in(&resolved.value).or_else(|| Some((resolved.value.trim().parse().ok()?, 0)));
            let origin = resolved.origins.into_iter().next();
            if let (Some(tomcat), Some(origin)) = (tomcat, origin) {
                return Some(Bundled { product: "Tomcat", version: resolved.value, tomcat, origin });
            }
        }
        let mut found = Vec::new();
        for (product, shown) in PRODUCTS {
            let keys = [
                format!("{product}_version"),
                format!("{product}.version"),
                format!("node.{product}.version"),
                format!("{product}::version"),
                format!("{product}::params::version"),
                format!("Values.{product}.version"),
            ];
            let Some(resolved) = keys.iter().find_map(|k| self.variable(k)) else { continue };
            let Some(version) = version_in(&resolved.value) else { continue };
            let Some(origin) = resolved.origins.into_iter().next() else { continue };
            found.push((product, shown, resolved.value, version, origin));
        }
        if found.len() > 1 {
            let path = path.to_ascii_lowercase();
            let name = path.rsplit('/').next().unwrap_or(&path).to_string();
            let named: Vec<usize> =
                (0..found.len()).filter(|&i| found.get(i).is_some_and(|f| name.contains(f.0))).collect();
            let named = if named.is_empty() {
                (0..found.len()).filter(|&i| found.get(i).is_some_and(|f| path.contains(f.0))).collect()
            } else {
                named
            };
            let [only] = named.as_slice() else { return None };
            found = vec![found.swap_remove(*only)];
        }
        let [(product, shown, value, version, origin)] = <[_; 1]>::try_from(found).ok()?;
        let tomcat = tomcat_of(product, version)?;
        Some(Bundled { product: shown, version: value, tomcat, origin })
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    #[test]
    fn versions_map_to_the_tomcat_each_line_ships() {
        assert_eq!(tomcat_of("jira", (7, 12)), Some((8, 5)));
        assert_eq!(tomcat_of("jira", (6, 3)), Some((7, 0)));
        assert_eq!(tomcat_of("confluence", (6, 14)), Some((9, 0)));
        assert_eq!(tomcat_of("confluence", (9, 2)), Some((9, 0)));
        assert_eq!(tomcat_of("confluence", (10, 0)), Some((10, 1)));
        assert_eq!(tomcat_of("confluence", (5, 7)), Some((7, 0)));
        // Versions nothing records stay unknown.
        assert_eq!(tomcat_of("jira", (9, 4)), None);
        assert_eq!(tomcat_of("confluence", (2, 1)), None);
        assert_eq!(tomcat_of("bitbucket", (7, 6)), None);
    }

    #[test]
    fn a_version_is_the_first_two_numbers_of_the_value() {
        assert_eq!(version_in("8.13.0"), Some((8, 13)));
        assert_eq!(version_in("enterprise-3.13.1"), Some((3, 13)));
        assert_eq!(version_in("confluence-3.2.1_01"), Some((3, 2)));
        assert_eq!(version_in("9"), None);
        assert_eq!(version_in("latest"), None);
        assert_eq!(version_in("99999999999.1"), None);
    }

    fn unit(pins: &[(&str, &str)]) -> Unit {
        let mut unit = Unit { defined: foldhash::HashMap::default(), bare: foldhash::HashMap::default() };
        for (n, (key, value)) in pins.iter().enumerate() {
            let value = Some(super::super::Raw::Yaml { text: value.to_string(), plain: true });
            let span = crate::source::Span::new(crate::source::FileId(0), n, n + 1);
            let definition =
                super::super::Definition { name: Arc::from(*key), separator: ": ", value, span, literal: None };
            unit.define(key.to_string(), definition);
        }
        unit
    }

    #[test]
    fn a_suite_unit_gives_each_file_the_product_its_path_names() {
        let suite = unit(&[("node.jira.version", "6.3.12"), ("node.confluence.version", "5.6.5")]);
        let confluence = suite.bundled("templates/default/confluence.server.xml.erb");
        assert_eq!(confluence.map(|b| (b.product, b.tomcat)), Some(("Confluence", (7, 0))));
        assert_eq!(suite.bundled("jira/conf/server.xml").map(|b| b.product), Some("Jira"));
        assert_eq!(suite.bundled("templates/server.xml.erb"), None);
        let single = unit(&[("jira_version", "7.12.1")]);
        assert_eq!(single.bundled("templates/server.xml.j2").map(|b| b.tomcat), Some((8, 5)));
        assert_eq!(unit(&[("jira_version", "latest")]).bundled("server.xml"), None);
        let own = unit(&[("jira_version", "7.12.1"), ("tomcat_version", "9.0.85")]);
        assert_eq!(own.bundled("server.xml").map(|b| (b.product, b.tomcat)), Some(("Tomcat", (9, 0))));
    }

    #[test]
    fn every_row_of_the_table_reads() {
        let text = include_str!("../../grammar/atlassian-tomcat.txt");
        let lines = text.lines().filter(|l| !l.starts_with('#') && !l.trim().is_empty()).count();
        assert_eq!(rows().len(), lines);
        assert!(rows().iter().all(|r| PRODUCTS.iter().any(|p| p.0 == r.product) || r.product.starts_with("jira-")));
    }
}
