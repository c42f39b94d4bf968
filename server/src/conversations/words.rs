//! How text is folded for the Conversations page's search, the same way for what is kept
//! and what is looked for, whatever the database: lower case, accents removed ("Été" and
//! "ete" are one word), only the runs of letters and digits, one space apart. Folding here
//! rather than in each database's own way keeps SQLite and PostgreSQL finding the same.

use app::domain::conversations::words;
use unicode_normalization::{char::is_combining_mark, UnicodeNormalization};

/// `text` folded: lower-case words without accents, separated by one space.
pub fn fold(text: &str) -> String {
    let plain: String = text
        .nfd()
        .filter(|c| !is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .collect();
    words(&plain).collect::<Vec<_>>().join(" ")
}

/// The folded words a search looks for, each once.
pub fn search_words(text: &str) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    for word in fold(text).split(' ').filter(|w| !w.is_empty()) {
        if !found.iter().any(|f| f == word) {
            found.push(word.to_string());
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accents_case_and_punctuation_fold_away() {
        assert_eq!(
            fold("Été — RÉSUMÉ, s'il-vous-plaît!"),
            "ete resume s il vous plait"
        );
        assert_eq!(fold("  ann@example.com  "), "ann example com");
        assert_eq!(fold("Straße Øre 東京"), "straße øre 東京");
    }

    #[test]
    fn a_search_looks_for_each_word_once() {
        assert_eq!(
            search_words("Refund refund RÉFUND? late"),
            ["refund", "late"]
        );
    }
}
