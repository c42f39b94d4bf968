//! Parameter markers for statements built at run time with many values (a batch of lines).
//!
//! The shared SQL numbers its parameters (`$1`, `$2`, …), which both databases read. But
//! SQLite keeps numbered markers as *named* parameters, and finding each one's name is a
//! walk along the list of names: binding a statement of n of them costs n², which for a
//! batch of 256 lines (1,536 values) was a visible share of the writer's time. SQLite's plain
//! `?` markers are taken in order at no cost; PostgreSQL only knows numbered ones.

/// Hands out the markers of one statement, in the order the values are bound.
pub struct Placeholders {
    numbered: bool,
    given: usize,
}

impl Placeholders {
    /// `numbered`: `$1, $2, …` (PostgreSQL) rather than `?` (SQLite).
    pub fn new(numbered: bool) -> Self {
        Placeholders { numbered, given: 0 }
    }

    /// The next value's marker.
    pub fn next(&mut self) -> String {
        self.given += 1;
        if self.numbered {
            format!("${}", self.given)
        } else {
            "?".to_string()
        }
    }

    /// A parenthesised row of `width` markers: `($1, $2, $3)` or `(?, ?, ?)`.
    pub fn row(&mut self, width: usize) -> String {
        let markers: Vec<String> = (0..width).map(|_| self.next()).collect();
        format!("({})", markers.join(", "))
    }
}

/// How many times each key comes in `keys`, keys in the order they first appear: by how
/// much each stream of a batch moves on.
pub fn counts_in_order<K: PartialEq>(keys: impl IntoIterator<Item = K>) -> Vec<(K, i64)> {
    let mut counts: Vec<(K, i64)> = Vec::new();
    for key in keys {
        match counts.iter_mut().find(|(k, _)| *k == key) {
            Some((_, n)) => *n += 1,
            None => counts.push((key, 1)),
        }
    }
    counts
}

/// The statement that moves several streams on at once (a batch's chats, a batch's agents):
/// `table`'s `last_seq` grows by each row's count, and the new values come back. It binds,
/// in order, `key, count` for each of the `rows` rows, then each row's `key` again.
pub fn advance_streams_sql(numbered: bool, table: &str, key: &str, rows: usize) -> String {
    let mut marks = Placeholders::new(numbered);
    let mut cases = String::new();
    for _ in 0..rows {
        cases.push_str(&format!(" WHEN {} THEN {}", marks.next(), marks.next()));
    }
    let keys: Vec<String> = (0..rows).map(|_| marks.next()).collect();
    format!(
        "UPDATE {table} SET last_seq = last_seq + CASE {key}{cases} END \
         WHERE {key} IN ({}) RETURNING {key}, last_seq",
        keys.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbered_markers_count_on_across_rows_and_plain_ones_do_not() {
        let mut pg = Placeholders::new(true);
        assert_eq!(pg.row(2), "($1, $2)");
        assert_eq!(pg.next(), "$3");
        let mut sqlite = Placeholders::new(false);
        assert_eq!(sqlite.row(3), "(?, ?, ?)");
        assert_eq!(sqlite.next(), "?");
    }

    #[test]
    fn keys_are_counted_in_the_order_they_first_come() {
        assert_eq!(
            counts_in_order([7, 3, 7, 7, 5, 3]),
            [(7, 3), (3, 2), (5, 1)]
        );
    }

    #[test]
    fn streams_advance_by_their_own_counts() {
        assert_eq!(
            advance_streams_sql(true, "contacts", "id", 2),
            "UPDATE contacts SET last_seq = last_seq + CASE id WHEN $1 THEN $2 WHEN $3 THEN $4 END \
             WHERE id IN ($5, $6) RETURNING id, last_seq"
        );
    }
}
