//! What a Kubernetes workload reads from other objects: the `ConfigMap` values its
//! containers' `env` entries name (`configMapKeyRef`) and the maps `envFrom` takes whole,
//! from any manifest of the run. Each value keeps the span of the map's line.

use foldhash::{HashMap, HashMapExt};

use super::Reader;
use std::borrow::Cow;

use crate::source::{FileId, Span};
use crate::syntax::{Parsed, Setting, Tree, Value};

/// How many entries `envFrom` may copy in one run: a map of many keys taken by many
/// containers stays bounded.
const MAX_COPIED: usize = 1_000_000;

/// One config map: its namespace, its entries in order and by key.
struct Map<'a> {
    namespace: Option<String>,
    data: Vec<Setting<'a>>,
    keys: HashMap<String, usize>,
}

/// Resolves the config map references of every manifest of the run.
pub(super) fn read(reader: &mut Reader<'_>, walked: &[FileId]) {
    let manifests: Vec<FileId> = walked
        .iter()
        .copied()
        .filter(|&id| matches!(reader.parsed(id), Some(Parsed { tree: Tree::Kube(_), .. })))
        .collect();
    // The maps of the run, by name.
    let mut maps: HashMap<String, Vec<Map<'_>>> = HashMap::new();
    for &id in &manifests {
        if let Some(Parsed { tree: Tree::Kube(file), .. }) = reader.parsed(id) {
            for map in &file.config_maps {
                let keys = map.data.iter().enumerate().map(|(i, s)| (s.name.to_string(), i)).collect();
                let namespace = map.meta.namespace.clone();
                maps.entry(map.meta.name.clone()).or_default().push(Map { namespace, data: map.data.clone(), keys });
            }
        }
    }
    // An object without a namespace is in whichever one it is applied to.
    let find = |name: &str, namespace: Option<&str>| {
        let same = |map: &&Map<'_>| crate::syntax::kube::same_namespace(map.namespace.as_deref(), namespace);
        maps.get(name).and_then(|found| found.iter().find(same))
    };
    let mut copied = 0;
    for id in manifests {
        let Some(Some(Parsed { tree: Tree::Kube(file), .. })) = reader.slots.get_mut(id.0 as usize) else { continue };
        for workload in &mut file.workloads {
            let namespace = workload.meta.namespace.as_deref();
            for container in &mut workload.containers {
                for (index, map, key) in &container.references {
                    let value = find(map, namespace).and_then(|m| m.data.get(*m.keys.get(key)?));
                    if let (Some(setting), Some(value)) = (container.environment.get_mut(*index), value) {
                        setting.value = value.value.clone();
                    }
                }
                // `env` wins over `envFrom`: the maps' entries come first.
                let mut from: Vec<Setting<'_>> = Vec::new();
                for (map, prefix) in &container.env_from {
                    let Some(map) = find(map, namespace) else {
                        container.open = container.open.or(container.environment_at).or(Some(container.at));
                        continue;
                    };
                    if copied + map.data.len() > MAX_COPIED {
                        continue;
                    }
                    copied += map.data.len();
                    from.extend(map.data.iter().map(|entry| {
                        let mut entry = entry.clone();
                        if !prefix.is_empty() {
                            entry.name = format!("{prefix}{}", entry.name).into();
                        }
                        entry
                    }));
                }
                // A source the run cannot read may set any of the image's variables: each
                // that `env` does not set is unknown. The port is the one the manifests'
                // ports and services name.
                let image = container.image.as_ref().and_then(|i| i.known());
                if let (Some(at), Some(product)) = (container.open, image.and_then(crate::model::containers::product)) {
                    for name in product.all_variables(&["port"]) {
                        let mut value = Value::new(Cow::Borrowed(""), Span::new(at.file, at.start(), at.start()));
                        value.unknown = true;
                        from.push(Setting { name: Cow::Borrowed(name), name_span: at, value, span: at });
                    }
                }
                if !from.is_empty() {
                    let added = from.len();
                    from.append(&mut container.environment);
                    container.environment = from;
                    for reference in &mut container.references {
                        reference.0 += added;
                    }
                }
            }
        }
    }
}
