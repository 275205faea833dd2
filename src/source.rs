//! Source files as atl-lint reads them: text, encoding, spans and line/column mapping.

use std::path::PathBuf;

/// Index of a file in the [`SourceMap`] of one run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FileId(pub u32);

/// A byte range in one source file. Lines and columns are derived only when reporting.
///
/// Offsets are stored in 32 bits (every parsed tree holds one span per word, so the size
/// counts): files over [`crate::confine::MAX_FILE_SIZE`] are never read, far below 4 GiB.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Span {
    /// The file the range is in.
    pub file: FileId,
    start: u32,
    end: u32,
}

impl Span {
    /// A span from `start` to `end` in `file` (offsets past 4 GiB are clamped).
    pub fn new(file: FileId, start: usize, end: usize) -> Self {
        let start = u32::try_from(start).unwrap_or(u32::MAX);
        let end = u32::try_from(end).unwrap_or(u32::MAX);
        Span { file, start, end: end.max(start) }
    }

    /// A span from 32-bit offsets.
    pub(crate) fn from_offsets(file: FileId, start: u32, end: u32) -> Self {
        Span { file, start, end: end.max(start) }
    }

    /// First byte.
    pub fn start(&self) -> usize {
        self.start as usize
    }

    /// One past the last byte.
    pub fn end(&self) -> usize {
        self.end as usize
    }

    /// Its length in bytes.
    pub fn len(&self) -> usize {
        self.end() - self.start()
    }

    /// Whether it is empty.
    pub fn is_empty(&self) -> bool {
        self.start == self.end
    }

    /// The empty span at the start of `file`, for findings about a whole file.
    pub fn file_start(file: FileId) -> Self {
        Span::new(file, 0, 0)
    }

    /// The part of this span from byte `from` to byte `to`, counted from its start.
    pub fn sub(&self, from: usize, to: usize) -> Span {
        let start = self.start().saturating_add(from).min(self.end());
        let end = self.start().saturating_add(to).min(self.end());
        Span::new(self.file, start, end)
    }

    /// The smallest span covering both (both must be in the same file).
    pub fn cover(&self, other: Span) -> Span {
        Span { file: self.file, start: self.start.min(other.start), end: self.end.max(other.end) }
    }
}

/// The configuration formats atl-lint understands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FileKind {
    /// HAProxy `haproxy.cfg`.
    Haproxy,
    /// Apache httpd configuration.
    Apache,
    /// Tomcat `server.xml`.
    TomcatServerXml,
    /// Bitbucket's `bitbucket.properties`.
    BitbucketProperties,
    /// nginx configuration.
    Nginx,
    /// A compose file (`docker-compose.yml`, `compose.yaml`).
    Compose,
    /// An environment file a compose file reads (`.env`, `env_file:`).
    DotEnv,
    /// Values for one of Atlassian's Data Center Helm charts.
    HelmValues,
    /// Kubernetes manifests.
    Kube,
    /// Traefik's own configuration (YAML or TOML).
    Traefik,
}

impl FileKind {
    /// The name used in JSON output and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            FileKind::Haproxy => "haproxy",
            FileKind::Apache => "apache",
            FileKind::TomcatServerXml => "tomcat-server-xml",
            FileKind::BitbucketProperties => "bitbucket-properties",
            FileKind::Nginx => "nginx",
            FileKind::Compose => "compose",
            FileKind::DotEnv => "env-file",
            FileKind::HelmValues => "helm-values",
            FileKind::Kube => "kubernetes",
            FileKind::Traefik => "traefik",
        }
    }
}

/// How the bytes of a file became its text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    /// The bytes were valid UTF-8.
    Utf8,
    /// The bytes were not UTF-8 and were read as ISO-8859-1, one character a byte.
    Latin1,
}

/// A template output tag and the value the repository's defaults give it.
#[derive(Clone, Debug)]
pub struct Resolution {
    /// Where the tag starts.
    pub start: usize,
    /// Where it ends.
    pub end: usize,
    /// Its value and where that is defined.
    pub resolved: crate::defaults::Resolved,
}

/// One file of the run, with its text and a line index built once.
#[derive(Debug)]
pub struct SourceFile {
    /// Its id in the run's [`SourceMap`].
    id: FileId,
    /// The path as found on disk.
    path: PathBuf,
    /// The path as reported: relative to the current directory when under it, `/` separators.
    display: String,
    /// The format, when known.
    kind: Option<FileKind>,
    /// Whether the file is linted (read and parsed), as opposed to only reported about.
    linted: bool,
    /// The decoded text (empty for files that could not be read).
    text: String,
    /// How the text was decoded.
    encoding: Encoding,
    /// The text with template tags masked, when the file is a template.
    template: Option<crate::template::Masked>,
    /// The template's output tags whose values the repository's defaults give, by offset.
    resolved: Vec<Resolution>,
    /// The application version the repository's defaults install, with the Tomcat it ships.
    bundled: Option<crate::defaults::bundled::Bundled>,
    /// 32-bit: files over 16 MiB are never read.
    line_starts: Vec<u32>,
    ascii: bool,
}

impl SourceFile {
    /// A file with its decoded text.
    pub fn new(id: FileId, path: PathBuf, display: String, kind: Option<FileKind>, bytes: Vec<u8>) -> Self {
        let (text, encoding) = decode(bytes);
        let line_starts = line_starts(&text);
        let ascii = text.is_ascii();
        SourceFile {
            id,
            path,
            display,
            kind,
            linted: true,
            text,
            encoding,
            template: None,
            resolved: Vec::new(),
            bundled: None,
            line_starts,
            ascii,
        }
    }

    /// A file read for linting, its template tags masked.
    pub fn read(id: FileId, path: PathBuf, display: String, kind: Option<FileKind>, bytes: Vec<u8>) -> Self {
        let mut source = SourceFile::new(id, path, display, kind, bytes);
        source.template = crate::template::mask(&source.text, kind == Some(FileKind::TomcatServerXml));
        source
    }

    /// The template with the values its unit's defaults give its output tags.
    pub fn with_defaults(mut self, unit: &crate::defaults::Unit) -> Self {
        let Some(template) = &self.template else { return self };
        self.resolved = template
            .outputs
            .iter()
            .filter_map(|&(start, end)| {
                let resolved = unit.resolve(self.text.get(start..end)?)?;
                Some(Resolution { start, end, resolved })
            })
            .collect();
        self
    }

    /// The file as one of a unit whose defaults pin the application version.
    pub fn with_bundled(mut self, unit: &crate::defaults::Unit) -> Self {
        self.bundled = unit.bundled(&self.display);
        self
    }

    /// The application version the repository installs, and the Tomcat it ships.
    pub fn bundled(&self) -> Option<&crate::defaults::bundled::Bundled> {
        self.bundled.as_ref()
    }

    /// Whether the file is a template (its tags are masked).
    pub fn is_template(&self) -> bool {
        self.template.is_some()
    }

    /// Whether the file is a template with output tags (`{{ port }}`): what defaults may
    /// resolve.
    pub fn has_template_values(&self) -> bool {
        self.template.as_ref().is_some_and(|t| !t.outputs.is_empty())
    }

    /// The output tags whose values the defaults give, in order.
    pub fn resolutions(&self) -> &[Resolution] {
        &self.resolved
    }

    /// The output tags inside `span` whose values the defaults give, in order.
    pub fn resolutions_in(&self, span: Span) -> &[Resolution] {
        if self.resolved.is_empty() || span.file != self.id {
            return &[];
        }
        let from = self.resolved.partition_point(|r| r.start < span.start());
        let to = self.resolved.partition_point(|r| r.end <= span.end()).max(from);
        self.resolved.get(from..to).unwrap_or(&[])
    }

    /// The value of the word or value at `span`, whose decoded text is `decoded`, with each
    /// masked output tag replaced by the value the defaults give it: `None` unless every
    /// tag in it has one.
    pub fn substitute(&self, decoded: &str, span: Span) -> Option<String> {
        let resolutions = self.resolutions_in(span);
        let outputs = self.template.as_ref().map_or(&[][..], |t| t.outputs.as_slice());
        let from = outputs.partition_point(|(start, _)| *start < span.start());
        let tags = outputs.partition_point(|(_, end)| *end <= span.end()).saturating_sub(from);
        if resolutions.is_empty() || resolutions.len() != tags {
            return None;
        }
        let mut out = String::with_capacity(decoded.len());
        let mut rest = decoded;
        let mut values = resolutions.iter();
        while let Some(open) = rest.find("{{_") {
            let close = rest.get(open..)?.find("}}")? + open + 2;
            out.push_str(rest.get(..open)?);
            out.push_str(&values.next()?.resolved.value);
            rest = rest.get(close..)?;
        }
        out.push_str(rest);
        values.next().is_none().then_some(out)
    }

    /// A file that is only shown (the `--base-url` values, the config file): findings may
    /// point into it, but it is not linted.
    pub fn shown(id: FileId, path: PathBuf, display: String, bytes: Vec<u8>) -> Self {
        SourceFile { linted: false, ..SourceFile::new(id, path, display, None, bytes) }
    }

    /// Its id in the run's [`SourceMap`].
    pub fn id(&self) -> FileId {
        self.id
    }

    /// The path as found on disk.
    pub fn path(&self) -> &PathBuf {
        &self.path
    }

    /// The path as reported: relative to the current directory when under it, `/`
    /// separators.
    pub fn display(&self) -> &str {
        &self.display
    }

    /// The format, when known.
    pub fn kind(&self) -> Option<FileKind> {
        self.kind
    }

    /// The decoded text (empty for files that could not be read).
    pub fn text(&self) -> &str {
        &self.text
    }

    /// How the text was decoded.
    pub fn encoding(&self) -> Encoding {
        self.encoding
    }

    /// Whether the file is linted (read and parsed), as opposed to only reported about.
    pub fn linted(&self) -> bool {
        self.linted
    }

    /// A file that is reported about but whose text is not read.
    pub fn unread(id: FileId, path: PathBuf, display: String, kind: Option<FileKind>) -> Self {
        SourceFile {
            id,
            path,
            display,
            kind,
            linted: false,
            text: String::new(),
            encoding: Encoding::Utf8,
            template: None,
            resolved: Vec::new(),
            bundled: None,
            line_starts: vec![0],
            ascii: true,
        }
    }

    /// The text parsers read: template tags masked, every offset as in [`SourceFile::text`].
    pub fn parse_text(&self) -> &str {
        self.template.as_ref().map_or(&self.text, |t| &t.text)
    }

    /// Whether `offset` is in one branch of a template conditional that has another: a
    /// rendering holds one of them.
    pub fn in_template_alternative(&self, offset: usize) -> bool {
        self.template.as_ref().is_some_and(|t| t.in_alternative(offset))
    }

    /// Whether the bytes from `start` to `end`, or the byte either side of them, belong to a
    /// template tag: an edit there would rewrite (or split) a `{{ }}` expression.
    pub fn touches_template(&self, start: usize, end: usize) -> bool {
        let Some(template) = &self.template else { return false };
        let (from, to) = (start.saturating_sub(1), end.saturating_add(1).min(self.text.len()));
        match (self.text.as_bytes().get(from..to), template.text.as_bytes().get(from..to)) {
            (Some(raw), Some(masked)) => raw != masked,
            _ => true,
        }
    }

    /// Whether conditional template tags mean both branches are in the text.
    pub fn has_template_control(&self) -> bool {
        self.template.as_ref().is_some_and(|t| t.has_control)
    }

    /// Byte offsets where each line starts.
    pub fn line_starts(&self) -> &[u32] {
        &self.line_starts
    }

    /// Where 0-based line `line` starts.
    fn line_start(&self, line: usize) -> Option<usize> {
        self.line_starts.get(line).map(|&start| start as usize)
    }

    /// 0-based line index of a byte offset.
    pub fn line_index(&self, offset: usize) -> usize {
        line_of(&self.line_starts, offset)
    }

    /// 1-based line and 1-based column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = self.clamp(offset);
        let line = self.line_index(offset);
        let start = self.line_start(line).unwrap_or(0);
        let column =
            if self.ascii { offset - start } else { self.text.get(start..offset).map_or(0, |s| s.chars().count()) };
        (line + 1, column + 1)
    }

    /// The byte range of 0-based line `line` without its terminator.
    pub fn line_range(&self, line: usize) -> (usize, usize) {
        let Some(start) = self.line_start(line) else {
            return (self.text.len(), self.text.len());
        };
        let end = self.line_start(line + 1).unwrap_or(self.text.len());
        let body = self.text.get(start..end).unwrap_or("").trim_end_matches(['\n', '\r']);
        (start, start + body.len())
    }

    /// The text of 0-based line `line` without its terminator.
    pub fn line_text(&self, line: usize) -> &str {
        let (start, end) = self.line_range(line);
        self.text.get(start..end).unwrap_or("")
    }

    /// The text of a span (empty when the span does not fall on character boundaries).
    pub fn slice(&self, span: Span) -> &str {
        self.text.get(span.start()..span.end()).unwrap_or("")
    }

    /// Moves an offset back onto a character boundary inside the text.
    pub fn clamp(&self, offset: usize) -> usize {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        offset
    }
}

fn decode(bytes: Vec<u8>) -> (String, Encoding) {
    match String::from_utf8(bytes) {
        Ok(text) => (text, Encoding::Utf8),
        Err(err) => (err.into_bytes().iter().map(|&b| char::from(b)).collect(), Encoding::Latin1),
    }
}

/// The 0-based line of `offset` given where each line starts.
pub fn line_of(starts: &[u32], offset: usize) -> usize {
    match starts.binary_search(&u32::try_from(offset).unwrap_or(u32::MAX)) {
        Ok(i) => i,
        Err(i) => i.saturating_sub(1),
    }
}

fn line_starts(text: &str) -> Vec<u32> {
    let mut starts = vec![0];
    let bytes = text.as_bytes();
    // Vectorised search for the two line-ending bytes: this runs over every byte read.
    for i in memchr::memchr2_iter(b'\n', b'\r', bytes) {
        let ends_line = bytes.get(i) == Some(&b'\n') || bytes.get(i + 1) != Some(&b'\n');
        if ends_line {
            starts.push(u32::try_from(i + 1).unwrap_or(u32::MAX));
        }
    }
    starts
}

/// Files by id, as the report stage reads them: a run's [`SourceMap`], or a
/// [`SourceView`] of it with the files the include step read.
pub trait Sources: std::fmt::Debug {
    /// The file with this id.
    fn source(&self, id: FileId) -> Option<&SourceFile>;
    /// One more than the highest id.
    fn count(&self) -> usize;
}

impl Sources for SourceMap {
    fn source(&self, id: FileId) -> Option<&SourceFile> {
        self.get(id)
    }

    fn count(&self) -> usize {
        self.files.len()
    }
}

/// A run's files while the trees borrow them: the walked ones, with those the include
/// step read (new, or read again under the path a tree includes them by) in their place.
#[derive(Debug)]
pub struct SourceView<'a> {
    files: Vec<Option<&'a SourceFile>>,
}

impl<'a> SourceView<'a> {
    /// The files of `map`.
    pub fn of(map: &'a SourceMap) -> Self {
        SourceView { files: map.iter().map(Some).collect() }
    }

    /// Puts `file` at its id.
    pub fn set(&mut self, file: &'a SourceFile) {
        let index = file.id().0 as usize;
        if self.files.len() <= index {
            self.files.resize(index + 1, None);
        }
        if let Some(slot) = self.files.get_mut(index) {
            *slot = Some(file);
        }
    }

    /// Every file, in id order.
    pub fn iter(&self) -> impl Iterator<Item = &'a SourceFile> + '_ {
        self.files.iter().flatten().copied()
    }
}

impl Sources for SourceView<'_> {
    fn source(&self, id: FileId) -> Option<&SourceFile> {
        self.files.get(id.0 as usize).copied().flatten()
    }

    fn count(&self) -> usize {
        self.files.len()
    }
}

/// All files of one run, indexed by [`FileId`].
#[derive(Debug, Default)]
pub struct SourceMap {
    files: Vec<SourceFile>,
}

impl SourceMap {
    /// Adds a file built by `make` with the next id.
    pub fn add(&mut self, make: impl FnOnce(FileId) -> SourceFile) -> FileId {
        let id = FileId(u32::try_from(self.files.len()).unwrap_or(u32::MAX));
        self.files.push(make(id));
        id
    }

    /// The file with this id.
    pub fn get(&self, id: FileId) -> Option<&SourceFile> {
        self.files.get(id.0 as usize)
    }

    /// The files the include step read (new ids, in order) or read again under the path a
    /// tree includes them by (their ids kept).
    pub fn with_included(mut self, mut files: Vec<(FileId, SourceFile)>) -> SourceMap {
        files.sort_by_key(|(id, _)| *id);
        for (id, file) in files {
            match self.files.get_mut(id.0 as usize) {
                Some(slot) => *slot = file,
                None => self.files.push(file),
            }
        }
        self
    }

    /// Every file, in id order.
    pub fn iter(&self) -> impl Iterator<Item = &SourceFile> {
        self.files.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(text: &str) -> SourceFile {
        SourceFile::new(FileId(0), PathBuf::from("x"), "x".into(), None, text.as_bytes().to_vec())
    }

    #[test]
    fn columns_count_characters_and_lines_split_on_all_terminators() {
        let f = file("ab\r\né=x\rz\n");
        assert_eq!(f.line_col(0), (1, 1));
        assert_eq!(f.line_col(4), (2, 1));
        assert_eq!(f.line_col(6), (2, 2), "é is one column");
        assert_eq!(f.line_col(9), (3, 1), "a lone CR ends a line");
        assert_eq!(f.line_text(1), "é=x");
    }

    #[test]
    fn invalid_utf8_is_read_as_latin1() {
        let f = SourceFile::new(FileId(0), PathBuf::from("x"), "x".into(), None, vec![b'a', 0xe9]);
        assert_eq!(f.text, "aé");
        assert_eq!(f.encoding, Encoding::Latin1);
    }
}

/// What identifies a file on disk: its device and inode, or its path when it cannot be
/// looked at.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum FileKey {
    /// Device and inode.
    Inode(u64, u64),
    /// A path that could not be looked at.
    Path(std::path::PathBuf),
}

impl FileKey {
    /// The key of a file whose metadata was read.
    pub fn of(metadata: &std::fs::Metadata) -> FileKey {
        use std::os::unix::fs::MetadataExt;
        FileKey::Inode(metadata.dev(), metadata.ino())
    }
}

/// The path without `.` components (`.` itself for an empty one): how discovery names the
/// files it finds, and how includes are matched to them.
pub fn tidy(path: &std::path::Path) -> std::path::PathBuf {
    let tidy: std::path::PathBuf = path.components().filter(|c| !matches!(c, std::path::Component::CurDir)).collect();
    if tidy.as_os_str().is_empty() {
        std::path::PathBuf::from(".")
    } else {
        tidy
    }
}
