//! Applying fixes: the edits findings carry, chosen by applicability, checked by linting the
//! files as they would be, then shown as a diff or written.
//!
//! A fix is applied whole or not at all. One whose edits overlap an edit already chosen waits
//! for the next round; one in a file that cannot be written back as it was read (a symbolic
//! link, standard input, a file not in UTF-8) is not applied. The files as they would be are
//! linted again before anything is written: a fix that leaves a file that does not parse, or
//! raises a finding that was not there, is dropped with a note.

use std::collections::HashMap;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use crate::confine::Overlay;
use crate::diagnostic::{Applicability, Edit, Fix};
use crate::report::Report;
use crate::source::{Encoding, FileId, Span};
use crate::Options;

/// How many rounds fixes are applied in: a fix that waited for an overlapping one is
/// applied in the next.
const MAX_ROUNDS: usize = 4;

/// How many fixes are checked one by one when the whole set raises a finding.
const MAX_CHECKED_ALONE: usize = 16;

/// One file's change.
#[derive(Debug)]
pub struct Change {
    /// The path it is read and written by.
    pub path: PathBuf,
    /// The path as reports show it.
    pub display: String,
    /// The text before.
    pub before: String,
    /// The text after.
    pub after: String,
}

/// What applying the fixes would do.
#[derive(Debug)]
pub struct Outcome {
    /// The files that change, in the order reports show them.
    pub changes: Vec<Change>,
    /// How many findings the applied fixes resolve.
    pub fixed: usize,
    /// Why fixes were not applied.
    pub notes: Vec<String>,
    /// The lint of the files as they would be.
    pub report: Report,
}

/// The fixes a run applies: up to `most` (safe, or unsafe too).
pub fn applies(fix: &Fix, most: Applicability) -> bool {
    fix.applicability <= most
}

/// How many findings of `report` have a safe fix, and how many more an unsafe one.
pub fn fixable(report: &Report) -> (usize, usize) {
    let mut counts = (0, 0);
    for fix in report.diagnostics.iter().filter_map(|d| d.fix.as_deref()) {
        match fix.applicability {
            Applicability::Safe => counts.0 += 1,
            Applicability::Unsafe => counts.1 += 1,
        }
    }
    counts
}

/// The fixes of `report` up to `most` applied to the files as read, in rounds, each round
/// checked by linting the files as they would be (with `options`). Nothing is written.
pub fn plan(options: &Options, report: Report, most: Applicability) -> Outcome {
    // The files as they would be, by real path, with the path they are read by.
    let mut files: HashMap<PathBuf, Change> = HashMap::new();
    let mut notes = Vec::new();
    let mut fixed = 0;
    let mut report = report;
    for _ in 0..MAX_ROUNDS {
        let round = Round::choose(&report, most, &mut notes);
        if round.fixes.is_empty() {
            break;
        }
        let before = counts(&report);
        let texts = |chosen: &[usize]| round.texts(&report, chosen);
        let all: Vec<usize> = (0..round.fixes.len()).collect();
        let lint = |texts: &HashMap<FileId, String>| relint(options, &report, &files, texts);
        let mut accepted = all.clone();
        let mut next = lint(&texts(&all));
        if !raises(&before, &next) {
            // The whole round is fine.
        } else {
            // Each fix added to those that are fine, in order.
            accepted.clear();
            next = None;
            for &i in all.iter().take(MAX_CHECKED_ALONE) {
                let mut trial = accepted.clone();
                trial.push(i);
                match lint(&texts(&trial)) {
                    Some(after) if !raises_any(&before, &after) => {
                        accepted = trial;
                        next = Some(after);
                    }
                    _ => notes.push(round.note(
                        &report,
                        i,
                        "it would leave a file that does not parse or raise a new finding; not applied",
                    )),
                }
            }
            for &i in all.iter().skip(MAX_CHECKED_ALONE) {
                notes.push(round.note(&report, i, "too many fixes to check in one run; run again"));
            }
        }
        let Some(after) = next.filter(|_| !accepted.is_empty()) else { break };
        fixed += accepted.iter().map(|&i| round.fixes.get(i).map_or(0, |f| f.resolves)).sum::<usize>();
        for (id, text) in texts(&accepted) {
            let Some(source) = report.sources.get(id) else { continue };
            let Some(real) = real_path(source.path()) else { continue };
            let change = files.entry(real).or_insert_with(|| Change {
                path: source.path().clone(),
                display: source.display().to_string(),
                before: source.text().to_string(),
                after: String::new(),
            });
            change.after = text;
        }
        report = after;
    }
    let mut changes: Vec<Change> = files.into_values().filter(|c| c.before != c.after).collect();
    changes.sort_by(|a, b| a.display.cmp(&b.display));
    Outcome { changes, fixed, notes, report }
}

/// One fix chosen for a round, with how many findings it resolves.
struct Chosen<'r> {
    fix: &'r Fix,
    /// The first finding it resolves (for notes).
    finding: usize,
    resolves: usize,
}

/// The fixes of one round: none overlaps another.
struct Round<'r> {
    fixes: Vec<Chosen<'r>>,
}

impl<'r> Round<'r> {
    /// The fixes of `report` up to `most` whose files can be written back and whose edits
    /// overlap no fix chosen before them.
    fn choose(report: &'r Report, most: Applicability, notes: &mut Vec<String>) -> Round<'r> {
        let mut fixes: Vec<Chosen<'r>> = Vec::new();
        let mut same: HashMap<&'r [Edit], usize> = HashMap::new();
        // The edits chosen, by file: (start, end) sorted.
        let mut taken: HashMap<FileId, Vec<(usize, usize, &'r Edit)>> = HashMap::new();
        let mut refused: HashMap<FileId, Option<String>> = HashMap::new();
        for (index, d) in report.diagnostics.iter().enumerate() {
            let Some(fix) = d.fix.as_deref().filter(|f| applies(f, most)) else { continue };
            if let Some(&i) = same.get(fix.edits.as_slice()) {
                if let Some(chosen) = fixes.get_mut(i) {
                    chosen.resolves += 1;
                }
                continue;
            }
            let why = fix.edits.iter().find_map(|e| {
                let file = refused.entry(e.span.file).or_insert_with(|| unwritable(report, e.span.file)).clone();
                file.or_else(|| misplaced(report, e))
            });
            if let Some(why) = why {
                notes.push(format!("{}: fix for `{}` not applied: {why}", location(report, d.primary.span), d.rule));
                continue;
            }
            let overlaps = fix.edits.iter().any(|e| {
                taken.get(&e.span.file).is_some_and(|edits| {
                    edits.iter().any(|&(start, end, other)| {
                        other != e
                            && start < e.span.end().max(e.span.start() + 1)
                            && e.span.start() < end.max(start + 1)
                    })
                })
            });
            if overlaps {
                continue;
            }
            for e in &fix.edits {
                taken.entry(e.span.file).or_default().push((e.span.start(), e.span.end(), e));
            }
            same.insert(fix.edits.as_slice(), fixes.len());
            fixes.push(Chosen { fix, finding: index, resolves: 1 });
        }
        Round { fixes }
    }

    /// The texts of the files the fixes `chosen` change, with their edits applied.
    fn texts(&self, report: &Report, chosen: &[usize]) -> HashMap<FileId, String> {
        let mut edits: HashMap<FileId, Vec<&Edit>> = HashMap::new();
        for fix in chosen.iter().filter_map(|&i| self.fixes.get(i)) {
            for edit in &fix.fix.edits {
                edits.entry(edit.span.file).or_default().push(edit);
            }
        }
        let mut texts = HashMap::new();
        for (file, mut edits) in edits {
            let Some(source) = report.sources.get(file) else { continue };
            edits.sort_by_key(|e| (e.span.start(), e.span.end()));
            edits.dedup();
            let text = source.text();
            let mut out = String::with_capacity(text.len() + 64);
            let mut at = 0;
            for edit in edits {
                let (start, end) = (edit.span.start(), edit.span.end());
                let Some(kept) = text.get(at..start) else { continue };
                out.push_str(kept);
                out.push_str(&edit.content);
                at = end;
            }
            out.push_str(text.get(at..).unwrap_or(""));
            texts.insert(file, out);
        }
        texts
    }

    /// A note that fix `i` was not applied, and why.
    fn note(&self, report: &Report, i: usize, why: &str) -> String {
        let Some(chosen) = self.fixes.get(i) else { return why.to_string() };
        let Some(d) = report.diagnostics.get(chosen.finding) else { return why.to_string() };
        format!(
            "{}: fix for `{}` ({}) not applied: {why}",
            location(report, d.primary.span),
            d.rule,
            chosen.fix.description
        )
    }
}

/// `path:line` of a span.
fn location(report: &Report, span: Span) -> String {
    let at = crate::report::region(&report.sources, span);
    format!("{}:{}", at.path, at.line)
}

/// Why a file cannot be written back as it was read, if it cannot.
fn unwritable(report: &Report, file: FileId) -> Option<String> {
    let Some(source) = report.sources.get(file) else { return Some("the file is not in the run".into()) };
    if source.display() == crate::BASE_URL_SOURCE {
        return Some("the value is given on the command line".into());
    }
    if source.encoding() != Encoding::Utf8 {
        return Some(format!("`{}` is not UTF-8; it is not rewritten", source.display()));
    }
    match std::fs::symlink_metadata(source.path()) {
        Ok(m) if m.file_type().is_symlink() => {
            Some(format!("`{}` is a symbolic link; fixes are never written through one", source.display()))
        }
        Ok(m) if m.is_file() => None,
        Ok(_) => Some(format!("`{}` is not a regular file", source.display())),
        Err(_) => Some(format!("`{}` is not a file on disk", source.display())),
    }
}

/// Why an edit cannot be applied to the text it names, if it cannot: its range must lie in
/// the text, on character boundaries.
fn misplaced(report: &Report, edit: &Edit) -> Option<String> {
    let text = report.sources.get(edit.span.file).map(|s| s.text()).unwrap_or("");
    let (start, end) = (edit.span.start(), edit.span.end());
    let fits = start <= end && text.is_char_boundary(start) && text.is_char_boundary(end);
    (!fits).then(|| "its edit does not fall on the file's characters".to_string())
}

/// The real path of a file, the overlay's key.
fn real_path(path: &Path) -> Option<PathBuf> {
    std::fs::canonicalize(path).ok()
}

/// The lint of the run with `texts` (by file of `report`) over the files changed in earlier
/// rounds; `None` when a file's real path cannot be found.
fn relint(
    options: &Options,
    report: &Report,
    earlier: &HashMap<PathBuf, Change>,
    texts: &HashMap<FileId, String>,
) -> Option<Report> {
    let mut overlay: HashMap<PathBuf, Vec<u8>> =
        earlier.iter().map(|(real, change)| (real.clone(), change.after.clone().into_bytes())).collect();
    for (id, text) in texts {
        let source = report.sources.get(*id)?;
        overlay.insert(real_path(source.path())?, text.clone().into_bytes());
    }
    let options = Options { overlay: Overlay::new(overlay), ..options.clone() };
    crate::lint(&options).ok()
}

/// Findings by rule and file.
fn counts(report: &Report) -> HashMap<(&'static str, String), usize> {
    let mut counts = HashMap::new();
    for d in &report.diagnostics {
        let file = report.sources.get(d.primary.span.file).map(|f| f.display().to_string()).unwrap_or_default();
        *counts.entry((d.rule, file)).or_insert(0) += 1;
    }
    counts
}

/// Whether the lint after (if there is one) has more findings of a rule in a file than
/// before.
fn raises(before: &HashMap<(&'static str, String), usize>, after: &Option<Report>) -> bool {
    after.as_ref().is_none_or(|after| raises_any(before, after))
}

fn raises_any(before: &HashMap<(&'static str, String), usize>, after: &Report) -> bool {
    counts(after).into_iter().any(|(key, n)| n > before.get(&key).copied().unwrap_or(0))
}

/// The unified diff of the changes (`--- a/path`, `+++ b/path`, three lines of context).
pub fn diff(changes: &[Change]) -> String {
    let mut out = String::new();
    for change in changes {
        let diff = similar::TextDiff::from_lines(&change.before, &change.after);
        let a = format!("a/{}", change.display);
        let b = format!("b/{}", change.display);
        out.push_str(&diff.unified_diff().context_radius(3).header(&a, &b).to_string());
    }
    out
}

/// Writes the changes: each file only when it still holds what was read, never through a
/// symbolic link, in place (its owner and mode kept). Returns a note for each file not
/// written.
pub fn write(changes: &[Change]) -> Vec<String> {
    changes.iter().filter_map(|c| write_one(c).err().map(|e| format!("`{}` not written: {e}", c.display))).collect()
}

fn write_one(change: &Change) -> io::Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    let metadata = std::fs::symlink_metadata(&change.path)?;
    if metadata.file_type().is_symlink() || !metadata.is_file() {
        return Err(io::Error::other("it is a symbolic link or not a regular file"));
    }
    let mut file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_NOCTTY | libc::O_CLOEXEC)
        .open(&change.path)?;
    if !file.metadata()?.is_file() {
        return Err(io::Error::other("it is not a regular file"));
    }
    let mut now = Vec::new();
    Read::by_ref(&mut file).take(change.before.len() as u64 + 1).read_to_end(&mut now)?;
    if now != change.before.as_bytes() {
        return Err(io::Error::other("it changed while atl-lint ran"));
    }
    file.set_len(0)?;
    use std::io::Seek;
    file.seek(io::SeekFrom::Start(0))?;
    file.write_all(change.after.as_bytes())?;
    file.flush()
}
