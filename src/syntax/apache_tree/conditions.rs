//! Conditional containers as Apache evaluates them while it reads: `<IfModule>`,
//! `<IfDefine>` and `<IfVersion>`, and which directives' modules are not loaded yet.

use super::State;
use crate::syntax::apache_directives::directives;
use crate::syntax::words::Words;

/// The Apache version whose directive table atl-lint follows.
const APACHE_VERSION: [u32; 3] = [2, 4, 71];

/// Conditional containers: read while the tree is read, their bodies kept or skipped.
const CONDITIONS: [&str; 6] = ["ifmodule", "ifdefine", "ifversion", "iffile", "ifdirective", "ifsection"];

impl State {
    /// Whether a conditional container's body is read; `None` for other containers.
    pub(super) fn condition(&self, name: &str, args: Words<'_>) -> Option<bool> {
        let name = name.to_ascii_lowercase();
        if !CONDITIONS.contains(&name.as_str()) {
            return None;
        }
        if name == "ifversion" {
            return Some(if_version(args.iter().map(|a| a.text)).unwrap_or(true));
        }
        let Some(arg) = args.first().filter(|a| !a.unknown) else { return Some(true) };
        let (negated, what) = match arg.text.strip_prefix('!') {
            Some(rest) => (true, rest),
            None => (false, arg.text),
        };
        let holds = match name.as_str() {
            // Before any module is loaded, the module set is not known.
            "ifmodule" if self.tree && self.facts.loads_modules => {
                directives().module_source(what).is_some_and(|source| self.facts.modules.contains(source))
            }
            "ifdefine" if self.tree => self.facts.defines.contains(what),
            _ => return Some(true),
        };
        Some(holds != negated)
    }

    /// Whether none of the modules defining `name` is loaded now, in a tree that has loaded
    /// modules (elsewhere the module set is not known).
    pub(super) fn unloaded(&self, name: &str) -> bool {
        if !self.tree || !self.facts.loads_modules {
            return false;
        }
        directives()
            .get(name)
            .is_some_and(|(_, definitions)| !definitions.iter().any(|d| self.facts.modules.contains(d.module)))
    }
}

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
    use super::*;

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
