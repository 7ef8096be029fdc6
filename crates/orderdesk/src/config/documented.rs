//! `docs/design.md` §5 lists every setting with its default; these tests
//! hold that table to [`SETTINGS`], the list that drives parsing, so a
//! setting added, renamed or re-defaulted in one place and not the other
//! fails here.

use std::collections::BTreeMap;

use super::SETTINGS;

const DESIGN: &str = include_str!("../../../../docs/design.md");

/// The settings table of the design: variable name → documented default
/// (`None` for "—").
fn documented() -> BTreeMap<String, Option<String>> {
    let mut rows = BTreeMap::new();
    let mut in_table = false;
    for line in DESIGN.lines() {
        let cells: Vec<&str> = line
            .trim()
            .trim_matches('|')
            .split('|')
            .map(str::trim)
            .collect();
        if !line.trim_start().starts_with('|') {
            in_table = false;
            continue;
        }
        if cells.first() == Some(&"Variable") {
            in_table = true;
            continue;
        }
        if !in_table || cells.len() < 2 || cells[0].starts_with("---") {
            continue;
        }
        let name = cells[0].trim_matches('`').to_owned();
        let default = match cells[1] {
            "—" => None,
            d => Some(d.trim_matches('`').to_owned()),
        };
        assert!(
            rows.insert(name.clone(), default).is_none(),
            "{name} is listed twice in docs/design.md"
        );
    }
    rows
}

#[test]
fn every_setting_the_config_reads_is_in_the_design_and_nothing_else() {
    let documented = documented();
    let read: Vec<&str> = SETTINGS.iter().map(|s| s.env).collect();
    let missing: Vec<&&str> = read
        .iter()
        .filter(|k| !documented.contains_key(**k))
        .collect();
    let extra: Vec<&String> = documented
        .keys()
        .filter(|k| !read.contains(&k.as_str()))
        .collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "docs/design.md's settings table is out of date: read but not listed {missing:?}; \
         listed but not read {extra:?}"
    );
}

#[test]
fn every_documented_default_is_the_one_the_config_uses() {
    let documented = documented();
    for setting in SETTINGS {
        let listed = documented.get(setting.env).cloned().flatten();
        assert_eq!(
            listed.as_deref(),
            setting.default,
            "{}: docs/design.md says the default is {listed:?}, config.rs uses {:?}",
            setting.env,
            setting.default
        );
    }
}
