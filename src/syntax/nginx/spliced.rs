//! An nginx include tree as nginx reads it: the directives of a main configuration and of
//! the files its `include` lines name, in reading order, each under the block it stands in
//! once included (an included file's top level is the block of its `include`). A file
//! included twice is there twice, once under each block. A file no main configuration
//! includes is a tree of its own.

use foldhash::HashMap;

use super::{Config, Directive, MAX_LEVELS};
use crate::source::FileId;

/// One directive of a tree.
#[derive(Clone, Copy, Debug)]
pub struct Node {
    /// The file it is written in.
    pub file: FileId,
    /// Its index among that file's directives.
    pub index: u32,
    /// The node of the block it stands in (`None`: the main configuration's top level).
    pub parent: Option<u32>,
    /// One past its last descendant, included files' directives counted.
    pub end: u32,
}

/// One include tree.
#[derive(Clone, Debug)]
pub struct Spliced {
    /// The main configuration (or the file read alone).
    pub root: FileId,
    /// Every directive in reading order.
    pub nodes: Vec<Node>,
    /// The files it reads, in the order nginx first reads them.
    pub files: Vec<FileId>,
    /// Whether a main configuration heads it (its top level is nginx's `main` context);
    /// else a file read alone, whose top level is guessed from its path.
    pub main: bool,
}

/// Each file's parsed configuration, by id.
pub type Configs<'a> = HashMap<FileId, &'a Config<'a>>;

/// A tree with the files it is read from.
#[derive(Clone, Copy)]
pub struct View<'v, 'a> {
    /// The tree.
    pub spliced: &'v Spliced,
    configs: &'v Configs<'a>,
}

impl<'v, 'a> View<'v, 'a> {
    /// `spliced` read through `configs`.
    pub fn new(spliced: &'v Spliced, configs: &'v Configs<'a>) -> Self {
        View { spliced, configs }
    }

    /// How many directives the tree has.
    pub fn len(&self) -> usize {
        self.spliced.nodes.len()
    }

    /// Whether it has none.
    pub fn is_empty(&self) -> bool {
        self.spliced.nodes.is_empty()
    }

    /// The directive of a node.
    pub fn directive(&self, node: usize) -> Option<&'a Directive<'a>> {
        let node = self.spliced.nodes.get(node)?;
        self.configs.get(&node.file)?.directives.get(node.index as usize)
    }

    /// The file a node is written in.
    pub fn file(&self, node: usize) -> Option<FileId> {
        self.spliced.nodes.get(node).map(|n| n.file)
    }

    /// The node of the block a node stands in.
    pub fn parent(&self, node: usize) -> Option<usize> {
        self.spliced.nodes.get(node)?.parent.map(|p| p as usize)
    }

    /// Every directive with its node, in reading order.
    pub fn directives(&self) -> impl Iterator<Item = (usize, &'a Directive<'a>)> + 'v {
        let configs = self.configs;
        self.spliced
            .nodes
            .iter()
            .enumerate()
            .filter_map(move |(i, node)| Some((i, configs.get(&node.file)?.directives.get(node.index as usize)?)))
    }

    /// The blocks from `block` outwards, the top level (`None`) last: where nginx looks for
    /// an inherited setting. At most [`MAX_LEVELS`] of them.
    pub fn outward(&self, block: Option<usize>) -> impl Iterator<Item = Option<usize>> + 'v {
        let nodes = &self.spliced.nodes;
        let mut next = Some(block);
        std::iter::from_fn(move || {
            let current = next?;
            next = current.map(|b| nodes.get(b).and_then(|n| n.parent.map(|p| p as usize)));
            Some(current)
        })
        .take(MAX_LEVELS)
    }

    /// The directives enclosing the block `block`, innermost first, with their nodes.
    pub fn ancestors(&self, block: Option<usize>) -> impl Iterator<Item = (usize, &'a Directive<'a>)> + 'v {
        let this = *self;
        self.outward(block).map_while(move |b| {
            let b = b?;
            Some((b, this.directive(b)?))
        })
    }

    /// The directives of the block node `block` opens (`None`: the top level), not those of
    /// blocks inside it, with their nodes.
    pub fn children(&self, block: Option<usize>) -> impl Iterator<Item = (usize, &'a Directive<'a>)> + 'v {
        let nodes = &self.spliced.nodes;
        let (from, to) = match block {
            Some(b) => (b + 1, nodes.get(b).map_or(b + 1, |n| n.end as usize)),
            None => (0, nodes.len()),
        };
        let wanted = block.and_then(|b| u32::try_from(b).ok());
        let this = *self;
        (from..to.max(from)).filter_map(move |i| {
            let node = nodes.get(i)?;
            if node.parent != wanted || (block.is_some() && wanted.is_none()) {
                return None;
            }
            Some((i, this.directive(i)?))
        })
    }
}

/// Finds where a node's block ends once all nodes are in place.
pub fn close_blocks(nodes: &mut [Node]) {
    for i in (0..nodes.len()).rev() {
        let Some(node) = nodes.get(i).copied() else { continue };
        if let Some(parent) = node.parent.and_then(|p| nodes.get_mut(p as usize)) {
            parent.end = parent.end.max(node.end);
        }
    }
}

/// The tree of a file read alone: its own directives.
pub fn alone(file: FileId, config: &Config<'_>) -> Spliced {
    let nodes = config
        .directives
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let index = u32::try_from(i).unwrap_or(u32::MAX);
            let end = d.block.as_deref().map_or(index.saturating_add(1), |b| b.end);
            Node { file, index, parent: d.parent().and_then(|p| u32::try_from(p).ok()), end }
        })
        .collect();
    Spliced { root: file, nodes, files: vec![file], main: false }
}
