//! Applying fixes: the edits findings carry, chosen by applicability, checked by linting the
//! files as they would be, then shown as a diff or written.
//!
//! A fix is applied whole or not at all. One whose edits overlap an edit already chosen waits
//! for the next round; one in a file that cannot be written back as it was read (a symbolic
//! link, a path that leads elsewhere, standard input, a file not in UTF-8) is not applied.
//! The files as they would be are linted again before anything is written: a fix that leaves
//! a file that does not parse, or raises a finding that was not there, is dropped with a
//! note, and never chosen again in the run. A file read under two ids (a defaults file two
//! units share) is one file: its edits are joined by its real path.

use std::collections::{HashMap, HashSet};
use std::io::{self, Read, Seek, Write};
use std::path::{Path, PathBuf};

use crate::confine::{Overlay, Scope};
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
    /// How many findings fewer there are once the fixes are applied.
    pub fixed: usize,
    /// Why fixes were not applied.
    pub notes: Vec<String>,
    /// The lint of the files as read.
    pub original: Report,
    /// The lint of the files as they would be, when a fix changes them.
    report: Option<Report>,
}

/// The fixes a run applies: up to `most` (safe, or unsafe too).
fn applies(fix: &Fix, most: Applicability) -> bool {
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

/// The fixes of `original` up to `most` applied to the files as read, in rounds, each
/// round checked by linting the files as they would be (with `options`). Nothing is written.
pub fn plan(options: &Options, original: Report, most: Applicability) -> Outcome {
    let scope = crate::Settings::resolve(options).scope;
    let mut planner =
        Planner { options, scope: &scope, most, files: HashMap::new(), notes: Vec::new(), done: HashSet::new() };
    let mut current: Option<Report> = None;
    for _ in 0..MAX_ROUNDS {
        let report = current.as_ref().unwrap_or(&original);
        match planner.round(report) {
            Step::Applied(after) => current = Some(after),
            Step::Rejected => {}
            Step::Done => break,
        }
    }
    let Planner { files, mut notes, done, .. } = planner;
    let left = current.as_ref().unwrap_or(&original);
    let waiting = left
        .diagnostics
        .iter()
        .filter(|d| d.fix.as_deref().is_some_and(|f| applies(f, most)) && !done.contains(&key(d)))
        .count();
    if waiting > 0 {
        notes.push(format!("{waiting} more fix(es) wait for the fixes before them; run again"));
    }
    let mut changes: Vec<Change> = files.into_values().filter(|c| c.before != c.after).collect();
    changes.sort_by(|a, b| a.display.cmp(&b.display));
    // What went away: no round may raise a finding, so every finding fewer is one fixed.
    let fixed = current.as_ref().map_or(0, |c| original.diagnostics.len().saturating_sub(c.diagnostics.len()));
    Outcome { changes, fixed, notes, original, report: current }
}

/// What a round did.
enum Step {
    /// Fixes were applied: the lint of the files as they would be.
    Applied(Report),
    /// None was applied, but some were rejected: the others may go in the next round.
    Rejected,
    /// Nothing more to do.
    Done,
}

/// A finding's identity across rounds (its fingerprint reads the text around it).
fn key(d: &crate::diagnostic::Diagnostic) -> (&'static str, String) {
    (d.rule, d.fingerprint.clone())
}

/// The state of a run of rounds.
struct Planner<'o> {
    options: &'o Options,
    scope: &'o Scope,
    most: Applicability,
    /// The files as they would be, by real path.
    files: HashMap<PathBuf, Change>,
    notes: Vec<String>,
    /// The findings whose fix was applied or rejected: never chosen again.
    done: HashSet<(&'static str, String)>,
}

impl Planner<'_> {
    /// Chooses, checks and applies one round of fixes to the files as `report` read them.
    fn round(&mut self, report: &Report) -> Step {
        let files = Files::of(report, self.scope);
        let round = Round::choose(report, &files, self.most, &self.done, &mut self.notes);
        for &i in &round.refused {
            if let Some(d) = report.diagnostics.get(i) {
                self.done.insert(key(d));
            }
        }
        if round.fixes.is_empty() {
            return Step::Done;
        }
        let before = counts(report);
        let all: Vec<usize> = (0..round.fixes.len()).collect();
        let lint = |chosen: &[usize]| self.relint(&files, &round.texts(report, chosen));
        // The findings (by rule and file) the fixes `chosen` resolve.
        let resolved = |chosen: &[usize]| -> Vec<(&'static str, String)> {
            chosen.iter().filter_map(|&i| round.fixes.get(i)).filter_map(|f| where_(report, f.finding)).collect()
        };
        // Fine: nothing raised, and fewer findings of each kind a fix resolves.
        let fine = |from: &Counts, after: &Report, chosen: &[usize]| {
            let now = counts(after);
            !raises(&before, &now)
                && resolved(chosen).iter().all(|k| now.get(k).copied().unwrap_or(0) < from.get(k).copied().unwrap_or(0))
        };
        let mut accepted = all.clone();
        let mut next = lint(&all).filter(|after| fine(&before, after, &all));
        let mut rejected = Vec::new();
        if next.is_none() {
            // Each fix added to those that are fine, in order; the rest wait for a round.
            accepted.clear();
            for &i in all.iter().take(MAX_CHECKED_ALONE) {
                let mut trial = accepted.clone();
                trial.push(i);
                let from = next.as_ref().map_or_else(|| before.clone(), counts);
                match lint(&trial).filter(|after| fine(&from, after, &[i])) {
                    Some(after) => {
                        accepted = trial;
                        next = Some(after);
                    }
                    None => rejected.push(i),
                }
            }
        }
        for &i in &rejected {
            let why =
                "it would leave a file that does not parse, raise a new finding or not resolve its own; not applied";
            self.notes.push(round.note(report, i, why));
        }
        for &i in accepted.iter().chain(&rejected) {
            if let Some(d) = round.fixes.get(i).and_then(|f| report.diagnostics.get(f.finding)) {
                self.done.insert(key(d));
            }
        }
        let Some(after) = next.filter(|_| !accepted.is_empty()) else {
            return if rejected.is_empty() { Step::Done } else { Step::Rejected };
        };
        for (id, text) in round.texts(report, &accepted) {
            let (Some(source), Some(real)) = (report.sources.get(id), files.real(id)) else { continue };
            let change = self.files.entry(real.clone()).or_insert_with(|| Change {
                path: source.path().clone(),
                display: source.display().to_string(),
                before: source.text().to_string(),
                after: String::new(),
            });
            change.after = text;
        }
        Step::Applied(after)
    }

    /// The lint of the run with `texts` (by file) over the files changed in earlier rounds;
    /// `None` when it fails.
    fn relint(&self, files: &Files, texts: &HashMap<FileId, String>) -> Option<Report> {
        let mut overlay: HashMap<PathBuf, Vec<u8>> =
            self.files.iter().map(|(real, change)| (real.clone(), change.after.clone().into_bytes())).collect();
        for (id, text) in texts {
            overlay.insert(files.real(*id)?.clone(), text.clone().into_bytes());
        }
        let options = Options { overlay: Overlay::new(overlay), ..self.options.clone() };
        crate::lint(&options).ok()
    }
}

/// The files of one lint as fixes see them: each id's real path (or why it cannot be
/// written), and the one id that stands for each real path.
struct Files {
    real: HashMap<FileId, Result<PathBuf, String>>,
    first: HashMap<PathBuf, FileId>,
}

impl Files {
    /// The files of `report`, their paths resolved in `scope`.
    fn of(report: &Report, scope: &Scope) -> Files {
        let mut files = Files { real: HashMap::new(), first: HashMap::new() };
        let named: HashSet<FileId> = report
            .diagnostics
            .iter()
            .filter_map(|d| d.fix.as_deref())
            .flat_map(|f| f.edits.iter().map(|e| e.span.file))
            .collect();
        // Every file that shares a path with one a fix names: a defaults file is read once
        // for each unit that has it.
        let paths: HashSet<&Path> =
            named.iter().filter_map(|id| report.sources.get(*id)).map(|s| s.path().as_path()).collect();
        for source in report.sources.iter().filter(|s| paths.contains(s.path().as_path())) {
            let real = writable(report, source.id(), scope);
            if let Ok(real) = &real {
                files.first.entry(real.clone()).or_insert(source.id());
            }
            files.real.insert(source.id(), real);
        }
        files
    }

    /// The real path of a file, when it can be written.
    fn real(&self, id: FileId) -> Option<&PathBuf> {
        self.real.get(&id)?.as_ref().ok()
    }

    /// The id that stands for the file `id` names (itself, or the first with its real path),
    /// or why it cannot be written.
    fn canonical(&self, id: FileId) -> Result<FileId, String> {
        match self.real.get(&id) {
            Some(Ok(real)) => Ok(self.first.get(real).copied().unwrap_or(id)),
            Some(Err(why)) => Err(why.clone()),
            None => Err("the file is not in the run".into()),
        }
    }
}

impl Outcome {
    /// The lint of the files as they would be (the original's when nothing changes).
    pub fn after(&self) -> &Report {
        self.report.as_ref().unwrap_or(&self.original)
    }

    /// The lint of the files as they would be, taken.
    pub fn into_after(self) -> Report {
        self.report.unwrap_or(self.original)
    }

    /// The unified diff of the changes (`--- a/path`, `+++ b/path`, three lines of context),
    /// secrets masked as snippets mask them (each text by the lint that read it).
    pub fn diff(&self) -> String {
        let (before, after) = (self.original.redactor(), self.after().redactor());
        let masked = |report: &Report, redactor: &crate::report::Redactor<'_>, path: &Path| {
            let id = report.sources.iter().find(|s| s.path() == path).map(|s| s.id())?;
            Some(redactor.text(id))
        };
        let mut out = String::new();
        for change in &self.changes {
            // A text the lint did not read (never: every changed file is one) is not shown.
            let (Some(old), Some(new)) =
                (masked(&self.original, &before, &change.path), masked(self.after(), &after, &change.path))
            else {
                continue;
            };
            let diff = similar::TextDiff::from_lines(old.as_str(), new.as_str());
            // A path's line break would end the header line.
            let display = change.display.replace('\n', "\\n").replace('\r', "\\r");
            let a = format!("a/{display}");
            let b = format!("b/{display}");
            out.push_str(&diff.unified_diff().context_radius(3).header(&a, &b).to_string());
        }
        out
    }
}

/// One fix chosen for a round, its edits on the ids that stand for their files.
struct Chosen<'r> {
    fix: &'r Fix,
    edits: Vec<Edit>,
    /// The finding it resolves.
    finding: usize,
}

/// The fixes of one round: none overlaps another.
struct Round<'r> {
    fixes: Vec<Chosen<'r>>,
    /// The findings whose fix can never be applied (noted once).
    refused: Vec<usize>,
}

impl<'r> Round<'r> {
    /// The fixes of `report` up to `most` not `done`, whose files can be written back and
    /// whose edits overlap neither each other nor a fix chosen before them.
    fn choose(
        report: &'r Report,
        files: &Files,
        most: Applicability,
        done: &HashSet<(&'static str, String)>,
        notes: &mut Vec<String>,
    ) -> Round<'r> {
        let mut round = Round { fixes: Vec::new(), refused: Vec::new() };
        let mut same: HashSet<Vec<Edit>> = HashSet::new();
        // The edits chosen, by file.
        let mut taken: HashMap<FileId, Vec<Edit>> = HashMap::new();
        for (index, d) in report.diagnostics.iter().enumerate() {
            let Some(fix) = d.fix.as_deref().filter(|f| applies(f, most)) else { continue };
            if done.contains(&key(d)) {
                continue;
            }
            let edits = match edits_of(report, files, fix) {
                Ok(edits) => edits,
                Err(why) => {
                    notes.push(format!(
                        "{}: fix for `{}` not applied: {why}",
                        location(report, d.primary.span),
                        d.rule
                    ));
                    round.refused.push(index);
                    continue;
                }
            };
            // One fix once, however many findings carry it.
            if same.contains(&edits) {
                continue;
            }
            let overlaps = edits.iter().any(|e| {
                taken.get(&e.span.file).is_some_and(|chosen| chosen.iter().any(|other| other != e && overlap(other, e)))
            });
            if overlaps {
                continue;
            }
            for e in &edits {
                taken.entry(e.span.file).or_default().push(e.clone());
            }
            same.insert(edits.clone());
            round.fixes.push(Chosen { fix, edits, finding: index });
        }
        round
    }

    /// The texts of the files the fixes `chosen` change, with their edits applied.
    fn texts(&self, report: &Report, chosen: &[usize]) -> HashMap<FileId, String> {
        let mut edits: HashMap<FileId, Vec<&Edit>> = HashMap::new();
        for fix in chosen.iter().filter_map(|&i| self.fixes.get(i)) {
            for edit in &fix.edits {
                edits.entry(edit.span.file).or_default().push(edit);
            }
        }
        let mut texts = HashMap::new();
        for (file, mut edits) in edits {
            let Some(source) = report.sources.get(file) else { continue };
            edits.sort_by_key(|e| (e.span.start(), e.span.end()));
            edits.dedup();
            // `choose` let no two overlap, and each lies on the text's characters.
            let text = source.text();
            let mut out = String::with_capacity(text.len() + 64);
            let mut at = 0;
            for edit in edits {
                out.push_str(text.get(at..edit.span.start()).unwrap_or(""));
                out.push_str(&edit.content);
                at = edit.span.end();
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

/// Whether two edits of one file touch the same bytes (two insertions at one place do).
fn overlap(a: &Edit, b: &Edit) -> bool {
    a.span.start() < b.span.end().max(b.span.start() + 1) && b.span.start() < a.span.end().max(a.span.start() + 1)
}

/// A fix's edits on the ids that stand for their files, sorted; why it cannot be applied
/// when a file cannot be written, an edit does not fall on the text's characters, or two of
/// its edits overlap.
fn edits_of(report: &Report, files: &Files, fix: &Fix) -> Result<Vec<Edit>, String> {
    let mut edits = Vec::with_capacity(fix.edits.len());
    for edit in &fix.edits {
        let file = files.canonical(edit.span.file)?;
        let text = report.sources.get(file).map(|s| s.text()).unwrap_or("");
        let (start, end) = (edit.span.start(), edit.span.end());
        if start > end || !text.is_char_boundary(start) || !text.is_char_boundary(end) {
            return Err("its edit does not fall on the file's characters".into());
        }
        edits.push(Edit { span: Span::new(file, start, end), content: edit.content.clone() });
    }
    edits.sort_by_key(|e| (e.span.file, e.span.start(), e.span.end()));
    edits.dedup();
    if edits.windows(2).any(|pair| matches!(pair, [a, b] if a.span.file == b.span.file && overlap(a, b))) {
        return Err("its edits overlap".into());
    }
    Ok(edits)
}

/// `path:line` of a span.
fn location(report: &Report, span: Span) -> String {
    let at = crate::report::region(&report.sources, span);
    format!("{}:{}", at.path, at.line)
}

/// The real path a file is written at, or why it cannot be written back as it was read:
/// a value from the command line, a text not in UTF-8, a symbolic link, a path whose links
/// lead elsewhere on this machine than under `--root`.
fn writable(report: &Report, file: FileId, scope: &Scope) -> Result<PathBuf, String> {
    let Some(source) = report.sources.get(file) else { return Err("the file is not in the run".into()) };
    let shown = source.display();
    if shown == crate::BASE_URL_SOURCE {
        return Err("the value is given on the command line".into());
    }
    if source.encoding() != Encoding::Utf8 {
        return Err(format!("`{shown}` is not UTF-8; it is not rewritten"));
    }
    match std::fs::symlink_metadata(source.path()) {
        Ok(m) if m.file_type().is_symlink() => {
            return Err(format!("`{shown}` is a symbolic link; fixes are never written through one"))
        }
        Ok(m) if m.is_file() => {}
        Ok(_) => return Err(format!("`{shown}` is not a regular file")),
        Err(_) => return Err(format!("`{shown}` is not a file on disk")),
    }
    let located = scope.locate(source.path()).map_err(|_| format!("`{shown}` is outside what the run may read"))?;
    // Written through the kernel: its links must lead where the run read it.
    match std::fs::canonicalize(source.path()) {
        Ok(real) if real == located => Ok(located),
        _ => Err(format!("`{shown}` leads elsewhere on this machine than where it was read; not written")),
    }
}

/// Findings by rule and file.
type Counts = HashMap<(&'static str, String), usize>;

/// The rule and file of finding `index`.
fn where_(report: &Report, index: usize) -> Option<(&'static str, String)> {
    let d = report.diagnostics.get(index)?;
    Some((d.rule, report.sources.get(d.primary.span.file)?.display().to_string()))
}

/// Findings by rule and file.
fn counts(report: &Report) -> Counts {
    let mut counts = HashMap::new();
    for d in &report.diagnostics {
        let file = report.sources.get(d.primary.span.file).map(|f| f.display().to_string()).unwrap_or_default();
        *counts.entry((d.rule, file)).or_insert(0) += 1;
    }
    counts
}

/// Whether `after` counts more findings of a rule in a file than `before`.
fn raises(before: &Counts, after: &Counts) -> bool {
    after.iter().any(|(key, n)| *n > before.get(key).copied().unwrap_or(0))
}

/// Writes the changes: every file is opened and checked first (a regular file, not through a
/// link, still holding what was read), and none is written unless all are; then each is
/// written in place (its owner and mode kept), its new text first and its length after,
/// and synced. Returns why, when a file was not written.
pub fn write(changes: &[Change]) -> Result<(), Vec<String>> {
    let mut opened = Vec::with_capacity(changes.len());
    let mut problems = Vec::new();
    for change in changes {
        match open_unchanged(change) {
            Ok(file) => opened.push((change, file)),
            Err(e) => problems.push(format!("`{}` not written: {e}", change.display)),
        }
    }
    if !problems.is_empty() {
        problems.push("nothing was written".into());
        return Err(problems);
    }
    for (change, mut file) in opened {
        let written = file
            .seek(io::SeekFrom::Start(0))
            .and_then(|_| file.write_all(change.after.as_bytes()))
            .and_then(|()| file.set_len(change.after.len() as u64))
            .and_then(|()| file.sync_all());
        if let Err(e) = written {
            problems.push(format!("`{}` could not be written: {e}", change.display));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}

/// The file of a change, opened for writing when it is a regular file reached without a
/// link and still holds what was read.
fn open_unchanged(change: &Change) -> io::Result<std::fs::File> {
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
    Ok(file)
}
