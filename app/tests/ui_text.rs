//! No component writes text a person reads straight into its view: every such word is a
//! translation key (`app/locales`), so a French page has no English left in it. The test
//! reads the source of `src/ui` and fails on:
//! - a string literal in a `view!` where the page shows it: an element's text, or a
//!   visible attribute or property (`title`, `aria-label`, `placeholder`, `label`, ...);
//! - anywhere else in the code of a component, a literal that reads like a sentence or a
//!   label (a capital letter, then words), as `format!` and `if` branches build them.
//!
//! What may stay literal is named in [`ALLOWED`], with why.

use proc_macro2::{TokenStream, TokenTree};
use std::path::{Path, PathBuf};
use syn::visit::Visit;

/// Attributes and component properties whose value a person reads (or hears).
const VISIBLE: [&str; 14] = [
    "title",
    "aria-label",
    "aria-description",
    "aria-roledescription",
    "aria-valuetext",
    "placeholder",
    "alt",
    "label",
    "hint",
    "text",
    "heading",
    "message",
    "noun",
    "summary",
];

/// Literals that are not words to translate.
const ALLOWED: [&str; 3] = [
    // The product's name and its mark.
    "Switchboard",
    "SB",
    // The start of an address, as a link's placeholder: the same in every language.
    "https://",
];

/// Macros whose strings are for developers (logs), not people.
const QUIET_MACROS: [&str; 9] = [
    "log",
    "warn",
    "error",
    "debug_warn",
    "console_log",
    "console_warn",
    "console_error",
    "debug",
    "trace",
];

struct Finding {
    file: PathBuf,
    line: usize,
    text: String,
}

fn has_words(text: &str) -> bool {
    text.chars().any(char::is_alphabetic) && !ALLOWED.contains(&text)
}

/// A sentence or a label: a capital letter first, and made of words (not a class list, an
/// identifier, a path or a format of digits); or a `format!` text with two words or more
/// around its placeholders ("{} new messages").
fn reads_like_prose(text: &str) -> bool {
    let mut stripped = String::new();
    let mut depth = 0;
    for c in text.chars() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            _ if depth == 0 => stripped.push(c),
            _ => {}
        }
    }
    // "-hint" in "{id}-hint" is a piece of an identifier, not a word.
    let words = stripped
        .split_whitespace()
        .filter(|w| {
            !w.starts_with('-')
                && !w.ends_with('-')
                && w.chars().filter(|c| c.is_alphabetic()).count() >= 2
                && w.chars()
                    .all(|c| c.is_alphabetic() || "'’,.!?…:;()\"-".contains(c))
        })
        .count();
    let capital = stripped
        .trim_start()
        .chars()
        .next()
        .is_some_and(char::is_uppercase);
    let sentence = capital
        && words >= 1
        && (stripped.split_whitespace().count() >= 2 || stripped.ends_with(['.', '…', '?']));
    let formatted = text.contains('{') && words >= 2;
    (sentence || formatted) && has_words(text)
}

fn string_value(literal: &proc_macro2::Literal) -> Option<String> {
    let lit: syn::LitStr = syn::parse_str(&literal.to_string()).ok()?;
    Some(lit.value())
}

/// The attribute or property a `=` at `index` sets: `title`, `aria-label`, `attr:alt`
/// (identifiers joined by `-` or `:`, read backwards from the `=`).
fn attribute_name(tokens: &[TokenTree], index: usize) -> String {
    let mut parts = Vec::new();
    let mut i = index;
    let mut want_ident = true;
    while i > 0 {
        i -= 1;
        match &tokens[i] {
            TokenTree::Ident(ident) if want_ident => parts.push(ident.to_string()),
            TokenTree::Punct(p) if !want_ident && (p.as_char() == '-' || p.as_char() == ':') => {
                parts.push(p.as_char().to_string())
            }
            _ => break,
        }
        want_ident = !want_ident;
    }
    parts.reverse();
    let name = parts.concat();
    name.rsplit(':').next().unwrap_or_default().to_string()
}

struct Walker<'a> {
    file: &'a Path,
    found: Vec<Finding>,
}

impl Walker<'_> {
    fn report(&mut self, span: proc_macro2::Span, text: String) {
        self.found.push(Finding {
            file: self.file.to_path_buf(),
            line: span.start().line,
            text,
        });
    }

    /// The tokens of a `view!`: markup at this level, Rust code inside braces.
    fn markup(&mut self, stream: TokenStream) {
        let tokens: Vec<TokenTree> = stream.into_iter().collect();
        for (i, token) in tokens.iter().enumerate() {
            match token {
                TokenTree::Literal(literal) => {
                    let Some(text) = string_value(literal) else {
                        continue;
                    };
                    let after_equals = i > 0
                        && matches!(&tokens[i - 1], TokenTree::Punct(p) if p.as_char() == '=');
                    let shown = if after_equals {
                        VISIBLE.contains(&attribute_name(&tokens, i - 1).as_str())
                    } else {
                        true
                    };
                    if shown && has_words(&text) {
                        self.report(literal.span(), text);
                    }
                }
                // Markup has no brackets of its own: a group is Rust code (`{..}`, a
                // `format!(..)`'s arguments, an `if`'s blocks).
                TokenTree::Group(group) => self.code(group.stream()),
                _ => {}
            }
        }
    }

    /// Rust code inside a view (or a macro's arguments): sentences only, nested views as
    /// markup.
    fn code(&mut self, stream: TokenStream) {
        let tokens: Vec<TokenTree> = stream.into_iter().collect();
        let mut i = 0;
        while i < tokens.len() {
            match &tokens[i] {
                TokenTree::Ident(name) if i + 2 < tokens.len() => {
                    let is_macro =
                        matches!(&tokens[i + 1], TokenTree::Punct(p) if p.as_char() == '!');
                    if let (true, TokenTree::Group(group)) = (is_macro, &tokens[i + 2]) {
                        let name = name.to_string();
                        if name == "view" {
                            self.markup(group.stream());
                        } else if !QUIET_MACROS.contains(&name.as_str()) {
                            self.code(group.stream());
                        }
                        i += 3;
                        continue;
                    }
                }
                TokenTree::Literal(literal) => {
                    if let Some(text) = string_value(literal) {
                        if reads_like_prose(&text) {
                            self.report(literal.span(), text);
                        }
                    }
                }
                TokenTree::Group(group) => self.code(group.stream()),
                _ => {}
            }
            i += 1;
        }
    }
}

impl<'ast> Visit<'ast> for Walker<'_> {
    // Doc comments are for developers.
    fn visit_attribute(&mut self, _: &'ast syn::Attribute) {}

    fn visit_item_mod(&mut self, module: &'ast syn::ItemMod) {
        if module.ident != "tests" {
            syn::visit::visit_item_mod(self, module);
        }
    }

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        let name = mac
            .path
            .segments
            .last()
            .map(|s| s.ident.to_string())
            .unwrap_or_default();
        if name == "view" {
            self.markup(mac.tokens.clone());
        } else if !QUIET_MACROS.contains(&name.as_str()) {
            self.code(mac.tokens.clone());
        }
    }

    fn visit_lit_str(&mut self, lit: &'ast syn::LitStr) {
        let text = lit.value();
        if reads_like_prose(&text) {
            self.report(lit.span(), text);
        }
    }
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn findings_in(path: &Path, source: &str) -> Vec<Finding> {
    let file = syn::parse_file(source).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut walker = Walker {
        file: path,
        found: Vec::new(),
    };
    walker.visit_file(&file);
    walker.found
}

#[test]
fn every_visible_text_of_a_component_is_a_translation_key() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    rust_files(&root.join("src/ui"), &mut files);
    files.sort();
    assert!(files.len() > 20, "the components were not found");
    let mut found = Vec::new();
    for path in &files {
        let source = std::fs::read_to_string(path).unwrap();
        found.extend(findings_in(path.strip_prefix(root).unwrap(), &source));
    }
    let lines: Vec<String> = found
        .iter()
        .map(|f| format!("{}:{}: {:?}", f.file.display(), f.line, f.text))
        .collect();
    assert!(
        lines.is_empty(),
        "{} texts are written in components instead of app/locales:\n{}",
        lines.len(),
        lines.join("\n")
    );
}

#[test]
fn the_reader_sees_text_in_views_and_sentences_in_code() {
    let source = r#"
        fn a() -> impl IntoView {
            let why = if x { "The queue is full." } else { "tab-active" };
            let ok = t_string!(i18n, desktop.ok);
            leptos::logging::warn!("Socket closed: {e}");
            view! {
                <p class="muted" title="Total chat time">"No contacts yet"</p>
                <Pager noun="change" page />
                <span>{move || format!("{} new messages", n())}</span>
                <b>{t!(i18n, desktop.x)}</b>
                <i>"·"</i>
                <p id=format!("{id}-hint {id}-error") class=format!("tool tool-{name}")></p>
            }
        }
    "#;
    let found: Vec<String> = findings_in(Path::new("x.rs"), source)
        .into_iter()
        .map(|f| f.text)
        .collect();
    assert_eq!(
        found,
        [
            "The queue is full.",
            "Total chat time",
            "No contacts yet",
            "change",
            "{} new messages"
        ]
    );
}
