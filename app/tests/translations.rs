//! The translation files (`app/locales/{en,fr}/*.json`) are complete in both languages.
//! leptos_i18n fails the build only for a key missing from the default language (English);
//! here a key missing from either language, a placeholder that differs between them (a
//! French sentence that forgot `{{ max }}` would hide the limit), a plural without the
//! `_other` form every language needs, or an empty text fails.

use serde_json::Value;
use std::{
    collections::{BTreeMap, BTreeSet},
    path::{Path, PathBuf},
};

const LANGUAGES: [&str; 2] = ["en", "fr"];
/// CLDR plural categories: `key_one` and `key_other` are one key `key` with two forms.
const PLURAL_FORMS: [&str; 6] = ["zero", "one", "two", "few", "many", "other"];

fn locales() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("locales")
}

/// Every namespace file of a language, by name.
fn namespaces(language: &str) -> BTreeMap<String, Value> {
    let dir = locales().join(language);
    std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "json"))
        .map(|path| {
            let text = std::fs::read_to_string(&path).unwrap();
            let value = serde_json::from_str(&text)
                .unwrap_or_else(|e| panic!("{} is not valid JSON: {e}", path.display()));
            (
                path.file_stem().unwrap().to_string_lossy().into_owned(),
                value,
            )
        })
        .collect()
}

/// One key of a language: its texts (one, or one per plural form).
#[derive(Debug, Default)]
struct Entry {
    forms: BTreeMap<String, String>,
}

/// `common.login.title` → its entry; `desktop.tabs.unread_one` and `_other` → one entry
/// `desktop.tabs.unread` with forms `one` and `other` (a plain key has the form "").
fn flatten(prefix: &str, value: &Value, out: &mut BTreeMap<String, Entry>) {
    match value {
        Value::Object(map) => {
            for (key, value) in map {
                flatten(&format!("{prefix}.{key}"), value, out);
            }
        }
        Value::String(text) => {
            let (key, form) = match prefix.rsplit_once('_') {
                Some((base, form)) if PLURAL_FORMS.contains(&form) => (base, form),
                _ => (prefix, ""),
            };
            out.entry(key.to_string())
                .or_default()
                .forms
                .insert(form.to_string(), text.clone());
        }
        other => panic!("{prefix}: a translation is text or an object, not {other}"),
    }
}

fn entries(language: &str) -> BTreeMap<String, Entry> {
    let mut out = BTreeMap::new();
    for (namespace, value) in namespaces(language) {
        flatten(&namespace, &value, &mut out);
    }
    out
}

/// The `{{ name }}` placeholders of a text.
fn placeholders(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        let Some(len) = rest[start..].find("}}") else {
            break;
        };
        out.insert(rest[start + 2..start + len].trim().to_string());
        rest = &rest[start + len + 2..];
    }
    out
}

#[test]
fn both_languages_have_the_same_namespaces() {
    let en: BTreeSet<_> = namespaces("en").into_keys().collect();
    let fr: BTreeSet<_> = namespaces("fr").into_keys().collect();
    assert_eq!(en, fr, "the namespace files differ between en/ and fr/");
    assert!(en.contains("common") && en.contains("desktop"));
}

#[test]
fn every_key_exists_in_every_language() {
    let all: Vec<_> = LANGUAGES.iter().map(|l| (*l, entries(l))).collect();
    let mut problems = Vec::new();
    for (language, keys) in &all {
        for (other, other_keys) in &all {
            for key in other_keys.keys().filter(|k| !keys.contains_key(*k)) {
                problems.push(format!("{key}: in {other}, missing in {language}"));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "missing translations:\n{}",
        problems.join("\n")
    );
}

#[test]
fn plurals_have_their_other_form_and_texts_are_not_empty() {
    let mut problems = Vec::new();
    for language in LANGUAGES {
        for (key, entry) in entries(language) {
            let plural = !entry.forms.contains_key("");
            if plural && !entry.forms.contains_key("other") {
                problems.push(format!("{language}: {key} has plural forms but no _other"));
            }
            if !plural && entry.forms.len() > 1 {
                problems.push(format!("{language}: {key} is both plain and plural"));
            }
            for (form, text) in &entry.forms {
                if text.trim().is_empty() {
                    problems.push(format!("{language}: {key} {form} is empty"));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn placeholders_are_the_same_in_every_language() {
    let en = entries("en");
    let mut problems = Vec::new();
    for language in &LANGUAGES[1..] {
        for (key, entry) in entries(language) {
            let Some(english) = en.get(&key) else {
                continue;
            };
            // Across a plural's forms: French "one" may leave out the count English writes.
            let names = |e: &Entry| -> BTreeSet<String> {
                e.forms.values().flat_map(|t| placeholders(t)).collect()
            };
            let (theirs, ours) = (names(&entry), names(english));
            if theirs != ours {
                problems.push(format!(
                    "{language}: {key} has {theirs:?}, English {ours:?}"
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_checks_see_a_missing_key_and_a_lost_placeholder() {
    // The reading above is what the other tests trust: it must tell these apart.
    let mut en = BTreeMap::new();
    flatten(
        "x",
        &serde_json::json!({"a": {"n_one": "{{ count }} item", "n_other": "{{ count }} items"}}),
        &mut en,
    );
    assert_eq!(en["x.a.n"].forms.len(), 2);
    assert_eq!(
        placeholders("Up to {{ max }} of {{max}}; {{ given }}"),
        BTreeSet::from(["max".to_string(), "given".to_string()])
    );
}
