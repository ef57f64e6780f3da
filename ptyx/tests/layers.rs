//! The library's files stack in layers: each file uses only files below it, so there is no import
//! circle and a reader can read them bottom up. This reads `src/` and checks that the graph of
//! `crate::` references between top-level modules has no cycle.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Top-level module -> the top-level modules its files name with `crate::`.
fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut files = Vec::new();
    collect(&src, &mut files);
    for file in files {
        let rel = file.strip_prefix(&src).expect("under src");
        let first = rel.components().next().expect("a component").as_os_str().to_string_lossy().into_owned();
        let module = first.trim_end_matches(".rs").to_owned();
        if module == "lib" {
            continue;
        }
        let text = std::fs::read_to_string(&file).expect("read source");
        let uses = graph.entry(module.clone()).or_default();
        for line in text.lines() {
            let code = line.split("//").next().unwrap_or("");
            let mut rest = code;
            while let Some(at) = rest.find("crate::") {
                let after = &rest[at + "crate::".len()..];
                let name: String = after.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
                // A `{`-list (`crate::{a, b}`) names several.
                if name.is_empty() && after.starts_with('{') {
                    let list = &after[1..after.find('}').unwrap_or(after.len())];
                    for item in list.split(',') {
                        let item: String =
                            item.trim().chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
                        add(uses, &module, item);
                    }
                } else {
                    add(uses, &module, name);
                }
                rest = after;
            }
        }
    }
    graph
}

/// Records that `module` uses `name`, if `name` is another module (not a re-exported item of
/// the crate root, which names start with a capital or are functions re-exported at the root).
fn add(uses: &mut BTreeSet<String>, module: &str, name: String) {
    const ROOT_ITEMS: [&str; 5] = ["read", "spawn_with", "openpty", "fork", "Event"];
    if name.is_empty() || name == module || name.starts_with(char::is_uppercase) || ROOT_ITEMS.contains(&name.as_str())
    {
        return;
    }
    uses.insert(name);
}

fn collect(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read src").flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn top_level_modules_form_no_import_circle() {
    let graph = graph();
    // Depth-first search for a back edge, reporting the circle found.
    fn visit<'g>(
        m: &'g str,
        graph: &'g BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<&'g str>,
        done: &mut BTreeSet<&'g str>,
    ) {
        if done.contains(m) {
            return;
        }
        if let Some(at) = path.iter().position(|p| *p == m) {
            panic!("import circle: {} -> {m}", path[at..].join(" -> "));
        }
        path.push(m);
        for next in graph.get(m).into_iter().flatten() {
            if graph.contains_key(next.as_str()) {
                visit(next, graph, path, done);
            }
        }
        path.pop();
        done.insert(m);
    }
    let mut done = BTreeSet::new();
    for m in graph.keys() {
        visit(m, &graph, &mut Vec::new(), &mut done);
    }
    // And the check can fail: the graph is not empty, and it sees the edges it should.
    assert!(graph["relay"].contains("child"), "{graph:?}");
    assert!(graph["child"].contains("process"), "{graph:?}");
}
