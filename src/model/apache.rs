//! What each Apache main configuration's include tree sets up, joined once for every rule.

use std::collections::{HashMap, HashSet};

use crate::syntax::apache::Config;
use crate::syntax::apache_directives::directives;
use crate::syntax::{Parsed, Tree};

/// Loaded modules and defined names of one include tree, for `<IfModule>` and `<IfDefine>`.
#[derive(Debug, Default)]
pub struct TreeFacts {
    /// Loaded modules by source file (`mod_proxy.c`), Debian's builtins included.
    pub modules: HashSet<&'static str>,
    /// Names given by `Define`.
    pub defines: HashSet<String>,
}

impl TreeFacts {
    /// Whether the tree loads more than the modules compiled into apache2: a server whose
    /// module set atl-lint can know.
    pub fn loads_modules(&self) -> bool {
        self.modules.len() > directives().builtin.len()
    }
}

/// The facts of every main configuration's tree, by the root's display path.
pub(super) fn facts(files: &[Parsed<'_>]) -> HashMap<String, TreeFacts> {
    let table = directives();
    let mut facts: HashMap<String, TreeFacts> = HashMap::new();
    for file in files {
        let (Tree::Apache(config), Some(root)) = (&file.tree, file.source.include_root.as_deref()) else { continue };
        let entry = facts
            .entry(root.to_string())
            .or_insert_with(|| TreeFacts { modules: table.builtin.clone(), ..TreeFacts::default() });
        for directive in &config.directives {
            let Some(first) = directive.args.first().filter(|a| !a.unknown) else { continue };
            if directive.is("LoadModule") {
                entry.modules.extend(table.module_source(&first.text));
            } else if directive.is("Define") {
                entry.defines.insert(first.text.to_string());
            }
        }
    }
    facts
}

/// Whether Apache reads what stands in `block`: `false` inside an `<IfModule>` or
/// `<IfDefine>` that is false for the tree, or an `<IfVersion>` false for 2.4.71. Files read
/// on their own have no tree: only `<IfVersion>` is judged for them.
pub fn active(facts: Option<&TreeFacts>, config: &Config<'_>, block: Option<usize>) -> bool {
    let table = directives();
    config.ancestors(block).all(|b| {
        if b.is("IfVersion") {
            return if_version(b.args.iter().map(|a| a.text.as_ref())).unwrap_or(true);
        }
        let Some(facts) = facts else { return true };
        let Some(arg) = b.args.first().filter(|a| !a.unknown) else { return true };
        let (negated, name) = match arg.text.strip_prefix('!') {
            Some(rest) => (true, rest),
            None => (false, arg.text.as_ref()),
        };
        let holds = if b.is("IfModule") {
            table.module_source(name).is_some_and(|source| facts.modules.contains(source))
        } else if b.is("IfDefine") {
            facts.defines.contains(name)
        } else {
            return true;
        };
        holds != negated
    })
}

/// The Apache version whose directive table atl-lint follows.
const APACHE_VERSION: [u32; 3] = [2, 4, 71];

/// `<IfVersion [[!]op] version>` against Apache 2.4.71; `None` for a regular expression or
/// anything unparsable (then the body counts as read).
fn if_version<'w>(args: impl Iterator<Item = &'w str>) -> Option<bool> {
    let words: Vec<&str> = args.collect();
    let (op, version) = match words.as_slice() {
        [version] => ("=", *version),
        [op, version] => (*op, *version),
        _ => return None,
    };
    let (negated, op) = match op.strip_prefix('!') {
        Some(rest) => (true, if rest.is_empty() { "=" } else { rest }),
        None => (false, op),
    };
    let wanted: Vec<u32> = version.split('.').map(|p| p.parse().ok()).collect::<Option<_>>()?;
    let ours = APACHE_VERSION.get(..wanted.len().min(3))?;
    let order = ours.cmp(wanted.get(..ours.len())?);
    let holds = match op {
        "=" | "==" => order.is_eq(),
        ">" => order.is_gt(),
        ">=" => order.is_ge(),
        "<" => order.is_lt(),
        "<=" => order.is_le(),
        _ => return None,
    };
    Some(holds != negated)
}

#[cfg(test)]
mod tests {
    use super::if_version;

    fn check(words: &[&str]) -> Option<bool> {
        if_version(words.iter().copied())
    }

    #[test]
    fn ifversion_compares_with_apache_2_4_71() {
        assert_eq!(check(&["<", "2.4"]), Some(false));
        assert_eq!(check(&[">=", "2.4"]), Some(true));
        assert_eq!(check(&["2.4"]), Some(true));
        assert_eq!(check(&["!", "2.2"]), Some(true));
        assert_eq!(check(&["<", "2.4.72"]), Some(true));
        assert_eq!(check(&["~", "^2"]), None);
    }
}
