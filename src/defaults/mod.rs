//! A repository's defaults for its templates: the unit a template belongs to (Ansible role,
//! Chef cookbook, Puppet module, Helm chart, Salt formula), the variables its defaults files
//! define, and the value of a template's output tag when those answer it.
//!
//! The defaults files are read through the run's [`Scope`] and added to the run as files
//! that are only shown, so a finding can point at the line that defines a value.

pub mod bundled;
mod chef;
pub mod expr;
mod puppet;
mod yaml;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use foldhash::{HashMap, HashMapExt};

use crate::confine::{Scope, MAX_FILE_SIZE};
use crate::discover::inputs::Sources;
use crate::source::{FileId, SourceFile, Span};
use expr::Syntax;

/// What kind of unit a template belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// An Ansible role: `defaults/`, `vars/`, and a playbook's `group_vars/all`.
    Ansible,
    /// A Chef cookbook: `attributes/*.rb`.
    Chef,
    /// A Puppet module: class parameters in `manifests/`, module data in `data/common.yaml`.
    Puppet,
    /// A Helm chart: `values.yaml`.
    Helm,
    /// A Salt formula: `defaults.yaml`.
    Salt,
}

/// A variable's value as its defaults file writes it.
#[derive(Clone, Debug)]
enum Raw {
    /// A YAML scalar (`plain`: unquoted, so `true` is a boolean).
    Yaml { text: String, plain: bool },
    /// A Ruby expression (Chef).
    Ruby(String),
    /// A Puppet expression.
    Puppet(String),
}

/// One variable a unit's defaults define.
#[derive(Clone, Debug)]
struct Definition {
    /// How a person names it (`app_port`, `default['jira']['port']`, `jira::port`).
    name: Arc<str>,
    /// What the defaults file writes between name and value (`: `, ` = `).
    separator: &'static str,
    /// The value; `None` when it is not one atl-lint can read (null, a list, a call).
    value: Option<Raw>,
    /// The line that defines it.
    span: Span,
    /// Its one-line scalar value as written, inside any quotes, and whether it is quoted.
    literal: Option<(Span, bool)>,
}

/// A defaults file's line that a template's value comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Origin {
    /// The definition.
    pub span: Span,
    /// The definition as a message quotes it: `app_port: 8080`,
    /// `default['jira']['port'] = 8080`, `$port = 8080`.
    pub shown: Arc<str>,
    /// The literal value in the definition, when it is a one-line YAML scalar whose text is
    /// what the template renders, and whether it is quoted: where a fix of the rendered
    /// value is written.
    pub literal: Option<(Span, bool)>,
}

/// The value of an output tag and the definitions it was read from, the tag's own first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Resolved {
    /// The rendered text.
    pub value: String,
    /// Where it comes from.
    pub origins: Vec<Origin>,
}

/// The variables of one unit.
#[derive(Debug)]
pub struct Unit {
    defined: HashMap<String, Definition>,
    /// Puppet: the qualified keys (`jira::config::port`) a bare name (`port`) may stand for.
    bare: HashMap<String, Vec<String>>,
}

/// How deep one variable may be defined through others.
const MAX_DEPTH: usize = 16;

impl Unit {
    /// The value of an output tag (`{{ jira_port }}`, `<%= node['jira']['port'] %>`), when
    /// the defaults answer it and it is no secret.
    pub fn resolve(&self, tag: &str) -> Option<Resolved> {
        let (syntax, expression) = expr::parse_tag(tag)?;
        let mut origins = Vec::new();
        let mut stack = Vec::new();
        let value = expression.evaluate(&mut |key| self.value_of(key, syntax, &mut origins, &mut stack))?;
        if crate::syntax::is_unknown(&value) || !crate::secrets::in_text(&value).is_empty() {
            return None;
        }
        Some(Resolved { value, origins })
    }

    /// The value of the variable `key` (`jira_version`, `node.jira.version`) and the
    /// definitions it was read from, when the defaults give it and it is no secret.
    pub fn variable(&self, key: &str) -> Option<Resolved> {
        let mut origins = Vec::new();
        let value = self.value_of(key, Syntax::Jinja, &mut origins, &mut Vec::new())?;
        if crate::syntax::is_unknown(&value) || !crate::secrets::in_text(&value).is_empty() {
            return None;
        }
        Some(Resolved { value, origins })
    }

    /// The value of the variable `key` as `syntax` renders it.
    fn value_of(
        &self,
        key: &str,
        syntax: Syntax,
        origins: &mut Vec<Origin>,
        stack: &mut Vec<String>,
    ) -> Option<String> {
        if stack.len() >= MAX_DEPTH || stack.iter().any(|k| k == key) || key.split(['.', ':']).any(is_secret) {
            return None;
        }
        let Some(definition) = self.defined.get(key) else { return self.bare_value(key, syntax, origins, stack) };
        let raw = definition.value.as_ref()?;
        stack.push(key.to_string());
        // The tag's own variable first, then those it is defined through.
        let at = origins.len();
        let value = self.render(raw, syntax, origins, stack);
        stack.pop();
        let value = value?;
        let written = match raw {
            Raw::Yaml { text, plain: true } if !text.is_empty() => text.clone(),
            Raw::Yaml { text, .. } => format!("{text:?}"),
            Raw::Ruby(code) | Raw::Puppet(code) => code.clone(),
        };
        let shown = format!("{}{}{written}", definition.name, definition.separator);
        let literal = definition.literal.filter(|_| matches!(raw, Raw::Yaml { text, .. } if *text == value));
        let shown = Origin { span: definition.span, shown: Arc::from(shown), literal };
        origins.insert(at.min(origins.len()), shown);
        Some(value)
    }

    /// A bare Puppet name's value: the one every class that has the name gives it.
    fn bare_value(
        &self,
        key: &str,
        syntax: Syntax,
        origins: &mut Vec<Origin>,
        stack: &mut Vec<String>,
    ) -> Option<String> {
        let candidates = self.bare.get(key)?;
        let mut agreed: Option<(String, Vec<Origin>)> = None;
        for candidate in candidates {
            let mut found = Vec::new();
            let value = self.value_of(candidate, syntax, &mut found, stack)?;
            match &agreed {
                Some((other, _)) if *other != value => return None,
                Some(_) => {}
                None => agreed = Some((value, found)),
            }
        }
        let (value, found) = agreed?;
        origins.extend(found);
        Some(value)
    }

    /// A definition's value as text.
    fn render(&self, raw: &Raw, syntax: Syntax, origins: &mut Vec<Origin>, stack: &mut Vec<String>) -> Option<String> {
        match raw {
            Raw::Yaml { text, plain } => {
                if text.contains("{%") {
                    return None;
                }
                if text.contains("{{") {
                    return self.interpolate(text, "{{", "}}", origins, stack, |inner| format!("{{{{{inner}}}}}"));
                }
                Some(match (*plain, yaml_bool(text), syntax) {
                    (true, Some(b), Syntax::Jinja) => if b { "True" } else { "False" }.to_string(),
                    (true, Some(b), _) => b.to_string(),
                    _ => text.clone(),
                })
            }
            Raw::Ruby(code) => {
                let code = code.trim();
                if let Some(text) = expr::string_literal(code) {
                    return Some(text);
                }
                if let Some(inner) = code.strip_prefix('"').and_then(|c| c.strip_suffix('"')) {
                    if inner.contains('"') || inner.contains('\\') {
                        return None;
                    }
                    return self.interpolate(inner, "#{", "}", origins, stack, |e| format!("<%= {e} %>"));
                }
                if matches!(code, "true" | "false") || code.parse::<i64>().is_ok() {
                    return Some(code.to_string());
                }
                let (_, expression) = expr::parse_tag(&format!("<%= {code} %>"))?;
                expression.evaluate(&mut |key| self.value_of(key, syntax, origins, stack))
            }
            Raw::Puppet(code) => {
                let code = code.trim();
                if let Some(text) = expr::string_literal(code).filter(|t| !t.contains('$')) {
                    return Some(text);
                }
                if let Some(inner) = code.strip_prefix('"').and_then(|c| c.strip_suffix('"')) {
                    if inner.contains('"') || inner.contains('\\') {
                        return None;
                    }
                    return self.interpolate(inner, "${", "}", origins, stack, |e| format!("<%= ${e} %>"));
                }
                if matches!(code, "true" | "false") || code.parse::<i64>().is_ok() {
                    return Some(code.to_string());
                }
                let key = expr::puppet_key(code)?;
                self.value_of(&key, syntax, origins, stack)
            }
        }
    }

    /// A string with embedded expressions (`"{{ a }}:{{ b }}"`, `"#{node['x']}"`), each
    /// rendered as the tag `tag` makes of it.
    fn interpolate(
        &self,
        text: &str,
        open: &str,
        close: &str,
        origins: &mut Vec<Origin>,
        stack: &mut Vec<String>,
        tag: impl Fn(&str) -> String,
    ) -> Option<String> {
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(start) = rest.find(open) {
            out.push_str(rest.get(..start)?);
            let after = rest.get(start + open.len()..)?;
            let end = after.find(close)?;
            let (_, expression) = expr::parse_tag(&tag(after.get(..end)?))?;
            let syntax = if open == "{{" { Syntax::Jinja } else { Syntax::Erb };
            out.push_str(&expression.evaluate(&mut |key| self.value_of(key, syntax, origins, stack))?);
            rest = after.get(end + close.len()..)?;
        }
        out.push_str(rest);
        Some(out)
    }

    /// Defines `key` (a later definition overrides an earlier one of the same layer's
    /// caller's choosing).
    fn define(&mut self, key: String, definition: Definition) {
        self.defined.insert(key, definition);
    }
}

/// A secret's name: such a variable is never resolved, so its value is never shown.
fn is_secret(part: &str) -> bool {
    crate::secrets::is_secret_name(part)
}

/// YAML 1.1's booleans, as Ansible reads them.
fn yaml_bool(text: &str) -> Option<bool> {
    match text.to_ascii_lowercase().as_str() {
        "true" | "yes" | "on" => Some(true),
        "false" | "no" | "off" => Some(false),
        _ => None,
    }
}

/// The units of a run's templates, each read once.
pub struct Units<'s> {
    scope: &'s Scope,
    /// By directory: the unit rooted there, or `None` when it roots none.
    roots: HashMap<PathBuf, Option<Arc<Unit>>>,
}

/// How many directories above a template its unit's root may be.
const MAX_LEVELS: usize = 8;

/// How many files of one unit are read.
const MAX_UNIT_FILES: usize = 512;

impl<'s> Units<'s> {
    /// No unit read yet.
    pub fn new(scope: &'s Scope) -> Self {
        Units { scope, roots: HashMap::new() }
    }

    /// The unit the template at `path` belongs to, its defaults files added to `sources`.
    pub fn of(&mut self, path: &Path, sources: &mut Sources) -> Option<Arc<Unit>> {
        let mut dir = path.parent();
        for _ in 0..MAX_LEVELS {
            let current = dir?;
            if current.as_os_str().is_empty() {
                return None;
            }
            if let Some(found) = self.roots.get(current) {
                if found.is_some() {
                    return found.clone();
                }
            } else {
                let unit = self.read(current, sources).map(Arc::new);
                self.roots.insert(current.to_path_buf(), unit.clone());
                if unit.is_some() {
                    return unit;
                }
            }
            dir = current.parent();
        }
        None
    }

    /// Whether `path` is a directory the run may read.
    fn is_dir(&self, path: &Path) -> bool {
        self.scope.locate(path).is_ok_and(|real| real.is_dir())
    }

    /// Whether `path` is a file the run may read.
    fn is_file(&self, path: &Path) -> bool {
        self.scope.locate(path).is_ok_and(|real| real.is_file())
    }

    /// The unit rooted at `dir`, if it roots one.
    fn read(&self, dir: &Path, sources: &mut Sources) -> Option<Unit> {
        let kind = self.kind_at(dir)?;
        let mut unit = Unit { defined: HashMap::new(), bare: HashMap::new() };
        match kind {
            Kind::Ansible => {
                let mut layers = self.yaml_files(&dir.join("defaults"));
                // A playbook repository's `group_vars/all` overrides role defaults.
                if let Some(top) = dir.parent().filter(|p| p.file_name().is_some_and(|n| n == "roles")) {
                    let group_vars = top.parent().unwrap_or(Path::new(".")).join("group_vars");
                    layers.extend(self.yaml_named(&group_vars, "all"));
                    layers.extend(self.yaml_files(&group_vars.join("all")));
                }
                layers.extend(self.yaml_named(&dir.join("vars"), "main"));
                for path in layers {
                    self.read_yaml(&path, "", &mut unit, sources);
                }
            }
            Kind::Helm => self.read_yaml(&dir.join("values.yaml"), "Values.", &mut unit, sources),
            Kind::Salt => self.read_yaml(&dir.join("defaults.yaml"), "", &mut unit, sources),
            Kind::Chef => {
                let mut files = self.listing(&dir.join("attributes"), &["rb"]);
                // Chef loads `default.rb` first, then the rest by name.
                files.sort_by_key(|p| (p.file_stem().is_none_or(|s| s != "default"), p.clone()));
                let mut levels: HashMap<String, u8> = HashMap::new();
                for path in files {
                    let Some((id, source)) = self.add(&path, sources) else { continue };
                    for found in chef::assignments(source.text()) {
                        let level = levels.get(&found.key).copied();
                        if level.is_some_and(|l| l > found.level) {
                            continue;
                        }
                        levels.insert(found.key.clone(), found.level);
                        let span = Span::new(id, found.at.0, found.at.1);
                        let name = source.text().get(found.at.0..found.at.1).unwrap_or("").split('=').next();
                        let name = Arc::from(name.unwrap_or("").trim());
                        let value = Some(Raw::Ruby(found.value));
                        unit.define(found.key, Definition { name, separator: " = ", value, span, literal: None });
                    }
                }
            }
            Kind::Puppet => self.read_puppet(dir, &mut unit, sources),
        }
        Some(unit)
    }

    /// What unit `dir` roots, by the directories and files each kind has.
    fn kind_at(&self, dir: &Path) -> Option<Kind> {
        if self.is_file(&dir.join("Chart.yaml")) && self.is_file(&dir.join("values.yaml")) {
            return Some(Kind::Helm);
        }
        if self.is_file(&dir.join("defaults.yaml")) && self.is_file(&dir.join("map.jinja")) {
            return Some(Kind::Salt);
        }
        if !self.is_dir(&dir.join("templates")) {
            return None;
        }
        if self.is_dir(&dir.join("attributes")) {
            Some(Kind::Chef)
        } else if self.is_dir(&dir.join("manifests")) {
            Some(Kind::Puppet)
        } else if ["defaults", "vars", "tasks"].iter().any(|d| self.is_dir(&dir.join(d))) {
            Some(Kind::Ansible)
        } else {
            None
        }
    }

    /// `dir/NAME.yml` or `dir/NAME.yaml`, and `dir/NAME` itself when it is a file.
    fn yaml_named(&self, dir: &Path, name: &str) -> Vec<PathBuf> {
        [format!("{name}.yml"), format!("{name}.yaml"), name.to_string()]
            .into_iter()
            .map(|n| dir.join(n))
            .filter(|p| self.is_file(p))
            .collect()
    }

    /// A defaults directory's YAML files: `main.yml` first, then `main/*.yml`.
    fn yaml_files(&self, dir: &Path) -> Vec<PathBuf> {
        let mut files = self.yaml_named(dir, "main");
        files.retain(|p| p.extension().is_some());
        files.extend(self.listing(&dir.join("main"), &["yml", "yaml"]));
        files
    }

    /// The files of `dir` (not below) with one of `extensions`, by name.
    fn listing(&self, dir: &Path, extensions: &[&str]) -> Vec<PathBuf> {
        let Ok(real) = self.scope.locate(dir) else { return Vec::new() };
        let Ok(entries) = std::fs::read_dir(&real) else { return Vec::new() };
        let mut files: Vec<PathBuf> = entries
            .flatten()
            .map(|e| dir.join(e.file_name()))
            .filter(|p| p.extension().and_then(|e| e.to_str()).is_some_and(|e| extensions.contains(&e)))
            .filter(|p| self.is_file(p))
            .take(MAX_UNIT_FILES)
            .collect();
        files.sort();
        files
    }

    /// Reads a defaults file into the run as a shown file.
    fn add<'m>(&self, path: &Path, sources: &'m mut Sources) -> Option<(FileId, &'m SourceFile)> {
        let bytes = self.scope.read(path, MAX_FILE_SIZE).ok()?;
        let display = self.scope.show(path);
        let id = sources.map.add(|id| SourceFile::shown(id, path.to_path_buf(), display, bytes));
        sources.keys.push(None);
        Some((id, sources.map.get(id)?))
    }

    /// Reads a YAML defaults file, its keys prefixed with `prefix`.
    fn read_yaml(&self, path: &Path, prefix: &str, unit: &mut Unit, sources: &mut Sources) {
        let Some((id, source)) = self.add(path, sources) else { return };
        for entry in yaml::entries(source) {
            let line = source.line_index(entry.at);
            let (_, end) = source.line_range(line);
            let span = Span::new(id, entry.at, end.max(entry.at));
            let name = Arc::from(entry.key.rsplit('.').next().unwrap_or(&entry.key));
            let literal = entry.value.as_ref().and_then(|s| scalar_at(source.text(), entry.at, end, s));
            let quoted = entry.value.as_ref().is_some_and(|s| !s.plain);
            let literal = literal.map(|(start, end)| (Span::new(id, start, end), quoted));
            let value = entry.value.map(|s| Raw::Yaml { text: s.text, plain: s.plain });
            let key = format!("{prefix}{}", entry.key);
            unit.define(key, Definition { name, separator: ": ", value, span, literal });
        }
    }

    /// A Puppet module's class parameters and class variables, then its module data.
    fn read_puppet(&self, dir: &Path, unit: &mut Unit, sources: &mut Sources) {
        let mut manifests = Vec::new();
        let mut pending = vec![(dir.join("manifests"), 0)];
        while let Some((current, depth)) = pending.pop() {
            manifests.extend(self.listing(&current, &["pp"]));
            if depth < 4 {
                let Ok(real) = self.scope.locate(&current) else { continue };
                let Ok(entries) = std::fs::read_dir(&real) else { continue };
                let dirs = entries.flatten().filter(|e| e.file_type().is_ok_and(|t| t.is_dir()));
                pending.extend(dirs.map(|e| (current.join(e.file_name()), depth + 1)));
            }
            if manifests.len() >= MAX_UNIT_FILES {
                break;
            }
        }
        manifests.sort();
        // A bare name (`$port`, `@port` in a template) is a parameter of the class that
        // renders it; which class that is, the manifests' calls say, so every class that has
        // the name is a candidate and they must agree.
        for path in manifests.iter().take(MAX_UNIT_FILES) {
            let Some((id, source)) = self.add(path, sources) else { continue };
            for variable in puppet::variables(source.text()) {
                let key = format!("{}::{}", variable.class, variable.name);
                let span = Span::new(id, variable.at.0, variable.at.1);
                let value = (variable.value != "undef").then_some(Raw::Puppet(variable.value));
                let name = Arc::from(format!("${}", variable.name));
                unit.define(key.clone(), Definition { name, separator: " = ", value, span, literal: None });
                let candidates = unit.bare.entry(variable.name).or_default();
                if !candidates.contains(&key) {
                    candidates.push(key);
                }
            }
        }
        // Module data overrides the defaults written in the class.
        let data = dir.join("data").join("common.yaml");
        if self.is_file(&data) {
            let mut data_unit = Unit { defined: HashMap::new(), bare: HashMap::new() };
            self.read_yaml(&data, "", &mut data_unit, sources);
            for (key, mut definition) in data_unit.defined {
                if key.contains("::") {
                    definition.name = Arc::from(key.as_str());
                    unit.define(key, definition);
                }
            }
        }
    }
}

/// Where a YAML entry's one-line scalar `scalar` is written on its line (the key at `at`,
/// the line ending at `end`): the bytes inside any quotes, when they read as the scalar
/// itself (no escapes, no folding).
fn scalar_at(text: &str, at: usize, end: usize, scalar: &yaml::Scalar) -> Option<(usize, usize)> {
    let line = text.get(at..end)?;
    let colon = line.find(':')?;
    let after = line.get(colon + 1..)?;
    let value = after.trim_start();
    let value = if scalar.plain { value.split(" #").next().unwrap_or(value) } else { value };
    let value = value.trim_end();
    let start = at + colon + 1 + (after.len() - after.trim_start().len());
    let inner = match value.as_bytes().first() {
        Some(b'"' | b'\'') if !scalar.plain => {
            let quote = value.get(..1)?;
            let inner = value.get(1..)?.strip_suffix(quote)?;
            (inner == scalar.text && !inner.contains(['\\', '"', '\''])).then_some((start + 1, start + 1 + inner.len()))
        }
        _ => (scalar.plain && value == scalar.text).then_some((start, start + value.len())),
    };
    inner.filter(|(s, e)| s < e)
}
